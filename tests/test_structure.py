"""The package's structure: imports run one way, every module imports the plain way,
and re-registering a backend replaces it everywhere at once."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import unibridge as ub
from _layers import LEVEL  # the layers, shared with test_walk_budget.py
from unibridge.config import reset_defaults

PACKAGE = Path(ub.__file__).resolve().parent


def _module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (packages by their own name)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Package modules ``module`` imports, at top level or inside functions (not under TYPE_CHECKING)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def resolve(base: str, name: str) -> None:
        target = f"{base}.{name}" if base and name else (base or name)
        # "from pkg import mod" names a module; "from pkg import func" names pkg.
        if target in known:
            found.add(target)
        elif base in known:
            found.add(base)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    resolve(alias.name, "")
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                    base = f"{base}.{child.module}" if child.module else base
                else:
                    base = child.module or ""
                for alias in child.names:
                    resolve(base, alias.name)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(module)
    # A package importing its own children is how packages are built, not a cycle.
    return {m for m in found if not m.startswith(module + ".")}


def import_graph() -> dict[str, set[str]]:
    names = _module_names()
    known = set(names)
    return {m: _imports(m, p, known) for m, p in names.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = walk(node)
            if cycle:
                return cycle
    return None


def test_the_package_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = import_graph()
    graph["unibridge.dtypes"] = graph["unibridge.dtypes"] | {"unibridge.config"}  # config imports dtypes
    cycle = find_cycle(graph)
    assert cycle is not None and "unibridge.dtypes" in cycle and "unibridge.config" in cycle


def test_imports_inside_functions_count() -> None:
    graph = import_graph()
    # checks_memory imports unibridge.config inside a function only.
    assert "unibridge.config" in graph["unibridge.testing.checks_memory"]


def test_the_core_layers_import_downwards_only() -> None:
    graph = import_graph()
    upward = [
        f"{m} -> {d}" for m in LEVEL for d in graph[m] if d in LEVEL and LEVEL[d] >= LEVEL[m]
    ]
    assert not upward, f"imports that climb back up: {upward}"


# What only unibridge/_forksafe.py may call: a lock made anywhere else is not renewed in a child of
# os.fork() (held by a thread the child lacks, it would hang the child), and fork hooks are its job.
LOCK_MAKERS = frozenset({"Lock", "RLock", "allocate_lock", "register_at_fork", "Condition", "Semaphore",
                         "BoundedSemaphore"})


def _lock_makers(path: Path) -> list[str]:
    """``threading.Lock()``, ``os.register_at_fork(...)``... called in ``path``, as ``line: name``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in LOCK_MAKERS:
                found.append(f"{node.lineno}: {name}")
    return found


def test_only_forksafe_makes_locks_and_fork_hooks() -> None:
    repo = PACKAGE.parent
    files = [*PACKAGE.rglob("*.py"), *repo.glob("backends/*/src/**/*.py")]
    found = {str(p.relative_to(repo)): _lock_makers(p) for p in files if p.name != "_forksafe.py"}
    assert not {p: calls for p, calls in found.items() if calls}, "make locks with unibridge._forksafe.fork_safe_lock"
    assert _lock_makers(PACKAGE / "_forksafe.py"), "the finder finds the locks _forksafe makes"


def test_the_lock_finder_sees_every_spelling(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("import threading, os\nfrom threading import RLock\na = threading.Lock()\nb = RLock()\n"
                       "os.register_at_fork(after_in_child=print)\n", encoding="utf-8")
    assert _lock_makers(planted) == ["3: Lock", "4: RLock", "5: register_at_fork"]


# Modules that may import the public package itself: the CLI reports on the whole package from
# above it. Anything else inside the package imports the module it needs (``unibridge.config``,
# ``unibridge.engine``...): ``unibridge/__init__.py`` imports the API, which loads backends and
# their namespaces, so a module below it importing it back depends on everything at once.
PUBLIC_PACKAGE_IMPORTERS = frozenset({"unibridge.cli.info"})


def test_no_module_inside_the_package_imports_the_public_package() -> None:
    graph = import_graph()
    found = {m for m, deps in graph.items() if "unibridge" in deps}
    assert found <= PUBLIC_PACKAGE_IMPORTERS, f"import the public package unibridge: {sorted(found - PUBLIC_PACKAGE_IMPORTERS)}"


def test_an_import_of_the_public_package_is_seen_in_every_spelling(tmp_path: Path) -> None:
    known = set(_module_names())
    spellings = ["import unibridge", "import unibridge as ub", "from unibridge import current",
                 "def f():\n    from unibridge import asarray", "from ... import namespace"]
    for code in spellings:
        path = tmp_path / "planted.py"
        path.write_text(code + "\n", encoding="utf-8")
        # As if it were unibridge/adapters/tensorflow/planted.py (three dots reach the package).
        assert "unibridge" in _imports("unibridge.adapters.tensorflow.planted", path, known), code
    path.write_text("from unibridge.config import current\nfrom ... import engine\n", encoding="utf-8")
    assert "unibridge" not in _imports("unibridge.adapters.tensorflow.planted", path, known)


def test_every_module_imports_the_plain_way() -> None:
    modules = sorted(_module_names())
    if importlib.util.find_spec("tensorflow") is None:  # the TF namespace imports TensorFlow
        modules = [m for m in modules if not m.startswith("unibridge.adapters.tensorflow.array_api")]
    # One fresh interpreter, each module by `import a.b as m` (what a reader types).
    code = "\n".join(
        ["failed = []"]
        + [
            f"try:\n    import {m} as m\n    assert m.__name__ == {m!r}, m.__name__\n"
            f"except Exception as exc:\n    failed.append(({m!r}, repr(exc)))"
            for m in modules
        ]
        + ["print(failed)"]
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr[-2000:]


def test_backends_is_the_function_and_adapters_the_package() -> None:
    import unibridge.adapters.numpy as adapter

    assert callable(ub.backends) and isinstance(ub.backends(), list)
    assert adapter.__name__ == "unibridge.adapters.numpy" and importlib.import_module("unibridge.adapters") is not None


# -- re-registering ----------------------------------------------------------------------------------


@pytest.fixture
def numpy_name_restored() -> Iterator[None]:
    """The built-in numpy backend back afterwards, whatever the test registered over it."""
    with ub.registered("numpy", "unibridge.adapters.numpy:NumpyBackend", replace=True):
        yield
    reset_defaults()


def _marking_backend(tag: str) -> object:
    """A numpy backend whose arrays, namespace and conversions carry ``tag``."""
    from unibridge.adapters.numpy import NumpyBackend

    class Marked(NumpyBackend):
        def from_numpy(self, a, *, device, copy):  # type: ignore[no-untyped-def]
            Marked.seen.append(tag)
            return np.array(a, copy=True)

        def numpy_fast_path(self, device):  # type: ignore[no-untyped-def]
            # The memoized route: a stale one would keep calling the old backend.
            return lambda a: self.from_numpy(a, device=device, copy=None)

        def numpy_view_fast_path(self):  # type: ignore[no-untyped-def]
            return lambda x: (Marked.seen.append(tag), x)[1]

        def to_numpy(self, x, *, copy):  # type: ignore[no-untyped-def]
            Marked.seen.append(tag)
            return super().to_numpy(x, copy=copy)

        def zeros(self, shape, *, dtype, device):  # type: ignore[no-untyped-def]
            Marked.seen.append(tag)
            return super().zeros(shape, dtype=dtype, device=device)

        def namespace(self):  # type: ignore[no-untyped-def]
            import types

            return types.ModuleType(f"namespace_{tag}")

    Marked.seen = []  # type: ignore[attr-defined]
    return Marked


@pytest.mark.parametrize("scope", ["configure", "use"])
def test_re_registering_a_backend_replaces_it_inside_a_live_selection(
    scope: str, numpy_name_restored: None
) -> None:
    old = _marking_backend("old")
    new = _marking_backend("new")
    ub.register_backend("numpy", old, aliases=("np",), replace=True)
    ub.configure("numpy")
    a = np.arange(3.0)
    with ub.use("numpy") if scope == "use" else _nothing():
        for call in (lambda: ub.asarray(a), lambda: ub.asarray(a, backend="np"), lambda: ub.zeros(2),
                     lambda: ub.to_numpy(a)):
            call()  # warm every memo with the old backend
        assert old.seen == ["old"] * 4, old.seen  # type: ignore[attr-defined]
        assert ub.namespace().__name__ == "namespace_old"
        ub.register_backend("numpy", new, aliases=("np",), replace=True)
        new.seen.clear()  # type: ignore[attr-defined]
        ub.asarray(a)
        ub.asarray(a, backend="np")
        ub.zeros(2)
        ub.to_numpy(ub.asarray(a, copy=True))
        assert ub.namespace().__name__ == "namespace_new"
        assert ub.get_backend().__class__ is new
    assert new.seen == ["new"] * 5, new.seen  # type: ignore[attr-defined]


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_plugin_test_folders_are_collected_together_in_one_run() -> None:
    # pytest imports a test file outside a package by its base name: two plugins' tests/ holding
    # files of one name cannot be collected in one run ("import file mismatch").
    repo = PACKAGE.parent
    folders = sorted(str(p.relative_to(repo)) for p in repo.glob("backends/*/tests"))
    names = [p.name for folder in folders for p in (repo / folder).rglob("test_*.py")]
    assert folders and len(names) == len(set(names)), sorted(names)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *folders],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for folder in folders:
        assert folder in proc.stdout, f"nothing collected from {folder}"
