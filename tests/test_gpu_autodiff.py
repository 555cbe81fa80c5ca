"""Model code on a GPU: gradients, jit and seeded draws stay on the device.

Every test carries the ``gpu`` marker and skips without a GPU; run with ``pytest -m gpu``.
"""

from __future__ import annotations

import numpy as np
import pytest

import unibridge as ub
from _backends import gpu_available, require

pytestmark = pytest.mark.gpu

AUTODIFF = ("torch", "tensorflow", "jax")


def _needs_gpu(name: str) -> None:
    require(name)
    if not gpu_available(name):
        pytest.skip(f"no GPU visible to {name}")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", AUTODIFF)
def test_gradients_of_gpu_arrays_are_on_the_same_gpu(name: str, dtype: str) -> None:
    _needs_gpu(name)
    xp = ub.namespace(name)
    w0, x0 = [1.0, -2.0, 3.0], [2.0, 1.0, 0.5]
    p = {"w": ub.asarray(np.array(w0), dtype=dtype, backend=name, device="gpu:0")}
    x = ub.asarray(np.array(x0), dtype=dtype, backend=name, device="gpu:0")
    value, g = ub.value_and_grad(lambda p, x: xp.sum((p["w"] * x) ** 2))(p, x)
    assert ub.device_of(g["w"]) == "gpu:0" and ub.dtype_of(g["w"]) == dtype
    # Oracle in Python floats: sum((w*x)**2) and its derivative 2*w*x**2, exact in binary here.
    assert ub.to_numpy(g["w"]).tolist() == [2 * w * xi**2 for w, xi in zip(w0, x0)]
    assert float(ub.to_numpy(value)) == sum((w * xi) ** 2 for w, xi in zip(w0, x0))


@pytest.mark.parametrize("name", ["tensorflow", "jax"])
def test_jit_of_value_and_grad_runs_on_the_gpu(name: str) -> None:
    _needs_gpu(name)
    xp = ub.namespace(name)
    x = ub.asarray(np.arange(4.0), backend=name, device="gpu:0")
    step = ub.value_and_grad(lambda x: xp.sum(xp.sin(x) * x))
    (v_eager, g_eager), (v_jit, g_jit) = step(x), ub.jit(step, backend=name)(x)
    assert ub.device_of(g_jit) == "gpu:0"
    np.testing.assert_allclose(ub.to_numpy(g_jit), ub.to_numpy(g_eager), rtol=1e-12)
    np.testing.assert_allclose(ub.to_numpy(v_jit), ub.to_numpy(v_eager), rtol=1e-12)


@pytest.mark.parametrize("name", AUTODIFF)
def test_seeded_draws_on_the_gpu_are_the_cpu_numbers(name: str) -> None:
    _needs_gpu(name)
    on_gpu = ub.random.default_rng(2024, backend=name, device="gpu:0")
    normal, perm = on_gpu.normal(size=(64, 32)), on_gpu.permutation(100)
    assert ub.device_of(normal) == "gpu:0" and ub.dtype_of(normal) == "float64"
    reference = ub.random.default_rng(2024, backend="numpy")
    assert ub.to_numpy(normal).tobytes() == ub.to_numpy(reference.normal(size=(64, 32))).tobytes()
    assert ub.to_numpy(perm).tolist() == ub.to_numpy(reference.permutation(100)).tolist()
    with ub.use(name, device="gpu"):
        assert ub.device_of(ub.random.default_rng(0).uniform(size=3)) == "gpu:0"


@pytest.mark.parametrize("name", AUTODIFF)
def test_the_same_gpu_array_reaching_the_function_twice_is_a_constant_the_second_time(name: str) -> None:
    _needs_gpu(name)
    xp = ub.namespace(name)
    x0 = [0.5, -1.0, 2.0]
    x = ub.asarray(np.array(x0), backend=name, device="gpu:0")
    g = ub.grad(lambda u, v: xp.sum(u * v))(x, x)  # only u varies: the gradient is v = x
    assert ub.device_of(g) == "gpu:0" and ub.to_numpy(g).tolist() == x0


def test_a_torch_training_loop_on_the_gpu_keeps_device_memory_flat() -> None:
    _needs_gpu("torch")
    import torch

    xp = ub.namespace("torch")
    rng = np.random.default_rng(0)
    params = {k: torch.nn.Parameter(ub.asarray(rng.normal(size=s) * 0.1, backend="torch", device="gpu:0"))
              for k, s in (("W", (256, 256)), ("b", (256,)))}
    X = ub.asarray(rng.normal(size=(64, 256)), backend="torch", device="gpu:0")
    step = ub.value_and_grad(lambda p, X: xp.mean(xp.tanh(X @ p["W"] + p["b"]) ** 2))
    allocated = []
    for i in range(200):
        value, g = step(params, X)
        with torch.no_grad():
            for k in params:
                params[k].sub_(0.01 * g[k])
        assert value.grad_fn is None and all(t.grad_fn is None and not t.requires_grad for t in g.values())
        if i in (19, 199):
            del value, g
            torch.cuda.synchronize()
            allocated.append(torch.cuda.memory_allocated())
    assert allocated[1] <= allocated[0], allocated  # nothing kept from step to step
