"""The package type-checks under ``mypy --strict`` (the Backend protocol included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_unibridge_passes_mypy_strict() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (it is in the 'test' extra)")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "unibridge", "--no-incremental"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_builtin_backends_satisfy_the_protocol_statically(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (it is in the 'test' extra)")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from unibridge.protocol import Backend\n"
        "from unibridge.adapters.numpy import NumpyBackend\n"
        "from unibridge.adapters.torch import TorchBackend\n"
        "from unibridge.adapters.tensorflow import TensorFlowBackend\n"
        "backends: list[Backend] = [NumpyBackend(), TorchBackend(), TensorFlowBackend()]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(probe)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
