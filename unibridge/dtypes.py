"""Framework-neutral dtypes and the casting policy.

A :class:`DType` *is* its canonical Array API name (it subclasses ``str``), so
``dtype_of(x) == "float64"`` holds, ``str(dt)`` is the name, and it hashes like
the name. Every fact about a dtype lives in one table, :data:`_TABLE`; each
backend maps these names to its own dtype objects.

Casting follows NumPy's modes (``no``, ``equiv``, ``safe``, ``same_kind``,
``unsafe``). On top of NumPy, a *narrowing* cast that the mode allows is checked
against the values: ``[1, 2**40]`` to int32 raises :class:`LossyCastError`
instead of becoming ``[1, 0]``, and a finite float that would overflow to
``inf`` raises too. Only ``casting="unsafe"`` lets values change freely.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from ._memory import aligned_copy
from .errors import ConfigurationError, LossyCastError, UnsupportedInputError

__all__ = [
    "DType",
    "CASTING_MODES",
    "as_dtype",
    "all_dtypes",
    "check_cast",
    "cast_numpy",
    "numpy_dtype",
    "from_numpy_dtype",
    "bool_",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]

CASTING_MODES: tuple[str, ...] = ("no", "equiv", "safe", "same_kind", "unsafe")


class _Facts(NamedTuple):
    kind: str  # Array API kind name, as used by ``isdtype``
    bits: int
    mantissa: int  # significand bits incl. the implicit one (0 for non-floats)
    numpy: str | None  # NumPy spelling; None for bfloat16 (ml_dtypes)


# The one table of dtype facts. Order is the promotion-friendly listing order.
_TABLE: dict[str, _Facts] = {
    "bool": _Facts("bool", 8, 0, "bool"),
    "int8": _Facts("signed integer", 8, 0, "int8"),
    "int16": _Facts("signed integer", 16, 0, "int16"),
    "int32": _Facts("signed integer", 32, 0, "int32"),
    "int64": _Facts("signed integer", 64, 0, "int64"),
    "uint8": _Facts("unsigned integer", 8, 0, "uint8"),
    "uint16": _Facts("unsigned integer", 16, 0, "uint16"),
    "uint32": _Facts("unsigned integer", 32, 0, "uint32"),
    "uint64": _Facts("unsigned integer", 64, 0, "uint64"),
    "float16": _Facts("real floating", 16, 11, "float16"),
    "bfloat16": _Facts("real floating", 16, 8, None),
    "float32": _Facts("real floating", 32, 24, "float32"),
    "float64": _Facts("real floating", 64, 53, "float64"),
    "complex64": _Facts("complex floating", 64, 24, "complex64"),
    "complex128": _Facts("complex floating", 128, 53, "complex128"),
}

# NumPy's ``same_kind`` is a rank rule: a cast may move up this ladder, never down.
_KIND_RANK = {
    "bool": 0,
    "unsigned integer": 1,
    "signed integer": 2,
    "real floating": 3,
    "complex floating": 4,
}


class DType(str):
    """A framework-neutral dtype that compares equal to its canonical name.

    Example:
        >>> from unibridge.dtypes import DType
        >>> DType("float64") == "float64", DType("float64").bits
        (True, 64)
    """

    kind: str
    bits: int
    itemsize: int
    mantissa: int

    def __new__(cls, name: str) -> DType:
        try:
            return _BY_NAME[name]
        except (KeyError, NameError):
            pass
        if name not in _TABLE:
            raise UnsupportedInputError(
                f"unknown dtype name {name!r}; known dtypes: {', '.join(_TABLE)}"
            )
        self = super().__new__(cls, name)
        facts = _TABLE[name]
        self.kind = facts.kind
        self.bits = facts.bits
        self.itemsize = max(1, facts.bits // 8)
        self.mantissa = facts.mantissa
        return self

    def __repr__(self) -> str:
        return f"DType({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (DType, (str(self),))

    @property
    def name(self) -> str:
        """The canonical name, e.g. ``"bfloat16"``."""
        return str(self)

    @property
    def numpy(self) -> np.dtype[Any]:
        """The NumPy dtype (bfloat16 needs the optional ``ml_dtypes`` package)."""
        return numpy_dtype(self)


_BY_NAME: dict[str, DType] = {}
for _name in _TABLE:
    _BY_NAME[_name] = DType(_name)
del _name

bool_ = _BY_NAME["bool"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
float16 = _BY_NAME["float16"]
bfloat16 = _BY_NAME["bfloat16"]
float32 = _BY_NAME["float32"]
float64 = _BY_NAME["float64"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]

_PYTHON_TYPES: dict[type, DType] = {bool: bool_, int: int64, float: float64, complex: complex128}


def all_dtypes() -> tuple[DType, ...]:
    """Every dtype unibridge knows, in table order.

    Example:
        >>> from unibridge.dtypes import all_dtypes
        >>> "bfloat16" in all_dtypes()
        True
    """
    return tuple(_BY_NAME.values())


def _ml_dtypes_bfloat16() -> np.dtype[Any]:
    try:
        import ml_dtypes
    except ImportError as exc:  # pragma: no cover - exercised when ml_dtypes is absent
        raise UnsupportedInputError(
            "bfloat16 needs the ml_dtypes package on the NumPy side: "
            "pip install 'unibridge[ml_dtypes]'"
        ) from exc
    bfloat16: np.dtype[Any] = np.dtype(ml_dtypes.bfloat16)
    return bfloat16


def numpy_dtype(dtype: DType) -> np.dtype[Any]:
    """The NumPy dtype for a canonical dtype.

    Example:
        >>> from unibridge.dtypes import numpy_dtype, float32
        >>> numpy_dtype(float32)
        dtype('float32')
    """
    spelling = _TABLE[dtype].numpy
    if spelling is None:
        return _ml_dtypes_bfloat16()
    return np.dtype(spelling)


@lru_cache(maxsize=256)
def _from_numpy_cached(dt: np.dtype[Any]) -> DType:
    name = dt.name
    if name in _BY_NAME and (dt.kind != "V" or name == "bfloat16"):
        return _BY_NAME[name]
    raise UnsupportedInputError(_unsupported_numpy_message(dt))


def _unsupported_numpy_message(dt: np.dtype[Any]) -> str:
    what = {
        "O": "object",
        "U": "unicode string",
        "S": "byte string",
        "M": "datetime",
        "m": "timedelta",
        "V": "structured/void",
    }.get(dt.kind, "non-numeric")
    return (
        f"dtype {dt} ({what}) has no array-framework equivalent; convert it to a numeric "
        f"dtype first. Supported dtypes: {', '.join(_TABLE)}"
    )


def from_numpy_dtype(dt: np.dtype[Any]) -> DType:
    """The canonical dtype of a NumPy dtype, whatever its byte order.

    Example:
        >>> import numpy as np
        >>> from unibridge.dtypes import from_numpy_dtype
        >>> from_numpy_dtype(np.dtype(">f8"))
        DType('float64')
    """
    return _from_numpy_cached(dt)


def as_dtype(spec: Any) -> DType:
    """Parse a dtype given as a name, a Python type or a NumPy dtype.

    Framework dtype objects (``torch.float64``, ``tf.float64``) belong to
    backends: :func:`unibridge.as_dtype` resolves them too.

    Example:
        >>> from unibridge.dtypes import as_dtype
        >>> as_dtype("float32"), as_dtype(float)
        (DType('float32'), DType('float64'))
    """
    if type(spec) is DType:
        return spec
    if isinstance(spec, str):
        found = _BY_NAME.get(spec)
        if found is not None:
            return found
        try:
            return from_numpy_dtype(np.dtype(spec))
        except (TypeError, ValueError):
            raise UnsupportedInputError(
                f"unknown dtype {spec!r}; use one of: {', '.join(_TABLE)}"
            ) from None
    if isinstance(spec, type) and spec in _PYTHON_TYPES:
        return _PYTHON_TYPES[spec]
    if isinstance(spec, np.dtype):
        return from_numpy_dtype(spec)
    if isinstance(spec, type) and issubclass(spec, np.generic):
        return from_numpy_dtype(np.dtype(spec))
    raise UnsupportedInputError(
        f"cannot interpret {spec!r} (type {type(spec).__name__}) as a dtype; "
        f"use a name such as 'float64', or one of: {', '.join(_TABLE)}"
    )


def _is_safe(src: DType, dst: DType) -> bool:
    if src == dst or src.kind == "bool":
        return True
    if src == "bfloat16" or dst == "bfloat16":
        # bfloat16 is outside NumPy's own table: apply the same exactness rule
        # NumPy uses (every value representable in the target).
        if dst.kind == "bool" or src.kind in ("signed integer", "unsigned integer"):
            # An integer fits exactly when its magnitude bits fit the significand.
            magnitude = src.bits - (src.kind == "signed integer")
            return dst.kind in ("real floating", "complex floating") and magnitude <= dst.mantissa
        if src.kind == "real floating" and dst.kind in ("real floating", "complex floating"):
            return dst.mantissa >= src.mantissa and (dst.bits >= 32 or dst == src)
        return False
    return bool(np.can_cast(numpy_dtype(src), numpy_dtype(dst), "safe"))


@lru_cache(maxsize=1024)
def check_cast(src: DType, dst: DType, casting: str) -> bool:
    """Raise if ``casting`` forbids ``src -> dst``; return True when values must be checked.

    The returned flag marks a *narrowing* cast (one NumPy would call unsafe)
    that ``same_kind`` allows: the caller checks the values and raises
    :class:`LossyCastError` on overflow.

    Example:
        >>> from unibridge.dtypes import check_cast, int64, int32
        >>> check_cast(int64, int32, "same_kind")
        True
    """
    if casting not in CASTING_MODES:
        raise ConfigurationError(
            f"casting={casting!r} is not a casting mode; use one of: {', '.join(CASTING_MODES)}"
        )
    if src == dst:
        return False
    if casting == "unsafe":
        return False
    if casting in ("no", "equiv"):
        raise LossyCastError(
            f"casting={casting!r} allows no dtype change, but {src} -> {dst} was asked for; "
            f"pass casting='safe', 'same_kind' or 'unsafe'"
        )
    if _is_safe(src, dst):
        return False
    if casting == "safe":
        raise LossyCastError(
            f"{src} -> {dst} is not a safe cast (values can change); "
            f"pass casting='same_kind' or 'unsafe' to allow it"
        )
    # same_kind
    if _KIND_RANK[src.kind] <= _KIND_RANK[dst.kind]:
        return True
    raise LossyCastError(
        f"{src} -> {dst} crosses kinds ({src.kind} to {dst.kind}) and would change values; "
        f"pass casting='unsafe' to allow it"
    )


def _finfo(dtype: DType) -> Any:
    """``finfo`` that also knows bfloat16 (NumPy's own finfo rejects ml_dtypes types)."""
    if dtype == "bfloat16":
        import ml_dtypes

        return ml_dtypes.finfo(numpy_dtype(dtype))  # type: ignore[no-untyped-call]
    return np.finfo(numpy_dtype(dtype))


def _check_values(a: np.ndarray[Any, Any], src: DType, dst: DType) -> None:
    """Raise LossyCastError when a narrowing cast would change a value's magnitude."""
    if a.size == 0:
        return
    if dst.kind in ("signed integer", "unsigned integer"):
        info = np.iinfo(_TABLE[dst].numpy)  # type: ignore[arg-type]
        lo, hi = a.min(), a.max()
        if int(lo) < info.min or int(hi) > info.max:
            raise LossyCastError(
                f"values [{int(lo)}, {int(hi)}] do not fit in {dst} "
                f"(range [{info.min}, {info.max}]); {src} -> {dst} would wrap. "
                f"Pass casting='unsafe' to wrap anyway, or choose a wider dtype"
            )
        return
    if dst.kind in ("real floating", "complex floating"):
        dst_max = float(_finfo(dst).max)
        parts = (a.real, a.imag) if src.kind == "complex floating" else (a,)
        for part in parts:
            if src.kind == "real floating" or src.kind == "complex floating":
                part = part[np.isfinite(part)]
            if part.size == 0:
                continue
            biggest = max(abs(float(part.min())), abs(float(part.max())))
            if biggest > dst_max:
                raise LossyCastError(
                    f"finite values up to {biggest!r} overflow {dst} (max {dst_max!r}) "
                    f"and would become inf; pass casting='unsafe' to allow it"
                )


def _exact_or_raise(a: np.ndarray[Any, Any], src: DType, dst: DType) -> np.ndarray[Any, Any]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        out = aligned_copy(a, numpy_dtype(dst))
        back = out.astype(a.dtype)
    if not np.array_equal(back, a, equal_nan=a.dtype.kind in "fc"):
        raise LossyCastError(
            f"the values do not all fit {dst} exactly ({src} data -> {dst}); "
            f"pass casting='unsafe' to convert anyway"
        )
    return out


def cast_numpy(
    a: np.ndarray[Any, Any], dst: DType, casting: str, *, weak: bool = False
) -> np.ndarray[Any, Any]:
    """Cast a NumPy array under unibridge's policy; the result is fresh, 64-byte-aligned memory.

    ``weak=True`` marks values inferred from Python ints, which may take any
    integer dtype whose range holds them.

    Example:
        >>> import numpy as np
        >>> from unibridge.dtypes import cast_numpy, int32
        >>> cast_numpy(np.array([1, 2]), int32, "same_kind").dtype
        dtype('int32')
    """
    src = from_numpy_dtype(a.dtype)
    if weak and casting not in ("unsafe", "no", "equiv"):
        # Python data has no dtype of its own (NumPy's int64/float64 is only an
        # inference): it may take any dtype that holds its values exactly.
        try:
            needs_check = check_cast(src, dst, casting)
        except LossyCastError:
            return _exact_or_raise(a, src, dst)
        if needs_check:
            _check_values(a, src, dst)
    elif check_cast(src, dst, casting):
        _check_values(a, src, dst)
    if casting != "unsafe":
        return aligned_copy(a, numpy_dtype(dst))
    # The caller allowed values to change: NumPy's ComplexWarning/overflow warnings are noise.
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        return aligned_copy(a, numpy_dtype(dst))
