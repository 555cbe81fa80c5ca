"""Running a fresh Python process from the repository root and reading its answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "run_python", "child_env", "ChildError"]

ROOT = Path(__file__).resolve().parents[2]
MARK = "UNIBRIDGE_BENCH_JSON "


class ChildError(RuntimeError):
    """The child process failed; the message holds the tail of its stderr."""


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the repository first on ``PYTHONPATH``, plus ``env``."""
    full_env = dict(os.environ)
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full_env.get("PYTHONPATH", "")) if p)
    full_env.update(env or {})
    return full_env


def run_python(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 600) -> Any:
    """Run ``python *args`` in a fresh process; return the JSON it printed after :data:`MARK`."""
    full_env = child_env(env)
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
    raise ChildError(f"child exited {proc.returncode}: {tail}")
