"""Framework-neutral devices, parsed in exactly one place.

A :class:`Device` *is* its canonical string (``"cpu"``, ``"gpu:0"``), so it
hashes and compares like the string. :func:`parse_device` accepts every common
spelling; :func:`resolve_device` checks a request against the devices a backend
really has and raises :class:`DeviceUnavailableError` instead of falling back.
The only fallback is the one the user asks for: ``"auto"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final, Union

from .errors import ConfigurationError, DeviceUnavailableError

__all__ = ["Device", "AUTO", "CPU", "CPU_ONLY", "CpuOnly", "DeviceRequest", "parse_device", "resolve_device", "spelling_of"]

AUTO: Final = "auto"
"""The request for "the first GPU if there is one, else the CPU"."""

# Accepted spellings, all case-insensitive:
#   cpu, cpu:0, gpu, gpu:N, cuda, cuda:N, /CPU:0, /GPU:N, /device:GPU:N,
#   /job:localhost/replica:0/task:0/device:GPU:N  (TensorFlow's full names)
_SPELLING = re.compile(
    r"""^\s*
    (?:/job:[^/]+/replica:\d+/task:\d+)?   # TensorFlow job prefix
    (?:/?device:|/)?                      # '/', '/device:' or 'device:'
    (?P<kind>cpu|gpu|cuda)
    (?::(?P<index>\d+))?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_KIND_ALIASES: Final = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu"}
ALLOWED_SPELLINGS: Final = "cpu, gpu, gpu:N, cuda, cuda:N, auto (also TensorFlow's /CPU:0, /GPU:N)"


class Device(str):
    """A framework-neutral device: ``"cpu"`` or ``"gpu:N"``.

    Example:
        >>> from unibridge.devices import Device
        >>> d = Device("gpu", 1)
        >>> d == "gpu:1", d.kind, d.index
        (True, 'gpu', 1)
    """

    kind: str
    # Like torch.device.index. It shadows str.index(), which no one calls on a device;
    # the int index is what users reach for.
    index: int  # type: ignore[assignment]
    # How the user wrote it ("cuda", "/GPU:0"), set by parse_device; errors quote it.
    _spelling: str = ""

    def __new__(cls, kind: str, index: int = 0) -> Device:
        text = "cpu" if kind == "cpu" and index == 0 else f"{kind}:{index}"
        self = super().__new__(cls, text)
        self.kind = kind
        self.index = index
        return self

    def __repr__(self) -> str:
        return f"Device({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return (Device, (self.kind, self.index))


CPU: Final = Device("cpu")

DeviceRequest = Union[Device, str]  # a Device, or AUTO


class CpuOnly(tuple[Device, ...]):
    """What ``devices()`` returns for a backend that never has GPUs, whatever the machine.

    A plain tuple otherwise; :func:`resolve_device` then tells someone asking for a
    GPU that the backend is CPU-only, instead of suggesting a GPU driver.
    """

    __slots__ = ()


CPU_ONLY: Final = CpuOnly((CPU,))
"""``devices()`` of a CPU-only backend (NumPy, Dask)."""


def spelling_of(request: DeviceRequest) -> str:
    """How a parsed device was written (``"cuda"``), or its canonical form when unknown.

    Example:
        >>> spelling_of(parse_device("cuda")), spelling_of(Device("gpu", 1))
        ('cuda', 'gpu:1')
    """
    return getattr(request, "_spelling", "") or str(request)


@lru_cache(maxsize=128)
def _parse_text(text: str) -> DeviceRequest:
    if text.strip().lower() == AUTO:
        return AUTO
    match = _SPELLING.match(text)
    if match is None:
        raise ConfigurationError(
            f"device {text!r} is not a device spelling unibridge knows; allowed: {ALLOWED_SPELLINGS}"
        )
    kind = _KIND_ALIASES[match["kind"].lower()]
    index = int(match["index"]) if match["index"] is not None else 0
    if kind == "cpu" and index == 0:
        return CPU
    device = Device(kind, index)  # one object per spelling (the cache's key): it remembers it
    device._spelling = text.strip()
    return device


def parse_device(spec: Any) -> DeviceRequest:
    """Parse a device given as a string, a :class:`Device` or a framework device object.

    Returns a :class:`Device`, or :data:`AUTO` for ``"auto"``. Raises
    :class:`ConfigurationError` for an unknown spelling.

    Example:
        >>> from unibridge.devices import parse_device
        >>> parse_device("cuda:1"), parse_device("/GPU:0"), parse_device("CPU")
        (Device('gpu:1'), Device('gpu:0'), Device('cpu'))
    """
    if type(spec) is Device:
        return spec
    if isinstance(spec, str):
        return _parse_text(spec)
    # torch.device, jax devices and similar print as "cuda:0" / "cpu:0".
    kind = getattr(spec, "type", None) or getattr(spec, "platform", None)
    if isinstance(kind, str):
        index = getattr(spec, "index", None)
        if index is None:
            index = getattr(spec, "id", 0)
        return _parse_text(f"{kind}:{int(index or 0)}")
    raise ConfigurationError(
        f"cannot interpret {spec!r} (type {type(spec).__name__}) as a device; allowed: {ALLOWED_SPELLINGS}"
    )


def resolve_device(request: DeviceRequest, available: Sequence[Device], backend: str) -> Device:
    """Pick the device ``request`` names among ``available``, or raise.

    ``"auto"`` picks the first GPU, else the CPU. Anything else must exist:
    there is never a silent CPU fallback.

    Example:
        >>> from unibridge.devices import resolve_device, CPU
        >>> resolve_device("auto", [CPU], "numpy")
        Device('cpu')
    """
    if request == AUTO:
        for device in available:
            if device.kind == "gpu":
                return device
        return CPU
    if request in available:
        return request  # type: ignore[return-value]
    listed = ", ".join(available) or "none"
    hint = ""
    if isinstance(request, Device) and request.kind == "gpu":
        if isinstance(available, CpuOnly):
            hint = (
                f" Backend {backend!r} runs on the CPU only: ask for 'cpu' (or 'auto'), or choose a "
                f"backend with GPU support (`unibridge info` lists each backend's devices)."
            )
        elif not any(d.kind == "gpu" for d in available):
            hint = " This backend sees no GPU: check the driver and that a GPU build of the framework is installed."
    spelled = spelling_of(request)
    shown = f"'{spelled}'" if spelled == str(request) else f"'{spelled}' ({request})"
    raise DeviceUnavailableError(
        f"device {shown} is not available on backend {backend!r}; available: {listed}.{hint}"
    )
