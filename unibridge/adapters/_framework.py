"""What every framework-backed backend needs once its framework loads.

* :func:`importlib_version`: its installed version, from metadata (imports nothing).
* :func:`import_framework`: import the framework, turning any failure (a
  missing package, or a broken install raising something else) into
  :class:`~unibridge.BackendUnavailableError` with the original error chained.
* :class:`DtypeTable`: the canonical dtypes <-> the framework's dtype objects,
  for frameworks that spell their dtypes with the canonical names
  (``torch.float64``, ``tf.bfloat16``), with the errors worded once.
* :class:`DtypeMethods`: the protocol's dtype methods on top of that table,
  for a backend that builds its table in ``_load()``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..dtypes import DType, all_dtypes
from ..errors import BackendUnavailableError, UnsupportedInputError

__all__ = ["import_framework", "importlib_version", "DtypeTable", "DtypeMethods"]


def import_framework(module: str, backend: str, install_hint: str) -> ModuleType:
    """Import ``module`` for ``backend``, or raise BackendUnavailableError saying what to install.

    Example:
        >>> import_framework("numpy", "numpy", "pip install numpy").__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except Exception as exc:  # ImportError, or a broken install raising anything
        raise BackendUnavailableError(
            f"backend {backend!r} needs {module}, which failed to import "
            f"({type(exc).__name__}: {exc}); {install_hint}"
        ) from exc


def importlib_version(distribution: str, *fallbacks: str) -> str | None:
    """The installed version of a distribution, read from metadata (imports nothing)."""
    from importlib.metadata import PackageNotFoundError, version

    for name in (distribution, *fallbacks):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return None


class DtypeTable:
    """Canonical :class:`DType` <-> one framework's dtype objects.

    Example:
        >>> import numpy as np
        >>> table = DtypeTable("NumPy", np)
        >>> table.native(DType("float32")) is np.float32, table.canonical(np.float32)
        (True, DType('float32'))
    """

    def __init__(self, framework: str, module: ModuleType, describe: Callable[[Any], str] | None = None) -> None:
        self.framework = framework
        self.to_native: dict[DType, Any] = {
            dt: getattr(module, str(dt)) for dt in all_dtypes() if hasattr(module, str(dt))
        }
        self.from_native: dict[Any, DType] = {v: k for k, v in self.to_native.items()}
        self._describe = describe or (lambda native: f"dtype {native!r}")

    def native(self, dtype: DType) -> Any:
        """The framework's dtype object for ``dtype``; UnsupportedInputError if it has none."""
        try:
            return self.to_native[dtype]
        except KeyError:
            raise UnsupportedInputError(f"{self.framework} has no {dtype} dtype") from None

    def canonical(self, native: Any) -> DType:
        """The canonical dtype of a framework dtype object; UnsupportedInputError if none."""
        try:
            return self.from_native[native]
        except (KeyError, TypeError):
            raise UnsupportedInputError(
                f"{self.framework} {self._describe(native)} has no array equivalent; "
                f"supported dtypes: {', '.join(self.to_native)}"
            ) from None


class DtypeMethods:
    """``canonical_dtype`` and ``dtype_of`` (and ``_native_dtype``) from a :class:`DtypeTable`.

    A backend mixes this in, sets ``self._dtypes = None`` in ``__init__`` and
    fills it in ``_load()``, which runs on the first dtype question.
    """

    _dtypes: DtypeTable | None
    _load: Callable[[], ModuleType]  # defined by the backend: imports the framework, fills _dtypes

    def _table(self) -> DtypeTable:
        if self._dtypes is None:
            self._load()
        return self._dtypes  # type: ignore[return-value]

    def _native_dtype(self, dtype: DType) -> Any:
        return self._table().native(dtype)

    def canonical_dtype(self, native: Any) -> DType:
        """The canonical dtype of one of the framework's dtype objects."""
        return self._table().canonical(native)

    def dtype_of(self, x: Any) -> DType:
        """The canonical dtype of one of the framework's arrays."""
        return self._table().canonical(x.dtype)
