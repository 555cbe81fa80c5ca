"""The fuzz campaign: every input through every conversion path, copy mode and casting mode.

Run in a child process (``test_fuzz.py`` does), so that a process abort inside
a framework becomes a test failure instead of a dead test run::

    python -m tools.fuzz_campaign --targets tensorflow --examples 150

Every call must end in exactly one of two ways:

* a result that is bit-exact (dtype exact; values equal to NumPy's own cast when
  ``dtype=`` asked for one), whose ``shares_memory`` answer matches the ground
  truth found by flipping the source's bytes (see ``_gen.Sample``), that is
  independent for ``copy=True``, shared for ``copy=False``, never a writable
  alias of read-only memory, and that left the source buffer untouched;
* a :class:`unibridge.UnibridgeError` with a message, of a class the case
  allows (``CopyRequiredError`` only for ``copy=False``, ``LossyCastError``
  only where the casting policy forbids the cast or the values overflow).

Half the arrays hold values at and past the requested dtype's edges (both
bounds of an integer type; the overflow threshold of a float type, in the real
and the imaginary part), and a fixed list of edges runs first in every pair,
whatever hypothesis draws. Per target, Python data (scalars, lists, tuples,
nested lists; edges weighted) is converted inside ``use(target)`` and a nested
``use(device="cpu")`` under a drawn default float (:func:`check_python`); and
``shares_memory`` is fuzzed on byte ranges of a pretend device, weighted to the
adjacent and one-byte-overlap cases, against a flip of the bytes
(:func:`check_span_pair`).

The child prints one JSON line ``{"summary": ...}`` with the counts, and exits
non-zero with the falsifying example on the first failure. Before each example
it writes the input's description to ``--last`` so that a hard abort still
says which input killed it.

Open bugs from ``FINDINGS.md`` that the fuzzer keeps hitting are recognised by
their signature *only while a probe still reproduces them*; once the lead fixes
one, the same signature becomes a failure again.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import sys
import time
import warnings
from collections import Counter
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import unibridge as ub
from unibridge._dlpack import dlpack_span

from unibridge.config import reset_defaults

from ._gen import (
    DTYPES,
    EXPLICIT_SPAN_PAIRS,
    Sample,
    alias_bytes,
    as_bytes,
    edge_samples,
    expected_cast,
    explicit_edge_samples,
    explicit_python_data,
    flip_mask,
    numpy_dtype,
    overflows,
    python_data,
    samples,
    span_pairs,
)

CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")
COUNTS: Counter[str] = Counter()


# Backends whose arrays are lazy: a cast's value check runs when the array is computed.
LAZY_TARGETS = frozenset({"dask"})


class FuzzFailure(AssertionError):
    """A call that ended neither in a correct result nor in an allowed unibridge error."""


# -- open bugs, recognised only while they still reproduce ---------------------
def _probe_f1() -> bool:
    try:
        ub.asarray(np.array([1.0]), dtype="bfloat16", backend="numpy")
    except ValueError as exc:
        return "not inexact" in str(exc) and not isinstance(exc, ub.UnibridgeError)
    return False


def _probe_f5() -> bool:
    if "torch" not in TARGETS_AVAILABLE:
        return False
    base = np.zeros(64, np.uint8)
    a = np.lib.stride_tricks.as_strided(base[8:].view(np.float64), shape=(1, 3), strides=(3, 8))
    try:
        ub.asarray(a, backend="torch")
    except ValueError as exc:
        return not isinstance(exc, ub.UnibridgeError)
    return False


def _probe_f15() -> bool:
    if "torch" not in TARGETS_AVAILABLE:
        return False
    raw = np.zeros(256, np.uint8)
    a = np.ndarray((5,), np.complex128, raw, (-raw.ctypes.data) % 64 + 8, (0,))
    t = ub.asarray(a, backend="torch")
    return bool(t.data_ptr() % 16)


KNOWN: dict[str, tuple[type[BaseException], str, Any]] = {
    "F1": (ValueError, "not inexact", _probe_f1),
    "F5": (ValueError, "strides not a multiple of the element byte size", _probe_f5),
    "F15": (RuntimeError, "<never raised: a segfault, guarded in compute_on>", _probe_f15),
}
ACTIVE_KNOWN: dict[str, tuple[type[BaseException], str]] = {}
TARGETS_AVAILABLE: list[str] = []


def _known(exc: BaseException) -> str | None:
    if isinstance(exc, ub.UnibridgeError):
        return None
    for key, (cls, fragment) in ACTIVE_KNOWN.items():
        if isinstance(exc, cls) and fragment in str(exc):
            return key
    return None


_LACKS: dict[tuple[str, str], bool] = {}


def lacks(backend: str, dtype: str) -> bool:
    """Whether ``backend`` has no ``dtype`` at all (array-api-strict: float16 and bfloat16).

    Converting such data into it must raise UnsupportedInputError; nothing else may.
    """
    key = (backend, dtype)
    if key not in _LACKS:
        try:
            ub.zeros((1,), dtype=dtype, backend=backend)
            _LACKS[key] = False
        except ub.UnsupportedInputError:
            _LACKS[key] = True
    return _LACKS[key]


# -- sources -------------------------------------------------------------------
def _shareable_by_torch(a: np.ndarray[Any, Any]) -> bool:
    return bool(
        a.flags.writeable
        and a.dtype.isnative
        and a.flags.aligned
        and all(s >= 0 and s % a.dtype.itemsize == 0 for s in a.strides)
        and not _torch_misaligned_complex(a)
    )


def _torch_misaligned_complex(a: np.ndarray[Any, Any]) -> bool:
    """c10::complex<T> is alignas(2*sizeof(T)); NumPy only aligns complex to sizeof(T) (F15)."""
    return bool(a.dtype.kind == "c" and a.size and a.ctypes.data % a.dtype.itemsize)



def make_source(name: str, sample: Sample) -> tuple[Any, np.ndarray[Any, Any] | None, np.ndarray[Any, Any]]:
    """``(source object, writable alias of its memory, its values as NumPy)``."""
    a = sample.array
    if name == "numpy":
        return a, sample.raw, a
    native = np.array(a, dtype=a.dtype.newbyteorder("=") if not a.dtype.isnative else a.dtype, order="C", copy=True)
    if name == "torch":
        import torch

        if _shareable_by_torch(a):  # the framework's own zero-copy call, over our buffer
            bits = a.view(np.int16) if a.dtype.name == "bfloat16" else a
            t = torch.from_numpy(bits)
            t = t.view(torch.bfloat16) if a.dtype.name == "bfloat16" else t
            return t, sample.raw, a
        bits = native.view(np.int16) if native.dtype.name == "bfloat16" else native
        t = torch.from_numpy(bits)
        t = t.view(torch.bfloat16) if native.dtype.name == "bfloat16" else t
    elif name == "tensorflow":
        import tensorflow as tf

        t = tf.constant(native)
    else:  # a plugin backend: its own array, made through unibridge from a fresh copy
        if lacks(name, str(ub.dtype_of(a))):
            reject()  # no such array exists on this backend (strict has no float16/bfloat16)
        t = ub.asarray(native, backend=name, copy=True)
    return t, _alias_of(t, native.size), native


def _alias_of(t: Any, size: int) -> np.ndarray[Any, Any] | None:
    """A writable alias of a framework array's own memory; None when it has no memory of its own.

    A lazy array (dask) has no buffer until computed, so aliasing has no ground
    truth there: its sharing checks are skipped, its values are still checked.
    """
    if size == 0:
        return np.zeros(0, np.uint8)
    if not hasattr(t, "__dlpack__"):
        return None
    span = dlpack_span(t)
    return alias_bytes(span[0], span[1] - span[0]) if span else np.zeros(0, np.uint8)


# -- one call ------------------------------------------------------------------
def _read(x: Any) -> bytes:
    return as_bytes(ub.to_numpy(x, copy=True))


def _truth(raw: np.ndarray[Any, Any], mask: int, out: Any) -> bool:
    """Flip every byte the source can see and watch the result (then flip back)."""
    if raw.size == 0:
        return False
    before = _read(out)
    np.bitwise_xor(raw, mask, out=raw)
    try:
        after = _read(out)
    finally:
        np.bitwise_xor(raw, mask, out=raw)
    return before != after


def _must_share(source: str, target: str, values: np.ndarray[Any, Any], src: Any) -> bool:
    """Cases where ``copy=False`` has an obvious zero-copy path and must not raise."""
    if values.size == 0:
        return False
    if source == target and source in ("numpy", "torch", "tensorflow"):
        return True
    if target == "numpy" and source in ("torch", "tensorflow"):
        return True
    if source == "numpy":
        view = values
    elif source == "torch":
        view = ub.to_numpy(src, copy=False)
    else:
        return False
    if target == "torch":
        return _shareable_by_torch(view)
    if target == "tensorflow":
        return bool(_shareable_by_torch(view) and view.flags.c_contiguous and view.ctypes.data % 64 == 0)
    return False


def check_call(
    source: str,
    target: str,
    src: Any,
    raw: np.ndarray[Any, Any] | None,
    values: np.ndarray[Any, Any],
    copy: bool | None,
    dtype: str | None,
    casting: str,
    desc: str,
) -> None:
    src_dtype = str(ub.dtype_of(values))
    want = dtype or src_dtype
    verdict = "ok" if dtype is None else expected_cast(src_dtype, want, casting, values)
    where = f"{source}->{target} copy={copy} dtype={dtype} casting={casting} | {desc}"
    COUNTS["calls"] += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = ub.asarray(src, backend=target, copy=copy, dtype=dtype, casting=casting)
        except ub.UnibridgeError as exc:
            COUNTS[type(exc).__name__] += 1
            if not str(exc).strip():
                raise FuzzFailure(f"{type(exc).__name__} with an empty message: {where}") from exc
            if isinstance(exc, ub.CopyRequiredError):
                if copy is not False:
                    raise FuzzFailure(f"CopyRequiredError without copy=False: {where}") from exc
                if want == src_dtype and _must_share(source, target, values, src):
                    raise FuzzFailure(f"copy=False refused an obvious zero-copy case ({exc}): {where}") from exc
                return
            if isinstance(exc, ub.LossyCastError):
                if verdict not in ("lossy", "either"):
                    raise FuzzFailure(f"LossyCastError for an allowed cast ({exc}): {where}") from exc
                return
            if isinstance(exc, ub.UnsupportedInputError) and lacks(target, want):
                return
            raise FuzzFailure(f"unexpected {type(exc).__name__}: {exc}: {where}") from exc
        except Exception as exc:
            key = _known(exc)
            if key is not None:
                COUNTS[f"known:{key}"] += 1
                return
            raise FuzzFailure(f"non-unibridge exception {type(exc).__name__}: {exc}: {where}") from exc
    for w in caught:
        if issubclass(w.category, np.exceptions.ComplexWarning) and casting != "unsafe":
            raise FuzzFailure(f"ComplexWarning (imaginary part dropped) under casting={casting}: {where}")

    COUNTS["results"] += 1
    if verdict == "lossy" and target in LAZY_TARGETS:
        # A lazy array's value check is part of its graph: the error comes when it is computed.
        try:
            ub.to_numpy(out)
        except ub.LossyCastError:
            COUNTS["LossyCastError at compute"] += 1
            return
    if verdict == "lossy":
        raise FuzzFailure(f"the cast should have raised LossyCastError but gave a result: {where}")
    backend = ub.get_backend(target)
    if not backend.is_array(out):
        raise FuzzFailure(f"result is a {type(out).__name__}, not a {target} array: {where}")
    if ub.dtype_of(out) != want:
        raise FuzzFailure(f"dtype {ub.dtype_of(out)} instead of {want}: {where}")
    if dtype is None or dtype == src_dtype:
        expected = as_bytes(values)
    else:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            expected = as_bytes(values.astype(numpy_dtype(want)))
    got_array = ub.to_numpy(out)
    got = as_bytes(got_array)
    cast_nan_payload = dtype not in (None, src_dtype) and _same_but_nan_payloads(got_array, values, want)
    if got != expected and not cast_nan_payload and not _undefined_cast_only(values, got_array, want, casting):
        raise FuzzFailure(f"values differ from the source's bits: {where}")
    if tuple(ub.get_backend(target).shape_of(out)) != values.shape:
        raise FuzzFailure(f"shape {ub.get_backend(target).shape_of(out)} instead of {values.shape}: {where}")

    compute_on(target, out)
    claimed = ub.shares_memory(src, out)
    if raw is None:  # no memory of its own (lazy): nothing to check aliasing against
        return
    truth = _truth(raw, flip_mask(src_dtype), out)
    if claimed != truth:
        raise FuzzFailure(f"shares_memory said {claimed}, reality {truth}: {where}")
    if copy is True and truth:
        raise FuzzFailure(f"copy=True returned memory shared with the source: {where}")
    if copy is False and want == src_dtype and values.size and not truth:
        raise FuzzFailure(f"copy=False returned a copy: {where}")
    if truth:
        COUNTS["shared"] += 1
        read_only_src = (source == "numpy" and not values.flags.writeable) or source == "tensorflow"
        if read_only_src and _writable(out):
            raise FuzzFailure(f"a writable result aliases read-only memory: {where}")


def compute_on(target: str, out: Any) -> None:
    """Run a framework kernel on the result: the abort traps fire on compute, not on import."""
    if target == "torch":
        if "F15" in ACTIVE_KNOWN and out.is_complex() and out.numel() and out.data_ptr() % out.element_size():
            COUNTS["known:F15"] += 1  # torch segfaults on this (open bug): do not crash the campaign
            return
        out.clone()
        out.contiguous()
    elif target == "tensorflow":
        import tensorflow as tf

        tf.raw_ops.DeepCopy(x=out)  # aborts on a misaligned import (docs/framework-facts.md, "TensorFlow DLPack import: alignment"), like any compute


def _same_but_nan_payloads(got: np.ndarray[Any, Any], values: np.ndarray[Any, Any], want: str) -> bool:
    """True when a cast's result equals NumPy's except in the bits of NaNs.

    A NaN's payload is not a value: torch's float16 -> float32 quiets a signalling NaN
    where NumPy keeps its bits, and both are the NaN the cast must give.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = values.astype(numpy_dtype(want))
    if expected.dtype.kind not in "fcV" or got.shape != expected.shape:
        return False
    wide = np.complex128 if expected.dtype.kind == "c" else np.float64
    g, e = np.asarray(got).astype(wide), expected.astype(wide)  # exact upcasts
    numbers = ~(np.isnan(e.real) | np.isnan(e.imag))
    return bool(np.array_equal(g, e, equal_nan=True)
                and np.array_equal(np.signbit(g.real)[numbers], np.signbit(e.real)[numbers]))  # -0.0 stays -0.0


def _undefined_cast_only(values: np.ndarray[Any, Any], got: np.ndarray[Any, Any], want: str, casting: str) -> bool:
    """True when ``got`` differs from NumPy's cast only where C leaves the result undefined.

    Under ``casting="unsafe"`` a NaN, an infinity or an out-of-range float cast to an
    integer has no defined value: NumPy's SIMD and scalar loops give different bits
    depending on memory alignment, so only the in-range elements are compared.
    """
    if casting != "unsafe" or values.dtype.kind not in "fcV" or np.dtype(got.dtype).kind not in "iu":
        return False
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        real = np.asarray(values.real if values.dtype.kind == "c" else values).astype(np.float64)
        info = np.iinfo(got.dtype)
        defined = np.isfinite(real) & (np.trunc(real) >= info.min) & (np.trunc(real) < float(info.max) + 1)
        expected = values.astype(got.dtype)
    return bool(np.array_equal(np.asarray(got)[defined], expected[defined]))


def check_zeros_like(source: str, target: str, src: Any, values: np.ndarray[Any, Any], desc: str) -> None:
    """``zeros_like`` takes only shape and dtype: fresh zeros, never an alias of the source."""
    COUNTS["calls"] += 1
    if lacks(target, str(ub.dtype_of(values))):
        try:
            ub.zeros_like(src, backend=target)
        except ub.UnsupportedInputError:
            return
        raise FuzzFailure(f"zeros_like made a {ub.dtype_of(values)} array, which {target} lacks: {source}->{target} | {desc}")
    z = ub.zeros_like(src, backend=target)
    where = f"zeros_like {source}->{target} | {desc}"
    if ub.dtype_of(z) != ub.dtype_of(values) or tuple(ub.get_backend(target).shape_of(z)) != values.shape:
        raise FuzzFailure(f"zeros_like gave {ub.dtype_of(z)} {ub.get_backend(target).shape_of(z)}: {where}")
    if np.asarray(ub.to_numpy(z), dtype=bool).any() if ub.dtype_of(z) != "bfloat16" else ub.to_numpy(z).view(np.uint16).any():
        raise FuzzFailure(f"zeros_like is not all zeros: {where}")
    if ub.shares_memory(src, z):
        raise FuzzFailure(f"zeros_like aliases its template: {where}")


def _writable(out: Any) -> bool:
    if isinstance(out, np.ndarray):
        return bool(out.flags.writeable)
    return type(out).__module__.partition(".")[0] == "torch"


# -- the campaign --------------------------------------------------------------
def _dtype_requests() -> Any:
    return st.tuples(st.sampled_from(DTYPES), st.sampled_from(CASTINGS))


def run_pair(source: str, target: str, examples: int, last: str | None) -> int:
    ran = 0

    # The edges first, explicitly: every run converts them, whatever hypothesis draws below.
    for sample, request, casting in explicit_edge_samples():
        if last:
            with open(last, "w") as fh:
                fh.write(f"{source}->{target} {sample.desc} request={request}/{casting}\n")
        try:
            src, raw, values = make_source(source, sample)
        except Exception:  # noqa: BLE001 - hypothesis' reject() outside a test: no such source array
            continue
        for copy in (None, True, False):
            check_call(source, target, src, raw, values, copy, request, casting, sample.desc)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(data=st.data())
    def campaign(data: st.DataObject) -> None:
        nonlocal ran
        request, casting = data.draw(_dtype_requests(), label="dtype request")
        # Half the inputs hold values at and past the requested dtype's edges (both bounds; the
        # real and the imaginary part), where a forgotten bound or part is found.
        sample = data.draw(st.one_of(samples(), edge_samples(request)), label="input")
        if last:
            with open(last, "w") as fh:
                fh.write(f"{source}->{target} {sample.desc} request={request}/{casting}\n")
        faulthandler.dump_traceback_later(120, exit=True)  # a hang ends the child, with a traceback
        try:
            src, raw, values = make_source(source, sample)
            before = raw.tobytes() if raw is not None else b""
            for copy in (None, True, False):
                check_call(source, target, src, raw, values, copy, None, "same_kind", sample.desc)
                check_call(source, target, src, raw, values, copy, request, casting, sample.desc)
            check_zeros_like(source, target, src, values, sample.desc)
            if raw is not None and raw.tobytes() != before:
                raise FuzzFailure(f"the source buffer was modified: {source}->{target} | {sample.desc}")
            ran += 1
        finally:
            faulthandler.cancel_dump_traceback_later()
            sample.close()

    campaign()
    return ran


def check_python(target: str, obj: Any, default_float: str) -> None:
    """Python data, converted with no ``backend=`` inside ``use(target)`` and a nested
    ``use(device="cpu")``, under a drawn default float: it must land on ``target`` (the nested
    block keeps the enclosing backend), with NumPy's inference where the default float is float64
    and float32/complex64 for Python floats/complexes where it is float32, with the values of
    NumPy's own cast, or a LossyCastError exactly where a finite value would become infinite."""
    where = f"use({target!r}) > use(device='cpu'): asarray({obj!r}) default_float={default_float}"
    COUNTS["python calls"] += 1
    try:
        a: np.ndarray[Any, Any] | None = np.asarray(obj)
    except (OverflowError, ValueError):
        a = None
    ub.configure(default_float=default_float)
    error: ub.UnibridgeError | None = None
    try:
        with ub.use(target):
            with ub.use(device="cpu"):
                out = ub.asarray(obj)
    except ub.UnibridgeError as exc:
        error = exc
    except Exception as exc:
        raise FuzzFailure(f"non-unibridge exception {type(exc).__name__}: {exc}: {where}") from exc
    finally:
        reset_defaults()
    if a is None or a.dtype.kind == "O":
        if not isinstance(error, ub.UnsupportedInputError):
            raise FuzzFailure(f"data NumPy cannot hold in one 64-bit type gave {error!r}: {where}")
        return
    want = a.dtype
    if default_float == "float32" and a.dtype.kind in "fc":
        want = np.dtype(np.float32 if a.dtype.kind == "f" else np.complex64)
    want_name = str(ub.dtype_of(np.empty(0, want)))
    if lacks(target, want_name):
        if not isinstance(error, ub.UnsupportedInputError):
            raise FuzzFailure(f"{target} lacks {want_name}, but the conversion gave {error!r}: {where}")
        return
    lossy = want != a.dtype and overflows(a, want_name)
    if isinstance(error, ub.LossyCastError):
        if not lossy:
            raise FuzzFailure(f"LossyCastError ({error}) where every value fits {want_name}: {where}")
        return
    if error is not None:
        raise FuzzFailure(f"unexpected {type(error).__name__}: {error}: {where}")
    if lossy:
        raise FuzzFailure(f"a finite value became infinite in {want_name} without LossyCastError: {where}")
    if not ub.get_backend(target).is_array(out):
        raise FuzzFailure(f"the result is a {type(out).__module__}.{type(out).__name__}, not a {target} array: {where}")
    if ub.dtype_of(out) != want_name:
        raise FuzzFailure(f"dtype {ub.dtype_of(out)} instead of {want_name}: {where}")
    with np.errstate(all="ignore"):
        expected = as_bytes(a.astype(want))
    if as_bytes(ub.to_numpy(out)) != expected:
        raise FuzzFailure(f"values differ from NumPy's own cast to {want_name}: {where}")


def run_python(target: str, examples: int, last: str | None) -> int:
    for obj, default_float in explicit_python_data():
        check_python(target, obj, default_float)
    ran = 0

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              print_blob=True)
    @given(obj=python_data(), default_float=st.sampled_from(["float32", "float64"]))
    def campaign(obj: Any, default_float: str) -> None:
        nonlocal ran
        if last:
            with open(last, "w") as fh:
                fh.write(f"python data -> {target}: {obj!r} default_float={default_float}\n")
        check_python(target, obj, default_float)
        ran += 1

    campaign()
    return ran


class _PretendDeviceArray:
    """An array of a pretend accelerator, backed by host bytes ``buf[lo:hi]``: ``shares_memory``
    answers for it from ``memory_span`` alone, as it does for every GPU array."""

    def __init__(self, buf: np.ndarray[Any, Any], lo: int, hi: int) -> None:
        self.buf, self.lo, self.hi = buf, lo, hi


def _register_pretend_device() -> None:
    from unibridge.adapters.numpy import NumpyBackend

    gpu = ub.Device("gpu", 0)

    class PretendDevice(NumpyBackend):
        name = "fuzzdevice"
        array_modules = (_PretendDeviceArray.__module__.partition(".")[0],)

        def is_array(self, x: Any) -> bool:
            return isinstance(x, _PretendDeviceArray)

        def devices(self) -> list[ub.Device]:
            return [ub.CPU, gpu]

        def device_of(self, x: Any) -> ub.Device:
            return gpu

        def memory_span(self, x: Any) -> tuple[ub.Device, int, int]:
            base = x.buf.ctypes.data
            return gpu, base + x.lo, base + x.hi

        def numpy_view_fast_path(self) -> None:
            return None

    ub.register_backend("fuzzdevice", PretendDevice)


def check_span_pair(a_range: tuple[int, int], b_range: tuple[int, int]) -> None:
    """``shares_memory`` of two pretend-device arrays against reality: flip one's bytes, watch the other's."""
    COUNTS["span pairs"] += 1
    buf = np.zeros(80, np.uint8)
    (alo, ahi), (blo, bhi) = ((max(0, lo), min(80, hi)) for lo, hi in (a_range, b_range))
    if alo >= ahi or blo >= bhi:
        return
    a, b = _PretendDeviceArray(buf, alo, ahi), _PretendDeviceArray(buf, blo, bhi)
    before = buf[blo:bhi].copy()
    np.bitwise_xor(buf[alo:ahi], 0xFF, out=buf[alo:ahi])
    truth = not np.array_equal(buf[blo:bhi], before)
    np.bitwise_xor(buf[alo:ahi], 0xFF, out=buf[alo:ahi])
    for x, y in ((a, b), (b, a)):
        if ub.shares_memory(x, y) != truth:
            raise FuzzFailure(f"shares_memory of device bytes [{alo}, {ahi}) and [{blo}, {bhi}) said "
                              f"{not truth}, reality {truth}")


def run_spans(examples: int) -> int:
    _register_pretend_device()
    for pair in EXPLICIT_SPAN_PAIRS:
        check_span_pair(*pair)
    ran = 0

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              print_blob=True)
    @given(pair=span_pairs())
    def campaign(pair: tuple[tuple[int, int], tuple[int, int]]) -> None:
        nonlocal ran
        check_span_pair(*pair)
        ran += 1

    campaign()
    return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", default="all")
    parser.add_argument("--targets", default="all")
    parser.add_argument("--examples", type=int, default=150, help="hypothesis examples per (source, target) pair")
    parser.add_argument("--last", default=None, help="file to write each input's description to before running it")
    args = parser.parse_args(argv)

    available = [b.name for b in ub.backends() if b.available]
    TARGETS_AVAILABLE[:] = available
    for key, (cls, fragment, probe) in KNOWN.items():
        if probe():
            ACTIVE_KNOWN[key] = (cls, fragment)
    sources = available if args.sources == "all" else args.sources.split(",")
    targets = available if args.targets == "all" else args.targets.split(",")
    started = time.perf_counter()
    per_pair: dict[str, int] = {}
    failure = None
    for target in targets:
        for source in sources:
            try:
                per_pair[f"{source}->{target}"] = run_pair(source, target, args.examples, args.last)
            except Exception as exc:  # noqa: BLE001 - reported below, with hypothesis' example
                failure = f"{source}->{target}: {type(exc).__name__}: {exc}"
                import traceback

                traceback.print_exc()
                break
        if failure:
            break
        try:
            per_pair[f"python->{target}"] = run_python(target, args.examples, args.last)
        except Exception as exc:  # noqa: BLE001
            failure = f"python->{target}: {type(exc).__name__}: {exc}"
            import traceback

            traceback.print_exc()
            break
    if not failure:
        try:
            per_pair["device spans"] = run_spans(args.examples)
        except Exception as exc:  # noqa: BLE001
            failure = f"device spans: {type(exc).__name__}: {exc}"
            import traceback

            traceback.print_exc()
    summary = {
        "pairs": per_pair,
        "examples": sum(per_pair.values()),
        "counts": dict(COUNTS),
        "known_open_bugs_seen": sorted(ACTIVE_KNOWN),
        "seconds": round(time.perf_counter() - started, 1),
        "failure": failure,
    }
    print(json.dumps({"summary": summary}), flush=True)
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
