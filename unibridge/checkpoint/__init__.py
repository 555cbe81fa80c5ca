"""Portable, safe checkpoints: save a pytree of arrays on one framework, load it on another.

The file format is safetensors (a JSON header and raw bytes, no code): files
written here open with the ``safetensors`` package, and its files load here.
Nothing in this package imports or calls pickle.

Example:
    >>> import os, tempfile, numpy as np, unibridge as ub
    >>> path = os.path.join(tempfile.mkdtemp(), "state.safetensors")
    >>> ub.save({"w": np.ones(2, np.float32), "step": 7}, path)
    >>> ub.load(path)
    {'w': array([1., 1.], dtype=float32), 'step': 7}
"""

from __future__ import annotations

from ._io import load, load_metadata, save

__all__ = ["save", "load", "load_metadata"]
