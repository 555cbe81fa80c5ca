"""A third-party plugin, written the way docs/writing-a-backend.md says, installed
with pip into a temporary directory: it is discovered through its entry point,
the kit passes on it, and the kit catches a bug planted in it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "unibridge-toy"
version = "0.1.0"
dependencies = ["unibridge", "numpy"]

[project.entry-points."unibridge.backends"]
toy = "unibridge_toy:load"

[tool.hatch.build.targets.wheel]
packages = ["src/unibridge_toy", "src/toyframe"]
"""

# The "framework": its own array type (an ndarray subclass) and an array namespace.
TOYFRAME = '''
import numpy as np

class ToyArray(np.ndarray):
    """A toy framework's array."""

def wrap(a):
    return np.asarray(a).view(ToyArray)

float64 = np.float64

def asarray(x, dtype=None):
    return wrap(np.asarray(x, dtype=dtype))

def sum(x):
    return wrap(np.sum(np.asarray(x)))

def matmul(a, b):
    return wrap(np.matmul(np.asarray(a), np.asarray(b)))

def exp(x):
    return wrap(np.exp(np.asarray(x)))

def reshape(x, shape):
    return wrap(np.reshape(np.asarray(x), shape))
'''

# The backend, following the protocol's contract and reusing unibridge's helpers.
BACKEND = '''
import os

import numpy as np

from unibridge.backend_kit import (
    CPU,
    CopyRequiredError,
    DeviceUnavailableError,
    FrameworkBackend,
    aligned_copy,
    aligned_zeros,
    from_numpy_dtype,
    numpy_dtype,
    share_blocker,
)


class ToyBackend(FrameworkBackend):
    name = "toy"
    array_modules = ("toyframe",)
    install_hint = "pip install unibridge-toy"
    framework = "toyframe"  # imported on first use, through self.module
    distributions = ("unibridge-toy",)

    def array_types(self, module):
        return (module.ToyArray,)

    def devices(self):
        return (CPU,)

    def device_of(self, x):
        return CPU

    def shape_of(self, x):
        return tuple(int(d) for d in x.shape)

    def _check(self, device):
        if device != CPU:
            raise DeviceUnavailableError(f"device {device!r} is not available on backend 'toy'; available: cpu")

    def from_numpy(self, a, *, device, copy):
        self._check(device)
        from_numpy_dtype(a.dtype)  # UnsupportedInputError for object, str, datetime
        if os.environ.get("TOY_BUG") == "narrow" and a.dtype == np.float64:
            with np.errstate(over="ignore"):
                a = a.astype(np.float32)  # the planted bug: a silent narrowing
        reason = share_blocker(a)
        if copy is False and reason is not None:
            raise CopyRequiredError(f"cannot share with toy: {reason}")
        if copy or reason is not None:
            a = aligned_copy(a)
        return a.view(self.module.ToyArray)

    def to_numpy(self, x, *, copy):
        view = x.view(np.ndarray)
        return aligned_copy(view) if copy else view

    def from_native(self, x, *, device, copy):
        self._check(device)
        return aligned_copy(x).view(self.module.ToyArray) if copy else x

    def zeros(self, shape, *, dtype, device):
        self._check(device)
        return aligned_zeros(shape, numpy_dtype(dtype)).view(self.module.ToyArray)

    def memory_span(self, x):
        if x.size == 0:
            return None
        from numpy.lib.array_utils import byte_bounds

        lo, hi = byte_bounds(np.asarray(x))
        return CPU, lo, hi

    def namespace(self):
        return self.module


def load():
    return ToyBackend()
'''

RUN = """
import sys
import unibridge as ub
from unibridge.testing.__main__ import main

row = next(r for r in ub.backends() if r.name == "toy")
print("ROW", row.name, row.available, row.source)
sys.exit(main(["toy", "--against", "numpy"]))
"""


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="building the throwaway plugin needs hatchling")
    root = tmp_path_factory.mktemp("toy")
    project = root / "project"
    (project / "src" / "unibridge_toy").mkdir(parents=True)
    (project / "src" / "toyframe").mkdir(parents=True)
    (project / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    (project / "src" / "unibridge_toy" / "__init__.py").write_text(textwrap.dedent(BACKEND))
    (project / "src" / "toyframe" / "__init__.py").write_text(textwrap.dedent(TOYFRAME))
    site = root / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-index", "--target", str(site), str(project)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site


def _run(site: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra_env)
    return subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, env=env, timeout=300)


def test_pip_installed_plugin_is_discovered_and_passes_the_kit(toy_site: Path) -> None:
    proc = _run(toy_site)
    assert "ROW toy True unibridge-toy" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASSED" in proc.stdout


def test_kit_reports_the_planted_narrowing_bug(toy_site: Path) -> None:
    proc = _run(toy_site, TOY_BUG="narrow")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL  dtype_exactness" in proc.stdout
    assert "from_numpy(float64, copy=None) gave dtype float32" in proc.stdout
