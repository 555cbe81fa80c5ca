"""``unibridge.namespace("mlx")``: ``mlx.core`` with float64 made accurate and a few Array API gaps closed.

Every name not defined here is ``mlx.core``'s own (through the module ``__getattr__``), so
``xp.matmul``, ``xp.tanh``, ``xp.linalg`` are MLX's functions, unchanged. Importing this module
imports MLX (``backend.namespace()`` imports it on first use only).

Why the wrappers (measured with mlx 0.32.4, CPU build; ``FACTS.md``, "float64 accuracy"):
MLX's CPU kernels accept float64, but ``exp``, ``sin``, ``cos``, ``sigmoid``, ``erf``,
``erfinv`` (and through ``exp``: ``softmax``, ``logsumexp``, ``logaddexp``) evaluate a
float32-accurate approximation: relative errors of 3e-6 for ``exp`` on [-30, 30], absolute
errors near 1e-7 for ``sin``/``cos``. ``log``, ``tan``, ``tanh``, ``sqrt``, ``pow`` and
matmul are float64-accurate (errors of one ulp). For float64 arguments this module computes:

* ``exp`` by range reduction (``x = k ln2 + r``), MLX's estimate ``y`` of ``exp(r)`` refined
  through the accurate ``log`` (``d = r - log(y)``, ``y * (1 + d + d**2/2)``), times ``2**k``
  set in the exponent bits: within 1 ulp over the whole float64 range, subnormals included
  (MLX's own float64 ``exp`` overflows above 88.7 and returns 0 below -87.3);
* ``sin`` and ``cos`` from ``t = tan(x/2)``: ``2t/(1+t**2)`` and ``(1-t**2)/(1+t**2)``;
* ``sigmoid``, ``softmax``, ``logsumexp``, ``logaddexp`` from that ``exp``.

Their gradients are declared with ``mx.custom_function`` (``exp' = exp``,
``sin' = cos``, ...), so ``mx.grad`` and ``mx.compile`` see one accurate primitive. Other
dtypes go straight to MLX. ``erf`` and ``erfinv`` stay float32-accurate in float64 (a gap the
README lists).

Array API names MLX lacks or spells differently, added here: ``bool``,
``__array_api_version__``, ``nonzero``, ``copysign``, ``hypot``, ``signbit``; and Array API
signatures MLX's functions lack: ``astype(x, dtype, copy=)``, ``finfo``/``iinfo`` of an array
(``iinfo`` with ``bits``), ``result_type`` with Python scalars, ``meshgrid`` returning a list, ``argmax``/``argmin``
giving int64 (MLX's: uint32).

Example:
    >>> import numpy as np, unibridge as ub
    >>> xp = ub.namespace("mlx")
    >>> x = ub.asarray(np.array([1.0, 20.0]), backend="mlx")
    >>> ub.to_numpy(xp.exp(x)).tolist() == np.exp([1.0, 20.0]).tolist()   # MLX's own: 3e-7 off
    True
"""

from __future__ import annotations

import builtins
from typing import Any

import mlx.core as _mx
import numpy as _np

__array_api_version__ = "2024.12"
bool = _mx.bool_  # noqa: A001 - the Array API's name for the boolean dtype (builtins.bool below for the type)

_F64 = _mx.float64


def __getattr__(name: str) -> Any:
    """Everything else is ``mlx.core``'s own."""
    try:
        return getattr(_mx, name)
    except AttributeError:
        raise AttributeError(f"module 'unibridge_mlx.array_api' (mlx.core) has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(dir(_mx)))


# -- float64-accurate elementwise functions -------------------------------------------------------


_LOG2E = 1.4426950408889634
# ln 2 split in two (fdlibm's constants): k * _LN2_HI is exact for the k that occur here.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10


def _two_to(k: Any) -> Any:
    """``2.0**k`` for int64 ``k`` in [-1022, 1023], exactly: the exponent bits set directly."""
    return ((k + 1023) << 52).view(_F64)


def _exp64(x: Any) -> Any:
    # MLX's float64 exp is float32 all through: it overflows above 88.7 and gives 0 below -87.3.
    # So: x = k ln2 + r with |r| <= ln2/2, MLX's estimate of exp(r) refined through the accurate
    # log (d = r - log(y); exp(r) = y exp(d) ~ y (1 + d + d**2/2)), then times 2**k in two
    # exact factors (k reaches -1075 for the smallest subnormal, 1024 at overflow).
    xc = _mx.clip(x, -746.0, 710.0)  # beyond: 0 and inf, which the scaling below reaches
    k = _mx.round(xc * _LOG2E)
    r = (xc - k * _LN2_HI) - k * _LN2_LO
    y = _mx.exp(r)
    d = r - _mx.log(y)
    y = y + y * (d + 0.5 * d * d)
    ki = k.astype(_mx.int64)
    k1 = _mx.floor_divide(ki, 2)
    out = y * _two_to(k1) * _two_to(ki - k1)
    return _mx.where(_mx.isnan(x), x, out)


# One fused kernel per input shape: eagerly, ~18 small MLX operations cost ~120 us on a (128, 10)
# array, the compiled function ~80 us (MLX's own, inaccurate exp: ~23 us). Inside mx.compile
# (unibridge.jit) it is inlined into the enclosing graph.
_exp64_fused = _mx.compile(_exp64)


@_mx.custom_function
def _exp(x: Any) -> Any:
    return _exp64_fused(x)


@_exp.vjp
def _exp_vjp(primals: Any, cotangent: Any, output: Any) -> Any:
    return cotangent * output


@_exp.jvp
def _exp_jvp(primals: Any, tangents: Any) -> Any:
    return tangents * _exp64(primals)


def _half_angle(x: Any) -> tuple[Any, Any, Any]:
    t = _mx.tan(x * 0.5)  # tan is float64-accurate
    t2 = t * t
    return t, t2, 1.0 + t2


def _sin64(x: Any) -> Any:
    t, _, den = _half_angle(x)
    return _mx.where(_mx.isinf(den), 0.0 * t, 2.0 * t / den)


def _cos64(x: Any) -> Any:
    _, t2, den = _half_angle(x)
    return _mx.where(_mx.isinf(den), -1.0, (1.0 - t2) / den)


@_mx.custom_function
def _sin(x: Any) -> Any:
    return _sin64(x)


@_sin.vjp
def _sin_vjp(primals: Any, cotangent: Any, output: Any) -> Any:
    return cotangent * _cos64(primals)


@_sin.jvp
def _sin_jvp(primals: Any, tangents: Any) -> Any:
    return tangents * _cos64(primals)


@_mx.custom_function
def _cos(x: Any) -> Any:
    return _cos64(x)


@_cos.vjp
def _cos_vjp(primals: Any, cotangent: Any, output: Any) -> Any:
    return -cotangent * _sin64(primals)


@_cos.jvp
def _cos_jvp(primals: Any, tangents: Any) -> Any:
    return -tangents * _sin64(primals)


# MLX's stubs type a custom_function as `object`; these names let mypy see callables.
_EXP: Any = _exp
_SIN: Any = _sin
_COS: Any = _cos


def _is_f64(x: Any) -> builtins.bool:
    return isinstance(x, _mx.array) and x.dtype == _F64


def exp(x: Any, /, **kwargs: Any) -> Any:
    """``e**x``; float64 to about ``|x|`` ulp (MLX's own kernel is float32-accurate there)."""
    return _EXP(x) if _is_f64(x) and not kwargs else _mx.exp(x, **kwargs)


def sin(x: Any, /, **kwargs: Any) -> Any:
    """The sine; float64-accurate for float64 input (from ``tan(x/2)``)."""
    return _SIN(x) if _is_f64(x) and not kwargs else _mx.sin(x, **kwargs)


def cos(x: Any, /, **kwargs: Any) -> Any:
    """The cosine; float64-accurate for float64 input (from ``tan(x/2)``)."""
    return _COS(x) if _is_f64(x) and not kwargs else _mx.cos(x, **kwargs)


def sigmoid(x: Any, /, **kwargs: Any) -> Any:
    """``1 / (1 + e**-x)``, without overflow; float64 through the accurate ``exp``."""
    if not _is_f64(x) or kwargs:
        return _mx.sigmoid(x, **kwargs)
    e = _EXP(-_mx.abs(x))  # in (0, 1]: never overflows
    return _mx.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logsumexp(x: Any, /, axis: Any = None, keepdims: builtins.bool = False, **kwargs: Any) -> Any:
    """``log(sum(exp(x)))`` along ``axis``, shifted by the maximum; float64 through the accurate ``exp``."""
    if not _is_f64(x) or kwargs:
        return _mx.logsumexp(x, axis=axis, keepdims=keepdims, **kwargs)
    m = _mx.stop_gradient(_mx.max(x, axis=axis, keepdims=True))
    m = _mx.where(_mx.isfinite(m), m, 0.0)
    out = _mx.log(_mx.sum(_EXP(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else _mx.squeeze(out, axis=axis)


def softmax(x: Any, /, axis: Any = None, **kwargs: Any) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis``; float64 through the accurate ``exp``."""
    if not _is_f64(x) or kwargs:
        return _mx.softmax(x, axis=axis, **kwargs)
    e = _EXP(x - _mx.stop_gradient(_mx.max(x, axis=axis, keepdims=True)))
    return e / _mx.sum(e, axis=axis, keepdims=True)


def logaddexp(x1: Any, x2: Any, /, **kwargs: Any) -> Any:
    """``log(exp(x1) + exp(x2))`` without overflow; float64 through the accurate ``exp``."""
    if kwargs or not (_is_f64(x1) or _is_f64(x2)):
        return _mx.logaddexp(x1, x2, **kwargs)
    x1, x2 = _mx.asarray(x1), _mx.asarray(x2)
    big = _mx.maximum(x1, x2)
    safe = _mx.where(_mx.isinf(big), 0.0, -_mx.abs(x1 - x2))  # inf - inf would be nan
    return big + _mx.log1p(_EXP(safe)) * _mx.where(_mx.isinf(big), 0.0, 1.0)


# -- creation: unibridge's default float, int64 for Python ints, NumPy dtypes kept -----------------
# unibridge's generic wrapper (unibridge.namespaces) needs a complex128 to pair with float64 and
# MLX has none, so this namespace follows the configured default float itself, read at call time
# as unibridge's TensorFlow namespace does. MLX's own defaults: float32 for Python floats (and for
# float64 NumPy arrays), int32 for small Python ints.


def _default_float() -> Any:
    import unibridge

    return getattr(_mx, str(unibridge.current().default_float))


def _python_dtype(value: Any) -> Any:
    """The dtype unibridge gives Python data: default float, int64, bool (MLX: complex64)."""
    kind = _np.asarray(value).dtype.kind
    if kind == "f":
        return _default_float()
    if kind in "iu":
        return _mx.int64
    if kind == "b":
        return _mx.bool_
    if kind == "c":
        # MLX's only complex dtype, and the default complex dtype this namespace reports
        # (__array_namespace_info__): under the float64 default unibridge would say complex128,
        # which MLX lacks. unibridge.asarray refuses complex128 data by name instead.
        return _mx.complex64
    return None


def _no_device(device: Any) -> None:
    if device is not None and str(device).lower() not in ("cpu", "device(cpu, 0)"):
        raise ValueError(f"device={device!r}: unibridge's MLX namespace creates arrays on the cpu only")


def zeros(shape: Any, *, dtype: Any = None, device: Any = None) -> Any:
    """Zeros; the default float unless ``dtype`` is given."""
    _no_device(device)
    return _mx.zeros(shape, dtype=dtype or _default_float())


def ones(shape: Any, *, dtype: Any = None, device: Any = None) -> Any:
    """Ones; the default float unless ``dtype`` is given."""
    _no_device(device)
    return _mx.ones(shape, dtype=dtype or _default_float())


def empty(shape: Any, *, dtype: Any = None, device: Any = None) -> Any:
    """An array to be filled (zeros in MLX); the default float unless ``dtype`` is given."""
    _no_device(device)
    return _mx.zeros(shape, dtype=dtype or _default_float())


def eye(n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None, device: Any = None) -> Any:
    """The identity-like matrix; the default float unless ``dtype`` is given."""
    _no_device(device)
    return _mx.eye(n_rows, n_cols, k, dtype=dtype or _default_float())


def full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Any:
    """``fill_value`` everywhere; Python floats give the default float, ints int64."""
    _no_device(device)
    if dtype is None and isinstance(fill_value, _np.generic):
        name = fill_value.dtype.name
        dtype = getattr(_mx, "bool_" if name == "bool" else name)  # a NumPy scalar keeps its dtype, as in NumPy
    elif dtype is None and not isinstance(fill_value, _mx.array):
        dtype = _python_dtype(fill_value)
    return _mx.full(shape, fill_value, dtype=dtype)


def arange(start: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None) -> Any:
    """``[start, stop)`` by ``step``; Python floats give the default float, ints int64."""
    _no_device(device)
    if dtype is None:
        dtype = _python_dtype([start, step] if stop is None else [start, stop, step])
    if stop is None:
        start, stop = 0, start
    return _mx.arange(start, stop, step, dtype=dtype)


def linspace(start: Any, stop: Any, /, num: int, *, dtype: Any = None, device: Any = None,
             endpoint: builtins.bool = True) -> Any:
    """``num`` evenly spaced values; the default float unless ``dtype`` is given."""
    _no_device(device)
    return _mx.linspace(start, stop, num, endpoint=endpoint, dtype=dtype or _default_float())


def asarray(obj: Any, /, *, dtype: Any = None, device: Any = None, copy: Any = None) -> Any:
    """An MLX array of ``obj``: NumPy arrays keep their dtype (MLX's own gives float32 for
    float64), Python data follows unibridge (default float, int64, bool).

    ``copy=False`` of anything that is not already an MLX array raises ``ValueError``: MLX
    copies every buffer it is given.
    """
    _no_device(device)
    if isinstance(obj, _mx.array):
        out = obj if dtype is None or obj.dtype == dtype else obj.astype(dtype)
        if copy and out is obj:
            out = _mx.array(obj)
        return out
    if copy is False:
        from unibridge.errors import CopyRequiredError

        raise CopyRequiredError("MLX copies every buffer it is given, so asarray(copy=False) cannot share it")
    if isinstance(obj, _np.ndarray) or hasattr(obj, "__array_interface__") or hasattr(obj, "__dlpack__"):
        host = _np.asarray(obj)
        if dtype is None and host.dtype == _np.complex128:
            from unibridge.errors import UnsupportedInputError

            raise UnsupportedInputError("MLX has no complex128 dtype; pass dtype=xp.complex64 to narrow it explicitly")
        if dtype is None and host.dtype.kind in "fiub?c":
            dtype = getattr(_mx, "bool_" if host.dtype.kind == "b" else host.dtype.name)
        return _mx.array(_np.ascontiguousarray(host), dtype=dtype)
    if dtype is None:
        dtype = _python_dtype(obj)
    return _mx.array(obj, dtype=dtype)


class _Info:
    """MLX's ``__array_namespace_info__()`` with unibridge's default dtypes (the rest is MLX's)."""

    def __init__(self, info: Any) -> None:
        self._info = info

    def default_dtypes(self, *, device: Any = None) -> dict[str, Any]:
        found = dict(self._info.default_dtypes())
        # MLX's only complex dtype is complex64, whatever the default float.
        found.update({"real floating": _default_float(), "integral": _mx.int64})
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._info, name)


def __array_namespace_info__() -> Any:  # noqa: N807 - the Array API's name
    """MLX's namespace information, with unibridge's default float and int64 as defaults."""
    info: Any = getattr(_mx, "__array_namespace_info__")  # untyped in MLX's stubs
    return _Info(info())


def _like(x: Any) -> Any:
    return x if isinstance(x, _mx.array) else asarray(x)


def zeros_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
    """Zeros with ``x``'s shape and dtype (or ``dtype``)."""
    _no_device(device)
    return _mx.zeros_like(_like(x), dtype=dtype)


def ones_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
    """Ones with ``x``'s shape and dtype (or ``dtype``)."""
    _no_device(device)
    return _mx.ones_like(_like(x), dtype=dtype)


def empty_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
    """An array with ``x``'s shape and dtype (or ``dtype``); zeros in MLX."""
    _no_device(device)
    return _mx.zeros_like(_like(x), dtype=dtype)


def full_like(x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Any:
    """``fill_value`` with ``x``'s shape and dtype (or ``dtype``)."""
    _no_device(device)
    x = _like(x)
    return _mx.full(x.shape, fill_value, dtype=dtype or x.dtype)


# -- Array API names MLX lacks --------------------------------------------------------------------


def nonzero(x: Any, /) -> tuple[Any, ...]:
    """The indices of the nonzero elements, one int64 array per axis (data-dependent shape:
    evaluated on the host, so not inside ``mx.compile``)."""
    found = _np.nonzero(_np.array(x, copy=False))
    return tuple(_mx.array(i.astype(_np.int64), dtype=_mx.int64) for i in found)


def copysign(x1: Any, x2: Any, /) -> Any:
    """``|x1|`` with the sign (bit) of ``x2``, -0.0 and NaN signs included."""
    x1, x2 = _mx.asarray(x1), _mx.asarray(x2)
    return _mx.where(signbit(x2), -_mx.abs(x1), _mx.abs(x1))


def signbit(x: Any, /) -> Any:
    """True where the sign bit is set (-0.0 and negative NaNs included)."""
    x = _mx.asarray(x)
    if not _mx.issubdtype(x.dtype, _mx.floating):
        return x < 0
    signed = {2: _mx.int16, 4: _mx.int32, 8: _mx.int64}[x.dtype.size]
    return x.view(signed) < 0  # the sign bit is the signed integer's sign


def hypot(x1: Any, x2: Any, /) -> Any:
    """``sqrt(x1**2 + x2**2)`` without intermediate overflow or underflow."""
    a, b = _mx.abs(_mx.asarray(x1)), _mx.abs(_mx.asarray(x2))
    big, small = _mx.maximum(a, b), _mx.minimum(a, b)
    scale = _mx.where(big == 0, 1.0, big)
    r = small / scale
    out = big * _mx.sqrt(1.0 + r * r)
    return _mx.where(_mx.isinf(a) | _mx.isinf(b), _mx.inf, out)


# -- Array API signatures MLX's own functions lack ---------------------------------------------


def astype(x: Any, dtype: Any, /, *, copy: builtins.bool = True, device: Any = None) -> Any:
    """``x`` as ``dtype``; ``copy=False`` returns ``x`` itself when the dtype is already right."""
    _no_device(device)
    if x.dtype == dtype:
        return _mx.array(x) if copy else x  # mx.array(x): a new buffer (MLX's astype would share)
    return _mx.astype(x, dtype)


def _dtype_of(x: Any) -> Any:
    return x.dtype if isinstance(x, _mx.array) else x


def finfo(type: Any, /) -> Any:  # noqa: A002 - the Array API's parameter name
    """Machine limits of a floating dtype, or of an array's dtype."""
    return _mx.finfo(_dtype_of(type))


class _IntInfo:
    """``mx.iinfo`` with the ``bits`` the Array API asks for."""

    def __init__(self, dtype: Any) -> None:
        info = _mx.iinfo(dtype)
        self.dtype, self.min, self.max = info.dtype, info.min, info.max
        self.bits = 8 * dtype.size

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def iinfo(type: Any, /) -> Any:  # noqa: A002 - the Array API's parameter name
    """Machine limits of an integer dtype, or of an array's dtype (with ``bits``)."""
    return _IntInfo(_dtype_of(type))


def result_type(*arrays_and_dtypes: Any) -> Any:
    """The promoted dtype; Python scalars take part as the Array API says (they adopt the
    kind of the arrays they join: an int beside int8 arrays stays int8)."""
    typed = [a for a in arrays_and_dtypes if not isinstance(a, (builtins.bool, int, float, complex))]
    scalars = [a for a in arrays_and_dtypes if isinstance(a, (builtins.bool, int, float, complex))]
    if not typed:
        raise TypeError("result_type needs at least one array or dtype")
    out = _mx.result_type(*typed)
    for value in scalars:
        # A weakly typed scalar: promoted as a 0-d array of the array's dtype would be, unless its
        # kind is higher (a float beside ints gives the default float, as in MLX's arithmetic).
        out = (_mx.zeros((), dtype=out) + value).dtype
    return out


def meshgrid(*arrays: Any, indexing: str = "xy") -> list[Any]:
    """Coordinate matrices, as a list (MLX returns a tuple)."""
    return list(_mx.meshgrid(*arrays, indexing=indexing))


def argmax(x: Any, /, *, axis: int | None = None, keepdims: builtins.bool = False) -> Any:
    """Indices of the maxima, as int64 (MLX's own are uint32, not an Array API index dtype)."""
    return _mx.argmax(x, axis=axis, keepdims=keepdims).astype(_mx.int64)


def argmin(x: Any, /, *, axis: int | None = None, keepdims: builtins.bool = False) -> Any:
    """Indices of the minima, as int64 (MLX's own are uint32, not an Array API index dtype)."""
    return _mx.argmin(x, axis=axis, keepdims=keepdims).astype(_mx.int64)
