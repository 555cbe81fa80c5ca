"""unibridge: write array and model code once; run it on NumPy, PyTorch or
TensorFlow, on CPU or GPU, chosen by configuration.

Importing unibridge imports no framework: each backend loads its framework on
first use.

Example:
    >>> import numpy as np, unibridge as ub
    >>> a = np.arange(4.0)
    >>> b = ub.asarray(a)              # the active backend (numpy on cpu by default)
    >>> ub.dtype_of(b) == "float64", ub.shares_memory(a, b)
    (True, True)
"""

from . import nn, optim, random, tree
from ._version import __version__
from .api import (
    as_dtype,
    asarray,
    device_of,
    get_backend,
    dtype_of,
    namespace,
    shares_memory,
    to_device,
    to_numpy,
    zeros,
    zeros_like,
)
from .autodiff import grad, stop_gradient, value_and_grad
from .checkpoint import load, load_metadata, save
from .config import Selection, configure, current, use
from .devices import Device
from .dtypes import DType
from .errors import (
    BackendNotFoundError,
    BackendUnavailableError,
    AutodiffUnavailableError,
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
from .compiling import jit
from .transforms import vmap
from .following import xp
from .protocol import Backend
from .registry import BackendInfo, backends, register_backend, registered, unregister_backend

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

