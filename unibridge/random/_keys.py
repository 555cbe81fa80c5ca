"""The key-based generator: JAX's ``jax.random`` API, computed with array operations on any backend.

A key is an array of two uint32 words (shape ``(2,)``), an array of the
backend it was made for: ``key(0)`` under ``use("torch")`` is a torch tensor
of dtype ``torch.uint32``. Every function computes on the key's own backend
and device with integer array operations (Threefry-2x32, 20 rounds, in JAX's
``jax_threefry_partitionable`` layout: element ``i`` of a draw is Threefry of
the counter ``(i >> 32, i & 0xffffffff)``), so it runs inside
``unibridge.jit`` (``tf.function``, ``jax.jit``) without touching the host,
and a new key gives new numbers there.

For the same seed, ``bits``, ``uniform``, ``randint``, ``bernoulli``, ``split``,
``fold_in`` and ``permutation`` give the same bits on every backend, and the
same as ``jax.random`` with ``jax.random.PRNGKey(seed)`` (threefry, JAX's
default, with ``jax_enable_x64`` as unibridge's JAX backend sets it).
``normal`` evaluates the inverse error function in float64 on every backend
(Giles' polynomials, as XLA does for float64, after a log of its own made of
IEEE operations, :mod:`._log`) and rounds once to the asked dtype: the same
bits on every backend, eagerly and under ``jit``.

Eager draws from NumPy arrays and torch CPU tensors run in host memory,
block by block in place (:mod:`._host`): the same bits, several times faster.

Example:
    >>> import unibridge as ub
    >>> k = ub.random.key(0, backend="numpy")
    >>> k.tolist(), ub.random.bits(k, (3,)).tolist()
    ([0, 0], [4070199207, 4202968722, 1427181096])
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ..api import asarray, get_backend, namespace
from ..config import current
from ..dtypes import DType
from ..errors import ConfigurationError
from ..registry import owner_of, resolve_dtype
from . import _host
from ._erfinv import erfinv64
from ._host import normal_low
from ._threefry import TorchWords, Words, threefry2x32

__all__ = ["key", "split", "fold_in", "bits", "uniform", "normal", "randint", "bernoulli", "permutation"]

_MAX_DRAW = 2**31 - 1  # counters are made with a 32-bit arange (torch has no uint32 arange)
_UNSIGNED_BITS = {"uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}
_INT_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64, **_UNSIGNED_BITS}
# Mantissa bits of each float dtype, and the width of the random bits JAX spends on it.
_MANTISSA = {"float64": (52, 64), "float32": (23, 32), "float16": (10, 16), "bfloat16": (7, 8)}
_WORDS: dict[str, Callable[[Any], Words]] = {"torch": lambda xp: TorchWords(xp, xp.int32)}
_FUSING = frozenset({"jax", "tensorflow"})  # draws compiled by XLA, which contracts a * b + c (see _compiled)


# -- the backend of a key --------------------------------------------------------------------------------------


class _Backend:
    """What a draw needs of the key's backend: its name, namespace, word arithmetic and creation kwargs."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.xp = namespace(name)
        self.ops = _WORDS.get(name, lambda xp: Words(xp, xp.uint32))(self.xp)
        self._backend = get_backend(name)

    def rounded(self, product: Any) -> Any:
        """``product`` as computed, kept from being fused into the next addition.

        XLA contracts ``a * b + c`` into one fused multiply-add (one rounding), the
        other backends round twice. Where the numbers must agree across backends
        (the log and erfinv polynomials), JAX's product goes through a select
        (``where(p == p, p, 0)``, which XLA cannot drop: it would change a NaN),
        so the addition sees the rounded product. ``lax.optimization_barrier``
        does not do it: XLA removes barriers before it fuses.
        """
        if self.name not in _FUSING:
            return product
        return self.xp.where(product == product, product, 0.0)

    def native(self, dtype: DType | str) -> Any:
        """The framework's dtype object for ``dtype`` (bfloat16 included where the framework has it)."""
        dt = resolve_dtype(dtype)
        find = getattr(self._backend, "native_dtype", None)
        if find is not None:
            return find(dt)
        return getattr(self.xp, str(dt)) if hasattr(self.xp, str(dt)) else dt.numpy  # NumPy: ml_dtypes' bfloat16

    def host_key(self, k: Any) -> tuple[int, int] | None:
        """The key's words as Python ints when its draws run in host memory (:mod:`._host`), else None."""
        return _host.key_words(k, self.name)

    def creation(self, like: Any) -> dict[str, Any]:
        """``device=`` for ``arange`` & co. so that new arrays live where ``like`` does (torch only needs it)."""
        return {"device": like.device} if self.name == "torch" else {}


@functools.lru_cache(maxsize=None)
def _backend_named(name: str) -> _Backend:
    return _Backend(name)


def _backend_of(k: Any, what: str) -> _Backend:
    owner = owner_of(k)
    if owner is None:
        raise ConfigurationError(
            f"{what}: the key must be an array made by unibridge.random.key(seed) (or split/fold_in), "
            f"got {type(k).__name__}"
        )
    shape = tuple(owner.shape_of(k)) if owner.name != "jax" else tuple(k.shape)
    if shape != (2,) or str(owner.dtype_of(k)) != "uint32":
        raise ConfigurationError(
            f"{what}: a key is a uint32 array of shape (2,), got {owner.dtype_of(k)} of shape {shape}; "
            f"index a split's result (keys[0]) to get one key"
        )
    return _backend_named(owner.name)


def _words(b: _Backend, k: Any) -> tuple[Any, Any]:
    w = b.ops.from_uint32(k)
    return w[0], w[1]


def _compiled(b: _Backend, fn: Callable[..., Any], *static: Any, exact_when_fused: bool = True) -> Callable[[Any], Any]:
    """``fn(key, *static)`` as a function of the key, compiled where the framework fuses operations.

    JAX: under ``jax.jit``, as ``jax.random`` does, so an eager draw is one
    fused computation (inside an outer ``jit`` it is inlined). TensorFlow:
    under ``tf.function(jit_compile=True)`` (XLA) when ``exact_when_fused``:
    the draw is integer arithmetic, exact float steps, or products kept from
    fusing into the next addition (:meth:`_Backend.rounded`: ``normal``), so XLA
    cannot change a bit; a ranged uniform's exact fused multiply-add (:func:`_fma`)
    runs as separate TensorFlow operations, because XLA would contract its steps.
    """
    if b.name == "jax":
        return _jax_jitted(fn, static)
    if b.name == "tensorflow" and exact_when_fused:
        return _tf_xla(fn, static)
    return functools.partial(_call_with_static, fn, static)


@functools.lru_cache(maxsize=256)
def _tf_xla(fn: Callable[..., Any], static: tuple[Any, ...]) -> Callable[..., Any]:
    import tensorflow as tf

    return tf.function(functools.partial(_call_with_static, fn, static), jit_compile=True, autograph=False)  # type: ignore[no-any-return]


def _call_with_static(fn: Callable[..., Any], static: tuple[Any, ...], k: Any) -> Any:
    return fn(k, *static)


@functools.lru_cache(maxsize=256)
def _jax_jitted(fn: Callable[..., Any], static: tuple[Any, ...]) -> Callable[..., Any]:
    import jax

    return jax.jit(functools.partial(_call_with_static, fn, static))


# -- arguments -------------------------------------------------------------------------------------------------


def _shape(shape: Any, what: str) -> tuple[int, ...]:
    try:
        dims = tuple(operator.index(d) for d in shape) if hasattr(shape, "__iter__") else (operator.index(shape),)
    except TypeError:
        raise ConfigurationError(f"{what}: shape must be an int or a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in dims):
        raise ConfigurationError(f"{what}: shape must not have negative dimensions, got {dims}")
    if math.prod(dims) > _MAX_DRAW:
        raise ConfigurationError(f"{what}: at most {_MAX_DRAW} numbers per draw, got shape {dims}; draw in parts")
    return dims


def _python_int(value: Any, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise ConfigurationError(f"{what} must be a Python int, got {type(value).__name__}") from None


def _python_float(value: Any, what: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise ConfigurationError(f"{what} must be a Python number, got {type(value).__name__}")


# -- keys -------------------------------------------------------------------------------------------------------


def key(seed: int, *, backend: str | None = None, device: Any = None) -> Any:
    """A key for ``seed``: the uint32 pair ``(seed >> 32, seed & 0xffffffff)`` as JAX's ``PRNGKey(seed)``.

    The key is an array of the active backend (or ``backend=``) on ``device=``;
    every draw from it computes there. ``seed`` is a Python int in
    ``[-2**63, 2**64)`` (negative seeds are taken modulo ``2**64``, as JAX's
    int64 seeds are).

    Example:
        >>> import unibridge as ub
        >>> ub.random.key(2**32 + 5, backend="numpy").tolist()
        [1, 5]
    """
    s = _python_int(seed, "key(seed): seed")
    if not -(2**63) <= s < 2**64:
        raise ConfigurationError(f"key(seed): seed must lie in [-2**63, 2**64), got {s}")
    s %= 2**64
    host = np.array([s >> 32, s & 0xFFFFFFFF], dtype=np.uint32)
    return asarray(host, backend=backend, device=device)


def _split(k: Any, num: int) -> Any:
    b = _backend_named_for(k)
    xp, ops = b.xp, b.ops
    k0, k1 = _words(b, k)
    counts = xp.arange(num, dtype=ops.word, **b.creation(k))
    y0, y1 = threefry2x32(ops, k0, k1, xp.zeros_like(counts), counts)
    return ops.to_uint32(xp.stack([y0, y1], axis=-1))


def split(key: Any, num: int = 2) -> Any:
    """``num`` new keys from ``key``, as an array of shape ``(num, 2)`` (``keys[i]`` is one key).

    Example:
        >>> import unibridge as ub
        >>> ub.random.split(ub.random.key(0, backend="numpy")).tolist()
        [[1797259609, 2579123966], [928981903, 3453687069]]
    """
    _backend_of(key, "split")
    n = _python_int(num, "split(key, num): num")
    if not 0 <= n <= _MAX_DRAW:
        raise ConfigurationError(f"split(key, num): num must lie in [0, {_MAX_DRAW}], got {n}")
    return _compiled(_backend_of(key, "split"), _split, n)(key)


def _backend_named_for(k: Any) -> _Backend:
    owner = owner_of(k)
    assert owner is not None  # checked by the public function
    return _backend_named(owner.name)


def _fold_in(k: Any, data: Any) -> Any:
    b = _backend_named_for(k)
    xp, ops = b.xp, b.ops
    k0, k1 = _words(b, k)
    zero = xp.zeros_like(k0)
    y0, y1 = threefry2x32(ops, k0, k1, zero, xp.add(zero, data))
    return ops.to_uint32(xp.stack([y0, y1]))


def fold_in(key: Any, data: Any) -> Any:
    """A new key from ``key`` and the integer ``data`` (e.g. a step or layer number), as ``jax.random.fold_in``.

    ``data`` is a Python int in ``[0, 2**32)`` or a 0-d integer array of the
    key's backend (a step counter inside ``jit``), taken modulo ``2**32``.

    Example:
        >>> import unibridge as ub
        >>> ub.random.fold_in(ub.random.key(0, backend="numpy"), 1).tolist()
        [928981903, 3453687069]
    """
    b = _backend_of(key, "fold_in")
    if owner_of(data) is None:
        d = _python_int(data, "fold_in(key, data): data")
        if not 0 <= d < 2**32:
            raise ConfigurationError(f"fold_in(key, data): data must lie in [0, 2**32), got {d}")
        word = d if d < 2**31 or b.name != "torch" else d - 2**32  # torch words are int32
        return _compiled(b, _fold_in, word)(key)
    return _fold_in(key, b.xp.astype(data, b.ops.word))


# -- bits ------------------------------------------------------------------------------------------------------


def _threefry_words(b: _Backend, k: Any, shape: tuple[int, ...]) -> tuple[Any, Any]:
    """Threefry of the counters ``(0, i)`` for every element ``i`` of ``shape`` (row-major), as two word arrays."""
    on_host = b.host_key(k)
    if on_host is not None:
        return _host.words(b.name, on_host, shape)
    xp, ops = b.xp, b.ops
    k0, k1 = _words(b, k)
    counts = xp.reshape(xp.arange(math.prod(shape), dtype=ops.word, **b.creation(k)), shape)
    return threefry2x32(ops, k0, k1, xp.zeros_like(k0), counts)


def _bits_of_width(b: _Backend, k: Any, shape: tuple[int, ...], nbits: int) -> Any:
    """JAX's ``_random_bits`` for ``nbits`` <= 32: ``bits1 ^ bits2``, its low ``nbits`` bits, as words."""
    on_host = b.host_key(k)
    if on_host is not None:
        bits = _host.xor_words(b.name, on_host, shape)
    else:
        y0, y1 = _threefry_words(b, k, shape)
        bits = b.ops.xor(y0, y1)
    return b.ops.low(bits, nbits)


def _bits(k: Any, shape: tuple[int, ...], dtype: str) -> Any:
    b = _backend_named_for(k)
    xp, ops = b.xp, b.ops
    nbits = _UNSIGNED_BITS[dtype]
    if nbits == 64:  # (bits1 << 32) | bits2, built in int64 and reinterpreted
        y0, y1 = _threefry_words(b, k, shape)
        wide = xp.bitwise_or(
            xp.bitwise_left_shift(_as_int64(b, y0), 32), _as_int64(b, y1)
        )
        return _reinterpret_uint64(b, wide)
    x = _bits_of_width(b, k, shape, nbits)
    return ops.to_uint32(x) if nbits == 32 else xp.astype(x, b.native(dtype))


def _as_int64(b: _Backend, words: Any) -> Any:
    """Words as non-negative int64 values in ``[0, 2**32)``."""
    wide = b.xp.astype(words, b.xp.int64)
    return b.xp.bitwise_and(wide, 0xFFFFFFFF) if b.name == "torch" else wide


def _reinterpret_uint64(b: _Backend, x: Any) -> Any:
    if b.name == "torch":
        return x.view(b.xp.uint64)
    return b.xp.astype(x, b.xp.uint64)  # two's complement: the cast keeps the bits


def bits(key: Any, shape: Any = (), dtype: Any = "uint32") -> Any:
    """Uniform random bits as unsigned integers (uint8, uint16, uint32 or uint64), as ``jax.random.bits``.

    Example:
        >>> import unibridge as ub
        >>> ub.random.bits(ub.random.key(1, backend="numpy"), (2,), dtype="uint8").tolist()
        [183, 62]
    """
    b = _backend_of(key, "bits")
    dt = str(resolve_dtype(dtype))
    if dt not in _UNSIGNED_BITS:
        raise ConfigurationError(f"bits: dtype must be uint8, uint16, uint32 or uint64, got {dt}")
    return _compiled(b, _bits, _shape(shape, "bits"), dt)(key)


# -- floats ----------------------------------------------------------------------------------------------------


def _unit(b: _Backend, k: Any, shape: tuple[int, ...], dt: DType) -> Any:
    """JAX's uniform ``[0, 1)``: the top mantissa bits of the draw, as ``m * 2**-nmant`` (exact)."""
    xp, ops = b.xp, b.ops
    on_host = b.host_key(k)
    if on_host is not None:
        done = _host.unit(b.name, on_host, shape, str(dt))
        if done is not None:
            return done
    nmant, width = _MANTISSA[str(dt)]
    native = b.native(dt)
    if width == 64:  # (bits1 << 32 | bits2) >> 12 = bits1 * 2**20 + (bits2 >> 12), exact in float64
        y0, y1 = _threefry_words(b, k, shape)
        m = xp.add(xp.multiply(xp.astype(_nonneg(b, y0), native), 2.0**20), xp.astype(ops.shr(y1, 12), native))
    else:
        m = xp.astype(ops.shr(_bits_of_width(b, k, shape, width), width - nmant), native)
    return xp.multiply(m, 2.0**-nmant)


def _nonneg(b: _Backend, words: Any) -> Any:
    """Words as values a float cast reads as unsigned (torch's int32 words go through int64)."""
    return _as_int64(b, words) if b.name == "torch" else words


def _scaled(b: _Backend, u: Any, low: float, span: float) -> Any:
    """JAX's ``max(minval, u * (maxval - minval) + minval)`` with both ends already in the draw's dtype.

    XLA contracts ``u * span + low`` into one fused multiply-add (one rounding),
    so JAX's numbers are ``fma(u, span, low)``. On JAX the same expression is
    compiled the same way; elsewhere the fused result is computed exactly
    (see :func:`_fma`).
    """
    xp = b.xp
    fused = xp.add(xp.multiply(u, span), low) if b.name == "jax" else _fma(b, u, span, low)
    return xp.maximum(fused, low)


def _two_sum(xp: Any, a: Any, c: Any) -> tuple[Any, Any]:
    """``s = fl(a + c)`` and the exact error ``a + c - s`` (Knuth's TwoSum)."""
    s = xp.add(a, c)
    virtual = xp.subtract(s, a)
    return s, xp.add(xp.subtract(a, xp.subtract(s, virtual)), xp.subtract(c, virtual))


def _fma(b: _Backend, u: Any, span: float, low: float) -> Any:
    """``u * span + low`` rounded once to ``u``'s dtype, with separate float64 operations.

    Narrow dtypes (float32, float16, bfloat16): the product is exact in
    float64; ``s + e`` (TwoSum) is the exact result, and rounding ``s`` to the
    dtype is right unless ``s`` sits exactly halfway between two values of the
    dtype while ``e`` is not 0: then ``e``'s sign picks the side.
    float64: Dekker's exact product ``p + q`` (Veltkamp splitting), then
    ``fl(s + (q + e))``, which differs from a true fused result only on exact ties
    of the last correction.
    """
    xp = b.xp
    f64 = xp.float64
    if u.dtype == f64:
        split = 134217729.0  # 2**27 + 1
        p = xp.multiply(u, span)
        t = xp.multiply(u, split)
        u_hi = xp.subtract(t, xp.subtract(t, u))
        u_lo = xp.subtract(u, u_hi)
        s_hi = float(split * span - (split * span - span))
        s_lo = span - s_hi
        q = xp.add(
            xp.add(xp.add(xp.subtract(xp.multiply(u_hi, s_hi), p), xp.multiply(u_hi, s_lo)), xp.multiply(u_lo, s_hi)),
            xp.multiply(u_lo, s_lo),
        )  # p + q == u * span exactly
        s, e = _two_sum(xp, p, low)
        return xp.add(s, xp.add(q, e))
    narrow = u.dtype
    s, e = _two_sum(xp, xp.multiply(xp.astype(u, f64), span), low)
    r = xp.astype(s, narrow)
    back = xp.astype(r, f64)
    # s is halfway between back and its neighbour exactly when the mirror 2s - back (exact) is a value of the dtype.
    mirror = xp.subtract(xp.multiply(s, 2.0), back)
    tie = xp.logical_and(xp.astype(xp.astype(mirror, narrow), f64) == mirror, xp.logical_and(mirror != back, e != 0.0))
    side = xp.where(e > 0.0, xp.maximum(back, mirror), xp.minimum(back, mirror))
    return xp.where(tie, xp.astype(side, narrow), r)


def _uniform(k: Any, shape: tuple[int, ...], dt: DType, low: float, span: float) -> Any:
    b = _backend_named_for(k)
    u = _unit(b, k, shape, dt)
    return u if (low, span) == (0.0, 1.0) else _scaled(b, u, low, span)


def _float_dtype(dtype: Any, what: str) -> DType:
    dt = current().default_float if dtype is None else resolve_dtype(dtype)
    if str(dt) not in _MANTISSA:
        raise ConfigurationError(f"{what}: dtype must be float16, bfloat16, float32 or float64, got {dt}")
    return dt


def _in_dtype(value: float, dt: DType) -> float:
    """``value`` rounded to ``dt`` (what JAX's ``convert_element_type`` does), as a Python float."""
    return float(np.asarray(value, dtype=dt.numpy))


def uniform(key: Any, shape: Any = (), dtype: Any = None, minval: float = 0.0, maxval: float = 1.0) -> Any:
    """Uniform floats in ``[minval, maxval)``, as ``jax.random.uniform`` (default dtype: the configured float).

    ``minval`` and ``maxval`` are Python numbers, rounded to ``dtype`` first;
    the result is ``max(minval, u * (maxval - minval) + minval)`` in ``dtype``
    with ``u`` in ``[0, 1)``, as JAX computes it (so, as in JAX, a value can
    round up to ``maxval`` when the range is wide compared to the dtype's spacing).

    Example:
        >>> import unibridge as ub
        >>> u = ub.random.uniform(ub.random.key(0, backend="numpy"), (2,), dtype="float32")
        >>> u.tolist(), u.dtype
        ([0.9476670026779175, 0.9785798788070679], dtype('float32'))
    """
    b = _backend_of(key, "uniform")
    dt = _float_dtype(dtype, "uniform")
    low = _in_dtype(_python_float(minval, "uniform: minval"), dt)
    high = _in_dtype(_python_float(maxval, "uniform: maxval"), dt)
    span = float(np.asarray(high, dtype=dt.numpy) - np.asarray(low, dtype=dt.numpy))  # rounded in dt, as JAX
    exact = (low, span) == (0.0, 1.0)
    return _compiled(b, _uniform, _shape(shape, "uniform"), dt, low, span, exact_when_fused=exact)(key)


def _normal(k: Any, shape: tuple[int, ...], dt: DType) -> Any:
    b = _backend_named_for(k)
    on_host = b.host_key(k)
    if on_host is not None:
        done = _host.normal(b.name, on_host, shape, str(dt))
        if done is not None:
            return done
    xp = b.xp
    x = xp.add(xp.multiply(xp.astype(_unit(b, k, shape, dt), xp.float64), 2.0), normal_low(dt))
    z = xp.multiply(erfinv64(xp, x, b.rounded), math.sqrt(2.0))
    return z if dt == "float64" else xp.astype(z, b.native(dt))


def normal(key: Any, shape: Any = (), dtype: Any = None) -> Any:
    """Standard normal samples, as ``jax.random.normal``: ``sqrt(2) * erfinv(u)``, ``u`` uniform in (-1, 1).

    ``u`` is JAX's uniform draw in ``dtype`` (exact in float64); ``erfinv`` is
    evaluated in float64 with IEEE operations only (its log included), so every
    backend gives the same bits, and the result is rounded once to ``dtype``.

    Example:
        >>> import unibridge as ub
        >>> z = ub.random.normal(ub.random.key(0, backend="numpy"), (1000,))
        >>> abs(float(z.mean())) < 0.1, 0.9 < float(z.std()) < 1.1
        (True, True)
    """
    b = _backend_of(key, "normal")
    return _compiled(b, _normal, _shape(shape, "normal"), _float_dtype(dtype, "normal"))(key)


# -- integers --------------------------------------------------------------------------------------------------


def _randint(k: Any, shape: tuple[int, ...], dt: str, low: int, span: int, out: str) -> Any:
    """JAX's randint offset ``((hi % span) * (2**n % span) + lo % span) % span`` (n-bit wrapping), in int64.

    ``span`` is a Python int in ``[1, 2**n]``; ``2**n`` means the whole range: the offset is the low bits.
    """
    b = _backend_named_for(k)
    xp = b.xp
    nbits = _INT_BITS[dt]
    keys = _split(k, 2)
    k_high, k_low = keys[0, :], keys[1, :]
    mask = (1 << nbits) - 1 if nbits < 64 else -1
    if nbits <= 32:
        high = _as_int64(b, _bits_of_width(b, k_high, shape, nbits))
        low_bits = _as_int64(b, _bits_of_width(b, k_low, shape, nbits))
        if span == 1 << nbits:
            offset = low_bits
        else:
            half = (1 << (nbits // 2)) % span
            multiplier = ((half * half) & mask) % span  # JAX squares in the n-bit dtype: it can wrap to 0
            t = xp.bitwise_and(xp.multiply(xp.remainder(high, span), multiplier), mask)  # < 2**64: wraps right
            offset = xp.remainder(xp.bitwise_and(xp.add(t, xp.remainder(low_bits, span)), mask), span)
    else:  # 64-bit: each draw is bits1 * 2**32 + bits2; reduced modulo span half by half (span <= 2**31)
        h0, h1 = (_as_int64(b, w) for w in _threefry_words(b, k_high, shape))
        l0, l1 = (_as_int64(b, w) for w in _threefry_words(b, k_low, shape))
        if span == 1 << 64:
            offset = xp.bitwise_or(xp.bitwise_left_shift(l0, 32), l1)  # wraps to int64 as JAX's does
        else:
            word = (1 << 32) % span

            def mod_span(hi: Any, lo: Any) -> Any:
                return xp.remainder(xp.add(xp.multiply(xp.remainder(hi, span), word), xp.remainder(lo, span)), span)

            multiplier = (word * word) % span  # word < 2**31: JAX's 64-bit square does not wrap
            offset = xp.remainder(xp.add(xp.multiply(mod_span(h0, h1), multiplier), mod_span(l0, l1)), span)
    return xp.astype(xp.add(offset, low), b.native(out))


def randint(key: Any, shape: Any, minval: int, maxval: int, dtype: Any = "int64") -> Any:
    """Integers in ``[minval, maxval)``, as ``jax.random.randint`` (the same small modulo bias).

    ``minval`` and ``maxval`` are Python ints, clipped to ``dtype``'s range as
    JAX does (so ``randint(k, s, 0, 256, "uint8")`` covers all of uint8), and
    ``maxval <= minval`` gives ``minval``. For 64-bit dtypes the span
    ``maxval - minval`` must be at most ``2**31`` or the whole dtype.

    Example:
        >>> import unibridge as ub
        >>> ub.random.randint(ub.random.key(0, backend="numpy"), (5,), 0, 10).tolist()
        [5, 1, 5, 7, 3]
    """
    b = _backend_of(key, "randint")
    dt = str(resolve_dtype(dtype))
    if dt not in _INT_BITS:
        raise ConfigurationError(f"randint: dtype must be an integer dtype, e.g. 'int64', got {dt}")
    lo_in = _python_int(minval, "randint: minval")
    hi_in = _python_int(maxval, "randint: maxval")
    info = np.iinfo(np.dtype(dt))
    nbits = _INT_BITS[dt]
    if nbits < 32:  # JAX samples 8- and 16-bit integers as int32 (less bias), bounds clipped to the dtype
        sample = "int32"
        lo, hi = min(max(lo_in, int(info.min)), int(info.max)), min(max(hi_in, int(info.min)), int(info.max) + 1)
        span = 1 if hi <= lo else hi - lo
    else:
        sample = dt
        lo, hi = min(max(lo_in, int(info.min)), int(info.max)), min(max(hi_in, int(info.min)), int(info.max))
        span = 1 if hi <= lo else hi - lo + (1 if hi_in > int(info.max) else 0)  # JAX's out-of-range maxval
    if nbits == 64 and span > 2**31 and span != 2**64:
        raise ConfigurationError(
            f"randint: a span of {span} values for {dt} is beyond what this implementation reduces exactly "
            f"(at most 2**31, or the whole dtype); draw bits(key, shape, 'uint64') and reduce them yourself"
        )
    return _compiled(b, _randint, _shape(shape, "randint"), sample, lo, span, dt)(key)


def _bernoulli(k: Any, shape: tuple[int, ...], dt: DType, p: float) -> Any:
    return _backend_named_for(k).xp.less(_uniform(k, shape, dt, 0.0, 1.0), p)


def bernoulli(key: Any, p: float = 0.5, shape: Any = None) -> Any:
    """Booleans that are True with probability ``p``: ``uniform(key, shape, float64) < p``, as ``jax.random.bernoulli``.

    ``p`` is a Python number (JAX draws in its dtype: float64 for a Python
    float with x64); ``shape=None`` gives a 0-d array.

    Example:
        >>> import unibridge as ub
        >>> ub.random.bernoulli(ub.random.key(0, backend="numpy"), 0.5, (6,)).tolist()
        [True, True, False, False, False, True]
    """
    b = _backend_of(key, "bernoulli")
    prob = _python_float(p, "bernoulli: p")
    dims = () if shape is None else _shape(shape, "bernoulli")
    return _compiled(b, _bernoulli, dims, resolve_dtype("float64"), prob)(key)


# -- permutations ----------------------------------------------------------------------------------------------


def _shuffle_order(k: Any, n: int) -> Any:
    """JAX's ``_shuffle`` of ``arange(n)``: stable sorts by fresh 32-bit keys, ``ceil(3 ln n / ln(2**32-1))`` times."""
    b = _backend_named_for(k)
    xp = b.xp
    order = xp.arange(n, dtype=xp.int64, **b.creation(k))
    rounds = int(np.ceil(3 * np.log(max(1, n)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        keys = _split(k, 2)
        k, sub = keys[0, :], keys[1, :]
        sort_keys = _as_int64(b, _bits_of_width(b, sub, (n,), 32))
        order = xp.take(order, xp.argsort(sort_keys, stable=True), axis=0)
    return order


def permutation(key: Any, x_or_n: Any) -> Any:
    """A random ordering of ``arange(n)`` (int64), or of ``x`` along its first axis, as ``jax.random.permutation``.

    Example:
        >>> import unibridge as ub
        >>> ub.random.permutation(ub.random.key(0, backend="numpy"), 6).tolist()
        [0, 1, 5, 4, 3, 2]
    """
    b = _backend_of(key, "permutation")
    if owner_of(x_or_n) is None:
        n = _python_int(x_or_n, "permutation(key, x_or_n): an int n or an array")
        if n < 0:
            raise ConfigurationError(f"permutation(key, n) needs n >= 0, got {n}")
        return _compiled(b, _shuffle_order, _shape((n,), "permutation")[0])(key)
    dims = tuple(x_or_n.shape)
    if not dims:
        raise ConfigurationError("permutation(key, x): x must have at least one dimension (or pass an int n)")
    order = _compiled(b, _shuffle_order, _shape(dims[:1], "permutation")[0])(key)
    return b.xp.take(x_or_n, order, axis=0)
