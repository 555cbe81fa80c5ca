"""The process's locks, kept usable in a child of ``os.fork()``: one place for fork safety.

A lock held by another thread when the process forks stays held for ever in the
child, where that thread does not exist, so the child's first call that takes it
would hang. Every lock unibridge keeps (the registry's, the selection's, the
framework-loading one, the table of wrapped namespaces) is made here, by
:func:`fork_safe_lock`: the child gets a fresh lock. No other module creates a lock
or registers a fork hook (``tests/test_structure.py`` checks). A lock that guards
state the child must see whole (the registry while a plugin loads) can also make
the forking thread wait for it first, up to a time limit, and release it again in
the parent.

The locks live on their owners (``owner.lock``), not here: this module keeps
no state of its own beyond the fork hooks it registers, which hold their owner
weakly (an owner that is gone costs a fork nothing, and is not kept alive).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["fork_safe_lock", "HasLock"]


class HasLock(Protocol):
    """Anything that keeps its lock in a ``lock`` attribute."""

    lock: Any


def fork_safe_lock(
    owner: HasLock, *, wait_at_fork_s: Callable[[], float] | None = None, factory: Callable[[], Any] = threading.RLock
) -> None:
    """Give ``owner.lock`` a fresh lock now and in every child of ``os.fork()``.

    With ``wait_at_fork_s``, the forking thread first takes the lock, waiting up to
    ``wait_at_fork_s()`` seconds (read at each fork) for a holder to finish, so the
    child sees the guarded state whole; the parent releases it after the fork.

    Example:
        >>> class Table:
        ...     lock = None
        >>> table = Table()
        >>> fork_safe_lock(table)
        >>> with table.lock:
        ...     pass
    """
    owner.lock = factory()
    if not hasattr(os, "register_at_fork"):
        return
    held = threading.local()  # the lock the forking thread took in before(), if any
    ref = weakref.ref(owner)

    def before() -> None:
        found = ref()
        if found is not None and wait_at_fork_s is not None and found.lock.acquire(timeout=wait_at_fork_s()):
            held.lock = found.lock

    def after_in_parent() -> None:
        lock = getattr(held, "lock", None)
        if lock is not None:
            held.lock = None
            lock.release()

    def after_in_child() -> None:
        held.lock = None
        found = ref()
        if found is not None:
            found.lock = factory()

    os.register_at_fork(before=before, after_in_parent=after_in_parent, after_in_child=after_in_child)
