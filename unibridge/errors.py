"""unibridge's exception hierarchy.

Every error unibridge raises derives from :class:`UnibridgeError` *and* from the
builtin a caller would already catch (``ValueError``, ``TypeError``,
``RuntimeError``), so existing ``except`` clauses keep working.

Messages say what was wrong, what to do, and what is available.
"""

from __future__ import annotations

__all__ = [
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
    "JitUnavailableError",
]


class UnibridgeError(Exception):
    """Base class of every error raised by unibridge."""


class BackendNotFoundError(UnibridgeError, ValueError):
    """No backend is registered under the requested name.

    Example:
        >>> import unibridge as ub
        >>> try:
        ...     ub.get_backend("tourch")
        ... except ub.BackendNotFoundError as e:
        ...     print(type(e).__name__)
        BackendNotFoundError
    """


class BackendUnavailableError(UnibridgeError, RuntimeError):
    """The backend is registered but cannot load here (framework missing or broken)."""


class DeviceUnavailableError(UnibridgeError, RuntimeError):
    """The requested device does not exist for the backend; never silently replaced."""


class CopyRequiredError(UnibridgeError, ValueError):
    """``copy=False`` was asked for but no zero-copy path exists; the message says why."""


class LossyCastError(UnibridgeError, TypeError):
    """A dtype conversion would change values and the casting mode does not allow it."""


class UnsupportedInputError(UnibridgeError, TypeError):
    """The input cannot be represented as a numeric array (object, string, ragged, ...)."""


class ConfigurationError(UnibridgeError, ValueError):
    """A configuration value (argument or ``UNIBRIDGE_*`` variable) is invalid."""


class NotDifferentiableError(UnibridgeError, TypeError):
    """An argument to differentiate is not a floating or complex array of one autodiff framework.

    Integer and bool dtypes, Python numbers, and arrays of two frameworks in
    one call raise it; the message names the argument and its dtype or frameworks.
    """


class GradientOutputError(UnibridgeError, ValueError):
    """The differentiated function did not return a real scalar (or ``(value, aux)`` with ``has_aux``)."""


class AutodiffUnavailableError(UnibridgeError, NotImplementedError):
    """The arrays' backend has no automatic differentiation (NumPy, Dask); the message names those that do."""


class JitUnavailableError(UnibridgeError, NotImplementedError):
    """``unibridge.jit`` was asked for a backend that declares no ``jit`` (neither a compiler nor
    "nothing to compile"); the message names the backend and what to do."""
