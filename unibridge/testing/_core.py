"""Shared machinery of the conformance kit: the check registry, the context a
check runs in, and the helpers that compare arrays bit for bit and test
memory sharing by mutation.

A *check* is a function ``check(ctx) -> None``. It raises :class:`CheckFailed`
(an ``AssertionError``) listing every violation it found, or
:class:`CheckSkipped` when it does not apply. Checks register themselves with
:func:`check`; the order of registration is the order they run in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import api
from .._memory import ALIGNMENT, aligned_copy, aligned_empty
from ..devices import CPU
from ..dtypes import DType, all_dtypes, numpy_dtype
from ..errors import LossyCastError, UnsupportedInputError
from ..protocol import Backend

__all__ = [
    "CheckFailed",
    "CheckSkipped",
    "Check",
    "Context",
    "CHECKS",
    "check",
    "sample_values",
    "same_bits",
    "misaligned_copy",
]

#: Dtypes every backend must support: without them unibridge's defaults
#: (float64 creation, int64 Python ints) cannot work.
REQUIRED_DTYPES: tuple[str, ...] = ("bool", "int32", "int64", "float32", "float64")


class CheckFailed(AssertionError):
    """A conformance check found at least one violation (the message lists them)."""


class CheckSkipped(Exception):
    """A conformance check does not apply here (the message says why)."""


@dataclass(frozen=True)
class Check:
    """A registered conformance check."""

    name: str
    func: Callable[[Context], None]
    quick: bool
    doc: str


CHECKS: dict[str, Check] = {}


def check(name: str, *, quick: bool = True) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    """Register a conformance check; ``quick=False`` leaves it out of quick mode.

    Example:
        >>> from unibridge.testing._core import CHECKS
        >>> "dtype_exactness" in CHECKS
        True
    """

    def register(func: Callable[[Context], None]) -> Callable[[Context], None]:
        doc = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else name
        CHECKS[name] = Check(name, func, quick, doc)
        return func

    return register


@dataclass
class Context:
    """What a check sees: the backend under test, the mode, and a failure list.

    ``others`` are the names of the other backends to convert to and from
    (every other available backend, unless restricted).
    """

    name: str
    backend: Backend
    quick: bool = False
    others: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    _supported: tuple[DType, ...] | None = None

    # -- recording --------------------------------------------------------
    def expect(self, condition: bool, message: str) -> bool:
        """Record ``message`` as a violation when ``condition`` is false."""
        if not condition:
            self.problems.append(message)
        return bool(condition)

    @contextmanager
    def case(self, label: str) -> Iterator[None]:
        """Run a sub-case; an unexpected exception becomes one recorded violation."""
        try:
            yield
        except (CheckSkipped, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - reported as a failure of this case
            self.problems.append(f"{label}: unexpected {type(exc).__name__}: {exc}")

    def expect_raises(self, kinds: type[BaseException] | tuple[type[BaseException], ...],
                      label: str, func: Callable[[], Any]) -> BaseException | None:
        """Call ``func``; record a violation unless it raises one of ``kinds``."""
        try:
            result = func()
        except kinds as exc:
            return exc
        except Exception as exc:  # noqa: BLE001
            names = kinds.__name__ if isinstance(kinds, type) else "/".join(k.__name__ for k in kinds)
            self.problems.append(f"{label}: expected {names}, got {type(exc).__name__}: {exc}")
            return None
        names = kinds.__name__ if isinstance(kinds, type) else "/".join(k.__name__ for k in kinds)
        self.problems.append(f"{label}: expected {names}, but it returned {_describe(result)}")
        return None

    def finish(self) -> None:
        """Raise :class:`CheckFailed` when any violation was recorded."""
        if self.problems:
            problems, self.problems = self.problems, []
            shown = problems[:25]
            more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
            raise CheckFailed(f"{len(problems)} violation(s):\n  - " + "\n  - ".join(shown) + more)

    # -- facts about the backend ---------------------------------------------
    def supported_dtypes(self) -> tuple[DType, ...]:
        """The dtypes ``zeros`` accepts on the CPU (probed once)."""
        if self._supported is None:
            found = []
            for dt in all_dtypes():
                try:
                    numpy_dtype(dt)
                except UnsupportedInputError:
                    continue  # bfloat16 without ml_dtypes: untestable here
                try:
                    self.backend.zeros((1,), dtype=dt, device=CPU)
                except (UnsupportedInputError, LossyCastError):
                    continue
                found.append(dt)
            self._supported = tuple(found)
        return self._supported

    def to_host(self, x: Any) -> np.ndarray[Any, Any]:
        """An independent NumPy copy of one of the backend's arrays."""
        return np.asarray(self.backend.to_numpy(x, copy=True))


def _describe(x: Any) -> str:
    try:
        return f"{type(x).__module__}.{type(x).__name__} (dtype {api.dtype_of(x)})"
    except Exception:  # noqa: BLE001
        return f"{type(x).__module__}.{type(x).__name__}"


def sample_values(dt: DType) -> np.ndarray[Any, Any]:
    """Values of ``dt`` that expose silent narrowing: extremes, 2**40+1, 1+2**-40, nan, -0.0.

    Example:
        >>> from unibridge.dtypes import int64
        >>> int(sample_values(int64)[-1]) == 2**40 + 1
        True
    """
    npdt = numpy_dtype(dt)
    if dt.kind == "bool":
        vals: Any = [True, False, True, True]
    elif dt.kind in ("signed integer", "unsigned integer"):
        info = np.iinfo(npdt)
        vals = [0, 1, int(info.max), int(info.min), int(info.max) - 1]
        if dt.kind == "signed integer":
            vals.append(-1)
        if dt.bits == 64:
            vals.append(2**40 + 1 if dt.kind == "signed integer" else 2**63 + 1)
        a = np.array(vals, dtype=object).astype(npdt)
        return aligned_copy(a)
    elif dt.kind == "real floating":
        info = _finfo(npdt)
        eps = float(info.eps)
        vals = [0.0, -0.0, 1.5, 1.0 + eps, float(info.max), float(info.tiny), np.inf, -np.inf, np.nan]
    else:  # complex
        part = _finfo(npdt).eps
        vals = [0j, 1 + 2j, complex(1 + part, -0.0), complex(np.inf, np.nan)]
    return aligned_copy(np.array(vals).astype(npdt))


def _finfo(npdt: np.dtype[Any]) -> Any:
    if npdt.name == "bfloat16":
        import ml_dtypes  # present: numpy_dtype(bfloat16) succeeded

        return ml_dtypes.finfo(npdt)  # type: ignore[no-untyped-call]
    return np.finfo(npdt)


def same_bits(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> bool:
    """True when two NumPy arrays have the same shape, dtype and bytes (nan-safe)."""
    if a.shape != b.shape:
        return False
    if a.dtype.newbyteorder("=") != b.dtype.newbyteorder("="):
        return False
    native = a.dtype.newbyteorder("=")
    return np.ascontiguousarray(a, dtype=native).tobytes() == np.ascontiguousarray(b, dtype=native).tobytes()


def misaligned_copy(a: np.ndarray[Any, Any], offset: int = 16) -> np.ndarray[Any, Any]:
    """A writable C-order copy whose data pointer is ``offset`` bytes past a 64-byte boundary."""
    raw = aligned_empty((a.nbytes + ALIGNMENT,), np.dtype(np.uint8))
    out: np.ndarray[Any, Any] = raw[offset : offset + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def mutate(a: np.ndarray[Any, Any]) -> None:
    """Change every element of ``a`` in place."""
    if a.dtype == np.bool_:
        np.logical_not(a, out=a)
    elif a.dtype.kind in "iu":
        a[...] = a ^ np.array(1, dtype=a.dtype)  # flips the low bit of every element
    else:
        a[...] = 7
