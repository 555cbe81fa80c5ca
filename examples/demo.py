"""``make demo``: one model, every installed backend, chosen by configuration alone.

1. Trains ``classifier.py`` once per available backend, each in its own process
   started with ``UNIBRIDGE_BACKEND=<name>`` and no other change;
2. prints one table: backend, device, final loss, accuracy, seconds per epoch,
   and the largest difference from the NumPy run (over every epoch's loss and
   every final weight), which must stay within float64 tolerance;
3. runs the conversion tour.

Exit status: 0 when every backend ran and agreed with NumPy, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import unibridge as ub

HERE = Path(__file__).resolve().parent
TOLERANCE = 1e-9  # float64 rounding differences (summation order, libm) stay far below this


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


def run_classifier(backend: str, train_args: list[str]) -> dict[str, Any]:
    """Train in a child process configured only by ``UNIBRIDGE_BACKEND``; its JSON summary.

    On failure the summary has an ``"error"`` key with the child's last line of stderr.
    """
    env = {**os.environ, "UNIBRIDGE_BACKEND": backend}
    cmd = [sys.executable, str(HERE / "classifier.py"), "--json", *train_args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return {"backend": backend, "error": lines[-1] if lines else f"exit status {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


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
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", help="only this backend (repeatable); numpy always runs")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=16)
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
        run = run_classifier(name, train_args)
        if "error" not in run:
            run["difference"] = largest_difference(run, runs[0]) if runs and "error" not in runs[0] else 0.0
        runs.append(run)
    agree = all("error" not in r and r["difference"] <= TOLERANCE for r in runs)

    tour_names = [r["backend"] for r in runs if "error" not in r and r["backend"] != "numpy"]
    tour = run_tour(tour_names, as_json=args.json) if tour_names and not args.no_tour else None

    if args.json:
        for r in runs:
            r.pop("params", None)
        steps = json.loads(tour.stdout) if tour is not None and tour.returncode == 0 else []
        print(json.dumps({"agree": agree, "tolerance": TOLERANCE, "runs": runs, "tour": steps}, indent=2))
        return 0 if agree else 1

    print(render_table(runs))
    for b in skipped:
        print(f"  (skipped {b.name}: {' '.join(b.reason.split())})")
    verdict = (
        f"\nAll {len(runs)} backends agree with NumPy to within {TOLERANCE:g} "
        f"(every epoch's loss and every final weight)."
        if agree
        else f"\nDISAGREEMENT: a backend failed or differs from NumPy by more than {TOLERANCE:g}."
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
