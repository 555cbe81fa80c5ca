"""The examples run unchanged on every available backend and agree with NumPy.

Tiny sizes keep this fast; ``make demo`` runs the full sizes.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import unibridge as ub

from _example_helpers import EXAMPLES, clean_env, load_example, readme_table_rows, registered_backends
from _backends import require

classifier = load_example("classifier")
conversion_tour = load_example("conversion_tour")
demo = load_example("demo")

TINY = {"epochs": 4, "samples": 24, "hidden": 5}
FLOAT64_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def numpy_run() -> dict:
    with ub.use("numpy", device="cpu"):
        return classifier.train(**TINY)


@pytest.fixture(params=registered_backends())
def any_backend(request: pytest.FixtureRequest) -> str:
    """Every registered backend, plugins included; skipped with the reason when unavailable."""
    require(request.param)
    return request.param  # type: ignore[no-any-return]


def test_classifier_trains_in_float64_on_the_configured_backend(any_backend: str) -> None:
    with ub.use(any_backend, device="cpu"):
        run = classifier.train(**TINY)
    assert run["backend"] == any_backend
    assert run["dtype"] == "float64"
    assert run["device"] == "cpu"
    assert len(run["losses"]) == TINY["epochs"]


def test_classifier_agrees_with_numpy_within_float64_tolerance(any_backend: str, numpy_run: dict) -> None:
    with ub.use(any_backend, device="cpu"):
        run = classifier.train(**TINY)
    assert demo.largest_difference(run, numpy_run) <= FLOAT64_TOLERANCE
    assert run["accuracy"] == numpy_run["accuracy"]


def test_classifier_learns_the_two_moons() -> None:
    with ub.use("numpy"):
        run = classifier.train(epochs=150, samples=128, hidden=8)
    assert run["losses"][-1] < run["losses"][0] / 3
    assert run["accuracy"] >= 0.9


def test_classifier_prints_plain_lines_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert classifier.main(["--epochs", "3", "--samples", "8", "--hidden", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[:3]] == ["1/3", "2/3", "3/3"]
    assert "\r" not in "".join(lines)
    assert lines[-1].startswith("numpy on cpu (float64): final loss")


def test_classifier_draws_a_progress_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    report = classifier.progress(4, out)
    for epoch in range(4):
        report(epoch, 0.5)
    text = out.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n")
    assert "[" + "#" * 30 + "] epoch 4/4" in text


def test_classifier_script_reports_a_bad_backend_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "classifier.py"), "--epochs", "1"],
        env=clean_env(UNIBRIDGE_BACKEND="tourch"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "UNIBRIDGE_BACKEND='tourch'" in done.stderr
    assert "Traceback" not in done.stderr


def test_conversion_tour_is_bit_exact_and_truthful_about_sharing(any_backend: str) -> None:
    batch = conversion_tour.make_batch(8, 4)
    steps = conversion_tour.tour_backend(any_backend, batch, repeats=1)
    assert [s["step"] for s in steps][:4] == [
        f"numpy -> {any_backend}",
        f"{any_backend} -> numpy (to_numpy)",
        f"numpy[::-1] -> {any_backend}",
        f"numpy -> {any_backend} copy=True",
    ]
    assert all(s["exact"] and s["dtype"] == "float64" for s in steps)
    assert steps[3]["shares_memory"] is False  # copy=True always gives fresh memory
    # The tour's "shares memory" column must match what a mutation shows.
    converted = ub.asarray(batch, backend=any_backend)
    claimed = ub.shares_memory(batch, converted)
    batch[0, 0] = -1.0
    assert claimed == (float(ub.to_numpy(converted)[0, 0]) == -1.0)


def test_demo_runs_every_available_backend_and_they_agree() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), "--json", "--epochs", "3", "--samples", "16", "--hidden", "3"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    available = [b.name for b in ub.backends() if b.available]
    assert [r["backend"] for r in report["runs"]] == ["numpy"] + [n for n in available if n != "numpy"]
    assert report["agree"] is True
    assert all(r["difference"] <= report["tolerance"] for r in report["runs"])
    assert {s["backend"] for s in report["tour"]} == set(available) - {"numpy"}
    assert all(s["exact"] for s in report["tour"])
    # The digits MLP: every backend has a row; those with autodiff agree and learn.
    digits = report["autodiff_runs"]
    assert [r["backend"] for r in digits] == [r["backend"] for r in report["runs"]]
    trained = [r for r in digits if "final_loss" in r]
    assert {r["backend"] for r in trained} == set(ub.autodiff.differentiable_backends()) & set(available)
    assert all("no_autodiff" in r for r in digits if r["backend"] in ("numpy", "dask"))
    assert all(r["test_accuracy"] >= report["min_accuracy"] >= 0.95 for r in trained)
    assert all(r["difference"] <= report["tolerance"] for r in trained)


def test_demo_table_has_the_promised_columns() -> None:
    runs = [
        {"backend": "numpy", "device": "cpu", "final_loss": 0.1, "accuracy": 1.0, "seconds_per_epoch": 1e-4, "difference": 0.0},
        {"backend": "broken", "error": "ImportError: no"},
    ]
    header, _, first, second = demo.render_table(runs).splitlines()
    assert header.split("  ")[0] == "backend"
    for column in ("device", "final loss", "accuracy", "s/epoch", "max |diff| vs numpy"):
        assert column in header
    assert first.split()[:2] == ["numpy", "cpu"]
    assert "FAILED" in second and "ImportError: no" in second


def test_the_readme_classifier_table_shows_the_loss_and_accuracy_the_default_training_gives() -> None:
    """The README's first demo table (``make demo``) against a fresh NumPy run of the same training.

    Every backend's row must show NumPy's loss to the 12 digits printed (they agree to float64
    rounding); s/epoch is timing and not checked.
    """
    with ub.use("numpy", device="cpu"):
        run = classifier.train()
    rows = readme_table_rows("backend     device  final loss")
    assert list(rows)[0] == "numpy"
    for name, cells in rows.items():
        assert cells[1:3] == [f"{run['final_loss']:.12f}", f"{run['accuracy']:.1%}"], name


def test_examples_run_on_the_strict_backend_chosen_by_the_environment() -> None:
    """The examples use only the Array API standard: array-api-strict refuses anything else."""
    require("strict")
    classifier_run = subprocess.run(
        [sys.executable, str(EXAMPLES / "classifier.py"), "--json", "--epochs", "3", "--samples", "16", "--hidden", "3"],
        env=clean_env(UNIBRIDGE_BACKEND="strict"), capture_output=True, text=True, timeout=300,
    )
    assert classifier_run.returncode == 0, classifier_run.stderr[-2000:]
    assert json.loads(classifier_run.stdout)["backend"] == "strict"
    tour_run = subprocess.run(
        [sys.executable, str(EXAMPLES / "conversion_tour.py"), "--json", "--backend", "strict", "--rows", "8", "--cols", "4"],
        env=clean_env(), capture_output=True, text=True, timeout=300,
    )
    assert tour_run.returncode == 0, tour_run.stderr[-2000:]
    assert {s["backend"] for s in json.loads(tour_run.stdout)} == {"strict"}
