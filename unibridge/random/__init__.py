"""Random numbers that are the same on every backend: a host generator and a key-based one.

* :func:`default_rng` (:class:`Generator`): NumPy's PCG64 on the host, for
  initialisation and shuffles outside compiled code. The numbers are NumPy's
  float64 draws; float32, float16 and bfloat16 draws are those float64 draws
  rounded (staying inside the documented range), so one seed gives one
  experiment at every precision. Drawing while ``unibridge.jit`` traces raises:
  the numbers would freeze into the compiled function.
* :func:`key`, :func:`split`, :func:`fold_in`, :func:`bits`, :func:`uniform`,
  :func:`normal`, :func:`randint`, :func:`bernoulli`, :func:`permutation`:
  JAX's functional API, computed on the key's backend and device with integer
  array operations (Threefry-2x32), so it runs inside ``unibridge.jit``; the
  same bits as ``jax.random`` on every backend (see :mod:`unibridge.random._keys`).

Example:
    >>> import unibridge as ub
    >>> k = ub.random.key(0, backend="numpy")
    >>> ub.random.uniform(k, (2,), dtype="float32").tolist() == ub.random.uniform(k, (2,), dtype="float32").tolist()
    True
    >>> ub.dtype_of(ub.random.default_rng(0, backend="numpy").normal(size=3))
    DType('float64')
"""

from __future__ import annotations

from ._generator import Generator, default_rng
from ._keys import bernoulli, bits, fold_in, key, normal, permutation, randint, split, uniform

__all__ = [
    "default_rng",
    "Generator",
    "key",
    "split",
    "fold_in",
    "bits",
    "uniform",
    "normal",
    "randint",
    "bernoulli",
    "permutation",
]
