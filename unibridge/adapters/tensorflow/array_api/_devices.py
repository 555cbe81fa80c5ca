"""Devices: unibridge's spellings ("cpu", "gpu:N") mapped onto TensorFlow placement.

TensorFlow's soft placement quietly runs on the CPU when a named GPU is missing, so every
request is checked against the devices TF really has, and a missing one raises
:class:`unibridge.DeviceUnavailableError`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, cast

import tensorflow as tf

from ....config import current
from ....devices import AUTO, Device, parse_device, resolve_device
from ....registry import _REGISTRY
from .._backend import TensorFlowBackend

__all__ = ["device", "to_device", "available_devices", "device_scope", "resolve", "tensorflow_backend"]


def tensorflow_backend() -> TensorFlowBackend:
    """The backend registered as "tensorflow" (the registry's instance, which knows the devices)."""
    return cast(TensorFlowBackend, _REGISTRY.load("tensorflow"))


def available_devices() -> tuple[Device, ...]:
    """The CPU, then every logical GPU TensorFlow sees (the backend lists them once)."""
    return tuple(tensorflow_backend().devices())


def resolve(spec: Any) -> Device:
    """A device argument as a :class:`Device` that exists, or DeviceUnavailableError."""
    request = spec if type(spec) is Device else parse_device(spec)
    return resolve_device(request, list(available_devices()), "tensorflow")


def tf_name(dev: Device) -> str:
    return tensorflow_backend().tf_device_name(dev)


@contextlib.contextmanager
def device_scope(spec: Any) -> Iterator[None]:
    """Place the ops in the block on ``spec``; ``None`` means unibridge's configured device."""
    if spec is None:
        configured = current().device
        if configured == AUTO:  # TF's own default placement is already "first GPU, else CPU"
            yield
            return
        spec = configured
    with tf.device(tf_name(resolve(spec))):
        yield


def device(x: tf.Tensor, /) -> Device:
    """The device ``x`` lives on, as a unibridge :class:`Device` (``"cpu"``, ``"gpu:0"``).

    Symbolic tensors inside ``tf.function`` have no device yet; they report the CPU.
    """
    return tensorflow_backend().device_of(x)


def to_device(x: tf.Tensor, device: Any, /, *, stream: Any = None) -> tf.Tensor:
    """A copy of ``x`` on ``device`` (``x`` itself when it is already there)."""
    if stream is not None:
        raise ValueError("TensorFlow has no streams; pass stream=None")
    target = resolve(device)
    placed = getattr(x, "device", None) if isinstance(x, tf.Tensor) else None
    if placed and parse_device(placed) == target:
        return x
    with tf.device(tf_name(target)):
        return tf.identity(x)
