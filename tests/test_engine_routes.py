"""The engine's memoized routes, fast paths, views and targets, seen from outside: what a
backend's accelerators are given (and when they are built), which device and backend a
conversion lands on, and what ``to_numpy`` does with data no backend owns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.devices import CPU
from unibridge.protocol import NumpyFastPath, NumpyViewFastPath

GPU = ub.Device("gpu", 0)


class Crate:
    """The array type of the throwaway backends below: a NumPy array on a (pretend) device,
    remembering whether the backend's fast path made it."""

    def __init__(self, a: np.ndarray[Any, Any], device: ub.Device = CPU, fast: bool = False) -> None:
        self.a, self.device, self.fast = a, device, fast


class Crates:
    """A backend of Crates with its own accelerators; every method a test may count is counted."""

    name = "crates"
    array_modules = (Crate.__module__.partition(".")[0],)
    install_hint = ""
    required_flags = 0
    dtype_chars: frozenset[str] | None = None

    def __init__(self) -> None:
        self.calls = {"from_numpy": 0, "to_numpy": 0, "numpy_fast_path": 0, "numpy_view_fast_path": 0,
                      "devices": 0}
        self.given: list[np.ndarray[Any, Any]] = []  # what the fast path was handed

    def available(self) -> tuple[bool, str]:
        return True, ""

    def version(self) -> str | None:
        return None

    def is_array(self, x: Any) -> bool:
        return isinstance(x, Crate)

    def is_dtype(self, x: Any) -> bool:
        return False

    def devices(self) -> list[ub.Device]:
        self.calls["devices"] += 1
        return [CPU, GPU]

    def canonical_dtype(self, native: Any) -> ub.DType:
        return ub.dtype_of(np.zeros(0, native))

    def dtype_of(self, x: Any) -> ub.DType:
        return ub.dtype_of(x.a)

    def device_of(self, x: Any) -> ub.Device:
        return x.device  # type: ignore[no-any-return]

    def shape_of(self, x: Any) -> tuple[int, ...]:
        return tuple(x.a.shape)

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: ub.Device, copy: bool | None) -> Any:
        self.calls["from_numpy"] += 1
        return Crate(a.copy() if copy else a, device)

    def numpy_fast_path(self, device: ub.Device) -> NumpyFastPath:
        self.calls["numpy_fast_path"] += 1

        def convert(a: np.ndarray[Any, Any]) -> Crate:
            self.given.append(a)
            return Crate(a, device, fast=True)

        return NumpyFastPath(convert, self.required_flags, (), self.dtype_chars)

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        self.calls["to_numpy"] += 1
        if x.device != CPU:
            if copy is False:
                raise ub.CopyRequiredError("device memory has no NumPy view")
            return x.a.copy()  # type: ignore[no-any-return]
        return x.a.copy() if copy else x.a  # type: ignore[no-any-return]

    def numpy_view_fast_path(self) -> NumpyViewFastPath:
        self.calls["numpy_view_fast_path"] += 1
        return NumpyViewFastPath(lambda x: x.a if x.device == CPU else None)

    def from_native(self, x: Any, *, device: ub.Device, copy: bool | None) -> Any:
        return Crate(x.a.copy() if copy else x.a, device)

    def zeros(self, shape: tuple[int, ...], *, dtype: ub.DType, device: ub.Device) -> Any:
        return Crate(np.zeros(shape, dtype.numpy), device)

    def memory_span(self, x: Any) -> tuple[ub.Device, int, int] | None:
        lo = x.a.ctypes.data
        return (x.device, lo, lo + x.a.nbytes) if x.a.size else None

    def namespace(self) -> Any:
        return np


@pytest.fixture
def register(throwaway_backends: Callable[..., Any]) -> Callable[[type[Any]], Any]:
    """Register throwaway backends (one at a time owns Crate); all removed afterwards."""
    return lambda cls: throwaway_backends(cls, exclusive=True)


# -- a backend's fast path: built once per device, used for fresh arrays, never handed what it refused ---


def test_a_fast_path_is_built_once_per_device_and_each_device_gets_its_own(
    register: Callable[[type[Any]], Any],
) -> None:
    b = register(Crates)
    for _ in range(3):
        on_cpu = ub.asarray(np.arange(3.0), backend="crates", device="cpu")
        on_gpu = ub.asarray(np.arange(3.0), backend="crates", device="gpu:0")
        assert on_cpu.fast and on_cpu.device == CPU
        assert on_gpu.fast and on_gpu.device == GPU  # not the CPU's fast path, memoized first
    assert b.calls["numpy_fast_path"] == 2 and b.calls["from_numpy"] == 0


def test_python_data_and_cast_copies_are_handed_to_the_fast_path_as_fresh_arrays(
    register: Callable[[type[Any]], Any],
) -> None:
    b = register(Crates)
    # Python data becomes a private array: sharing it is a copy, so the fast path may take it.
    out = ub.asarray([1.0, 2.0], backend="crates")
    assert out.fast and out.a.tolist() == [1.0, 2.0]
    on_gpu = ub.asarray([1.0, 2.0], backend="crates", device="gpu:0")
    assert on_gpu.fast and on_gpu.device == GPU
    # A dtype change made a private copy already: copy=True needs no second one.
    src = np.arange(3.0)
    cast = ub.asarray(src, dtype="float32", copy=True, backend="crates")
    assert cast.fast and cast.a.dtype == np.float32 and not np.shares_memory(cast.a, src)
    assert b.calls["from_numpy"] == 0


def test_a_fast_path_is_never_handed_an_array_without_its_flags_or_dtype(
    register: Callable[[type[Any]], Any],
) -> None:
    class Picky(Crates):
        name = "picky"
        # Everything a fresh float64 vector has, and writeable: a read-only one lacks only that.
        required_flags = np.arange(3.0).flags.num
        dtype_chars = frozenset("d")

    b = register(Picky)
    read_only = np.arange(3.0)
    read_only.flags.writeable = False
    ints = np.arange(3)
    for _ in range(2):  # the route is built, then memoized
        assert not ub.asarray(read_only, backend="picky").fast
        assert not ub.asarray(ints, backend="picky").fast
        assert ub.asarray(np.arange(3.0), backend="picky").fast
    assert all(a.flags.writeable and a.dtype == np.float64 for a in b.given)
    assert b.calls["from_numpy"] == 4


def test_a_fast_path_given_as_a_bare_function_is_used_too(register: Callable[[type[Any]], Any]) -> None:
    class Bare(Crates):
        name = "bare"

        def numpy_fast_path(self, device: ub.Device) -> Any:  # type: ignore[override]
            return lambda a: Crate(a, device, fast=True)  # a bare converter, not a NumpyFastPath

    b = register(Bare)
    a = np.arange(3.0)
    for obj in (a, [1.0, 2.0]):
        out = ub.asarray(obj, backend="bare", device="gpu:0")
        assert out.fast and out.device == GPU
    assert ub.asarray(a, backend="bare").a is a
    assert b.calls["from_numpy"] == 0


# -- routes: one per backend= and input type ------------------------------------------------------------


def test_a_route_built_for_backend_is_not_taken_by_calls_without_backend(
    register: Callable[[type[Any]], Any],
) -> None:
    register(Crates)
    a = np.arange(3.0)
    assert ub.asarray(a) is a
    assert isinstance(ub.asarray(a, backend="crates"), Crate)
    assert ub.asarray(a) is a  # still NumPy's route, not the one just built for backend="crates"
    assert type(ub.asarray(np.arange(2.0))) is np.ndarray


def test_a_route_built_for_one_input_type_does_not_serve_none() -> None:
    assert ub.asarray(np.arange(3.0), backend="numpy").tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ub.UnsupportedInputError, match="NoneType"):
        ub.asarray(None, backend="numpy")


def test_a_backend_re_registered_while_its_route_is_built_is_used_from_the_next_call(
    register: Callable[[type[Any]], Any],
) -> None:
    class Old(Crates):
        name = "flip"

        def numpy_fast_path(self, device: ub.Device) -> NumpyFastPath:
            ub.register_backend("flip", New, replace=True)  # the registry changes while the route is built...
            assert not ub.asarray(np.arange(2.0), backend="flip").fast  # ...and New is used at once
            return super().numpy_fast_path(device)

    class New(Crates):
        name = "flip"

        def numpy_fast_path(self, device: ub.Device) -> None:  # type: ignore[override]
            super().numpy_fast_path(device)  # counted
            return None

    register(Old)
    ub.asarray(np.arange(2.0), backend="flip")  # Old's fast path is built; New replaces Old meanwhile
    for _ in range(2):
        out = ub.asarray(np.arange(2.0), backend="flip")
        assert isinstance(out, Crate) and not out.fast  # New has no fast path: Old's route is gone
    assert ub.get_backend("flip").calls["numpy_fast_path"] == 1  # New's (lack of a) fast path, kept


def test_a_source_re_registered_while_its_view_is_built_is_used_from_the_next_call(
    register: Callable[[type[Any]], Any],
) -> None:
    class Old(Crates):
        name = "flipview"

        def numpy_view_fast_path(self) -> NumpyViewFastPath:
            ub.register_backend("flipview", New, replace=True)
            return NumpyViewFastPath(lambda x: x.a)

    class New(Crates):
        name = "flipview"

        def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
            return -x.a  # type: ignore[no-any-return]

        def numpy_view_fast_path(self) -> None:  # type: ignore[override]
            return None

    register(Old)
    a = np.arange(1.0, 3.0)
    assert ub.to_numpy(Crate(a)) is a
    assert ub.to_numpy(Crate(a)).tolist() == [-1.0, -2.0]  # New's own to_numpy, not Old's view


# -- the zero-copy view: built once per array type, serving to_numpy and shares_memory -----------------


def test_shares_memory_uses_the_view_from_its_first_call_and_never_the_slow_method(
    register: Callable[[type[Any]], Any],
) -> None:
    b = register(Crates)
    a = np.arange(4.0)
    assert ub.shares_memory(Crate(a), a) and ub.shares_memory(a[2:], Crate(a))
    assert not ub.shares_memory(Crate(a), Crate(a, GPU))  # other device
    assert not ub.shares_memory(Crate(a, GPU), Crate(a))
    assert not ub.shares_memory(Crate(a), [0.0, 1.0]) and not ub.shares_memory([0.0], Crate(a))
    assert b.calls["to_numpy"] == 0


def test_a_view_path_is_built_once_per_array_type(register: Callable[[type[Any]], Any]) -> None:
    b = register(Crates)
    with pytest.raises(ub.UnsupportedInputError):
        ub.to_numpy(None)
    a = np.arange(3.0)
    built = []
    for _ in range(3):
        assert ub.to_numpy(Crate(a)) is a
        assert ub.shares_memory(Crate(a), a) and ub.shares_memory(a, Crate(a))
        assert ub.asarray(Crate(a), backend="numpy") is a
        assert ub.asarray(a, backend="numpy") is a  # another input type's route does not evict it
        built.append(b.calls["numpy_view_fast_path"])
    assert built[0] == built[-1] and b.calls["to_numpy"] == 0  # nothing is built after the first round


# -- targets: the device of a selection, resolved once per backend and selection ------------------------


def test_the_device_of_a_selection_is_resolved_once_per_backend_and_selection(
    register: Callable[[type[Any]], Any],
) -> None:
    b = register(Crates)
    for _ in range(2):
        with ub.use("crates", device="cpu"):
            assert ub.asarray([1.0]).device == CPU
            assert ub.zeros_like(np.ones(2)).device == CPU
        with ub.use("crates", device="gpu:0"):
            assert ub.asarray([1.0]).device == GPU  # not the CPU, resolved first for this backend
            assert ub.zeros_like(np.ones(2)).device == GPU
    assert b.calls["devices"] == 2


def test_an_unavailable_device_of_a_selection_is_reported_with_the_backends_name() -> None:
    with ub.use("numpy", device="gpu:0"):
        with pytest.raises(ub.DeviceUnavailableError, match="not available on backend 'numpy'"):
            ub.asarray([1.0])


# -- Python data under copy=False and dtype= ---------------------------------------------------------------


def test_python_data_under_copy_false_is_refused_with_the_reason() -> None:
    message = (
        r"^the input has no array memory to share \(Python data, or a copy was already "
        r"needed on the way\); copy=False cannot be honoured$"
    )
    with pytest.raises(ub.CopyRequiredError, match=message):
        ub.asarray([1.0, 2.0], copy=False, backend="numpy")


def test_python_data_may_take_any_dtype_that_holds_it_even_under_copy_false() -> None:
    # Python floats may become int8 (the values fit): what fails is only the copy, not the cast.
    with pytest.raises(ub.CopyRequiredError, match="float64 -> int8 needs a copy"):
        ub.asarray([1.0, 2.0], dtype="int8", copy=False, backend="numpy")
    with pytest.raises(ub.LossyCastError, match="crosses kinds"):  # an array has a dtype of its own
        ub.asarray(np.array([1.0, 2.0]), dtype="int8", copy=False, backend="numpy")


# -- to_numpy of data no backend owns ------------------------------------------------------------------------


class OnlyCopies:
    """An ``__array__`` that gives its values only as a copy."""

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        if copy is False:
            raise ValueError("cannot share")
        return np.arange(3.0)


def test_to_numpy_of_python_data_gives_numpys_inference_with_the_default_float() -> None:
    ints = ub.to_numpy([1, 2])
    assert type(ints) is np.ndarray and ints.tolist() == [1, 2] and ints.dtype == np.int64
    assert ub.to_numpy([0.5, 1.5]).dtype == np.float64
    assert ub.to_numpy(2.5).tolist() == 2.5
    ub.configure(default_float="float32")
    floats = ub.to_numpy([0.5, 1.5])
    assert floats.dtype == np.float32 and floats.tolist() == [0.5, 1.5]
    with pytest.raises(ub.LossyCastError, match="default float is float32"):
        ub.to_numpy([1e300])


def test_to_numpy_of_python_data_refuses_copy_false_and_bad_copy_values() -> None:
    with pytest.raises(ub.CopyRequiredError, match="^a list has no array memory to share$"):
        ub.to_numpy([1, 2], copy=False)
    with pytest.raises(ub.CopyRequiredError, match="^a float has no array memory to share$"):
        ub.to_numpy(1.5, copy=False)
    assert ub.to_numpy([1, 2], copy=True).tolist() == [1, 2]
    with pytest.raises(ub.ConfigurationError, match="copy='yes' is not one of None, True, False"):
        ub.to_numpy([1, 2], copy="yes")  # type: ignore[arg-type]


def test_to_numpy_of_a_buffer_shares_it_unless_asked_to_copy() -> None:
    a = np.arange(4.0)
    assert np.shares_memory(ub.to_numpy(memoryview(a)), a)
    assert np.shares_memory(ub.to_numpy(memoryview(a), copy=False), a)
    copied = ub.to_numpy(memoryview(a), copy=True)
    assert copied.tolist() == [0.0, 1.0, 2.0, 3.0] and not np.shares_memory(copied, a)


def test_to_numpy_of_an_array_that_only_copies_refuses_copy_false() -> None:
    assert ub.to_numpy(OnlyCopies()).tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ub.CopyRequiredError, match="OnlyCopies gives its values only as a copy"):
        ub.to_numpy(OnlyCopies(), copy=False)


# -- accelerators that no class defines ------------------------------------------------------------------


def _without(*names: str) -> dict[str, Any]:
    """Crates' class body less ``names``: a backend class that defines none of them."""
    return {k: v for k, v in vars(Crates).items() if k not in {*names, "__dict__", "__weakref__"}}


def test_a_view_path_set_on_the_instance_only_is_ignored(register: Callable[[type[Any]], Any]) -> None:
    def __init__(self: Any) -> None:
        Crates.__init__(self)
        self.numpy_view_fast_path = lambda: NumpyViewFastPath(lambda x: -x.a)  # no class stands behind it

    b = register(type("InstanceView", (), {**_without("numpy_view_fast_path"), "name": "instanceview",
                                           "__init__": __init__}))
    a = np.arange(1.0, 3.0)
    assert ub.to_numpy(Crate(a)).tolist() == [1.0, 2.0] and b.calls["to_numpy"] == 1


def test_a_to_numpy_set_on_the_instance_only_is_not_bypassed_by_the_classs_view(
    register: Callable[[type[Any]], Any],
) -> None:
    def __init__(self: Any) -> None:
        Crates.__init__(self)
        self.to_numpy = lambda x, *, copy: -x.a  # the instance's own conversion

    register(type("InstanceToNumpy", (), {**_without("to_numpy"), "name": "instancetonumpy",
                                          "__init__": __init__}))
    a = np.arange(1.0, 3.0)
    assert ub.to_numpy(Crate(a)).tolist() == [-1.0, -2.0]
    assert ub.asarray(Crate(a), backend="numpy").tolist() == [-1.0, -2.0]


def test_a_fast_path_that_names_no_dtypes_is_not_given_data_the_full_path_refuses(
    register: Callable[[type[Any]], Any],
) -> None:
    # A backend's fast path without dtype_chars gets only plain numbers: strings, objects and
    # datetimes are refused the same with or without options (tests/reliability/FINDINGS.md, F22).
    backend = register(Crates)
    for bad in (np.array(["a", "b"]), np.array([object()], dtype=object), np.array(["2020-01-01"], "M8[D]")):
        for options in ({}, {"copy": True}):
            with pytest.raises(ub.UnsupportedInputError):
                ub.asarray(bad, backend="crates", **options)
    assert not any(a.dtype.kind in "OUM" for a in backend.given)
    assert ub.to_numpy(ub.asarray(np.arange(3), backend="crates")).tolist() == [0, 1, 2]
