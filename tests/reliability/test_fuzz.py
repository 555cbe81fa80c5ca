"""The bounded fuzz campaign, one child process per target backend.

A process abort inside a framework (TensorFlow's ``IsAligned()`` check,
``torch.from_dlpack`` on negative strides) cannot be caught in-process, so the
campaign (``fuzz_campaign.py``) runs in a child: an abort or a hang becomes
this test's failure, with the input that was running.

Budget: ``UNIBRIDGE_FUZZ_EXAMPLES`` hypothesis examples per (source, target)
pair (default 150 here; ``make fuzz`` sets 20000). Each example makes six
conversions: ``copy`` None/True/False, each without and with a drawn
``dtype=``/``casting=`` request; half the inputs hold values at and past the
requested dtype's edges, and a fixed list of edges runs first in every pair.
The same budget goes to Python data converted under nested ``use()`` blocks
and both default floats, and to ``shares_memory`` on device byte ranges.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import unibridge as ub

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("UNIBRIDGE_FUZZ_EXAMPLES", "150"))
TARGETS = [b.name for b in ub.backends() if b.available]


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_every_source_into_target_ends_in_a_result_or_a_unibridge_error(target: str, tmp_path: Path) -> None:
    last = tmp_path / "last-input.txt"
    env = dict(os.environ, TMPDIR=str(tmp_path), PYTHONFAULTHANDLER="1")
    # Hangs are caught inside the child (120 s per example); this bounds the whole run.
    timeout = max(900, EXAMPLES * len(TARGETS) * 2)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tools.fuzz_campaign", "--targets", target,
             "--examples", str(EXAMPLES), "--last", str(last)],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"fuzz child hung past {timeout}s; last input: {last.read_text() if last.exists() else '?'}\n{exc.stdout}")
    summary = None
    for line in proc.stdout.splitlines():
        if line.startswith('{"summary"'):
            summary = json.loads(line)["summary"]
    if proc.returncode < 0 or summary is None:
        pytest.fail(
            f"fuzz child died (exit {proc.returncode}, a process abort?); last input: "
            f"{last.read_text() if last.exists() else '?'}\n--- stderr tail ---\n{proc.stderr[-6000:]}"
        )
    print(json.dumps(summary))  # shown with -s / in the report: examples, calls, seconds
    assert proc.returncode == 0 and summary["failure"] is None, (
        f"{summary['failure']}\n--- child output tail ---\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    )
    assert summary["examples"] >= EXAMPLES, summary
    # Python data under nested use() and both default floats, and device byte ranges, ran too.
    assert summary["pairs"][f"python->{target}"] >= EXAMPLES and summary["pairs"]["device spans"] >= EXAMPLES, summary
