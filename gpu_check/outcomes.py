"""A pytest plugin that writes every test's outcome to one JSON file.

``pytest -p gpu_check.outcomes --outcomes-json PATH`` records, per test id, the
outcome (passed, failed, error, skipped, xfailed, xpassed), the time and, for
anything but a pass, the reason or the failure; modules that failed to import
or skipped themselves too. The file
is rewritten after each test, so a run stopped by a time limit still leaves
what ran; ``finished`` is true only once the session ended. No dependency
beyond pytest (``--junitxml`` would need parsing and loses skip reasons).

Example (what :mod:`gpu_check.run` does)::

    python -m pytest -m gpu -p gpu_check.outcomes --outcomes-json /tmp/tests.json tests
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Recorder", "summarize"]

_MAX_TEXT = 4000  # characters of a failure kept: the JSON stays readable, the tail holds the assertion
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def summarize(tests: list[dict[str, Any]]) -> dict[str, int]:
    """How many tests had each outcome.

    Example:
        >>> summarize([{"outcome": "passed"}, {"outcome": "skipped"}, {"outcome": "passed"}])
        {'passed': 2, 'failed': 0, 'error': 0, 'skipped': 1, 'xfailed': 0, 'xpassed': 0}
    """
    return {o: sum(t["outcome"] == o for t in tests) for o in OUTCOMES}


def _tail(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else "...\n" + text[-_MAX_TEXT:]


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return report.longreprtext


class Recorder:
    """Collects the reports of one session and writes them to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tests: dict[str, dict[str, Any]] = {}
        self.collection_errors: list[dict[str, str]] = []
        self.skipped_modules: list[dict[str, str]] = []  # skipped while importing: their tests never show
        self.deselected = 0

    def _write(self, *, finished: bool, exit_status: int | None = None) -> None:
        tests = list(self.tests.values())
        data = {"finished": finished, "exit_status": exit_status, "pytest": pytest.__version__,
                "summary": summarize(tests), "deselected": self.deselected,
                "collection_errors": self.collection_errors, "skipped_modules": self.skipped_modules,
                "tests": tests}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, self.path)  # atomic: a reader never sees half a file

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append({"id": report.nodeid, "details": _tail(report.longreprtext)})
        elif report.skipped:
            self.skipped_modules.append({"id": report.nodeid, "reason": _skip_reason(report)})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.tests.setdefault(report.nodeid, {"id": report.nodeid, "outcome": "passed", "duration_s": 0.0})
        entry["duration_s"] = round(entry["duration_s"] + report.duration, 4)
        xfail = getattr(report, "wasxfail", None)
        if report.skipped:
            entry["outcome"] = "xfailed" if xfail is not None else "skipped"
            entry["reason"] = xfail if xfail is not None else _skip_reason(report)
        elif report.failed:
            # A failure in setup or teardown is an error, as pytest counts it; a
            # teardown error after a failed call keeps "failed" and adds its text.
            if entry["outcome"] != "failed":
                entry["outcome"] = "failed" if report.when == "call" else "error"
            crash = getattr(report.longrepr, "reprcrash", None)
            lines = report.longreprtext.splitlines()
            entry.setdefault("message", getattr(crash, "message", None) or (lines[-1] if lines else ""))
            entry["details"] = entry.get("details", "") + f"[{report.when}]\n" + _tail(report.longreprtext)
        elif report.when == "call" and xfail is not None:
            entry["outcome"] = "xpassed"
            entry["reason"] = xfail
        if report.when == "teardown":
            self._write(finished=False)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._write(finished=True, exit_status=int(exitstatus))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--outcomes-json", metavar="PATH", default=None,
                     help="write every test's outcome to PATH as JSON (gpu_check.outcomes)")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("outcomes_json")
    if path:
        config.pluginmanager.register(Recorder(Path(path)), "gpu_check_outcomes_recorder")
