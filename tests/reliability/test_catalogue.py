"""The bad-input catalogue: what a real user might pass, and exactly what they get.

Each row is an input (and the arguments it is passed with) and its one correct
outcome: a conversion with the expected type, dtype and values, or an error
class with a fragment of its message. Decisions where the right behaviour is
not obvious:

=============================  ==============================================================
input                          decision (and why)
=============================  ==============================================================
list / tuple / scalar          inferred exactly as NumPy does (``[1, 2.5]`` -> float64,
                               ``2**63`` -> uint64), identically on every backend
ragged list                    UnsupportedInputError: there is no array form; pad it first
generator / iterator           UnsupportedInputError: materialise it (``list(it)``) first; a
                               silent ``list()`` would consume the user's iterator
``range``                      converted (it is a sequence with a length)
bytes / ``np.bytes_`` / str    UnsupportedInputError: text, not numbers (``bytes`` would be
                               NumPy's ``S`` dtype); use ``np.frombuffer`` for raw bytes
bytearray / memoryview /       converted through the buffer protocol, zero-copy where the
``array.array``                target can share it (a ``bytes`` memoryview is read-only, so
                               torch gets a copy)
Decimal / Fraction / None /    UnsupportedInputError (object dtype)
dict / set
``np.matrix``                  a plain 2-D ``ndarray`` (the subclass' odd ``*`` semantics
                               do not travel)
masked array                   UnsupportedInputError: the mask would be lost; the message
                               says ``.filled()`` or ``.data``
structured / datetime /        UnsupportedInputError naming the dtype (also on the NumPy
timedelta / longdouble         fast path: F9)
``tf.Variable``                a snapshot of its value; a later ``assign`` does not change it
empty wide array into dask     one chunk (dask's auto chunking divides by the extents:
(``(0, 10**6)``)               ZeroDivisionError); ``zeros`` likewise
dask string / masked chunks    UnsupportedInputError (also into dask itself), before any
                               compute for string/object/datetime dtypes
dask unknown chunk sizes       converted (computing fixes them); ``zeros_like`` asks for
                               ``x.compute_chunk_sizes()``
``tf.RaggedTensor``            UnsupportedInputError, hint ``.to_tensor()`` (no implicit pad)
TF resource / variant /        UnsupportedInputError naming what the value is, also on the
quantized (qint8) tensor       zero-copy fast path (``np.asarray`` raises TF's own error for
                               the first two and gives a plain int8 array for the third)
symbolic ``tf.Tensor``         UnsupportedInputError: it has no values until the function
(inside ``tf.function``)       runs; ``backend="tensorflow"`` passes it through unchanged
``tf.IndexedSlices``           UnsupportedInputError, hint ``tf.convert_to_tensor`` (a sparse
                               gradient: no implicit densify)
``tf.SparseTensor`` / sparse   UnsupportedInputError, hint to densify (no implicit densify:
torch (COO, CSR)               it can need far more memory). ``zeros_like`` of a sparse
                               value is fine: only shape and dtype are used
nested (jagged) torch tensor   UnsupportedInputError, hint ``to_padded_tensor`` (F6)
TF string tensor               UnsupportedInputError *before* any DLPack export (that export
                               aborts the process)
deleted / donated jax array   UnsupportedInputError: its buffer is gone (JAX's RuntimeError
                               never escapes); ``dtype_of``/``zeros_like`` still answer
JAX tracer (inside jit,       UnsupportedInputError naming the transformation, never the
grad or vmap, or leaked)      "ragged data" message of Python data
``nn.Parameter`` / tensor      a detached view: NumPy shares the memory; the autograd graph
that requires grad             does not travel
meta-device tensor             UnsupportedInputError: it has no data
lazy conj/neg torch tensor     the resolved values; ``copy=False`` -> CopyRequiredError
complex32 / float8 / qint8     UnsupportedInputError: no Array API equivalent, also into the
(torch, TF, JAX int4/float8)   same framework (``backend="torch"``/``"jax"`` passed them on)
torch.func / FakeTensor        UnsupportedInputError: no storage of its own (torch raised
                               RuntimeError)
pandas (if installed)          numeric frames/series convert via ``__array__`` (a nullable
                               ``Int64`` with NA becomes float64 with NaN: pandas' own
                               ``__array__`` decides); object/str/mixed -> UnsupportedInputError
``dtype=`` on Python data      any dtype that holds the values exactly (``[1.0]`` -> int64 is
                               fine, ``[1.5]`` is a LossyCastError); an *array* source follows
                               ``casting`` by dtype (float64 array -> int64 crosses kinds)
bad ``dtype=``                 UnsupportedInputError listing the known dtypes
bad ``device=`` spelling       ConfigurationError listing allowed spellings; a well-formed
                               device that is absent -> DeviceUnavailableError listing
                               the devices that exist, quoting the device as written
                               (``'cuda:7' (gpu:7)``); a GPU asked of a CPU-only backend
                               (numpy, dask) says so instead of suggesting a GPU driver
bad ``backend=``               BackendNotFoundError listing registered backends
bad ``casting=`` / ``copy=``   ConfigurationError (F2, F8)
bad ``shape`` for ``zeros``    ConfigurationError; a float extent is not truncated (F3)
``zeros`` past 2**63 bytes     ConfigurationError before any framework allocates (NumPy and
                               torch raised their own errors, TensorFlow an OOM, and JAX
                               aborted the process); a zero-size shape of any extent is fine
``register_backend`` bad name  ConfigurationError naming the rule and an example name
bad ``UNIBRIDGE_*`` variable   raises on first use (never at import), naming the variable,
                               the value as written and what is allowed; a backend chosen
                               there whose framework fails to import names the variable too
=============================  ==============================================================
"""

from __future__ import annotations

import array
import decimal
import fractions
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import require
from _sources import CopyOnly, OnlyDLPack


@dataclass(frozen=True)
class Ok:
    """A conversion: result type (module of its class), dtype and values."""

    dtype: str
    values: Any
    shape: tuple[int, ...] | None = None
    check: Callable[[Any, Any], None] | None = None  # extra check(input, result)


@dataclass(frozen=True)
class Err:
    cls: type[Exception]
    fragment: str


def _torch() -> Any:
    require("torch")
    import torch

    return torch


def _tf() -> Any:
    require("tensorflow")
    import tensorflow as tf

    return tf


def _tf_seen() -> Any:
    """TensorFlow, with its CPU device already seen (the zero-copy view path is then live)."""
    tf = _tf()
    ub.asarray(tf.constant([0.0]))
    return tf


def _tf_graph_tensor() -> Any:
    tf = _tf_seen()
    with tf.Graph().as_default():
        return tf.constant([1.0, 2.0])  # symbolic: what a tf.function body sees


def _jax() -> Any:
    require("jax")
    import jax

    return jax


def _jax_deleted() -> Any:
    _jax()
    x = ub.asarray(np.arange(3.0), backend="jax", copy=True)
    x.delete()
    return x


def _jax_leaked_tracer() -> Any:
    leaked: list[Any] = []
    _jax().jit(lambda t: leaked.append(t) or t)(np.arange(2.0))
    return leaked[0]  # an abstract value that escaped its jit


def _torch_fake() -> Any:
    torch = _torch()
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        return torch.ones(3)  # shape and dtype, no storage


def _da() -> Any:
    require("dask")
    import dask.array as da

    return da


def _dask_unknown_chunks() -> Any:
    x = _da().from_array(np.arange(10.0), chunks=3)
    return x[x > 6]  # chunk sizes unknown until computed


def _pd() -> Any:
    return pytest.importorskip("pandas", reason="pandas is not installed; pandas rows need it")


def _gen() -> Any:
    return (i for i in range(3))


def _shares(inp: Any, out: Any) -> None:
    assert ub.shares_memory(inp, out), "expected a zero-copy view"


def _independent(inp: Any, out: Any) -> None:
    assert not ub.shares_memory(inp, out), "expected a copy"


def _plain_ndarray(inp: Any, out: Any) -> None:
    assert type(out) is np.ndarray, type(out)


def _writable_detached(inp: Any, out: Any) -> None:
    assert ub.shares_memory(inp, out), "a detached view shares memory"
    assert out.flags.writeable


def _variable() -> Any:
    tf = _tf()
    return tf.Variable([1.0, 2.0], dtype=tf.float32)


def _snapshot(var: Any, out: Any) -> None:
    var.assign([5.0, 6.0])
    var.assign_add([1.0, 1.0])
    assert out.tolist() == [1.0, 2.0], "the result changed after the variable was assigned"


def _bfloat16() -> Any:
    import ml_dtypes

    return ml_dtypes.bfloat16


# (id, make input, asarray kwargs, expected outcome, xfail reason or None)
CASES: list[tuple[str, Callable[[], Any], dict[str, Any], Ok | Err, str | None]] = [
    # -- Python data ------------------------------------------------------------
    ("list-int", lambda: [1, 2, 3], {}, Ok("int64", [1, 2, 3]), None),
    ("list-float", lambda: [1.0, 2.5], {}, Ok("float64", [1.0, 2.5]), None),
    ("list-mixed-int-float", lambda: [1, 2.5], {"backend": "torch"}, Ok("float64", [1.0, 2.5]), None),
    ("list-bool", lambda: [True, False], {}, Ok("bool", [True, False]), None),
    ("list-complex", lambda: [1, 2j], {"backend": "tensorflow"}, Ok("complex128", [1, 2j]), None),
    ("nested-list-2x2", lambda: [[1.0, 2.0], [3.0, 4.0]], {}, Ok("float64", [[1, 2], [3, 4]], (2, 2)), None),
    ("empty-list", lambda: [], {}, Ok("float64", [], (0,)), None),
    ("tuple", lambda: (1, 2.5), {}, Ok("float64", [1.0, 2.5]), None),
    ("python-int", lambda: 7, {"backend": "torch"}, Ok("int64", 7, ()), None),
    ("python-float", lambda: 0.5, {}, Ok("float64", 0.5, ()), None),
    ("python-bool", lambda: True, {}, Ok("bool", True, ()), None),
    ("int-2**63-is-uint64", lambda: 2**63, {}, Ok("uint64", 2**63, ()), None),
    ("int-2**64-too-large", lambda: 2**64, {}, Err(ub.UnsupportedInputError, "too large for 64 bits"), None),
    ("ragged-list", lambda: [[1], [2, 3]], {}, Err(ub.UnsupportedInputError, "pad it"), None),
    ("ragged-list-to-torch", lambda: [[1, 2], [3]], {"backend": "torch"}, Err(ub.UnsupportedInputError, "ragged"), None),
    ("generator", _gen, {}, Err(ub.UnsupportedInputError, "list(it)"), None),
    ("iterator", lambda: iter([1, 2]), {}, Err(ub.UnsupportedInputError, "iterator"), None),
    ("range", lambda: range(4), {"backend": "torch"}, Ok("int64", [0, 1, 2, 3]), None),
    ("none", lambda: None, {}, Err(ub.UnsupportedInputError, "NoneType"), None),
    ("dict", lambda: {"a": 1}, {}, Err(ub.UnsupportedInputError, "dict"), None),
    ("set", lambda: {1, 2}, {}, Err(ub.UnsupportedInputError, "set"), None),
    ("str", lambda: "abc", {}, Err(ub.UnsupportedInputError, "<U3"), None),
    ("list-of-str", lambda: ["a", "b"], {"backend": "torch"}, Err(ub.UnsupportedInputError, "only bool, integer"), None),
    ("decimal", lambda: decimal.Decimal("1.5"), {}, Err(ub.UnsupportedInputError, "Decimal"), None),
    ("fraction", lambda: fractions.Fraction(1, 3), {}, Err(ub.UnsupportedInputError, "Fraction"), None),
    # -- buffers ------------------------------------------------------------------
    ("bytes", lambda: b"abc", {}, Err(ub.UnsupportedInputError, "|S3"), None),
    ("bytearray-shared", lambda: bytearray(b"abc"), {"backend": "torch"}, Ok("uint8", [97, 98, 99], check=_shares), None),
    ("memoryview-of-bytes-readonly", lambda: memoryview(b"abc"), {"backend": "torch"}, Ok("uint8", [97, 98, 99], check=_independent), None),
    ("memoryview-2d", lambda: memoryview(np.arange(6.0).reshape(2, 3)), {}, Ok("float64", [[0, 1, 2], [3, 4, 5]], check=_shares), None),
    ("array.array-d", lambda: array.array("d", [1.0, 2.0]), {"backend": "tensorflow"}, Ok("float64", [1.0, 2.0]), None),
    ("array.array-i", lambda: array.array("i", [1, -2]), {}, Ok("int32", [1, -2]), None),
    ("array.array-u", lambda: array.array("u", "ab"), {}, Err(ub.UnsupportedInputError, "<U1"), None),
    # -- NumPy oddities -------------------------------------------------------------
    ("np-matrix", lambda: np.matrix([[1, 2], [3, 4]]), {}, Ok("int64", [[1, 2], [3, 4]], (2, 2), _plain_ndarray), None),
    ("np-matrix-to-torch", lambda: np.matrix([[1.0, 2.0]]), {"backend": "torch"}, Ok("float64", [[1.0, 2.0]], (1, 2), _shares), None),
    ("masked-array", lambda: np.ma.masked_array([1, 2], mask=[0, 1]), {}, Err(ub.UnsupportedInputError, ".filled("), None),
    ("masked-array-to-tf", lambda: np.ma.masked_array([1.0]), {"backend": "tensorflow"}, Err(ub.UnsupportedInputError, "mask"), None),
    ("structured", lambda: np.zeros(2, dtype=[("a", "f8")]), {"backend": "torch"}, Err(ub.UnsupportedInputError, "structured"), None),
    ("datetime64", lambda: np.array(["2020-01-01"], dtype="M8[D]"), {}, Err(ub.UnsupportedInputError, "datetime"), None),
    ("timedelta64", lambda: np.array([1], dtype="m8[s]"), {"backend": "tensorflow"}, Err(ub.UnsupportedInputError, "timedelta"), None),
    ("object-array", lambda: np.array([1, "a"], dtype=object), {}, Err(ub.UnsupportedInputError, "object"), None),
    ("longdouble", lambda: np.ones(2, np.longdouble), {}, Err(ub.UnsupportedInputError, "float128"), None),
    ("clongdouble", lambda: np.ones(2, np.clongdouble), {}, Err(ub.UnsupportedInputError, "complex256"), None),
    ("longdouble-to-torch", lambda: np.ones(2, np.longdouble), {"backend": "torch"}, Err(ub.UnsupportedInputError, "float128"), None),
    ("np-str-scalar", lambda: np.str_("x"), {}, Err(ub.UnsupportedInputError, "<U1"), None),
    ("np-float32-scalar", lambda: np.float32(1.5), {"backend": "torch"}, Ok("float32", 1.5, ()), None),
    ("list-of-arrays", lambda: [np.ones(2), np.zeros(2)], {"backend": "torch"}, Ok("float64", [[1, 1], [0, 0]]), None),
    ("list-of-torch-tensors", lambda: [_torch().ones(2), _torch().zeros(2)], {}, Ok("float32", [[1, 1], [0, 0]]), None),
    # -- framework objects ----------------------------------------------------------
    ("tf-variable-snapshot", _variable, {}, Ok("float32", [1.0, 2.0], check=_snapshot), None),
    ("tf-ragged", lambda: _tf().ragged.constant([[1], [2, 3]]), {}, Err(ub.UnsupportedInputError, ".to_tensor("), None),
    ("tf-ragged-to-tf", lambda: _tf().ragged.constant([[1], [2, 3]]), {"backend": "tensorflow"}, Err(ub.UnsupportedInputError, "RaggedTensor"), None),
    ("tf-sparse", lambda: _tf().sparse.eye(3), {"backend": "torch"}, Err(ub.UnsupportedInputError, "tf.sparse.to_dense"), None),
    ("tf-string", lambda: _tf().constant(["a", "b"]), {"backend": "torch"}, Err(ub.UnsupportedInputError, "string tensor"), None),
    ("tf-string-to-tf", lambda: _tf().constant(["a"]), {"backend": "tensorflow"}, Err(ub.UnsupportedInputError, "string"), None),
    ("tf-resource-handle", lambda: _tf_seen().Variable([1.0]).handle, {}, Err(ub.UnsupportedInputError, "resource handle"), None),
    ("tf-variant", lambda: _tf_seen().data.experimental.to_variant(_tf().data.Dataset.range(2)), {}, Err(ub.UnsupportedInputError, "variant tensor"), None),
    ("tf-qint8", lambda: _tf_seen().constant([1], _tf().qint8), {}, Err(ub.UnsupportedInputError, "qint8"), None),
    ("tf-symbolic-tensor", _tf_graph_tensor, {}, Err(ub.UnsupportedInputError, "outside tf.function"), None),
    ("tf-indexed-slices", lambda: _tf().IndexedSlices(_tf().constant([[1.0]]), _tf().constant([0]), _tf().constant([2, 1])), {"backend": "torch"}, Err(ub.UnsupportedInputError, "tf.convert_to_tensor"), None),
    ("jax-deleted-array", _jax_deleted, {}, Err(ub.UnsupportedInputError, "has been deleted"), None),
    ("jax-leaked-tracer", _jax_leaked_tracer, {"backend": "torch"}, Err(ub.UnsupportedInputError, "JAX tracer"), None),
    ("dask-from-empty-wide", lambda: np.zeros((0, 10**6)), {"backend": "dask"}, Ok("float64", np.zeros((0, 10**6)), (0, 10**6)), None),
    ("dask-string-array", lambda: _da().from_array(np.array(["a", "b"]), chunks=1), {"backend": "dask"}, Err(ub.UnsupportedInputError, "unicode string"), None),
    ("dask-unknown-chunks", _dask_unknown_chunks, {"backend": "torch"}, Ok("float64", [7.0, 8.0, 9.0]), None),
    ("torch-sparse-coo", lambda: _torch().eye(3).to_sparse(), {}, Err(ub.UnsupportedInputError, ".to_dense()"), None),
    ("torch-sparse-csr", lambda: _torch().eye(3).to_sparse_csr(), {"backend": "tensorflow"}, Err(ub.UnsupportedInputError, "sparse_csr"), None),
    ("torch-parameter", lambda: _torch().nn.Parameter(_torch().ones(2)), {}, Ok("float32", [1.0, 1.0], check=_writable_detached), None),
    ("torch-requires-grad", lambda: _torch().arange(3.0, requires_grad=True), {}, Ok("float32", [0, 1, 2], check=_writable_detached), None),
    ("torch-requires-grad-to-tf", lambda: _torch().ones(2, requires_grad=True), {"backend": "tensorflow"}, Ok("float32", [1, 1]), None),
    ("torch-meta", lambda: _torch().empty(3, device="meta"), {}, Err(ub.UnsupportedInputError, "meta"), None),
    ("torch-meta-to-torch", lambda: _torch().empty(3, device="meta"), {"backend": "torch"}, Err(ub.UnsupportedInputError, "meta"), None),
    ("torch-nested", lambda: _torch().nested.nested_tensor([_torch().ones(2), _torch().ones(3)]), {}, Err(ub.UnsupportedInputError, "nested"), None),
    ("torch-complex32", lambda: _torch().ones(2, dtype=_torch().complex32), {}, Err(ub.UnsupportedInputError, "complex32"), None),
    ("torch-float8", lambda: _torch().ones(2).to(_torch().float8_e4m3fn), {}, Err(ub.UnsupportedInputError, "float8"), None),
    ("torch-fake-tensor", _torch_fake, {}, Err(ub.UnsupportedInputError, "no memory of its own"), None),
    ("torch-float8-to-torch", lambda: _torch().ones(2).to(_torch().float8_e4m3fn), {"backend": "torch"}, Err(ub.UnsupportedInputError, "float8"), None),
    ("jax-float8-to-jax", lambda: _jax().numpy.ones(2, _jax().numpy.float8_e4m3fn), {"backend": "jax"}, Err(ub.UnsupportedInputError, "float8"), None),
    ("torch-conj-copy-false", lambda: _torch().tensor([1 + 2j]).conj(), {"copy": False}, Err(ub.CopyRequiredError, "conjugate"), None),
    ("torch-conj-resolved", lambda: _torch().tensor([1 + 2j]).conj(), {}, Ok("complex64", [1 - 2j]), None),
    ("torch-uint16", lambda: _torch().arange(3).to(_torch().uint16), {"backend": "tensorflow"}, Ok("uint16", [0, 1, 2]), None),
    # -- pandas -----------------------------------------------------------------------
    ("pandas-frame-numeric", lambda: _pd().DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), {}, Ok("float64", [[1, 3], [2, 4]]), None),
    ("pandas-series-int", lambda: _pd().Series([1, 2, 3]), {"backend": "torch"}, Ok("int64", [1, 2, 3]), None),
    ("pandas-frame-mixed", lambda: _pd().DataFrame({"a": [1], "b": ["x"]}), {}, Err(ub.UnsupportedInputError, "object"), None),
    ("pandas-nullable-with-na", lambda: _pd().Series([1, None], dtype="Int64"), {}, Ok("float64", [1.0, np.nan]), None),
    ("pandas-series-str", lambda: _pd().Series(["a", "b"]), {}, Err(ub.UnsupportedInputError, "Series"), None),
    # -- bad arguments ------------------------------------------------------------------
    ("dtype-unknown-name", lambda: [1.0], {"dtype": "flaot32"}, Err(ub.UnsupportedInputError, "float32"), None),
    ("dtype-float128", lambda: [1.0], {"dtype": "float128"}, Err(ub.UnsupportedInputError, "float128"), None),
    ("dtype-int-value", lambda: [1.0], {"dtype": 5}, Err(ub.UnsupportedInputError, "cannot interpret 5"), None),
    ("dtype-object", lambda: [1.0], {"dtype": object}, Err(ub.UnsupportedInputError, "cannot interpret"), None),
    ("dtype-datetime", lambda: [1], {"dtype": np.dtype("M8[s]")}, Err(ub.UnsupportedInputError, "datetime"), None),
    ("dtype-torch-object", lambda: [1, 2], {"dtype": "torch.float32"}, Err(ub.UnsupportedInputError, "unknown dtype"), None),
    ("dtype-python-float", lambda: [1], {"dtype": float, "backend": "torch"}, Ok("float64", [1.0]), None),
    ("dtype-bfloat16-object", lambda: [1, 2], {"dtype": "bfloat16", "casting": "unsafe"}, Ok("bfloat16", [1, 2]), None),
    ("device-unknown-spelling", lambda: [1], {"device": "tpu"}, Err(ub.ConfigurationError, "allowed: cpu"), None),
    ("device-negative-index", lambda: [1], {"device": "gpu:-1"}, Err(ub.ConfigurationError, "allowed"), None),
    ("device-int", lambda: [1], {"device": 3}, Err(ub.ConfigurationError, "cannot interpret 3"), None),
    ("device-absent-gpu", lambda: [1], {"device": "gpu"}, Err(ub.DeviceUnavailableError, "available: cpu"), None),
    ("device-absent-cuda-torch", lambda: [1], {"device": "cuda:7", "backend": "torch"}, Err(ub.DeviceUnavailableError, "'cuda:7' (gpu:7)"), None),
    ("device-gpu-on-cpu-only-numpy", lambda: [1], {"device": "gpu"}, Err(ub.DeviceUnavailableError, "'numpy' runs on the CPU only"), None),
    ("device-gpu-on-cpu-only-dask", lambda: [1], {"device": "cuda", "backend": "dask"}, Err(ub.DeviceUnavailableError, "'dask' runs on the CPU only"), None),
    ("backend-unknown", lambda: [1], {"backend": "tourch"}, Err(ub.BackendNotFoundError, "registered: numpy"), None),
    ("backend-empty", lambda: [1], {"backend": ""}, Err(ub.BackendNotFoundError, "no backend named ''"), None),
    ("backend-unknown-uppercase", lambda: [1], {"backend": "TOURCH"}, Err(ub.BackendNotFoundError, "no backend named 'TOURCH'"), None),
    ("backend-uppercase-alias", lambda: [1.0], {"backend": "PT"}, Ok("float64", [1.0]), None),
    ("backend-list", lambda: [1], {"backend": ["torch"]}, Err(ub.BackendNotFoundError, "torch"), None),
    ("casting-unknown-with-dtype", lambda: [1.0], {"dtype": "float32", "casting": "bogus"}, Err(ub.ConfigurationError, "same_kind"), None),
    ("casting-unknown-without-dtype", lambda: [1.0], {"casting": "bogus"}, Err(ub.ConfigurationError, "same_kind"), None),
    ("copy-not-a-bool", lambda: np.ones(2), {"copy": "no"}, Err(ub.ConfigurationError, "copy"), None),
    ("narrowing-int-overflow", lambda: np.array([1, 2**40]), {"dtype": "int32"}, Err(ub.LossyCastError, "does not fit int32"), None),
    ("float-array-to-int-same-kind", lambda: np.array([1.0]), {"dtype": "int64"}, Err(ub.LossyCastError, "crosses kinds"), None),
    ("python-float-to-int-inexact", lambda: [1.5], {"dtype": "int64"}, Err(ub.LossyCastError, "no int64 value"), None),
    ("python-float-to-int-exact", lambda: [1.0, -2.0], {"dtype": "int32", "backend": "torch"}, Ok("int32", [1, -2]), None),
    ("float-overflow-to-float32", lambda: [1e300], {"dtype": "float32"}, Err(ub.LossyCastError, "overflows float32"), None),
    ("float-to-bfloat16-same-kind", lambda: [1.0, 2.0], {"dtype": "bfloat16"}, Ok("bfloat16", [1.0, 2.0]), None),
    ("float-overflow-to-bfloat16", lambda: [1e300], {"dtype": "bfloat16"}, Err(ub.LossyCastError, "overflows bfloat16"), None),
    ("copy-false-python-data", lambda: [1, 2], {"copy": False}, Err(ub.CopyRequiredError, "no array memory"), None),
    ("python-negative-to-uint64", lambda: [-1], {"dtype": "uint64"}, Err(ub.LossyCastError, "-1 does not fit uint64"), None),
    ("python-negative-to-uint64-safe", lambda: [-1], {"dtype": "uint64", "casting": "safe"}, Err(ub.LossyCastError, "-1 does not fit uint64"), None),
    ("python-huge-int-beside-a-float", lambda: [2**60 + 1, 0.5], {}, Err(ub.LossyCastError, "rounds the integer 1152921504606846977"), None),
    ("python-huge-ints-of-both-signs", lambda: [-1, 2**64 - 1], {}, Err(ub.LossyCastError, "rounds the integer 18446744073709551615"), None),
    ("python-complex-to-float", lambda: [1 + 1j], {"dtype": "float64"}, Err(ub.LossyCastError, "(1+1j) has no float64 value"), None),
    ("numpy-float64-scalar-to-int", lambda: np.float64(2.0), {"dtype": "int8"}, Err(ub.LossyCastError, "crosses kinds"), None),
    ("copy-false-array-method-that-copies", lambda: CopyOnly(), {"copy": False}, Err(ub.CopyRequiredError, "only as a copy"), None),
    ("dlpack-only-object", lambda: OnlyDLPack(np.arange(3.0)), {}, Ok("float64", [0.0, 1.0, 2.0], check=_shares), None),
    ("copy-false-readonly-to-torch", lambda: np.frombuffer(b"\0" * 8, np.float64), {"copy": False, "backend": "torch"}, Err(ub.CopyRequiredError, "read-only"), None),
]


def _check_values(out: Any, expect: Ok) -> None:
    got = ub.to_numpy(out)
    if expect.dtype == "bfloat16":
        got = got.astype(np.float64)
    want = np.asarray(expect.values, dtype=got.dtype if got.dtype.kind != "V" else None)
    assert got.shape == (expect.shape if expect.shape is not None else want.shape), got.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "make,kwargs,expect",
    [
        pytest.param(
            make,
            kwargs,
            expect,
            id=name,
            marks=[pytest.mark.xfail(reason=xfail, strict=True)] if xfail else [],
        )
        for name, make, kwargs, expect, xfail in CASES
    ],
)
def test_catalogue_input_gets_its_documented_outcome(make: Callable[[], Any], kwargs: dict[str, Any], expect: Ok | Err) -> None:
    backend = kwargs.get("backend")
    if isinstance(backend, str) and backend.lower() in ("torch", "pt", "tensorflow", "tf", "jax", "dask"):
        require({"pt": "torch", "tf": "tensorflow"}.get(backend.lower(), backend.lower()))
    inp = make()
    if isinstance(expect, Err):
        with pytest.raises(expect.cls) as info:
            ub.asarray(inp, **kwargs)
        assert isinstance(info.value, ub.UnibridgeError)
        assert expect.fragment in str(info.value), f"message {str(info.value)!r} lacks {expect.fragment!r}"
        return
    out = ub.asarray(inp, **kwargs)
    target = ub.get_backend(kwargs.get("backend") or ub.current().backend)
    assert target.is_array(out), type(out)
    assert ub.dtype_of(out) == expect.dtype
    _check_values(out, expect)
    if expect.check is not None:
        expect.check(inp, out)


def test_catalogue_has_at_least_40_rows() -> None:
    assert len(CASES) >= 40


# -- other entry points: (id, the call, expected outcome, xfail reason or None) -----------------------
# The same contract for calls other than asarray: one correct outcome each, never a foreign exception.
CALLS: list[tuple[str, Callable[[], Any], Ok | Err, str | None]] = [
    ("zeros-bytes-overflow-numpy", lambda: ub.zeros((2**31, 2**31)), Err(ub.ConfigurationError, "more than any process can address"), None),
    ("zeros-bytes-overflow-int8-fits", lambda: ub.zeros((0, 2**62), dtype="int8"), Ok("int8", np.zeros((0, 2**62), np.int8)), None),
    ("zeros-bytes-overflow-torch", lambda: (_torch(), ub.zeros((2**60,), dtype="float64", backend="torch"))[1], Err(ub.ConfigurationError, "needs 9223372036854775808 bytes"), None),
    ("zeros-bytes-overflow-tensorflow", lambda: (_tf(), ub.zeros((2**31, 2**31), dtype="float32", backend="tensorflow"))[1], Err(ub.ConfigurationError, "float32"), None),
    ("zeros-like-bytes-overflow", lambda: ub.zeros_like(np.zeros((2**40, 0)), dtype="float64", backend="numpy"), Ok("float64", np.zeros((2**40, 0))), None),
    ("zeros-empty-wide-dask", lambda: ub.zeros((0, 10**6), dtype="int8", backend=(_da(), "dask")[1]), Ok("int8", np.zeros((0, 10**6), np.int8)), None),
    ("to-numpy-dask-masked-chunks", lambda: ub.to_numpy(_da().ma.masked_array(_da().from_array(np.arange(2.0), chunks=1), mask=[0, 1])), Err(ub.UnsupportedInputError, "lose the mask"), None),
    ("to-numpy-jax-int4", lambda: ub.to_numpy(_jax().numpy.ones(2, _jax().numpy.int4)), Err(ub.UnsupportedInputError, "int4"), None),
    ("register-backend-name-with-space", lambda: ub.register_backend("my backend", "x:y"), Err(ub.ConfigurationError, "such as 'mybackend'"), None),
    ("register-backend-empty-name", lambda: ub.register_backend("", "x:y"), Err(ub.ConfigurationError, "non-empty"), None),
    ("register-backend-int-name", lambda: ub.register_backend(3, "x:y"), Err(ub.ConfigurationError, "got 3"), None),  # type: ignore[arg-type]
    ("register-backend-bad-alias", lambda: ub.register_backend("okname", "x:y", aliases=("a.b",)), Err(ub.ConfigurationError, "'a.b'"), None),
]


@pytest.mark.parametrize(
    "call,expect",
    [
        pytest.param(call, expect, id=name, marks=[pytest.mark.xfail(reason=xfail, strict=True)] if xfail else [])
        for name, call, expect, xfail in CALLS
    ],
)
def test_catalogue_call_gets_its_documented_outcome(call: Callable[[], Any], expect: Ok | Err) -> None:
    if isinstance(expect, Err):
        with pytest.raises(expect.cls) as info:
            call()
        assert isinstance(info.value, ub.UnibridgeError)
        assert expect.fragment in str(info.value), f"message {str(info.value)!r} lacks {expect.fragment!r}"
        return
    out = call()
    assert ub.dtype_of(out) == expect.dtype
    _check_values(out, expect)
    if expect.check is not None:
        expect.check(None, out)


def test_zeros_like_of_sparse_uses_only_shape_and_dtype() -> None:
    torch = _torch()
    z = ub.zeros_like(torch.eye(3).to_sparse(), backend="numpy")
    assert z.shape == (3, 3) and ub.dtype_of(z) == "float32" and not z.any()


@pytest.mark.parametrize(
    "shape,cls",
    [
        ("abc", ub.ConfigurationError),
        (-1, ub.ConfigurationError),
        ((2.7, 3), ub.ConfigurationError),
        ((2**40, 2**40), ub.ConfigurationError),
        (None, ub.ConfigurationError),
    ],
    ids=["str", "negative", "float-extent", "too-large", "none"],
)
def test_zeros_rejects_a_bad_shape_with_a_unibridge_error(shape: Any, cls: type[Exception]) -> None:
    with pytest.raises(cls):
        ub.zeros(shape)


def test_unsafe_complex_to_real_needs_no_warning_filter() -> None:
    out = ub.asarray(np.array([1 + 2j]), dtype="float64", casting="unsafe")
    assert out.tolist() == [1.0]


def test_cast_to_bfloat16_checks_values() -> None:
    out = ub.asarray(np.arange(4), dtype="bfloat16")
    assert ub.dtype_of(out) == "bfloat16"
    with pytest.raises(ub.LossyCastError):
        ub.asarray(np.array([1e300]), dtype="bfloat16")


# -- environment variables: a fresh interpreter each, read on first use ---------------
ENV_CASES = [
    ("UNIBRIDGE_BACKEND", "tourch", "BackendNotFoundError", ["UNIBRIDGE_BACKEND='tourch'", "installed here: numpy"]),
    ("UNIBRIDGE_BACKEND", "42", "BackendNotFoundError", ["UNIBRIDGE_BACKEND='42'"]),
    ("UNIBRIDGE_DEVICE", "tpu:0", "ConfigurationError", ["UNIBRIDGE_DEVICE='tpu:0'", "allowed: cpu, gpu"]),
    ("UNIBRIDGE_DEVICE", "gpu:3", "DeviceUnavailableError", ["gpu:3", "available: cpu", "environment"]),
    # quoted as written, not as the normalised gpu:0; numpy is CPU-only, so no GPU-driver advice
    ("UNIBRIDGE_DEVICE", "cuda", "DeviceUnavailableError", ["UNIBRIDGE_DEVICE='cuda'", "device 'cuda' (gpu:0)", "runs on the CPU only"]),
    ("UNIBRIDGE_DEFAULT_FLOAT", "float16", "ConfigurationError", ["UNIBRIDGE_DEFAULT_FLOAT='float16'", "float32, float64"]),
    ("UNIBRIDGE_DEFAULT_FLOAT", "int32", "ConfigurationError", ["UNIBRIDGE_DEFAULT_FLOAT='int32'"]),
    ("UNIBRIDGE_DEFAULT_FLOAT", "double", "ok:float64", []),  # NumPy's spellings are accepted
    ("UNIBRIDGE_BACKEND", " NP ", "ok:numpy", []),
    ("UNIBRIDGE_DEFAULT_FLOAT", "float32", "ok:float32", []),
]

_ENV_CHILD = r"""
import sys, numpy as np, unibridge as ub
try:
    x = ub.asarray([1.5])
except ub.UnibridgeError as e:
    print("ERR", type(e).__name__, str(e)); sys.exit(0)
print("OK", ub.current().backend, ub.dtype_of(x))
"""


@pytest.mark.parametrize(
    "var,value,outcome,fragments",
    [
        pytest.param(*case, id=f"{case[0]}={case[1].strip()}")
        for case in ENV_CASES
    ]
    + [
        pytest.param(
            "UNIBRIDGE_DEVICE", "gpu:3", "DeviceUnavailableError", ["UNIBRIDGE_DEVICE"],
            id="UNIBRIDGE_DEVICE=gpu:3-names-the-variable",
        )
    ],
)
def test_bad_environment_variable_raises_on_first_use_naming_it(var: str, value: str, outcome: str, fragments: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIBRIDGE_")}
    env[var] = value
    proc = subprocess.run([sys.executable, "-c", _ENV_CHILD], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]  # importing never raised, nothing aborted
    line = proc.stdout.strip().splitlines()[-1]
    if outcome.startswith("ok:"):
        assert line.startswith("OK"), line
        assert outcome[3:] in line, line
        return
    assert line.startswith(f"ERR {outcome} "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} missing from {line!r}"
