"""DType objects and the casting policy (NumPy's modes, plus value checks)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import unibridge as ub
from unibridge.dtypes import DType, all_dtypes, as_dtype


def test_dtype_equals_and_hashes_like_its_canonical_name() -> None:
    dt = DType("float64")
    assert dt == "float64" and str(dt) == "float64" and hash(dt) == hash("float64")
    assert {dt: 1}["float64"] == 1
    assert DType("float64") is DType("float64")
    assert pickle.loads(pickle.dumps(dt)) is dt


def test_every_array_api_dtype_and_bfloat16_is_known() -> None:
    names = {str(d) for d in all_dtypes()}
    assert names == {
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    }


@pytest.mark.parametrize(
    "spec,expected",
    [("float32", "float32"), (float, "float64"), (int, "int64"), (bool, "bool"), (complex, "complex128"),
     (np.dtype(">f8"), "float64"), (np.int16, "int16"), ("f4", "float32")],
)
def test_as_dtype_accepts_names_python_types_and_numpy(spec: object, expected: str) -> None:
    assert as_dtype(spec) == expected


def test_public_as_dtype_accepts_framework_dtype_objects(backend: str) -> None:
    if backend == "torch":
        import torch
        native = torch.float16
    elif backend == "tensorflow":
        import tensorflow as tf
        native = tf.float16
    else:
        native = np.dtype("float16")
    assert ub.as_dtype(native) == "float16"


def test_the_pure_dtype_parser_leaves_framework_dtype_objects_to_the_backends() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ub.UnsupportedInputError, match="cannot interpret"):
        as_dtype(torch.float16)


@pytest.mark.parametrize("bad", ["float", "double128", "str", object()])
def test_unknown_dtype_raises_with_the_allowed_list(bad: object) -> None:
    if bad == "float":
        assert as_dtype(bad) == "float64"  # NumPy's own alias
        return
    with pytest.raises(ub.UnsupportedInputError, match="float64"):
        as_dtype(bad)


def test_asarray_dtype_request_applies_the_policy(backend: str) -> None:
    x = np.array([0.5, 1.5])
    assert ub.dtype_of(ub.asarray(x, dtype="float32", backend=backend)) == "float32"
    with pytest.raises(ub.LossyCastError, match="unsafe"):
        ub.asarray(x, dtype="int64", backend=backend)
    assert ub.to_numpy(ub.asarray(x, dtype="int64", casting="unsafe", backend=backend)).tolist() == [0, 1]
    with pytest.raises(ub.LossyCastError):
        ub.asarray(np.array([1, 2**40]), dtype="int32", backend=backend)


def test_python_values_take_any_dtype_that_holds_them_but_numpy_scalars_keep_their_dtype() -> None:
    assert ub.asarray([1, 2], dtype="uint16").tolist() == [1, 2]
    with pytest.raises(ub.LossyCastError):
        ub.asarray([-1], dtype="uint16")
    for carries_a_dtype in (np.int64(5), np.array(5), np.array([5])):
        with pytest.raises(ub.LossyCastError, match="crosses kinds"):
            ub.asarray(carries_a_dtype, dtype="uint8")


@pytest.mark.parametrize(
    "numpy_dtype,what",
    [("O", "object"), ("U3", "unicode string"), ("S3", "byte string"), ("M8[s]", "datetime"),
     ("m8[s]", "timedelta"), ("V4", "structured/void"), ("longdouble", "non-numeric")],
)
def test_an_unsupported_numpy_dtype_is_named_with_its_kind_and_the_supported_list(numpy_dtype: str, what: str) -> None:
    from unibridge.dtypes import from_numpy_dtype

    if numpy_dtype == "longdouble" and np.dtype(np.longdouble) == np.dtype(np.float64):
        pytest.skip("long double is double on this platform")
    with pytest.raises(ub.UnsupportedInputError) as info:
        from_numpy_dtype(np.dtype(numpy_dtype))
    message = str(info.value)
    assert f"({what}) has no array-framework equivalent" in message
    assert message.endswith("Supported dtypes: " + ", ".join(d.name for d in all_dtypes()))


def test_dtypes_and_devices_print_as_their_constructors() -> None:
    assert repr(ub.DType("bfloat16")) == "DType('bfloat16')"
    assert repr(ub.Device("gpu", 1)) == "Device('gpu:1')" and repr(parse_cpu()) == "Device('cpu')"


def parse_cpu() -> ub.Device:
    from unibridge.devices import parse_device

    return parse_device("cpu")  # type: ignore[return-value]


def test_bfloat16_without_ml_dtypes_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from unibridge.dtypes import numpy_dtype

    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # import ml_dtypes now raises ImportError
    with pytest.raises(ub.UnsupportedInputError) as info:
        numpy_dtype(DType("bfloat16"))
    assert str(info.value) == (
        "bfloat16 needs the ml_dtypes package on the NumPy side: pip install 'unibridge[ml_dtypes]'"
    )


_ALL_NAMES = "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64, complex64, complex128"


def test_an_unknown_name_or_object_is_refused_with_its_type_and_every_dtype_listed() -> None:
    with pytest.raises(ub.UnsupportedInputError, match=rf"^unknown dtype 'double128'; use one of: {_ALL_NAMES}$"):
        as_dtype("double128")
    with pytest.raises(
        ub.UnsupportedInputError,
        match=rf"^cannot interpret 3\.5 \(type float\) as a dtype; use a name such as 'float64', or one of: {_ALL_NAMES}$",
    ):
        as_dtype(3.5)


def test_the_name_bfloat16_parses_even_where_numpy_does_not_know_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # NumPy understands "bfloat16" only once ml_dtypes is imported: the name is unibridge's own.
    monkeypatch.delitem(np.sctypeDict, "bfloat16", raising=False)
    assert as_dtype("bfloat16") is DType("bfloat16")
    assert as_dtype("float32") is DType("float32")
