"""``save``, ``load`` and ``load_metadata``: pytrees of arrays in one safetensors file.

Saving converts each leaf to a host NumPy view (no copy where its framework
allows one), lays the tensors out so that each starts 64-byte aligned where
its size allows (then aligned to its element size, as the safetensors
package does), and writes header and bytes atomically (:mod:`._atomic`).

Loading maps the file copy-on-write (``mmap.ACCESS_COPY``): each tensor is a
writable NumPy view of the mapping, and nothing is read from the disk until
it is used; writes go to private pages, never to the file. Each view then
goes through :func:`unibridge.asarray`, whose copy policy decides per
backend: NumPy and torch keep the view; TensorFlow and JAX keep it only when
it is 64-byte aligned; anything else, and every other device, is copied once.
No pickle, no code from the file: the header is JSON, checked by :mod:`._header`.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._memory import ALIGNMENT
from ..autodiff import _tree
from ..dtypes import DType, from_numpy_dtype, numpy_dtype
from ..engine import asarray, dtype_of, to_numpy
from ..errors import CheckpointError, UnibridgeError
from . import _header
from ._atomic import write_atomically
from ._header import TensorEntry
from ._structure import FORMAT, describe, rebuild

__all__ = ["save", "load", "load_metadata", "TREE_KEY"]

PathLike = str | os.PathLike[str]
# The metadata key holding the tree structure; users' metadata may not use it.
TREE_KEY = "unibridge.tree"
# The dtype a Python number leaf is saved as.
_PYTHON_DTYPES: dict[type, np.dtype[Any]] = {bool: np.dtype(bool), int: np.dtype("int64"), float: np.dtype("float64")}


def _little_endian(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """``dtype`` in the file's byte order (safetensors is little-endian), spelled natively where
    that is the machine's own order (``float64``, not ``<f8``)."""
    out: np.dtype[Any] = dtype.newbyteorder("=" if sys.byteorder == "little" else "<")
    return out


# -- saving -----------------------------------------------------------------------------------------


def _user_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise CheckpointError(f"metadata must be a mapping of str to str, not {type(metadata).__name__}")
    out = dict(metadata)
    bad = [(k, v) for k, v in out.items() if type(k) is not str or type(v) is not str]
    if bad:
        raise CheckpointError(f"metadata must map str to str (safetensors stores text only); got {bad[0]!r:.200}")
    if TREE_KEY in out:
        raise CheckpointError(f"the metadata key {TREE_KEY!r} is reserved for the tree structure")
    return out


def _host(name: str, leaf: Any) -> np.ndarray[Any, Any]:
    """``leaf`` as a C-contiguous little-endian NumPy array (a view when it already is one)."""
    python = _PYTHON_DTYPES.get(type(leaf))
    if python is not None:
        try:
            return np.asarray(leaf, dtype=_little_endian(python))
        except OverflowError:
            raise CheckpointError(f"leaf {name!r}: the int {leaf} does not fit in int64") from None
    try:
        a = to_numpy(leaf)
        dtype = from_numpy_dtype(a.dtype)
    except UnibridgeError as exc:
        raise CheckpointError(f"leaf {name!r} is not an array that can be saved: {exc}") from exc
    if dtype not in _header.TO_SAFETENSORS:
        raise CheckpointError(
            f"leaf {name!r} is {dtype}, which safetensors cannot store; "
            f"storable: {', '.join(_header.TO_SAFETENSORS)} (cast it first)"
        )
    little = _little_endian(numpy_dtype(dtype))
    if a.dtype != little or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=little)
    return a


def _layout(hosts: list[tuple[str, np.ndarray[Any, Any]]]) -> list[tuple[str, np.ndarray[Any, Any]]]:
    """The order of the tensors in the file.

    The data starts 64-byte aligned. Tensors whose size is a multiple of 64 bytes
    come first, so each of them starts 64-byte aligned (TensorFlow and JAX can then
    share it); the others follow by decreasing element size, so each starts at a
    multiple of its element size. The safetensors format allows no gaps between
    tensors, so this order is the only alignment tool there is.
    """
    return sorted(hosts, key=lambda item: (item[1].nbytes % ALIGNMENT != 0, -item[1].dtype.itemsize))


def save(tree: Any, path: PathLike, *, metadata: Mapping[str, str] | None = None) -> None:
    """See :func:`unibridge.save`."""
    user = _user_metadata(metadata)
    spec, leaves = describe(tree)
    hosts = _layout([(name, _host(name, leaf)) for name, leaf in leaves])
    entries: dict[str, TensorEntry] = {}
    offset = 0
    for name, a in hosts:
        entries[name] = TensorEntry(from_numpy_dtype(a.dtype), a.shape, offset, offset + a.nbytes)
        offset += a.nbytes
    user[TREE_KEY] = json.dumps({"format": FORMAT, "tree": spec}, ensure_ascii=False, separators=(",", ":"))
    head = _header.encode(entries, user, ALIGNMENT)
    write_atomically(os.fspath(path), [head, *(a.reshape(-1).view(np.uint8) for _, a in hosts if a.nbytes)])


# -- loading ----------------------------------------------------------------------------------------


def _open(path: PathLike) -> tuple[mmap.mmap, _header.Header]:
    """The file mapped copy-on-write, and its checked header."""
    with open(os.fspath(path), "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            raise CheckpointError(f"{os.fspath(path)!r} is not a safetensors file: {size} bytes")
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    n = _header.header_length(mm[:8], len(mm))
    return mm, _header.parse(mm[: 8 + n], len(mm))


def _view(mm: mmap.mmap, header: _header.Header, name: str) -> np.ndarray[Any, Any]:
    """The tensor ``name`` as a NumPy view of the mapping (a fresh empty array when it has no bytes)."""
    e = header.tensors[name]
    dtype = _little_endian(numpy_dtype(DType(e.dtype)))
    if e.begin == e.end:
        return np.zeros(e.shape, dtype)
    view: np.ndarray[Any, Any] = np.ndarray(e.shape, dtype, buffer=mm, offset=header.data_start + e.begin)
    return view


def _python_number(name: str, view: np.ndarray[Any, Any], python: type) -> Any:
    if view.shape != () or from_numpy_dtype(view.dtype) != from_numpy_dtype(_PYTHON_DTYPES[python]):
        raise CheckpointError(
            f"tensor {name!r} is saved as a Python {python.__name__} but is {from_numpy_dtype(view.dtype)} "
            f"of shape {view.shape}"
        )
    return python(view.item())


def _template(like: Any) -> dict[str, tuple[tuple[int, ...], str, type | None]]:
    """Name -> (shape, dtype, Python number type or None) of every leaf of the template."""
    out: dict[str, tuple[tuple[int, ...], str, type | None]] = {}
    for name, leaf in describe(like)[1]:
        python = type(leaf) if type(leaf) in _PYTHON_DTYPES else None
        if python is not None:
            out[name] = ((), str(from_numpy_dtype(_PYTHON_DTYPES[python])), python)
        else:
            try:
                out[name] = (tuple(int(d) for d in leaf.shape), str(dtype_of(leaf)), None)
            except (UnibridgeError, AttributeError, TypeError) as exc:
                raise CheckpointError(f"template leaf {name!r} is not an array: {exc}") from None
    return out


def _compare(path: PathLike, header: _header.Header, want: dict[str, Any]) -> None:
    """Raise, naming every difference, unless the file holds exactly the template's tensors."""
    have = header.tensors
    problems = []
    extra = [n for n in have if n not in want]
    missing = [n for n in want if n not in have]
    if extra:
        problems.append(f"in the file but not the template: {', '.join(map(repr, extra))}")
    if missing:
        problems.append(f"in the template but not the file: {', '.join(map(repr, missing))}")
    for name, (shape, dtype, _) in want.items():
        if name in have and have[name].shape != shape:
            problems.append(f"{name!r} has shape {have[name].shape} in the file, {shape} in the template")
        if name in have and have[name].dtype != dtype:
            problems.append(f"{name!r} is {have[name].dtype} in the file, {dtype} in the template")
    if problems:
        raise CheckpointError(f"{os.fspath(path)!r} does not match the template: " + "; ".join(problems))


def load(path: PathLike, *, backend: str | None = None, device: Any = None, like: Any = None) -> Any:
    """See :func:`unibridge.load`."""
    mm, header = _open(path)

    def convert(name: str) -> Any:
        try:
            return asarray(_view(mm, header, name), backend=backend, device=device)
        except UnibridgeError as exc:  # e.g. a dtype the backend lacks: the same error, naming the tensor
            raise type(exc)(f"tensor {name!r}: {exc}") from exc

    if like is not None:
        want = _template(like)
        _compare(path, header, want)
        treedef = _tree.flatten(like)[1]
        return _tree.unflatten(treedef, [
            convert(name) if python is None else _python_number(name, _view(mm, header, name), python)
            for name, (_, _, python) in want.items()
        ])
    raw = header.metadata.get(TREE_KEY)
    if raw is None:
        return {name: convert(name) for name in header.tensors}
    return _rebuild_saved(raw, header, mm, convert)


def _rebuild_saved(raw: str, header: _header.Header, mm: mmap.mmap, convert: Any) -> Any:
    """The tree the structure in the metadata describes; every tensor used exactly once."""
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(f"the tree structure in {TREE_KEY!r} is not valid JSON: {exc}") from None
    if type(doc) is not dict or doc.get("format") != FORMAT or "tree" not in doc:
        raise CheckpointError(f"the tree structure in {TREE_KEY!r} is not format {FORMAT!r}")
    used: set[str] = set()

    def leaf(name: str, python: type | None) -> Any:
        if name not in header.tensors or name in used:
            why = "names no tensor" if name not in header.tensors else "uses a tensor twice"
            raise CheckpointError(f"the tree structure {why}: {name!r:.100}")
        used.add(name)
        return convert(name) if python is None else _python_number(name, _view(mm, header, name), python)

    tree = rebuild(doc["tree"], leaf)
    unused = [n for n in header.tensors if n not in used]
    if unused:
        raise CheckpointError(f"tensors missing from the tree structure: {', '.join(map(repr, unused[:10]))}")
    return tree


def load_metadata(path: PathLike) -> dict[str, str]:
    """See :func:`unibridge.load_metadata`."""
    with open(os.fspath(path), "rb") as f:
        size = os.fstat(f.fileno()).st_size
        n = _header.header_length(f.read(8), size)
        header = _header.parse(_read_prefix(f, 8 + n), size)
    return {k: v for k, v in header.metadata.items() if k != TREE_KEY}


def _read_prefix(f: Any, n: int) -> bytes:
    f.seek(0)
    return bytes(f.read(n))
