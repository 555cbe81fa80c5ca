"""What the engine makes of its inputs: Python data and foreign objects (iterators, ragged lists,
DLPack-only producers, objects NumPy cannot read), the errors it gives for them, and the paths a
converted array takes to its backend (a fast path's declared layout, DLPack between devices, no
second copy of memory already copied)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.adapters.numpy import NumpyBackend
from unibridge.devices import CPU
from unibridge.protocol import NumpyFastPath
from _backends import require
from _pretend import GPU, Box, Crate, PretendBackend


# -- throwaway backends -------------------------------------------------------------------------------


class _Pretend(PretendBackend):
    def from_numpy(self, a: np.ndarray[Any, Any], *, device: ub.Device, copy: bool | None) -> Any:
        self.from_host += 1
        return self.kind(a.copy() if copy or device != CPU else a, device)

    def memory_span(self, x: Any) -> tuple[ub.Device, int, int] | None:
        return None


class Boxes(_Pretend):
    """Device memory has no NumPy view: to_numpy copies it (and records the copy it handed out);
    its producer must be synchronized before another framework reads it."""

    name = "boxes"
    kind = Box

    def __init__(self) -> None:
        super().__init__()
        self.from_host = 0
        self.handed: list[np.ndarray[Any, Any]] = []
        self.synchronized: list[Any] = []

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        if x.device == CPU and not copy:
            return x.a  # type: ignore[no-any-return]
        if copy is False:
            raise ub.CopyRequiredError("device memory has no NumPy view")
        self.handed.append(x.a.copy())
        return self.handed[-1]

    def synchronize(self, x: Any) -> None:
        self.synchronized.append(x)


class Crates(_Pretend):
    """Imports another framework's device arrays over DLPack (recording each import)."""

    name = "crates"
    kind = Crate

    def __init__(self) -> None:
        super().__init__()
        self.from_host = 0
        self.imported: list[tuple[Any, ub.Device, bool | None]] = []

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        return x.a.copy() if copy else x.a  # type: ignore[no-any-return]

    def from_dlpack(self, x: Any, *, device: ub.Device, copy: bool | None) -> Any:
        self.imported.append((x, device, copy))
        return Crate(x.a.copy() if copy else x.a, device)


_C_CONTIGUOUS, _ALIGNED = 0x1, 0x100


class Quick(NumpyBackend):
    """Owns no array type; its NumPy fast path declares C-contiguous, aligned float64 only."""

    name = "quick"
    array_modules = (__name__.partition(".")[0],)

    def is_array(self, x: Any) -> bool:
        return False

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: ub.Device, copy: bool | None) -> Any:
        return ("from_numpy", a)

    def numpy_fast_path(self, device: ub.Device) -> NumpyFastPath:
        return NumpyFastPath(lambda a: ("fast", a), _C_CONTIGUOUS | _ALIGNED, (), frozenset("d"))


@pytest.fixture
def register(throwaway_backends: Callable[..., Any]) -> Callable[[type[NumpyBackend]], Any]:
    """Register throwaway backends; all removed afterwards."""
    return lambda cls: throwaway_backends(cls)


# -- what cannot be converted, and what the error says ------------------------------------------------


def test_an_iterator_is_refused_with_a_hint_to_materialise_it() -> None:
    with pytest.raises(ub.UnsupportedInputError, match=r"^cannot convert a list_iterator \(an iterator\): "
                       r"materialise it first, e\.g\. list\(it\)$"):
        ub.asarray(iter([1, 2]), backend="numpy")
    with pytest.raises(ub.UnsupportedInputError, match=r"^cannot convert a generator \(an iterator\)"):
        ub.asarray((x for x in [1, 2]), backend="numpy")


class SizedCursor:
    """Has __next__ but also a length and an array form: data, not a one-shot iterator."""

    def __init__(self) -> None:
        self.a = np.arange(3.0)

    def __next__(self) -> float:
        raise StopIteration

    def __len__(self) -> int:
        return 3

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        return self.a


def test_an_object_with_next_and_a_length_is_read_as_data_not_refused_as_an_iterator() -> None:
    assert ub.asarray(SizedCursor(), backend="numpy").tolist() == [0.0, 1.0, 2.0]


def test_a_ragged_list_is_refused_with_a_hint_to_pad_it() -> None:
    with pytest.raises(ub.UnsupportedInputError, match=r"^cannot convert list to an array \(.*\); ragged or mixed "
                       r"data has no array form — pad it to a rectangular shape first$"):
        ub.asarray([1, [2, 3]], backend="numpy")


class Unreadable:
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        raise ValueError("boom")


def test_an_object_numpy_cannot_read_is_refused_naming_it_and_numpys_error() -> None:
    with pytest.raises(ub.UnsupportedInputError, match=r"^cannot convert a Unreadable to an array: NumPy could not "
                       r"read it \(ValueError: boom\); pass a NumPy array or an array of a registered backend$"):
        ub.asarray(Unreadable(), backend="numpy")


def test_non_numeric_python_data_is_refused_saying_what_is_wrong() -> None:
    with pytest.raises(ub.UnsupportedInputError, match=r"^cannot convert list with dtype object: its elements are "
                       r"not all numbers \(or an int is too large for 64 bits\)$"):
        ub.asarray([2**70], backend="numpy")
    with pytest.raises(ub.UnsupportedInputError, match=r"^cannot convert list with dtype timedelta64\[s\]: only bool, "
                       r"integer, floating and complex data is supported$"):
        ub.asarray([np.timedelta64(1, "s")], backend="numpy")


def test_an_unknown_casting_mode_is_refused_listing_the_modes() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"^casting='bogus' is not a casting mode; use one of: "
                       r"no, equiv, safe, same_kind, unsafe$"):
        ub.asarray([1.0], casting="bogus", backend="numpy")


# -- DLPack and __array__ producers -------------------------------------------------------------------


class DLPackRefuses:
    """Offers DLPack, which refuses, and a NumPy interface (__array__ or __array_interface__), which works."""

    def __init__(self) -> None:
        self.a = np.arange(3.0)

    def __dlpack__(self, **kwargs: Any) -> Any:
        raise BufferError("no DLPack export here")

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)


class WithArray(DLPackRefuses):
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        return self.a


class WithInterface(DLPackRefuses):
    @property
    def __array_interface__(self) -> dict[str, Any]:
        return self.a.__array_interface__


def test_an_object_with_a_numpy_interface_is_read_through_it_not_through_dlpack() -> None:
    # NumPy's own protocols come first; DLPack is only for producers that offer nothing else.
    for obj in (WithArray(), WithInterface()):
        out = ub.asarray(obj, backend="numpy")
        assert out.tolist() == [0.0, 1.0, 2.0] and np.shares_memory(out, obj.a)


class OnlyCopies:
    """A DLPack-only producer that can export a copy of its values, never its memory."""

    def __init__(self) -> None:
        self.a = np.arange(3.0)

    def __dlpack__(self, *, stream: Any = None, max_version: Any = None, dl_device: Any = None,
                   copy: bool | None = None) -> Any:
        if copy is False:
            raise BufferError("this producer only exports copies")
        return self.a.copy().__dlpack__()

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.a.__dlpack_device__()  # type: ignore[no-any-return]


def test_a_dlpack_producer_that_only_copies_refuses_copy_false_and_converts_otherwise() -> None:
    with pytest.raises(ub.CopyRequiredError, match=r"^a OnlyCopies gives its values only as a copy \(its __array__ "
                       r"or buffer cannot be shared\), so copy=False cannot be honoured$"):
        ub.asarray(OnlyCopies(), copy=False, backend="numpy")
    assert ub.asarray(OnlyCopies(), backend="numpy").tolist() == [0.0, 1.0, 2.0]


class OldStyle:
    """An __array__ without copy=: NumPy 2 warns (DeprecationWarning), then cannot avoid the copy."""

    def __array__(self, dtype: Any = None) -> np.ndarray[Any, Any]:
        return np.arange(3.0)


class Noisy:
    """A new-style __array__ that warns about its own data."""

    def __init__(self) -> None:
        self.a = np.arange(3.0)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        warnings.warn("stale data", UserWarning, stacklevel=2)
        return self.a


def test_copy_false_silences_numpys_deprecation_but_not_an_objects_own_warnings() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(ub.CopyRequiredError, match="a OldStyle gives its values only as a copy"):
            ub.asarray(OldStyle(), copy=False, backend="numpy")
    assert not [w for w in seen if issubclass(w.category, DeprecationWarning)]  # the error says it instead
    noisy = Noisy()
    with pytest.warns(UserWarning, match="stale data"):
        out = ub.asarray(noisy, copy=False, backend="numpy")
    assert np.shares_memory(out, noisy.a)


# -- Python numbers: rounding and the default float --------------------------------------------------


def test_rounding_a_large_python_integer_is_allowed_under_unsafe_casting() -> None:
    with pytest.raises(ub.LossyCastError, match="rounds the integer 1152921504606846977"):
        ub.asarray([2**60 + 1, 0.5], backend="numpy")
    out = ub.asarray([2**60 + 1, 0.5], dtype="float64", casting="unsafe", backend="numpy")
    assert out.dtype == np.float64 and out.tolist() == [2.0**60, 0.5]
    assert ub.asarray([2**60 + 1, 0.5], casting="unsafe", backend="numpy").tolist() == [2.0**60, 0.5]


def test_a_rounded_integer_beside_a_complex_is_reported_by_its_real_value() -> None:
    with pytest.raises(ub.LossyCastError, match=r"NumPy infers complex128 for them, which rounds the integer "
                       r"1152921504606846977 to 1\.152921504606847e\+18\. Convert"):
        ub.asarray([2**60 + 1, 1j], backend="numpy")


class Wrapped:
    def __init__(self, a: np.ndarray[Any, Any]) -> None:
        self.a = a

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        return self.a


def test_integers_beside_a_nested_array_like_are_not_mistaken_for_rounded() -> None:
    # Well below 2**53 no integer can have been rounded, however the data is nested.
    out = ub.asarray([Wrapped(np.array([1.5, 2.0])), [200, 300]], backend="numpy")
    assert out.dtype == np.float64 and out.tolist() == [[1.5, 2.0], [200.0, 300.0]]


def test_typed_floats_among_python_ints_keep_numpys_inference_under_a_float32_default() -> None:
    ub.configure(default_float="float32")
    out = ub.asarray([np.float32(1.5), 2], backend="numpy")  # no Python float: the default does not apply
    assert out.dtype == np.float64 and out.tolist() == [1.5, 2.0]
    kept = ub.asarray([np.complex64(1j), 2], backend="numpy")
    assert kept.dtype == np.complex128 and kept.tolist() == [1j, 2]
    assert ub.asarray([1.5, 2], backend="numpy").dtype == np.float32


# -- a cast within torch ------------------------------------------------------------------------------


def test_a_float_to_integer_cast_within_torch_gives_numpys_answer() -> None:
    require("torch")
    import torch

    # Out of range, torch's own cast wraps (50) where NumPy's gives 0: a crossing cast is NumPy's.
    values = [273923374642.9087, -918052952127.6106, 7.9]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.array(values).astype(np.uint8).tolist()
    out = ub.asarray(torch.tensor(values, dtype=torch.float64), dtype="uint8", casting="unsafe", backend="torch")
    assert out.dtype == torch.uint8 and out.tolist() == expected


# -- the paths to a backend ---------------------------------------------------------------------------


def test_a_backends_fast_path_takes_only_the_arrays_whose_layout_and_dtype_it_declared(
    register: Callable[[type[NumpyBackend]], Any],
) -> None:
    register(Quick)
    assert ub.asarray([1.0, 2.0], backend="quick")[0] == "fast"
    assert ub.asarray(np.arange(3.0), casting="unsafe", backend="quick")[0] == "fast"
    assert ub.asarray(np.arange(6.0)[::2], casting="unsafe", backend="quick")[0] == "from_numpy"  # not C-contiguous
    assert ub.asarray([1, 2], backend="quick")[0] == "from_numpy"  # int64: not a dtype it declared


def test_a_device_array_of_another_framework_goes_over_dlpack_after_its_producer_synchronizes(
    register: Callable[[type[NumpyBackend]], Any],
) -> None:
    src, dst = register(Boxes), register(Crates)
    on_gpu = Box(np.arange(3.0), GPU)
    out = ub.asarray(on_gpu, backend="crates", device="gpu:0")
    assert isinstance(out, Crate) and out.device == GPU and out.a is on_gpu.a
    assert src.synchronized == [on_gpu] and dst.imported == [(on_gpu, GPU, None)]
    copied = ub.asarray(on_gpu, backend="crates", device="gpu:0", copy=True)
    assert dst.imported[-1] == (on_gpu, GPU, True) and not np.shares_memory(copied.a, on_gpu.a)
    assert src.handed == [] and dst.from_host == 0  # never through the host


def test_dlpack_is_not_used_for_host_arrays_nor_for_a_dtype_change(
    register: Callable[[type[NumpyBackend]], Any],
) -> None:
    src, dst = register(Boxes), register(Crates)
    on_cpu = Box(np.arange(3.0))
    out = ub.asarray(on_cpu, backend="crates")
    assert isinstance(out, Crate) and out.a is on_cpu.a  # a NumPy view of host memory
    on_gpu = Box(np.arange(3.0), GPU)
    cast = ub.asarray(on_gpu, dtype="float32", backend="crates", device="gpu:0")
    assert cast.a.dtype == np.float32 and cast.device == GPU
    assert dst.imported == [] and src.synchronized == []


def test_memory_already_copied_off_a_device_is_not_copied_again(
    register: Callable[[type[NumpyBackend]], Any],
) -> None:
    src = register(Boxes)
    on_gpu = Box(np.arange(3.0), GPU)
    for copy in (None, True):
        out = ub.asarray(on_gpu, backend="numpy", copy=copy)
        assert out is src.handed[-1]  # the copy to_numpy made is the (only) copy
    with pytest.raises(ub.CopyRequiredError):
        ub.asarray(on_gpu, backend="numpy", copy=False)


def test_an_exact_large_integer_beside_a_nested_array_like_is_kept_not_called_rounded() -> None:
    # The rounding check pairs each Python integer with the element NumPy laid out for it; an
    # array-like nested in the list (not a list, tuple or ndarray) holds several elements.
    class Wrapped:
        def __init__(self, a: np.ndarray) -> None:
            self.a = a

        def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
            return self.a

    out = ub.asarray([Wrapped(np.array([1.0, 2.0])), [2**53 + 2, 3]], backend="numpy")
    assert out.tolist() == [[1.0, 2.0], [2.0**53 + 2, 3.0]]
    with pytest.raises(ub.LossyCastError, match="rounds the integer 9007199254740993"):
        ub.asarray([Wrapped(np.array([1.0, 2.0])), [2**53 + 1, 3]], backend="numpy")


class Sacks(_Pretend):
    """Takes device arrays only through the host: it has no from_dlpack."""

    name = "sacks"
    kind = Crate

    def __init__(self) -> None:
        super().__init__()
        self.from_host = 0

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        return x.a.copy() if copy else x.a  # type: ignore[no-any-return]


class Unsynced(_Pretend):
    """Device arrays whose producer needs no synchronizing: it has no synchronize."""

    name = "unsynced"
    kind = Box

    def __init__(self) -> None:
        super().__init__()
        self.from_host = 0

    def to_numpy(self, x: Any, *, copy: bool | None) -> np.ndarray[Any, Any]:
        if copy is False and x.device != CPU:
            raise ub.CopyRequiredError("device memory has no NumPy view")
        return x.a.copy()


def test_a_device_array_goes_through_the_host_to_a_backend_without_dlpack(
    register: Callable[[type[NumpyBackend]], Any],
) -> None:
    register(Boxes)
    dst = register(Sacks)
    out = ub.asarray(Box(np.arange(3.0), GPU), backend="sacks", device="gpu:0")
    assert isinstance(out, Crate) and out.device == GPU and out.a.tolist() == [0.0, 1.0, 2.0]
    assert dst.from_host == 1


def test_a_device_array_whose_producer_has_no_synchronize_is_handed_over_dlpack(
    register: Callable[[type[NumpyBackend]], Any],
) -> None:
    register(Unsynced)
    dst = register(Crates)
    on_gpu = Box(np.arange(3.0), GPU)
    out = ub.asarray(on_gpu, backend="crates", device="gpu:0")
    assert out.a is on_gpu.a and dst.imported == [(on_gpu, GPU, None)]
