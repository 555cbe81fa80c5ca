"""``make conformance``: the official Array API suite against unibridge's TensorFlow namespace.

Usage (from the repository root)::

    ARRAY_API_TESTS_DIR=/path/to/array-api-tests python tests/array_api/conformance_runner.py [PYTEST ARGS]

``ARRAY_API_TESTS_DIR`` is a checkout of data-apis/array-api-tests with its ``array-api``
submodule (``git clone --recursive``). The suite runs with these settings
(Array API 2025.12, ``--max-examples=20``, hypothesis seed 0, two xdist workers); extra
arguments go to pytest; a first argument that is not an option replaces the whole suite
(``array_api_tests/test_linalg.py``, say) to run part of it.

Every failure must be listed in ``expected-failures.txt`` next to this file, under the
deviation it stands for. Exit status: 0 when every failure is expected; 1 when a test outside
the file fails; 2 when the suite cannot run (no checkout, missing plugins). Expected failures
that pass are reported so the file can shrink.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXPECTED_FILE = HERE / "expected-failures.txt"
DEVIATIONS_FILE = ROOT / "unibridge/adapters/tensorflow/array_api/DEVIATIONS.md"
MODULE = "unibridge.adapters.tensorflow.array_api"

SETTINGS = {"ARRAY_API_TESTS_MODULE": MODULE, "ARRAY_API_TESTS_VERSION": "2025.12"}
PYTEST_ARGS = ["-n", "2", "--max-examples=20", "--hypothesis-seed=0", "-p", "no:cacheprovider", "-q", "--tb=line"]
PLUGINS = {"xdist": "pytest-xdist", "ndindex": "ndindex", "pytest_jsonreport": "pytest-json-report"}
_HEADER = re.compile(r"^\[(?P<deviation>.+)\]$")


class UsageError(Exception):
    """The suite cannot run; the message says what to do."""


@dataclass
class Outcome:
    """One run's results compared with the expected failures."""

    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0
    unexpected_failures: list[str] = field(default_factory=list)
    unexpected_passes: list[str] = field(default_factory=list)
    expected_failures: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        ran = len(self.passed) + len(self.failed)
        return 100.0 * len(self.passed) / ran if ran else 0.0


def deviation_rows(path: Path = DEVIATIONS_FILE) -> list[str]:
    """The first cell of every row of the deviations table (the names the expected failures use)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| function / feature") and not line.startswith("|---"):
            rows.append(line.split(" | ")[0][2:].strip())
    return rows


def parse_expected(text: str) -> dict[str, str]:
    """``{test id: deviation}`` from the expected-failures file: ``[deviation]`` headers, then ids.

    Blank lines and ``#`` comments are ignored. An id before any header, or listed twice, is an error.
    """
    expected: dict[str, str] = {}
    deviation = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            deviation = header.group("deviation")
            continue
        if deviation is None:
            raise ValueError(f"line {number}: test id {line!r} comes before any [deviation] header")
        if line in expected:
            raise ValueError(f"line {number}: {line!r} is listed twice")
        expected[line] = deviation
    return expected


def check_suite_dir(value: str | None) -> Path:
    """The checkout named by ``ARRAY_API_TESTS_DIR``, or UsageError saying what is wrong."""
    clone = "git clone --recursive https://github.com/data-apis/array-api-tests"
    if not value:
        raise UsageError(f"ARRAY_API_TESTS_DIR is not set: point it at a checkout of data-apis/array-api-tests ({clone})")
    path = Path(value).expanduser()
    if not (path / "array_api_tests" / "__init__.py").is_file():
        raise UsageError(f"ARRAY_API_TESTS_DIR={value!r} is not an array-api-tests checkout (no array_api_tests/ package)")
    stubs = path / "array-api" / "src" / "array_api_stubs"
    if not stubs.is_dir() or not any(stubs.iterdir()):
        raise UsageError(
            f"ARRAY_API_TESTS_DIR={value!r} lacks its array-api submodule; run "
            f"'git submodule update --init' in {path}"
        )
    return path


def check_plugins() -> None:
    from importlib.util import find_spec

    missing = [dist for module, dist in PLUGINS.items() if find_spec(module) is None]
    if missing:
        raise UsageError(f"the suite needs {', '.join(missing)}: pip install -e '.[conformance]' (make conformance does)")


def compare(results: dict[str, str], expected: dict[str, str]) -> Outcome:
    """Sort pytest outcomes (``{node id: outcome}``) against the expected failures."""
    out = Outcome()
    for node, outcome in sorted(results.items()):
        if outcome == "passed":
            out.passed.append(node)
            if node in expected:
                out.unexpected_passes.append(node)
        elif outcome in ("failed", "error"):
            out.failed.append(node)
            (out.expected_failures if node in expected else out.unexpected_failures).append(node)
        else:
            out.skipped += 1
    return out


def read_report(path: Path) -> dict[str, str]:
    """``{node id: outcome}`` from pytest-json-report's file (an error in setup counts as failed)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    results = {}
    for test in data.get("tests", []):
        results[test["nodeid"]] = test["outcome"]
    return results


def run_suite(suite: Path, extra: Sequence[str], report: Path) -> int:
    env = {**os.environ, **SETTINGS, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # A fresh example database: examples saved by earlier runs in the checkout would be replayed
    # first and make two runs with the same seed differ.
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(report.parent / "hypothesis")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # A first argument that is not an option names what to run; otherwise the whole suite.
    targets = list(extra) if extra and not extra[0].startswith("-") else ["array_api_tests", *extra]
    cmd = [sys.executable, "-m", "pytest", *targets, *PYTEST_ARGS, "--json-report", f"--json-report-file={report}"]
    print("$", " ".join(f"{k}={v}" for k, v in SETTINGS.items()), " ".join(cmd[1:]), f"  (in {suite})", flush=True)
    return subprocess.call(cmd, cwd=suite, env=env)


def summary(out: Outcome, expected: dict[str, str]) -> str:
    lines = [
        f"passed {len(out.passed)}, failed {len(out.failed)} ({out.percent:.1f}% passed), skipped {out.skipped}",
        f"failures listed in {EXPECTED_FILE.name}: {len(out.expected_failures)}",
    ]
    if out.unexpected_passes:
        lines.append(f"{len(out.unexpected_passes)} listed tests now pass (remove them from {EXPECTED_FILE.name}):")
        lines += [f"  {node}   [{expected[node]}]" for node in out.unexpected_passes]
    if out.unexpected_failures:
        lines.append(f"{len(out.unexpected_failures)} failures are NOT in {EXPECTED_FILE.name}:")
        lines += [f"  {node}" for node in out.unexpected_failures]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    try:
        suite = check_suite_dir(os.environ.get("ARRAY_API_TESTS_DIR"))
        check_plugins()
        expected = parse_expected(EXPECTED_FILE.read_text(encoding="utf-8"))
    except (UsageError, ValueError) as exc:
        print(f"conformance: error: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        code = run_suite(suite, extra, report)
        if not report.is_file():
            print(f"conformance: error: pytest exited {code} without a report", file=sys.stderr)
            return 2
        out = compare(read_report(report), expected)
    print(summary(out, expected))
    return 1 if out.unexpected_failures else 0


if __name__ == "__main__":
    sys.exit(main())
