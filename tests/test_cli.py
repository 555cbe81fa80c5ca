"""The ``unibridge`` command line: info, check, bench, --json, exit codes, one-line errors.

Most tests start a real subprocess from a directory outside the checkout, the
way a user runs the command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import unibridge as ub
from unibridge.cli import main
from unibridge.cli.bench import NOT_FOUND, find_suite

from unibridge.config import reset_defaults

from _example_helpers import clean_env
from _backends import require

SCRIPT = Path(sys.executable).with_name("unibridge")


def unibridge(*args: str, cwd: Path, env: dict[str, str] | None = None, script: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the command line (``python -m unibridge``, or the console script) from ``cwd``."""
    cmd = [str(SCRIPT)] if script else [sys.executable, "-m", "unibridge"]
    return subprocess.run(
        [*cmd, *args], cwd=cwd, env=clean_env() if env is None else env, capture_output=True, text=True, timeout=300
    )


def test_info_json_reports_version_backends_devices_and_sources(tmp_path: Path) -> None:
    done = unibridge("info", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["unibridge"]["version"] == ub.__version__
    rows = {b["name"]: b for b in info["backends"]}
    assert set(rows) == {b.name for b in ub.backends()}
    assert rows["numpy"]["available"] and rows["numpy"]["devices"] == ["cpu"]
    assert rows["numpy"]["version"] == ub.get_backend("numpy").version()
    for row in rows.values():
        assert row["available"] == bool(row["devices"]) or not row["available"]
        assert row["available"] or row["reason"]  # unavailable always says why
    config = info["configuration"]
    assert {k: v["value"] for k, v in config.items()} == {"backend": "numpy", "device": "cpu", "default_float": "float64"}
    assert {v["source"] for v in config.values()} == {"default"}


def test_info_shows_values_that_came_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require("torch")
    monkeypatch.setenv("UNIBRIDGE_BACKEND", "pt")
    monkeypatch.setenv("UNIBRIDGE_DEVICE", "auto")
    monkeypatch.setenv("UNIBRIDGE_DEFAULT_FLOAT", "float32")
    assert main(["info", "--json"]) == 0
    config = json.loads(capsys.readouterr().out)["configuration"]
    assert config["backend"] == {"value": "torch", "source": "environment"}
    assert config["device"]["value"] == "auto" and config["device"]["resolved"] in ("cpu", "gpu:0")
    assert config["default_float"] == {"value": "float32", "source": "environment"}


def test_info_shows_values_set_by_configure(capsys: pytest.CaptureFixture[str]) -> None:
    ub.configure("numpy", default_float="float32")
    assert main(["info", "--json"]) == 0
    config = json.loads(capsys.readouterr().out)["configuration"]
    assert config["backend"]["source"] == "configure" and config["default_float"]["source"] == "configure"
    assert config["device"]["source"] == "default"


def test_info_text_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"unibridge {ub.__version__}")
    assert "backends:" in out and "configuration" in out
    for info in ub.backends():
        assert f"\n  {info.name} " in out


@pytest.mark.skipif(not SCRIPT.exists(), reason=f"console script not installed at {SCRIPT}")
@pytest.mark.parametrize("where", ["elsewhere", "bin directory"])
def test_console_script_runs_from_any_directory(tmp_path: Path, where: str) -> None:
    cwd = tmp_path if where == "elsewhere" else SCRIPT.parent
    done = unibridge("info", "--json", cwd=cwd, script=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unibridge"]["version"] == ub.__version__


@pytest.mark.parametrize(
    ("variable", "value"),
    [("UNIBRIDGE_BACKEND", "tourch"), ("UNIBRIDGE_DEVICE", "banana"), ("UNIBRIDGE_DEFAULT_FLOAT", "int8")],
)
def test_bad_environment_variable_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    # In process (info now lists every backend first, and a child would import them all
    # again); the JSON test below runs the real command in a child.
    monkeypatch.setenv(variable, value)
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("unibridge: error:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert variable in errors[0] and repr(value) in errors[0], errors[0]


@pytest.mark.parametrize("command", [["check"], ["check", "--backend", "numpy"], ["bench", "--list"]])
@pytest.mark.parametrize(
    ("variable", "value"),
    [("UNIBRIDGE_BACKEND", "tourch"), ("UNIBRIDGE_DEVICE", "gpu"), ("UNIBRIDGE_DEFAULT_FLOAT", "float16")],
)
def test_check_and_bench_report_a_bad_environment_variable_in_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str,
    command: list[str],
) -> None:
    # UNIBRIDGE_DEVICE=gpu is bad only where no GPU is visible to the default backend (numpy: never).
    reset_defaults()
    monkeypatch.setenv(variable, value)
    try:
        assert main(command) == 2
    finally:
        reset_defaults()
    out, err = capsys.readouterr()
    assert out == "", "nothing is checked under a bad configuration"
    assert len(err.splitlines()) == 1 and err.startswith("unibridge: error:") and len(err) < 400, err
    assert variable in err and repr(value) in err, err


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [("UNIBRIDGE_BACKEND", "tourch", "UNIBRIDGE_BACKEND='tourch'"), ("UNIBRIDGE_DEVICE", "cuda", "cuda -> (not available)")],
)
def test_info_with_a_bad_configuration_still_prints_backends_and_devices(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str, shown: str
) -> None:
    monkeypatch.setenv(variable, value)  # read on first use: the autouse fixture reset the defaults
    assert main(["info"]) == 2
    out, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if line.startswith("unibridge: error:")]
    assert len(errors) == 1 and variable in errors[0], err
    assert out.startswith(f"unibridge {ub.__version__}"), out
    for info in ub.backends():  # the backend table, with each one's devices
        row = next(line for line in out.splitlines() if line.startswith(f"  {info.name} "))
        assert ("cpu" in row) == info.available, row
    assert shown in out, out


def test_bad_environment_variable_with_json_gives_a_json_error(tmp_path: Path) -> None:
    done = unibridge("info", "--json", cwd=tmp_path, env=clean_env(UNIBRIDGE_BACKEND="tourch"))
    assert done.returncode == 2
    info = json.loads(done.stdout)  # one JSON document: the report, with the error in it
    error = info["error"]
    assert error["type"] == "BackendNotFoundError" and "UNIBRIDGE_BACKEND" in error["message"]
    assert info["ok"] is False and info["configuration"] == {}
    assert {b["name"] for b in info["backends"]} == {b.name for b in ub.backends()}
    assert next(b for b in info["backends"] if b["name"] == "numpy")["devices"] == ["cpu"]


def test_check_passes_on_every_available_backend(tmp_path: Path) -> None:
    done = unibridge("check", "--json", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert done.returncode == 0, json.dumps(report, indent=1)[-3000:]
    assert report["ok"] is True
    statuses = {b["backend"]: b["status"] for b in report["backends"]}
    for info in ub.backends():
        assert statuses[info.name] == ("pass" if info.available else "skipped")


def test_check_one_backend_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--backend", "np"]) == 0
    out = capsys.readouterr().out
    assert "numpy" in out and "pass" in out and out.rstrip().endswith("all checks passed")


# A real backend with a real bug: it keeps NumPy arrays but silently narrows float64 to float32.
_BROKEN = """
import sys, numpy as np, unibridge as ub
from unibridge.adapters.numpy import NumpyBackend
class Narrowing(NumpyBackend):
    name = "narrowing"
    def from_numpy(self, a, *, device, copy):
        return a.astype(np.float32) if a.dtype == np.float64 else super().from_numpy(a, device=device, copy=copy)
ub.register_backend("narrowing", Narrowing)
from unibridge.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_check_exits_1_when_a_backend_breaks_a_promise(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BROKEN, "check", "--backend", "narrowing", "--json"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False
    (row,) = report["backends"]
    assert row["backend"] == "narrowing" and row["status"] == "fail"


def test_check_of_an_unknown_backend_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--backend", "tourch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unibridge: error:") and "tourch" in err


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["info", "--bogus"]])
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str]) -> None:
    done = unibridge(*argv, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "usage:" in done.stderr


def test_version_flag(tmp_path: Path) -> None:
    done = unibridge("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"unibridge {ub.__version__}"


def test_bench_without_the_suite_says_where_it_lives(capsys: pytest.CaptureFixture[str]) -> None:
    if find_suite() is not None:
        pytest.skip("this checkout has the benchmark suite; `make bench` runs it")
    assert main(["bench"]) == 2
    assert capsys.readouterr().err.strip() == f"unibridge: error: {NOT_FOUND}"


def test_bench_uses_the_suite_next_to_this_unibridge() -> None:
    run = find_suite()
    if run is None:
        pytest.skip("no benchmark suite in this tree (an installed package): see the test above")
    assert run.__module__.startswith("benchmarks")
    assert Path(sys.modules[run.__module__].__file__).resolve().is_relative_to(Path(ub.__file__).resolve().parents[1])


def test_tensorflows_start_up_lines_stay_off_the_terminal_unless_the_user_set_its_log_level(tmp_path: Path) -> None:
    require("tensorflow")
    env = {k: v for k, v in clean_env().items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    quiet = unibridge("check", "--backend", "tensorflow", cwd=tmp_path, env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert "oneDNN" not in quiet.stderr and "absl::InitializeLog" not in quiet.stderr, quiet.stderr
    chosen = unibridge("check", "--backend", "tensorflow", cwd=tmp_path, env={**env, "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert chosen.returncode == 0 and "oneDNN" in chosen.stderr, "the user's own level is respected"
