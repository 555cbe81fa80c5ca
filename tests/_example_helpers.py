"""Helpers shared by the example and CLI tests: where things are, and which backends exist."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import unibridge as ub

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def registered_backends() -> list[str]:
    """Every registered backend name (built-ins and plugins), available or not."""
    return [b.name for b in ub.backends()]


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a module (examples are scripts, not a package)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment without any UNIBRIDGE_* variable, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIBRIDGE_")}
    env.update(overrides)
    return env


README = ROOT / "README.md"


def readme_table_rows(header_start: str, occurrence: int = 0) -> dict[str, list[str]]:
    """The rows of the README table whose header line starts with ``header_start``, by backend.

    ``occurrence`` picks among tables with the same header (0 is the first).

    Fixed-width tables (``make demo``'s) split on runs of two or more spaces; Markdown tables on
    ``|``. The first cell of each row is the backend's name.
    """
    lines = README.read_text(encoding="utf-8").splitlines()
    start = [i for i, line in enumerate(lines) if line.startswith(header_start)][occurrence]
    rows: dict[str, list[str]] = {}
    for line in lines[start + 1:]:
        if not line.strip() or line.startswith("```"):
            break
        if set(line.replace("|", "").strip()) <= set("-: "):
            continue  # the rule under the header
        cells = [c.strip() for c in line.strip("|").split("|")] if line.startswith("|") else line.split()
        rows[cells[0]] = cells[1:]
    return rows
