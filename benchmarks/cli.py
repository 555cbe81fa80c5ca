"""Command line: ``python -m benchmarks [--quick] [--json PATH] [--only GROUP] [--max-size SIZE]``.

Also what ``unibridge bench`` calls, through :func:`benchmarks.run`.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import traceback
from pathlib import Path

from . import machine, plot, report, targets
from .frameworks import restore_threads
from .model import Report, Skip
from .settings import Settings, format_size, parse_size

__all__ = ["DEFAULT_JSON", "parser", "measure", "run"]

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
STDOUT = Path("-")


def _groups() -> list[str]:
    from .cases import GROUPS

    return list(GROUPS)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="unibridge benchmarks: conversion overhead and throughput against the native calls "
        "and peers, every figure a ratio to a reference timed in the same run.",
    )
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes (up to 64 KiB), short loops, 1-2 trials: a smoke test, not a measurement")
    p.add_argument("--json", nargs="?", type=Path, const=STDOUT, default=DEFAULT_JSON, metavar="PATH",
                   help=f"where to write the results (default: {DEFAULT_JSON.relative_to(DEFAULT_JSON.parents[2])}); "
                   "the PNG goes next to it. Without PATH (as 'unibridge bench --json' passes it): print the JSON "
                   "on stdout, the tables on stderr, and still save it to the default path")
    p.add_argument("--only", action="append", metavar="GROUP",
                   help=f"run only these groups (repeat or comma-separate): {', '.join(_groups())}")
    p.add_argument("--max-size", type=parse_size, metavar="SIZE",
                   help="largest array in the scaling group, e.g. 16MiB (default 256MiB; 64KiB with --quick)")
    p.add_argument("--trials", type=int, metavar="N", help="interleaved trials per comparison (default 7/5/3)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    p.add_argument("--no-heavy-processes", action="store_true",
                   help="skip the fresh processes that import torch, TensorFlow or Keras (several seconds each): "
                   "framework import times and the Keras comparison")
    return p


def _selected(only: list[str] | None) -> list[str]:
    known = _groups()
    if not only:
        return known
    picked = [g.strip() for item in only for g in item.split(",") if g.strip()]
    unknown = [g for g in picked if g not in known]
    if unknown:
        raise SystemExit(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return [g for g in known if g in picked]


def measure(settings: Settings, groups: list[str]) -> Report:
    """Run ``groups`` with ``settings`` and return the report, with target verdicts."""
    from .cases import GROUPS

    started = time.strftime("%Y-%m-%d %H:%M:%S")
    t0 = time.perf_counter()
    rep = Report(
        options={"quick": settings.quick, "groups": groups, "sizes": list(settings.sizes),
                 "loop_s": settings.timing.loop_s, "trials": settings.timing.trials,
                 "scaling_trials": settings.scaling_timing.trials, "import_trials": settings.import_trials,
                 "framework_import_trials": settings.framework_import_trials,
                 "heavy_processes": settings.heavy_processes},
        machine=machine.details(),
        started=started,
    )
    try:
        for g in groups:
            settings.say(f"== {g}")
            tg = time.perf_counter()
            try:
                results, skips = GROUPS[g](settings)
            except Exception as exc:  # noqa: BLE001 - one broken group must not lose the others
                traceback.print_exc()
                results, skips = [], [Skip(g, "whole group", f"crashed: {type(exc).__name__}: {exc}")]
            rep.options.setdefault("group_seconds", {})[g] = round(time.perf_counter() - tg, 1)
            settings.say(f"   {g}: {time.perf_counter() - tg:.1f} s")
            rep.results += results
            rep.skipped += skips
            for k in skips:
                settings.say(f"   skip [{k.group}] {k.name}: {k.reason}")
            gc.collect()
        rep.machine.update(machine.after_run())
    finally:
        restore_threads()
    rep.duration_s = time.perf_counter() - t0
    rep.targets = targets.evaluate(rep)
    return rep


def run(argv: list[str] | None = None) -> int:
    """Parse ``argv``, run, print the tables, write JSON (and the PNG). Returns 0.

    Benchmarks report; they never fail on a missed target.
    """
    args = parser().parse_args(argv)
    groups = _selected(args.only)
    settings = Settings.make(quick=args.quick, max_size=args.max_size, trials=args.trials,
                             heavy=not args.no_heavy_processes)
    settings.say(f"unibridge benchmarks: groups {', '.join(groups)}; sizes "
                 f"{', '.join(format_size(s) for s in settings.sizes)}")
    rep = measure(settings, groups)
    to_stdout = args.json == STDOUT
    path = DEFAULT_JSON if to_stdout else args.json
    text = sys.stderr if to_stdout else sys.stdout
    print(report.render(rep), file=text, flush=True)
    report.write_json(rep, path)
    print(f"\njson: {path}", file=text)
    if not args.no_plot:
        print(plot.draw(rep, path.with_suffix(".png")), file=text)
    if to_stdout:
        print(json.dumps(rep.to_json(), indent=1, default=str), flush=True)
    return 0
