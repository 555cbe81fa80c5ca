"""The registry (``unibridge.registry``): names, loading, ownership, listing, change tracking.

Most tests build a registry of their own (``_Registry()`` or ``_Registry.with_builtins()``), so
that what they register, break or load never leaks into the process registry.
"""

from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.adapters.numpy import NumpyBackend
from unibridge.registry import ALIAS_GROUP, _installed_suffix, _Registry
from _backends import require


def _broken() -> Any:
    raise RuntimeError("boom")


class Greedy(NumpyBackend):
    """Claims every object it is asked about, but only for a module nobody uses."""

    name = "greedy"
    array_modules = ("nothing_here",)

    def is_array(self, x: Any) -> bool:
        return True


class Raising(NumpyBackend):
    """Claims the numpy module, and raises when asked whether it owns an array."""

    name = "raising"

    def is_array(self, x: Any) -> bool:
        raise RuntimeError("broken plugin")


def _registry(*entries: tuple[str, Any, tuple[str, ...], str]) -> _Registry:
    reg = _Registry()
    reg.plugins_scanned = True  # this registry holds only what the test adds
    for name, loader, aliases, source in entries:
        reg.add(name, loader, aliases, source)
    return reg


NUMPY = ("numpy", "unibridge.adapters.numpy:NumpyBackend", ("np",), "builtin")
TORCH = ("torch", "unibridge.adapters.torch:TorchBackend", ("pt",), "builtin")


# -- names --------------------------------------------------------------------------------------------


def test_a_backend_is_named_by_a_string_and_the_error_lists_the_registered_names() -> None:
    with pytest.raises(ub.BackendNotFoundError, match=r"^a backend is named by a string, got int 3; registered: numpy, torch"):
        ub.get_backend(3)  # type: ignore[arg-type]


def test_an_unknown_name_lists_the_registered_backends_and_those_installed_here() -> None:
    reg = _registry(("broken", _broken, (), "register_backend"), NUMPY, TORCH)
    with pytest.raises(ub.BackendNotFoundError) as info:
        reg.canonical("nope")
    usable = [n for n in ("numpy", "torch") if reg.load(n).available()[0]]
    assert str(info.value) == f"no backend named 'nope'; registered: broken, numpy, torch; installed here: {', '.join(usable)}"
    assert _installed_suffix(_registry(("broken", _broken, (), "register_backend"))) == ""
    with pytest.raises(ub.BackendNotFoundError, match=r"^no backend named 'x'; registered: none$"):
        _registry().canonical("x")


def test_names_are_letters_digits_underscores_and_hyphens() -> None:
    reg = _registry()
    reg.add("my-backend_2", "unibridge.adapters.numpy:NumpyBackend", ("my-alias",), "register_backend")
    assert reg.canonical("my-alias") == "my-backend_2" and reg.canonical("MY-BACKEND_2") == "my-backend_2"
    for bad in (3, "", "a b", "a.b", "a/b"):
        with pytest.raises(ub.ConfigurationError, match="backend names are non-empty strings"):
            reg.add(bad, "unibridge.adapters.numpy:NumpyBackend", (), "register_backend")  # type: ignore[arg-type]


# -- loading --------------------------------------------------------------------------------------------


def test_loaders_name_a_module_attribute_even_a_nested_one() -> None:
    reg = _registry(("plain", "unibridge.adapters.numpy:NumpyBackend", (), "register_backend"))
    assert reg.load("plain").name == "numpy"
    mod = types.ModuleType("ub_nested_loader")
    mod.Outer = types.SimpleNamespace(Inner=NumpyBackend)  # type: ignore[attr-defined]
    sys.modules["ub_nested_loader"] = mod
    try:
        reg.add("inner", "ub_nested_loader:Outer.Inner", (), "register_backend")
        assert isinstance(reg.load("inner"), NumpyBackend)
    finally:
        del sys.modules["ub_nested_loader"]


def test_a_loader_that_gives_something_else_than_a_backend_is_reported_with_what_it_gave() -> None:
    reg = _registry(("module", "unibridge.adapters.numpy", (), "register_backend"), ("broken", _broken, (), "x"))
    with pytest.raises(ub.BackendUnavailableError, match=r"backend 'module' failed to load: TypeError: loader "
                       r"'unibridge.adapters.numpy' returned module, which does not implement unibridge.Backend"):
        reg.load("module")
    with pytest.raises(ub.BackendUnavailableError, match=r"^backend 'broken' failed to load: RuntimeError: boom$"):
        reg.load("broken")
    instance = NumpyBackend()
    reg.add("instance", lambda: instance, (), "register_backend")
    assert reg.load("instance") is instance  # a Backend instance is used as it is, not called


# -- who owns an array ------------------------------------------------------------------------------------


def test_an_array_is_owned_by_the_backend_of_its_module_loading_it_when_needed() -> None:
    require("torch")
    import torch

    reg = _registry(("broken", _broken, (), "register_backend"), NUMPY, TORCH)
    with pytest.raises(ub.BackendUnavailableError):
        reg.load("broken")  # remembered as failed: skipped when looking for an owner
    reg.load("numpy")  # loaded first; torch is not loaded yet
    assert "torch" not in reg.loaded
    owner = reg.owner(torch.zeros(2))
    assert owner is not None and owner.name == "torch" and "torch" in reg.loaded
    assert reg.owner(np.zeros(2)).name == "numpy"  # type: ignore[union-attr]
    assert reg.owner([1.0]) is None and reg.owner(3) is None


def test_a_backend_owns_only_arrays_of_the_modules_it_names() -> None:
    reg = _registry(("greedy", Greedy, (), "register_backend"), NUMPY)
    reg.load("greedy")
    reg.load("numpy")
    assert reg.owner(np.zeros(2)).name == "numpy"  # type: ignore[union-attr]


def test_a_plugin_whose_ownership_test_raises_owns_nothing() -> None:
    reg = _registry(("raising", Raising, (), "register_backend"), NUMPY)
    reg.load("raising")
    assert reg.owner(np.zeros(2)).name == "numpy"  # type: ignore[union-attr]


def test_a_framework_dtype_object_is_resolved_by_the_backend_of_its_top_module(monkeypatch: pytest.MonkeyPatch) -> None:
    from unibridge.registry import resolve_dtype

    class FakeDType:
        pass

    FakeDType.__module__ = "fakeframework.core.dtypes"

    class FakeBackend(NumpyBackend):
        name = "fakeframework"
        array_modules = ("fakeframework",)

        def is_dtype(self, x: Any) -> bool:
            return isinstance(x, FakeDType)

        def canonical_dtype(self, native: Any) -> ub.DType:
            return ub.DType("int16")

    monkeypatch.setitem(sys.modules, "fakeframework", types.ModuleType("fakeframework"))
    with ub.registered("fakeframework", FakeBackend):
        assert resolve_dtype(FakeDType()) == "int16"


# -- registering again, conflicts, listing --------------------------------------------------------------------


def test_registering_a_loaded_name_again_replaces_the_loaded_backend() -> None:
    first, second = NumpyBackend(), NumpyBackend()
    reg = _registry(("x", lambda: first, ("y",), "register_backend"))
    assert reg.load("x") is first and reg.load("y") is first
    reg.add("x", lambda: second, ("y",), "register_backend")
    assert reg.load("x") is second and reg.load("y") is second


def test_a_name_claimed_by_three_distributions_names_all_three_even_after_it_was_loaded() -> None:
    reg = _registry(("dup", "unibridge.adapters.numpy:NumpyBackend", (), "dist-a"))
    reg.load("dup")
    reg.add("dup", "unibridge.adapters.numpy:NumpyBackend", (), "dist-b")
    reg.add("dup", "unibridge.adapters.numpy:NumpyBackend", (), "dist-c")
    with pytest.raises(ub.BackendUnavailableError, match=r"^backend name 'dup' is claimed by 3 distributions: "
                       r"'dist-a' and 'dist-b' and 'dist-c'; uninstall all but one"):
        reg.load("dup")


def test_the_listing_reports_every_backend_conflicts_failures_and_invalid_plugins_included() -> None:
    reg = _registry(("dup", "unibridge.adapters.numpy:NumpyBackend", ("d",), "dist-a"))
    reg.add("dup", "unibridge.adapters.numpy:NumpyBackend", (), "dist-b")
    reg.add("broken", _broken, ("b",), "register_backend")
    reg.add(*NUMPY)
    reg.invalid.append(("bad name", "dist-c", "why not"))
    rows = {row.name: row for row in reg.info()}
    assert list(rows) == ["dup", "broken", "numpy", "bad name"]
    dup, broken, numpy_row, bad = rows["dup"], rows["broken"], rows["numpy"], rows["bad name"]
    assert (dup.available, dup.aliases, dup.source, dup.version) == (False, ("d",), "dist-a", None)
    assert dup.reason.startswith("backend name 'dup' is claimed by 2 distributions")
    assert (broken.available, broken.aliases, broken.source, broken.version) == (False, ("b",), "register_backend", None)
    assert broken.reason == "backend 'broken' failed to load: RuntimeError: boom"
    assert (numpy_row.available, numpy_row.reason, numpy_row.aliases) == (True, "", ("np",))
    assert numpy_row.version == np.__version__ and numpy_row.source == "builtin"
    assert (bad.available, bad.reason, bad.aliases, bad.source, bad.version) == (False, "why not", (), "dist-c", None)


def test_plugin_aliases_are_checked_one_by_one() -> None:
    reg = _registry(("plug", "unibridge.adapters.numpy:NumpyBackend", (), "plug"))
    found = [
        EntryPoint(name="alias1", value="numpy", group=ALIAS_GROUP),  # no distribution: its value stands in
        EntryPoint(name="twice", value="plug", group=ALIAS_GROUP),
        EntryPoint(name="twice", value="plug", group=ALIAS_GROUP),
        EntryPoint(name="good", value="plug", group=ALIAS_GROUP),
    ]
    reg._add_plugin_aliases(found)
    invalid = {alias: (dist, why) for alias, dist, why in reg.invalid}
    assert invalid["alias1"] == ("numpy", "alias 'alias1' names 'numpy', which 'numpy' does not register; not added")
    assert invalid["twice"][1] == "alias 'twice' is claimed by 2 distributions: 'plug' and 'plug'; not added"
    assert "good" not in invalid  # its distribution is the value here too ('plug'), which registers 'plug'
    assert reg.canonical("good") == "plug"


# -- change tracking -----------------------------------------------------------------------------------------


def test_every_change_tells_the_listeners_and_moves_the_generation_on() -> None:
    reg = _registry()
    heard: list[int] = []
    reg.on_change(lambda: heard.append(reg.generation))
    start = reg.generation
    reg.add(*NUMPY)
    reg.add("other", "unibridge.adapters.numpy:NumpyBackend", (), "register_backend")
    assert heard == [start + 1, start + 2] and reg.generation == start + 2
    assert reg.by_type == {} and reg.owner(np.zeros(1)) is not None and np.ndarray in reg.by_type


def test_a_memo_entry_built_before_a_registry_change_is_not_stored() -> None:
    from unibridge.engine import _MEMO
    from unibridge.registry import _REGISTRY

    with _REGISTRY.lock:
        _REGISTRY.changed()
        before = _REGISTRY.generation
        _REGISTRY.changed()  # what the entry was built from is now out of date
        table: dict[str, str] = {}
        _MEMO.store(table, "stale", "route", before)
        _MEMO.store(table, "fresh", "route", _REGISTRY.generation)
        _MEMO.store(table, "always", "route")
    assert table == {"fresh": "route", "always": "route"}


def test_plugin_metadata_is_read_once_and_broken_metadata_breaks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata as metadata

    calls: list[str] = []

    def entry_points(group: str) -> list[EntryPoint]:
        calls.append(group)
        if group == ALIAS_GROUP:
            return []
        return [EntryPoint(name="plugged", value="unibridge.adapters.numpy:NumpyBackend", group=group),
                EntryPoint(name="bad name", value="x:y", group=group)]

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    reg = _Registry()
    assert reg.canonical("plugged") == "plugged" and reg.canonical("plugged") == "plugged"
    assert len(calls) == 2  # both groups, once
    assert reg.entries["plugged"].source == "unibridge.adapters.numpy:NumpyBackend"  # no distribution: the value
    (name, dist, why), = reg.invalid
    assert (name, dist) == ("bad name", "x:y") and why.startswith("backend names are non-empty strings")

    def broken(group: str) -> list[EntryPoint]:
        raise OSError("unreadable metadata")

    monkeypatch.setattr(metadata, "entry_points", broken)
    reg = _Registry()
    reg.add(*NUMPY)
    assert reg.names() == ["numpy"] and reg.plugins_scanned


def test_a_registered_name_or_alias_is_found_without_reading_plugin_metadata() -> None:
    from unibridge.registry import canonical_name

    reg = _Registry()
    reg.add(*NUMPY)
    assert reg.canonical("numpy") == "numpy" and reg.canonical("np") == "numpy"
    assert not reg.plugins_scanned  # discovery is lazy: only an unknown name reads the metadata
    assert canonical_name("pt") == "torch" and canonical_name("TF") == "tensorflow"


def test_an_empty_registry_owns_nothing() -> None:
    assert _registry().owner(np.zeros(1)) is None and _registry().names() == []


def test_a_backend_whose_questions_raise_is_listed_as_unavailable_with_the_error() -> None:
    class NoVersion(NumpyBackend):
        name = "noversion"

        def version(self) -> str | None:
            raise RuntimeError("no version here")

    reg = _registry(("noversion", NoVersion, (), "register_backend"))
    (row,) = reg.info()
    assert (row.available, row.reason) == (False, "backend 'noversion' failed to load: RuntimeError: no version here")


def test_register_backend_takes_a_built_in_name_with_replace_and_is_listed_as_its_source() -> None:
    class Mine(NumpyBackend):
        name = "numpy"

    with ub.registered("numpy", Mine, aliases=("np",), replace=True), ub.registered("ub-mine", Mine):
        assert type(ub.get_backend("numpy")) is Mine and type(ub.get_backend("np")) is Mine
        sources = {b.name: b.source for b in ub.backends()}
        assert sources["numpy"] == sources["ub-mine"] == "register_backend"
    assert type(ub.get_backend("numpy")) is NumpyBackend and type(ub.get_backend("np")) is NumpyBackend
    assert {b.name: b.source for b in ub.backends()}["numpy"] == "builtin"


# -- os.fork(): the hooks each registry's lock comes with (unibridge._forksafe), run here ---------------
# (tests/reliability/test_concurrency.py forks whole programs; these call the hooks on a registry of
# their own, so a change to them shows here, in process.)


def _fork_and_report(child: Any) -> int:
    """Fork; the child runs ``child()`` and exits 0 if it returns True; the parent gets that code."""
    import os

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            code = 0 if child() else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _lock_is_free(lock: Any) -> bool:
    import threading

    result: list[bool] = []

    def probe() -> None:  # another thread: the current one may hold a re-entrant lock
        result.append(lock.acquire(blocking=False))
        if result[0]:
            lock.release()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return result[0]


fork_only = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="os.fork is POSIX-only")


@fork_only
def test_a_fork_waits_for_a_registration_in_progress_so_the_child_sees_it_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    import unibridge.registry as registry

    monkeypatch.setattr(registry, "_FORK_WAIT_S", 10.0)
    reg = _Registry()  # fork-safe from birth
    inside = threading.Event()

    def register_slowly() -> None:
        with reg.lock:
            inside.set()
            reg.loaded["half"] = "first half"  # type: ignore[assignment]
            time.sleep(0.3)
            reg.loaded["whole"] = "second half"  # type: ignore[assignment]

    worker = threading.Thread(target=register_slowly)
    worker.start()
    assert inside.wait(10)
    started = time.monotonic()
    code = _fork_and_report(lambda: "whole" in reg.loaded and reg.lock.acquire(blocking=False))
    worker.join()
    assert code == 0, "the child saw half a registration, or inherited a held lock"
    assert time.monotonic() - started >= 0.2  # the fork waited for the registration to finish
    assert _lock_is_free(reg.lock), "the parent kept the lock it took for the fork"


@fork_only
def test_a_fork_gives_up_waiting_and_the_child_gets_a_fresh_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    import unibridge.registry as registry

    monkeypatch.setattr(registry, "_FORK_WAIT_S", 0.2)
    reg = _Registry()  # fork-safe from birth
    old_lock = reg.lock
    inside, stop = threading.Event(), threading.Event()

    def hold_for_ever() -> None:
        with reg.lock:
            inside.set()
            stop.wait(30)

    worker = threading.Thread(target=hold_for_ever)
    worker.start()
    assert inside.wait(10)
    started = time.monotonic()
    try:
        code = _fork_and_report(lambda: reg.lock is not old_lock and reg.lock.acquire(blocking=False))
        waited = time.monotonic() - started
    finally:
        stop.set()
        worker.join()
    assert code == 0, "the child inherited the lock another thread held"
    assert 0.15 <= waited < 5, f"the fork waited {waited:.2f}s (the limit was 0.2s)"
    assert reg.lock is old_lock and _lock_is_free(reg.lock)  # the parent's lock is the same, and free


@fork_only
def test_a_fork_from_a_free_registry_leaves_the_parent_lock_free() -> None:
    reg = _Registry()  # fork-safe from birth
    old_lock = reg.lock
    assert _fork_and_report(lambda: reg.lock is not old_lock and reg.lock.acquire(blocking=False)) == 0
    assert reg.lock is old_lock and _lock_is_free(reg.lock)
    assert _fork_and_report(lambda: reg.lock.acquire(blocking=False)) == 0  # a second fork too
    assert _lock_is_free(reg.lock)


@fork_only
def test_a_dropped_registry_is_not_kept_alive_by_its_fork_hooks_and_forks_still_work() -> None:
    import gc
    import weakref

    reg = _Registry()
    gone = weakref.ref(reg)
    del reg
    gc.collect()
    assert gone() is None, "the fork hooks keep the registry alive"
    assert _fork_and_report(lambda: True) == 0  # its hooks, still registered, do nothing


# -- more names, loading and ownership ----------------------------------------------------------------


def test_a_name_of_only_underscores_or_hyphens_is_refused() -> None:
    reg = _registry()
    for bad in ("_", "-", "__", "_-", "--"):
        with pytest.raises(ub.ConfigurationError, match=rf"^backend names are non-empty strings of letters, digits, '_' and '-', got '{bad}'"):
            reg.add(bad, "unibridge.adapters.numpy:NumpyBackend", (), "register_backend")


def test_a_backend_that_failed_to_load_is_not_loaded_again_and_is_named_each_time() -> None:
    calls: list[int] = []

    def failing() -> Any:
        calls.append(1)
        raise RuntimeError("boom")

    reg = _registry(("broken", failing, (), "register_backend"))
    for _ in range(2):
        with pytest.raises(ub.BackendUnavailableError, match=r"^backend 'broken' failed to load: RuntimeError: boom$"):
            reg.load("broken")
    assert calls == [1]


def test_a_backend_loaded_by_its_alias_still_owns_its_arrays() -> None:
    reg = _registry(NUMPY)
    first = reg.load("np")
    assert reg.load("np") is first and reg.load("numpy") is first
    assert reg.owner(np.zeros(2)) is first

    class Thing:
        pass

    Thing.__module__ = "nothing_here"
    assert reg.owner(Thing()) is None  # every loaded backend is asked, under every name


def test_a_backend_that_failed_to_load_does_not_stop_the_search_for_an_owner() -> None:
    class Thing:
        pass

    Thing.__module__ = "nothing_here"
    reg = _registry(("broken", _broken, (), "register_backend"), ("greedy", Greedy, (), "register_backend"))
    with pytest.raises(ub.BackendUnavailableError):
        reg.load("broken")
    owner = reg.owner(Thing())
    assert owner is not None and owner.name == "greedy"


def test_a_backend_not_loaded_yet_is_asked_only_about_the_modules_it_names() -> None:
    reg = _registry(("greedy", Greedy, (), "register_backend"))
    assert reg.owner(np.zeros(2)) is None and reg.dtype_owner(np.dtype("float32")) is None


def test_a_dtype_nobody_could_have_made_is_refused_without_asking_the_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    from unibridge.registry import _REGISTRY, resolve_dtype

    def asked(spec: Any) -> Any:
        raise AssertionError(f"the backends were asked about {spec!r}")

    monkeypatch.setattr(_REGISTRY, "dtype_owner", asked)

    class NotImported:
        pass

    NotImported.__module__ = "framework_nobody_imported.dtypes"
    for spec in ("double128", NotImported()):
        with pytest.raises(ub.UnsupportedInputError):
            resolve_dtype(spec)


def test_a_backend_not_loaded_yet_is_found_after_a_loaded_one_in_the_table() -> None:
    # The owner search skips the backends already loaded and goes on through the rest of the table.
    class First(NumpyBackend):
        name = "first"
        array_modules = ("firstmod",)

    class Second(NumpyBackend):
        name = "second"
        array_modules = ("secondmod",)

    reg = _Registry()
    reg.plugins_scanned = True  # this table only: no entry points
    reg.add("first", First, (), "test")
    reg.add("second", Second, (), "test")
    reg.load("first")
    assert [b.name for b in reg._candidates("secondmod")] == ["second"]
    assert [b.name for b in reg._candidates("firstmod")] == ["first"]


def test_a_backend_that_fails_its_first_load_during_the_owner_search_does_not_end_the_search() -> None:
    class Second(NumpyBackend):
        name = "second"
        array_modules = ("secondmod",)

    def broken() -> Any:
        raise ImportError("no such framework")

    reg = _Registry()
    reg.plugins_scanned = True  # this table only: no entry points
    reg.add("broken", broken, (), "test")
    reg.add("second", Second, (), "test")
    assert [b.name for b in reg._candidates("secondmod")] == ["second"]  # "broken" fails here, first time
