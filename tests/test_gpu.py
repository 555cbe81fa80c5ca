"""GPU paths. Every test carries the ``gpu`` marker and skips without a GPU.

CI has no GPU; these run on a GPU machine with ``pytest -m gpu`` (``make gpu-check``).
JAX is the ``unibridge-jax`` plugin: its tests skip where the plugin or JAX's GPU is missing.
"""

from __future__ import annotations

import numpy as np
import pytest

import unibridge as ub
from _backends import gpu_available, require

pytestmark = pytest.mark.gpu

ROUND_TRIP_DTYPES = ("float64", "float32", "bfloat16", "int64")
GPU_BACKENDS = ("torch", "tensorflow", "jax")


def _needs_gpu(name: str) -> None:
    require(name)
    if not gpu_available(name):
        pytest.skip(f"no GPU visible to {name}")


def _values(dtype: str) -> np.ndarray:
    if dtype == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        return np.array([1.0, -2.5, 3.0e38, 1e-38], dtype=ml_dtypes.bfloat16)
    if dtype == "int64":
        return np.array([1, -(2**62), 2**40 + 1], dtype=np.int64)
    return np.array([0.1, 1 + 2**-40, -0.0, 5e-324 if dtype == "float64" else 1e-45], dtype=dtype)


@pytest.mark.parametrize("dtype", ROUND_TRIP_DTYPES)
@pytest.mark.parametrize("name", GPU_BACKENDS)
def test_numpy_to_gpu_and_back_is_bit_exact(name: str, dtype: str) -> None:
    _needs_gpu(name)
    a = _values(dtype)
    g = ub.asarray(a, backend=name, device="gpu:0")
    assert ub.device_of(g) == "gpu:0" and ub.dtype_of(g) == dtype
    back = ub.to_numpy(g)
    assert back.dtype == a.dtype and back.tobytes() == a.tobytes()


@pytest.mark.parametrize("name", GPU_BACKENDS)
def test_configured_gpu_places_creation_and_conversion(name: str) -> None:
    _needs_gpu(name)
    with ub.use(name, device="gpu"):
        assert ub.device_of(ub.zeros(3)) == "gpu:0"
        assert ub.device_of(ub.asarray(np.arange(3.0))) == "gpu:0"
        assert ub.device_of(ub.zeros_like(np.ones(2))) == "gpu:0"
    with ub.use(name, device="auto"):
        assert ub.device_of(ub.zeros(3)) == "gpu:0"


@pytest.mark.parametrize("name", GPU_BACKENDS)
def test_device_changes_need_a_copy(name: str) -> None:
    _needs_gpu(name)
    g = ub.asarray(np.arange(4.0), backend=name, device="gpu:0")
    for call in (lambda: ub.to_device(g, "cpu", copy=False), lambda: ub.to_numpy(g, copy=False),
                 lambda: ub.asarray(np.arange(4.0), backend=name, device="gpu:0", copy=False)):
        with pytest.raises(ub.CopyRequiredError):
            call()
    c = ub.to_device(g, "cpu")
    assert ub.device_of(c) == "cpu" and ub.to_numpy(c).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ub.device_of(ub.to_device(c, "gpu:0")) == "gpu:0"


def test_non_blocking_host_to_device_lets_the_source_change_at_once() -> None:
    _needs_gpu("torch")
    import torch

    a = np.arange(1 << 22, dtype=np.float32)  # 16 MiB: takes the pinned staging path
    expected = a.copy()
    g = ub.asarray(a, backend="torch", device="gpu:0", non_blocking=True)
    a[:] = -1.0  # the source was already staged: this must not reach the GPU copy
    torch.cuda.current_stream().synchronize()
    assert np.array_equal(g.cpu().numpy(), expected)


def test_torch_cuda_to_tensorflow_gpu_shares_device_memory() -> None:
    _needs_gpu("torch")
    _needs_gpu("tensorflow")
    import torch

    t = torch.arange(1024, dtype=torch.float32, device="cuda:0")
    tf_t = ub.asarray(t, backend="tensorflow", device="gpu:0")
    assert ub.device_of(tf_t) == "gpu:0" and ub.shares_memory(t, tf_t)
    assert np.array_equal(ub.to_numpy(tf_t), t.cpu().numpy())


def test_torch_cuda_to_torch_cuda_is_the_same_memory() -> None:
    _needs_gpu("torch")
    import torch

    t = torch.arange(8.0, device="cuda:0")
    assert ub.asarray(t, backend="torch", device="gpu:0") is t
    assert not ub.shares_memory(t, ub.asarray(t, backend="torch", device="gpu:0", copy=True))


def test_torch_cuda_to_jax_gpu_keeps_values_dtype_and_device() -> None:
    _needs_gpu("torch")
    _needs_gpu("jax")
    import torch

    t = torch.arange(1024, dtype=torch.float64, device="cuda:0") * (1 + 2**-40)
    j = ub.asarray(t, backend="jax", device="gpu:0")
    assert ub.device_of(j) == "gpu:0" and ub.dtype_of(j) == "float64"
    assert ub.to_numpy(j).tobytes() == t.cpu().numpy().tobytes()


def test_torch_cuda_to_jax_gpu_shares_device_memory() -> None:
    _needs_gpu("torch")
    _needs_gpu("jax")
    import torch

    t = torch.arange(1024, dtype=torch.float64, device="cuda:0") * 3  # queued work the import must see
    j = ub.asarray(t, backend="jax", device="gpu:0")
    assert ub.shares_memory(t, j) and ub.dtype_of(j) == "float64" and ub.device_of(j) == "gpu:0"
    assert ub.to_numpy(j).tolist() == [3.0 * i for i in range(1024)]  # oracle: Python floats
    independent = ub.asarray(t, backend="jax", device="gpu:0", copy=True)
    assert not ub.shares_memory(t, independent)


def test_jax_gpu_to_torch_cuda_shares_device_memory() -> None:
    _needs_gpu("jax")
    _needs_gpu("torch")
    j = ub.asarray(np.arange(1024, dtype=np.float32), backend="jax", device="gpu:0")
    t = ub.asarray(j, backend="torch", device="gpu:0")  # DLPack, without the host
    assert ub.device_of(t) == "gpu:0" and ub.shares_memory(j, t)
    assert np.array_equal(t.cpu().numpy(), ub.to_numpy(j))
