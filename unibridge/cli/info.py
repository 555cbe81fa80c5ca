"""``unibridge info``: version, backends, their devices, and the active configuration."""

from __future__ import annotations

import os
import platform
from typing import Any

from .._version import __version__
from ..api import get_backend
from ..config import ENV_VARS, current
from ..engine import target
from ..registry import backends
from ._render import one_line, table

__all__ = ["collect_info", "render_info"]


def _devices(name: str) -> tuple[list[str], str]:
    """The devices backend ``name`` sees, or ``([], reason)`` when asking fails."""
    try:
        return [str(d) for d in get_backend(name).devices()], ""
    except Exception as exc:  # noqa: BLE001 - a broken framework is reported, not fatal
        return [], one_line(f"{type(exc).__name__}: {exc}")


def collect_info() -> dict[str, Any]:
    """Everything ``unibridge info`` reports, as JSON-ready data.

    Raises the unibridge error when the configuration (``UNIBRIDGE_*``) is bad.

    Example:
        >>> from unibridge.cli.info import collect_info
        >>> info = collect_info()
        >>> info["configuration"]["backend"]["value"] in [b["name"] for b in info["backends"]]
        True
    """
    import unibridge

    sel = current()  # raises on a bad UNIBRIDGE_* value (the caller exits 2): fail before slow work
    resolved = target(sel, None, None)[1]
    rows = []
    for b in backends():
        devices, problem = _devices(b.name) if b.available else ([], "")
        rows.append(
            {
                "name": b.name,
                "available": b.available,
                "reason": one_line(b.reason or problem),
                "version": b.version,
                "aliases": list(b.aliases),
                "source": b.source,
                "devices": devices,
            }
        )
    config = {
        "backend": {"value": sel.backend, "source": sel.sources.get("backend", "default")},
        "device": {
            "value": str(sel.device),
            "source": sel.sources.get("device", "default"),
            "resolved": str(resolved),
        },
        "default_float": {
            "value": str(sel.default_float),
            "source": sel.sources.get("default_float", "default"),
        },
    }
    return {
        "unibridge": {
            "version": __version__,
            "location": os.path.dirname(os.path.abspath(unibridge.__file__)),
            "python": platform.python_version(),
        },
        "backends": rows,
        "configuration": config,
        "environment": {var: os.environ.get(var) for var in ENV_VARS},
    }


def render_info(info: dict[str, Any]) -> str:
    """The terminal form of :func:`collect_info`'s data.

    Example:
        >>> from unibridge.cli.info import collect_info, render_info
        >>> render_info(collect_info()).splitlines()[0].startswith("unibridge ")
        True
    """
    head = info["unibridge"]
    lines = [f"unibridge {head['version']}  (Python {head['python']}, {head['location']})", ""]
    lines.append("backends:")
    rows = [
        [
            b["name"],
            "yes" if b["available"] else "no",
            b["version"] or "-",
            ", ".join(b["devices"]) or "-",
            ", ".join(b["aliases"]) or "-",
            b["source"],
        ]
        for b in info["backends"]
    ]
    lines.append(table(["name", "available", "version", "devices", "aliases", "source"], rows))
    notes = [(b["name"], b["reason"]) for b in info["backends"] if b["reason"]]
    if notes:
        lines.append("")
        lines.append("why not available:")
        lines.extend(f"  {name}: {reason}" for name, reason in notes)
    lines.append("")
    lines.append("configuration (innermost wins: use() > configure() > environment > default):")
    cfg = info["configuration"]
    env = info["environment"]
    crow = []
    for key in ("backend", "device", "default_float"):
        entry = cfg[key]
        source = entry["source"]
        if source == "environment":
            source = f"environment (UNIBRIDGE_{key.upper()})"
        value = entry["value"]
        if key == "device" and entry["resolved"] != value:
            value = f"{value} -> {entry['resolved']}"
        crow.append([key, value, source])
    lines.append(table(["setting", "value", "from"], crow))
    unset = [var for var, raw in env.items() if raw is None]
    if unset:
        lines.append(f"  (not set: {', '.join(unset)})")
    return "\n".join(lines)
