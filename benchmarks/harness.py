"""Timing: calibrated loops, interleaved round-robin trials, medians and ratios.

The method is the one behind the timings in ``docs/framework-facts.md``:

* each case is called in a loop calibrated to last about ``loop_s`` (20 ms by
  default), timed with ``perf_counter_ns``, with the garbage collector off as
  in :mod:`timeit`; one trial gives one ns-per-call figure;
* trials are interleaved round-robin over all cases of a comparison (the
  starting case rotates), so a slow patch of the machine hits every case;
* a case reports the median over trials and the fastest/slowest trial, and its
  ratio to each reference is the median of *per-trial* ratios.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ContextManager

from .model import Ratio, Result

__all__ = ["Case", "Timing", "compare", "time_loop", "calibrate"]


@dataclass
class Case:
    """A call to time. ``refs`` are keys of other cases in the same comparison.

    ``context`` (a factory of a context manager) is entered around each timed
    loop, e.g. ``lambda: unibridge.use("torch")`` to time the active-backend path.
    """

    key: str
    name: str
    fn: Callable[[], Any]
    refs: tuple[str, ...] = ()
    kind: str | None = None
    size_bytes: int | None = None
    path: str | None = None
    context: Callable[[], ContextManager[Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Timing:
    """How long to time: ``loop_s`` per calibrated loop, ``trials`` interleaved rounds."""

    loop_s: float = 0.020
    trials: int = 7


def time_loop(fn: Callable[[], Any], n: int) -> int:
    """Nanoseconds for ``n`` back-to-back calls of ``fn`` (gc off while timing)."""
    it = itertools.repeat(None, n)
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        for _ in it:
            fn()
        return time.perf_counter_ns() - t0
    finally:
        if enabled:
            gc.enable()


def calibrate(fn: Callable[[], Any], loop_s: float) -> int:
    """How many calls of ``fn`` take about ``loop_s`` (at least 1)."""
    target_ns = loop_s * 1e9
    n = 1
    while True:
        t = time_loop(fn, n)
        if t >= target_ns / 5 or n >= 1 << 30:
            return max(1, round(n * target_ns / max(t, 1)))
        n *= 10 if t < target_ns / 100 else 2


def _context(case: Case) -> ContextManager[Any]:
    return case.context() if case.context is not None else contextlib.nullcontext()


def _rounds(cases: list[Case], trials: int) -> Iterator[list[Case]]:
    """Round-robin order: every case once per trial, starting one later each time."""
    n = len(cases)
    for t in range(trials):
        start = t % n
        yield cases[start:] + cases[:start]


def compare(group: str, cases: list[Case], timing: Timing) -> list[Result]:
    """Time ``cases`` in interleaved trials; return one :class:`Result` each.

    Example:
        >>> rs = compare("demo", [Case("a", "id", lambda: None),
        ...                       Case("b", "abs", lambda: abs(-1), refs=("a",))],
        ...              Timing(loop_s=0.001, trials=2))
        >>> [r.key for r in rs], rs[1].ratios[0].ref
        (['a', 'b'], 'a')
    """
    if not cases:
        return []
    loops: dict[str, int] = {}
    for case in cases:
        with _context(case):
            # Warm up: first-call costs (lazy imports, caches) are not per-call overhead.
            first = time_loop(case.fn, 1)
            if first >= timing.loop_s * 1e9 and time_loop(case.fn, 1) >= timing.loop_s * 1e9:
                loops[case.key] = 1  # one call already fills a loop (large copies)
            else:
                loops[case.key] = calibrate(case.fn, timing.loop_s)
    samples: dict[str, list[float]] = {case.key: [] for case in cases}
    for order in _rounds(cases, max(1, timing.trials)):
        for case in order:
            with _context(case):
                ns = time_loop(case.fn, loops[case.key])
            samples[case.key].append(ns / loops[case.key])

    results = []
    for case in cases:
        s = samples[case.key]
        ratios = []
        for ref in case.refs:
            if ref not in samples:
                continue
            per_trial = [a / b for a, b in zip(s, samples[ref]) if b > 0]
            if per_trial:
                ratios.append(Ratio(ref, statistics.median(per_trial), min(per_trial), max(per_trial)))
        results.append(
            Result(
                group=group,
                key=case.key,
                name=case.name,
                ns=statistics.median(s),
                lo_ns=min(s),
                hi_ns=max(s),
                trials_ns=s,
                loops=loops[case.key],
                ratios=ratios,
                size_bytes=case.size_bytes,
                path=case.path,
                kind=case.kind,
                extra=dict(case.extra),
            )
        )
    return results
