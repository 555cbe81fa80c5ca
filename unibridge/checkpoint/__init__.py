"""Portable, safe checkpoints: save a pytree of arrays on one framework, load it on another.

The file format is safetensors (a JSON header and raw bytes, no code): files
written here open with the ``safetensors`` package, and its files load here.
Nothing in this package imports or calls pickle. The implementation
(:mod:`._io`, :mod:`._header`, :mod:`._structure`, :mod:`._atomic`) is
imported on first use, so ``import unibridge`` does not pay for it.

Example:
    >>> import os, tempfile, numpy as np, unibridge as ub
    >>> path = os.path.join(tempfile.mkdtemp(), "state.safetensors")
    >>> ub.save({"w": np.ones(2, np.float32), "step": 7}, path)
    >>> ub.load(path)
    {'w': array([1., 1.], dtype=float32), 'step': 7}
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["save", "load", "load_metadata"]


def save(tree: Any, path: str | os.PathLike[str], *, metadata: Mapping[str, str] | None = None) -> None:
    """Write a pytree of arrays (any frameworks, mixed) to one safetensors file, atomically.

    The tree is what :func:`unibridge.grad` takes: dicts (str or int keys), lists,
    tuples, namedtuples, ``None``, with arrays or Python numbers as leaves. Tensors are
    named by their path (``layers/0/W``); the structure is kept in the header's
    metadata, beside ``metadata`` (str to str, returned by :func:`load_metadata`).
    ``path`` is replaced in one step: it never holds a half-written file.

    Example:
        >>> import os, tempfile, numpy as np, unibridge as ub
        >>> path = os.path.join(tempfile.mkdtemp(), "params.safetensors")
        >>> ub.save({"layers": [{"W": np.eye(2), "b": np.zeros(2)}]}, path, metadata={"step": "10"})
        >>> ub.load(path)
        {'layers': [{'W': array([[1., 0.],
               [0., 1.]]), 'b': array([0., 0.])}]}
    """
    from ._io import save as implementation

    implementation(tree, path, metadata=metadata)


def load(path: str | os.PathLike[str], *, backend: str | None = None, device: Any = None, like: Any = None) -> Any:
    """Read a safetensors file back as the tree it was saved from, on one backend and device.

    Arrays come on the active backend (or ``backend``) and device (or ``device``), every
    dtype exact. On the CPU they are views of the memory-mapped file where the backend can
    share them (read lazily, private on write); otherwise each is copied once. A file
    written by another tool loads as a flat dict of its tensors. ``like`` (a tree) checks
    that the names, shapes and dtypes match it, and rebuilds its container types.

    Example:
        >>> import os, tempfile, numpy as np, unibridge as ub
        >>> path = os.path.join(tempfile.mkdtemp(), "p.safetensors")
        >>> ub.save({"w": np.arange(3, dtype=np.float16)}, path)
        >>> ub.load(path)["w"].dtype
        dtype('float16')
        >>> ub.load(path, like={"w": np.zeros(4, np.float16)})
        Traceback (most recent call last):
        unibridge.errors.CheckpointError: '...' does not match the template: 'w' has shape (3,) in the file, (4,) in the template
    """
    from ._io import load as implementation

    return implementation(path, backend=backend, device=device, like=like)


def load_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``metadata`` saved with the file (its ``__metadata__``, less unibridge's own key).

    Reads the header only.

    Example:
        >>> import os, tempfile, numpy as np, unibridge as ub
        >>> path = os.path.join(tempfile.mkdtemp(), "p.safetensors")
        >>> ub.save([np.zeros(1)], path, metadata={"epoch": "3"})
        >>> ub.load_metadata(path)
        {'epoch': '3'}
    """
    from ._io import load_metadata as implementation

    return implementation(path)
