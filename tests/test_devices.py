"""Device spellings are parsed in one place; missing devices raise, never fall back."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import unibridge as ub
from unibridge.devices import AUTO, CPU, CPU_ONLY, CpuOnly, Device, parse_device, resolve_device


@pytest.mark.parametrize(
    "spelling,canonical",
    [
        ("cpu", "cpu"), ("CPU", "cpu"), ("cpu:0", "cpu"), ("/CPU:0", "cpu"), ("/device:CPU:0", "cpu"),
        ("/job:localhost/replica:0/task:0/device:CPU:0", "cpu"),
        ("gpu", "gpu:0"), ("gpu:1", "gpu:1"), ("cuda", "gpu:0"), ("cuda:3", "gpu:3"), ("/GPU:2", "gpu:2"),
        ("GPU:0", "gpu:0"), (" gpu:1 ", "gpu:1"),
    ],
)
def test_every_common_spelling_parses_to_the_canonical_device(spelling: str, canonical: str) -> None:
    assert parse_device(spelling) == canonical
    assert str(parse_device(spelling)) == canonical


def test_auto_is_kept_as_a_request() -> None:
    assert parse_device("auto") == AUTO and parse_device("AUTO") == AUTO


@pytest.mark.parametrize("bad", ["tpu", "mps", "gpu:x", "cuda:-1", "", "gpu:1:2", 3])
def test_unknown_spellings_raise_with_the_allowed_list(bad: object) -> None:
    with pytest.raises(ub.ConfigurationError, match="gpu:N"):
        parse_device(bad)


def test_framework_device_objects_parse(backend: str) -> None:
    x = ub.zeros(2, backend=backend)
    if backend == "numpy":
        assert x.device == "cpu" and parse_device(x.device) == CPU  # NumPy 2's array.device
    elif backend == "torch":
        import torch

        assert parse_device(x.device) == CPU and parse_device(torch.device("cpu")) == "cpu"
        assert parse_device(torch.device("cuda", 1)) == "gpu:1" and parse_device(torch.device("cuda")) == "gpu:0"
    else:
        import tensorflow as tf

        assert x.device.endswith("device:CPU:0") and parse_device(x.device) == CPU  # the full name
        assert parse_device(tf.config.list_logical_devices("CPU")[0].name) == CPU
        assert parse_device(tf.DeviceSpec(device_type="GPU", device_index=1).to_string()) == "gpu:1"
    assert ub.device_of(x) == parse_device(x.device)


def test_device_is_hashable_picklable_and_str_equal() -> None:
    d = Device("gpu", 2)
    assert d == "gpu:2" and {d: 1}["gpu:2"] == 1 and (d.kind, d.index) == ("gpu", 2)
    assert pickle.loads(pickle.dumps(d)) == d and pickle.loads(pickle.dumps(CPU)) == "cpu"


def test_auto_picks_the_first_gpu_else_the_cpu() -> None:
    assert resolve_device(AUTO, [CPU], "x") == "cpu"
    assert resolve_device(AUTO, [CPU, Device("gpu", 0), Device("gpu", 1)], "x") == "gpu:0"


def test_missing_device_raises_listing_what_exists() -> None:
    with pytest.raises(ub.DeviceUnavailableError, match=r"'gpu:1'.*available: cpu, gpu:0"):
        resolve_device(Device("gpu", 1), [CPU, Device("gpu", 0)], "torch")
    with pytest.raises(ub.DeviceUnavailableError, match="cpu:1"):
        resolve_device(parse_device("cpu:1"), [CPU], "torch")


def test_gpu_hint_is_given_only_where_it_helps() -> None:
    # Some GPUs seen, but not this one: the listing says it all, no "sees no GPU".
    with pytest.raises(ub.DeviceUnavailableError) as info:
        resolve_device(Device("gpu", 3), [CPU, Device("gpu", 0)], "torch")
    assert "sees no GPU" not in str(info.value) and "available: cpu, gpu:0" in str(info.value)
    # No GPU seen by a backend that could have one: check the driver.
    with pytest.raises(ub.DeviceUnavailableError, match="check the driver"):
        resolve_device(Device("gpu", 0), [CPU], "torch")
    # A CPU-only backend: no driver advice, say it is CPU-only.
    with pytest.raises(ub.DeviceUnavailableError, match="'dask' runs on the CPU only") as info:
        resolve_device(parse_device("cuda"), CPU_ONLY, "dask")
    assert "driver" not in str(info.value) and "'cuda' (gpu:0)" in str(info.value)


@pytest.mark.parametrize("name", ["numpy", "dask"])
def test_gpu_request_on_a_cpu_only_backend_says_cpu_only_not_check_the_driver(name: str) -> None:
    if name not in [b.name for b in ub.backends() if b.available]:
        pytest.skip(f"backend {name!r} is not installed")
    assert isinstance(ub.get_backend(name).devices(), CpuOnly)
    for call in (lambda: ub.zeros(2, backend=name, device="gpu"), lambda: ub.asarray([1.0], backend=name, device="cuda:1")):
        with pytest.raises(ub.DeviceUnavailableError, match=f"'{name}' runs on the CPU only") as info:
            call()
        assert "driver" not in str(info.value)


def test_asking_for_a_missing_gpu_never_falls_back_to_the_cpu(backend: str) -> None:
    count = sum(d.kind == "gpu" for d in ub.get_backend(backend).devices())
    missing = f"gpu:{count}"
    for call in (
        lambda: ub.asarray(np.zeros(2), backend=backend, device=missing),
        lambda: ub.zeros(2, backend=backend, device=missing),
    ):
        with pytest.raises(ub.DeviceUnavailableError, match="available: cpu"):
            call()
    with ub.use(backend, device=missing):
        with pytest.raises(ub.DeviceUnavailableError, match="set by use"):
            ub.zeros(2)


def test_auto_device_works_on_every_backend(backend: str) -> None:
    with ub.use(backend, device="auto"):
        z = ub.zeros(3)
    expected = next((d for d in ub.get_backend(backend).devices() if d.kind == "gpu"), CPU)
    assert ub.device_of(z) == expected


def test_device_of_reports_canonical_devices(backend: str) -> None:
    x = ub.zeros(2, backend=backend)
    assert ub.device_of(x) == "cpu" and isinstance(ub.device_of(x), ub.Device)


@pytest.mark.gpu
def test_gpu_placement_round_trip(backend: str) -> None:
    from _backends import gpu_available

    if not gpu_available(backend):
        pytest.skip(f"no GPU visible to {backend}")
    a = np.arange(6.0).reshape(2, 3)
    g = ub.asarray(a, backend=backend, device="gpu:0")
    assert ub.device_of(g) == "gpu:0" and ub.dtype_of(g) == "float64"
    assert np.array_equal(ub.to_numpy(g), a)
    with pytest.raises(ub.CopyRequiredError):
        ub.to_numpy(g, copy=False)
    with pytest.raises(ub.CopyRequiredError):
        ub.to_device(g, "cpu", copy=False)
    assert ub.device_of(ub.to_device(g, "cpu")) == "cpu"


def test_a_missing_gpu_error_says_the_backend_sees_no_gpu_and_a_missing_cpu_error_does_not() -> None:
    with pytest.raises(ub.DeviceUnavailableError) as gpu:
        resolve_device(Device("gpu", 0), [CPU], "torch")
    assert str(gpu.value) == (
        "device 'gpu:0' is not available on backend 'torch'; available: cpu. This backend sees no GPU: "
        "check the driver and that a GPU build of the framework is installed."
    )
    with pytest.raises(ub.DeviceUnavailableError) as cpu:
        resolve_device(Device("cpu", 1), [CPU], "numpy")
    assert str(cpu.value) == "device 'cpu:1' is not available on backend 'numpy'; available: cpu."
    with pytest.raises(ub.DeviceUnavailableError, match=r"available: none\.$"):
        resolve_device(Device("cpu", 1), [], "empty")


def test_an_explicit_device_argument_names_the_backend_it_is_missing_from(backend: str) -> None:
    with pytest.raises(ub.DeviceUnavailableError, match=f"device 'gpu:9' is not available on backend '{backend}'"):
        ub.zeros(2, backend=backend, device=Device("gpu", 9))
    with pytest.raises(ub.DeviceUnavailableError, match=f"on backend '{backend}'"):
        ub.asarray([1.0], backend=backend, device="cuda:9")


def test_a_missing_device_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from unibridge.config import reset_defaults

    monkeypatch.setenv("UNIBRIDGE_DEVICE", "gpu:7")
    reset_defaults()
    with pytest.raises(ub.DeviceUnavailableError, match=r"\(device set by environment: UNIBRIDGE_DEVICE='gpu:7'\)"):
        ub.zeros(2)
    with ub.use(device="gpu:8"), pytest.raises(ub.DeviceUnavailableError, match=r"\(device set by use\(device='gpu:8'\)\)$"):
        ub.zeros(2)
    monkeypatch.delenv("UNIBRIDGE_DEVICE")
    reset_defaults()
    ub.configure(device="gpu:6")
    with pytest.raises(ub.DeviceUnavailableError, match=r"\(device set by configure\(device='gpu:6'\)\)$"):
        ub.zeros(2)


def test_device_of_answers_from_the_arrays_own_backend(backend: str) -> None:
    x = ub.asarray([1.0, 2.0], backend=backend)
    assert ub.device_of(x) == ub.get_backend(backend).device_of(x) == "cpu"
    assert ub.device_of(np.zeros(2)) == "cpu" and ub.device_of(3.0) == "cpu"


class _PlatformDevice:
    """Shaped like a JAX device: ``platform`` and ``id``, no ``type`` and no ``index``."""

    def __init__(self, platform: str, id: int) -> None:
        self.platform = platform
        self.id = id


def test_a_device_object_naming_its_platform_and_id_parses() -> None:
    assert parse_device(_PlatformDevice("gpu", 1)) == "gpu:1"
    assert parse_device(_PlatformDevice("cpu", 0)) == CPU
    assert parse_device(_PlatformDevice("cuda", 3)) == "gpu:3"


def test_an_object_that_is_no_device_is_refused_with_its_type() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"^cannot interpret 3\.5 \(type float\) as a device; allowed: cpu"):
        parse_device(3.5)


def test_a_parsed_device_is_returned_as_it_is_remembering_how_it_was_written() -> None:
    from unibridge.devices import spelling_of

    written = parse_device("CUDA:1")
    assert parse_device(written) is written and spelling_of(parse_device(written)) == "CUDA:1"
    assert spelling_of(parse_device("auto")) == "auto" and spelling_of(AUTO) == "auto"
    assert spelling_of(Device("gpu", 2)) == "gpu:2"
