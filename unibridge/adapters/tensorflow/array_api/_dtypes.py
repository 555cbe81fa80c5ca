"""Dtype objects, the spec's promotion lattice (as a table) and the dtype functions.

The dtype objects are TensorFlow's own ``tf.DType`` objects: they compare equal to
their names (``tf.float64 == "float64"``), so unibridge's ``DType`` strings work too.
Promotion is the Array API table, not TensorFlow's (which refuses mixed dtypes).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Union

import builtins as _builtins

import numpy as np
import tensorflow as tf

from ....config import current

__all__ = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
    "astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type",
]

bool = tf.bool  # noqa: A001 - the spec's name
int8, int16, int32, int64 = tf.int8, tf.int16, tf.int32, tf.int64
uint8, uint16, uint32, uint64 = tf.uint8, tf.uint16, tf.uint32, tf.uint64
float32, float64 = tf.float32, tf.float64
complex64, complex128 = tf.complex64, tf.complex128

_SHORT = {
    "b": tf.bool, "i1": tf.int8, "i2": tf.int16, "i4": tf.int32, "i8": tf.int64,
    "u1": tf.uint8, "u2": tf.uint16, "u4": tf.uint32, "u8": tf.uint64,
    "f4": tf.float32, "f8": tf.float64, "c8": tf.complex64, "c16": tf.complex128,
}

# The spec's promotion table, written the way the spec prints it ("." = no promotion;
# mixed kinds such as int + float are not defined by the spec, so they raise).
_PROMOTION_TEXT = """
       b   i1  i2  i4  i8  u1  u2  u4  u8  f4  f8  c8  c16
b      b   .   .   .   .   .   .   .   .   .   .   .   .
i1     .   i1  i2  i4  i8  i2  i4  i8  .   .   .   .   .
i2     .   i2  i2  i4  i8  i2  i4  i8  .   .   .   .   .
i4     .   i4  i4  i4  i8  i4  i4  i8  .   .   .   .   .
i8     .   i8  i8  i8  i8  i8  i8  i8  .   .   .   .   .
u1     .   i2  i2  i4  i8  u1  u2  u4  u8  .   .   .   .
u2     .   i4  i4  i4  i8  u2  u2  u4  u8  .   .   .   .
u4     .   i8  i8  i8  i8  u4  u4  u4  u8  .   .   .   .
u8     .   .   .   .   .   u8  u8  u8  u8  .   .   .   .
f4     .   .   .   .   .   .   .   .   .   f4  f8  c8  c16
f8     .   .   .   .   .   .   .   .   .   f8  f8  c16 c16
c8     .   .   .   .   .   .   .   .   .   c8  c16 c8  c16
c16    .   .   .   .   .   .   .   .   .   c16 c16 c16 c16
"""


def _parse_table(text: str) -> dict[tuple[tf.DType, tf.DType], tf.DType]:
    rows = [line.split() for line in text.strip().splitlines()]
    header = rows[0]
    table = {}
    for row in rows[1:]:
        for col, cell in zip(header, row[1:]):
            if cell != ".":
                table[_SHORT[row[0]], _SHORT[col]] = _SHORT[cell]
    return table


PROMOTION: dict[tuple[tf.DType, tf.DType], tf.DType] = _parse_table(_PROMOTION_TEXT)
SPEC_DTYPES: tuple[tf.DType, ...] = tuple(_SHORT.values())

# Array API kind names, as ``isdtype`` takes them.
_KINDS: dict[str, tuple[tf.DType, ...]] = {
    "bool": (tf.bool,),
    "signed integer": (tf.int8, tf.int16, tf.int32, tf.int64),
    "unsigned integer": (tf.uint8, tf.uint16, tf.uint32, tf.uint64),
    "real floating": (tf.float32, tf.float64),
    "complex floating": (tf.complex64, tf.complex128),
}
_KINDS["integral"] = _KINDS["signed integer"] + _KINDS["unsigned integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"] + _KINDS["complex floating"]

_COMPLEX_OF = {tf.float32: tf.complex64, tf.float64: tf.complex128}
REAL_OF = {tf.complex64: tf.float32, tf.complex128: tf.float64}

DTypeLike = Union[tf.DType, str, np.dtype, type]


def as_tf_dtype(dtype: Any) -> tf.DType:
    """Any dtype spelling (``tf.DType``, name, unibridge ``DType``, NumPy dtype) as a ``tf.DType``."""
    if isinstance(dtype, tf.DType):
        return dtype
    try:
        return tf.as_dtype(str(dtype) if isinstance(dtype, str) else dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype; use one of {[d.name for d in SPEC_DTYPES]}") from None


def default_float() -> tf.DType:
    """unibridge's configured default float (``float64`` unless configured)."""
    return tf.as_dtype(str(current().default_float))


def default_complex() -> tf.DType:
    """The complex dtype that matches the default float."""
    return _COMPLEX_OF[default_float()]


def is_kind(dtype: tf.DType, kind: str) -> _builtins.bool:
    return dtype in _KINDS[kind]


def promote(a: tf.DType, b: tf.DType) -> tf.DType:
    """The spec's promotion of two dtypes; TypeError where the spec defines none."""
    try:
        return PROMOTION[a, b]
    except KeyError:
        raise TypeError(
            f"the Array API defines no promotion for {a.name} and {b.name}; "
            f"cast one operand first with astype()"
        ) from None


def scalar_dtype(value: Any, array_dtype: tf.DType) -> tf.DType:
    """The dtype a Python scalar takes next to an array of ``array_dtype`` (scalars are weak)."""
    kind = array_dtype
    if isinstance(value, _builtins.bool):
        if kind == tf.bool:
            return kind
        if kind.is_integer or kind.is_floating or kind.is_complex:
            return kind  # the spec leaves this undefined; NumPy does the same
    elif isinstance(value, int):
        if kind.is_integer or kind.is_floating or kind.is_complex:
            return kind
        return tf.int64
    elif isinstance(value, float):
        if kind.is_floating or kind.is_complex:
            return kind
        return default_float()  # mixed kind: the spec leaves it undefined
    elif isinstance(value, complex):
        if kind.is_complex:
            return kind
        if kind.is_floating:
            return _COMPLEX_OF[kind]
        return default_complex()
    raise TypeError(f"expected an array or a Python scalar, got {type(value).__name__}")


def _dtype_of(x: Any) -> tf.DType:
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x.dtype
    return as_tf_dtype(x)


def result_type(*arrays_and_dtypes: Any) -> tf.DType:
    """The dtype the spec's promotion rules give; Python scalars are weak."""
    scalars = [v for v in arrays_and_dtypes if isinstance(v, (int, float, complex))]
    others = [_dtype_of(v) for v in arrays_and_dtypes if not isinstance(v, (int, float, complex))]
    if not others:
        raise ValueError("result_type needs at least one array or dtype")
    out = others[0]
    for dt in others[1:]:
        out = promote(out, dt)
    for s in scalars:
        weak = scalar_dtype(s, out)
        out = PROMOTION.get((out, weak), weak)  # mixed kinds: the scalar's kind wins
    return out


def can_cast(from_: Any, to: DTypeLike, /) -> _builtins.bool:
    """Whether promotion of ``from_`` with ``to`` gives ``to`` (the spec's "safe" cast)."""
    src, dst = _dtype_of(from_), as_tf_dtype(to)
    return _builtins.bool(PROMOTION.get((src, dst)) == dst)


def astype(x: tf.Tensor, dtype: DTypeLike, /, *, copy: _builtins.bool = True, device: Any = None) -> tf.Tensor:
    """Cast ``x`` to ``dtype`` (complex to real drops the imaginary part, as ``tf.cast`` does)."""
    from ._copy import fresh_copy
    from ._devices import to_device

    dtype = as_tf_dtype(dtype)
    if x.dtype == dtype:
        out = fresh_copy(x) if copy else x  # tf.identity would share the buffer
    elif x.dtype.is_complex and dtype == tf.bool:
        out = tf.not_equal(x, tf.zeros((), x.dtype))
    else:
        out = tf.cast(x, dtype)
    return out if device is None else to_device(out, device)


class finfo_object(NamedTuple):
    """Machine limits of a floating dtype (the spec's ``finfo_object``)."""

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: tf.DType


class iinfo_object(NamedTuple):
    """Machine limits of an integer dtype (the spec's ``iinfo_object``)."""

    bits: int
    max: int
    min: int
    dtype: tf.DType


def finfo(type: Any, /) -> finfo_object:  # noqa: A002 - the spec's name
    """Limits of a floating dtype; for complex dtypes, those of their real component (and its dtype)."""
    dt = _dtype_of(type)
    real = REAL_OF.get(dt, dt)
    if not real.is_floating:
        raise TypeError(f"finfo needs a floating dtype, got {dt.name}")
    info = np.finfo(real.as_numpy_dtype)
    return finfo_object(
        int(info.bits), float(info.eps), float(info.max), float(info.min), float(info.smallest_normal), real
    )


def iinfo(type: Any, /) -> iinfo_object:  # noqa: A002
    """Limits of an integer dtype."""
    dt = _dtype_of(type)
    if not dt.is_integer:
        raise TypeError(f"iinfo needs an integer dtype, got {dt.name}")
    return iinfo_object(dt.size * 8, int(dt.max), int(dt.min), dt)


def isdtype(dtype: DTypeLike, kind: Union[str, DTypeLike, tuple[Any, ...]]) -> _builtins.bool:
    """Whether ``dtype`` is of ``kind`` (a kind name, a dtype, or a tuple of those)."""
    dtype = as_tf_dtype(dtype)
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str) and kind in _KINDS:
        return dtype in _KINDS[kind]
    if isinstance(kind, str) and " " in kind:
        raise ValueError(f"unknown dtype kind {kind!r}; known kinds: {', '.join(_KINDS)}")
    return _builtins.bool(dtype == as_tf_dtype(kind))
