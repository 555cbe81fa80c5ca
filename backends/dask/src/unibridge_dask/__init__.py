"""unibridge-dask: the Dask backend for unibridge, found through the
``unibridge.backends`` entry point (``dask = "unibridge_dask:load"``).

Importing this package does not import dask.

Chunking: arrays made by unibridge are chunked with ``chunks="auto"`` by
default, i.e. dask's ``array.chunk-size`` setting (128 MiB unless changed).
Override it with the environment variable ``UNIBRIDGE_DASK_CHUNKS`` (read on
first use) or :func:`configure`; both accept ``auto``, a byte size such as
``64MiB``, an int (elements per axis), ``-1`` (one chunk), or comma-separated
ints per axis (``1000,1000``).

Example:
    >>> import numpy as np, unibridge as ub, unibridge_dask
    >>> _ = unibridge_dask.configure(chunks=2)
    >>> x = ub.asarray(np.arange(6.0), backend="dask")
    >>> x.chunks, float(ub.to_numpy(x.sum()))
    (((2, 2, 2),), 15.0)
    >>> unibridge_dask.configure(chunks=None)   # back to the environment/default
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Union

from unibridge.errors import ConfigurationError

if TYPE_CHECKING:
    from .backend import DaskBackend

__all__ = ["load", "configure", "chunks", "CHUNKS_ENV", "__version__"]
__version__ = "0.1.0"

CHUNKS_ENV = "UNIBRIDGE_DASK_CHUNKS"
Chunks = Union[str, int, tuple[int, ...]]

# configure()'s setting: one assignment replaces it whole (no lock needed, none to survive a fork).
_configured: Chunks | None = None
_ALLOWED = "auto, a byte size such as 64MiB, an int, -1 (one chunk), or comma-separated ints such as 1000,1000"


def _parse(value: Any, origin: str) -> Chunks:
    """Validate a chunk specification (without importing dask)."""
    if isinstance(value, bool):
        raise ConfigurationError(f"{origin}={value!r} is not a chunk size; allowed: {_ALLOWED}")
    if isinstance(value, int):
        if value == 0 or value < -1:
            raise ConfigurationError(f"{origin}={value!r} is not a chunk size; allowed: {_ALLOWED}")
        return value
    if isinstance(value, tuple) and value and all(isinstance(v, int) and (v > 0 or v == -1) for v in value):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "auto":
            return "auto"
        if re.fullmatch(r"-?\d+", text):
            return _parse(int(text), origin)
        if re.fullmatch(r"\s*-?\d+\s*(,\s*-?\d+\s*)+,?", text):
            return _parse(tuple(int(p) for p in text.split(",") if p.strip()), origin)
        if re.fullmatch(r"\d+(\.\d+)?\s*([kKMGT]i?B|B)", text):
            return text
    raise ConfigurationError(f"{origin}={value!r} is not a chunk size; allowed: {_ALLOWED}")


def configure(*, chunks: Any = None) -> Chunks | None:
    """Set the chunk size for arrays unibridge creates on dask.

    ``None`` forgets the setting: ``UNIBRIDGE_DASK_CHUNKS``, else ``"auto"``,
    applies again. Returns the validated setting (None after a reset).

    Example:
        >>> import unibridge_dask
        >>> unibridge_dask.configure(chunks="64MiB")
        '64MiB'
        >>> unibridge_dask.configure(chunks=None) is None
        True
    """
    global _configured
    parsed = None if chunks is None else _parse(chunks, "chunks")
    _configured = parsed
    return parsed


def chunks_setting() -> Chunks:
    """The chunk specification in effect: ``configure()``, else ``UNIBRIDGE_DASK_CHUNKS``, else ``"auto"``."""
    if _configured is not None:
        return _configured
    raw = os.environ.get(CHUNKS_ENV, "").strip()
    return _parse(raw, CHUNKS_ENV) if raw else "auto"


chunks = chunks_setting


def load() -> DaskBackend:
    """The entry-point loader: a new :class:`DaskBackend` (imports no dask).

    Example:
        >>> from unibridge_dask import load
        >>> load().name
        'dask'
    """
    from .backend import DaskBackend

    return DaskBackend()
