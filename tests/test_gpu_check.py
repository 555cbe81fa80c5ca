"""``make gpu-check`` on the CPU side: the one line without a GPU, and the JSON it builds.

Outcomes are recorded from real pytest runs of a tiny generated test file, and
the whole pipeline runs once with ``--force`` (its tests skip, its benchmark
group skips); nothing is mocked. On a machine with a GPU, the no-GPU tests skip.
"""

from __future__ import annotations

import doctest
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

gpu_check = pytest.importorskip("gpu_check", reason="run from the repository root (gpu_check/ is not installed)")

from gpu_check import detect, outcomes, run, sources  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NO_GPU = not detect.find_gpus()[0]

TINY = '''
import pytest

pytestmark = pytest.mark.gpu

def test_passes():
    assert True

def test_fails():
    assert 1 + 1 == 3, "arithmetic"

def test_skips():
    pytest.skip("no GPU visible to torch")

@pytest.mark.xfail(reason="known gap")
def test_xfails():
    assert False

@pytest.mark.xfail(reason="fixed since", strict=True)
def test_xpasses_strictly():
    assert True

@pytest.fixture
def broken():
    raise RuntimeError("setup broke")

def test_errors_in_setup(broken):
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n

@pytest.mark.skip(reason="not on this machine")
def test_marked_skip():
    pass
'''

UNMARKED = '''
def test_not_a_gpu_test():
    pass
'''


def _project(tmp: Path, files: dict[str, str]) -> Path:
    """A throwaway test project with the ``gpu`` marker registered (its own config, not the repo's)."""
    (tmp / "pytest.ini").write_text("[pytest]\nmarkers =\n    gpu: needs a GPU\n")
    for name, text in files.items():
        (tmp / name).write_text(textwrap.dedent(text))
    return tmp


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("tiny")
    project = tmp / "project"
    project.mkdir()
    _project(project, {
        "test_tiny.py": TINY,
        "test_unmarked.py": UNMARKED,
        "test_broken_import.py": "import no_such_module_for_gpu_check\n",
        "test_skips_itself.py": "import pytest\npytest.skip('TensorFlow is not installed', allow_module_level=True)\n",
    })
    env, _ = sources.child_env(ROOT, tmp / "metadata")
    return run.run_tests(["."], env=env, cwd=project, scratch=tmp, per_test_limit_s=60, limit_s=120)


def _by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["id"].rpartition("::")[2]: t for t in result["outcomes"]["tests"]}


@pytest.mark.skipif(not NO_GPU, reason="a GPU is here: make gpu-check would run")
def test_without_a_gpu_the_check_says_so_in_one_line_and_exits_zero() -> None:
    proc = subprocess.run([sys.executable, "-m", "gpu_check"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("gpu-check: no NVIDIA GPU here (") and proc.stdout.count("\n") == 1
    assert proc.stderr == ""


@pytest.mark.skipif(not NO_GPU, reason="a GPU is here: make gpu-check would run")
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_gpu_check_without_a_gpu_is_one_line_with_the_plain_python() -> None:
    # The default GPU_PYTHON (python3), not .venv: the GPU machine has no .venv.
    proc = subprocess.run(["make", "--no-print-directory", "gpu-check"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("gpu-check: no NVIDIA GPU here") and proc.stdout.count("\n") == 1


def _fake_smi(tmp: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``nvidia-smi`` first on PATH: the driver's tool is what detection reads, nothing else."""
    smi = tmp / "nvidia-smi"
    smi.write_text("#!/bin/sh\n" + script)
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp}{os.pathsep}{os.environ.get('PATH', '')}")


def test_detection_reads_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_smi(tmp_path, 'echo "0, NVIDIA H200, 580.159.03, 143771"\necho "1, NVIDIA H200, 580.159.03, 143771"\n',
              monkeypatch)
    gpus, how = detect.find_gpus()
    assert how == str(tmp_path / "nvidia-smi")
    assert [(g.index, g.name, g.driver_version, g.memory_mib) for g in gpus] == [
        (0, "NVIDIA H200", "580.159.03", 143771), (1, "NVIDIA H200", "580.159.03", 143771)]


def test_an_nvidia_smi_without_a_driver_means_no_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
    _fake_smi(tmp_path, f'echo "{message}"\nexit 9\n', monkeypatch)
    assert detect.find_gpus() == ([], f"{tmp_path / 'nvidia-smi'} lists no GPU ({message})")


def test_each_outcome_of_a_real_pytest_run_is_recorded(tiny_run: dict[str, Any]) -> None:
    assert tiny_run["exit_code"] == 1 and tiny_run["per_test_limit_s"] in (60, None)
    rec = tiny_run["outcomes"]
    assert rec["finished"] is True and rec["exit_status"] == 1 and rec["deselected"] == 1
    tests = _by_id(tiny_run)
    assert {k: t["outcome"] for k, t in tests.items()} == {
        "test_passes": "passed", "test_fails": "failed", "test_skips": "skipped", "test_xfails": "xfailed",
        "test_xpasses_strictly": "failed", "test_errors_in_setup": "error", "test_param[1]": "passed",
        "test_param[2]": "passed", "test_marked_skip": "skipped",
    }
    assert tests["test_skips"]["reason"] == "no GPU visible to torch"
    assert tests["test_marked_skip"]["reason"] == "not on this machine"
    assert tests["test_xfails"]["reason"] == "known gap"
    assert "arithmetic" in tests["test_fails"]["message"] and "assert 1 + 1 == 3" in tests["test_fails"]["details"]
    assert "XPASS(strict)" in tests["test_xpasses_strictly"]["details"]
    assert "setup broke" in tests["test_errors_in_setup"]["message"]
    assert tests["test_errors_in_setup"]["details"].startswith("[setup]")
    assert all(t["duration_s"] >= 0 for t in tests.values())
    assert rec["summary"] == {"passed": 3, "failed": 2, "error": 1, "skipped": 2, "xfailed": 1, "xpassed": 0}
    assert [e["id"] for e in rec["collection_errors"]] == ["test_broken_import.py"]
    assert "no_such_module_for_gpu_check" in rec["collection_errors"][0]["details"]
    assert rec["skipped_modules"] == [{"id": "test_skips_itself.py", "reason": "TensorFlow is not installed"}]


def _check(tests: dict[str, Any], *, gpu: bool = False, torch: dict[str, Any] | None = None,
           bench_exit: int | None = 0) -> dict[str, Any]:
    report: dict[str, Any] | None = {"results": [], "targets": []} if bench_exit == 0 else None
    bench: dict[str, Any] = {"exit_code": bench_exit, "limit_s": 180, "report": report}
    return {"gpu": {"found": gpu, "devices": []}, "software": {"torch": torch or {}}, "tests": tests,
            "benchmarks": bench}


def test_problems_name_the_failed_tests_and_the_broken_module(tiny_run: dict[str, Any]) -> None:
    found = run.problems(_check(tiny_run))
    assert found[0].startswith("3 test(s) failed: ") and "test_tiny.py::test_errors_in_setup" in found[0]
    assert found[1] == "1 test module(s) failed to import: test_broken_import.py"
    assert len(found) == 2


def test_a_gpu_whose_tests_all_skipped_is_a_problem_not_a_pass() -> None:
    skipped = {"exit_code": 0, "limit_s": 240, "outcomes": {
        "tests": [{"id": "t::a", "outcome": "skipped", "reason": "no GPU visible to torch"}],
        "collection_errors": []}}
    assert run.problems(_check(skipped)) == []  # no GPU here: skipping is right
    found = run.problems(_check(skipped, gpu=True, torch={"version": "2.13.0+cpu", "cuda_available": False,
                                                           "cuda": None}))
    assert found == ["a GPU is here but every GPU test skipped (see their reasons)",
                     "a GPU is here but torch sees no CUDA device (torch 2.13.0+cpu, built for CUDA None)"]


def test_children_stopped_at_their_limit_or_silent_are_problems() -> None:
    stopped = {"exit_code": None, "limit_s": 240, "outcomes": None}
    assert run.problems(_check(stopped, bench_exit=None)) == [
        "pytest stopped at the 240 s limit", "pytest wrote no outcomes (exit code None)",
        "the benchmarks stopped at the 180 s limit", "the benchmarks wrote no report",
    ]
    usage = {"exit_code": 4, "limit_s": 240, "outcomes": None}
    assert "pytest exited with status 4" in run.problems(_check(usage))


def test_dist_info_makes_an_uninstalled_plugin_discoverable(tmp_path: Path) -> None:
    plugin = sources.Source("gpu-check-demo", "0.3", tmp_path, {"unibridge.backends": {"demo": "demo_mod:load"}})
    installed = sources.Source("pytest", "0", tmp_path)  # has its own metadata: left alone
    assert sources.write_dist_info([plugin, installed], tmp_path / "meta") == ["gpu-check-demo"]
    code = ("from importlib.metadata import entry_points, version; "
            "print(version('gpu-check-demo'), [e.value for e in entry_points(group='unibridge.backends') "
            "if e.name == 'demo'])")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "meta"))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["0.3", "['demo_mod:load']"], proc.stderr


def test_sources_are_this_tree_and_its_plugins() -> None:
    found = {s.name: s for s in sources.read_sources(ROOT)}
    assert {"unibridge", "unibridge-jax", "unibridge-dask"} <= set(found)
    assert found["unibridge"].import_root == ROOT and (ROOT / "unibridge" / "_version.py").is_file()
    assert found["unibridge-jax"].entry_points == {"unibridge.backends": {"jax": "unibridge_jax:load"}}
    assert (found["unibridge-jax"].import_root / "unibridge_jax" / "__init__.py").is_file()


@pytest.mark.skipif(not NO_GPU, reason="a GPU is here: the forced run would really run the GPU group")
def test_a_forced_run_writes_one_json_with_tests_and_benchmarks(tmp_path: Path) -> None:
    project = _project(tmp_path, {"test_tiny_gpu.py": "import pytest\n\n@pytest.mark.gpu\ndef test_ok():\n    pass\n"})
    out = tmp_path / "results" / "gpu-check.json"
    assert run.main(["--force", "--tests", str(project / "test_tiny_gpu.py"), "--out", str(out)]) == 0
    check = json.loads(out.read_text())
    assert check["schema"] == 1 and check["forced"] is True and check["gpu"]["found"] is False
    assert check["verdict"] == "passed" and check["problems"] == []
    assert check["software"]["python"] and "torch" in check["software"]
    assert check["environment"]["XLA_PYTHON_CLIENT_PREALLOCATE"] in ("false", os.environ.get(
        "XLA_PYTHON_CLIENT_PREALLOCATE"))
    assert check["tests"]["outcomes"]["summary"]["passed"] == 1
    report = check["benchmarks"]["report"]
    assert check["benchmarks"]["exit_code"] == 0 and report["options"]["groups"] == ["gpu"]
    assert [s["group"] for s in report["skipped"]] == ["gpu"]  # no CUDA here (or no torch): skipped, with why


def test_docstring_examples() -> None:
    for module in (detect, sources, outcomes, run):
        failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failed == 0 and attempted > 0, module.__name__
