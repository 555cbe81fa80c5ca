"""Devices: unibridge's spellings ("cpu", "gpu:N") mapped onto TensorFlow placement.

TensorFlow's soft placement quietly runs on the CPU when a named GPU is missing, so every
request is checked against the devices TF really has, and a missing one raises
:class:`unibridge.DeviceUnavailableError`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import tensorflow as tf

import unibridge
from unibridge.devices import AUTO, Device, parse_device, resolve_device

__all__ = ["device", "to_device", "available_devices", "device_scope", "resolve"]


def _backend() -> Any:
    return unibridge.get_backend("tensorflow")


def available_devices() -> tuple[Device, ...]:
    """The CPU, then every logical GPU TensorFlow sees (the backend lists them once)."""
    return tuple(_backend().devices())


def resolve(spec: Any) -> Device:
    """A device argument as a :class:`Device` that exists, or DeviceUnavailableError."""
    request = spec if type(spec) is Device else parse_device(spec)
    return resolve_device(request, list(available_devices()), "tensorflow")


def tf_name(dev: Device) -> str:
    return _backend().tf_device_name(dev)  # type: ignore[no-any-return]


@contextlib.contextmanager
def device_scope(spec: Any) -> Iterator[None]:
    """Place the ops in the block on ``spec``; ``None`` means unibridge's configured device."""
    if spec is None:
        configured = unibridge.current().device
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
    return _backend().device_of(x)  # type: ignore[no-any-return]


def to_device(x: tf.Tensor, device: Any, /, *, stream: Any = None) -> tf.Tensor:
    """A copy of ``x`` on ``device`` (``x`` itself when it is already there)."""
    if stream is not None:
        raise ValueError("TensorFlow has no streams; pass stream=None")
    target = resolve(device)
    if isinstance(x, tf.Tensor) and getattr(x, "device", "") and parse_device(x.device) == target:
        return x
    with tf.device(tf_name(target)):
        return tf.identity(x)
