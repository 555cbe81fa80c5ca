"""The short soak for CI: 20,000 conversions across every pair, in a child process.

The full run (a million) is ``make soak`` (``python -m tools.soak``).
Thresholds are generous and there is no timing assertion: CI machines are shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONVERSIONS = int(os.environ.get("UNIBRIDGE_SOAK_CONVERSIONS", "20000"))


def _soak(*args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "tools.soak", "--json", *args],
        cwd=REPO, capture_output=True, text=True, timeout=1800,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"soak child died (exit {proc.returncode})\n{proc.stderr[-5000:]}"
    report = json.loads(lines[-1])
    print(json.dumps(report))
    return report


def test_short_soak_leaks_no_memory_fds_or_threads() -> None:
    report = _soak("--conversions", str(CONVERSIONS), "--max-rss-growth-mb", "48")
    assert report["conversions"] == CONVERSIONS
    assert not report["leaks"], report


@pytest.mark.slow
def test_full_soak_a_million_conversions() -> None:
    report = _soak("--conversions", "1000000", "--max-rss-growth-mb", "64")
    assert not report["leaks"], report
