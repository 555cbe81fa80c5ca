"""Neural-network functions with JAX's names (``jax.nn``), written once against the arrays' namespace.

Each function computes with the namespace of its input's backend (NumPy,
PyTorch, TensorFlow, JAX, Dask, array-api-strict), so it runs on the input's
device, inside :func:`unibridge.jit`, and is differentiable by
:func:`unibridge.grad` where the backend has gradients.

Numerically stable everywhere, ±1000 and ±inf included: the reductions shift
by the (finite) maximum, which is a constant for differentiation (a
``stop_gradient``, as JAX does); ``sigmoid`` and ``softplus`` never exponentiate
a positive number. Gradients at the kinks are JAX's: ``relu``'s at 0 is 0.

Signatures are JAX's, without ``where=`` and ``initial=`` (masked reductions)
and without ``logsumexp``'s ``b=`` and ``return_sign=``. The loss is optax's:
:func:`softmax_cross_entropy_with_integer_labels` (per-example, not averaged).

Example:
    >>> import numpy as np, unibridge as ub
    >>> x = np.array([1000.0, 0.0, -np.inf])
    >>> ub.nn.logsumexp(x).item(), ub.nn.softmax(x).tolist()
    (1000.0, [1.0, 0.0, 0.0])
"""

from __future__ import annotations

import math
from typing import Any

from ._namespace_of import namespace_of, native_dtype, on_device_of
from .autodiff import stop_gradient

__all__ = [
    "relu",
    "sigmoid",
    "softplus",
    "silu",
    "gelu",
    "softmax",
    "log_softmax",
    "logsumexp",
    "one_hot",
    "softmax_cross_entropy_with_integer_labels",
]

Axis = int | tuple[int, ...] | None


def relu(x: Any) -> Any:
    """``max(x, 0)``; its gradient at 0 is 0 (as JAX's); NaN stays NaN.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.relu(np.array([-2.0, 0.0, 3.0])).tolist()
        [0.0, 0.0, 3.0]
    """
    xp = namespace_of(x)
    return xp.where(x <= 0, 0.0, x)


def sigmoid(x: Any) -> Any:
    """The logistic function ``1 / (1 + exp(-x))`` (SciPy's ``expit``), exact in the tails.

    Only ``exp(-|x|)`` is computed, so nothing overflows and ``sigmoid(-700)``
    keeps its full relative precision.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.sigmoid(np.array([0.0, -1000.0, 1000.0])).tolist()
        [0.5, 0.0, 1.0]
    """
    xp = namespace_of(x)
    positive = x >= 0
    e = xp.exp(-xp.where(positive, x, -x))  # exp(-|x|); a where (not abs) keeps the gradient at 0
    return xp.where(positive, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))``, computed as ``max(x, 0) + log1p(exp(-|x|))``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.softplus(np.array([0.0, 1000.0, -np.inf])).tolist() == [np.log(2.0), 1000.0, 0.0]
        True
    """
    xp = namespace_of(x)
    positive = x > 0
    # At 0 both parts come from the negative branch, log1p(exp(x)): gradient 1/2, as it should.
    return xp.where(positive, x, 0.0) + xp.log1p(xp.exp(-xp.where(positive, x, -x)))


def silu(x: Any) -> Any:
    """``x * sigmoid(x)`` (also called swish).

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.silu(np.array([0.0, 1000.0])).tolist()
        [0.0, 1000.0]
    """
    return x * sigmoid(x)


def gelu(x: Any, approximate: bool = True) -> Any:
    """The Gaussian error linear unit; ``approximate=True`` (JAX's default) is the tanh form.

    Exact: ``x * Phi(x) = x/2 * erfc(-x/sqrt(2))``, with ``erfc`` from Cephes'
    rational approximations (the Array API has no ``erf``): within 2e-14 of
    SciPy's for ``|x| < 8`` in float64, 2e-13 far out in the negative tail. Approximate:
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3)))``.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> round(ub.nn.gelu(np.array(1.0), approximate=False).item(), 12)
        0.841344746069
    """
    xp = namespace_of(x)
    if approximate:
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * (x * x * x))
        return 0.5 * x * (1.0 + xp.tanh(inner))
    return 0.5 * x * _erfc(xp, -x * (1.0 / math.sqrt(2.0)))


# Cephes' erf and erfc (S. L. Moshier; the approximations SciPy's erf and erfc use).
# erf(x) = x T(x^2) / U(x^2) for |x| < 1; erfc(x) = exp(-x^2) P(x) / Q(x) on [1, 8), R(x) / S(x) from 8.
# Q, S and U have a leading coefficient 1, left out.
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)
_ERFC_ZERO = 40.0  # erfc(x) underflows to 0 in float64 beyond about 27.3


def _polynomial(x: Any, coefficients: tuple[float, ...], monic: bool = False) -> Any:
    """Horner's rule, highest power first; ``monic``: a leading coefficient 1 before them."""
    if monic:
        out, rest = x + coefficients[0], coefficients[1:]
    else:
        out, rest = coefficients[0] * x + coefficients[1], coefficients[2:]
    for c in rest:
        out = out * x + c
    return out


def _erfc(xp: Any, a: Any) -> Any:
    """``erfc(a)`` elementwise. Each branch sees only inputs in its own range (a ``where``
    before it, not only after), so no branch makes an inf or NaN that would leak into gradients."""
    small = xp.abs(a) < 1.0
    s = xp.where(small, a, 0.0)
    z = s * s
    near = 1.0 - s * _polynomial(z, _ERF_T) / _polynomial(z, _ERF_U, monic=True)
    x = xp.minimum(xp.where(small, 1.0, xp.abs(a)), _ERFC_ZERO)
    middle = x < 8.0
    ratio = xp.where(middle, _polynomial(x, _ERFC_P) / _polynomial(x, _ERFC_Q, monic=True),
                     _polynomial(x, _ERFC_R) / _polynomial(x, _ERFC_S, monic=True))
    tail = xp.exp(-(x * x)) * ratio
    return xp.where(small, near, xp.where(a < 0, 2.0 - tail, tail))


def _safe_max(xp: Any, x: Any, axis: Axis) -> Any:
    """The maximum along ``axis`` (kept), 0 where it is infinite, as a constant for gradients."""
    m = xp.max(x, axis=axis, keepdims=True)
    return stop_gradient(xp.where(xp.isfinite(m), m, 0.0))


def logsumexp(a: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """``log(sum(exp(a)))`` along ``axis`` (all axes by default), without overflow.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.logsumexp(np.array([[1000.0, 1000.0], [-np.inf, -np.inf]]), axis=1).tolist() == [1000.0 + np.log(2.0), -np.inf]
        True
    """
    xp = namespace_of(a)
    m = _safe_max(xp, a, axis)
    total = xp.sum(xp.exp(a - m), axis=axis, keepdims=keepdims)
    if not keepdims:
        m = xp.reshape(m, ()) if axis is None else xp.squeeze(m, axis=axis)
    # log(0) is -inf, as it should be; the where keeps NumPy from warning about it.
    some = total > 0
    return xp.where(some, xp.log(xp.where(some, total, 1.0)), -math.inf) + m


def softmax(x: Any, axis: Axis = -1) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis`` (SciPy's ``softmax``), without overflow.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.softmax(np.array([0.0, np.log(3.0)])).round(12).tolist()
        [0.25, 0.75]
    """
    xp = namespace_of(x)
    e = xp.exp(x - _safe_max(xp, x, axis))
    return e / xp.sum(e, axis=axis, keepdims=True)


def log_softmax(x: Any, axis: Axis = -1) -> Any:
    """``x - logsumexp(x)`` along ``axis`` (SciPy's ``log_softmax``), exact where softmax underflows.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.log_softmax(np.array([0.0, -1000.0])).tolist()
        [0.0, -1000.0]
    """
    xp = namespace_of(x)
    shifted = x - _safe_max(xp, x, axis)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def _classes(xp: Any, like: Any, num_classes: int) -> Any:
    """``arange(num_classes)`` on ``like``'s device."""
    return xp.arange(num_classes, **on_device_of(like))


def one_hot(x: Any, num_classes: int, *, dtype: Any = None, axis: int = -1) -> Any:
    """Integer labels ``x`` as one-hot vectors along a new ``axis``; labels outside ``[0, num_classes)`` give zeros.

    ``dtype`` defaults to the configured default float (float64 unless
    configured), in the namespace of ``x``'s backend.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> ub.nn.one_hot(np.array([2, 0, 5]), 3).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    xp = namespace_of(x)
    hot = xp.expand_dims(x, axis=-1) == _classes(xp, x, num_classes)
    hot = xp.astype(hot, native_dtype(xp, dtype))
    return hot if axis in (-1, hot.ndim - 1) else xp.moveaxis(hot, -1, axis)


def softmax_cross_entropy_with_integer_labels(logits: Any, labels: Any, axis: int = -1) -> Any:
    """Cross-entropy between ``softmax(logits)`` and integer ``labels``, one value per example (optax's name).

    ``-log_softmax(logits)[label]`` along ``axis``, for each example: average
    it yourself (``xp.mean``) for a training loss.

    Example:
        >>> import numpy as np, unibridge as ub
        >>> loss = ub.nn.softmax_cross_entropy_with_integer_labels(np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([1, 0]))
        >>> loss.tolist() == [np.log(2.0), 0.0]
        True
    """
    xp = namespace_of(logits, "logits")
    if axis not in (-1, logits.ndim - 1):
        logits = xp.moveaxis(logits, axis, -1)
    shifted = logits - _safe_max(xp, logits, -1)
    log_normaliser = xp.log(xp.sum(xp.exp(shifted), axis=-1))
    is_label = xp.expand_dims(labels, axis=-1) == _classes(xp, logits, logits.shape[-1])
    return log_normaliser - xp.sum(xp.where(is_label, shifted, 0.0), axis=-1)
