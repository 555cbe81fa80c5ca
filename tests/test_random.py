"""``unibridge.random.default_rng`` (issue 14): the same numbers on every backend for the same seed."""

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


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_draws_round_the_float32_draw(dtype: str) -> None:
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    half = ub.random.default_rng(5, backend="numpy").normal(size=50, dtype=dtype)
    single = ub.random.default_rng(5, backend="numpy").normal(size=50, dtype="float32")
    assert ub.dtype_of(half) == dtype
    assert host(half).tolist() == host(single).astype(host(half).dtype).tolist()


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

