"""Running the checks: :func:`run_conformance` and its :class:`Report`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .. import api, registry
from ._core import CHECKS, CheckSkipped, Context

# Importing the check modules registers their checks, in this order.
from . import checks_protocol, checks_dtypes, checks_memory, checks_interop  # noqa: E402,F401  isort: skip

__all__ = ["CheckResult", "Report", "run_conformance", "run_check", "make_context", "available_backends"]

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``status`` is ``"passed"``, ``"failed"`` or ``"skipped"``."""

    name: str
    status: Status
    detail: str = ""
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [ln.strip() for ln in self.detail.splitlines() if ln.strip()]
        shown = "; ".join(lines[:4]) + (" ..." if len(lines) > 4 else "")
        return f"{self.name} {self.status}" + (f": {shown}" if shown else "")


@dataclass
class Report:
    """All results of one conformance run; ``.ok`` is True when nothing failed.

    Example:
        >>> from unibridge.testing import run_conformance
        >>> report = run_conformance("numpy", quick=True)
        >>> report.ok, report.backend
        (True, 'numpy')
    """

    backend: str
    quick: bool
    results: list[CheckResult] = field(default_factory=list)
    error: str = ""  # set when the backend could not be loaded at all

    @property
    def ok(self) -> bool:
        """True when the backend loaded and no check failed."""
        return not self.error and all(r.status != "failed" for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        """The failed checks."""
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        """A multi-line human-readable summary."""
        mode = "quick" if self.quick else "full"
        lines = [f"unibridge conformance: backend {self.backend!r} ({mode})"]
        if self.error:
            lines.append(f"  ERROR  {self.error}")
        for r in self.results:
            mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}[r.status]
            lines.append(f"  {mark}  {r.name:<28} {r.seconds:6.2f}s" + (f"  {r.detail.splitlines()[0]}" if r.status == "skipped" else ""))
            if r.status == "failed":
                lines.extend("        " + line for line in r.detail.splitlines())
        counts = {s: sum(r.status == s for r in self.results) for s in ("passed", "failed", "skipped")}
        verdict = "PASSED" if self.ok else "FAILED"
        lines.append(f"{verdict}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def available_backends() -> tuple[str, ...]:
    """Names of every registered backend that loads and is available here."""
    return tuple(info.name for info in registry.backends() if info.available)


def make_context(name: str, *, quick: bool = False, against: Sequence[str] | None = None) -> Context:
    """Load backend ``name`` (raising if it cannot load) and build the context checks run in."""
    backend = api.get_backend(name)
    ok, reason = backend.available()
    if not ok:
        from ..errors import BackendUnavailableError

        raise BackendUnavailableError(f"backend {name!r} is not available here: {reason}")
    canonical = backend.name
    if against is None:
        others = ("numpy",) if quick else available_backends()
    else:
        others = tuple(api.get_backend(o).name for o in against)
    return Context(canonical, backend, quick=quick, others=tuple(o for o in others if o != canonical))


def run_check(ctx: Context, check_name: str) -> CheckResult:
    """Run one check and capture its outcome (never raises for a check failure)."""
    chk = CHECKS[check_name]
    start = time.perf_counter()
    ctx.problems = []
    try:
        chk.func(ctx)
    except CheckSkipped as exc:
        return CheckResult(check_name, "skipped", str(exc), time.perf_counter() - start)
    except AssertionError as exc:
        return CheckResult(check_name, "failed", str(exc), time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a crashing check is a failed check
        return CheckResult(check_name, "failed", f"crashed: {type(exc).__name__}: {exc}", time.perf_counter() - start)
    return CheckResult(check_name, "passed", "", time.perf_counter() - start)


def run_conformance(
    name: str,
    quick: bool = False,
    *,
    against: Sequence[str] | None = None,
    checks: Sequence[str] | None = None,
) -> Report:
    """Run the conformance kit against backend ``name`` and return a :class:`Report`.

    ``quick=True`` runs the fast subset on small arrays and converts only
    with NumPy (for ``unibridge check``). ``against`` restricts the other
    backends used by the interoperability check (default: every available
    one). ``checks`` selects checks by name.

    Example:
        >>> from unibridge.testing import run_conformance
        >>> run_conformance("numpy", quick=True).ok
        True
    """
    report = Report(name, quick)
    try:
        ctx = make_context(name, quick=quick, against=against)
    except Exception as exc:  # noqa: BLE001 - reported, the caller decides the exit status
        report.error = f"{type(exc).__name__}: {exc}"
        return report
    report.backend = ctx.name
    selected = list(CHECKS) if checks is None else list(checks)
    for check_name in selected:
        if check_name not in CHECKS:
            raise ValueError(f"unknown check {check_name!r}; known: {', '.join(CHECKS)}")
        if quick and not CHECKS[check_name].quick:
            continue
        report.results.append(run_check(ctx, check_name))
    return report
