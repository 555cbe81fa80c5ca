"""Write installed-distribution metadata (``*.dist-info``) by hand, for registry tests.

This is exactly what pip leaves in site-packages: ``importlib.metadata`` reads
it the same way, so discovery is exercised for real without a pip run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_plugin(
    root: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str],
    aliases: dict[str, str] | None = None,
) -> Path:
    """Create ``root/<dist>.dist-info`` with the given entry points (and aliases), plus module files."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
    alias_lines = "\n".join(f"{alias} = {name}" for alias, name in (aliases or {}).items())
    alias_group = f"[unibridge.backend_aliases]\n{alias_lines}\n" if aliases else ""
    (info / "entry_points.txt").write_text(f"[unibridge.backends]\n{lines}\n{alias_group}")
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))
    return root


GOOD_MODULE = '''
from unibridge.adapters.numpy import NumpyBackend

class Backend(NumpyBackend):
    """NumPy under another name: enough for discovery tests."""
    def __init__(self, name):
        self.name = name

def load():
    return Backend({name!r})
'''
