"""Run settings shared by every group, built from the command line by :mod:`.cli`."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from .harness import Timing

__all__ = ["Settings", "DEFAULT_SIZES", "QUICK_MAX_SIZE", "parse_size", "format_size", "log"]

KiB, MiB = 1 << 10, 1 << 20
# 1 KiB to 256 MiB in steps of 16x, ending at the 256 MiB the targets are stated for.
DEFAULT_SIZES = (1 * KiB, 16 * KiB, 256 * KiB, 4 * MiB, 64 * MiB, 256 * MiB)
QUICK_MAX_SIZE = 64 * KiB

_UNITS = {"": 1, "b": 1, "k": KiB, "kb": KiB, "kib": KiB, "m": MiB, "mb": MiB, "mib": MiB,
          "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


def parse_size(text: str) -> int:
    """Bytes from ``"256MiB"``, ``"64k"``, ``"1M"`` or ``"4096"`` (binary units).

    Example:
        >>> parse_size("256MiB"), parse_size("64k"), parse_size("4096")
        (268435456, 65536, 4096)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r}; use e.g. 4096, 64KiB, 16MiB, 256MiB")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_size(n: int) -> str:
    """``"256 MiB"``, ``"1 KiB"``, ``"512 B"``.

    Example:
        >>> format_size(268435456), format_size(1536)
        ('256 MiB', '1.5 KiB')
    """
    for unit, scale in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", KiB)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} B"


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries only the tables."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Settings:
    """What one run measures and how long it times each case."""

    quick: bool = False
    timing: Timing = Timing()  # per-call groups (overhead, introspection, peers)
    scaling_timing: Timing = Timing(trials=5)
    sizes: tuple[int, ...] = DEFAULT_SIZES
    import_trials: int = 7  # fresh processes per light import case (numpy, unibridge)
    framework_import_trials: int = 3  # per torch / tensorflow import case (seconds each)
    warmup_processes: bool = True
    heavy_processes: bool = True  # fresh processes that import torch / TensorFlow / Keras (seconds each)
    say: Callable[[str], None] = field(default=log, compare=False)

    @classmethod
    def make(cls, *, quick: bool, max_size: int | None, trials: int | None = None, heavy: bool = True) -> Settings:
        limit = max_size if max_size is not None else (QUICK_MAX_SIZE if quick else None)
        sizes = tuple(s for s in DEFAULT_SIZES if limit is None or s <= limit)
        if limit is not None and limit not in sizes:
            sizes = tuple(sorted({*sizes, limit}))
        if quick:
            t = trials or 2
            return cls(quick=True, timing=Timing(0.002, t), scaling_timing=Timing(0.002, t),
                       sizes=sizes, import_trials=1, framework_import_trials=1, warmup_processes=False,
                       heavy_processes=heavy)
        return cls(timing=Timing(0.020, trials or 7), scaling_timing=Timing(0.020, trials or 5),
                   sizes=sizes, import_trials=trials or 7, framework_import_trials=min(trials or 3, 3),
                   heavy_processes=heavy)
