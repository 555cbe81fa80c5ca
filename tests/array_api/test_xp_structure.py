"""The namespace's modules: no import cycles among them, and imports that run downward only.

Imports inside functions count (a cycle hidden in a function is still a cycle). The namespace
is a backend's namespace: it never imports the public package ``unibridge`` (whose
``__init__`` imports everything, the API that loads this namespace included) nor
``unibridge.api``. It reaches the core only through the modules below the API: the kit,
errors, dtypes and devices, the selection (``config``: the default float and device to
create with), the registry (its own backend's registered instance) and the engine
(``asarray``, unibridge's converter for data and other frameworks' arrays).
"""

from __future__ import annotations

import ast
from pathlib import Path

import unibridge

PACKAGE = Path(unibridge.__file__).parent / "adapters" / "tensorflow" / "array_api"
PREFIX = "unibridge.adapters.tensorflow.array_api"
BELOW_THE_API = {
    "unibridge.backend_kit", "unibridge.errors", "unibridge.dtypes", "unibridge.devices",
    "unibridge.config", "unibridge.registry", "unibridge.engine",
}


def _imports() -> dict[str, set[str]]:
    """Each module of the package -> the absolute module names it imports (anywhere in the file)."""
    modules = {PREFIX if p.stem == "__init__" else f"{PREFIX}.{p.stem}": p for p in sorted(PACKAGE.glob("*.py"))}
    package = PREFIX.split(".")
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:
                    target = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                names.update(f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names)
        found[name] = names
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_namespace_modules_import_each_other_without_a_cycle():
    imports = _imports()
    # the package's __init__ importing its own modules is not a cycle; a module importing it back would be
    graph = {m: {i for i in found if i in imports and i != m} for m, found in imports.items() if m != PREFIX}
    assert _cycle(graph) == [], f"import cycle: {' -> '.join(_cycle(graph))}"


def test_the_namespace_imports_only_the_core_below_the_api():
    upward = {m: sorted(i for i in imports if (i == "unibridge" or i.startswith("unibridge."))
                        and not i.startswith("unibridge.adapters.tensorflow") and i not in BELOW_THE_API)
              for m, imports in _imports().items()}
    assert not {m: v for m, v in upward.items() if v}


def test_the_namespace_never_imports_the_public_package():
    found = {m for m, imports in _imports().items() if "unibridge" in imports or "unibridge.api" in imports}
    assert not found, f"these modules import the public package (or the API): {sorted(found)}"
