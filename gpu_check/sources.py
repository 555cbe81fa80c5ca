"""Make this checkout's unibridge and its plugins importable without installing anything.

A GPU machine's Python has its own CUDA builds of the frameworks, which the
checkout's ``.venv`` (CPU torch) must not shadow, and may have no network for
``pip install -e .`` (which would need hatchling there). So the child processes get this tree's source
folders on ``PYTHONPATH``, and for each distribution that is not installed a
hand-written ``*.dist-info`` (name, version, entry points: exactly what pip
would leave) in a scratch folder on ``PYTHONPATH`` too, so that
``importlib.metadata`` finds the plugins' ``unibridge.backends`` entry points
as it would after ``pip install``. The facts come from each ``pyproject.toml``.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

__all__ = ["Source", "read_sources", "write_dist_info", "child_env"]


@dataclass(frozen=True)
class Source:
    """One distribution of this tree: its name, version, import root and entry points."""

    name: str
    version: str
    import_root: Path
    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)


def _version(project_dir: Path, meta: dict[str, Any], tool: dict[str, Any]) -> str:
    if "version" in meta:
        return str(meta["version"])
    path = tool.get("hatch", {}).get("version", {}).get("path")
    if path is None:
        raise ValueError(f"{project_dir / 'pyproject.toml'}: no static version and no [tool.hatch.version] path")
    found = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", (project_dir / path).read_text())
    if found is None:
        raise ValueError(f"{project_dir / path}: no __version__ = '...' line")
    return found.group(1)


def _toml(text: str) -> dict[str, Any]:
    # Imported here, so that "no GPU here" needs nothing beyond Python 3.10's standard library.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError as exc:
            raise ImportError("gpu_check reads pyproject.toml: it needs Python 3.11+ or tomli") from exc
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _read(project_dir: Path) -> Source:
    data = _toml((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    meta, tool = data["project"], data.get("tool", {})
    packages = tool.get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {}).get("packages")
    if not packages:
        raise ValueError(f"{project_dir / 'pyproject.toml'}: no [tool.hatch.build.targets.wheel] packages")
    roots = {(project_dir / p).parent.resolve() for p in packages}
    if len(roots) != 1:
        raise ValueError(f"{project_dir / 'pyproject.toml'}: packages under several roots {sorted(roots)}")
    return Source(meta["name"], _version(project_dir, meta, tool), roots.pop(), meta.get("entry-points", {}))


def read_sources(root: Path) -> list[Source]:
    """unibridge (``root``) and every plugin under ``root/backends/*``, from their ``pyproject.toml``.

    Example:
        >>> from pathlib import Path
        >>> [s.name for s in read_sources(Path(__file__).resolve().parents[1])][:1]
        ['unibridge']
    """
    dirs = [root, *sorted(p.parent for p in (root / "backends").glob("*/pyproject.toml"))]
    return [_read(d) for d in dirs]


def _installed(name: str) -> bool:
    try:
        distribution(name)
    except PackageNotFoundError:
        return False
    return True


def write_dist_info(sources: list[Source], dest: Path) -> list[str]:
    """Write ``dest/<name>-<version>.dist-info`` for each source not installed here; return their names.

    An installed one (say an editable install in ``.venv``) keeps its own
    metadata: a second copy would register its entry points twice.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> src = Source("demo-plugin", "0.1", Path("."), {"unibridge.backends": {"demo": "demo:load"}})
        >>> d = Path(tempfile.mkdtemp())
        >>> write_dist_info([src], d), sorted(p.name for p in d.iterdir())
        (['demo-plugin'], ['demo_plugin-0.1.dist-info'])
    """
    written = []
    for s in sources:
        if _installed(s.name):
            continue
        info = dest / f"{re.sub(r'[-_.]+', '_', s.name)}-{s.version}.dist-info"
        info.mkdir(parents=True, exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {s.name}\nVersion: {s.version}\n")
        groups = "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
                         for group, eps in s.entry_points.items())
        (info / "entry_points.txt").write_text(groups)
        written.append(s.name)
    return written


def child_env(root: Path, scratch: Path, base: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The environment for the test and benchmark processes, and the distributions given metadata here.

    ``PYTHONPATH`` gets ``scratch`` (the metadata), ``root`` (for ``gpu_check``,
    ``benchmarks`` and ``unibridge``) and each plugin's import root, ahead of
    whatever it held (such as carried wheels installed with ``--target``).
    """
    env = dict(os.environ if base is None else base)
    sources = read_sources(root)
    shimmed = write_dist_info(sources, scratch)
    paths = [str(scratch), str(root), *(str(s.import_root) for s in sources if s.import_root != root)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env, shimmed
