"""``examples/digits.py``: one MLP written against xp and unibridge trains on the
real handwritten digits with autodiff on torch, TensorFlow and JAX, to the same loss."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import unibridge as ub

from _backends import availability
from _example_helpers import EXAMPLES, clean_env, load_example, readme_table_rows, registered_backends

pytest.importorskip("sklearn", reason="scikit-learn (in the 'test' extra) ships the digits data")

digits = load_example("digits")
demo = load_example("demo")

AUTODIFF = [b for b in ("torch", "tensorflow", "jax", "mlx") if availability(b)[0]]
FLOAT64_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def full_runs() -> dict[str, dict]:
    """The example's default training, once per autodiff backend (a few seconds each)."""
    if not AUTODIFF:
        pytest.skip("no backend with automatic differentiation is installed")
    runs = {}
    for name in AUTODIFF:
        with ub.use(name, device="cpu"):
            runs[name] = digits.train()
    return runs


def test_digits_reaches_95_percent_test_accuracy_on_every_autodiff_backend(full_runs: dict[str, dict]) -> None:
    for name, run in full_runs.items():
        assert run["backend"] == name and run["dtype"] == "float64" and run["device"] == "cpu"
        assert run["test_accuracy"] >= 0.95, (name, run["test_accuracy"])
        assert run["losses"][-1] < run["losses"][0] / 10


def test_digits_backends_agree_on_the_final_loss_in_float64(full_runs: dict[str, dict]) -> None:
    losses = [run["final_loss"] for run in full_runs.values()]
    assert max(losses) - min(losses) <= FLOAT64_TOLERANCE
    per_epoch = np.array([run["losses"] for run in full_runs.values()])
    assert np.ptp(per_epoch, axis=0).max() <= FLOAT64_TOLERANCE


def test_the_readme_digits_table_shows_the_loss_and_accuracy_the_default_training_gives(
    full_runs: dict[str, dict],
) -> None:
    """The README's second demo table (``make demo``) against a fresh run; s/epoch is timing and not checked."""
    rows = readme_table_rows("backend     device  test accuracy  final loss")
    for name, run in full_runs.items():
        accuracy, loss = rows[name][1], rows[name][2]
        assert (accuracy, loss) == (f"{run['test_accuracy']:.1%}", f"{run['final_loss']:.12f}"), name


def test_digits_starts_every_backend_from_the_same_data_and_weights() -> None:
    reference = None
    for name in registered_backends():
        if not availability(name)[0]:
            continue
        with ub.use(name):
            X, y, X_test, _ = digits.load_data()
            p = digits.init_params(64, 8, 10)
            got = [ub.to_numpy(a).tobytes() for a in (X, y, X_test, p["W1"], p["W2"], p["b1"])]
        reference = reference or got
        assert got == reference, name


@pytest.mark.parametrize("name", ["numpy", "dask"])
def test_digits_says_plainly_that_numpy_and_dask_have_no_autodiff(name: str) -> None:
    if not availability(name)[0]:
        pytest.skip(f"{name} is not available")
    with ub.use(name), pytest.raises(ub.AutodiffUnavailableError, match=f"{name} has no automatic differentiation"):
        digits.train(epochs=1, hidden=4)


def test_digits_script_exits_3_with_a_json_reason_without_autodiff() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "digits.py"), "--json", "--epochs", "1"],
        env=clean_env(UNIBRIDGE_BACKEND="numpy"), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == digits.NO_AUTODIFF == demo.NO_AUTODIFF
    report = json.loads(done.stdout)
    assert report["backend"] == "numpy" and "no automatic differentiation" in report["no_autodiff"]


def test_digits_prints_a_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    if not AUTODIFF:
        pytest.skip("no backend with automatic differentiation is installed")
    with ub.use(AUTODIFF[0]):
        assert digits.main(["--epochs", "1", "--hidden", "4"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(f"{AUTODIFF[0]} on cpu (float64): test accuracy") and "ms per epoch" in last


def test_demo_digits_table_keeps_every_backend_and_flags_low_accuracy() -> None:
    runs = [
        {"backend": "numpy", "no_autodiff": "numpy has no automatic differentiation"},
        {"backend": "torch", "device": "cpu", "test_accuracy": 0.97, "final_loss": 0.5, "seconds_per_epoch": 0.1},
        {"backend": "jax", "device": "cpu", "test_accuracy": 0.90, "final_loss": 0.5 + 1e-3, "seconds_per_epoch": 0.1},
        {"backend": "broken", "error": "ImportError: no"},
    ]
    assert demo.compare_digits(runs) == pytest.approx(1e-3, rel=1e-9, abs=0)
    header, _, numpy_row, torch_row, jax_row, broken_row = demo.render_digits_table(runs, 0.95).splitlines()
    for column in ("backend", "test accuracy", "final loss", "s/epoch", "max |diff| vs others"):
        assert column in header
    assert numpy_row.split()[0] == "numpy" and "no autodiff" in numpy_row
    assert "97.0%" in torch_row and "(< 95%)" not in torch_row and torch_row.endswith("1.0e-03")
    assert "90.0% (< 95%)" in jax_row
    assert "FAILED" in broken_row


def test_without_scikit_learn_digits_says_which_extra_to_install_and_the_demo_skips_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as after `pip install unibridge` alone
    assert digits.main(["--json", "--epochs", "1"]) == digits.NO_DATA
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "pip install 'unibridge[demo]'" in row["no_data"]
    demo = load_example("demo")
    table = demo.render_digits_table([{"backend": "torch", **row}], 0.95)
    assert "skipped" in table and "FAILED" not in table and "unibridge[demo]" in table
