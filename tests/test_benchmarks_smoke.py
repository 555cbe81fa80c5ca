"""The benchmark suite runs end to end in quick mode and writes valid JSON.

No timed assertions: benchmarks report, they never fail CI. These tests only
check that every group runs (or skips with a reason), that the report is
well-formed, and that the Keras child process answers, so ``make bench`` and
``unibridge bench`` keep working. Fresh processes that import torch or
TensorFlow are skipped in the main run (``--no-heavy-processes``) to stay fast.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

benchmarks = pytest.importorskip("benchmarks", reason="run from the repository root (benchmarks/ is not installed)")

STATUSES = {"met", "missed", "n/a"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    argv = ["--quick", "--trials", "1", "--max-size", "4KiB", "--no-heavy-processes", "--json", str(out)]
    return benchmarks.run(argv), out


def test_quick_run_exits_zero_and_writes_json(quick_run: tuple[int, Path]) -> None:
    code, out = quick_run
    assert code == 0
    data = json.loads(out.read_text())
    assert data["schema"] == 1
    assert data["options"]["quick"] is True
    assert data["machine"]["cpu_count"] >= 1 and data["machine"]["python"]


def test_every_group_reports_results_or_skip_reasons(quick_run: tuple[int, Path]) -> None:
    data = json.loads(quick_run[1].read_text())
    groups = {r["group"] for r in data["results"]}
    assert {"overhead", "introspection", "scaling", "imports"} <= groups
    for r in data["results"]:
        assert math.isfinite(r["ns"]) and r["ns"] > 0, r["key"]
        assert r["lo_ns"] <= r["ns"] <= r["hi_ns"], r["key"]
        for ratio in r["ratios"]:
            assert ratio["median"] > 0
    for skip in data["skipped"]:
        assert skip["reason"], skip


def test_summary_rows_mark_each_target(quick_run: tuple[int, Path]) -> None:
    rows = benchmarks.summary_rows(quick_run[1])
    assert rows, "no targets evaluated"
    assert {row["status"] for row in rows} <= STATUSES
    assert all(set(row) == {"target", "measured", "limit", "status", "detail"} for row in rows)
    by_target = {row["target"]: row for row in rows}
    assert by_target["import unibridge <= 1.1x import numpy"]["measured"] is not None
    assert by_target["python -c 'import unibridge' <= 1.1x python -c 'import numpy' (whole process)"]["measured"] is not None


def test_plot_is_drawn_when_matplotlib_is_installed(quick_run: tuple[int, Path]) -> None:
    if find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed")
    assert quick_run[1].with_suffix(".png").stat().st_size > 0


def test_unknown_group_is_rejected_with_the_choices() -> None:
    with pytest.raises(SystemExit, match="choose from"):
        benchmarks.run(["--only", "nonsense"])


@pytest.mark.skipif(find_spec("keras") is None or find_spec("torch") is None, reason="needs keras and torch")
def test_keras_child_reports_json_for_its_backend() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.cases.keras_child", "torch", "0.001", "1"],
        cwd=ROOT, env={**os.environ, "KERAS_BACKEND": "torch"},
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("UNIBRIDGE_BENCH_JSON "))
    out = json.loads(line.split(" ", 1)[1])
    assert out["keras_backend"] == "torch"
    assert {r["key"] for r in out["results"]} >= {"peers.keras-torch.keras", "peers.keras-torch.native"}
