"""64-byte-aligned allocation (``unibridge._memory``): alignment, footprint, and the data pointer."""

from __future__ import annotations

import numpy as np
import pytest

from unibridge._memory import ALIGNMENT, address, aligned_copy, aligned_empty, aligned_zeros


@pytest.mark.parametrize("allocate", [aligned_empty, aligned_zeros])
def test_every_allocation_is_64_byte_aligned_whatever_the_allocator_returned(allocate: object) -> None:
    # NumPy's own allocator gives 16-byte alignment: only the computed offset makes all of them 64.
    arrays = [allocate((n,), np.dtype("float32")) for n in range(1, 40)]  # type: ignore[operator]
    assert [a.ctypes.data % ALIGNMENT for a in arrays] == [0] * len(arrays)


@pytest.mark.parametrize("shape,dtype", [((), "float64"), ((1,), "int8"), ((3, 5), "complex128"), ((0,), "float32")])
def test_an_aligned_array_costs_its_own_bytes_plus_at_most_one_alignment(shape: tuple[int, ...], dtype: str) -> None:
    a = aligned_zeros(shape, np.dtype(dtype))
    assert a.shape == shape and a.dtype == np.dtype(dtype) and a.flags.c_contiguous
    # The buffer behind it is bytes (uint8), sized for the elements and one alignment's padding.
    assert a.base is not None and a.base.dtype == np.uint8
    assert a.base.nbytes == a.nbytes + ALIGNMENT


def test_the_address_of_a_buffer_the_buffer_protocol_refuses_is_its_data_pointer() -> None:
    readonly = np.arange(8.0)
    readonly.flags.writeable = False
    strided = np.arange(16.0)[::2]
    empty = np.empty(0)
    for a in (readonly, strided, empty, np.arange(4)):
        assert address(a) == a.ctypes.data
    assert address(readonly) % 8 == 0 and address(readonly) > 1  # a pointer, not the read-only flag


def test_an_aligned_copy_casts_or_keeps_the_values() -> None:
    b = aligned_copy(np.arange(4)[::-1])
    assert b.tolist() == [3, 2, 1, 0] and b.ctypes.data % ALIGNMENT == 0
    c = aligned_copy(np.array([1.5, -2.5]), np.dtype("int16"))
    assert c.dtype == np.int16 and c.tolist() == [1, -2]
    swapped = aligned_copy(np.array([1, 2], dtype=">i4"))
    assert swapped.dtype.isnative and swapped.tolist() == [1, 2]
