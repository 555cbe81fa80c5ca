"""``make demo``: the same model code on every installed backend, chosen by configuration alone.

1. Trains ``classifier.py`` (hand-written gradients, two moons) once per
   available backend, each in its own process started with
   ``UNIBRIDGE_BACKEND=<name>`` and no other change, and prints one table:
   backend, device, final loss, accuracy, seconds per epoch, and the largest
   difference from the NumPy run (over every epoch's loss and every final
   weight), which must stay within float64 tolerance;
2. trains ``digits.py`` (an MLP on scikit-learn's handwritten digits, with
   ``unibridge.value_and_grad``, ``unibridge.jit`` and ``unibridge.random``) the
   same way and prints a second table: test accuracy (at least 95%), final
   loss, seconds per epoch, and the largest final-loss difference from the
   other backends. Every backend has a row: those without automatic
   differentiation (NumPy, Dask) say so, and point to the first table;
3. runs the conversion tour.

Exit status: 0 when every backend ran, the backends agreed, and every digits
run reached the accuracy; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import unibridge as ub

HERE = Path(__file__).resolve().parent
TOLERANCE = 1e-9  # float64 rounding differences (summation order, libm) stay far below this
MIN_ACCURACY = 0.95  # the digits MLP's test accuracy on every autodiff backend
MNIST_MIN_ACCURACY = 0.97  # examples/mnist.py's test accuracy on every autodiff backend
NO_AUTODIFF = 3  # digits.py's exit status on a backend without automatic differentiation
NO_DATA = 4  # digits.py's exit status when scikit-learn (the data) is not installed


def _flatten(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [x for key in sorted(value) for x in _flatten(value[key])]
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [float(value)]


def largest_difference(run: dict[str, Any], reference: dict[str, Any]) -> float:
    """The largest absolute difference between two runs' losses and final weights.

    Example:
        >>> a = {"losses": [1.0, 0.5], "params": {"w": [[1.0]]}}
        >>> largest_difference(a, {"losses": [1.0, 0.25], "params": {"w": [[1.0]]}})
        0.25
    """
    mine = _flatten(run["losses"]) + _flatten(run["params"])
    theirs = _flatten(reference["losses"]) + _flatten(reference["params"])
    if len(mine) != len(theirs):
        return float("inf")
    return max((abs(x - y) for x, y in zip(mine, theirs)), default=0.0)


def _child(script: str, backend: str, args: list[str], show: bool) -> subprocess.CompletedProcess[str]:
    """Run ``script --json`` with ``UNIBRIDGE_BACKEND=backend``; with ``show``, say when it starts and
    ends, and pass on its ``progress`` lines (one per epoch) as they come."""
    env = {**os.environ, "UNIBRIDGE_BACKEND": backend}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # TensorFlow's INFO lines; the user's own level wins
    cmd = [sys.executable, str(HERE / script), "--json", *args]
    start = time.perf_counter()
    tty = sys.stderr.isatty()
    if show:
        print(f"  {backend}: starting {script}", file=sys.stderr, flush=True)
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        kept = []
        assert child.stderr is not None and child.stdout is not None
        for line in child.stderr:
            if line.startswith("progress "):
                if show:  # on a terminal the line is redrawn in place; in a log, one line each
                    end = "" if tty else "\n"
                    print(f"\r  {backend}: {line[len('progress '):].rstrip()}", end=end, file=sys.stderr, flush=True)
            else:
                kept.append(line)
        out = child.stdout.read()
        code = child.wait()
    if show:
        print(f"\r  {backend}: done in {time.perf_counter() - start:.1f} s" + " " * 30 * tty, file=sys.stderr, flush=True)
    return subprocess.CompletedProcess(cmd, code, out, "".join(kept))


def run_classifier(backend: str, train_args: list[str], show: bool = False) -> dict[str, Any]:
    """Train in a child process configured only by ``UNIBRIDGE_BACKEND``; its JSON summary.

    On failure the summary has an ``"error"`` key with the child's last line of stderr.
    """
    done = _child("classifier.py", backend, train_args, show)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return {"backend": backend, "error": lines[-1] if lines else f"exit status {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_digits(backend: str, digits_args: list[str], show: bool = False, script: str = "digits.py") -> dict[str, Any]:
    """Train ``digits.py`` in a child process configured only by ``UNIBRIDGE_BACKEND``.

    The summary has ``"no_autodiff"`` (the reason) for a backend without automatic
    differentiation, ``"no_data"`` when scikit-learn is missing, ``"error"`` (the
    child's last line of stderr) for a failure.
    """
    done = _child(script, backend, digits_args, show)
    if done.returncode not in (0, NO_AUTODIFF, NO_DATA):
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return {"backend": backend, "error": lines[-1] if lines else f"exit status {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare_digits(runs: list[dict[str, Any]]) -> float:
    """Fill each trained run's ``"difference"``: the largest |final loss - another's final loss|.

    Returns the largest over all runs (0.0 with fewer than two trained runs).

    Example:
        >>> runs = [{"final_loss": 0.5}, {"no_autodiff": "numpy"}, {"final_loss": 0.25}]
        >>> compare_digits(runs), runs[0]["difference"]
        (0.25, 0.25)
    """
    trained = [r for r in runs if "final_loss" in r]
    for r in trained:
        r["difference"] = max(abs(r["final_loss"] - o["final_loss"]) for o in trained)
    return max((r["difference"] for r in trained), default=0.0)


def render_digits_table(runs: list[dict[str, Any]], min_accuracy: float) -> str:
    """The autodiff table, one row per backend; backends without autodiff say so."""
    header = ["backend", "device", "test accuracy", "final loss", "s/epoch", "max |diff| vs others"]
    rows = []
    for r in runs:
        if "no_data" in r:
            rows.append([r["backend"], "-", "skipped", "", "", "scikit-learn is not installed: pip install 'unibridge[demo]'"])
        elif "no_autodiff" in r:
            rows.append([r["backend"], "-", "no autodiff", "", "", "trained with hand-written gradients above"])
        elif "error" in r:
            rows.append([r["backend"], "-", "FAILED", "", "", r["error"]])
        else:
            low = "" if r["test_accuracy"] >= min_accuracy else f" (< {min_accuracy:.0%})"
            rows.append([
                r["backend"], r["device"], f"{r['test_accuracy']:.1%}{low}", f"{r['final_loss']:.12f}",
                f"{r['seconds_per_epoch']:.2e}", f"{r['difference']:.1e}",
            ])
    return _table(header, rows)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def run_tour(names: list[str], *, as_json: bool) -> subprocess.CompletedProcess[str]:
    """Run ``conversion_tour.py`` on ``names`` in a child process (its stderr is kept apart,
    so framework start-up logging does not interleave with the tables)."""
    cmd = [sys.executable, str(HERE / "conversion_tour.py"), *[f"--backend={n}" for n in names]]
    cmd += ["--json"] if as_json else []
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def render_table(runs: list[dict[str, Any]]) -> str:
    """The demo's table, one row per backend."""
    header = ["backend", "device", "final loss", "accuracy", "s/epoch", "max |diff| vs numpy"]
    rows = []
    for r in runs:
        if "error" in r:
            rows.append([r["backend"], "-", "FAILED", "", "", r["error"]])
            continue
        rows.append(
            [
                r["backend"],
                r["device"],
                f"{r['final_loss']:.12f}",
                f"{r['accuracy']:.1%}",
                f"{r['seconds_per_epoch']:.2e}",
                f"{r['difference']:.1e}",
            ]
        )
    return _table(header, rows)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", help="only this backend (repeatable); numpy always runs")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--digits-epochs", type=int, default=20, help="epochs of the digits MLP (0: skip it)")
    parser.add_argument("--min-accuracy", type=float, default=MIN_ACCURACY,
                        help="the digits test accuracy every autodiff backend must reach")
    parser.add_argument("--mnist-epochs", type=int, default=30,
                        help="epochs of examples/mnist.py (unibridge.nn, optim, jit; 0: skip it)")
    parser.add_argument("--no-tour", action="store_true", help="skip the conversion tour")
    parser.add_argument("--json", action="store_true", help="print the runs and the tour as JSON")
    args = parser.parse_args(argv)
    infos = ub.backends()
    available = [b.name for b in infos if b.available]
    names = available if not args.backend else [ub.get_backend(n).name for n in args.backend]
    names = ["numpy"] + [n for n in dict.fromkeys(names) if n != "numpy"]
    skipped = [b for b in infos if not b.available]
    train_args = ["--epochs", str(args.epochs), "--samples", str(args.samples), "--hidden", str(args.hidden)]

    if not args.json:
        print(
            f"Training a 2-{args.hidden}-2 MLP on two moons ({args.samples} points, {args.epochs} epochs "
            f"of full-batch gradient descent, float64) with hand-written backprop,\n"
            f"once per backend, each in a fresh process with UNIBRIDGE_BACKEND=<name>:\n",
            flush=True,
        )
    runs: list[dict[str, Any]] = []
    for name in names:
        run = run_classifier(name, train_args, show=not args.json)
        if "error" not in run:
            run["difference"] = largest_difference(run, runs[0]) if runs and "error" not in runs[0] else 0.0
        runs.append(run)
    agree = all("error" not in r and r["difference"] <= TOLERANCE for r in runs)

    digits: list[dict[str, Any]] = []
    if args.digits_epochs > 0:
        if not args.json:
            print(render_table(runs), flush=True)
            print(
                f"\nTraining a 64-64-10 MLP on scikit-learn's 8x8 digits ({args.digits_epochs} epochs of SGD "
                f"with momentum, float64) with unibridge.value_and_grad,\nunibridge.jit and unibridge.random, "
                f"once per backend, each in a fresh process with UNIBRIDGE_BACKEND=<name>:\n",
                flush=True,
            )
        digits = [run_digits(name, ["--epochs", str(args.digits_epochs)], show=not args.json) for name in names]
        spread = compare_digits(digits)
        trained = [r for r in digits if "final_loss" in r]
        no_data = [r for r in digits if "no_data" in r]
        agree = agree and (bool(trained) or len(no_data) == len(digits)) and spread <= TOLERANCE and all(
            "error" not in r for r in digits) and all(r["test_accuracy"] >= args.min_accuracy for r in trained)

    mnist: list[dict[str, Any]] = []
    if args.mnist_epochs > 0:
        if not args.json:
            print(render_digits_table(digits, args.min_accuracy) if digits else render_table(runs), flush=True)
            print(
                f"\nTraining a 64-128-10 ReLU network on the digits ({args.mnist_epochs} epochs of AdamW, float64) "
                f"written only with xp,\nunibridge.nn, unibridge.optim, unibridge.random and unibridge.jit "
                f"(examples/mnist.py), once per backend:\n",
                flush=True,
            )
        mnist = [run_digits(name, ["--epochs", str(args.mnist_epochs)], show=not args.json, script="mnist.py")
                 for name in names]
        spread = compare_digits(mnist)
        trained_mnist = [r for r in mnist if "final_loss" in r]
        agree = agree and spread <= TOLERANCE and all("error" not in r for r in mnist) and all(
            r["test_accuracy"] >= MNIST_MIN_ACCURACY for r in trained_mnist)

    tour_names = [r["backend"] for r in runs if "error" not in r and r["backend"] != "numpy"]
    tour = run_tour(tour_names, as_json=args.json) if tour_names and not args.no_tour else None

    if args.json:
        for r in runs:
            r.pop("params", None)
        steps = json.loads(tour.stdout) if tour is not None and tour.returncode == 0 else []
        for r in digits:
            r.pop("losses", None)
        for r in mnist:
            r.pop("losses", None)
        print(json.dumps({"agree": agree, "tolerance": TOLERANCE, "runs": runs, "min_accuracy": args.min_accuracy,
                          "autodiff_runs": digits, "mnist_runs": mnist, "tour": steps}, indent=2))
        return 0 if agree else 1

    if mnist:
        print(render_digits_table(mnist, MNIST_MIN_ACCURACY))
    elif not digits:
        print(render_table(runs))
    else:
        print(render_digits_table(digits, args.min_accuracy))
    for b in skipped:
        print(f"  (skipped {b.name}: {' '.join(b.reason.split())})")
    trained = [r["backend"] for r in digits if "final_loss" in r]
    verdict = (
        f"\nAll {len(runs)} backends agree with NumPy to within {TOLERANCE:g} "
        f"(every epoch's loss and every final weight)"
        + (f"; {', '.join(trained)} train the digits MLP to the same final loss (within {TOLERANCE:g}) "
           f"and at least {args.min_accuracy:.0%} test accuracy" if digits else "")
        + (f"; the mnist example reaches the same final loss and at least {MNIST_MIN_ACCURACY:.0%} on "
           f"{', '.join(r['backend'] for r in mnist if 'final_loss' in r)}." if mnist else ".")
        if agree
        else f"\nDISAGREEMENT: a backend failed, differs from the others by more than {TOLERANCE:g}"
        + (f", or missed {args.min_accuracy:.0%} digits test accuracy." if digits else ".")
    )
    print(verdict + "\n")
    if tour is not None:
        print(tour.stdout.rstrip())
        if tour.returncode != 0:
            lines = [line for line in tour.stderr.splitlines() if line.strip()]
            print(f"conversion tour FAILED: {lines[-1] if lines else tour.returncode}")
            return 1
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
