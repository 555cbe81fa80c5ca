"""Throwaway backends for the engine tests: NumPy arrays in a box, on the CPU or a pretend ``gpu:0``.

Real frameworks cannot show which path the engine took (fast path, view, DLPack, host copy) or
give a GPU on a CPU machine; these can, and each test counts what it needs in a subclass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import unibridge as ub
from unibridge.adapters.numpy import NumpyBackend
from unibridge.devices import CPU

GPU = ub.Device("gpu", 0)


class Box:
    """An array of a pretend framework: a NumPy array on a device (gpu:0 is pretend)."""

    def __init__(self, a: np.ndarray[Any, Any], device: ub.Device = CPU) -> None:
        self.a, self.device = a, device


class Crate(Box):
    """An array of a second pretend framework (a Crate is not a Box: see ``is_array``)."""


class PretendBackend(NumpyBackend):
    """A backend whose arrays are exactly ``kind``, on the CPU and a pretend ``gpu:0``.

    Subclasses set ``name`` and ``kind`` and say how data enters and leaves (``from_numpy``,
    ``to_numpy``, accelerators), which is what the tests look at.
    """

    array_modules = (__name__.partition(".")[0],)
    kind: type[Box] = Box

    def is_array(self, x: Any) -> bool:
        return type(x) is self.kind

    def devices(self) -> list[ub.Device]:
        return [CPU, GPU]

    def dtype_of(self, x: Any) -> ub.DType:
        return ub.dtype_of(x.a)

    def device_of(self, x: Any) -> ub.Device:
        return x.device  # type: ignore[no-any-return]

    def shape_of(self, x: Any) -> tuple[int, ...]:
        return tuple(x.a.shape)

    def from_native(self, x: Any, *, device: ub.Device, copy: bool | None) -> Any:
        return self.kind(x.a.copy() if copy else x.a, device)

    def zeros(self, shape: tuple[int, ...], *, dtype: ub.DType, device: ub.Device) -> Any:
        return self.kind(np.zeros(shape, dtype.numpy), device)
