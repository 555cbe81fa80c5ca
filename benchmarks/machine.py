"""Details of the machine and software a run was measured on (for the JSON)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["details", "after_run", "load"]

_DISTRIBUTIONS = ("unibridge", "numpy", "torch", "tensorflow-cpu", "tensorflow", "keras", "jax", "eagerpy",
                  "array-api-compat", "ml_dtypes", "matplotlib")


def load() -> str:
    """The 1/5/15-minute load averages, or "?" where the OS has none."""
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except (OSError, AttributeError):
        return "?"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / (1 << 20), 1)
    except OSError:
        pass
    return None


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for dist in _DISTRIBUTIONS:
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return out


def _git_commit() -> str | None:
    try:
        root = Path(__file__).resolve().parents[1]
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return proc.stdout.strip() + ("+dirty" if dirty else "") if proc.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def after_run() -> dict[str, Any]:
    """What is only known once the groups ran: the load average and torch's thread count."""
    torch = sys.modules.get("torch")
    return {"load_after": load(), "torch_threads": torch.get_num_threads() if torch is not None else None}


def details() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python, package versions, git commit, load average."""
    return {
        "cpu": _cpu(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "versions": _versions(),
        "git": _git_commit(),
        "load_before": load(),
    }
