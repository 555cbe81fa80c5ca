"""Is a framework tracing a function for compilation right now (``tf.function``, ``jax.jit``)?

A host-side draw made while tracing would be baked into the compiled function
as a constant: every call would see the same numbers. Frameworks are only
looked up in ``sys.modules`` (one that was never imported cannot be tracing),
so asking imports nothing.

Example:
    >>> compiling_framework() is None
    True
"""

from __future__ import annotations

import sys

__all__ = ["compiling_framework"]


def _tensorflow_traces() -> bool:
    tf = sys.modules.get("tensorflow")
    return tf is not None and bool(tf.inside_function())


def _jax_traces() -> bool:
    """True inside ``jax.jit`` (a staging trace somewhere below the current one); False under grad or vmap alone."""
    if "jax" not in sys.modules:
        return False
    try:
        from jax._src import core
    except ImportError:  # pragma: no cover - a JAX without the module: nothing to ask
        return False
    trace = getattr(core.trace_ctx, "trace", None)
    while trace is not None:
        if type(trace).__name__ == "DynamicJaxprTrace":
            return True
        trace = getattr(trace, "parent_trace", None)
    return False


def compiling_framework() -> str | None:
    """``"tensorflow"`` or ``"jax"`` while that framework traces a function to compile it, else None."""
    if _jax_traces():
        return "jax"
    if _tensorflow_traces():
        return "tensorflow"
    return None
