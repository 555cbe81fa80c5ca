"""A backend is known by the name it was registered under, everywhere; nothing takes a name silently.

``backend=``, ``use()``, ``configure()``, ``UNIBRIDGE_BACKEND`` and ``current()`` all
mean the backend registered under that name, even when its ``.name`` attribute is
inherited from a built-in class. Taking over a name or an alias needs ``replace=True``;
``unregister_backend`` and the scoped ``registered`` are the public ways to undo.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.adapters.numpy import NumpyBackend
from unibridge.config import reset_defaults

from _backends import require


class Tagged(NumpyBackend):
    """A NumPy backend that marks what it converted, so the one used can be told apart.

    Its ``name`` is inherited ("numpy"), as in a subclass a user writes to adjust one method.
    """

    def from_numpy(self, a: np.ndarray[Any, Any], *, device: Any, copy: bool | None) -> Any:
        return ("tagged", a)

    def numpy_fast_path(self, device: Any) -> None:
        return None  # every conversion goes through from_numpy, where the tag is


@pytest.fixture(autouse=True)
def _fresh_defaults() -> Iterator[None]:
    reset_defaults()
    yield
    reset_defaults()


def test_a_subclass_registered_under_its_own_name_is_used_by_backend_use_and_configure() -> None:
    with ub.registered("mynumpy", Tagged):
        assert ub.asarray(np.ones(2), backend="mynumpy")[0] == "tagged"
        with ub.use("mynumpy"):
            assert ub.current().backend == "mynumpy"
            assert ub.asarray(np.ones(2))[0] == "tagged"
        ub.configure("mynumpy")
        try:
            assert ub.current().backend == "mynumpy"
            assert ub.asarray(np.ones(2))[0] == "tagged"
        finally:
            reset_defaults()


def test_the_environment_selects_a_subclass_by_the_name_it_was_registered_under(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNIBRIDGE_BACKEND", "mynumpy")
    with ub.registered("mynumpy", Tagged):
        assert ub.current().backend == "mynumpy"
        assert ub.asarray(np.ones(2))[0] == "tagged"


def test_a_torch_subclass_registered_as_mytorch_is_not_replaced_by_the_built_in_torch() -> None:
    require("torch")
    import torch

    from unibridge.adapters.torch import TorchBackend

    made: list[Any] = []

    class MyTorch(TorchBackend):
        def from_numpy(self, a: np.ndarray[Any, Any], *, device: Any, copy: bool | None) -> Any:
            out = super().from_numpy(a, device=device, copy=copy)
            made.append(out)
            return out

        def numpy_fast_path(self, device: Any) -> None:
            return None

    with ub.registered("mytorch", MyTorch):
        with ub.use("mytorch"):
            assert ub.current().backend == "mytorch"
            t = ub.asarray(np.arange(3.0))
        assert isinstance(t, torch.Tensor) and made and made[-1] is t


def test_registering_over_a_built_in_alias_is_refused_without_replace() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"'tf' is already an alias of the backend 'tensorflow'.*replace=True"):
        ub.register_backend("mine", Tagged, aliases=("tf",))
    assert "mine" not in {b.name for b in ub.backends()}
    assert ub.registry.canonical_name("tf") == "tensorflow"


def test_registering_over_a_built_in_name_is_refused_without_replace() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"'numpy' is already the name of the built-in backend"):
        ub.register_backend("numpy", Tagged)
    assert type(ub.get_backend("numpy")) is NumpyBackend


def test_registering_a_taken_name_is_a_value_error_too() -> None:
    with pytest.raises(ValueError):
        ub.register_backend("np", Tagged)


def test_replace_takes_an_alias_over_and_the_block_gives_it_back() -> None:
    with ub.registered("mine", Tagged, aliases=("tf",), replace=True):
        assert ub.registry.canonical_name("tf") == "mine"
        assert ub.asarray([1.0], backend="tf")[0] == "tagged"
        tensorflow_row = {b.name: b for b in ub.backends()}["tensorflow"]
        assert "tf" not in tensorflow_row.aliases
    assert ub.registry.canonical_name("tf") == "tensorflow"
    assert "tf" in {b.name: b for b in ub.backends()}["tensorflow"].aliases


def test_replace_takes_a_built_in_name_over_until_the_block_ends() -> None:
    with ub.registered("numpy", Tagged, replace=True):
        assert ub.asarray(np.ones(1), backend="numpy")[0] == "tagged"
        assert ub.asarray(np.ones(1), backend="np")[0] == "tagged"  # the name's aliases follow it
    assert type(ub.asarray(np.ones(1), backend="numpy")) is np.ndarray


def test_an_alias_cannot_hide_another_backends_name_even_with_replace() -> None:
    with pytest.raises(ub.ConfigurationError, match="an alias cannot hide a name"):
        ub.register_backend("mine", Tagged, aliases=("numpy",), replace=True)


def test_unregister_backend_removes_the_name_and_its_aliases() -> None:
    ub.register_backend("scratch", Tagged, aliases=("scr",))
    assert ub.asarray([1.0], backend="scr")[0] == "tagged"
    ub.unregister_backend("scratch")
    for name in ("scratch", "scr"):
        with pytest.raises(ub.BackendNotFoundError):
            ub.get_backend(name)


def test_unregister_backend_by_an_alias_says_to_use_the_name() -> None:
    with pytest.raises(ub.BackendNotFoundError, match="'np' is an alias of 'numpy'"):
        ub.unregister_backend("np")


def test_unregister_backend_of_an_unknown_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no backend is registered under the name 'nothing'"):
        ub.unregister_backend("nothing")


def test_registered_restores_the_registry_when_the_block_raises() -> None:
    before = {b.name: (b.aliases, b.source) for b in ub.backends()}
    with pytest.raises(RuntimeError, match="inside"):
        with ub.registered("numpy", Tagged, aliases=("tf",), replace=True):
            raise RuntimeError("inside")
    assert {b.name: (b.aliases, b.source) for b in ub.backends()} == before
    assert type(ub.asarray(np.ones(1))) is np.ndarray


def test_a_selection_naming_an_unregistered_backend_fails_on_its_next_use() -> None:
    with ub.registered("scratch", Tagged):
        ub.configure("scratch")
    with pytest.raises(ub.BackendNotFoundError, match="scratch"):
        ub.asarray([1.0])


def test_re_registering_a_name_of_ones_own_needs_replace_too() -> None:
    with ub.registered("scratch", NumpyBackend):
        with pytest.raises(ub.ConfigurationError, match="'scratch' is already the name of the explicitly registered backend"):
            ub.register_backend("scratch", Tagged)
        ub.register_backend("scratch", Tagged, replace=True)
        assert ub.asarray(np.ones(1), backend="scratch")[0] == "tagged"


def test_the_registered_name_of_a_backend_object_is_the_name_it_was_loaded_under() -> None:
    from unibridge.registry import registered_name

    with ub.registered("mynumpy", Tagged):
        backend = ub.get_backend("mynumpy")
        assert backend.name == "numpy" and registered_name(backend) == "mynumpy"


def test_asking_for_a_known_plugin_that_is_not_installed_names_its_install_command() -> None:
    from unibridge.registry import _Registry

    bare = _Registry.with_builtins()
    bare.plugins_scanned = True  # a registry that found no plugin installed
    with pytest.raises(ub.BackendNotFoundError) as caught:
        bare.canonical("dask")
    message = str(caught.value)
    assert "plugin unibridge-dask, which is not installed" in message
    assert "pip install ./backends/dask" in message and "registered: numpy, torch, tensorflow" in message
    with pytest.raises(ub.BackendNotFoundError) as unknown:
        bare.canonical("tourch")
    assert "pip install" not in str(unknown.value).split("installed here")[0]
