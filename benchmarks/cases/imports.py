"""Import time, each sample in a fresh process, interleaved round-robin.

* ``import unibridge`` against ``import numpy`` (the statement alone, timed in
  the child: unibridge imports nothing until a name is used, not even NumPy);
* whole processes, timed from outside (interpreter start-up included):
  ``python -c "import unibridge"`` and ``python -c "import numpy; import
  unibridge"`` against ``python -c "import numpy"``;
* the first ``ub.asarray([1.0, 2.0])`` after ``import numpy, unibridge``: where the
  cost that ``import unibridge`` no longer pays goes (the conversion modules load);
* the first ``asarray`` on each backend (with unibridge and numpy already
  imported) against importing that framework, which the first call must do.

Statement cases time only the statement (``perf_counter_ns`` around it). One
untimed warm-up process per case comes first, so the file cache is warm and
bytecode is compiled for all of them.

The whole-process ratio is also one command, without the suite::

    python -m benchmarks.cases.imports 20
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from ..model import Ratio, Result, Skip
from ..settings import Settings
from ._child import MARK, ROOT, ChildError, child_env, run_python

GROUP = "imports"
HEAVY = ("torch", "tensorflow", "jax", "scipy", "keras", "array_api_compat.numpy")

_SCRIPT = """
import sys, time, json
{pre}
t0 = time.perf_counter_ns()
{timed}
t1 = time.perf_counter_ns()
print({mark!r} + json.dumps({{"ns": t1 - t0, "heavy": [m for m in {heavy!r} if m in sys.modules]}}))
"""


@dataclass(frozen=True)
class ImportCase:
    key: str
    name: str
    pre: str
    timed: str
    ref: str | None = None
    whole_process: bool = False  # time ``python -c timed`` from outside, start-up included


def _light() -> list[ImportCase]:
    return [
        ImportCase(f"{GROUP}.numpy", "import numpy", "", "import numpy"),
        ImportCase(f"{GROUP}.unibridge", "import unibridge", "", "import unibridge", f"{GROUP}.numpy"),
        ImportCase(f"{GROUP}.array_api_compat", "[peer] import array_api_compat", "", "import array_api_compat",
                   f"{GROUP}.numpy"),
        ImportCase(f"{GROUP}.first-asarray.list", "first ub.asarray([1.0, 2.0]) (numpy, unibridge imported)",
                   "import numpy, unibridge as ub", "ub.asarray([1.0, 2.0])"),
        *_whole_process(),
    ]


def _whole_process() -> list[ImportCase]:
    ref = f"{GROUP}.process.numpy"
    return [
        ImportCase(ref, 'python -c "import numpy" (whole process)', "", "import numpy", whole_process=True),
        ImportCase(f"{GROUP}.process.unibridge", 'python -c "import unibridge" (whole process)', "",
                   "import unibridge", ref, whole_process=True),
        ImportCase(f"{GROUP}.process.numpy+unibridge", 'python -c "import numpy; import unibridge" (whole process)',
                   "", "import numpy; import unibridge", ref, whole_process=True),
    ]


def _heavy(backend: str) -> list[ImportCase]:
    ref = f"{GROUP}.framework.{backend}"
    return [
        ImportCase(ref, f"import {backend} (numpy already imported)", "import numpy", f"import {backend}"),
        ImportCase(f"{GROUP}.first-asarray.{backend}", f"first ub.asarray(x, backend='{backend}')",
                   "import numpy as np, unibridge as ub; x = np.ones(8, np.float32)",
                   f"ub.asarray(x, backend={backend!r})", ref),
    ]


def _sample(case: ImportCase) -> dict[str, object]:
    if case.whole_process:
        return _process_sample(case.timed)
    code = _SCRIPT.format(pre=case.pre, timed=case.timed, mark=MARK, heavy=HEAVY)
    return run_python(["-c", code])  # type: ignore[no-any-return]


def _process_sample(code: str) -> dict[str, object]:
    """``python -c code`` timed from outside: start-up, the imports and shutdown."""
    env = child_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    t0 = time.perf_counter_ns()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    ns = time.perf_counter_ns() - t0
    if proc.returncode:
        tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        raise ChildError(f"child exited {proc.returncode}: {tail}")
    return {"ns": ns, "heavy": []}


def _measure(cases: list[ImportCase], trials: int, warmup: bool, s: Settings) -> tuple[list[Result], list[Skip]]:
    skips: list[Skip] = []
    ok: list[ImportCase] = []
    heavy: dict[str, list[str]] = {}
    first_ns: dict[str, float] = {}
    s.say(f"[{GROUP}] checking: {', '.join(c.name for c in cases)}")
    for case in cases:
        try:
            first = _sample(case)  # the warm-up run doubles as the check that the case works
        except (ChildError, OSError) as exc:
            skips.append(Skip(GROUP, case.name, str(exc)))
            continue
        ok.append(case)
        heavy[case.key] = first["heavy"]  # type: ignore[assignment]
        first_ns[case.key] = first["ns"]  # type: ignore[assignment]
    samples: dict[str, list[float]] = {c.key: [] for c in ok}
    if not warmup:  # quick mode: the check run counts as the first sample
        for case in ok:
            samples[case.key].append(float(first_ns[case.key]))
        trials -= 1
    s.say(f"[{GROUP}] {', '.join(c.name for c in ok) or 'nothing'}: {trials + (0 if warmup else 1)} "
          f"fresh processes each")
    failed: dict[str, str] = {}
    for t in range(trials):
        order = ok[t % len(ok):] + ok[: t % len(ok)] if ok else []
        for case in order:
            if case.key in failed:
                continue
            try:
                samples[case.key].append(float(_sample(case)["ns"]))  # type: ignore[arg-type]
            except (ChildError, OSError) as exc:  # e.g. the source tree changed under the run
                failed[case.key] = f"failed in trial {t + 1}: {exc}"
                skips.append(Skip(GROUP, case.name, failed[case.key]))
    results = []
    for case in ok:
        if case.key in failed:
            continue
        xs = samples[case.key]
        ratios = []
        if case.ref in samples:
            per = [a / b for a, b in zip(xs, samples[case.ref]) if b > 0]
            if per:
                ratios.append(Ratio(case.ref, statistics.median(per), min(per), max(per)))
        results.append(Result(GROUP, case.key, case.name, statistics.median(xs), min(xs), max(xs), xs, 1,
                              ratios, kind="import", extra={"modules_loaded": heavy[case.key]}))
    return results, skips


def _own_modules() -> dict[str, float]:
    """``-X importtime`` self time (ms) of the slowest modules ``import unibridge`` and its first
    ``asarray`` load beyond numpy."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import numpy; import unibridge as ub; ub.asarray([1.0])"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    rows: dict[str, float] = {}
    after_numpy = False
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].strip().startswith("import time:"):
            continue
        name = parts[2].strip()
        if name == "numpy":
            after_numpy = True
            continue
        if after_numpy and parts[0].split(":")[1].strip().isdigit():
            rows[name] = int(parts[0].split(":")[1]) / 1000
    return dict(sorted(rows.items(), key=lambda kv: -kv[1])[:12])


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    results, skips = _measure(_light(), s.import_trials, s.warmup_processes, s)
    unib = next((r for r in results if r.key == f"{GROUP}.unibridge"), None)
    if unib is not None:
        try:
            unib.extra["self_ms_beyond_numpy"] = _own_modules()
        except Exception as exc:  # noqa: BLE001 - diagnostic only
            unib.extra["self_ms_beyond_numpy"] = f"unavailable: {exc}"
    for backend in ("torch", "tensorflow"):
        if not s.heavy_processes:
            skips.append(Skip(GROUP, f"import {backend} / first asarray", "--no-heavy-processes"))
            continue
        r, k = _measure(_heavy(backend), s.framework_import_trials, s.warmup_processes, s)
        results += r
        skips += k
    return results, skips


def main(argv: list[str]) -> int:
    """Print the whole-process ratios alone: ``python -m benchmarks.cases.imports [TRIALS]``."""
    from ..settings import Settings

    trials = int(argv[0]) if argv else 20
    cases = _whole_process()
    results, skips = _measure(cases, trials, True, Settings())
    for r in results:
        ratio = "".join(f"; {q.median:.3f}x {q.ref} (range {q.lo:.3f}-{q.hi:.3f})" for q in r.ratios)
        print(f"{r.name}: median {r.ns / 1e6:.1f} ms{ratio}")
    for k in skips:
        print(f"skipped {k.name}: {k.reason}")
    return 0 if results and not skips else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
