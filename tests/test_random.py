"""``unibridge.random.default_rng``: the same numbers on every backend for the same seed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import require
from _example_helpers import registered_backends

DRAWS: dict[str, Callable[[Any], Any]] = {
    "normal": lambda rng: rng.normal(size=(3, 4)),
    "normal(loc, scale)": lambda rng: rng.normal(2.0, 0.5, size=7),
    "normal(float32)": lambda rng: rng.normal(size=5, dtype="float32"),
    "uniform": lambda rng: rng.uniform(size=6),
    "uniform(low, high, float32)": lambda rng: rng.uniform(-3.0, 1.0, size=(2, 2), dtype="float32"),
    "integers": lambda rng: rng.integers(0, 100, size=8),
    "integers(high only, int32)": lambda rng: rng.integers(5, size=4, dtype="int32"),
    "permutation": lambda rng: rng.permutation(10),
}


@pytest.fixture(params=registered_backends())
def any_backend(request: pytest.FixtureRequest) -> str:
    require(request.param)
    return request.param  # type: ignore[no-any-return]


def host(x: Any) -> np.ndarray:
    return np.asarray(ub.to_numpy(x))


@pytest.mark.parametrize("draw", DRAWS, ids=str)
def test_the_same_seed_gives_the_same_numbers_on_every_backend(any_backend: str, draw: str) -> None:
    reference = host(DRAWS[draw](ub.random.default_rng(1234, backend="numpy")))
    out = DRAWS[draw](ub.random.default_rng(1234, backend=any_backend))
    assert ub.get_backend(any_backend).is_array(out), type(out)
    got = host(out)
    assert got.dtype == reference.dtype and got.tobytes() == reference.tobytes()


def test_a_sequence_of_draws_is_the_same_on_every_backend(any_backend: str) -> None:
    def draws(backend: str) -> list[bytes]:
        rng = ub.random.default_rng(7, backend=backend)
        return [host(DRAWS[name](rng)).tobytes() for name in DRAWS]

    assert draws(any_backend) == draws("numpy")


def test_draws_are_numpys_own_for_the_seed() -> None:
    rng, ref = ub.random.default_rng(99, backend="numpy"), np.random.default_rng(99)
    assert host(rng.normal(1.5, 2.0, size=100)).tolist() == ref.normal(1.5, 2.0, size=100).tolist()
    assert host(rng.uniform(-1.0, 3.0, size=100)).tolist() == ref.uniform(-1.0, 3.0, size=100).tolist()
    assert host(rng.integers(0, 50, size=20)).tolist() == ref.integers(0, 50, size=20).tolist()
    assert host(rng.permutation(30)).tolist() == ref.permutation(30).tolist()


def test_draws_follow_the_active_backend_at_draw_time() -> None:
    require("torch")
    rng = ub.random.default_rng(0)
    assert isinstance(rng.normal(size=2), np.ndarray)
    with ub.use("torch"):
        x = rng.normal(size=2)
    assert ub.get_backend("torch").is_array(x) and ub.device_of(x) == "cpu"


@pytest.mark.parametrize("default_float", ["float64", "float32"])
def test_floats_default_to_the_configured_default_float(any_backend: str, default_float: str) -> None:
    ub.configure(default_float=default_float)
    rng = ub.random.default_rng(0, backend=any_backend)
    assert ub.dtype_of(rng.normal(size=3)) == default_float
    assert ub.dtype_of(rng.uniform(size=3)) == default_float
    assert ub.dtype_of(rng.integers(0, 3, size=3)) == "int64"
    assert ub.dtype_of(rng.permutation(3)) == "int64"


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_narrow_draws_are_the_float64_draws_rounded_so_one_seed_is_one_experiment(dtype: str) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    normal = host(ub.random.default_rng(5, backend="numpy").normal(0.5, 2.0, size=500, dtype=dtype))
    normal64 = host(ub.random.default_rng(5, backend="numpy").normal(0.5, 2.0, size=500, dtype="float64"))
    assert str(normal.dtype) == dtype and normal.tolist() == normal64.astype(normal.dtype).tolist()
    uniform = host(ub.random.default_rng(5, backend="numpy").uniform(-2.0, 3.0, size=500, dtype=dtype))
    uniform64 = host(ub.random.default_rng(5, backend="numpy").uniform(-2.0, 3.0, size=500, dtype="float64"))
    rounded = uniform64.astype(uniform.dtype)
    below_high = np.nextafter(uniform.dtype.type(3.0), uniform.dtype.type(-np.inf))
    # a value that rounds onto high (3.0) is the largest value of the dtype below it
    assert uniform.tolist() == [min(r, below_high) for r in rounded.tolist()]


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_uniform_draws_stay_below_high_for_every_dtype(dtype: str) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    for low, high in ((0.0, 1.0), (-1.0, 1.0), (0.0, 5.0), (1.0, 1.0 + 2.0**-20)):
        u = host(ub.random.default_rng(0, backend="numpy").uniform(low, high, size=100_000, dtype=dtype)).astype(float)
        assert (u >= low).all() and (u < high).all(), (low, high, u.min(), u.max())


def test_uniform_scales_to_every_range_including_those_with_one_default_end() -> None:
    rng = ub.random.default_rng(1, backend="numpy")
    wide = host(rng.uniform(0.0, 5.0, size=1000))
    signed = host(rng.uniform(-1.0, 1.0, size=1000))
    assert wide.max() > 4.0 and (wide < 5.0).all() and signed.min() < -0.9 and (signed >= -1.0).all()
    ref = np.random.default_rng(7)
    assert host(ub.random.default_rng(7, backend="numpy").uniform(0.0, 5.0, size=50)).tolist() == ref.uniform(0.0, 5.0, 50).tolist()


@pytest.mark.parametrize("call", [
    "uniform(-1e308, 1e308)", "uniform(0, inf)", "uniform(1, 0)", "uniform(nan, 1)", "normal(0, -1)", "normal(nan, 1)",
])
def test_parameters_numpy_refuses_raise_configuration_error(call: str) -> None:
    rng = ub.random.default_rng(0, backend="numpy")
    with pytest.raises(ub.ConfigurationError):
        eval(f"rng.{call}", {"rng": rng, "inf": float("inf"), "nan": float("nan")})


@pytest.mark.parametrize("call", [
    lambda: ub.random.default_rng(0, backend="numpy").integers(5, 2),
    lambda: ub.random.default_rng(0, backend="numpy").integers(0, 300, dtype="uint8"),
    lambda: ub.random.default_rng(0, backend="numpy").integers(-1, 3, dtype="uint8"),
    lambda: ub.random.default_rng(-1),
    lambda: ub.random.default_rng("abc"),
    lambda: ub.random.default_rng(0, backend="numpy").normal(size=(2**40, 2**40)),
], ids=["integers(5, 2)", "integers(0, 300, uint8)", "integers(-1, 3, uint8)", "seed -1", "seed 'abc'", "size past memory"])
def test_bad_generator_arguments_raise_configuration_error_not_numpys(call: Any) -> None:
    with pytest.raises(ub.ConfigurationError):
        call()


def test_integers_at_the_edge_of_the_dtype_are_allowed() -> None:
    x = host(ub.random.default_rng(0, backend="numpy").integers(0, 256, size=1000, dtype="uint8"))
    assert x.dtype == np.uint8 and x.max() == 255


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_a_default_rng_draw_while_jit_traces_raises_and_points_to_the_key_api(backend: str) -> None:
    require(backend)
    rng = ub.random.default_rng(0, backend=backend)

    def f(x: Any) -> Any:
        return x + rng.normal(size=2)

    x = ub.asarray(np.zeros(2), backend=backend)
    with pytest.raises(ub.ConfigurationError, match="key"):
        ub.jit(f, backend=backend)(x)
    assert host(f(x)).shape == (2,)  # eagerly the draw is fine


def test_a_default_rng_draw_under_jax_grad_alone_is_allowed() -> None:
    require("jax")
    import jax

    rng = ub.random.default_rng(0, backend="jax")
    g = jax.grad(lambda w: (w * rng.normal(dtype="float64")).sum())(ub.asarray(np.ones(()), backend="jax"))
    assert np.isfinite(host(g))


def test_a_default_rng_draw_under_jax_grad_inside_jit_raises() -> None:
    """The staging trace of jit lies below grad's: a draw there would be frozen all the same."""
    require("jax")
    import jax

    rng = ub.random.default_rng(0, backend="jax")
    step = jax.jit(jax.grad(lambda w: (w * rng.normal(dtype="float64")).sum()))
    with pytest.raises(ub.ConfigurationError, match=r"^default_rng\(\)\.normal\(\) was called while jax traces"):
        step(ub.asarray(np.ones(()), backend="jax"))


def test_a_default_rng_draw_inside_a_bare_tf_function_raises_whatever_the_generators_backend() -> None:
    """Tracing is asked of TensorFlow itself, not of the generator's backend: a NumPy generator's
    draw inside tf.function would be frozen into the graph as a constant too."""
    tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed")
    rng = ub.random.default_rng(0, backend="numpy")
    traced = tf.function(lambda: tf.constant(rng.uniform(size=2)), autograph=False)
    with pytest.raises(ub.ConfigurationError, match=r"^default_rng\(\)\.uniform\(\) was called while tensorflow traces"):
        traced()
    assert host(rng.uniform(size=2)).shape == (2,)  # outside the trace the draw is fine


def test_shapes_follow_size() -> None:
    rng = ub.random.default_rng(0, backend="numpy")
    assert host(rng.normal()).shape == ()
    assert host(rng.uniform(size=3)).shape == (3,)
    assert host(rng.integers(0, 2, size=(2, 0, 3))).shape == (2, 0, 3)
    assert sorted(host(rng.permutation(6)).tolist()) == list(range(6))


def test_different_seeds_and_successive_draws_differ() -> None:
    a = host(ub.random.default_rng(1, backend="numpy").normal(size=8))
    b = host(ub.random.default_rng(2, backend="numpy").normal(size=8))
    rng = ub.random.default_rng(1, backend="numpy")
    first, second = host(rng.normal(size=8)), host(rng.normal(size=8))
    assert not np.array_equal(a, b) and not np.array_equal(first, second) and np.array_equal(a, first)


def test_bad_arguments_raise_unibridge_errors() -> None:
    rng = ub.random.default_rng(0, backend="numpy")
    with pytest.raises(ub.ConfigurationError, match="float dtype"):
        rng.normal(size=2, dtype="int32")
    with pytest.raises(ub.ConfigurationError, match="integer dtypes"):
        rng.integers(0, 4, size=2, dtype="float64")
    with pytest.raises(ub.ConfigurationError, match="negative"):
        rng.uniform(size=(2, -1))
    with pytest.raises(ub.ConfigurationError, match="Python number"):
        rng.normal(loc=np.zeros(2))
    with pytest.raises(ub.ConfigurationError, match="n >= 0"):
        rng.permutation(-1)
    with pytest.raises(ub.BackendNotFoundError):
        ub.random.default_rng(0, backend="tourch").normal()


def test_device_cpu_is_honoured_and_a_missing_device_raises(any_backend: str) -> None:
    x = ub.random.default_rng(0, backend=any_backend, device="cpu").normal(size=2)
    assert ub.device_of(x) == "cpu"
    if not any(d.kind == "gpu" for d in ub.get_backend(any_backend).devices()):
        with pytest.raises(ub.DeviceUnavailableError):
            ub.random.default_rng(0, backend=any_backend, device="gpu:0").normal(size=2)



@pytest.mark.parametrize("low, high", [(0.0, 1.0), (0.0, 2.0), (0.0, 5.0), (-1.0, 1.0), (1.0, 2.0), (2.0, 3.5), (-3.0, -1.0)])
def test_uniform_is_numpys_for_every_range(low: float, high: float) -> None:
    got = host(ub.random.default_rng(11, backend="numpy").uniform(low, high, size=200))
    assert got.tolist() == np.random.default_rng(11).uniform(low, high, 200).tolist()


def test_integers_are_numpys_for_one_bound_or_two() -> None:
    for args in [(10,), (2, 5), (-7, 7), (0, 1)]:
        got = host(ub.random.default_rng(3, backend="numpy").integers(*args, size=50))
        assert got.tolist() == np.random.default_rng(3).integers(*args, size=50).tolist(), args


def test_uniform_draws_stay_at_or_above_a_low_end_the_dtype_rounds_down() -> None:
    """float16(0.1) is below 0.1: the draws that round to it are clamped up to the next float16."""
    u = host(ub.random.default_rng(0, backend="numpy").uniform(0.1, 0.2, size=100_000, dtype="float16"))
    assert (u.astype(float) >= 0.1).all() and (u.astype(float) < 0.2).all(), (u.min(), u.max())
    assert float(u.min()) == float(np.nextafter(np.float16(0.1), np.float16(np.inf)))


def test_generator_errors_say_what_was_wrong() -> None:
    rng = ub.random.default_rng(0, backend="numpy")
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: rng.uniform(1.0, 0.0), "uniform needs finite low <= high with a finite high - low, got low=1.0, high=0.0"),
        (lambda: rng.uniform(1.0001, 1.0002, dtype="float16"),  # float16 steps by 2**-10 there
         "no float16 value lies in [1.0001, 1.0002); use a wider dtype or range"),
        (lambda: rng.uniform("a", 1.0), "low must be a Python number, got str; draw with the defaults and scale "
                                        "with xp for array-valued parameters"),
        (lambda: rng.uniform(0.0, "b"), "high must be a Python number, got str; draw with the defaults and scale "
                                        "with xp for array-valued parameters"),
        (lambda: rng.integers(1.5, 3), "integers(low, high) takes Python ints, got 1.5, 3"),
        (lambda: rng.integers(3, 3), "integers needs low < high, got low=3, high=3"),
        (lambda: rng.integers(0, 257, dtype="uint8"),
         "integers(0, 257) does not fit uint8 ([0, 256)); use a wider dtype"),
        (lambda: rng.permutation(2.5), "permutation(n) takes an int, got float"),
    ]
    for call, message in cases:
        with pytest.raises(ub.ConfigurationError) as info:
            call()
        assert str(info.value) == message


def test_uniform_with_equal_ends_gives_that_value_and_permutation_of_nothing_is_empty() -> None:
    rng = ub.random.default_rng(0, backend="numpy")
    assert host(rng.uniform(2.0, 2.0, size=3)).tolist() == [2.0, 2.0, 2.0]
    assert host(rng.permutation(0)).tolist() == []


def test_a_generator_says_where_it_draws() -> None:
    assert repr(ub.random.default_rng(0)) == "unibridge.random.Generator(the active backend, device=None)"
    assert repr(ub.random.default_rng(0, backend="numpy")) == "unibridge.random.Generator(backend='numpy', device=None)"


@pytest.mark.parametrize("draw", ["normal", "uniform", "integers", "permutation"])
def test_a_draw_while_jit_traces_names_the_draw(draw: str) -> None:
    require("jax")
    rng = ub.random.default_rng(0, backend="jax")
    make = {"normal": lambda: rng.normal(size=2), "uniform": lambda: rng.uniform(size=2),
            "integers": lambda: rng.integers(0, 3, size=2), "permutation": lambda: rng.permutation(2)}[draw]
    with pytest.raises(ub.ConfigurationError) as info:
        ub.jit(lambda x: x + make(), backend="jax")(ub.asarray(np.zeros(2), backend="jax"))
    assert str(info.value).startswith(f"default_rng().{draw}() was called while jax traces a function for unibridge.jit")


def test_draws_with_the_default_parameters_are_numpys() -> None:
    rng, ref = ub.random.default_rng(5, backend="numpy"), np.random.default_rng(5)
    assert host(rng.normal(size=20)).tolist() == ref.normal(size=20).tolist()
    assert host(rng.uniform(size=20)).tolist() == ref.uniform(size=20).tolist()
    assert host(rng.normal(1.0, 1.0, size=20)).tolist() == ref.normal(1.0, 1.0, size=20).tolist()
    assert host(rng.normal(-2.0, 0.0, size=3)).tolist() == [-2.0, -2.0, -2.0]  # scale 0 is allowed, as in NumPy


def test_a_sequence_of_ints_is_a_seed_as_in_numpy() -> None:
    got = host(ub.random.default_rng([1, 2, 3], backend="numpy").normal(size=5))
    assert got.tolist() == np.random.default_rng([1, 2, 3]).normal(size=5).tolist()


def test_seed_and_size_errors_say_what_was_wrong() -> None:
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: ub.random.default_rng("abc"), "seed must be None, a non-negative int or a sequence of them, got str"),
        (lambda: ub.random.default_rng(1.5), "seed must be None, a non-negative int or a sequence of them, got float"),
        (lambda: ub.random.default_rng([3, -1]), "seed must be non-negative, got [3, -1]"),
        (lambda: ub.random.default_rng(0, backend="numpy").normal(size=2.5), "size must be None, an int or a tuple of ints, got 2.5"),
        (lambda: ub.random.default_rng(0, backend="numpy").normal(size=(2**61,)),
         "size=(2305843009213693952,) is more memory than this machine can address; draw less"),
        (lambda: ub.random.default_rng(0, backend="numpy").normal(0.0, -1.0),
         "normal needs a finite loc and a finite scale >= 0, got loc=0.0, scale=-1.0"),
        (lambda: ub.random.default_rng(0, backend="numpy").normal("a"),
         "loc must be a Python number, got str; draw with the defaults and scale with xp for array-valued parameters"),
        (lambda: ub.random.default_rng(0, backend="numpy").normal(0.0, "b"),
         "scale must be a Python number, got str; draw with the defaults and scale with xp for array-valued parameters"),
    ]
    for call, message in cases:
        with pytest.raises(ub.ConfigurationError) as info:
            call()
        assert str(info.value) == message
