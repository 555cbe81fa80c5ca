"""Input generation and ground truth for the fuzz campaign.

A :class:`Sample` is a NumPy array laid over a buffer this module owns, plus a
*writable* uint8 alias of that whole buffer. The alias is the ground truth for
aliasing: XOR-ing it (and XOR-ing back) changes every byte the array can see,
also when the array itself is read-only (a read-only flag, ``bytes``, a
read-only memory map), so "does the result share memory?" is answered by
reality, never by another unibridge call.

Layouts cover what ``tests/_strategies.py`` does and more: 0-d to 6-d shapes
with empty and length-1 axes, positive, negative and zero strides, strides that
are not a multiple of the item size, any address modulo 64 (element-misaligned
too), non-native byte order, read-only flags, ``np.memmap`` files (read-write
and read-only) and ``bytes`` objects. Values are random bits with NaN payloads
(quiet and signalling), signed zeros, subnormals, infinities and extremes
written in.
"""

from __future__ import annotations

import ctypes
import math
import os
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st

from unibridge._memory import address
from unibridge.dtypes import all_dtypes

DTYPES = [str(d) for d in all_dtypes()]
STORAGES = ("heap", "heap", "heap", "readonly_flag", "memmap_rw", "memmap_ro", "bytes")
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def numpy_dtype(name: str) -> np.dtype[Any]:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def finfo(dt: np.dtype[Any]) -> Any:
    if dt.name == "bfloat16":
        import ml_dtypes

        return ml_dtypes.finfo(dt)
    return np.finfo(dt)


@dataclass
class Sample:
    """A NumPy array over a buffer we own, and a writable alias of that buffer."""

    array: np.ndarray[Any, Any]
    raw: np.ndarray[Any, Any]  # writable uint8 alias of every byte ``array`` can see
    desc: str
    keep: list[Any] = field(default_factory=list)  # mmaps, files, bytes objects

    def close(self) -> None:
        """Drop our references; mappings are unmapped when the last view goes (never earlier)."""
        self.keep.clear()


def alias_bytes(lo: int, n: int) -> np.ndarray[Any, Any]:
    """A writable uint8 NumPy array over ``n`` bytes at address ``lo`` (heap memory only)."""
    if n == 0:
        return np.zeros(0, np.uint8)
    return np.ctypeslib.as_array((ctypes.c_uint8 * n).from_address(lo))


def flip_mask(dtype_name: str) -> int:
    """XOR mask that changes every element's value and keeps it valid (bools stay 0/1)."""
    return 0x01 if dtype_name == "bool" else 0xFF


def _specials(dt: np.dtype[Any]) -> list[np.ndarray[Any, Any]]:
    """Special values as 0-d arrays of the *native* version of ``dt`` (bits exact)."""
    native = dt.newbyteorder("=") if dt.byteorder not in "=|" else dt
    if native.kind == "b":
        return [np.array(True), np.array(False)]
    if native.kind in "iu":
        info = np.iinfo(native)
        return [np.array(v, native) for v in (info.min, info.max, 0, 1, info.max // 2 + 1)]
    part = native if native.kind != "c" else np.dtype(f"f{native.itemsize // 2}")
    fi = finfo(part)
    uint = _UINT[part.itemsize]
    inf_bits = int(np.array(np.inf, part).view(uint))
    quiet = int(np.array(np.nan, part).view(uint))
    values = [
        np.array(-0.0, part),
        np.array(fi.smallest_subnormal, part),
        np.array(-fi.smallest_subnormal, part),
        np.array(fi.tiny, part),
        np.array(fi.max, part),
        np.array(-fi.max, part),
        np.array(np.inf, part),
        np.array(-np.inf, part),
        np.array(inf_bits | 1, uint).view(part),  # signalling NaN, payload 1
        np.array(quiet | 0x5, uint).view(part),  # quiet NaN with a payload
        np.array(quiet | (1 << (part.itemsize * 8 - 1)), uint).view(part),  # negative NaN
    ]
    if native.kind != "c":
        return [v.astype(native) if native.name != part.name else v for v in values]
    out = []
    for i, re in enumerate(values):
        im = values[(i * 7 + 3) % len(values)]
        pair = np.array([re, im]).astype(part)
        out.append(pair.view(native).reshape(()))
    return out


@st.composite
def shapes(draw: Any) -> tuple[int, ...]:
    ndim = draw(st.integers(0, 6))
    big = 7 if ndim <= 2 else (4 if ndim <= 4 else 3)
    side = st.sampled_from([0] + [1] * 3 + [2] * 3 + list(range(3, big + 1)) * 2)
    dims = tuple(draw(side) for _ in range(ndim))
    while int(np.prod(dims, dtype=np.int64)) > 96:  # keep examples small and fast
        dims = tuple(max(1, d - 1) if d > 1 else d for d in dims)
    return dims


@st.composite
def samples(draw: Any, dtype: str | None = None, storages: tuple[str, ...] = STORAGES) -> Sample:
    """An array of a drawn dtype, shape, layout, storage, byte order and values."""
    dtype = dtype or draw(st.sampled_from(DTYPES))
    dt = numpy_dtype(dtype)
    if dt.itemsize > 1 and dtype != "bfloat16" and draw(st.integers(0, 5)) == 0:
        dt = dt.newbyteorder("S")
    shape = draw(shapes())
    item = dt.itemsize
    ndim = len(shape)

    # Strides: a (possibly permuted) padded C layout, times a step per axis
    # (negative and zero included), optionally nudged off the item size.
    order = list(range(ndim))
    if ndim > 1 and draw(st.booleans()):
        order = draw(st.permutations(order))
    steps = [draw(st.sampled_from([1, 1, 1, 2, -1, -2, 3, 0])) for _ in range(ndim)]
    natural = [0] * ndim
    acc = item
    for axis in reversed(order):
        natural[axis] = acc
        acc *= max(shape[axis], 1) * (abs(steps[axis]) or 1)
    strides = [natural[i] * steps[i] for i in range(ndim)]
    if ndim and draw(st.integers(0, 7)) == 0:
        axis = draw(st.integers(0, ndim - 1))
        strides[axis] += draw(st.sampled_from([1, -1, 3]))  # not a multiple of the item size
    low = sum((n - 1) * s for n, s in zip(shape, strides) if s < 0 and n > 0)
    high = sum((n - 1) * s for n, s in zip(shape, strides) if s > 0 and n > 0)
    span = high - low + item
    mod64 = draw(st.sampled_from([0, 0, item % 64, 16, 32, 8, 1, 3]))
    storage = draw(st.sampled_from(storages))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_raw = span + 2 * 64
    content = rng.integers(0, 256, n_raw, dtype=np.uint8)
    if dtype == "bool":
        content &= 1

    keep: list[Any] = []
    if storage in ("heap", "readonly_flag"):
        backing = content.copy()
        raw = backing
        base_addr = address(backing)
    elif storage == "bytes":
        blob = content.tobytes()
        keep.append(blob)
        backing = np.frombuffer(blob, np.uint8)
        base_addr = address(backing)
        raw = alias_bytes(base_addr, n_raw)  # bytes memory is heap: writable underneath
    else:  # a file mapped read-write, and (memmap_ro) a second read-only mapping of it
        fd, path = tempfile.mkstemp(prefix="ub-fuzz-", suffix=".bin")
        os.write(fd, content.tobytes())
        os.close(fd)
        try:
            rw = np.memmap(path, np.uint8, mode="r+", shape=(n_raw,))
            ro = np.memmap(path, np.uint8, mode="r", shape=(n_raw,)) if storage == "memmap_ro" else rw
        finally:
            os.unlink(path)  # the mappings keep the file alive
        keep.extend({id(m): m._mmap for m in (rw, ro)}.values())  # type: ignore[attr-defined]
        raw = rw  # writes through the shared r+ mapping show through the read-only one
        backing = ro
        base_addr = address(backing)
    pad = (mod64 - (base_addr - low)) % 64
    offset = pad - low
    arr = np.ndarray(shape, dt, buffer=backing, offset=offset, strides=tuple(strides))
    writable_view = np.ndarray(shape, dt, buffer=raw, offset=offset, strides=tuple(strides))
    if arr.size and (dt.kind in "fciu" or dtype == "bfloat16") and draw(st.booleans()):
        specials = _specials(dt)
        picks = draw(st.lists(st.integers(0, len(specials) - 1), min_size=1, max_size=6))
        for flat, pick in zip(rng.integers(0, arr.size, len(picks)), picks):
            idx = np.unravel_index(int(flat), shape) if shape else ()
            writable_view[idx] = specials[pick]  # assignment handles the byte order
    if storage == "readonly_flag":
        arr.flags.writeable = False
    desc = (
        f"dtype={dt.str if dtype != 'bfloat16' else 'bfloat16'} shape={shape} strides={tuple(strides)} "
        f"addr%64={address(arr) % 64 if arr.size else '-'} storage={storage} seed={seed}"
    )
    return Sample(arr, raw, desc, keep)


def as_bytes(a: Any) -> bytes:
    """The values' bits in a canonical layout (C order, native byte order)."""
    a = np.asarray(a)
    native = a.dtype.newbyteorder("=") if not a.dtype.isnative else a.dtype
    return np.ascontiguousarray(a.astype(native, copy=False)).tobytes()


# -- the casting policy, restated independently ------------------------------
_RANK = {"b": 0, "u": 1, "i": 2, "f": 3, "c": 4}


def _kind(name: str) -> str:
    return "f" if name == "bfloat16" else np.dtype(name).kind


def numpy_safe(src: str, dst: str) -> bool | None:
    """Whether every value of ``src`` is exactly a value of ``dst``, from iinfo/finfo.

    (Not NumPy's ``can_cast(..., "safe")``, which calls int64 -> float64 safe although
    2**53 + 1 rounds: the policy's "safe" means no value can change.)
    """
    if src == dst or _kind(src) == "b":
        return True
    sk, dk = _kind(src), _kind(dst)
    if dk == "b":
        return False
    if sk in "iu":
        info = np.iinfo(np.dtype(src))
        if dk in "iu":
            return np.iinfo(np.dtype(dst)).min <= info.min and np.iinfo(np.dtype(dst)).max >= info.max
        magnitude = max(-int(info.min), int(info.max)).bit_length()
        return magnitude <= _float_info(dst).nmant + 1
    if dk in "iu" or (sk == "c" and dk == "f"):
        return False
    s, d = _float_info(src), _float_info(dst)
    return d.nmant >= s.nmant and d.maxexp >= s.maxexp


def _float_info(name: str) -> Any:
    """finfo of a float type, or of a complex type's components (bfloat16 through ml_dtypes)."""
    if name.startswith("complex"):
        name = f"float{np.dtype(name).itemsize * 4}"
    return finfo(numpy_dtype(name))


def overflows(values: np.ndarray[Any, Any], dst: str) -> bool:
    """True when a finite value of ``values`` is outside ``dst``'s range (wrap or inf)."""
    if values.size == 0:
        return False
    dk = _kind(dst)
    native = values.astype(values.dtype.newbyteorder("="), copy=False) if not values.dtype.isnative else values
    parts = [native.real, native.imag] if native.dtype.kind == "c" else [native]
    for part in parts:
        if part.dtype.kind in "fV" or part.dtype.name == "bfloat16":
            part = part.astype(np.float64)[np.isfinite(part.astype(np.float64))]
        if part.size == 0:
            continue
        if dk in "iu":
            info = np.iinfo(np.dtype(dst))
            lo = min(int(v) for v in (part.min(), part.max()))
            hi = max(int(v) for v in (part.min(), part.max()))
            if lo < info.min or hi > info.max:
                return True
        elif dk in "fc":
            biggest = max(abs(float(part.min())), abs(float(part.max())))
            if biggest >= overflow_threshold(dst):
                return True
    return False


def overflow_threshold(dst: str) -> float:
    """The smallest magnitude that rounds to infinity in ``dst`` (a complex type: in each part):
    halfway between the largest finite value and the next power of two, ``(2 - 2**-p) * 2**emax``
    (``p`` significand bits); values between the largest finite value and it round down to it."""
    fi = _float_info(dst)
    limit = (2 - Fraction(1, 2 ** (fi.nmant + 1))) * Fraction(2) ** (fi.maxexp - 1)
    return math.inf if limit > Fraction(float(np.finfo(np.float64).max)) else float(limit)


def edge_values(dst: str) -> list[Any]:
    """Python numbers at and just past the edges of ``dst``: both bounds of an integer type; the
    largest finite value, the first value that rounds to infinity and the one below it, of both
    signs, for a float type; for a complex type, each of those in the real part and in the
    imaginary part (the other part 1)."""
    dk = _kind(dst)
    if dk == "b":
        return [0, 1, 2, -1]
    if dk in "iu":
        info = np.iinfo(np.dtype(dst))
        lo, hi = int(info.min), int(info.max)
        return [v for v in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, -(2**40), 2**40) if -(2**63) <= v < 2**63]
    limit = overflow_threshold(dst)
    biggest = float(_float_info(dst).max)
    reals = [biggest, np.nextafter(limit, 0.0), 1e300]
    if limit <= float(np.finfo(np.float64).max):
        reals.append(limit)
    reals = [float(v) for v in reals] + [-float(v) for v in reals]
    if dk == "f":
        return reals
    return [complex(v, 1.0) for v in reals] + [complex(1.0, v) for v in reals]


def _edge_source_dtype(dst: str) -> str:
    """A source dtype wide enough to hold ``dst``'s edges and the values past them."""
    dk = _kind(dst)
    return "complex128" if dk == "c" else "float64" if dk == "f" else "int64"


@st.composite
def edge_samples(draw: Any, dst: str) -> Sample:
    """A small C-contiguous array of a wide dtype whose values are at and past ``dst``'s edges."""
    src = _edge_source_dtype(dst)
    values = draw(st.lists(st.sampled_from(edge_values(dst)), min_size=1, max_size=4))
    arr = np.array(values, dtype=src)
    desc = f"edges of {dst}: {src} {arr.tolist()!r}"
    return Sample(arr, arr.view(np.uint8).reshape(-1), desc)


def explicit_edge_samples() -> list[tuple[Sample, str, str]]:
    """``(sample, dtype request, casting)``: the edges every CI run converts, whatever hypothesis draws."""
    cases: list[tuple[list[Any], str, str]] = [
        ([-(2**40)], "int32", "same_kind"), ([2**40], "int32", "same_kind"),
        ([-(2**31) - 1], "int32", "same_kind"), ([-(2**31)], "int32", "same_kind"), ([2**31], "int32", "same_kind"),
        ([-1, 3], "uint8", "same_kind"),
        ([1 + 1e300j], "complex64", "same_kind"), ([1e300 + 1j], "complex64", "same_kind"),
        ([1 - 1e300j], "complex64", "same_kind"), ([complex(1, overflow_threshold("complex64"))], "complex64", "same_kind"),
        ([3.4028235677973366e38], "float32", "same_kind"), ([-3.4028235677973370e38], "float32", "same_kind"),
        ([65519.99], "float16", "same_kind"), ([-65520.0], "float16", "same_kind"),
    ]
    out = []
    for values, dst, casting in cases:
        arr = np.array(values, dtype=_edge_source_dtype(dst))
        out.append((Sample(arr, arr.view(np.uint8).reshape(-1), f"explicit edge: {arr.dtype} {values!r}"), dst, casting))
    return out


# -- Python data: NumPy's inference, the default float, nested use() ------------


@st.composite
def python_data(draw: Any) -> Any:
    """Python numbers of one kind (bool, int, float or complex), as a scalar, a list, a tuple or a
    nested list; half the numbers at and past the edges of float32, float16 and int32."""
    kind = draw(st.sampled_from(["bool", "int", "float", "float", "complex", "complex"]))
    if kind == "bool":
        leaf: Any = st.booleans()
    elif kind == "int":
        leaf = st.one_of(st.sampled_from(edge_values("int32") + edge_values("int64")),
                         st.integers(-(2**63), 2**63 - 1))
    elif kind == "float":
        leaf = st.one_of(st.sampled_from(edge_values("float32") + edge_values("float16") + [0.5, 0.1, -0.0]),
                         st.floats(allow_nan=True, allow_infinity=True))
    else:
        leaf = st.one_of(st.sampled_from(edge_values("complex64") + [0.5 + 2j, 1j]),
                         st.builds(complex, st.floats(), st.floats()))
    form = draw(st.sampled_from(["scalar", "list", "tuple", "nested"]))
    if form == "scalar":
        return draw(leaf)
    items = draw(st.lists(leaf, min_size=1, max_size=4))
    if form == "tuple":
        return tuple(items)
    if form == "nested":
        return [[x] for x in items]
    return items


def explicit_python_data() -> list[tuple[Any, str]]:
    """``(data, default float)``: the Python data every CI run converts, whatever hypothesis draws."""
    return [
        (0.5, "float32"), ((0.5, 1.5), "float32"), ([0.5], "float32"), ([[0.5], [2.0]], "float32"),
        (1 + 2j, "float32"), ([0.5 + 2j], "float32"), ([1e300], "float32"), ([1j * 1e300], "float32"),
        (0.5, "float64"), ([1 + 2j], "float64"), ([1, 2], "float32"), (True, "float32"),
    ]


# -- byte ranges of a pretend device, for shares_memory's range arithmetic ------


@st.composite
def span_pairs(draw: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """Two byte ranges ``[lo, hi)`` within 64 bytes, weighted towards the boundary cases:
    adjacent either way, one byte in common either way, equal, nested, apart."""
    lo = draw(st.integers(8, 24))
    hi = lo + draw(st.integers(1, 16))
    size = draw(st.integers(1, 16))
    how = draw(st.sampled_from(["after", "before", "one_after", "one_before", "same", "inside", "apart", "any"]))
    if how == "after":
        other = (hi, hi + size)
    elif how == "before":
        other = (lo - size, lo)
    elif how == "one_after":
        other = (hi - 1, hi - 1 + size)
    elif how == "one_before":
        other = (lo + 1 - size, lo + 1)
    elif how == "same":
        other = (lo, hi)
    elif how == "inside":
        start = draw(st.integers(lo, hi - 1))
        other = (start, draw(st.integers(start + 1, hi)))
    elif how == "apart":
        other = (hi + 1, hi + 1 + size)
    else:
        start = draw(st.integers(0, 56))
        other = (start, start + draw(st.integers(1, 8)))
    return (lo, hi), other


EXPLICIT_SPAN_PAIRS = [((8, 16), (16, 24)), ((16, 24), (8, 16)), ((8, 16), (15, 24)), ((15, 24), (8, 16)),
                       ((8, 9), (8, 9)), ((8, 16), (10, 12)), ((8, 16), (17, 20))]


def expected_cast(src: str, dst: str, casting: str, values: np.ndarray[Any, Any]) -> str:
    """``"ok"``, ``"lossy"`` (LossyCastError required) or ``"either"`` (bfloat16 gray zone)."""
    if src == dst or casting == "unsafe":
        return "ok"
    if casting in ("no", "equiv"):
        return "lossy"
    safe = numpy_safe(src, dst)
    if casting == "safe":
        return "either" if safe is None else ("ok" if safe else "lossy")
    # same_kind
    if _RANK[_kind(src)] > _RANK[_kind(dst)]:
        return "lossy"
    if safe:
        return "ok"
    if dst == "bfloat16" and _double_rounds_to_inf(values):
        return "either"
    return "lossy" if overflows(values, dst) else "ok"


def _double_rounds_to_inf(values: np.ndarray[Any, Any]) -> bool:
    """ml_dtypes casts float64 to bfloat16 through float32, so a value just below bfloat16's
    overflow threshold can round up to it on the way (double rounding) and become infinite."""
    if values.dtype.kind not in "fc":
        return False
    limit = overflow_threshold("bfloat16")
    with np.errstate(all="ignore"):
        parts = [values.real, values.imag] if values.dtype.kind == "c" else [values]
        for part in parts:
            mag = np.abs(part.astype(np.float64))
            if np.any((mag < limit) & (np.abs(mag.astype(np.float32)).astype(np.float64) >= limit)):
                return True
    return False
