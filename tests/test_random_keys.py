"""The key-based generator (``unibridge.random.key`` & co.): Threefry-2x32 on every backend, equal to ``jax.random``.

Oracles: Random123's published Threefry-2x32 known-answer vectors (13 and 20
rounds), and ``jax.random`` itself with ``jax.random.PRNGKey`` (threefry, JAX's
default, ``jax_threefry_partitionable`` at its default, True in jax 0.10.2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.random._host import BLOCK
from unibridge.random._threefry import Words, threefry2x32

from _backends import require

R = ub.random
BACKENDS = ["numpy", "torch", "tensorflow", "jax", "dask", "strict"]

# Random123 kat_vectors: rounds, counter (2 words), key (2 words), expected output.
KNOWN_ANSWERS = [
    (13, (0, 0), (0, 0), (0x9D1C5EC6, 0x8BD50731)),
    (13, (0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0xFD36D048, 0x2D17272C)),
    (13, (0x243F6A88, 0x85A308D3), (0x13198A2E, 0x03707344), (0xBA3E4725, 0xF27D669E)),
    (20, (0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    (20, (0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    (20, (0x243F6A88, 0x85A308D3), (0x13198A2E, 0x03707344), (0xC4923A9C, 0x483DF7A0)),
]

DRAWS: dict[str, Callable[[Any], Any]] = {
    "split": lambda k: R.split(k, 3),
    "fold_in": lambda k: R.fold_in(k, 7),
    "bits": lambda k: R.bits(k, (3, 5)),
    "bits(uint8)": lambda k: R.bits(k, (9,), "uint8"),
    "bits(uint16)": lambda k: R.bits(k, (9,), "uint16"),
    "bits(uint64)": lambda k: R.bits(k, (9,), "uint64"),
    "uniform(float32)": lambda k: R.uniform(k, (500,), "float32"),
    "uniform(float32, 40_000: NumPy's blocks)": lambda k: R.uniform(k, (200, 200), "float32"),
    "uniform(float32, host blocks, the last one partial)": lambda k: R.uniform(k, (2 * BLOCK + 3,), "float32"),
    "uniform(float64, host blocks, the last one partial)": lambda k: R.uniform(k, (2 * BLOCK + 3,), "float64"),
    "bits(host blocks, the last one partial)": lambda k: R.bits(k, (BLOCK + 5,)),
    "uniform(float64)": lambda k: R.uniform(k, (500,), "float64"),
    "uniform(float32, -3.3, 1.7)": lambda k: R.uniform(k, (500,), "float32", -3.3, 1.7),
    "uniform(float64, -3.3, 1.7)": lambda k: R.uniform(k, (500,), "float64", -3.3, 1.7),
    "uniform(float16)": lambda k: R.uniform(k, (500,), "float16", -3.3, 1.7),
    "uniform(bfloat16)": lambda k: R.uniform(k, (500,), "bfloat16"),
    "randint": lambda k: R.randint(k, (500,), 0, 100),
    "randint(int32, wide)": lambda k: R.randint(k, (500,), -5, 2**31 - 7, "int32"),
    "randint(int16)": lambda k: R.randint(k, (500,), -100, 1000, "int16"),
    "randint(uint8, all)": lambda k: R.randint(k, (500,), 0, 256, "uint8"),
    "randint(int64, 2**31)": lambda k: R.randint(k, (500,), -(2**30), 2**30),
    "bernoulli": lambda k: R.bernoulli(k, 0.3, (500,)),
    "permutation": lambda k: R.permutation(k, 3000),
}
HALF = {"uniform(float16)", "uniform(bfloat16)"}


def _jax_draws(seed: int) -> dict[str, np.ndarray]:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    ub.asarray(np.zeros(1), backend="jax")  # unibridge's JAX backend turns on x64
    k = jax.random.PRNGKey(seed)
    jr = jax.random
    draws = {
        "split": jr.split(k, 3), "fold_in": jr.fold_in(k, 7), "bits": jr.bits(k, (3, 5), jnp.uint32),
        "bits(uint8)": jr.bits(k, (9,), jnp.uint8), "bits(uint16)": jr.bits(k, (9,), jnp.uint16),
        "bits(uint64)": jr.bits(k, (9,), jnp.uint64),
        "uniform(float32)": jr.uniform(k, (500,), jnp.float32),
        "uniform(float32, 40_000: NumPy's blocks)": jr.uniform(k, (200, 200), jnp.float32),
        "uniform(float32, host blocks, the last one partial)": jr.uniform(k, (2 * BLOCK + 3,), jnp.float32),
        "uniform(float64, host blocks, the last one partial)": jr.uniform(k, (2 * BLOCK + 3,), jnp.float64),
        "bits(host blocks, the last one partial)": jr.bits(k, (BLOCK + 5,), jnp.uint32),
        "uniform(float64)": jr.uniform(k, (500,), jnp.float64),
        "uniform(float32, -3.3, 1.7)": jr.uniform(k, (500,), jnp.float32, -3.3, 1.7),
        "uniform(float64, -3.3, 1.7)": jr.uniform(k, (500,), jnp.float64, -3.3, 1.7),
        "uniform(float16)": jr.uniform(k, (500,), jnp.float16, -3.3, 1.7),
        "uniform(bfloat16)": jr.uniform(k, (500,), jnp.bfloat16),
        "randint": jr.randint(k, (500,), 0, 100, jnp.int64),
        "randint(int32, wide)": jr.randint(k, (500,), -5, 2**31 - 7, jnp.int32),
        "randint(int16)": jr.randint(k, (500,), -100, 1000, jnp.int16),
        "randint(uint8, all)": jr.randint(k, (500,), 0, 256, jnp.uint8),
        "randint(int64, 2**31)": jr.randint(k, (500,), -(2**30), 2**30, jnp.int64),
        "bernoulli": jr.bernoulli(k, 0.3, (500,)), "permutation": jr.permutation(k, 3000),
    }
    return {name: np.asarray(v) for name, v in draws.items()}


def host(x: Any) -> np.ndarray:
    return np.asarray(ub.to_numpy(x))


@pytest.mark.parametrize("rounds, counter, key, expected", KNOWN_ANSWERS)
def test_threefry_matches_random123_known_answers(rounds: int, counter: Any, key: Any, expected: Any) -> None:
    u = np.uint32
    out = threefry2x32(Words(np, np.uint32), u(key[0]), u(key[1]), u(counter[0]), u(counter[1]), rounds)
    assert tuple(int(w) for w in out) == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_threefry_matches_the_known_answers_on_every_backend(backend: str) -> None:
    require(backend)
    # split(key(0), 1)[0] is Threefry-2x32-20 of key (0, 0) on counter (0, 0): Random123's first 20-round vector
    got = host(R.split(R.key(0, backend=backend), 1))[0]
    assert tuple(got.tolist()) == KNOWN_ANSWERS[3][3]


@pytest.mark.parametrize("seed", [0, 42, 2**40 + 3])
@pytest.mark.parametrize("backend", BACKENDS)
def test_draws_are_bit_identical_to_jax_random_on_every_backend(backend: str, seed: int) -> None:
    require(backend)
    require("jax")
    reference = _jax_draws(seed)
    k = R.key(seed, backend=backend)
    assert host(k).tolist() == [seed >> 32, seed & 0xFFFFFFFF]
    for name, draw in DRAWS.items():
        if backend == "strict" and name in HALF:
            continue  # array-api-strict has no float16 or bfloat16
        got = host(draw(k))
        ref = reference[name]
        assert got.dtype == ref.dtype and got.tobytes() == ref.tobytes(), name


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "under unibridge.jit"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("backend", ["torch", "tensorflow", "jax", "dask", "strict"])
def test_normal_has_the_same_bits_on_every_backend_eager_and_under_jit(backend: str, dtype: str, compiled: bool) -> None:
    """Every step is an IEEE operation (the log too, see unibridge.random._log), and XLA (JAX, and
    TensorFlow's draws) is kept from fusing a product into the sum after it."""
    require(backend)
    shape = (200_000,)  # about 200 draws beyond the central polynomial, and a few past w = 16
    ref = host(R.normal(R.key(3, backend="numpy"), shape, dtype))
    draw = lambda k: R.normal(k, shape, dtype)  # noqa: E731
    got = host((ub.jit(draw, backend=backend) if compiled else draw)(R.key(3, backend=backend)))
    assert got.dtype == ref.dtype
    differ = np.flatnonzero(got != ref)
    assert differ.size == 0, f"{differ.size} differ, e.g. {got[differ[:3]]} vs {ref[differ[:3]]}"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_normal_drawn_in_host_blocks_has_the_bits_of_the_array_operations(backend: str, dtype: str) -> None:
    """NumPy arrays and torch CPU tensors draw block by block in place; dask takes the array operations
    (with NumPy's log): the same steps, so the same bits, across block edges too."""
    require(backend)
    require("dask")
    shape = (2 * BLOCK + 3,)
    blocks = host(R.normal(R.key(8, backend=backend), shape, dtype))
    operations = host(R.normal(R.key(8, backend="dask"), shape, dtype))
    assert blocks.dtype == operations.dtype and blocks.tobytes() == operations.tobytes()


def _allocated_by_the_draw(backend: str, draw: Callable[[Any], Any]) -> tuple[int, int]:
    """Bytes the backend allocates during ``draw(key)`` (NumPy: the peak traced by tracemalloc; torch: every
    allocation torch's profiler records), and the size of the result."""
    k = R.key(0, backend=backend)
    draw(k)  # first-call set-up (imports, caches) is not the draw's
    if backend == "numpy":
        import tracemalloc

        tracemalloc.start()
        try:
            out = draw(k)
            allocated = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return allocated, out.nbytes
    import torch

    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], profile_memory=True) as prof:
        out = draw(k)
    allocated = sum([e.cpu_memory_usage for e in prof.events() if e.cpu_memory_usage > 0])
    return allocated, out.numel() * out.element_size()


MILLION = {
    "uniform(float32)": lambda k: R.uniform(k, (10**6,), "float32"),
    "uniform(float64)": lambda k: R.uniform(k, (10**6,), "float64"),
    "bits": lambda k: R.bits(k, (10**6,)),
    "normal(float32)": lambda k: R.normal(k, (10**6,), "float32"),
}


@pytest.mark.parametrize("draw", MILLION.values(), ids=list(MILLION))
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_million_number_draw_in_host_memory_allocates_little_beyond_its_result(backend: str, draw: Any) -> None:
    """The rounds run in place over cache-sized blocks: a few blocks of scratch, never a fresh array per
    step of a round (written with array operations a million numbers made about 1 GB of temporaries)."""
    require(backend)
    allocated, result = _allocated_by_the_draw(backend, draw)
    scratch = 12 * BLOCK * 8  # normal's: three word buffers, seven float64 ones and an int32 one
    assert allocated <= result + scratch, (allocated, result)


def test_normal_is_close_to_jax_random_normal() -> None:
    jax = pytest.importorskip("jax")
    ub.asarray(np.zeros(1), backend="jax")
    ref = np.asarray(jax.random.normal(jax.random.PRNGKey(5), (5000,), jax.numpy.float64))
    got = host(R.normal(R.key(5, backend="numpy"), (5000,), "float64"))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)


def test_a_key_is_an_array_of_the_active_backend() -> None:
    require("torch")
    with ub.use("torch"):
        k = R.key(1)
    assert ub.get_backend("torch").is_array(k) and ub.dtype_of(k) == "uint32"
    assert ub.get_backend("torch").is_array(R.uniform(k, (3,)))


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_a_dropout_mask_under_jit_differs_between_keys_and_equals_the_eager_mask(backend: str) -> None:
    require(backend)
    x = ub.asarray(np.ones(64), backend=backend)

    def dropout(x: Any, key: Any) -> Any:
        keep = R.bernoulli(key, 0.5, (64,))
        xp = ub.namespace(backend)
        return xp.where(keep, x / 0.5, xp.zeros_like(x))

    compiled = ub.jit(dropout, backend=backend)
    k1, k2 = R.key(1, backend=backend), R.key(2, backend=backend)
    a, b = host(compiled(x, k1)), host(compiled(x, k2))
    assert not np.array_equal(a, b)
    assert np.array_equal(a, host(dropout(x, k1))) and np.array_equal(b, host(dropout(x, k2)))
    assert not np.array_equal(host(compiled(x, R.fold_in(k1, 3))), a)


def test_uniform_default_range_and_dtype_follow_the_configured_float() -> None:
    ub.configure(default_float="float32")
    u = R.uniform(R.key(0, backend="numpy"), (1000,))
    assert ub.dtype_of(u) == "float32" and (host(u) >= 0).all() and (host(u) < 1).all()


@pytest.mark.parametrize("call", [
    lambda: R.uniform(np.zeros(2, np.uint32) + 0, (2,), "int32"),
    lambda: R.bits([0, 0], (2,)),
    lambda: R.bits(R.key(0, backend="numpy"), (2,), "int32"),
    lambda: R.uniform(R.split(R.key(0, backend="numpy")), (2,)),
    lambda: R.randint(R.key(0, backend="numpy"), (2,), 0, 2**40),
    lambda: R.key(2**64),
    lambda: R.fold_in(R.key(0, backend="numpy"), -1),
    lambda: R.uniform(R.key(0, backend="numpy"), (-1,)),
], ids=["int dtype", "list key", "signed bits", "batch of keys", "int64 span past 2**31", "seed too big", "negative data",
        "negative shape"])
def test_bad_arguments_raise_configuration_error(call: Any) -> None:
    with pytest.raises(ub.ConfigurationError):
        call()


KEY_DRAWS: dict[str, Callable[[Any, Any], Any]] = {
    "bits": lambda key, shape: R.bits(key, shape),
    "uniform": lambda key, shape: R.uniform(key, shape),
    "normal": lambda key, shape: R.normal(key, shape),
    "randint": lambda key, shape: R.randint(key, shape, 0, 5),
    "bernoulli": lambda key, shape: R.bernoulli(key, 0.5, shape),
}


@pytest.mark.parametrize("draw", list(KEY_DRAWS))
@pytest.mark.parametrize("shape, says", [
    ((2, -1), "shape must not have negative dimensions, got (2, -1)"),
    ("2x3", "shape must be an int or a tuple of ints, got '2x3'"),
    ((2.0,), "shape must be an int or a tuple of ints, got (2.0,)"),
    ((2**31, 2**31), "at most"),
], ids=["negative", "a string", "a float", "too many"])
def test_a_key_draw_of_a_bad_shape_raises_an_error_that_names_the_draw(draw: str, shape: Any, says: str) -> None:
    with pytest.raises(ub.ConfigurationError) as info:
        KEY_DRAWS[draw](R.key(0, backend="numpy"), shape)
    assert str(info.value).startswith(f"{draw}: {says}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_permutation_of_an_array_shuffles_its_rows_as_jax_random_permutation_does(backend: str) -> None:
    require(backend)
    require("jax")
    import jax

    rows = np.arange(40.0).reshape(20, 2)
    expected = np.asarray(jax.random.permutation(jax.random.PRNGKey(7), rows))
    got = host(R.permutation(R.key(7, backend=backend), ub.asarray(rows, backend=backend)))
    assert got.tolist() == expected.tolist()
    with pytest.raises(ub.ConfigurationError, match=r"^permutation\(key, x\): x must have at least one dimension"):
        R.permutation(R.key(7, backend=backend), ub.asarray(np.float64(1.0), backend=backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_fold_in_equals_jax_random_fold_in_at_the_ends_of_the_word_range(backend: str) -> None:
    """torch keeps words as int32, so data from 2**31 up is stored as its two's complement."""
    require(backend)
    require("jax")
    import jax

    for data in (0, 1, 2**31 - 1, 2**31, 2**31 + 5, 2**32 - 1):
        expected = np.asarray(jax.random.fold_in(jax.random.PRNGKey(7), np.uint32(data)))
        assert host(R.fold_in(R.key(7, backend=backend), data)).tolist() == expected.tolist(), data
    with pytest.raises(ub.ConfigurationError, match=r"^fold_in\(key, data\): data must lie in \[0, 2\*\*32\), got 4294967296$"):
        R.fold_in(R.key(7, backend=backend), 2**32)


@pytest.mark.parametrize("backend", BACKENDS)
def test_randint_with_maxval_past_the_dtype_reaches_its_largest_value_as_jax_random_randint_does(backend: str) -> None:
    require(backend)
    require("jax")
    import jax
    import jax.numpy as jnp

    for dtype, lo, hi in (("int8", -3, 1000), ("int16", -5, 2**15 + 10), ("int32", 0, 2**31 + 5), ("uint8", 3, 300)):
        expected = np.asarray(jax.random.randint(jax.random.PRNGKey(3), (400,), lo, hi, getattr(jnp, dtype)))
        got = host(R.randint(R.key(3, backend=backend), (400,), lo, hi, dtype))
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist(), dtype


@pytest.mark.parametrize("call, says", [
    (lambda k: R.randint(k, (2,), "0", 5), "randint: minval must be a Python int, got str"),
    (lambda k: R.randint(k, (2,), 0, 5.0), "randint: maxval must be a Python int, got float"),
    (lambda k: R.randint([0, 0], (2,), 0, 5), "randint: the key must be an array made by unibridge.random.key"),
    (lambda k: R.randint(R.split(k), (2,), 0, 5), "randint: a key is a uint32 array of shape (2,), got uint32 of shape (2, 2)"),
], ids=["minval", "maxval", "a list key", "a batch of keys"])
def test_randint_argument_errors_name_randint_and_the_argument(call: Any, says: str) -> None:
    with pytest.raises(ub.ConfigurationError) as info:
        call(R.key(0, backend="numpy"))
    assert str(info.value).startswith(says)


def test_bernoulli_of_a_p_that_is_not_a_number_names_bernoulli_and_p() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"^bernoulli: p must be a Python number, got str$"):
        R.bernoulli(R.key(0, backend="numpy"), "0.5")


@pytest.mark.parametrize("call, says", [
    (lambda: R.key("0"), r"^key\(seed\): seed must be a Python int, got str$"),
    (lambda: R.key(2**64), r"^key\(seed\): seed must lie in \[-2\*\*63, 2\*\*64\), got 18446744073709551616$"),
    (lambda: R.key(-(2**63) - 1), r"^key\(seed\): seed must lie in \[-2\*\*63, 2\*\*64\), got -9223372036854775809$"),
    (lambda: R.uniform(R.key(0, backend="numpy"), (2,), minval="0"), r"^uniform: minval must be a Python number, got str$"),
    (lambda: R.uniform(R.key(0, backend="numpy"), (2,), maxval=None), r"^uniform: maxval must be a Python number, got NoneType$"),
    (lambda: R.uniform([0, 0], (2,)), r"^uniform: the key must be an array made by unibridge\.random\.key"),
    (lambda: R.uniform(R.key(0, backend="numpy"), (2,), "int32"),
     r"^uniform: dtype must be float16, bfloat16, float32 or float64, got int32$"),
    (lambda: R.normal(R.key(0, backend="numpy"), (2,), "int8"),
     r"^normal: dtype must be float16, bfloat16, float32 or float64, got int8$"),
], ids=["seed not an int", "seed too big", "seed too small", "minval", "maxval", "a list key", "uniform int dtype",
        "normal int dtype"])
def test_key_and_uniform_argument_errors_say_which_argument_and_what_it_must_be(call: Any, says: str) -> None:
    with pytest.raises(ub.ConfigurationError, match=says):
        call()


def test_a_permutation_of_a_bad_length_raises_an_error_that_names_permutation() -> None:
    key = R.key(0, backend="numpy")
    with pytest.raises(ub.ConfigurationError, match=r"^permutation\(key, n\) needs n >= 0, got -1$"):
        R.permutation(key, -1)
    with pytest.raises(ub.ConfigurationError, match=r"^permutation: at most \d+ numbers per draw, got shape \(1099511627776,\)"):
        R.permutation(key, 2**40)


def test_import_unibridge_does_not_import_numpy_random() -> None:
    import subprocess
    import sys

    code = "import sys, unibridge; print('numpy.random' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_fold_in_takes_an_integer_array_as_jax_does(backend: str) -> None:
    require(backend)
    require("jax")
    import jax

    ref = np.asarray(jax.random.fold_in(jax.random.PRNGKey(4), 9))
    step = ub.asarray(np.asarray(9, dtype=np.int64), backend=backend)
    assert host(R.fold_in(R.key(4, backend=backend), step)).tolist() == ref.tolist()
