"""Plant the seven hand-written mutants of the conversion core, one at a time, and run the tests that must kill each.

    python -m tools.mutation.plant            # every mutant, against its named test
    python -m tools.mutation.plant --fuzz     # every mutant, against the CI fuzz budget too

Each mutant is applied to a scratch copy of ``unibridge/`` and ``tests/`` (the work tree is never
touched), and the tests run there in a child process that imports the scratch copy. A mutant is
*killed* when the tests fail; the unmutated copy must pass the same tests first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]


class Mutant(NamedTuple):
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]  # the named tests that pin the behaviour down


SEVEN = (
    Mutant(
        "the lossy-cast check forgets its lower bound ([-2**40] -> int32 gives [0])",
        "unibridge/casting.py",
        "    if lo < info.min or hi > info.max:\n",
        "    if hi > info.max:\n",
        ("tests/test_casting.py::test_the_lower_bound_of_an_integer_range_is_checked_too",),
    ),
    Mutant(
        "the complex overflow check looks at the real part only (1+1e300j -> complex64 gives 1+infj)",
        "unibridge/casting.py",
        "    for part_in, part_out in zip(_parts(a), _parts(out)):\n",
        "    for part_in, part_out in zip(_parts(a)[:1], _parts(out)[:1]):\n",
        ("tests/test_casting.py::test_the_imaginary_part_of_a_complex_cast_is_checked_for_overflow",),
    ),
    Mutant(
        "a nested use(device=...) starts from the process default, not the enclosing block",
        "unibridge/config.py",
        '    selection = _derive(current(), backend, device, None, "use")\n',
        '    selection = _derive(process_default(), backend, device, None, "use")\n',
        ("tests/test_config.py::test_a_nested_use_that_names_only_a_device_keeps_the_enclosing_backend",),
    ),
    Mutant(
        "the float32 default applies to lists only (asarray(0.5) stays float64)",
        "unibridge/engine.py",
        '    if python_data and apply_default and default_float != "float64" and a.dtype.kind in "fc":\n',
        '    if isinstance(obj, list) and apply_default and default_float != "float64" and a.dtype.kind in "fc":\n',
        ("tests/test_honest_conversions.py::test_the_float32_default_applies_to_python_scalars_and_tuples_not_only_lists",),
    ),
    Mutant(
        "complex Python data ignores the float32 default",
        "unibridge/engine.py",
        '    if python_data and apply_default and default_float != "float64" and a.dtype.kind in "fc":\n',
        '    if python_data and apply_default and default_float != "float64" and a.dtype.kind == "f":\n',
        ("tests/test_honest_conversions.py::test_the_float32_default_makes_python_complex_numbers_complex64",),
    ),
    Mutant(
        "the overlap test is off by one one way: adjacent ranges share",
        "unibridge/engine.py",
        "    return lo_a < hi_b and lo_b < hi_a\n",
        "    return lo_a <= hi_b and lo_b <= hi_a\n",
        ("tests/test_api.py::test_adjacent_device_memory_ranges_do_not_share",),
    ),
    Mutant(
        "the overlap test is off by one the other way: a one-element overlap does not share",
        "unibridge/engine.py",
        "    return lo_a < hi_b and lo_b < hi_a\n",
        "    return lo_a < hi_b - 1 and lo_b < hi_a - 1\n",
        ("tests/test_api.py::test_device_memory_ranges_overlapping_by_one_byte_share",),
    ),
)

# The fuzz campaign at CI's budget (150 examples per pair), into numpy and into torch, for --fuzz.
FUZZ = ("tests/reliability/test_fuzz.py", "-k", "numpy or torch")


def scratch_copy(into: Path) -> None:
    for part in ("unibridge", "tests"):
        shutil.copytree(REPO / part, into / part, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    shutil.copy2(REPO / "pyproject.toml", into / "pyproject.toml")


def run_tests(where: Path, tests: tuple[str, ...]) -> int:
    env = dict(os.environ, PYTHONPATH=str(where))
    env.pop("UNIBRIDGE_TEST_BACKENDS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", *tests],
        cwd=where, env=env, capture_output=True, text=True,
    )
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fuzz", action="store_true", help="also run the CI fuzz budget against each mutant")
    args = parser.parse_args(argv)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ub-plant-") as tmp:
        base = Path(tmp) / "clean"
        scratch_copy(base)
        for mutant in SEVEN:
            suites = [mutant.tests] + ([FUZZ] if args.fuzz else [])
            for tests in suites:
                if run_tests(base, tests) != 0:
                    print(f"ERROR  the unmutated code fails {' '.join(tests)}")
                    failures += 1
                    continue
                where = Path(tmp) / "mutant"
                shutil.rmtree(where, ignore_errors=True)
                scratch_copy(where)
                target = where / mutant.path
                source = target.read_text()
                assert source.count(mutant.old) == 1, f"{mutant.path}: the line to mutate is not there once"
                target.write_text(source.replace(mutant.old, mutant.new))
                code = run_tests(where, tests)
                verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"ERROR (pytest exit {code})"
                failures += verdict != "killed"
                print(f"{verdict:8}  {mutant.what}\n          by {' '.join(tests)}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
