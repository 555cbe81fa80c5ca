"""The natural log in float64 from IEEE basic operations: the same bits on every backend.

``normal`` needs ``log``, and the frameworks' own ones differ in the last bit
(NumPy's and XLA's are within about 0.6 ulp of the true value, TensorFlow's
1.5), which the inverse error function after it turned into up to 4 ulp
between backends. This one (fdlibm's ``__ieee754_log``: a reduction to
``m`` in ``[sqrt(2)/2, sqrt(2))`` by powers of two, then
``log(m) = 2 atanh(f / (2 + f))`` with ``f = m - 1``, a degree-14 polynomial
in ``s = f / (2 + f)``) uses only additions, multiplications and one division,
each correctly rounded on every backend, so every backend gets the same bits,
within 1 ulp of the true log.

It takes ``q`` in ``[2**-63, 1]`` (``normal``'s ``(1 - x)(1 + x)``). Two ways,
the same numbers: :func:`log64` with array operations (the reduction by six
comparisons), and :func:`log64_in_place` for host blocks (the reduction by
``frexp``).

Example:
    >>> import numpy as np
    >>> log64(np, np.array([1.0, 0.5, 2.0**-40]), lambda p: p).tolist() == np.log([1.0, 0.5, 2.0**-40]).tolist()
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["log64", "log64_in_place"]

_SQRT2 = 1.4142135623730951  # the reduced argument lies in [_SQRT2 / 2, _SQRT2)
_LN2_HI = 6.93147180369123816490e-01  # ln 2 in two parts: _LN2_HI has trailing zeros, so k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_LG = (
    6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01,
    1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01,
)  # fdlibm's Lg1..Lg7: log(1 + f) = f - f*f/2 + s*(f*f/2 + R(s*s))
_STEPS = (32, 16, 8, 4, 2, 1)


def _from_reduced(xp: Any, rounded: Callable[[Any], Any], m: Any, dk: Any) -> Any:
    """``log(m) + dk * ln 2`` for ``m`` in ``[sqrt(2)/2, sqrt(2))``, as fdlibm computes it."""
    f = xp.subtract(m, 1.0)  # exact (Sterbenz)
    s = xp.divide(f, xp.add(f, 2.0))
    z = xp.multiply(s, s)
    w = xp.multiply(z, z)
    lg1, lg2, lg3, lg4, lg5, lg6, lg7 = _LG
    t1 = xp.multiply(w, xp.add(rounded(xp.multiply(w, xp.add(rounded(xp.multiply(w, lg6)), lg4))), lg2))
    t2 = xp.multiply(z, xp.add(rounded(xp.multiply(w, xp.add(rounded(xp.multiply(
        w, xp.add(rounded(xp.multiply(w, lg7)), lg5))), lg3))), lg1))
    r = xp.add(rounded(t2), rounded(t1))
    hfsq = xp.multiply(xp.multiply(f, 0.5), f)
    inner = xp.add(rounded(xp.multiply(s, xp.add(rounded(hfsq), r))), rounded(xp.multiply(dk, _LN2_LO)))
    return xp.subtract(rounded(xp.multiply(dk, _LN2_HI)), xp.subtract(xp.subtract(rounded(hfsq), inner), f))


def log64(xp: Any, q: Any, rounded: Callable[[Any], Any]) -> Any:
    """``log(q)`` for float64 ``q`` in ``[2**-63, 1]`` with ``xp``'s operations; ``rounded(product)``
    keeps a product from being fused into the addition after it (see ``_keys._Backend.rounded``).

    Example:
        >>> import numpy as np
        >>> float(log64(np, np.asarray(0.25), lambda p: p)) == float(np.log(0.25))
        True
    """
    m, k = q, xp.zeros_like(q)
    for step in _STEPS:  # the largest k with q * 2**k < sqrt(2): m = q * 2**k is in [sqrt(2)/2, sqrt(2))
        scaled = xp.multiply(m, float(2**step))  # exact
        up = xp.less(scaled, _SQRT2)
        m = xp.where(up, scaled, m)
        k = xp.where(up, xp.add(k, float(step)), k)
    return _from_reduced(xp, rounded, m, xp.subtract(0.0, k))  # -k, and +0.0 for k = 0 (as frexp's)


def log64_in_place(q: np.ndarray, out: np.ndarray, scratch: tuple[np.ndarray, ...]) -> None:
    """``log(q)`` into ``out`` for a 1-d float64 host block, the same bits as :func:`log64`, with no
    temporaries: ``q`` is overwritten; ``scratch`` is four float64 buffers and an int32 one, of its
    length. The reduction
    by ``np.frexp`` finds the same ``m`` as the comparisons (both exact); then :func:`_from_reduced`'s
    steps in the same order (an IEEE sum or product does not depend on the order of its operands)."""
    dk, s, z, t, exponent = scratch
    np.frexp(q, out=(q, exponent))  # q = m * 2**e, m in [0.5, 1)
    low = np.less(q, _SQRT2 / 2)  # then m * 2 and e - 1 (arithmetic: ufuncs with where= are slow)
    np.add(low, 1.0, out=t)
    np.multiply(q, t, out=q)
    np.copyto(dk, exponent)
    np.subtract(dk, low, out=dk)
    f = q
    np.subtract(f, 1.0, out=f)
    np.add(f, 2.0, out=s)
    np.divide(f, s, out=s)
    np.multiply(s, s, out=z)
    w = out  # out holds w, then t2
    np.multiply(z, z, out=w)
    lg1, lg2, lg3, lg4, lg5, lg6, lg7 = _LG
    np.multiply(w, lg6, out=t)
    np.add(t, lg4, out=t)
    np.multiply(t, w, out=t)
    np.add(t, lg2, out=t)
    np.multiply(t, w, out=t)  # t1
    np.multiply(w, lg7, out=z)  # z is free until t2's last step: keep it in s * s form below
    np.add(z, lg5, out=z)
    np.multiply(z, w, out=z)
    np.add(z, lg3, out=z)
    np.multiply(z, w, out=z)
    np.add(z, lg1, out=z)
    np.multiply(s, s, out=w)  # z again, into w's buffer (w is no longer needed)
    np.multiply(z, w, out=out)  # t2
    np.add(out, t, out=out)  # r
    np.multiply(f, 0.5, out=z)
    np.multiply(z, f, out=z)  # hfsq
    np.add(z, out, out=out)
    np.multiply(s, out, out=out)
    np.multiply(dk, _LN2_LO, out=t)
    np.add(out, t, out=out)  # inner
    np.subtract(z, out, out=out)
    np.subtract(out, f, out=out)
    np.multiply(dk, _LN2_HI, out=t)
    np.subtract(t, out, out=out)
