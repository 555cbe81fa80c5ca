"""erfinv in float64 for ``normal``: Giles' polynomials, with array operations or in place on host blocks.

Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): the
double-precision polynomials XLA's ErfInv uses for float64, in
``w = -log((1 - x)(1 + x))`` shifted by 3.125 (``w < 6.25``), or in
``sqrt(w)`` shifted by 3.25 (``w < 16``) or 5. Every step is an IEEE
addition, multiplication, division or square root, each product rounded
before its sum, and the log is :mod:`._log`'s (made of the same), so every
backend gives the same bits, and so do both versions here.

Example:
    >>> import numpy as np
    >>> x = np.array([-0.5, 0.0, 0.9999])
    >>> out, scratch = np.empty(3), (*(np.empty(3) for _ in range(5)), np.empty(3, np.int32))
    >>> erfinv64_in_place(x.copy(), scratch[0], out, scratch[1:])
    >>> bool(np.array_equal(out, erfinv64(np, x, lambda p: p)))
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._log import log64, log64_in_place

__all__ = ["erfinv64", "erfinv64_in_place", "CENTRAL_BELOW"]

CENTRAL_BELOW = 6.25  # w below this: the central polynomial (all but about 0.1% of uniform x)
_TAIL_FROM = 16.0
_CENTRAL = (
    -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
    1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
    6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693, 1.6536545626831027356,
)  # in w - 3.125
_MIDDLE = (
    2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
    1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
    2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
    6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
    -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
    3.0838856104922207635,
)  # in sqrt(w) - 3.25
_TAIL = (
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
    -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
    2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
    -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
    7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
    1.0103004648645343977, 4.8499064014085844221,
)  # in sqrt(w) - 5


def _horner(xp: Any, rounded: Callable[[Any], Any], coefficients: tuple[float, ...], t: Any) -> Any:
    p = xp.add(rounded(xp.multiply(t, coefficients[0])), coefficients[1])
    for c in coefficients[2:]:
        p = xp.add(rounded(xp.multiply(p, t)), c)
    return p


def erfinv64(xp: Any, x: Any, rounded: Callable[[Any], Any]) -> Any:
    """erfinv of float64 ``x`` in (-1, 1) with ``xp``'s operations, each branch evaluated everywhere
    (compiled code cannot pick elements); ``rounded(product)`` keeps a product from being fused into
    the next addition (XLA contracts them; see ``_keys._Backend.rounded``). No NaN: ``w >= 0``.

    Example:
        >>> import numpy as np
        >>> round(float(erfinv64(np, np.asarray(0.5), lambda p: p)), 12)  # erfinv(0.5) = 0.476936276204469873...
        0.476936276204
    """
    w = xp.negative(log64(xp, xp.multiply(xp.subtract(1.0, x), xp.add(1.0, x)), rounded))
    root = xp.sqrt(w)
    central = _horner(xp, rounded, _CENTRAL, xp.subtract(w, 3.125))
    middle = _horner(xp, rounded, _MIDDLE, xp.subtract(root, 3.25))
    tail = _horner(xp, rounded, _TAIL, xp.subtract(root, 5.0))
    p = xp.where(w < CENTRAL_BELOW, central, xp.where(w < _TAIL_FROM, middle, tail))
    return xp.multiply(p, x)


def _horner_in_place(coefficients: tuple[float, ...], t: np.ndarray, p: np.ndarray) -> None:
    np.multiply(t, coefficients[0], out=p)
    np.add(p, coefficients[1], out=p)
    for c in coefficients[2:]:
        np.multiply(p, t, out=p)
        np.add(p, c, out=p)


def erfinv64_in_place(x: np.ndarray, w: np.ndarray, out: np.ndarray, scratch: tuple[np.ndarray, ...]) -> None:
    """erfinv of float64 ``x`` (1-d: a block of a host draw) into ``out``: the same bits as :func:`erfinv64`
    with NumPy. ``w`` and ``scratch`` (for :func:`~._log.log64_in_place`) are buffers of ``x``'s length.
    The central polynomial runs on every element, the other two only on the few (about 0.1% of a
    uniform ``x``) that need them."""
    np.add(1.0, x, out=out)
    np.subtract(1.0, x, out=w)
    np.multiply(w, out, out=w)
    log64_in_place(w, out, scratch)
    np.negative(out, out=w)
    far = np.flatnonzero(w >= CENTRAL_BELOW)
    w_far = w[far]
    np.subtract(w, 3.125, out=w)
    _horner_in_place(_CENTRAL, w, out)
    if far.size:
        root = np.sqrt(w_far)
        middle, tail = np.empty_like(root), np.empty_like(root)
        _horner_in_place(_MIDDLE, root - 3.25, middle)
        _horner_in_place(_TAIL, root - 5.0, tail)
        out[far] = np.where(w_far < _TAIL_FROM, middle, tail)
    np.multiply(out, x, out=out)
