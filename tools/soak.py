"""Soak: a million small conversions across every (source, target) pair; report leaks.

Run from the repository root (``make soak`` does exactly this)::

    python -m tools.soak                    # 1,000,000 conversions
    python -m tools.soak --conversions 20000 --json

After a warm-up (every pair and variant a few times, so framework caches,
allocator pools and thread pools exist before the baseline), it reports the
resident memory (psutil RSS) at the start, every tenth of the run and at the
end, and the open file descriptors and threads before and after. It exits
non-zero when RSS grows by more than ``--max-rss-growth-mb`` or when file
descriptors or threads increased. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import sys
import time
from typing import Any

import numpy as np
import psutil

import unibridge as ub

_SHAPES_DTYPES = [
    ((8,), "float32"),
    ((3, 4), "int64"),
    ((5,), "bool"),
    ((), "float64"),
    ((2, 2), "complex64"),
    ((4,), "uint8"),
    ((0, 3), "float32"),
]


def _variants() -> list[np.ndarray[Any, Any]]:
    out = []
    for i, (shape, dtype) in enumerate(_SHAPES_DTYPES):
        a = (np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + i).astype(dtype)
        out.append(a)
    sliced = np.arange(20.0)[1::2]  # misaligned and strided: the copy paths
    out.append(sliced)
    readonly = np.arange(6, dtype=np.int32)
    readonly.flags.writeable = False
    out.append(readonly)
    return out


def _sources(names: list[str]) -> dict[str, list[Any]]:
    variants = _variants()
    return {name: [ub.asarray(v, backend=name, copy=True) for v in variants] for name in names}


def _measure(proc: psutil.Process) -> dict[str, float]:
    gc.collect()
    return {
        "rss_mb": proc.memory_info().rss / 2**20,
        "fds": proc.num_fds() if hasattr(proc, "num_fds") else -1,
        "threads": proc.num_threads(),
    }


def run(conversions: int, names: list[str] | None = None, samples: int = 10) -> dict[str, Any]:
    """Run the soak and return its figures (see the module docstring)."""
    proc = psutil.Process()
    names = names or [b.name for b in ub.backends() if b.available]
    sources = _sources(names)
    pairs = list(itertools.product(names, names))
    n_variants = len(next(iter(sources.values())))
    plan = [(s, t, v) for s, t in pairs for v in range(n_variants)]

    def one(k: int) -> None:
        s, t, v = plan[k % len(plan)]
        src = sources[s][v]
        copy = (None, True, None, False)[(k // len(plan)) % 4]
        try:
            out = ub.asarray(src, backend=t, copy=copy)
        except ub.CopyRequiredError:
            out = ub.asarray(src, backend=t)
        if k % 7 == 0:
            ub.shares_memory(src, out)
            ub.to_numpy(out)
        if k % 11 == 0:
            ub.zeros_like(out)

    for k in range(len(plan) * 8):  # warm-up: every pair, variant and copy mode twice
        one(k)
    start = _measure(proc)
    series = [round(start["rss_mb"], 1)]
    step = max(1, conversions // samples)
    began = time.perf_counter()
    for k in range(conversions):
        one(k)
        if (k + 1) % step == 0:
            series.append(round(proc.memory_info().rss / 2**20, 1))
    seconds = time.perf_counter() - began
    end = _measure(proc)
    return {
        "conversions": conversions,
        "backends": names,
        "pairs": len(pairs),
        "seconds": round(seconds, 1),
        "us_per_conversion": round(seconds / max(conversions, 1) * 1e6, 1),
        "rss_start_mb": round(start["rss_mb"], 1),
        "rss_end_mb": round(end["rss_mb"], 1),
        "rss_growth_mb": round(end["rss_mb"] - start["rss_mb"], 1),
        "rss_series_mb": series,
        "fds_before": start["fds"],
        "fds_after": end["fds"],
        "threads_before": start["threads"],
        "threads_after": end["threads"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="unibridge soak: many small conversions, leak report")
    parser.add_argument("--conversions", type=int, default=1_000_000)
    parser.add_argument("--backends", default="", help="comma-separated (default: every available backend)")
    parser.add_argument("--max-rss-growth-mb", type=float, default=64.0)
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    args = parser.parse_args(argv)
    names = [n for n in args.backends.split(",") if n] or None
    report = run(args.conversions, names)
    leaks = []
    if report["rss_growth_mb"] > args.max_rss_growth_mb:
        leaks.append(f"RSS grew {report['rss_growth_mb']} MB (limit {args.max_rss_growth_mb})")
    if report["fds_after"] > report["fds_before"]:
        leaks.append(f"file descriptors {report['fds_before']} -> {report['fds_after']}")
    if report["threads_after"] > report["threads_before"]:
        leaks.append(f"threads {report['threads_before']} -> {report['threads_after']}")
    report["leaks"] = leaks
    if args.json:
        print(json.dumps(report), flush=True)
    else:
        for key, value in report.items():
            print(f"{key:>20}: {value}")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
