"""``unibridge bench``: run the benchmark suite of a source checkout.

The suite (``benchmarks/`` next to the ``unibridge`` package) ships with the
source tree, not with the installed wheel; it is looked up there and nowhere
else, so an unrelated ``benchmarks`` package in the working directory is never
run by mistake.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["find_suite", "run_bench", "NOT_FOUND"]

NOT_FOUND = (
    "the benchmark suite ships with the source tree, not the installed package; "
    "run it from a checkout: make bench"
)


def find_suite() -> Callable[[list[str]], Any] | None:
    """``benchmarks.run`` from the checkout this unibridge was imported from, or None.

    Example:
        >>> from unibridge.cli.bench import find_suite
        >>> find_suite() is None or callable(find_suite())
        True
    """
    root = Path(__file__).resolve().parents[2]
    if not (root / "benchmarks").is_dir() or not (root / "pyproject.toml").is_file():
        return None
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module("benchmarks")
    origin = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), "")
    if not str(origin).startswith(str(root)):
        return None  # another project's 'benchmarks' was imported first
    run = getattr(module, "run", None)
    return run if callable(run) else None


def run_bench(argv: Sequence[str]) -> int | None:
    """Run the suite with ``argv``; None when it is not here. Returns its exit code.

    Example:
        >>> from unibridge.cli.bench import run_bench  # doctest: +SKIP
        >>> run_bench(["--quick"])                      # doctest: +SKIP
        0
    """
    run = find_suite()
    if run is None:
        return None
    code = run(list(argv))
    return int(code) if isinstance(code, int) else 0
