"""``unibridge check``: a quick self-test of every installed backend.

It runs the conformance kit (:func:`unibridge.testing.run_conformance`) in its
quick mode when the kit is installed, and otherwise the smaller built-in
self-test of :mod:`unibridge.cli.selftest`; the output says which one ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from typing import Any

from ..registry import backends, get_backend
from ._render import one_line, table
from .selftest import self_test

__all__ = ["run_checks", "render_checks"]

KIT = "conformance kit (unibridge.testing, quick mode)"
SELF_TEST = "built-in self-test (the conformance kit, unibridge.testing.run_conformance, is not available)"


def _conformance() -> Callable[..., Any] | None:
    """``run_conformance`` from the kit, or None when the kit is not installed."""
    if find_spec("unibridge.testing") is None:
        return None
    from .. import testing  # a kit that is present but broken fails loudly here

    return getattr(testing, "run_conformance", None)


def _devices_to_test(name: str) -> list[str]:
    """The CPU, plus the first GPU when the backend sees one."""
    devices = [str(d) for d in get_backend(name).devices()]
    gpus = [d for d in devices if d.startswith("gpu")]
    return ["cpu", *gpus[:1]]


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
    kit = _conformance()
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
            if kit is not None:
                results = _kit_results(kit, b.name)
            else:
                results = [r for dev in _devices_to_test(b.name) for r in self_test(b.name, dev)]
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
        "kit": KIT if kit is not None else SELF_TEST,
        "backends": rows,
    }


def _label(result: dict[str, Any]) -> str:
    """``name@device`` (self-test) or ``name`` (the kit runs on the backend's devices itself)."""
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
