"""Objects that offer their values through one protocol alone, for conversion tests."""

from __future__ import annotations

from typing import Any

import numpy as np


class OnlyArray:
    """Offers its values through ``__array__`` alone (the NumPy 2 signature); shares them."""

    def __init__(self, a: np.ndarray[Any, Any]) -> None:
        self._a = a

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        return self._a if copy is not True else self._a.copy()


class OnlyInterface:
    """Offers its memory through ``__array_interface__`` alone."""

    def __init__(self, a: np.ndarray[Any, Any]) -> None:
        self._a = a
        self.__array_interface__ = a.__array_interface__


class OnlyDLPack:
    """Offers its memory through DLPack alone."""

    def __init__(self, a: np.ndarray[Any, Any]) -> None:
        self._a = a

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self._a.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> Any:
        return self._a.__dlpack_device__()


class CopyOnly:
    """An ``__array__`` that can only copy (it refuses ``copy=False``, as NumPy 2 asks)."""

    def __init__(self) -> None:
        self.values = np.arange(3.0)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        if copy is False:
            raise ValueError("cannot share")
        return self.values.copy()


class LegacyCopy:
    """An old-style ``__array__`` (no ``copy`` argument) that hands out a copy."""

    def __array__(self, dtype: Any = None) -> np.ndarray[Any, Any]:
        return np.arange(3.0)
