"""Shared fixtures: backends are parametrised, never copied per framework.

A backend whose framework is not installed is skipped with the reason
``unibridge.backends()`` gives. GPU tests carry the ``gpu`` marker and skip
when no GPU is visible.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from unibridge.config import reset_defaults

from _backends import BUILTIN, require

if os.environ.get("UNIBRIDGE_PRELOAD_FRAMEWORKS"):
    # `make mutation` sets it: mutmut forks one process per mutant from a server that has
    # collected the tests; importing every framework here, once, spares each fork the import
    # (TensorFlow alone takes seconds). Importing starts no thread, so forking after it is safe.
    import importlib

    for _module in ("torch", "tensorflow", "jax.numpy", "dask.array", "array_api_strict", "ml_dtypes"):
        try:
            importlib.import_module(_module)
        except ImportError:
            pass

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("long", deadline=None, max_examples=2000, print_blob=True)
# `make mutation`: every mutant sees the same examples (derandomized), and none is remembered
# from one mutant's run to the next (no database): an example saved while one mutant ran would
# otherwise be replayed against every later mutant, and one that fails on the unmutated code too
# would "kill" them all.
settings.register_profile(
    "mutation",
    deadline=None,
    max_examples=40,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("UNIBRIDGE_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def throwaway_backends() -> Iterator[Callable[..., Any]]:
    """Register throwaway backends for one test through the public API; all gone afterwards.

    ``add(cls, name=None, aliases=(), replace=False, exclusive=False)`` registers ``cls`` under
    ``name`` (default ``cls.name``) with :func:`unibridge.registered` and returns the loaded
    backend. ``exclusive=True`` first unregisters the ones added before, for backends that claim
    the same array type (one owner at a time). On exit the registry is as it was.
    """
    import unibridge as ub

    with contextlib.ExitStack() as stack:
        names: list[str] = []

        def add(cls: Any, *, name: str | None = None, aliases: tuple[str, ...] = (),
                replace: bool = False, exclusive: bool = False) -> Any:
            if exclusive:
                for old in names:
                    if old in {b.name for b in ub.backends()}:
                        ub.unregister_backend(old)
            chosen = name or cls.name
            stack.enter_context(ub.registered(chosen, cls, aliases=aliases, replace=replace))
            names.append(chosen)
            return ub.get_backend(chosen)

        yield add


@pytest.fixture(params=BUILTIN)
def backend(request: pytest.FixtureRequest) -> str:
    """Each built-in backend's name; skipped when its framework is missing."""
    require(request.param)
    return request.param  # type: ignore[no-any-return]


def _forget_what_unibridge_built() -> None:
    """Empty unibridge's caches of built things: the wrapped namespaces, what ``unibridge.xp`` and
    its memos hold, ``lru_cache`` functions, the TensorFlow namespace's axis constants."""
    import sys

    import unibridge
    from unibridge import following, namespaces

    namespaces._WRAPPED.table.clear()
    following._forget()
    own = set(vars(following.FollowingNamespace("probe")))
    for name in [n for n in vars(unibridge.xp) if n not in own]:
        del unibridge.xp.__dict__[name]
    axes = sys.modules.get("unibridge.adapters.tensorflow.array_api._axes")
    if axes is not None:
        axes._CACHE.clear()
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("unibridge.") and module is not None:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == module_name:
                    value.cache_clear()


if os.environ.get("UNIBRIDGE_MUTATION_FORGET_BUILT"):
    # `make mutation` sets it. mutmut maps each test to the functions it calls, in one process:
    # a namespace (or memo) built by the first test that needed it is only looked up by the
    # others, so only that first test would be run against the mutants of the code that built
    # it. Built anew for every test, each test that uses it is mapped, and run.
    @pytest.fixture(autouse=True)
    def _built_anew_for_each_test() -> None:
        _forget_what_unibridge_built()


@pytest.fixture(autouse=True)
def _fresh_defaults() -> Iterator[None]:
    """Every test starts from the environment's defaults, whatever a test configured."""
    reset_defaults()
    yield
    reset_defaults()
