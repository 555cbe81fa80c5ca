"""Threefry-2x32 (Salmon et al., SC'11; the Random123 reference), written with array operations.

One evaluation maps a key ``(k0, k1)`` and a counter ``(x0, x1)`` of 32-bit
words to two 32-bit words. Rounds add, rotate and xor; every fourth round
injects the key schedule ``(k0, k1, k0 ^ k1 ^ 0x1BD11BDA)`` plus the injection
count. JAX's default generator uses 20 rounds; the Random123 known-answer
tests also pin 13 rounds.

The arithmetic is done by a :class:`Words` object: 32-bit unsigned words on
backends with uint32 arithmetic, and on torch (whose uint32 tensors have no
addition or shifts) int32 words, whose addition wraps the same way and whose
right shift is made logical with a mask. Both give the same bits.

Example:
    >>> import numpy as np
    >>> ops = Words(np, np.uint32)
    >>> z = np.zeros((), np.uint32)
    >>> [hex(int(w)) for w in threefry2x32(ops, z, z, z, z)]
    ['0x6b200159', '0x99ba4efe']
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Words", "TorchWords", "threefry2x32", "threefry2x32_counters_in_place", "ROUNDS"]

ROUNDS = 20  # JAX's threefry2x32
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA  # Threefish's key-schedule constant


class Words:
    """32-bit unsigned word arithmetic through an Array API namespace ``xp`` with a uint32 dtype."""

    def __init__(self, xp: Any, word: Any) -> None:
        self.xp = xp
        self.word = word  # the dtype words are held in

    def add(self, a: Any, b: Any) -> Any:
        return self.xp.add(a, b)

    def xor(self, a: Any, b: Any) -> Any:
        return self.xp.bitwise_xor(a, b)

    def rotl(self, x: Any, r: int) -> Any:
        xp = self.xp
        return xp.bitwise_or(xp.bitwise_left_shift(x, r), xp.bitwise_right_shift(x, 32 - r))

    def shr(self, x: Any, r: int) -> Any:
        """Logical right shift by ``r`` (0 < r < 32)."""
        return self.xp.bitwise_right_shift(x, r)

    def low(self, x: Any, nbits: int) -> Any:
        """The low ``nbits`` bits of each word, as a non-negative word."""
        return self.xp.bitwise_and(x, (1 << nbits) - 1) if nbits < 32 else x

    def from_uint32(self, x: Any) -> Any:
        """Words from an array of the backend's uint32 dtype (a key)."""
        return x

    def to_uint32(self, x: Any) -> Any:
        return x


class TorchWords(Words):
    """torch: int32 words. Addition and left shift wrap modulo 2**32; right shift is masked to be logical."""

    def rotl(self, x: Any, r: int) -> Any:
        return (x << r) | ((x >> (32 - r)) & ((1 << r) - 1))

    def add(self, a: Any, b: Any) -> Any:
        return a + b

    def xor(self, a: Any, b: Any) -> Any:
        return a ^ b

    def shr(self, x: Any, r: int) -> Any:
        return (x >> r) & ((1 << (32 - r)) - 1)

    def low(self, x: Any, nbits: int) -> Any:
        return x & ((1 << nbits) - 1) if nbits < 32 else x

    def from_uint32(self, x: Any) -> Any:
        return x.view(self.xp.int32) if x.dtype != self.xp.int32 else x

    def to_uint32(self, x: Any) -> Any:
        return x.view(self.xp.uint32)


def threefry2x32(ops: Words, k0: Any, k1: Any, x0: Any, x1: Any, rounds: int = ROUNDS) -> tuple[Any, Any]:
    """Threefry-2x32 with ``rounds`` rounds of key ``(k0, k1)`` on counters ``(x0, x1)`` (broadcast).

    Example:
        >>> import numpy as np
        >>> ops, u = Words(np, np.uint32), np.uint32
        >>> [hex(int(w)) for w in threefry2x32(ops, u(0x13198a2e), u(0x03707344), u(0x243f6a88), u(0x85a308d3))]
        ['0xc4923a9c', '0x483df7a0']
    """
    schedule = (k0, k1, ops.xor(ops.xor(k0, k1), _PARITY))
    x0 = ops.add(x0, k0)
    x1 = ops.add(x1, k1)
    for r in range(rounds):
        x0 = ops.add(x0, x1)
        x1 = ops.xor(ops.rotl(x1, _ROTATIONS[(r // 4) % 2][r % 4]), x0)
        if r % 4 == 3:  # inject the key schedule, shifted by one word each time, plus the count
            s = r // 4 + 1
            x0 = ops.add(x0, schedule[s % 3])
            x1 = ops.add(x1, ops.add(schedule[(s + 1) % 3], s))  # a 0-d sum, then one full-size add
    return x0, x1


_MASK = 0xFFFFFFFF


def threefry2x32_counters_in_place(
    k0: int, k1: int, start: int, ramp: Any, x0: Any, x1: Any, scratch: Any, rounds: int = ROUNDS
) -> None:
    """Threefry of key ``(k0, k1)`` (Python ints) on the counters ``(0, start + i)``, into ``x0, x1``.

    For eager NumPy: ``ramp`` is ``arange(n)``, and ``x0``, ``x1``, ``scratch`` are
    uint32 buffers of the same length ``n``, overwritten. Every step is one ufunc
    writing into a buffer it reads (no temporaries), so a block of a few tens of
    thousands of words stays in the CPU cache for all the rounds: about five
    passes a round, a hundred and ten in all, each at the speed of the cache.
    The same numbers as :func:`threefry2x32`.

    Example:
        >>> import numpy as np
        >>> x0, x1, t = (np.empty(1, np.uint32) for _ in range(3))
        >>> threefry2x32_counters_in_place(0, 0, 0, np.arange(1, dtype=np.uint32), x0, x1, t)
        >>> hex(int(x0[0])), hex(int(x1[0]))
        ('0x6b200159', '0x99ba4efe')
    """
    schedule = (k0, k1, k0 ^ k1 ^ _PARITY)
    np.add(ramp, (start + k1) & _MASK, out=x1)  # the counter's second word plus the key's
    np.add(x1, k0, out=x0)  # the first word (0) plus k0, and round 0's x0 += x1
    for r in range(rounds):
        if r:
            np.add(x0, x1, out=x0)
        rotation = _ROTATIONS[(r // 4) % 2][r % 4]
        np.left_shift(x1, rotation, out=scratch)
        np.right_shift(x1, 32 - rotation, out=x1)
        np.bitwise_or(x1, scratch, out=x1)
        np.bitwise_xor(x1, x0, out=x1)
        if r % 4 == 3:
            s = r // 4 + 1
            np.add(x0, schedule[s % 3], out=x0)
            np.add(x1, (schedule[(s + 1) % 3] + s) & _MASK, out=x1)
