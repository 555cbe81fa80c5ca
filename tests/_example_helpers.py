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
