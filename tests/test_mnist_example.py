"""``examples/mnist.py``: the classifier written with unibridge.nn, unibridge.optim and unibridge.jit
trains on the real digits to the same loss on torch, TensorFlow and JAX, and past 97% test accuracy."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import unibridge as ub

from _backends import availability
from _example_helpers import EXAMPLES, clean_env, load_example, readme_table_rows

pytest.importorskip("sklearn", reason="scikit-learn (in the 'test' extra) ships the digits data")

mnist = load_example("mnist")

AUTODIFF = [b for b in ("torch", "tensorflow", "jax") if availability(b)[0]]
FLOAT64_TOLERANCE = 1e-9
QUICK = {"epochs": 3, "hidden": (32,)}


@pytest.fixture(scope="module")
def quick_runs() -> dict[str, dict]:
    """A short training (3 epochs, 32 hidden units) once per autodiff backend."""
    if not AUTODIFF:
        pytest.skip("no backend with automatic differentiation is installed")
    runs = {}
    for name in AUTODIFF:
        with ub.use(name, device="cpu"):
            runs[name] = mnist.train(**QUICK)
    return runs


def test_every_autodiff_backend_ends_at_the_same_loss_in_float64(quick_runs: dict[str, dict]) -> None:
    for name, run in quick_runs.items():
        assert run["backend"] == name and run["dtype"] == "float64"
    losses = [run["final_loss"] for run in quick_runs.values()]
    assert max(losses) - min(losses) <= FLOAT64_TOLERANCE
    per_epoch = np.array([run["losses"] for run in quick_runs.values()])
    assert np.ptp(per_epoch, axis=0).max() <= FLOAT64_TOLERANCE
    accuracies = {run["test_accuracy"] for run in quick_runs.values()}
    assert len(accuracies) == 1, accuracies


def test_a_short_training_already_learns(quick_runs: dict[str, dict]) -> None:
    for run in quick_runs.values():
        assert run["losses"][-1] < run["losses"][0] / 2 and run["test_accuracy"] >= 0.8, run  # 86% after 3 epochs


def test_the_full_training_passes_97_percent_test_accuracy() -> None:
    backend = "jax" if "jax" in AUTODIFF else (AUTODIFF or [None])[0]
    if backend is None:
        pytest.skip("no backend with automatic differentiation is installed")
    with ub.use(backend, device="cpu"):
        run = mnist.train()
    assert run["test_accuracy"] >= 0.97, run["test_accuracy"]
    # The README's table of this training: the same accuracy and final loss (s/epoch is timing).
    accuracy, loss = readme_table_rows("backend     device  test accuracy", occurrence=1)[backend][1:3]
    assert (accuracy, loss) == (f"{run['test_accuracy']:.1%}", f"{run['final_loss']:.12f}")


def test_the_script_exits_3_with_a_json_reason_without_autodiff() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "mnist.py"), "--json", "--epochs", "1", "--hidden", "4"],
        env=clean_env(UNIBRIDGE_BACKEND="numpy"), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == mnist.NO_AUTODIFF
    report = json.loads(done.stdout)
    assert report["backend"] == "numpy" and "no automatic differentiation" in report["no_autodiff"]


def test_the_script_prints_a_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    if not AUTODIFF:
        pytest.skip("no backend with automatic differentiation is installed")
    with ub.use(AUTODIFF[-1]):
        assert mnist.main(["--epochs", "1", "--hidden", "4"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(f"{AUTODIFF[-1]} on cpu (float64): test accuracy") and "ms per epoch" in last


def test_the_model_code_uses_only_the_toolkit() -> None:
    source = (EXAMPLES / "mnist.py").read_text()
    code = source.split('"""', 2)[2]  # after the module docstring
    for framework in ("import torch", "import tensorflow", "import jax", "import numpy", "np."):
        assert framework not in code, framework
