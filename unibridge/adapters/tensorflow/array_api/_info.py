"""``__array_namespace_info__()``: what this namespace supports, on which devices."""

from __future__ import annotations

from typing import Any, Optional, Union

import tensorflow as tf

from ....config import current
from ....devices import AUTO, Device

from ._devices import available_devices, resolve
from ._dtypes import _KINDS, SPEC_DTYPES, default_float

__all__ = ["__array_namespace_info__"]


class __array_namespace_info__:  # noqa: N801 - the spec's name
    """Inspection API of the TensorFlow namespace (Array API 2025.12).

    Example:
        >>> from unibridge.adapters.tensorflow import array_api as xp
        >>> xp.__array_namespace_info__().default_dtypes()["integral"]
        tf.int64
    """

    __module__ = "unibridge.adapters.tensorflow.array_api"

    def capabilities(self) -> dict[str, Any]:
        """What plain ``tf.Tensor`` objects and TF's kernels support, truthfully.

        Boolean indexing is not fully supported: ``x[mask]`` works for masks of one or more
        dimensions, but TF's ``__getitem__`` rejects 0-d masks. Data-dependent shapes work
        (eagerly; inside ``tf.function`` their static shape is unknown). TF's kernels for
        ``where``, ``flip`` and slicing handle at most 8 dimensions.
        """
        return {"boolean indexing": False, "data-dependent shapes": True, "max dimensions": 8}

    def default_device(self) -> Device:
        """unibridge's configured device, or TF's own pick (first GPU, else CPU) for "auto"."""
        configured = current().device
        if configured != AUTO:
            return resolve(configured)
        devices = available_devices()
        return devices[1] if len(devices) > 1 else devices[0]

    def devices(self) -> tuple[Device, ...]:
        """Every device TF sees: the CPU, then each GPU."""
        return tuple(available_devices())

    def default_dtypes(self, *, device: Optional[Any] = None) -> dict[str, tf.DType]:
        """Default dtypes: unibridge's default float (float64 unless configured), int64, int64."""
        if device is not None:
            resolve(device)
        real = default_float()
        return {
            "real floating": real,
            "complex floating": tf.complex64 if real == tf.float32 else tf.complex128,
            "integral": tf.int64,
            "indexing": tf.int64,
        }

    def dtypes(
        self, *, device: Optional[Any] = None, kind: Union[str, tuple[str, ...], None] = None
    ) -> dict[str, tf.DType]:
        """The spec's dtypes (all supported on every device), optionally only those of ``kind``."""
        if device is not None:
            resolve(device)
        if kind is None:
            chosen = SPEC_DTYPES
        else:
            kinds = (kind,) if isinstance(kind, str) else kind
            for k in kinds:
                if k not in _KINDS:
                    raise ValueError(f"unknown dtype kind {k!r}; known kinds: {', '.join(_KINDS)}")
            chosen = tuple(d for d in SPEC_DTYPES if any(d in _KINDS[k] for k in kinds))
        return {d.name: d for d in chosen}
