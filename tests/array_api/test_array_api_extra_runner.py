"""The array-api-extra runner without array-api-extra's checkout: what can be checked here.

CI cannot fetch data-apis/array-api-extra, so these tests check the runner's own parts: it
refuses a missing or wrong checkout with a clear message, reads the backend out of test ids,
counts a test that passes natively and fails with unibridge's namespace as a regression (and
only such a test), and its plugin hands a stand-in suite's ``xp`` fixture unibridge's namespace.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import array_api_extra_runner as runner

RUNNER = Path(runner.__file__)


def test_a_missing_or_wrong_checkout_is_refused_with_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARRAY_API_EXTRA_DIR"}
    done = subprocess.run([sys.executable, str(RUNNER)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "ARRAY_API_EXTRA_DIR is not set" in done.stderr
    done = subprocess.run([sys.executable, str(RUNNER)], capture_output=True, text=True, timeout=120,
                          env={**env, "ARRAY_API_EXTRA_DIR": str(tmp_path)})
    assert done.returncode == 2 and "is not an array-api-extra checkout" in done.stderr


@pytest.mark.parametrize(("node", "backend"), [
    ("tests.main.test_creation.TestOneHot::test_basic[torch]", "torch"),
    ("tests.main.test_searching.test_x[jax-searchsorted0-left-True]", "jax"),
    ("tests.main.test_at::test_y[True-array_api_strict]", "array_api_strict"),
    ("tests.main.test_at::test_y[numpy:readonly]", "numpy:readonly"),
    ("tests.main.test_version::test_version", "-"),
])
def test_the_backend_is_read_out_of_the_test_id(node: str, backend: str) -> None:
    assert runner.backend_of(node) == backend


def test_only_a_test_passing_natively_and_failing_with_unibridge_is_a_regression() -> None:
    native = {"t::a[numpy]": "passed", "t::b[numpy]": "passed", "t::c[torch]": "failed", "t::d[torch]": "passed",
              "t::e[jax]": "skipped"}
    ours = {"t::a[numpy]": "passed", "t::b[numpy]": "failed", "t::c[torch]": "passed", "t::d[torch]": "skipped",
            "t::e[jax]": "failed"}
    table, regressions = runner.summary(native, ours)
    assert regressions == ["t::b[numpy]", "t::d[torch]"]
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[1:]}
    assert rows["numpy"] == ["numpy", "2", "1", "1", "0"]
    assert rows["torch"] == ["torch", "1", "1", "1", "1"]


def test_the_plugin_hands_the_suites_xp_fixture_unibridges_namespace(tmp_path: Path) -> None:
    """A stand-in suite shaped like array-api-extra's: a ``library`` fixture and an ``xp`` fixture."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text(textwrap.dedent("""
        import enum, pytest
        import array_api_compat.numpy as native

        class Backend(enum.Enum):
            NUMPY = "numpy"

        @pytest.fixture(params=[Backend.NUMPY], ids=["numpy"])
        def library(request):
            return request.param

        @pytest.fixture
        def xp(library):
            yield native
    """), encoding="utf-8")
    (tmp_path / "tests" / "test_stand_in.py").write_text(textwrap.dedent("""
        import array_api_compat.numpy as native

        def test_is_the_native_namespace(xp):
            assert xp is native

        def test_creates_float32(xp):
            assert str(xp.zeros(1).dtype) == "float32"
    """), encoding="utf-8")
    env = {**os.environ, "ARRAY_API_EXTRA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(RUNNER), "--default-float=float32"], capture_output=True,
                          text=True, env=env, timeout=300)
    # Natively the first passes and the second fails; with unibridge's float32 namespace, the reverse.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 tests pass natively and fail with unibridge's namespace" in done.stdout, done.stdout
    assert "test_is_the_native_namespace[numpy]" in done.stdout
