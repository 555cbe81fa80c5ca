"""Framework-neutral dtypes: one table of facts, and parsing.

A :class:`DType` *is* its canonical Array API name (it subclasses ``str``), so
``dtype_of(x) == "float64"`` holds, ``str(dt)`` is the name, and it hashes like
the name. Every fact about a dtype lives in one table, :data:`_TABLE`; each
backend maps these names to its own dtype objects.

The casting modes are named here (:data:`CASTING_MODES`); what a cast may do
to values is the casting policy's job (:mod:`unibridge.casting`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple, overload

import numpy as np

from .errors import UnsupportedInputError

__all__ = [
    "DType",
    "CASTING_MODES",
    "as_dtype",
    "all_dtypes",
    "ALL_DTYPES",
    "BY_NAME",
    "numpy_dtype",
    "from_numpy_dtype",
    "PLAIN_NUMBER_CHARS",
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
    emax: int  # largest binary exponent of a finite value (0 for non-floats)
    numpy: str | None  # NumPy spelling; None for bfloat16 (ml_dtypes)


# The one table of dtype facts. Order is the promotion-friendly listing order.
_TABLE: dict[str, _Facts] = {
    "bool": _Facts("bool", 8, 0, 0, "bool"),
    "int8": _Facts("signed integer", 8, 0, 0, "int8"),
    "int16": _Facts("signed integer", 16, 0, 0, "int16"),
    "int32": _Facts("signed integer", 32, 0, 0, "int32"),
    "int64": _Facts("signed integer", 64, 0, 0, "int64"),
    "uint8": _Facts("unsigned integer", 8, 0, 0, "uint8"),
    "uint16": _Facts("unsigned integer", 16, 0, 0, "uint16"),
    "uint32": _Facts("unsigned integer", 32, 0, 0, "uint32"),
    "uint64": _Facts("unsigned integer", 64, 0, 0, "uint64"),
    "float16": _Facts("real floating", 16, 11, 15, "float16"),
    "bfloat16": _Facts("real floating", 16, 8, 127, None),
    "float32": _Facts("real floating", 32, 24, 127, "float32"),
    "float64": _Facts("real floating", 64, 53, 1023, "float64"),
    "complex64": _Facts("complex floating", 64, 24, 127, "complex64"),
    "complex128": _Facts("complex floating", 128, 53, 1023, "complex128"),
}

class _NumpyOf:
    """``dtype.numpy``: set on each DType when it is made, except bfloat16's (which needs the
    optional ml_dtypes), looked up here on first read and then kept on the DType the same way.

    A non-data descriptor: the value stored on the DType is found before it, so reading
    ``dtype.numpy`` is an attribute read, with no call.
    """

    @overload
    def __get__(self, dtype: None, owner: type[Any]) -> _NumpyOf: ...

    @overload
    def __get__(self, dtype: DType, owner: type[Any] | None = None) -> np.dtype[Any]: ...

    def __get__(self, dtype: DType | None, owner: type[Any] | None = None) -> np.dtype[Any] | _NumpyOf:
        if dtype is None:
            return self
        found = numpy_dtype(dtype)  # raises without ml_dtypes; nothing kept then
        setattr(dtype, "numpy", found)
        return found


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
    emax: int

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
        self.emax = facts.emax
        if facts.numpy is not None:
            setattr(self, "numpy", np.dtype(facts.numpy))
        return self

    def __repr__(self) -> str:
        return f"DType({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (DType, (str(self),))

    @property
    def name(self) -> str:
        """The canonical name, e.g. ``"bfloat16"``."""
        return str(self)

    numpy = _NumpyOf()
    """The NumPy dtype (bfloat16 needs the optional ``ml_dtypes`` package)."""


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

# Every dtype unibridge knows, in table order (what all_dtypes() returns, for tables built from it).
ALL_DTYPES: tuple[DType, ...] = tuple(_BY_NAME.values())
# Canonical name -> DType, read-only: a name is resolved by reading it, with no call.
BY_NAME: Mapping[str, DType] = MappingProxyType(_BY_NAME)


def all_dtypes() -> tuple[DType, ...]:
    """Every dtype unibridge knows, in table order.

    Example:
        >>> from unibridge.dtypes import all_dtypes
        >>> "bfloat16" in all_dtypes()
        True
    """
    return ALL_DTYPES


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


# ``dtype.char`` of the NumPy arrays every backend has a name for: bool, the integers, float16/32/64
# and complex64/128 ('q'/'Q' are int64/uint64 spelled "long long"). Not long double (g/G), which no
# framework has, nor bfloat16 (ml_dtypes' 'E'), which each backend moves in its own way.
PLAIN_NUMBER_CHARS: frozenset[str] = frozenset("?bhilqBHILQefdFD")


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
