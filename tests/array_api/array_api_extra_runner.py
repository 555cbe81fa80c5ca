"""array-api-extra's own test suite with unibridge's namespaces as its ``xp``.

Usage (from the repository root)::

    ARRAY_API_EXTRA_DIR=/path/to/array-api-extra python tests/array_api/array_api_extra_runner.py [PYTEST ARGS]

``ARRAY_API_EXTRA_DIR`` is a checkout of data-apis/array-api-extra (its ``tests/`` folder is
what runs; the installed ``array_api_extra`` package is what is tested). The suite runs twice:
natively, and with its ``xp`` fixture handed ``unibridge.namespace(backend)`` for each backend
unibridge has (numpy, torch, jax, dask, array-api-strict; the suite's special variants, such as
read-only NumPy or the strictest array-api-strict, keep their own namespace). Per backend it
prints the tests passing natively and with unibridge's namespace, and every *regression*: a
test that passes natively and fails with unibridge's namespace. Extra arguments go to pytest
(``-k torch``, a test file of the suite...).

``--reports=DIR`` keeps the two JUnit reports there (``native.xml``, ``unibridge.xml``);
``--only=native`` or ``--only=unibridge`` runs one half (the two can run side by side), and
``--only=none`` prints the comparison of the reports already in ``DIR``.

``--default-float=framework`` configures unibridge's default float per backend to the
framework's own (float32 for torch, whose default the suite assumes; float64 elsewhere);
the default, ``--default-float=float64``, is unibridge's own default everywhere.

Exit status: 0 without regressions, 1 with some, 2 when the suite cannot run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PLUGIN = "array_api_extra_plugin"
ENV_SWITCH = "UNIBRIDGE_AAE_NAMESPACES"
ENV_FLOAT = "UNIBRIDGE_AAE_DEFAULT_FLOAT"
PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "-p", PLUGIN, "--tb=no", "-o", "addopts=", "-W", "ignore"]


class UsageError(Exception):
    """The suite cannot run; the message says what to do."""


def check_suite_dir(value: str | None) -> Path:
    """The checkout named by ``ARRAY_API_EXTRA_DIR``, or UsageError saying what is wrong."""
    clone = "git clone https://github.com/data-apis/array-api-extra"
    if not value:
        raise UsageError(f"ARRAY_API_EXTRA_DIR is not set: point it at a checkout of data-apis/array-api-extra ({clone})")
    path = Path(value).expanduser()
    if not (path / "tests" / "main" / "conftest.py").is_file() and not (path / "tests" / "conftest.py").is_file():
        raise UsageError(f"ARRAY_API_EXTRA_DIR={value!r} is not an array-api-extra checkout (no tests/ with a conftest.py)")
    return path


def suite_folder(path: Path) -> Path:
    return path / "tests" / "main" if (path / "tests" / "main").is_dir() else path / "tests"


def backend_of(node: str) -> str:
    """The suite's backend parameter of a test id (``numpy``, ``torch``, ``jax.numpy``...), or ``-``."""
    params = node.rpartition("[")[2].rstrip("]") if node.endswith("]") else ""
    for part in params.split("-"):
        if part in KNOWN_PARAMS:
            return part
    return "-"


# The suite's backend parameters (test ids), and the unibridge backend each one is handed
# (None: the suite's own namespace is kept).
KNOWN_PARAMS: dict[str, str | None] = {
    "numpy": "numpy", "torch": "torch", "jax": "jax", "dask": "dask", "array_api_strict": "strict",
    "numpy:readonly": None, "array_api_strictest": None, "torch:gpu": None, "jax:gpu": None,
    "cupy": None, "sparse": None, "mparray": None,
}
# The same, by the value of the suite's ``Backend`` enum (what its ``library`` fixture gives).
BY_LIBRARY: dict[str, str] = {
    "numpy": "numpy", "torch": "torch", "jax.numpy": "jax", "dask.array": "dask", "array_api_strict": "strict",
}


def read_junit(path: Path) -> dict[str, str]:
    """``{test id: passed | failed | skipped}`` from pytest's JUnit XML."""
    results: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            results[name] = "failed"
        elif case.find("skipped") is not None:
            results[name] = "xfailed" if "xfail" in (case.find("skipped").get("type") or "") else "skipped"  # type: ignore[union-attr]
        else:
            results[name] = "passed"
    return results


def run_suite(suite: Path, extra: Sequence[str], report: Path, unibridge: bool, default_float: str) -> int:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), str(ROOT), os.environ.get("PYTHONPATH")])),
        ENV_SWITCH: "1" if unibridge else "",
        ENV_FLOAT: default_float,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    targets = list(extra) if extra and not extra[0].startswith("-") else [str(suite_folder(suite)), *extra]
    cmd = [sys.executable, "-m", "pytest", *targets, *PYTEST_ARGS, f"--junitxml={report}"]
    print("$", f"{ENV_SWITCH}={env[ENV_SWITCH]}", f"{ENV_FLOAT}={default_float}", " ".join(cmd[1:]), f"  (in {suite})", flush=True)
    return subprocess.call(cmd, cwd=suite, env=env, stdout=subprocess.DEVNULL)


def summary(native: dict[str, str], ours: dict[str, str]) -> tuple[str, list[str]]:
    """The per-backend table and the regressions (passing natively, failing with unibridge)."""
    passed_native = Counter(backend_of(n) for n, o in native.items() if o == "passed")
    passed_ours = Counter(backend_of(n) for n, o in ours.items() if o == "passed")
    regressions = sorted(n for n, o in native.items() if o == "passed" and ours.get(n, "missing") != "passed")
    fixed = Counter(backend_of(n) for n, o in ours.items() if o == "passed" and native.get(n) != "passed")
    lost = Counter(backend_of(n) for n in regressions)
    lines = [f"{'suite backend':28} {'unibridge':10} {'native':>7} {'unibridge':>10} {'regressions':>12} {'newly passing':>14}"]
    for param in sorted(set(passed_native) | set(passed_ours)):
        handed = KNOWN_PARAMS.get(param)
        lines.append(f"{param:28} {handed or '(native)':10} {passed_native[param]:7} {passed_ours[param]:10} "
                     f"{lost[param]:12} {fixed[param]:14}")
    lines.append(f"{'all':28} {'':10} {sum(passed_native.values()):7} {sum(passed_ours.values()):10} "
                 f"{len(regressions):12} {sum(fixed.values()):14}")
    return "\n".join(lines), regressions


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    options = {"--default-float": "float64", "--reports": "", "--only": "both"}
    for arg in list(args):
        name, _, value = arg.partition("=")
        if name in options:
            options[name] = value
            args.remove(arg)
    default_float, only = options["--default-float"], options["--only"]
    if only not in ("both", "native", "unibridge", "none") or (only != "both" and not options["--reports"]):
        print("array-api-extra: error: --only is native, unibridge or none, with --reports=DIR", file=sys.stderr)
        return 2
    if default_float not in ("float64", "float32", "framework"):
        print("array-api-extra: error: --default-float is float64, float32 or framework", file=sys.stderr)
        return 2
    try:
        suite = check_suite_dir(os.environ.get("ARRAY_API_EXTRA_DIR"))
    except UsageError as exc:
        print(f"array-api-extra: error: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(options["--reports"] or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        reports = {}
        for unibridge in (False, True):
            report = folder / f"{'unibridge' if unibridge else 'native'}.xml"
            if only in ("both", "unibridge" if unibridge else "native"):
                code = run_suite(suite, args, report, unibridge, default_float)
                if not report.is_file():
                    print(f"array-api-extra: error: pytest exited {code} without a report", file=sys.stderr)
                    return 2
            if only in ("native", "unibridge"):
                continue
            if not report.is_file():
                print(f"array-api-extra: error: no report {report}; run that half first", file=sys.stderr)
                return 2
            reports[unibridge] = read_junit(report)
        if only in ("native", "unibridge"):
            return 0
    table, regressions = summary(reports[False], reports[True])
    print(table)
    if regressions:
        print(f"{len(regressions)} tests pass natively and fail with unibridge's namespace:")
        print("\n".join(f"  {node}" for node in regressions))
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
