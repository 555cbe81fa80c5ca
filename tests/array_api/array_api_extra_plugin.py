"""pytest plugin of ``array_api_extra_runner.py``: hand array-api-extra's suite unibridge's namespaces.

Loaded with ``-p array_api_extra_plugin``. When ``UNIBRIDGE_AAE_NAMESPACES`` is set, the
suite's ``xp`` fixture, once it has set its backend up as it always does, gives
``unibridge.namespace(backend)`` instead of the framework's namespace, for the backends
unibridge has (the runner's ``BY_LIBRARY``). ``UNIBRIDGE_AAE_DEFAULT_FLOAT`` is the default
float configured for it: a dtype name, or ``framework`` for each framework's own default
(float32 for torch, float64 elsewhere).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

from array_api_extra_runner import BY_LIBRARY, ENV_FLOAT, ENV_SWITCH

FRAMEWORK_DEFAULT_FLOAT = {"torch": "float32"}


def _param(request: Any) -> str | None:
    library = request.getfixturevalue("library")
    return str(getattr(library, "value", library))


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Generator[None, Any, Any]:
    value = yield
    if fixturedef.argname != "xp" or not os.environ.get(ENV_SWITCH):
        return value
    backend = BY_LIBRARY.get(_param(request) or "")
    if backend is None:
        return value
    import unibridge as ub

    wanted = os.environ.get(ENV_FLOAT) or "float64"
    if wanted == "framework":
        wanted = FRAMEWORK_DEFAULT_FLOAT.get(backend, "float64")
    ub.configure(default_float=wanted)
    ours = ub.namespace(backend)
    fixturedef.cached_result = (ours, fixturedef.cached_result[1], None)
    return ours
