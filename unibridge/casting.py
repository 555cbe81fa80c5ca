"""The casting policy, as data: when a dtype may change, and what that may do to values.

Every dtype change unibridge makes goes through :func:`cast`. What it may do to the
values depends on three things, and :data:`POLICY` holds the answer for each
combination:

* the **origin** of the data: ``"array"`` (it has a dtype of its own: any
  framework's array, a NumPy scalar) or ``"python"`` (Python numbers and nested
  lists, whose int64 or float64 is only NumPy's inference, so they may take any
  dtype that holds their values);
* the **casting mode**: ``no``, ``equiv``, ``safe``, ``same_kind``, ``unsafe``;
* how the two dtypes **relate** (:func:`relation`): ``same``; ``safe`` (every
  value of the source type is held exactly: int32 -> float64, float16 ->
  float32); ``narrowing`` (the same kind or a higher one, but not every value
  fits: int64 -> int32, float64 -> float32, int64 -> float64); ``crossing``
  (down the kind ladder: float -> int, complex -> float, signed -> unsigned, to bool).

The answer is one of four :class:`Values` rules:

* ``KEEP``: cast; no value can change (or, under ``unsafe``, the caller allowed it);
* ``FIT``: cast, rounding to the nearest representable value as the mode allows
  (``float64 -> float32``), but a value that does not fit raises
  :class:`~unibridge.LossyCastError`: an integer out of range (it would wrap), a
  finite float beyond the target's range (it would become infinite);
* ``EXACT``: every value must be held exactly, rounding included;
* ``REFUSE``: the mode forbids this dtype change, whatever the values.

The checks are right by construction: integer ranges are compared as Python
integers; results are compared with the source in a type that holds both
exactly (float64, complex128, or Python's exact int/float comparison), never by
a round trip through the target type (int64 -> uint64 -> int64 is bit-exact but
turns -1 into 18446744073709551615).

Example:
    >>> import numpy as np
    >>> from unibridge.casting import cast, rule
    >>> rule("python", "int64", "uint64", "same_kind"), rule("array", "int64", "uint64", "same_kind")
    (<Values.EXACT: 'every value must be held exactly'>, <Values.REFUSE: 'the casting mode forbids this dtype change'>)
    >>> cast(np.array([1, 2]), "uint8", "same_kind", origin="python").tolist()
    [1, 2]
"""

from __future__ import annotations

import enum
import warnings
from typing import Any, NamedTuple

import numpy as np

from ._memory import aligned_copy
from .dtypes import CASTING_MODES, DType, as_dtype, from_numpy_dtype, numpy_dtype
from .errors import ConfigurationError, LossyCastError

__all__ = ["Values", "POLICY", "ORIGINS", "relation", "rule", "check_cast", "CastPlan", "plan_cast", "run_cast", "cast",
           "holds_exactly"]


class Values(enum.Enum):
    """What a cast may do to values."""

    KEEP = "no value can change, or the caller allowed changes"
    FIT = "values must fit the target's range; rounding is allowed"
    EXACT = "every value must be held exactly"
    REFUSE = "the casting mode forbids this dtype change"


KEEP, FIT, EXACT, REFUSE = Values.KEEP, Values.FIT, Values.EXACT, Values.REFUSE
ORIGINS = ("array", "python")
_RELATIONS = ("same", "safe", "narrowing", "crossing")

# (origin, casting mode) -> the rule for each relation, in the order of _RELATIONS.
POLICY: dict[tuple[str, str], tuple[Values, Values, Values, Values]] = {
    ("array", "no"): (KEEP, REFUSE, REFUSE, REFUSE),
    ("array", "equiv"): (KEEP, REFUSE, REFUSE, REFUSE),
    ("array", "safe"): (KEEP, KEEP, REFUSE, REFUSE),
    ("array", "same_kind"): (KEEP, KEEP, FIT, REFUSE),
    ("array", "unsafe"): (KEEP, KEEP, KEEP, KEEP),
    ("python", "no"): (KEEP, REFUSE, REFUSE, REFUSE),
    ("python", "equiv"): (KEEP, REFUSE, REFUSE, REFUSE),
    ("python", "safe"): (KEEP, KEEP, EXACT, EXACT),
    ("python", "same_kind"): (KEEP, KEEP, FIT, EXACT),
    ("python", "unsafe"): (KEEP, KEEP, KEEP, KEEP),
}

# The kind ladder: a cast down it crosses kinds.
_KIND_RANK = {"bool": 0, "unsigned integer": 1, "signed integer": 2, "real floating": 3, "complex floating": 4}
_INTEGER = ("signed integer", "unsigned integer")
_FLOAT = ("real floating", "complex floating")


def _holds_every_value(src: DType, dst: DType) -> bool:
    """True when every value of ``src`` is exactly a value of ``dst`` (the real meaning of "safe").

    Decided from the dtype table's bits, significand and exponent range, not from
    NumPy's ``can_cast``, which calls int64 -> float64 safe although 2**53 + 1 rounds.
    """
    if src == dst or src.kind == "bool":
        return True
    if dst.kind == "bool":
        return False
    if src.kind in _INTEGER:
        magnitude = src.bits - (src.kind == "signed integer")
        if dst.kind in _INTEGER:
            if src.kind == "signed integer" and dst.kind == "unsigned integer":
                return False  # negative values
            return dst.bits - (dst.kind == "signed integer") >= magnitude
        return magnitude <= dst.mantissa  # every integer up to 2**magnitude has a float value
    if dst.kind in _INTEGER:
        return False  # fractions, infinities, NaN
    if src.kind == "complex floating" and dst.kind == "real floating":
        return False  # the imaginary part
    return dst.mantissa >= src.mantissa and dst.emax >= src.emax


def relation(src: Any, dst: Any) -> str:
    """How ``dst`` relates to ``src``: ``same``, ``safe``, ``narrowing`` or ``crossing``.

    Example:
        >>> relation("int32", "float64"), relation("int64", "float64"), relation("float64", "int8")
        ('safe', 'narrowing', 'crossing')
    """
    if type(src) is not DType or type(dst) is not DType:  # resolved once by callers that hold DTypes
        src, dst = as_dtype(src), as_dtype(dst)
    if src == dst:
        return "same"
    if _holds_every_value(src, dst):
        return "safe"
    return "narrowing" if _KIND_RANK[src.kind] <= _KIND_RANK[dst.kind] else "crossing"


def rule(origin: str, src: Any, dst: Any, casting: str) -> Values:
    """The policy's answer for one cast: ``POLICY[origin, casting]`` at ``relation(src, dst)``.

    Example:
        >>> rule("array", "float64", "float32", "same_kind").name
        'FIT'
    """
    try:
        row = POLICY[origin, casting]
    except (KeyError, TypeError):
        if casting not in CASTING_MODES:
            raise ConfigurationError(
                f"casting={casting!r} is not a casting mode; use one of: {', '.join(CASTING_MODES)}"
            ) from None
        raise ValueError(f"origin {origin!r} is not one of {ORIGINS}") from None
    return row[_RELATIONS.index(relation(src, dst))]


def check_cast(src: DType, dst: DType, casting: str, origin: str = "array") -> Values:
    """The rule for ``src -> dst``, raising :class:`LossyCastError` when it is ``REFUSE``.

    Example:
        >>> from unibridge.dtypes import int64, int32
        >>> check_cast(int64, int32, "same_kind").name
        'FIT'
    """
    found = rule(origin, src, dst, casting)
    if found is REFUSE:
        raise LossyCastError(_refusal(src, dst, casting, origin))
    return found


def _refusal(src: DType, dst: DType, casting: str, origin: str) -> str:
    if casting in ("no", "equiv"):
        return (
            f"casting={casting!r} allows no dtype change, but {src} -> {dst} was asked for; "
            f"pass casting='safe', 'same_kind' or 'unsafe'"
        )
    if casting == "safe":
        return (
            f"{src} -> {dst} is not a safe cast (some {src} values have no exact {dst} value); "
            f"pass casting='same_kind' (checked: values must fit) or 'unsafe' to allow it"
        )
    return (
        f"{src} -> {dst} crosses kinds ({src.kind} to {dst.kind}) and would change values; "
        f"pass casting='unsafe' to allow it"
    )


class CastPlan(NamedTuple):
    """One cast, resolved once: the dtypes on both sides, NumPy's target dtype, and what the policy
    requires of the values (``EXACT``, ``FIT`` or ``ANY``)."""

    src: DType
    dst: DType
    target: np.dtype[Any]
    values: Values


def plan_cast(src: DType, dst: Any, casting: str, origin: str = "array") -> CastPlan:
    """Resolve a cast once: raises :class:`LossyCastError` when the policy refuses it.

    Example:
        >>> from unibridge.dtypes import float64
        >>> plan_cast(float64, "float32", "same_kind").values.name
        'FIT'
    """
    dst = dst if type(dst) is DType else as_dtype(dst)
    return CastPlan(src, dst, dst.numpy, check_cast(src, dst, casting, origin))


def cast(
    a: np.ndarray[Any, Any], dst: Any, casting: str, *, origin: str = "array", src: DType | None = None
) -> np.ndarray[Any, Any]:
    """``a`` as ``dst`` under the policy: fresh, 64-byte-aligned memory, or LossyCastError.

    The cast is planned once (:func:`plan_cast`) and carried out (:func:`run_cast`);
    ``src``, when the caller knows it, is ``a``'s dtype already resolved.

    Example:
        >>> import numpy as np
        >>> cast(np.array([1.0, 2.0]), "float32", "same_kind").dtype
        dtype('float32')
        >>> try:
        ...     cast(np.array([-1]), "uint64", "same_kind", origin="python")
        ... except LossyCastError as exc:
        ...     print(str(exc)[:35])
        the value -1 does not fit uint64 (r
    """
    have = from_numpy_dtype(a.dtype) if src is None else src
    return run_cast(a, plan_cast(have, dst, casting, origin), origin)


def run_cast(a: np.ndarray[Any, Any], plan: CastPlan, origin: str = "array") -> np.ndarray[Any, Any]:
    """Carry out a resolved cast of ``a`` (see :func:`plan_cast`): checked values, aligned memory.

    Example:
        >>> import numpy as np
        >>> from unibridge.dtypes import float64
        >>> run_cast(np.array([0.5]), plan_cast(float64, "float32", "same_kind")).dtype
        dtype('float32')
    """
    src, dst, target, values = plan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # The checks below decide; NumPy's overflow and ComplexWarning noise is not the answer.
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        if values is EXACT:
            _require_integer_range(a, src, dst, origin, target, exact=True)
            out = aligned_copy(a, target)
            bad = _first_inexact(a, out, src, dst)
            if bad is not None:
                raise LossyCastError(
                    f"the values do not all fit {dst} exactly ({_described(src, origin)} data -> {dst}): "
                    f"{bad} has no {dst} value; pass casting='unsafe' to convert anyway, or choose "
                    f"a dtype that holds them"
                )
            return out
        if values is FIT:
            _require_integer_range(a, src, dst, origin, target, exact=False)
            out = aligned_copy(a, target)
            _require_finite_stays_finite(a, out, src, dst)
            return out
        return aligned_copy(a, target)


def holds_exactly(a: np.ndarray[Any, Any], dst: Any) -> bool:
    """True when every value of ``a`` is exactly a value of ``dst``.

    Example:
        >>> import numpy as np
        >>> holds_exactly(np.array([1.0, 2.0]), "int8"), holds_exactly(np.array([0.1]), "float32")
        (True, False)
    """
    try:
        cast(a, dst, "safe", origin="python")
    except LossyCastError:
        return False
    return True


def _described(src: DType, origin: str) -> str:
    return f"Python {src}" if origin == "python" else str(src)


def _parts(a: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
    """The real parts to check: ``(a,)``, or ``(a.real, a.imag)`` for complex data."""
    return (a.real, a.imag) if a.dtype.kind == "c" else (a,)


def _require_integer_range(
    a: np.ndarray[Any, Any], src: DType, dst: DType, origin: str, target: np.dtype[Any], *, exact: bool
) -> None:
    """Integer targets: every source value within the range (and, if ``exact``, integral and finite)."""
    if dst.kind not in _INTEGER or a.size == 0:
        return
    info = np.iinfo(target)
    lo: float | int
    hi: float | int
    if src.kind in _INTEGER or src.kind == "bool":
        lo, hi = int(a.min()), int(a.max())  # Python ints: exact, whatever the widths
    else:
        if not exact:  # FIT never reaches floats -> ints (that cast crosses kinds)
            return
        parts = _parts(a.astype(np.complex128 if src.kind == "complex floating" else np.float64))
        if len(parts) == 2 and np.any(parts[1] != 0):
            raise LossyCastError(
                f"complex values with a nonzero imaginary part have no {dst} value "
                f"({_described(src, origin)} data -> {dst}); take .real first, or pass casting='unsafe'"
            )
        real = parts[0]
        if not np.all(np.isfinite(real)) or not np.all(np.trunc(real) == real):
            raise LossyCastError(
                f"non-integral, infinite or NaN values have no {dst} value "
                f"({_described(src, origin)} data -> {dst}); round them first, or pass casting='unsafe'"
            )
        lo, hi = float(real.min()), float(real.max())  # compared with Python ints below: exact
    if lo < info.min or hi > info.max:
        shown = lo if lo < info.min else hi
        raise LossyCastError(
            f"the value {_show(shown)} does not fit {dst} (range [{info.min}, {info.max}]): "
            f"{_described(src, origin)} -> {dst} would {'wrap' if src.kind in _INTEGER else 'overflow'}. "
            f"Choose a wider dtype, or pass casting='unsafe' to wrap anyway"
        )


def _show(v: float | int) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else repr(v)


def _require_finite_stays_finite(
    a: np.ndarray[Any, Any], out: np.ndarray[Any, Any], src: DType, dst: DType
) -> None:
    """Float targets: a finite source value must not have become infinite (checked on the result)."""
    if dst.kind not in _FLOAT or out.size == 0:
        return
    for part_in, part_out in zip(_parts(a), _parts(out)):
        became_inf = np.isinf(_as_float64(part_out))
        if src.kind in _FLOAT:
            became_inf &= np.isfinite(_as_float64(part_in))
        if np.any(became_inf):
            first = part_in[became_inf].flat[0]
            biggest = float(first) if src.kind in _FLOAT else int(first)
            raise LossyCastError(
                f"the finite value {biggest!r} overflows {dst} and would become infinite; "
                f"choose a wider dtype, or pass casting='unsafe' to allow it"
            )


def _as_float64(part: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A real float part in float64: exact for every float type (bfloat16 and float16 included)."""
    return part if part.dtype == np.float64 else part.astype(np.float64)


def _first_inexact(
    a: np.ndarray[Any, Any], out: np.ndarray[Any, Any], src: DType, dst: DType
) -> object | None:
    """The first value of ``a`` that ``out`` does not hold exactly, or None when all are held."""
    if a.size == 0 or src == dst:
        return None
    if dst.kind in _INTEGER:
        return None  # integral, finite, real and in range: checked before the cast
    if dst.kind == "bool":
        # Back to the source type is exact (0 and 1 exist in every type): only 0 and 1 survive.
        wrong = ~_equal(out.astype(a.dtype), a, src)
        return a[wrong].flat[0] if np.any(wrong) else None
    if src.kind in _INTEGER:
        # Integers up to 2**mantissa in magnitude are exact floats; larger ones are compared
        # one by one as Python int and float, which Python compares exactly.
        limit = 2**dst.mantissa  # compared as integers (NumPy compares with any Python int exactly)
        big = (a > limit) | (a < -limit)
        for value, got in zip(a[big].tolist(), _parts(out[big])[0].astype(np.float64).tolist()):
            if got != value:
                return value  # type: ignore[no-any-return]
        return None
    # Floats and complex: compare in the widest type, which holds both sides exactly.
    wrong = ~_equal(_widest(out), _widest(a), src)
    return a[wrong].flat[0] if np.any(wrong) else None


def _widest(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    widest: np.ndarray[Any, Any] = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    return widest


def _equal(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], src: DType) -> np.ndarray[Any, Any]:
    """Element-wise exact equality, NaN equal to NaN (a NaN stays a NaN in every float type).

    Complex values are compared part by part: a NaN real part says nothing about the imaginary
    part (``nan - infj`` is not held by a float16 ``nan``).
    """
    if x.dtype.kind == "c" or y.dtype.kind == "c":
        x, y = x.astype(np.complex128), y.astype(np.complex128)
        both: np.ndarray[Any, Any] = _equal(x.real, y.real, src) & _equal(x.imag, y.imag, src)
        return both
    same: np.ndarray[Any, Any] = np.asarray(x == y)
    if src.kind in _FLOAT:
        same |= np.isnan(x) & np.isnan(y)
    shaped: np.ndarray[Any, Any] = same.reshape(x.shape)
    return shaped
