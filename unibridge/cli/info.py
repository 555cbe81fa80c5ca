"""``unibridge info``: version, backends, their devices, and the active configuration."""

from __future__ import annotations

import os
import platform
from typing import Any

from .._version import __version__
from ..api import get_backend
from ..config import ENV_VARS, Selection, current
from ..devices import spelling_of
from ..engine import target
from ..errors import UnibridgeError
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

    A bad configuration (``UNIBRIDGE_*``) does not hide the rest: the backends and
    their devices are still listed, and the unibridge error is recorded under
    ``"error"`` (``{"type", "message"}``, with ``"ok": False``); ``"configuration"``
    then holds what could be worked out (nothing when the selection itself failed).

    Example:
        >>> from unibridge.cli.info import collect_info
        >>> info = collect_info()
        >>> info["configuration"]["backend"]["value"] in [b["name"] for b in info["backends"]]
        True
    """
    import unibridge

    error: UnibridgeError | None = None
    sel: Selection | None = None
    resolved: str | None = None
    try:
        sel = current()  # a bad UNIBRIDGE_* value raises here (the caller exits 2)
        resolved = str(target(sel, None, None)[1])
    except UnibridgeError as exc:
        error = exc
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
    config: dict[str, Any] = {}
    if sel is not None:
        config = {
            "backend": {"value": sel.backend, "source": sel.sources.get("backend", "default")},
            "device": {
                "value": spelling_of(sel.device),  # as written ("cuda"); "resolved" is canonical
                "source": sel.sources.get("device", "default"),
                "resolved": resolved,
            },
            "default_float": {
                "value": str(sel.default_float),
                "source": sel.sources.get("default_float", "default"),
            },
        }
    data: dict[str, Any] = {
        "unibridge": {
            "version": __version__,
            "location": os.path.dirname(os.path.abspath(unibridge.__file__)),
            "python": platform.python_version(),
        },
        "backends": rows,
        "configuration": config,
        "environment": {var: os.environ.get(var) for var in ENV_VARS},
    }
    if error is not None:
        data["ok"] = False
        data["error"] = {"type": type(error).__name__, "message": one_line(error)}
    return data


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
    if cfg:
        crow = []
        for key in ("backend", "device", "default_float"):
            entry = cfg[key]
            source = entry["source"]
            if source == "environment":
                source = f"environment (UNIBRIDGE_{key.upper()})"
            value = entry["value"]
            resolved = entry.get("resolved", value)
            if key == "device" and resolved != value:
                value = f"{value} -> {resolved or '(not available)'}"
            crow.append([key, value, source])
        lines.append(table(["setting", "value", "from"], crow))
    else:
        lines.append("  (not usable: the error is on stderr)")
        lines.extend(f"  {var}={raw!r}" for var, raw in env.items() if raw is not None)
    unset = [var for var, raw in env.items() if raw is None]
    if unset:
        lines.append(f"  (not set: {', '.join(unset)})")
    return "\n".join(lines)
