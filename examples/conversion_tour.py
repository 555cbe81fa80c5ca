"""The conversion tour: one NumPy batch to every available backend and back.

For each step it shows the dtype and device of the result, whether the result
shares memory with the original batch (zero-copy) or is a copy, whether the
values are bit-identical, and how long the step took (best of a few runs).

    python examples/conversion_tour.py            # a table
    python examples/conversion_tour.py --json     # the same, machine-readable

Like every example it imports no framework: the batch is made with unibridge's
NumPy namespace, and each backend is named by configuration only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import unibridge as ub


def make_batch(rows: int = 256, cols: int = 128) -> Any:
    """A float64 NumPy batch, 64-byte aligned (unibridge's copies are), so frameworks can share it.

    Example:
        >>> b = make_batch(2, 3)
        >>> b.shape, ub.dtype_of(b)
        ((2, 3), DType('float64'))
    """
    np_xp = ub.namespace("numpy")
    values = np_xp.reshape(np_xp.arange(rows * cols, dtype=np_xp.float64), (rows, cols)) / 3.0
    return ub.asarray(values, backend="numpy", copy=True)


def _best_time(step: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    result, best = None, float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - start)
    return result, best


def _same_values(a: Any, b: Any) -> bool:
    x, y = ub.to_numpy(a), ub.to_numpy(b)
    return bool(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes())


def tour_backend(name: str, batch: Any, *, repeats: int = 5) -> list[dict[str, Any]]:
    """The tour's steps for one backend: one JSON-ready row per step.

    Example:
        >>> rows = tour_backend("numpy", make_batch(2, 2))
        >>> [r["step"] for r in rows][:2], rows[0]["shares_memory"]
        (['numpy -> numpy', 'numpy -> numpy (to_numpy)'], True)
    """
    ub.asarray(batch[:1], backend=name)  # warm-up: the framework loads on first use
    reversed_view = batch[::-1]
    steps: list[tuple[str, Callable[[], Any], Any]] = [
        (f"numpy -> {name}", lambda: ub.asarray(batch, backend=name), batch),
    ]
    tensor = ub.asarray(batch, backend=name)
    steps.append((f"{name} -> numpy (to_numpy)", lambda: ub.to_numpy(tensor), batch))
    steps.append((f"numpy[::-1] -> {name}", lambda: ub.asarray(reversed_view, backend=name), reversed_view))
    steps.append((f"numpy -> {name} copy=True", lambda: ub.asarray(batch, backend=name, copy=True), batch))
    gpus = [d for d in ub.get_backend(name).devices() if d.kind == "gpu"]
    if gpus:
        on_gpu = ub.to_device(tensor, gpus[0])
        steps.append((f"{name} cpu -> {gpus[0]}", lambda: ub.to_device(tensor, gpus[0]), batch))
        steps.append((f"{name} {gpus[0]} -> numpy (to_numpy)", lambda: ub.to_numpy(on_gpu), batch))
    rows = []
    for label, step, expected in steps:
        result, seconds = _best_time(step, repeats)
        rows.append(
            {
                "backend": name,
                "step": label,
                "dtype": str(ub.dtype_of(result)),
                "device": str(ub.device_of(result)),
                "shares_memory": ub.shares_memory(batch, result),
                "exact": _same_values(result, expected),
                "seconds": seconds,
            }
        )
    return rows


def tour(names: Sequence[str] | None = None, *, rows: int = 256, cols: int = 128) -> list[dict[str, Any]]:
    """Run the tour on ``names`` (default: every available backend but NumPy, the source).

    Example:
        >>> steps = tour(["numpy"], rows=4, cols=4)  # NumPy to NumPy: the trivial case
        >>> all(s["exact"] for s in steps)
        True
    """
    if names is None:
        names = [b.name for b in ub.backends() if b.available and b.name != "numpy"]
    batch = make_batch(rows, cols)
    return [row for name in names for row in tour_backend(name, batch)]


def render(steps: list[dict[str, Any]], batch_shape: tuple[int, int]) -> str:
    """The tour as a text table."""
    rows, cols = batch_shape
    header = ["backend", "step", "dtype", "device", "shares memory", "bit-exact", "time"]
    cells = [
        [
            s["backend"],
            s["step"],
            s["dtype"],
            s["device"],
            "yes (zero-copy)" if s["shares_memory"] else "no (copied)",
            "yes" if s["exact"] else "NO",
            f"{s['seconds'] * 1e6:.1f} us",
        ]
        for s in steps
    ]
    widths = [max(len(str(r[i])) for r in [header, *cells]) for i in range(len(header))]
    lines = [
        f"Conversion tour: a NumPy float64 batch of shape ({rows}, {cols}), "
        f"{rows * cols * 8 // 1024} KiB; times are the best of 5",
        "  ".join(h.ljust(w) for h, w in zip(header, widths)),
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the tour as a table, or ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", help="only this backend (repeatable)")
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--cols", type=int, default=128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        steps = tour(args.backend, rows=args.rows, cols=args.cols)
    except ub.UnibridgeError as exc:
        print(f"conversion_tour: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(steps, indent=2) if args.json else render(steps, (args.rows, args.cols)))
    return 0 if all(s["exact"] for s in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
