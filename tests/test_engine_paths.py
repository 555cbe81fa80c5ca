"""The engine's paths that only some arrays take: a backend's zero-copy view and fast path (and
when a subclass must not inherit them), a dtype change inside one framework, and the
asynchronous host-to-device copy (through a pretend GPU backend whose "device" memory is host
memory, so it runs on any machine)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.devices import CPU
from unibridge.protocol import NumpyViewFastPath
from _backends import require
from _pretend import GPU, Box, PretendBackend

class Boxed(PretendBackend):
    """Boxes on the CPU (and a pretend ``gpu:0``), counting the calls of its slow methods."""

    name = "boxed"
    kind = Box
    calls: dict[str, int]
    sent: list[tuple[np.ndarray[Any, Any], ub.Device, bool]]

    def __init__(self) -> None:
        super().__init__()
        self.calls = {"to_numpy": 0, "from_numpy": 0}
        self.sent = []

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        self.calls["to_numpy"] += 1
        if copy is False and x.device != CPU:
            raise ub.CopyRequiredError("device memory has no NumPy view")
        return x.a.copy() if copy or x.device != CPU else x.a  # type: ignore[no-any-return]

    def numpy_view_fast_path(self) -> NumpyViewFastPath:
        return NumpyViewFastPath(lambda x: x.a if x.device == CPU else None)

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: ub.Device, copy: bool | None) -> Any:
        self.calls["from_numpy"] += 1
        return Box(a.copy() if copy or device != CPU else a, device)

    def memory_span(self, x: Any) -> tuple[ub.Device, int, int] | None:
        lo = x.a.ctypes.data
        return (x.device, lo, lo + x.a.nbytes) if x.a.size else None


class AsyncBoxed(Boxed):
    """Boxed, with an asynchronous host-to-device copy (recorded)."""

    name = "asyncboxed"

    def host_to_device(self, a: np.ndarray[Any, Any], *, device: ub.Device, non_blocking: bool) -> Any:
        self.sent.append((a, device, non_blocking))
        return Box(a.copy(), device)


class SlowBoxed(Boxed):
    """Overrides ``to_numpy`` but inherits its parent's view path, which would bypass it."""

    name = "slowboxed"

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        self.calls["to_numpy"] += 1
        return -x.a  # its own conversion, which the inherited view path does not know


@pytest.fixture
def register(throwaway_backends: Callable[..., Any]) -> Callable[[type[Boxed]], Boxed]:
    """Register throwaway backends (one at a time owns Box); all removed afterwards."""
    return lambda cls: throwaway_backends(cls, exclusive=True)  # type: ignore[no-any-return]


# -- the zero-copy view path -------------------------------------------------------------------------


def test_a_backends_zero_copy_view_serves_to_numpy_and_shares_memory_without_its_slow_method(
    register: Callable[[type[Boxed]], Boxed],
) -> None:
    b = register(Boxed)
    a = np.arange(4.0)
    box = Box(a)
    for _ in range(2):  # built once, then memoized: both calls take it
        assert ub.to_numpy(box) is a
        assert ub.shares_memory(box, a) and ub.shares_memory(a[2:], box)
        assert not ub.shares_memory(box, a.copy())
        assert ub.asarray(box, backend="numpy") is a  # the route: the view, then NumPy's fast path
    assert b.calls["to_numpy"] == 0


def test_a_view_that_declines_sends_the_call_down_the_full_path(register: Callable[[type[Boxed]], Boxed]) -> None:
    b = register(Boxed)
    on_gpu = Box(np.arange(3.0), GPU)
    with pytest.raises(ub.CopyRequiredError):
        ub.asarray(on_gpu, backend="numpy", copy=False)
    assert ub.to_numpy(on_gpu).tolist() == [0.0, 1.0, 2.0] and b.calls["to_numpy"] == 2


def test_a_subclass_that_overrides_to_numpy_is_not_bypassed_by_its_parents_view(
    register: Callable[[type[Boxed]], Boxed],
) -> None:
    b = register(SlowBoxed)
    box = Box(np.arange(1.0, 4.0))
    assert ub.to_numpy(box).tolist() == [-1.0, -2.0, -3.0]  # its own to_numpy, not the parent's view
    assert ub.asarray(box, backend="numpy").tolist() == [-1.0, -2.0, -3.0]
    assert b.calls["to_numpy"] == 2


def test_a_subclass_that_overrides_from_numpy_is_not_bypassed_by_its_parents_fast_path(
    register: Callable[[type[Boxed]], Boxed],
) -> None:
    b = register(Boxed)  # overrides from_numpy; NumpyBackend's fast path returns plain arrays
    for _ in range(2):
        out = ub.asarray(np.arange(3.0), backend="boxed")
        assert isinstance(out, Box) and out.a.tolist() == [0.0, 1.0, 2.0]
    with ub.use("boxed"):
        assert isinstance(ub.asarray(np.arange(3.0)), Box)
    assert b.calls["from_numpy"] == 3


# -- the asynchronous host-to-device copy ---------------------------------------------------------------


def test_non_blocking_python_data_goes_to_the_device_with_the_default_float(
    register: Callable[[type[Boxed]], Boxed],
) -> None:
    b = register(AsyncBoxed)
    ub.configure(default_float="float32")
    out = ub.asarray([0.5, 1.5], backend="asyncboxed", device="gpu:0", non_blocking=True)
    assert out.device == GPU and out.a.dtype == np.float32 and out.a.tolist() == [0.5, 1.5]
    sent, device, non_blocking = b.sent[-1]
    assert sent.dtype == np.float32 and device == GPU and non_blocking is True
    with pytest.raises(ub.LossyCastError, match="default float is float32"):
        ub.asarray([1e300], backend="asyncboxed", device="gpu:0", non_blocking=True)
    assert math.isinf(ub.asarray([1e300], backend="asyncboxed", device="gpu:0", non_blocking=True, casting="unsafe").a[0])
    kept = ub.asarray([0.5], dtype="float64", backend="asyncboxed", device="gpu:0", non_blocking=True)
    assert kept.a.dtype == np.float64  # an explicit dtype is not rounded through the default


def test_non_blocking_casts_follow_the_policy_of_the_datas_origin(register: Callable[[type[Boxed]], Boxed]) -> None:
    register(AsyncBoxed)

    def send(obj: Any, dtype: str, casting: str = "same_kind") -> Box:
        return ub.asarray(obj, dtype=dtype, casting=casting, backend="asyncboxed", device="gpu:0", non_blocking=True)

    assert send([1.0, 2.0], "int8").a.tolist() == [1, 2]  # Python numbers: any dtype that holds them
    assert send([1.0, 2.0], "int8").a.dtype == np.int8
    with pytest.raises(ub.LossyCastError, match="crosses kinds"):
        send(np.array([1.0, 2.0]), "int8")  # an array has a dtype: float -> int crosses kinds
    with pytest.raises(ub.LossyCastError, match="does not fit int32"):
        send([2**40], "int32")
    with pytest.raises(ub.LossyCastError, match="does not fit int8"):
        send(np.array([1, 300]), "int8")
    assert send(np.array([1, 300]), "int8", "unsafe").a.tolist() == [1, 44]
    assert send(np.array([1, 2], np.int16), "int16").a.dtype == np.int16  # no change asked: none made


def test_non_blocking_refuses_copy_false_and_backends_without_an_async_copy(
    register: Callable[[type[Boxed]], Boxed],
) -> None:
    register(AsyncBoxed)
    with pytest.raises(ub.CopyRequiredError, match="moving host data to gpu:0 needs a copy"):
        ub.asarray(np.arange(3.0), backend="asyncboxed", device="gpu:0", non_blocking=True, copy=False)
    register(Boxed)  # no host_to_device method at all
    with pytest.raises(ub.UnsupportedInputError, match="'boxed' has no asynchronous host-to-device copy"):
        ub.asarray(np.arange(3.0), backend="boxed", device="gpu:0", non_blocking=True)


def test_non_blocking_takes_cpu_arrays_through_their_host_memory_and_device_arrays_as_they_are(
    register: Callable[[type[Boxed]], Boxed],
) -> None:
    b = register(AsyncBoxed)
    a = np.arange(3.0)
    out = ub.asarray(Box(a), backend="asyncboxed", device="gpu:0", non_blocking=True)
    assert out.device == GPU and out.a.tolist() == [0.0, 1.0, 2.0] and b.sent[-1][0] is a
    sent = len(b.sent)
    on_gpu = Box(np.array([0.5, 1e300]), GPU)
    moved = ub.asarray(on_gpu, backend="asyncboxed", device="gpu:0", non_blocking=True)
    assert moved.device == GPU and moved.a.tolist() == [0.5, 1e300] and len(b.sent) == sent  # no host trip
    # A device array keeps every option on the way: dtype, casting and copy.
    with pytest.raises(ub.LossyCastError, match="infinite"):
        ub.asarray(on_gpu, dtype="float32", backend="asyncboxed", device="gpu:0", non_blocking=True)
    cast = ub.asarray(on_gpu, dtype="float32", casting="unsafe", backend="asyncboxed", device="gpu:0",
                      non_blocking=True)
    assert cast.a.dtype == np.float32 and cast.a[0] == 0.5 and math.isinf(cast.a[1])
    copied = ub.asarray(on_gpu, copy=True, backend="asyncboxed", device="gpu:0", non_blocking=True)
    on_gpu.a[0] = 7.0  # a copy does not see it
    assert copied.a[0] == 0.5 and len(b.sent) == sent
    assert ub.asarray([1, 2], backend="asyncboxed", device="cpu", non_blocking=True).device == CPU  # CPU: no async


# -- a dtype change inside one framework ------------------------------------------------------------------


def test_a_dtype_change_within_torch_keeps_the_autograd_graph_and_checks_values() -> None:
    require("torch")
    import torch

    t = torch.tensor([1.0, 2.5], dtype=torch.float64, requires_grad=True)
    out = ub.asarray(t, dtype="float32", backend="torch")
    assert out.dtype == torch.float32 and out.requires_grad and out.grad_fn is not None
    out.sum().backward()
    assert t.grad is not None and t.grad.tolist() == [1.0, 1.0]
    assert ub.asarray(t, dtype="float32", casting="safe" if False else "same_kind", backend="torch").tolist() == [1.0, 2.5]
    with pytest.raises(ub.LossyCastError, match="infinite"):
        ub.asarray(torch.tensor([1e300], dtype=torch.float64), dtype="float32", backend="torch")
    with pytest.raises(ub.LossyCastError, match="does not fit int8"):
        ub.asarray(torch.tensor([1, 300]), dtype="int8", backend="torch")
    with pytest.raises(ub.LossyCastError, match="not a safe cast"):
        ub.asarray(torch.tensor([1.0]), dtype="float16", casting="safe", backend="torch")
    assert ub.asarray(torch.tensor([1, 300]), dtype="int8", casting="unsafe", backend="torch").tolist() == [1, 44]
    wide = ub.asarray(torch.tensor([1, 2], dtype=torch.int8), dtype="int64", casting="safe", backend="torch")
    assert wide.dtype == torch.int64 and wide.tolist() == [1, 2]


def test_a_float32_to_float16_change_within_torch_keeps_the_autograd_graph() -> None:
    require("torch")
    import torch

    t = torch.tensor([1.0, 2.5], requires_grad=True)  # float32: rounds once anyway, torch does it
    out = ub.asarray(t, dtype="float16", backend="torch")
    assert out.dtype == torch.float16 and out.requires_grad and out.grad_fn is not None


def test_a_dtype_change_within_torch_under_copy_false_raises_saying_why() -> None:
    require("torch")
    import torch

    with pytest.raises(ub.CopyRequiredError, match="float64 -> float32 needs a copy"):
        ub.asarray(torch.tensor([1.0], dtype=torch.float64), dtype="float32", copy=False, backend="torch")
    with pytest.raises(ub.LossyCastError, match="crosses kinds"):  # the policy first, then the copy
        ub.asarray(torch.tensor([1.5]), dtype="int8", copy=False, backend="torch")


def test_device_of_and_to_device_answer_for_a_device_array(register: Callable[[type[Boxed]], Boxed]) -> None:
    register(Boxed)
    on_gpu = Box(np.arange(3.0), GPU)
    assert ub.device_of(on_gpu) == "gpu:0"
    back = ub.to_device(on_gpu, "cpu")
    assert isinstance(back, Box) and back.device == CPU and ub.device_of(back) == "cpu"
    assert ub.to_device(Box(np.arange(2.0)), GPU).device == GPU  # a Device object, as parsed


class LazyBoxed(Boxed):
    """CPU boxes with no NumPy view of their own (like a lazily materialised array): to_numpy
    copies, copy=False raises; only memory_span says where the bytes are."""

    name = "lazyboxed"

    def numpy_view_fast_path(self) -> None:  # type: ignore[override]
        return None

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        self.calls["to_numpy"] += 1
        if copy is False:
            raise ub.CopyRequiredError("no view")
        return x.a.copy()  # type: ignore[no-any-return]


def test_a_cpu_array_without_a_numpy_view_is_compared_by_its_memory_span(register: Callable[[type[Boxed]], Boxed]) -> None:
    register(LazyBoxed)
    a = np.arange(8.0)
    assert ub.shares_memory(Box(a[2:5]), a) and ub.shares_memory(a, Box(a[4:]))
    assert ub.shares_memory(Box(a[:4]), Box(a[3:])) and not ub.shares_memory(Box(a[:4]), Box(a[4:]))
    assert not ub.shares_memory(Box(a[:4]), a[4:]) and not ub.shares_memory(a.copy(), Box(a))
    assert not ub.shares_memory(Box(np.zeros(0)), a)  # an empty array has no memory


def test_a_view_path_given_as_a_bare_function_is_used_too(register: Callable[[type[Boxed]], Boxed]) -> None:
    class BareView(Boxed):
        name = "bareview"

        def numpy_view_fast_path(self) -> Any:  # type: ignore[override]
            return lambda x: x.a  # a bare view function, not a NumpyViewFastPath

    b = register(BareView)
    a = np.arange(3.0)
    assert ub.to_numpy(Box(a)) is a and ub.asarray(Box(a), backend="numpy") is a and b.calls["to_numpy"] == 0


def test_an_accelerator_that_is_not_a_method_of_the_class_is_ignored(register: Callable[[type[Boxed]], Boxed]) -> None:
    class Unaccelerated(Boxed):
        name = "unaccelerated"

        def __init__(self) -> None:
            super().__init__()
            self.numpy_view_fast_path = lambda: None  # an instance attribute: no class stands behind it

        def __getattribute__(self, name: str) -> Any:
            if name == "numpy_fast_path":
                raise AttributeError(name)  # no fast path at all
            return super().__getattribute__(name)

    b = register(Unaccelerated)
    a = np.arange(3.0)
    assert ub.to_numpy(Box(a)).tolist() == [0.0, 1.0, 2.0] and b.calls["to_numpy"] == 1
    assert isinstance(ub.asarray(a, backend="unaccelerated"), Box) and b.calls["from_numpy"] == 1


def test_zeros_like_goes_to_the_device_and_backend_asked_for(register: Callable[[type[Boxed]], Boxed]) -> None:
    register(Boxed)
    z = ub.zeros_like(np.ones((2, 3), np.int16), backend="boxed", device="gpu:0")
    assert isinstance(z, Box) and z.device == GPU and z.a.shape == (2, 3) and z.a.dtype == np.int16


def test_a_one_element_array_is_compared_by_its_bytes_with_a_span(register: Callable[[type[Boxed]], Boxed]) -> None:
    register(LazyBoxed)
    a = np.arange(8.0)
    assert ub.shares_memory(a[3:4], Box(a)) and ub.shares_memory(Box(a[3:4]), a[3:4])
    assert not ub.shares_memory(a[3:4], Box(a[4:]))
