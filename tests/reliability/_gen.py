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
import os
import tempfile
from dataclasses import dataclass, field
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
            part_dt = numpy_dtype(dst) if dk == "f" else np.dtype(f"f{np.dtype(dst).itemsize // 2}")
            biggest = max(abs(float(part.min())), abs(float(part.max())))
            if biggest > float(finfo(part_dt).max):
                return True
    return False


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
    return "lossy" if overflows(values, dst) else "ok"
