"""Entry-point discovery: lazy, isolated from broken plugins, loud about duplicate names."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest

import unibridge as ub
from unibridge.errors import BackendUnavailableError
from unibridge.registry import _Registry

from ._fakedist import GOOD_MODULE, write_plugin


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory on sys.path, like a site-packages a plugin was installed into."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_plugin_is_discovered_from_metadata_and_imported_only_on_use(site: Path) -> None:
    mod = _unique("ub_plug")
    write_plugin(site, "unibridge-plug", {"plug": f"{mod}:load"}, {mod: GOOD_MODULE.format(name="plug")})
    reg = _Registry.with_builtins()
    assert "plug" in reg.names()
    assert mod not in sys.modules, "listing names must not import the plugin"
    reg.owner(np.zeros(2))  # identifying a NumPy array needs no plugin either
    assert mod not in sys.modules
    backend = reg.load("plug")
    assert backend.name == "plug" and mod in sys.modules
    row = next(r for r in reg.info() if r.name == "plug")
    assert row.available and row.source == "unibridge-plug"


def test_plugin_that_fails_to_import_is_listed_unavailable_with_the_reason(site: Path) -> None:
    mod = _unique("ub_broken")
    write_plugin(site, "unibridge-broken", {"broken": f"{mod}:load"},
                 {mod: "raise ImportError('needs libfoo.so.3, which is missing')\n"})
    reg = _Registry.with_builtins()
    rows = {r.name: r for r in reg.info()}
    assert rows["numpy"].available
    assert not rows["broken"].available
    assert "libfoo.so.3" in rows["broken"].reason and rows["broken"].source == "unibridge-broken"
    with pytest.raises(BackendUnavailableError, match="libfoo"):
        reg.load("broken")
    assert reg.load("numpy").name == "numpy"


def test_plugin_whose_loader_returns_a_non_backend_is_unavailable(site: Path) -> None:
    mod = _unique("ub_wrong")
    write_plugin(site, "unibridge-wrong", {"wrong": f"{mod}:load"}, {mod: "def load():\n    return 42\n"})
    reg = _Registry.with_builtins()
    row = next(r for r in reg.info() if r.name == "wrong")
    assert not row.available and "does not implement unibridge.Backend" in row.reason


def test_two_distributions_claiming_one_name_raise_naming_both(site: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "site2"
    monkeypatch.syspath_prepend(str(other))
    mod_a, mod_b = _unique("ub_a"), _unique("ub_b")
    write_plugin(site, "unibridge-foo-fast", {"foo": f"{mod_a}:load"}, {mod_a: GOOD_MODULE.format(name="foo")})
    write_plugin(other, "unibridge-foo-slow", {"foo": f"{mod_b}:load"}, {mod_b: GOOD_MODULE.format(name="foo")})
    reg = _Registry.with_builtins()
    with pytest.raises(BackendUnavailableError) as info:
        reg.load("foo")
    assert "unibridge-foo-fast" in str(info.value) and "unibridge-foo-slow" in str(info.value)
    row = next(r for r in reg.info() if r.name == "foo")
    assert not row.available and "unibridge-foo-slow" in row.reason
    assert mod_a not in sys.modules and mod_b not in sys.modules


def test_a_plugin_cannot_take_a_builtin_name(site: Path) -> None:
    mod = _unique("ub_np")
    write_plugin(site, "unibridge-evil-numpy", {"numpy": f"{mod}:load"}, {mod: GOOD_MODULE.format(name="numpy")})
    reg = _Registry.with_builtins()
    assert reg.load("numpy").__class__.__module__ == "unibridge.adapters.numpy"
    assert next(r for r in reg.info() if r.name == "numpy").source == "builtin"


def test_invalid_entry_point_name_is_listed_not_raised(site: Path) -> None:
    write_plugin(site, "unibridge-badname", {"bad.name": "nowhere:load"}, {})
    reg = _Registry.with_builtins()
    row = next(r for r in reg.info() if r.name == "bad.name")
    assert not row.available and row.source == "unibridge-badname"


def test_import_unibridge_survives_a_broken_plugin_in_a_fresh_process(site: Path) -> None:
    mod = _unique("ub_boom")
    write_plugin(site, "unibridge-boom", {"boom": f"{mod}:load"}, {mod: "raise RuntimeError('boom at import')\n"})
    code = (
        "import numpy as np, unibridge as ub\n"
        "rows = {r.name: r for r in ub.backends()}\n"
        "assert not rows['boom'].available and 'boom at import' in rows['boom'].reason, rows['boom']\n"
        "assert ub.to_numpy(ub.asarray([1.0, 2.0])).tolist() == [1.0, 2.0]\n"
        "print('ok')\n"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.parametrize(
    "name, dist", [("jax", "unibridge-jax"), ("dask", "unibridge-dask"), ("strict", "unibridge-strict")]
)
def test_installed_plugin_distributions_are_listed_with_their_source(name: str, dist: str) -> None:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution(dist)
    except PackageNotFoundError:
        pytest.skip(f"{dist} is not installed (pip install -e backends/{name})")
    row = next((r for r in ub.backends() if r.name == name), None)
    assert row is not None, f"{name} missing from unibridge.backends()"
    assert row.source == dist


def test_a_plugin_can_declare_aliases_for_its_own_backend(site: Path) -> None:
    mod = _unique("ub_alias")
    write_plugin(site, "unibridge-aliased", {"aliased": f"{mod}:load"}, {mod: GOOD_MODULE.format(name="aliased")},
                 aliases={"aka": "aliased"})
    reg = _Registry.with_builtins()
    assert reg.canonical("aka") == "aliased" and reg.load("aka") is reg.load("aliased")
    assert "aka" in next(r for r in reg.info() if r.name == "aliased").aliases


@pytest.mark.parametrize(
    ("alias", "target", "why"),
    [
        ("np", "mine", "already a backend name or alias"),  # a built-in alias is never taken over
        ("numpy", "mine", "already a backend name or alias"),
        ("theirs_alias", "numpy", "does not register"),  # only your own backend's aliases
        ("bad name", "mine", "letters, digits"),
    ],
)
def test_a_refused_alias_is_listed_with_the_reason(site: Path, alias: str, target: str, why: str) -> None:
    mod = _unique("ub_mine")
    write_plugin(site, "unibridge-mine", {"mine": f"{mod}:load"}, {mod: GOOD_MODULE.format(name="mine")},
                 aliases={alias: target})
    reg = _Registry.with_builtins()
    row = next(r for r in reg.info() if r.name == alias and r.source == "unibridge-mine")
    assert not row.available and why in row.reason
    assert reg.load("numpy").name == "numpy" and reg.load("np").name == "numpy"


def test_an_alias_claimed_by_two_distributions_is_refused(site: Path) -> None:
    a, b = _unique("ub_a"), _unique("ub_b")
    write_plugin(site / "a", "unibridge-a", {"first": f"{a}:load"}, {a: GOOD_MODULE.format(name="first")},
                 aliases={"shared": "first"})
    write_plugin(site / "b", "unibridge-b", {"second": f"{b}:load"}, {b: GOOD_MODULE.format(name="second")},
                 aliases={"shared": "second"})
    sys.path[:0] = [str(site / "a"), str(site / "b")]
    try:
        reg = _Registry.with_builtins()
        row = next(r for r in reg.info() if r.name == "shared")
        assert not row.available and "claimed by 2 distributions" in row.reason
        with pytest.raises(ub.BackendNotFoundError):
            reg.canonical("shared")
    finally:
        del sys.path[:2]
