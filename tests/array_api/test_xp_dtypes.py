"""Data type functions and the promotion lattice (spec: "Type Promotion Rules")."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import unibridge
from array_api_helpers import dtype_name, spec_gap, to_np

INTS = ["int8", "int16", "int32", "int64"]
UINTS = ["uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float32", "float64"]
COMPLEX = ["complex64", "complex128"]
ALL = ["bool"] + INTS + UINTS + FLOATS + COMPLEX


def spec_promotion(a: str, b: str) -> str | None:
    """The spec's promotion, written from its prose: same kind widens; signed/unsigned mix needs a
    signed type wider than the unsigned one; float/complex mix keeps the wider precision."""
    if a == b:
        return a
    bits = lambda n: int("".join(c for c in n if c.isdigit()) or 0)  # noqa: E731
    if a in INTS and b in INTS or a in UINTS and b in UINTS:
        return a if bits(a) >= bits(b) else b
    if a in UINTS and b in INTS:
        a, b = b, a
    if a in INTS and b in UINTS:
        need = max(bits(a), 2 * bits(b))
        return f"int{need}" if need <= 64 else None
    inexact = FLOATS + COMPLEX
    if a in inexact and b in inexact:
        precision = max(bits(a) // (2 if a in COMPLEX else 1), bits(b) // (2 if b in COMPLEX else 1))
        return f"complex{2 * precision}" if (a in COMPLEX or b in COMPLEX) else f"float{precision}"
    return None


PAIRS = [(a, b) for a, b in itertools.product(ALL, ALL) if spec_promotion(a, b) is not None]


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_result_type_follows_the_spec_table(xp, a, b):
    assert dtype_name(xp, xp.result_type(getattr(xp, a), getattr(xp, b))) == spec_promotion(a, b)


@pytest.mark.parametrize("a,b", [("int8", "uint8"), ("uint32", "int16"), ("float32", "complex128")])
def test_binary_functions_promote_mixed_arrays(xp, a, b):
    x1 = xp.ones(3, dtype=getattr(xp, a))
    x2 = xp.ones(3, dtype=getattr(xp, b))
    out = xp.add(x1, x2)
    assert dtype_name(xp, out.dtype) == spec_promotion(a, b)
    np.testing.assert_array_equal(np.asarray(out), 2)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "float32", "complex64"])
def test_python_scalars_are_weak(xp, dtype):
    x = xp.ones(2, dtype=getattr(xp, dtype))
    assert xp.multiply(x, 2).dtype == x.dtype
    assert xp.result_type(x, 1) == x.dtype
    if dtype in ("float32", "complex64"):
        assert xp.add(x, 1.5).dtype == x.dtype
        assert xp.add(1.5, x).dtype == x.dtype


def test_tensorflow_rejects_promotion_the_spec_does_not_define(tfxp):
    with pytest.raises(TypeError, match="astype"):
        tfxp.add(tfxp.ones(2, dtype=tfxp.int64), tfxp.ones(2, dtype=tfxp.uint64))


# Where NumPy's can_cast departs from the spec among the pairs below: casts across kinds, which the
# spec leaves undefined (bool to an integer, an integer to a float or complex that holds it).
NUMPY_CASTS_ACROSS_KINDS = {("bool", "uint32"), ("int16", "float32"), ("int32", "float64"), ("uint8", "complex128")}


@pytest.mark.parametrize("a,b", [(a, b) for a in ALL for b in ALL][::7])
def test_can_cast_means_promotion_gives_the_target(xp, a, b, request):
    if xp.__name__.endswith("numpy") and (a, b) in NUMPY_CASTS_ACROSS_KINDS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"NumPy allows the cast across kinds {a} -> {b}"))
    assert xp.can_cast(getattr(xp, a), getattr(xp, b)) == (spec_promotion(a, b) == b)


def test_finfo_and_iinfo(xp):
    f = xp.finfo(xp.float32)
    assert f.bits == 32 and f.eps == np.finfo(np.float32).eps and f.max == np.finfo(np.float32).max
    assert f.smallest_normal == np.finfo(np.float32).smallest_normal
    assert xp.finfo(xp.complex128).bits == 64
    i = xp.iinfo(xp.uint16)
    assert (i.bits, i.min, i.max) == (16, 0, 65535)
    assert xp.iinfo(xp.int64).min == -(2**63)


@pytest.mark.parametrize(
    "dtype,kind,expected",
    [("int8", "signed integer", True), ("uint8", "integral", True), ("float32", "numeric", True),
     ("complex64", "real floating", False), ("bool", "numeric", False),
     ("float64", ("integral", "real floating"), True), ("int32", "int32", True)],
)
def test_isdtype(xp, dtype, kind, expected):
    k = getattr(xp, kind) if kind in ALL else kind
    assert xp.isdtype(getattr(xp, dtype), k) is expected


def test_astype_casts_and_copy_false_returns_same_dtype(xp):
    x = xp.asarray([1.7, -2.2])
    assert to_list(xp.astype(x, xp.int32)) == [1, -2]
    assert xp.astype(x, xp.float64, copy=False).dtype == xp.float64
    assert to_list(xp.astype(xp.asarray([0.0, 2.0]), xp.bool)) == [False, True]


def to_list(x):
    return np.asarray(x).tolist()


def test_default_float_follows_unibridge_configuration(tfxp):
    before = unibridge.current().default_float
    configured = unibridge.current().sources.get("default_float") != "default"
    try:
        unibridge.configure(default_float="float32")
        assert tfxp.asarray([1.0]).dtype == tfxp.float32
        assert tfxp.ones(2).dtype == tfxp.float32
        assert tfxp.__array_namespace_info__().default_dtypes()["complex floating"] == tfxp.complex64
    finally:
        if configured:
            unibridge.configure(default_float=before)
        else:
            from unibridge.config import reset_defaults

            reset_defaults()
    assert tfxp.asarray([1.0]).dtype == tfxp.float64
    assert tfxp.asarray([1]).dtype == tfxp.int64
    assert tfxp.arange(3).dtype == tfxp.int64


@pytest.mark.parametrize("dtype,real", [("float32", "float32"), ("float64", "float64"), ("complex64", "float32"),
                                        ("complex128", "float64")])
def test_finfo_of_a_complex_dtype_describes_its_real_component(xp, dtype, real):
    info = xp.finfo(getattr(xp, dtype))
    assert info.dtype == getattr(xp, real)
    assert info.bits == np.finfo(real).bits and info.eps == float(np.finfo(real).eps)


def test_isdtype_takes_its_arguments_by_keyword_too(xp):
    assert xp.isdtype(dtype=xp.int8, kind="signed integer")
    assert not xp.isdtype(xp.uint8, kind=("real floating", "bool"))


def test_astype_of_complex_to_bool_is_true_where_either_part_is_non_zero(xp):
    z = xp.asarray([1 + 0j, 0j, 1j, -0.0 + 0j, complex(0, -2.5)], dtype=xp.complex64)
    assert to_np(xp.astype(z, xp.bool)).tolist() == [True, False, True, False, True]


def test_isdtype_with_an_unknown_kind_name_lists_the_known_kinds(tfxp):
    message = ("unknown dtype kind 'real floats'; known kinds: bool, signed integer, unsigned integer, "
               "real floating, complex floating, integral, numeric")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        tfxp.isdtype(tfxp.float64, "real floats")


@pytest.mark.parametrize("name", ["int16", "uint8", "float32", "complex64", "bool"])
def test_dtypes_may_be_spelled_by_name(tfxp, name):
    assert tfxp.zeros(2, dtype=name).dtype == getattr(tfxp, name)
    assert tfxp.astype(tfxp.asarray([1, 0]), name).dtype == getattr(tfxp, name)
    assert tfxp.isdtype(name, getattr(tfxp, name))
