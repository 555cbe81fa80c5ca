"""The safetensors header: its dtype names, and a parser that trusts nothing.

A safetensors file is an 8-byte little-endian header length ``N``, ``N`` bytes
of UTF-8 JSON, then the data. The JSON maps each tensor name to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets relative to the
data's start) and may hold ``"__metadata__"``, a map of strings to strings.

:func:`parse` checks every claim the header makes against the file's size
before anything is allocated or mapped: a header length past the end of the
file, offsets out of range or overlapping, a shape whose bytes disagree with
its offsets, duplicate keys, names that are not UTF-8. Every failure is a
:class:`~unibridge.CheckpointError` that names the tensor and the reason.

Example:
    >>> import json, struct
    >>> body = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    >>> header = parse(struct.pack("<Q", len(body)) + body, 8 + len(body) + 8)
    >>> header.tensors["w"]
    TensorEntry(dtype='float32', shape=(2,), begin=0, end=8)
"""

from __future__ import annotations

import json
import struct
from typing import Any, NamedTuple

from ..errors import CheckpointError

__all__ = [
    "TO_SAFETENSORS",
    "FROM_SAFETENSORS",
    "MAX_HEADER_BYTES",
    "TensorEntry",
    "Header",
    "header_length",
    "parse",
    "encode",
]

# unibridge dtype name -> safetensors dtype name, for every dtype both have.
# complex128 has no safetensors name; safetensors' FP8/FP4 types have no unibridge one.
TO_SAFETENSORS: dict[str, str] = {
    "bool": "BOOL",
    "int8": "I8",
    "int16": "I16",
    "int32": "I32",
    "int64": "I64",
    "uint8": "U8",
    "uint16": "U16",
    "uint32": "U32",
    "uint64": "U64",
    "float16": "F16",
    "bfloat16": "BF16",
    "float32": "F32",
    "float64": "F64",
    "complex64": "C64",
}
FROM_SAFETENSORS: dict[str, str] = {v: k for k, v in TO_SAFETENSORS.items()}
_ITEMSIZE: dict[str, int] = {
    "bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "float16": 2, "bfloat16": 2,
    "int32": 4, "uint32": 4, "float32": 4, "int64": 8, "uint64": 8, "float64": 8, "complex64": 8,
}

# The safetensors package refuses headers above 100 MB; so does this parser, before reading one.
MAX_HEADER_BYTES = 100_000_000
# NumPy's limit on the number of dimensions.
_MAX_NDIM = 64
# The largest byte span of an array's extents (zero extents counted as one) NumPy accepts, rounded down.
_MAX_SPAN = 1 << 62
METADATA_KEY = "__metadata__"
_ENTRY_FIELDS = frozenset({"dtype", "shape", "data_offsets"})


class TensorEntry(NamedTuple):
    """One tensor's header entry: unibridge dtype name, shape, byte range within the data."""

    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int


class Header(NamedTuple):
    """A checked header: tensors in header order, the metadata, where the data starts."""

    tensors: dict[str, TensorEntry]
    metadata: dict[str, str]
    data_start: int


def header_length(prefix: bytes, file_size: int) -> int:
    """The header length from the file's first 8 bytes, checked against the file size."""
    if file_size < 8 or len(prefix) < 8:
        raise CheckpointError(
            f"not a safetensors file: {file_size} bytes, fewer than the 8-byte header length"
        )
    (n,) = struct.unpack("<Q", prefix[:8])
    if n > MAX_HEADER_BYTES:
        raise CheckpointError(
            f"header length field says {n} bytes, above the {MAX_HEADER_BYTES}-byte limit "
            "(a corrupt or hostile file)"
        )
    if n > file_size - 8:
        raise CheckpointError(
            f"header length field says {n} bytes but the file has only {file_size - 8} after it "
            "(truncated file?)"
        )
    return int(n)


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CheckpointError(f"duplicate key {key!r} in the header")
        out[key] = value
    return out


def _require_utf8(name: str, what: str) -> None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError(f"{what} {name!r} is not valid UTF-8 (a lone surrogate)") from None


def _is_int(v: Any) -> bool:
    return type(v) is int  # bool is an int subclass, and JSON true is no shape


def _entry(name: str, raw: Any) -> TensorEntry:
    if type(raw) is not dict or set(raw) != _ENTRY_FIELDS:
        fields = sorted(raw) if isinstance(raw, dict) else type(raw).__name__
        raise CheckpointError(
            f"tensor {name!r}: expected exactly the fields dtype, shape, data_offsets; got {fields}"
        )
    st_dtype, shape, offsets = raw["dtype"], raw["shape"], raw["data_offsets"]
    if type(st_dtype) is not str:
        raise CheckpointError(f"tensor {name!r}: dtype is {st_dtype!r}, not a name")
    if st_dtype not in FROM_SAFETENSORS:
        raise CheckpointError(
            f"tensor {name!r}: dtype {st_dtype} is not supported by unibridge; "
            f"supported: {', '.join(FROM_SAFETENSORS)}"
        )
    if type(shape) is not list or len(shape) > _MAX_NDIM or not all(_is_int(d) and d >= 0 for d in shape):
        raise CheckpointError(
            f"tensor {name!r}: shape {shape!r} is not a list of at most {_MAX_NDIM} non-negative integers"
        )
    if type(offsets) is not list or len(offsets) != 2 or not all(_is_int(o) for o in offsets):
        raise CheckpointError(f"tensor {name!r}: data_offsets {offsets!r} is not a pair of integers")
    begin, end = offsets
    dtype = FROM_SAFETENSORS[st_dtype]
    count = span = 1
    for d in shape:
        count *= d  # Python ints: a 2**60-element shape is a big number, not an overflow
        span *= max(d, 1)
    nbytes = count * _ITEMSIZE[dtype]
    if not 0 <= begin <= end or end - begin != nbytes:
        raise CheckpointError(
            f"tensor {name!r}: {st_dtype} of shape {tuple(shape)} is {nbytes} bytes, "
            f"but data_offsets [{begin}, {end}] hold {end - begin}"
        )
    if span * _ITEMSIZE[dtype] >= _MAX_SPAN:  # an empty shape such as (0, 2**61): NumPy refuses it too
        raise CheckpointError(f"tensor {name!r}: shape {tuple(shape)} is too large for any array")
    return TensorEntry(dtype, tuple(shape), begin, end)


def _metadata(raw: Any) -> dict[str, str]:
    if type(raw) is not dict or not all(type(v) is str for v in raw.values()):
        raise CheckpointError(f"{METADATA_KEY} must map strings to strings; got {raw!r:.200}")
    for key, value in raw.items():
        _require_utf8(key, "metadata key")
        _require_utf8(value, "metadata value")
    return raw


def parse(prefix: bytes, file_size: int) -> Header:
    """Check and decode the header at the start of ``prefix`` for a file of ``file_size`` bytes.

    ``prefix`` holds at least the first ``8 + N`` bytes of the file (``N`` the header length).
    """
    n = header_length(prefix, file_size)
    if len(prefix) < 8 + n:
        raise CheckpointError(f"the header is {n} bytes but only {len(prefix) - 8} could be read")
    try:
        text = bytes(prefix[8 : 8 + n]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointError(f"the header is not UTF-8 text: {exc}") from None
    try:
        raw = json.loads(text, object_pairs_hook=_unique_object)
    except RecursionError:
        raise CheckpointError("the header's JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and integers of too many digits
        raise CheckpointError(f"the header is not valid JSON: {exc}") from None
    if type(raw) is not dict:
        raise CheckpointError(f"the header must be a JSON object, not {type(raw).__name__}")
    data_size = file_size - 8 - n
    metadata = _metadata(raw.pop(METADATA_KEY, {}))
    tensors: dict[str, TensorEntry] = {}
    for name, entry in raw.items():
        _require_utf8(name, "tensor name")
        tensors[name] = _entry(name, entry)
    _check_ranges(tensors, data_size)
    return Header(tensors, metadata, 8 + n)


def _check_ranges(tensors: dict[str, TensorEntry], data_size: int) -> None:
    """Every byte range lies inside the data and no two share a byte (holes are allowed)."""
    last_end, last_name = 0, ""
    for name, e in sorted(tensors.items(), key=lambda item: (item[1].begin, item[1].end)):
        if e.end > data_size:
            raise CheckpointError(
                f"tensor {name!r}: data_offsets [{e.begin}, {e.end}] run past the end of the data "
                f"({data_size} bytes; truncated file?)"
            )
        if e.begin == e.end:
            continue  # an empty tensor occupies no byte
        if e.begin < last_end:
            raise CheckpointError(
                f"tensors {last_name!r} and {name!r} overlap (bytes {e.begin} to {last_end})"
            )
        last_end, last_name = e.end, name


def encode(entries: dict[str, TensorEntry], metadata: dict[str, str], align: int) -> bytes:
    """The length field and JSON header for ``entries``, padded with spaces so the data
    starts at a multiple of ``align`` (the safetensors package pads the same way)."""
    raw: dict[str, Any] = {METADATA_KEY: metadata} if metadata else {}
    for name, e in entries.items():
        raw[name] = {
            "dtype": TO_SAFETENSORS[e.dtype],
            "shape": list(e.shape),
            "data_offsets": [e.begin, e.end],
        }
    body = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body += b" " * (-(8 + len(body)) % align)
    return struct.pack("<Q", len(body)) + body
