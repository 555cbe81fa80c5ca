"""``make gpu-check``: ``pytest -m gpu`` and ``python -m benchmarks --only gpu`` on a GPU, into one JSON.

On a machine without an NVIDIA GPU it prints one line and exits 0. With one, it
installs nothing: this checkout is made importable through ``PYTHONPATH``
(:mod:`gpu_check.sources`), then three child processes run, each under a time limit,
so a hung driver or test cannot stall the check (at most 8.5 minutes in all):

1. :mod:`gpu_check.software`: Python, package versions, what torch, JAX and CuPy see;
2. ``pytest -m gpu`` with a per-test timeout, outcomes through :mod:`gpu_check.outcomes`;
3. ``python -m benchmarks --only gpu``: host->device against pinned ``cudaMemcpy``, torch->JAX flatness.

Everything goes into one JSON (``benchmarks/results/gpu-check.json`` unless
``--out``): the GPUs and driver from ``nvidia-smi``, the versions, every test's
outcome and skip reason, the benchmark report with every figure and target,
the problems found, and a verdict. Exit status 0 when nothing failed, 1 otherwise.

Example::

    python3 -m gpu_check                       # what make gpu-check runs
    python3 -m gpu_check --force --tests tests/test_gpu.py --out /tmp/g.json   # the pipeline on a CPU
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .detect import Gpu, find_gpus
from .sources import child_env

__all__ = ["DEFAULT_OUT", "Step", "parser", "main", "run_step", "run_tests", "run_benchmarks", "problems",
           "summary"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "gpu-check.json"
SCHEMA = 1
# Time limits, in seconds. A normal run takes under a minute (measured on an H200 machine:
# 41 s, of which the tests 13 s and the benchmarks 12 s). The worst case, every limit
# reached, is 8.5 minutes.
PER_TEST_LIMIT_S = 120
SOFTWARE_LIMIT_S = 90
TESTS_LIMIT_S = 240
BENCHMARKS_LIMIT_S = 180
_BAD = ("failed", "error")


def say(message: str) -> None:
    """Progress, on stderr: stdout ends with the one summary line."""
    print(f"gpu-check: {message}", file=sys.stderr, flush=True)


@dataclass
class Step:
    """One child process: its command, exit code (None when stopped at its limit) and time."""

    command: list[str]
    exit_code: int | None
    duration_s: float
    limit_s: float


def run_step(command: list[str], *, env: dict[str, str], cwd: Path, limit_s: float,
             capture: bool = False) -> tuple[Step, str]:
    """Run ``command`` with a time limit; return the step and its stdout when ``capture``.

    Example:
        >>> import sys
        >>> step, out = run_step([sys.executable, "-c", "print(42)"], env=dict(os.environ), cwd=ROOT,
        ...                      limit_s=60, capture=True)
        >>> step.exit_code, out
        (0, '42\\n')
    """
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(command, env=env, cwd=cwd, timeout=limit_s, text=True,
                              stdout=subprocess.PIPE if capture else None)
        code, out = proc.returncode, proc.stdout or ""
    except subprocess.TimeoutExpired as exc:
        code = None
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
    return Step(command, code, round(time.perf_counter() - t0, 2), limit_s), out


def software(env: dict[str, str], *, limit_s: float = SOFTWARE_LIMIT_S) -> dict[str, Any]:
    """What :mod:`gpu_check.software` reports in a child process (or why it could not)."""
    step, out = run_step([sys.executable, "-m", "gpu_check.software"], env=env, cwd=ROOT, limit_s=limit_s,
                         capture=True)
    try:
        return dict(json.loads(out.strip().splitlines()[-1]))
    except (IndexError, ValueError):
        return {"error": f"the software probe printed no JSON (exit code {step.exit_code})"}


def run_tests(targets: list[str], *, env: dict[str, str], cwd: Path, scratch: Path, marker: str = "gpu",
              per_test_limit_s: float = PER_TEST_LIMIT_S, limit_s: float = TESTS_LIMIT_S) -> dict[str, Any]:
    """``pytest -m <marker> <targets>`` in a child process; the step and the recorded outcomes.

    ``outcomes`` is what :mod:`gpu_check.outcomes` wrote (None if pytest
    stopped before writing anything).

    Example::

        r = run_tests(["tests"], env=env, cwd=ROOT, scratch=Path("/tmp/x"))
        r["exit_code"], r["outcomes"]["summary"]    # (0, {'passed': 28, 'skipped': 12, ...})
    """
    out = scratch / "tests.json"
    # Without pytest-timeout the whole run's limit still holds; only the per-test one is lost.
    timeout = [f"--timeout={per_test_limit_s:g}"] if find_spec("pytest_timeout") is not None else []
    command = [sys.executable, "-m", "pytest", "-m", marker, "-p", "no:cacheprovider", "-p", "gpu_check.outcomes",
               f"--outcomes-json={out}", "--continue-on-collection-errors", *timeout, *targets]
    step, _ = run_step(command, env=env, cwd=cwd, limit_s=limit_s)
    outcomes = json.loads(out.read_text()) if out.is_file() else None
    return {**asdict(step), "per_test_limit_s": per_test_limit_s if timeout else None, "outcomes": outcomes}


def run_benchmarks(*, env: dict[str, str], scratch: Path, limit_s: float = BENCHMARKS_LIMIT_S) -> dict[str, Any]:
    """``python -m benchmarks --only gpu`` in a child process; the step and the report it wrote.

    Example::

        r = run_benchmarks(env=env, scratch=Path("/tmp/x"))
        [t["status"] for t in r["report"]["targets"]]    # e.g. ['met', 'missed']
    """
    out = scratch / "benchmarks.json"
    command = [sys.executable, "-m", "benchmarks", "--only", "gpu", "--json", str(out), "--no-plot"]
    step, _ = run_step(command, env=env, cwd=ROOT, limit_s=limit_s)
    report = json.loads(out.read_text()) if out.is_file() else None
    return {**asdict(step), "report": report}


def _stopped(step: dict[str, Any], what: str) -> list[str]:
    if step["exit_code"] is None:
        return [f"{what} stopped at the {step['limit_s']:g} s limit"]
    return []


def problems(check: dict[str, Any]) -> list[str]:
    """What went wrong in a finished check (an empty list: it passed).

    Failed or erroring tests, collection errors, a child stopped at its
    limit, no JSON where one was due, and on a real GPU: torch not seeing
    CUDA, or every GPU test skipped (a pass that verified nothing).

    Example:
        >>> tests = {"exit_code": 1, "limit_s": 240, "outcomes": {"tests": [{"id": "t::a", "outcome": "failed"}],
        ...          "collection_errors": [], "finished": True}}
        >>> bench = {"exit_code": 0, "limit_s": 180, "report": {"results": []}}
        >>> problems({"gpu": {"found": False}, "software": {}, "tests": tests, "benchmarks": bench})
        ['1 test(s) failed: t::a']
    """
    found: list[str] = []
    tests, bench = check["tests"], check["benchmarks"]
    found += _stopped(tests, "pytest")
    outcomes = tests.get("outcomes")
    if outcomes is None:
        found.append(f"pytest wrote no outcomes (exit code {tests['exit_code']})")
    else:
        bad = [t["id"] for t in outcomes["tests"] if t["outcome"] in _BAD]
        if bad:
            found.append(f"{len(bad)} test(s) failed: {', '.join(bad)}")
        if outcomes["collection_errors"]:
            found.append(f"{len(outcomes['collection_errors'])} test module(s) failed to import: "
                         + ", ".join(e["id"] for e in outcomes["collection_errors"]))
        if not outcomes["tests"] and tests["exit_code"] is not None:
            found.append("pytest selected no test")
        ran = [t for t in outcomes["tests"] if t["outcome"] != "skipped"]
        if check["gpu"]["found"] and outcomes["tests"] and not ran:
            found.append("a GPU is here but every GPU test skipped (see their reasons)")
    if tests["exit_code"] not in (None, 0, 1, 5):  # 2 interrupted, 3 internal error, 4 usage error
        found.append(f"pytest exited with status {tests['exit_code']}")
    found += _stopped(bench, "the benchmarks")
    if bench["exit_code"] not in (None, 0):
        found.append(f"the benchmarks exited with status {bench['exit_code']}")
    if bench["report"] is None:
        found.append("the benchmarks wrote no report")
    torch = check["software"].get("torch", {})
    if check["gpu"]["found"] and not torch.get("cuda_available"):
        why = torch.get("error") or f"torch {torch.get('version')}, built for CUDA {torch.get('cuda')}"
        found.append(f"a GPU is here but torch sees no CUDA device ({why})")
    return found


def summary(check: dict[str, Any], out: Path) -> str:
    """The one line printed at the end.

    Example:
        >>> check = {"gpu": {"found": False, "devices": []}, "verdict": "passed",
        ...          "tests": {"outcomes": {"summary": {"passed": 0, "failed": 0, "skipped": 3}}},
        ...          "benchmarks": {"report": {"results": [], "targets": []}}}
        >>> summary(check, Path("g.json"))
        'gpu-check: no GPU (forced run): tests 0 passed, 0 failed, 3 skipped; benchmarks 0 figures; passed -> g.json'
    """
    devices = check["gpu"]["devices"]
    where = (", ".join(f"{d['name']} (driver {d['driver_version']})" for d in devices)
             if devices else "no GPU (forced run)")
    counts = (check["tests"].get("outcomes") or {}).get("summary")
    tests = (", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "skipped")) +
             "".join(f", {counts[k]} {k}" for k in ("error", "xfailed", "xpassed") if counts.get(k))
             if counts else "no outcomes")
    report = check["benchmarks"].get("report") or {}
    bench = f"{len(report.get('results', []))} figures"
    # The report rates every target; those of groups that did not run say so in "detail".
    statuses = [t["status"] for t in report.get("targets", []) if not t["detail"].startswith("group not run")]
    if statuses:
        bench += ", targets " + ", ".join(f"{statuses.count(s)} {s}" for s in ("met", "missed", "n/a")
                                          if statuses.count(s))
    return f"gpu-check: {where}: tests {tests}; benchmarks {bench}; {check['verdict']} -> {out}"


def _git(root: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None  # the GPU machine's copy of the tree has no .git
    return proc.stdout.strip() if proc.returncode == 0 else None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gpu_check", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the JSON to write (default {DEFAULT_OUT})")
    p.add_argument("--tests", nargs="+", default=["tests"], metavar="PATH",
                   help="what pytest collects the gpu-marked tests from (default: tests)")
    p.add_argument("--force", action="store_true",
                   help="run even without a GPU (the tests skip): checks the pipeline itself")
    return p


def _gpu(gpus: list[Gpu], how: str) -> dict[str, Any]:
    return {"found": bool(gpus), "how": how, "devices": [asdict(g) for g in gpus]}


def main(argv: list[str] | None = None) -> int:
    """Run the check; return the exit status (0: passed, or no GPU here; 1: a problem)."""
    args = parser().parse_args(argv)
    gpus, how = find_gpus()
    if not gpus and not args.force:
        print(f"gpu-check: no NVIDIA GPU here ({how}); nothing to run")
        return 0
    t0, started = time.perf_counter(), time.strftime("%Y-%m-%dT%H:%M:%S%z")
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        scratch = Path(tmp)
        env, shimmed = child_env(ROOT, scratch / "metadata")
        env["PYTHONUNBUFFERED"] = "1"  # the children's output interleaves with ours in the log
        # JAX grabs 75% of GPU memory at first use by default; the tests and the
        # torch->JAX benchmark put torch and JAX in one process, so allocate on demand.
        env.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        say(f"GPU: {', '.join(g.name for g in gpus) or 'none (forced run)'}; probing the software")
        sw = software(env)
        say(f"pytest -m gpu {' '.join(args.tests)}")
        tests = run_tests(args.tests, env=env, cwd=ROOT, scratch=scratch)
        say("python -m benchmarks --only gpu")
        bench = run_benchmarks(env=env, scratch=scratch)
    check: dict[str, Any] = {
        "schema": SCHEMA, "started": started, "host": platform.node(), "git": _git(ROOT), "forced": args.force,
        "gpu": _gpu(gpus, how), "software": sw,
        "environment": {k: env.get(k) for k in ("XLA_PYTHON_CLIENT_PREALLOCATE", "CUDA_VISIBLE_DEVICES")}
        | {"metadata_written_for": shimmed},
        "tests": tests, "benchmarks": bench,
    }
    check["problems"] = problems(check)
    check["verdict"] = "failed" if check["problems"] else "passed"
    check["duration_s"] = round(time.perf_counter() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(check, indent=1, default=str) + "\n")
    for problem in check["problems"]:
        say(f"problem: {problem}")
    print(summary(check, args.out), flush=True)
    return 1 if check["problems"] else 0
