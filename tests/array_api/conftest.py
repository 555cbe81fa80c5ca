"""Fixtures for the Array API namespace tests.

Every test that takes ``xp`` runs twice: against NumPy through array-api-compat (the
reference) and against unibridge's TensorFlow namespace. Expectations come from the spec's
text; where NumPy itself departs from the spec, the test says so with ``spec_gap``.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("tensorflow", reason="TensorFlow is not installed")
pytest.importorskip("array_api_compat", reason="array-api-compat (the NumPy reference) is not installed")

from array_api_helpers import NAMESPACES, load_namespace  # noqa: E402


@pytest.fixture(scope="session", params=NAMESPACES)
def xp(request: pytest.FixtureRequest) -> Any:
    return load_namespace(request.param)


@pytest.fixture(scope="session")
def tfxp() -> Any:
    return load_namespace("tensorflow")
