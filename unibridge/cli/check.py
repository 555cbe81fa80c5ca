"""``unibridge check``: a quick self-test of every installed backend.

It runs the conformance kit (:func:`unibridge.testing.run_conformance`) in its
quick mode on each backend.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ..api import get_backend
from ..registry import backends
from ..testing import run_conformance
from ._render import one_line, table

__all__ = ["run_checks", "render_checks"]

KIT = "conformance kit (unibridge.testing, quick mode)"


def _kit_results(run: Callable[..., Any], name: str) -> list[dict[str, Any]]:
    """One result dict per conformance check (its ``Report.results``), in our format."""
    report = run(name, quick=True)
    results = []
    error = getattr(report, "error", "")
    if error:
        results.append({"check": "load", "device": "-", "ok": False, "problem": one_line(error)})
    for r in getattr(report, "results", None) or ():
        status = getattr(r, "status", "passed")
        detail = one_line(getattr(r, "detail", "")) if status != "passed" else ""
        results.append({"check": getattr(r, "name", str(r)), "device": "-", "ok": status != "failed",
                        "status": status, "problem": detail if status == "failed" else "",
                        "note": detail if status == "skipped" else ""})
    if not bool(report.ok) and all(r["ok"] for r in results):
        results.append({"check": "conformance", "device": "-", "ok": False, "problem": one_line(report)})
    return results


def run_checks(names: Sequence[str] | None = None) -> dict[str, Any]:
    """Check ``names`` (default: every available backend); JSON-ready results.

    A backend asked for by name that cannot load raises its unibridge error.

    Example:
        >>> from unibridge.cli.check import run_checks
        >>> run_checks(["numpy"])["ok"]
        True
    """
    rows = []
    if names:
        wanted = [get_backend(n).name for n in names]  # unknown names raise (exit 2)
        infos = [b for b in backends() if b.name in wanted]
        for b in infos:
            if not b.available:
                from ..errors import BackendUnavailableError

                raise BackendUnavailableError(f"cannot check backend {b.name!r}: {one_line(b.reason)}")
    else:
        infos = backends()
    for b in infos:
        entry: dict[str, Any] = {"backend": b.name, "version": b.version}
        if not b.available:
            rows.append({**entry, "status": "skipped", "reason": one_line(b.reason), "results": []})
            continue
        start = time.perf_counter()
        try:
            results = _kit_results(run_conformance, b.name)
        except Exception as exc:  # noqa: BLE001 - a crash is a failed check, reported in one line
            results = [{"check": "run", "device": "-", "ok": False, "problem": one_line(f"{type(exc).__name__}: {exc}")}]
        ok = all(r["ok"] for r in results)
        rows.append(
            {
                **entry,
                "status": "pass" if ok else "fail",
                "reason": "",
                "seconds": round(time.perf_counter() - start, 3),
                "results": results,
            }
        )
    return {
        "ok": all(r["status"] != "fail" for r in rows) and any(r["status"] == "pass" for r in rows),
        "kit": KIT,
        "backends": rows,
    }


def _label(result: dict[str, Any]) -> str:
    """``name``, or ``name@device`` for a result tied to one device."""
    skipped = " (skipped)" if result.get("status") == "skipped" else ""
    device = "" if result["device"] == "-" else f"@{result['device']}"
    return f"{result['check']}{device}{skipped}"


def render_checks(report: dict[str, Any]) -> str:
    """The terminal form of :func:`run_checks`' result.

    Example:
        >>> from unibridge.cli.check import run_checks, render_checks
        >>> "numpy" in render_checks(run_checks(["numpy"]))
        True
    """
    lines = [f"unibridge check: {report['kit']}", ""]
    rows = []
    for b in report["backends"]:
        counts = {status: 0 for status in ("passed", "failed", "skipped")}
        for r in b["results"]:
            counts[r.get("status", "passed" if r["ok"] else "failed")] += 1
        checks = ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "-"
        seconds = f"{b['seconds']:.2f}" if "seconds" in b else "-"
        rows.append([b["backend"], b["status"], seconds, checks if b["status"] != "skipped" else b["reason"]])
    lines.append(table(["backend", "status", "seconds", "checks / why skipped"], rows))
    failures = [
        f"  {b['backend']} {_label(r)}: {r['problem']}"
        for b in report["backends"]
        for r in b["results"]
        if not r["ok"]
    ]
    if failures:
        lines += ["", "failures:", *failures]
    lines += ["", "all checks passed" if report["ok"] else "CHECK FAILED"]
    return "\n".join(lines)
