"""Plant the hand-written mutants, one at a time, and run the named tests that must kill each.

    python -m tools.mutation.plant                  # both groups, each mutant against its named test
    python -m tools.mutation.plant --group core     # the seven of the conversion core only
    python -m tools.mutation.plant --group model    # the eight of gradients, jit, random and namespaces only
    python -m tools.mutation.plant --fuzz           # the core's also against the CI fuzz budget

Each mutant is applied to a scratch copy of ``unibridge/``, ``tests/`` and the plugins' sources (the
work tree is never touched), and the tests run there in a child process that imports the scratch copy. A mutant is
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


CORE = (
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

# Bugs a gradient, jit, random or namespace change could plausibly make, each silent (no error,
# a wrong answer): the model-code group.
MODEL_CODE = (
    Mutant(
        "the argnums range check forgets its lower bound (argnums=-5 of two arguments differentiates argument 1)",
        "unibridge/autodiff/__init__.py",
        "        if not -count <= a < count:\n",
        "        if not a < count:\n",
        ("tests/test_gradient_rule.py::test_argnums_outside_the_arguments_is_refused_rather_than_wrapped_around",),
    ),
    Mutant(
        "torch's has_aux outputs come back undetached (the graph they hold is kept alive)",
        "unibridge/adapters/_torch_autodiff.py",
        "        return value.detach(), _detached(aux, torch), grads\n",
        "        return value.detach(), aux, grads\n",
        ("tests/test_gradient_rule.py::test_results_and_aux_carry_no_history_when_the_inputs_are_trainable_variables[torch]",),
    ),
    Mutant(
        "TensorFlow's gradients come back as the tape gives them (IndexedSlices from a gather)",
        "unibridge/adapters/tensorflow/_autodiff.py",
        "        grads = [g if isinstance(g, tf.Tensor) else tf.convert_to_tensor(g) for g in found]\n",
        "        grads = list(found)\n",
        ("tests/test_gradient_rule.py::test_the_gradient_of_a_gather_comes_back_dense_as_the_inputs_array_type[tensorflow]",),
    ),
    Mutant(
        "torch builds a graph for the gradients whenever an input requires grad, recording or not",
        "unibridge/adapters/_torch_autodiff.py",
        "        nested = self._depth.get() > 0\n",
        "        nested = self._depth.get() > 0 or any(leaf.requires_grad for leaf in leaves)\n",
        ("tests/test_gradient_rule.py::test_results_and_aux_carry_no_history_when_the_inputs_are_trainable_variables[torch]",),
    ),
    Mutant(
        "Generator.uniform scales only when neither end is a default (uniform(0, 5) stays in [0, 1))",
        "unibridge/random/_generator.py",
        "        if (low_, high_) != (0.0, 1.0):",
        "        if low_ != 0.0 and high_ != 1.0:",
        ("tests/test_random.py::test_uniform_scales_to_every_range_including_those_with_one_default_end",),
    ),
    Mutant(
        "jit looks backend= up as written, not resolved (jit(f, backend='tf') falls back to the active "
        "backend and returns f uncompiled)",
        "unibridge/compiling.py",
        "    chosen = get_backend(backend)",
        "    chosen = get_backend(backend if backend in [row.name for row in backends()] else None)",
        ("tests/test_jit.py::test_jit_resolves_a_backend_alias_before_choosing_the_compiler",),
    ),
    Mutant(
        "the default-float namespace takes the first floating kind in the data, not complex first "
        "([1.0, 2j] made real)",
        "unibridge/namespaces.py",
        '            if kind == "complex":\n',
        "            if kind is not None:\n",
        ("tests/test_namespace_defaults.py::test_complex_data_takes_the_complex_default_wherever_the_complex_is",),
    ),
    Mutant(
        "the TensorFlow namespace's moveaxis places the moved axes in the order given, not by destination",
        "unibridge/adapters/tensorflow/array_api/_manipulation.py",
        "    for d, s in sorted(zip(dst, src)):\n",
        "    for d, s in zip(dst, src):\n",
        ("tests/array_api/test_xp_creation_manipulation.py::test_moveaxis_puts_every_moved_axis_where_numpy_puts_it",),
    ),
)

GROUPS = {"core": CORE, "model": MODEL_CODE}

# The fuzz campaign at CI's budget (150 examples per pair), into numpy and into torch, for --fuzz.
FUZZ = ("tests/reliability/test_fuzz.py", "-k", "numpy or torch")


PLUGIN_SOURCES = sorted(str(p.relative_to(REPO)) for p in (REPO / "backends").glob("*/src"))


def scratch_copy(into: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
    for part in ("unibridge", "tests", *PLUGIN_SOURCES):
        shutil.copytree(REPO / part, into / part, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", into / "pyproject.toml")


def run_tests(where: Path, tests: tuple[str, ...]) -> int:
    # The scratch copy's plugins (JAX, Dask, ...) too, ahead of the installed ones.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(where / p) for p in (".", *PLUGIN_SOURCES)))
    env.pop("UNIBRIDGE_TEST_BACKENDS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", *tests],
        cwd=where, env=env, capture_output=True, text=True,
    )
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--group", choices=[*GROUPS, "all"], default="all", help="which mutants to plant")
    parser.add_argument("--fuzz", action="store_true", help="also run the CI fuzz budget against each core mutant")
    args = parser.parse_args(argv)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ub-plant-") as tmp:
        base = Path(tmp) / "clean"
        scratch_copy(base)
        chosen = [m for name, group in GROUPS.items() if args.group in (name, "all") for m in group]
        for mutant in chosen:
            suites = [mutant.tests] + ([FUZZ] if args.fuzz and mutant in CORE else [])
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
