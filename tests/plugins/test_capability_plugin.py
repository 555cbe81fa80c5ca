"""A third-party plugin gets ``unibridge.grad`` and ``unibridge.jit`` from the documented
capabilities alone (``autodiff()`` returning a ``backend_kit.Autodiff``, and ``jit(fun)``),
pip-installed into a temporary directory and found through its entry point. Its framework,
``toygrad``, is torch under another name (a ``torch.Tensor`` subclass living in the
``toygrad`` module), so no built-in backend claims its arrays.

Also here: every plugin, bundled or not, imports only unibridge's public modules.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _backends import require

REPO = Path(__file__).resolve().parents[2]

PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "unibridge-toygrad"
version = "0.1.0"
dependencies = ["unibridge", "torch"]

[project.entry-points."unibridge.backends"]
toygrad = "unibridge_toygrad:load"

[project.entry-points."unibridge.backend_aliases"]
tg = "toygrad"

[tool.hatch.build.targets.wheel]
packages = ["src/unibridge_toygrad", "src/toygrad"]
"""

# The "framework": torch tensors under another name, and a "compiler" that marks what it compiled.
TOYGRAD = '''
import functools

import torch


class ToyTensor(torch.Tensor):
    """toygrad's array: a torch tensor of another type, in another module."""


def tensor(values):
    return torch.as_tensor(values, dtype=torch.float64).as_subclass(ToyTensor)


def compile(fun):
    @functools.wraps(fun)
    def compiled(*args, **kwargs):
        compiled.calls += 1
        return fun(*args, **kwargs)

    compiled.calls = 0
    compiled.compiled_by_toygrad = True
    return compiled
'''

# The backend: only public unibridge modules; gradients and jit through the two capabilities.
BACKEND = '''
import numpy as np

from unibridge.backend_kit import (
    CPU,
    Autodiff,
    DeviceUnavailableError,
    FrameworkBackend,
    aligned_copy,
    from_numpy_dtype,
)


class ToyAutodiff(Autodiff):
    name = "toygrad"
    module = "toygrad"

    def array_types(self):
        import toygrad

        return (toygrad.ToyTensor,)

    def dtype_name(self, x):
        return str(x.dtype).removeprefix("torch.")

    def differentiable(self, x):
        return x.dtype.is_floating_point

    def is_real_scalar(self, x):
        return x.ndim == 0 and x.dtype.is_floating_point

    def value_and_grad(self, call, leaves, check):
        import torch
        import toygrad

        inputs = [leaf.detach().requires_grad_() for leaf in leaves]
        with torch.enable_grad():
            value, aux = call(inputs)
            check(value)
            found = torch.autograd.grad(value, inputs, allow_unused=True)
        grads = [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, found)]
        return value.detach(), aux, [g.detach().as_subclass(toygrad.ToyTensor) for g in grads]

    def stop_gradient(self, x):
        return x.detach()


class ToyGradBackend(FrameworkBackend):
    name = "toygrad"
    array_modules = ("toygrad",)
    install_hint = "pip install unibridge-toygrad"
    framework = "toygrad"
    distributions = ("unibridge-toygrad",)

    def __init__(self):
        super().__init__()
        self._autodiff = None

    def array_types(self, module):
        return (module.ToyTensor,)

    def devices(self):
        return (CPU,)

    def device_of(self, x):
        return CPU

    def shape_of(self, x):
        return tuple(int(d) for d in x.shape)

    def dtype_of(self, x):
        return from_numpy_dtype(np.dtype(self.dtype_name(x)))

    def dtype_name(self, x):
        return str(x.dtype).removeprefix("torch.")

    def from_numpy(self, a, *, device, copy):
        if device != CPU:
            raise DeviceUnavailableError(f"device {device!r} is not available on backend 'toygrad'; available: cpu")
        import torch

        return torch.from_numpy(aligned_copy(a)).as_subclass(self.module.ToyTensor)

    def to_numpy(self, x, *, copy):
        view = x.detach().as_subclass(__import__("torch").Tensor).numpy()
        return aligned_copy(view) if copy else view

    def from_native(self, x, *, device, copy):
        return x.clone() if copy else x

    def zeros(self, shape, *, dtype, device):
        return self.module.tensor(np.zeros(shape))

    def memory_span(self, x):
        return None

    def namespace(self):
        return self.module

    # -- the two capabilities ---------------------------------------------------------------
    def autodiff(self):
        if self._autodiff is None:
            self._autodiff = ToyAutodiff()
        return self._autodiff

    def jit(self, fun):
        """toygrad.compile(fun): marks the function; results unchanged."""
        return self.module.compile(fun)


def load():
    return ToyGradBackend()
'''

RUN = r"""
import numpy as np
import toygrad
import unibridge as ub

x = toygrad.tensor([1.0, 2.0, 3.0])
print("OWNER", ub.get_backend("tg").name, ub.autodiff.autodiff_of(x).name)
f = lambda u, v: (u * u * v).sum()
value, (gu, gv) = ub.value_and_grad(f, argnums=(0, 1))(x, x)
print("VALUE", float(value), type(gu).__name__, type(gv).__name__, gu.tolist(), gv.tolist())
print("RULE", ub.grad(lambda u: (u * x).sum())(x).tolist())
print("TREE", ub.grad(lambda p: (p["w"] ** 3).sum())({"w": x})["w"].tolist())
print("STOP", ub.grad(lambda u: (u * ub.stop_gradient(u)).sum())(x).tolist())
compiled = ub.jit(ub.grad(lambda u: (u ** 2).sum()), backend="tg")
print("JIT", getattr(compiled, "compiled_by_toygrad", False), compiled(x).tolist(), compiled.calls)
with ub.use("toygrad"):
    print("ACTIVE", getattr(ub.jit(lambda u: u), "compiled_by_toygrad", False))
try:
    ub.grad(lambda u: (u * 1).sum())(toygrad.tensor([1, 2]).to(__import__("torch").int64).as_subclass(toygrad.ToyTensor))
except ub.NotDifferentiableError as exc:
    print("INT", "int64" in str(exc))
try:
    ub.grad(lambda u: u)(x)
except ub.GradientOutputError as exc:
    print("SCALAR", "real scalar" in str(exc))

# The same backend without the jit capability: jit refuses instead of guessing.
import unibridge_toygrad

class NoJit(unibridge_toygrad.ToyGradBackend):
    name = "nojit"
    jit = None

ub.register_backend("nojit", NoJit)
try:
    ub.jit(lambda u: u, backend="nojit")
except ub.JitUnavailableError as exc:
    print("NOJIT", isinstance(exc, NotImplementedError), "nojit" in str(exc), "toygrad" in str(exc))
"""


@pytest.fixture(scope="module")
def toygrad_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="building the throwaway plugin needs hatchling")
    require("torch")
    root = tmp_path_factory.mktemp("toygrad")
    project = root / "project"
    (project / "src" / "unibridge_toygrad").mkdir(parents=True)
    (project / "src" / "toygrad").mkdir(parents=True)
    (project / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    (project / "src" / "unibridge_toygrad" / "__init__.py").write_text(textwrap.dedent(BACKEND))
    (project / "src" / "toygrad" / "__init__.py").write_text(textwrap.dedent(TOYGRAD))
    site = root / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-index", "--target", str(site), str(project)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site


def test_a_pip_installed_plugin_gets_grad_and_jit_from_its_capabilities_alone(toygrad_site: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(toygrad_site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, env=env, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "OWNER toygrad toygrad" in out
    # f = sum(u*u*v) at u = v = x: df/du = 2xv = 2x**2, df/dv = u**2 = x**2.
    assert "VALUE 36.0 ToyTensor ToyTensor [2.0, 8.0, 18.0] [1.0, 4.0, 9.0]" in out, out
    assert "RULE [1.0, 2.0, 3.0]" in out  # the closure's x is a constant
    assert "TREE [3.0, 12.0, 27.0]" in out
    assert "STOP [1.0, 2.0, 3.0]" in out
    assert "JIT True [2.0, 4.0, 6.0] 1" in out  # compiled by the plugin, through its alias
    assert "ACTIVE True" in out
    assert "INT True" in out and "SCALAR True" in out
    assert "NOJIT True True True" in out


# -- plugins import only unibridge's public modules ------------------------------------------------


def _private_unibridge_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "unibridge" and any(p.startswith("_") for p in parts[1:]):
                found.append(name)
    return found


def test_every_plugin_imports_only_unibridges_public_modules() -> None:
    sources = {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in sorted(REPO.glob("backends/*/src/**/*.py"))}
    sources["the capability plugin"] = BACKEND
    assert any("unibridge_jax" in name and "autodiff" in name for name in sources)
    private = {where: found for where, source in sources.items() if (found := _private_unibridge_imports(source))}
    assert not private, private


def test_the_private_import_check_finds_a_planted_private_import() -> None:
    assert _private_unibridge_imports("from unibridge.autodiff._tree import tree_map") != []
    assert _private_unibridge_imports("import unibridge._memory") != []
    assert _private_unibridge_imports("from unibridge.backend_kit import Autodiff") == []
