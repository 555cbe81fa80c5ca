"""Checkpoints: ``unibridge.save`` / ``load`` against the ``safetensors`` package, same arrays, same run.

* save: a 256 MiB tree (16 float32 arrays of 16 MiB) with ``ub.save`` (which also fsyncs
  and renames: the atomic write) against ``safetensors.numpy.save_file``; target: at
  least 80% of its speed, i.e. at most 1.25x its time;
* load and read: ``ub.load`` onto NumPy, then every array summed once, against
  ``safetensors.numpy.load_file`` and the same sums (``ub.load`` maps the file lazily, so
  timing the call alone would flatter it; the sums make both read every byte); also at
  most 1.25x. The bare calls are timed too and reported;
* lazy: ``ub.load`` of a 1 GiB file onto NumPy and onto torch against the same call on a
  1 MiB file with the same number of tensors; target: at most 2x (nothing is read until used).

The files live in a temporary directory, deleted at the end. Quick runs (``--quick``)
shrink every size to the run's largest size, so they decide nothing.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

from ..frameworks import backend_ready, framework
from ..harness import Case, Timing, compare
from ..model import Result, Skip
from ..settings import Settings, format_size
from ._common import add_case

GROUP = "checkpoint"
SPEED_LIMIT = 1 / 0.8
LAZY_LIMIT = 2.0
TREE_BYTES = 256 << 20
LAZY_BIG, LAZY_SMALL = 1 << 30, 1 << 20
ARRAYS = 16


def key(name: str, who: str) -> str:
    return f"{GROUP}.{name}.{who}"


TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("ub.save(256 MiB tree) >= 80% of the speed of safetensors save_file (numpy)",
     key("save", "unibridge"), key("save", "safetensors"), SPEED_LIMIT),
    ("ub.load(256 MiB) + reading every array >= 80% of the speed of safetensors load_file + the same",
     key("load+read", "unibridge"), key("load+read", "safetensors"), SPEED_LIMIT),
    *((f"ub.load of a 1 GiB file onto {b} <= {LAZY_LIMIT:g}x the 1 MiB file (memory-mapped, lazy)",
       key(f"lazy-{b}", "1GiB"), key(f"lazy-{b}", "1MiB"), LAZY_LIMIT) for b in ("numpy", "torch")),
)


def _tree(total: int) -> dict[str, np.ndarray[Any, Any]]:
    per = max(1, total // ARRAYS // 4)
    rng = np.random.default_rng(0)
    return {f"layers/{i}/W": rng.random(per, dtype=np.float32) for i in range(ARRAYS)}


def _read_all(tree: dict[str, Any]) -> float:
    return sum(float(np.add.reduce(v, axis=None)) for v in tree.values())


def _speed_cases(folder: str, total: int, cases: list[Case], skips: list[Skip]) -> None:
    import unibridge as ub
    from safetensors.numpy import load_file, save_file

    tree = _tree(total)
    ours, theirs = os.path.join(folder, "ours.safetensors"), os.path.join(folder, "theirs.safetensors")
    size = f" ({format_size(total)})"
    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "save": (lambda: ub.save(tree, ours), lambda: save_file(tree, theirs)),
        "load+read": (lambda: _read_all(ub.load(ours, backend="numpy")), lambda: _read_all(load_file(theirs))),
        "load": (lambda: ub.load(ours, backend="numpy"), lambda: load_file(theirs)),
    }
    for name, (mine, native) in pairs.items():
        if add_case(cases, skips, GROUP, Case(key(name, "safetensors"), f"safetensors {name}{size}", native,
                                              kind="native", size_bytes=total)):
            add_case(cases, skips, GROUP, Case(key(name, "unibridge"), f"unibridge {name}{size}", mine,
                                               refs=(key(name, "safetensors"),), kind="unibridge", size_bytes=total))


def _lazy_cases(folder: str, big: int, small: int, cases: list[Case], skips: list[Skip]) -> None:
    import unibridge as ub

    paths = {}
    for label, total in (("1GiB", big), ("1MiB", small)):
        paths[label] = os.path.join(folder, f"lazy-{label}.safetensors")
        ub.save(_tree(total), paths[label])
        gc.collect()
    for backend in ("numpy", "torch"):
        ok, why = backend_ready(backend)
        if not ok:
            skips.append(Skip(GROUP, f"lazy-{backend}", why))
            continue
        small_key = key(f"lazy-{backend}", "1MiB")
        if add_case(cases, skips, GROUP, Case(small_key, f"ub.load({format_size(small)} file) onto {backend}",
                                              lambda b=backend: ub.load(paths["1MiB"], backend=b),
                                              kind="unibridge", size_bytes=small)):
            add_case(cases, skips, GROUP, Case(key(f"lazy-{backend}", "1GiB"),
                                               f"ub.load({format_size(big)} file) onto {backend}",
                                               lambda b=backend: ub.load(paths["1GiB"], backend=b),
                                               refs=(small_key,), kind="unibridge", size_bytes=big))


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    st, why = framework("safetensors")
    if st is None:
        return [], [Skip(GROUP, "all", f"the safetensors package is needed for the reference: {why}")]
    limit = max(s.sizes) if s.quick else None
    total = min(TREE_BYTES, limit) if limit else TREE_BYTES
    big = min(LAZY_BIG, 4 * limit) if limit else LAZY_BIG
    small = min(LAZY_SMALL, max(limit // 64, 4 << 10)) if limit else LAZY_SMALL
    folder = tempfile.mkdtemp(prefix="unibridge-bench-checkpoint-")
    results: list[Result] = []
    skips: list[Skip] = []
    try:
        cases: list[Case] = []
        _speed_cases(folder, total, cases, skips)
        s.say(f"[{GROUP}] timing save/load of {format_size(total)}: {len(cases)} cases x {s.scaling_timing.trials} trials")
        results += compare(GROUP, cases, s.scaling_timing)
        cases = []
        _lazy_cases(folder, big, small, cases, skips)
        s.say(f"[{GROUP}] timing lazy loads ({format_size(big)} vs {format_size(small)}): {len(cases)} cases")
        # Sub-millisecond calls on a shared machine: three times the trials, so the median holds.
        results += compare(GROUP, cases, Timing(s.timing.loop_s, 3 * s.timing.trials))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results, skips
