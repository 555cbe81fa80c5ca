"""unibridge: write array and model code once; run it on NumPy, PyTorch, TensorFlow, JAX,
Dask, array-api-strict or MLX, on CPU or GPU, chosen by configuration.

This file is the public face only: it names what ``unibridge`` exports and where each
name lives. Nothing is imported until it is first used: ``import unibridge`` loads no
framework and not even NumPy, and ``ub.asarray`` (any public name) imports its module
on first access, through the module-level ``__getattr__`` below (PEP 562), then is a
plain attribute. The conversion engine is :mod:`unibridge.engine`, the public
functions around it :mod:`unibridge.api`.

Example:
    >>> import numpy as np, unibridge as ub
    >>> a = np.arange(4.0)
    >>> b = ub.asarray(a)              # the active backend (numpy on cpu by default)
    >>> ub.dtype_of(b) == "float64", ub.shares_memory(a, b)
    (True, True)
"""

import sys

from ._version import __version__

__all__ = [
    "__version__",
    # conversion
    "asarray",
    "zeros",
    "zeros_like",
    "to_device",
    "to_numpy",
    "shares_memory",
    "dtype_of",
    "device_of",
    "as_dtype",
    "namespace",
    "xp",
    # model code: gradients, compilation, random numbers
    "value_and_grad",
    "grad",
    "stop_gradient",
    "jit",
    "vmap",
    "random",
    "tree",
    "nn",
    "optim",
    # checkpoints
    "save",
    "load",
    "load_metadata",
    # configuration
    "use",
    "configure",
    "current",
    "Selection",
    # registry
    "backends",
    "get_backend",
    "register_backend",
    "unregister_backend",
    "registered",
    "Backend",
    "BackendInfo",
    # value types
    "DType",
    "Device",
    # errors
    "UnibridgeError",
    "BackendNotFoundError",
    "BackendUnavailableError",
    "DeviceUnavailableError",
    "CopyRequiredError",
    "LossyCastError",
    "UnsupportedInputError",
    "ConfigurationError",
    "NotDifferentiableError",
    "GradientOutputError",
    "AutodiffUnavailableError",
    "CheckpointError",
    "JitUnavailableError",
]

# Each submodule and the public names it defines; a submodule that is itself public names itself.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "api": ("asarray", "zeros", "zeros_like", "to_device", "to_numpy", "shares_memory", "dtype_of", "device_of",
            "as_dtype", "namespace", "get_backend"),
    "following": ("xp",),
    "autodiff": ("value_and_grad", "grad", "stop_gradient"),
    "compiling": ("jit",),
    "transforms": ("vmap",),
    "random": ("random",),
    "tree": ("tree",),
    "nn": ("nn",),
    "optim": ("optim",),
    "checkpoint": ("save", "load", "load_metadata"),
    "config": ("use", "configure", "current", "Selection"),
    "registry": ("backends", "register_backend", "unregister_backend", "registered", "BackendInfo"),
    "protocol": ("Backend",),
    "dtypes": ("DType",),
    "devices": ("Device",),
    "errors": ("UnibridgeError", "BackendNotFoundError", "BackendUnavailableError", "DeviceUnavailableError",
               "CopyRequiredError", "LossyCastError", "UnsupportedInputError", "ConfigurationError",
               "NotDifferentiableError", "GradientOutputError", "AutodiffUnavailableError", "CheckpointError",
               "JitUnavailableError"),
}
# Public name -> the submodule that defines it (what __getattr__ reads).
_HOMES: dict[str, str] = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> object:
    """Import a public name's module on first access and keep the name as a plain attribute.

    Any other submodule (``unibridge.engine``, ``unibridge.casting``...) is imported on
    access too, as if the package had imported it.
    """
    home = _HOMES.get(name)
    if home is None:
        if name.startswith("__"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            __import__(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        return sys.modules[f"{__name__}.{name}"]
    __import__(f"{__name__}.{home}")  # the import statement's machinery: -X importtime sees it
    module = sys.modules[f"{__name__}.{home}"]
    value = module if home == name else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


TYPE_CHECKING = False  # typing's own constant would import typing; type checkers read any TYPE_CHECKING as true
if TYPE_CHECKING:
    from . import nn, optim, random, tree
    from .api import (
        as_dtype,
        asarray,
        device_of,
        dtype_of,
        get_backend,
        namespace,
        shares_memory,
        to_device,
        to_numpy,
        zeros,
        zeros_like,
    )
    from .autodiff import grad, stop_gradient, value_and_grad
    from .checkpoint import load, load_metadata, save
    from .compiling import jit
    from .config import Selection, configure, current, use
    from .devices import Device
    from .dtypes import DType
    from .errors import (
        AutodiffUnavailableError,
        BackendNotFoundError,
        BackendUnavailableError,
        CheckpointError,
        ConfigurationError,
        CopyRequiredError,
        DeviceUnavailableError,
        GradientOutputError,
        JitUnavailableError,
        LossyCastError,
        NotDifferentiableError,
        UnibridgeError,
        UnsupportedInputError,
    )
    from .following import xp
    from .protocol import Backend
    from .registry import BackendInfo, backends, register_backend, registered, unregister_backend
    from .transforms import vmap
