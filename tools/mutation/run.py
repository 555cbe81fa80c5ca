"""Run mutmut over one or more targets, each in a scratch copy with its own ``[tool.mutmut]``.

    python -m tools.mutation.run core autodiff       # these targets, one after the other
    python -m tools.mutation.run --group mutation    # `make mutation`: the core and the model code
    python -m tools.mutation.run --group tf-namespace
    python -m tools.mutation.run random -- 'unibridge.random._generator.*'   # rerun these mutants
    python -m tools.mutation.run tf-namespace --sample 400 --seed 1   # a random sample of its mutants
    python -m tools.mutation.run --list

mutmut reads one ``[tool.mutmut]`` for a run, so each target (``tools/mutation/targets.py``) runs in
``mutants/<target>/``: a copy of the files git tracks (and new ones it does not ignore), whose
``pyproject.toml`` gets the target's modules and test selection added to the shared table. The copy
is kept between runs and only changed files are copied again, so mutmut's own cache holds: a second
run tests only the mutants of changed functions, and names after ``--`` are run again whatever
their result. ``--sample N`` generates every mutant, then tests N of them drawn at random (with
``--seed``): a score with a confidence interval where the whole run would not fit the time there
is; names after ``--`` then rerun within that sample, which the summary still counts alone. Each
target ends with its summary, ``mutants/<target>/summary.md``
(``tools/mutation/summary.py``), and its wall time.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .summary import KILLED
from .targets import FRAMEWORKS, GROUPS, TARGETS, Target

REPO = Path(__file__).resolve().parents[2]
SCRATCH = REPO / "mutants"


def scratch_of(name: str) -> Path:
    """The scratch directory of target ``name``.

    Example:
        >>> scratch_of("core").relative_to(REPO).as_posix()
        'mutants/core'
    """
    return SCRATCH / name


def _project_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\0") if p and (REPO / p).is_file()]


def sync(into: Path) -> int:
    """Copy the project's files into ``into``, only those that changed; remove those gone. Returns
    how many were copied. A changed file gets a new modification time, so mutmut regenerates its
    mutants; an unchanged one keeps its mutants and their results."""
    wanted = set(_project_files())
    copied = 0
    for rel in sorted(wanted):
        src, dst = REPO / rel, into / rel
        if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
        copied += 1
    for path in into.rglob("*"):
        rel = path.relative_to(into).as_posix()
        if rel.startswith(("mutants/", "summary.md", "sample.txt", PRELOAD)) or "__pycache__" in rel or not path.is_file():
            continue
        if rel not in wanted:
            path.unlink()
    return copied


def _toml_list(items: tuple[str, ...] | list[str]) -> str:
    return "[\n" + "".join(f"    {json.dumps(item)},\n" for item in items) + "]"


PRELOAD = "preload-modules.txt"  # in the scratch copy: the modules the fork server imports


def mutmut_table(target: Target, into: Path) -> str:
    """The lines ``run`` adds to the shared ``[tool.mutmut]`` for ``target``, run in ``into``.

    Example:
        >>> print(mutmut_table(TARGETS["compiling"], scratch_of("compiling")).splitlines()[0])
        only_mutate = [
    """
    selection = [*target.tests, "-m", "not slow and not gpu"]
    if target.deselect:
        selection += ["-k", " and ".join(f"not {name}" for name in target.deselect)]
    return "\n".join([
        f"only_mutate = {_toml_list(target.modules)}",
        f"pytest_add_cli_args_test_selection = {_toml_list(selection)}",
        # The scratch copy lies inside the project's git work tree, whose history is not its own.
        "use_git_change_detection = false",
        f"forkserver_warmup = {json.dumps(target.warmup)}",
        f"preload_modules_file = {json.dumps(str(into / PRELOAD))}",
    ]) + "\n"


def configure(into: Path, target: Target) -> None:
    """Add the target's keys to the copy's ``[tool.mutmut]`` (the shared table in pyproject.toml)."""
    text = (REPO / "pyproject.toml").read_text()
    header = "[tool.mutmut]\n"
    assert text.count(header) == 1, "pyproject.toml needs one [tool.mutmut] table"
    (into / "pyproject.toml").write_text(text.replace(header, header + mutmut_table(target, into), 1))
    (into / PRELOAD).write_text("".join(f"{module}\n" for module in FRAMEWORKS))


def environment(target: Target, into: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        UNIBRIDGE_PRELOAD_FRAMEWORKS="1",  # every framework imported once, in the fork server
        UNIBRIDGE_TEST_BACKENDS=target.backends,
        UNIBRIDGE_HYPOTHESIS_PROFILE="mutation",
        UNIBRIDGE_MUTATION_FORGET_BUILT="1",  # each test builds its namespaces anew (tests/conftest.py)
        # The copy's plugins (JAX, Dask, ...), ahead of installed ones; mutmut puts the mutated
        # unibridge first on the path itself.
        PYTHONPATH=os.pathsep.join(str(p) for p in sorted((into / "backends").glob("*/src"))),
    )
    env.update(dict(target.env))
    return env


_KILLED_EXIT_CODES = frozenset(code for code, outcome in KILLED.items() if outcome == "killed")

# A name no mutant has: mutmut generates every mutant and maps the tests, then finds nothing to run.
_NO_MUTANT = "unibridge_mutation_generate_only"


def mutant_results(into: Path) -> dict[str, int | None]:
    """Every mutant mutmut generated in ``into``, by name, with its cached exit code (None: not run)."""
    found: dict[str, int | None] = {}
    for meta in sorted((into / "mutants").rglob("*.py.meta")):
        found.update(json.loads(meta.read_text())["exit_code_by_key"])
    return found


def draw_sample(mutmut: Path, into: Path, env: dict[str, str], max_children: int, size: int, seed: int) -> list[str]:
    """Generate every mutant (mutmut stops when the name matches none) and draw ``size`` of them."""
    subprocess.run([str(mutmut), "run", "--max-children", str(max_children), _NO_MUTANT], cwd=into, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cached = mutant_results(into)
    if not cached:
        raise SystemExit(f"mutmut generated no mutants in {into}")
    chosen = sorted(random.Random(seed).sample(sorted(cached), min(size, len(cached))))
    (into / "sample.txt").write_text("".join(f"{n}\n" for n in chosen))
    # A kill mutmut cached stands: it was this mutant of the same function (a changed file's mutants are
    # generated anew, without results), killed by tests that are still here. Every other result is
    # tested again, a survivor included, since tests may have been added since.
    to_run = [n for n in chosen if cached[n] not in _KILLED_EXIT_CODES]
    print(f"== sample: {len(chosen)} of {len(cached)} mutants, seed {seed}, {len(chosen) - len(to_run)} killed "
          f"in an earlier run (names in {into / 'sample.txt'})", flush=True)
    return to_run


def run_target(name: str, max_children: int, names: list[str], fresh: bool, sample: int = 0, seed: int = 0) -> int:
    target = TARGETS[name]
    into = scratch_of(name)
    if fresh:
        shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    copied = sync(into)
    configure(into, target)
    print(f"== {name}: {', '.join(target.modules)} ({copied} files copied into {into.relative_to(REPO)})", flush=True)
    mutmut = Path(sys.executable).parent / "mutmut"
    env = environment(target, into)
    if not names:  # a new sample, or every mutant; names after -- rerun within the sample there is
        (into / "sample.txt").unlink(missing_ok=True)
    code = 0
    if sample and not names:
        names = draw_sample(mutmut, into, env, max_children, sample, seed)
        if not names:  # every mutant of the sample was killed before
            names = [_NO_MUTANT]
    if names != [_NO_MUTANT]:
        code = subprocess.run([str(mutmut), "run", "--max-children", str(max_children), *names],
                              cwd=into, env=env).returncode
    minutes, seconds = divmod(round(time.monotonic() - start), 60)
    print(f"== {name}: mutmut exited {code} after {minutes} min {seconds} s of wall time", flush=True)
    if code != 0:
        return code
    only = ["--only", str(into / "sample.txt")] if (into / "sample.txt").exists() else []
    return subprocess.run([sys.executable, "-m", "tools.mutation.summary", "--where", str(into), *only],
                          cwd=REPO).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", help=f"targets: {', '.join(TARGETS)}")
    parser.add_argument("--group", choices=list(GROUPS), help="a named list of targets")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty scratch copy (no cached results)")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="test N mutants drawn at random instead of all (the score gets a 95%% interval)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of --sample's draw (default 0)")
    argv = sys.argv[1:] if argv is None else argv
    names = argv[argv.index("--") + 1:] if "--" in argv else []  # mutant names: run these again
    args = parser.parse_args(argv[:len(argv) - len(names) - (1 if "--" in argv else 0)])
    if args.list:
        for name, target in TARGETS.items():
            print(f"{name:13} {', '.join(target.modules)}  [{target.backends}]")
        return 0
    chosen = list(args.targets) + list(GROUPS[args.group] if args.group else ())
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        parser.error(f"name targets from {', '.join(TARGETS)} (or --group), got {unknown or 'none'}")
    failed = 0
    for name in chosen:
        failed |= run_target(name, args.max_children, names, args.fresh, args.sample, args.seed) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
