"""``make conformance`` without the official suite: the expected-failures file and the runner.

CI cannot fetch data-apis/array-api-tests, so these tests check what can be checked here: every
expected failure names a row of the deviations table, the runner refuses a missing or wrong
checkout with a clear message, and (on a tiny stand-in suite) it exits non-zero when a test
outside the file fails and reports listed tests that pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import conformance_runner as runner

RUNNER = Path(runner.__file__)


def test_every_expected_failure_stands_for_a_row_of_the_deviations_table():
    expected = runner.parse_expected(runner.EXPECTED_FILE.read_text(encoding="utf-8"))
    rows = set(runner.deviation_rows())
    assert expected, "the expected-failures file lists nothing"
    unknown = {deviation for deviation in expected.values() if deviation not in rows}
    assert not unknown, f"not rows of DEVIATIONS.md: {sorted(unknown)}"


def test_expected_failures_are_suite_test_ids():
    expected = runner.parse_expected(runner.EXPECTED_FILE.read_text(encoding="utf-8"))
    bad = [node for node in expected if not (node.startswith("array_api_tests/test_") and "::" in node)]
    assert not bad


@pytest.mark.parametrize(
    ("text", "message"),
    [("array_api_tests/test_a.py::test_x\n", "before any [deviation] header"),
     ("[row]\narray_api_tests/test_a.py::test_x\narray_api_tests/test_a.py::test_x\n", "listed twice")],
    ids=["id-without-deviation", "duplicate-id"],
)
def test_malformed_expected_failures_are_refused(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        runner.parse_expected(text)


def test_expected_failures_keep_the_deviation_of_their_section():
    text = "# comment\n\n[row one]\nid/a::t1\n[row two]\nid/a::t2\nid/a::t3\n"
    assert runner.parse_expected(text) == {"id/a::t1": "row one", "id/a::t2": "row two", "id/a::t3": "row two"}


def _fake_suite(root: Path, *, submodule: bool = True) -> Path:
    (root / "array_api_tests").mkdir(parents=True)
    (root / "array_api_tests" / "__init__.py").write_text("")
    if submodule:
        stubs = root / "array-api" / "src" / "array_api_stubs"
        stubs.mkdir(parents=True)
        (stubs / "__init__.py").write_text("")
    return root


@pytest.mark.parametrize(
    ("setup", "message"),
    [("unset", "ARRAY_API_TESTS_DIR is not set"), ("empty dir", "is not an array-api-tests checkout"),
     ("no submodule", "lacks its array-api submodule")],
)
def test_a_missing_or_wrong_checkout_is_refused_with_what_to_do(tmp_path, setup, message):
    value = {"unset": None, "empty dir": str(tmp_path),
             "no submodule": str(_fake_suite(tmp_path / "suite", submodule=False))}[setup]
    with pytest.raises(runner.UsageError, match=message):
        runner.check_suite_dir(value)


def test_outcomes_are_sorted_against_the_expected_failures():
    results = {"t::a": "passed", "t::b": "failed", "t::c": "failed", "t::d": "passed", "t::e": "skipped", "t::f": "error"}
    out = runner.compare(results, {"t::b": "row", "t::d": "row"})
    assert out.unexpected_failures == ["t::c", "t::f"]
    assert out.expected_failures == ["t::b"]
    assert out.unexpected_passes == ["t::d"]
    assert (len(out.passed), len(out.failed), out.skipped) == (2, 3, 1)
    assert out.percent == pytest.approx(40.0)


def _run(env_dir: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ARRAY_API_TESTS_DIR"}
    if env_dir is not None:
        env["ARRAY_API_TESTS_DIR"] = env_dir
    return subprocess.run([sys.executable, str(RUNNER), *args], capture_output=True, text=True, env=env, timeout=300)


def test_the_runner_exits_2_naming_the_variable_when_it_is_unset():
    out = _run(None)
    assert out.returncode == 2
    assert "ARRAY_API_TESTS_DIR is not set" in out.stderr


STAND_IN_TESTS = textwrap.dedent("""
    def test_listed_and_failing():
        assert False

    def test_listed_but_passing():
        pass

    def test_unlisted_and_failing():
        assert False

    def test_unlisted_and_passing():
        pass
""")


@pytest.fixture
def stand_in_suite(tmp_path, monkeypatch):
    """A two-file suite that takes the official suite's options, and an expected-failures file."""
    pytest.importorskip("xdist")
    pytest.importorskip("pytest_jsonreport")
    suite = _fake_suite(tmp_path / "suite")
    (suite / "conftest.py").write_text(
        "def pytest_addoption(parser):\n    parser.addoption('--max-examples', type=int)\n"
    )
    (suite / "array_api_tests" / "test_stand_in.py").write_text(STAND_IN_TESTS)
    return suite


def _expected_file(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "expected.txt"
    path.write_text("[a row]\n" + "".join(f"array_api_tests/test_stand_in.py::{i}\n" for i in ids))
    return path


def test_an_unlisted_failure_fails_the_run(stand_in_suite, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "EXPECTED_FILE", _expected_file(tmp_path, ["test_listed_and_failing", "test_listed_but_passing"]))
    monkeypatch.setenv("ARRAY_API_TESTS_DIR", str(stand_in_suite))
    code = runner.main([])
    assert code == 1


def test_a_run_whose_failures_are_all_listed_passes(stand_in_suite, tmp_path, monkeypatch, capsys):
    listed = ["test_listed_and_failing", "test_listed_but_passing", "test_unlisted_and_failing"]
    monkeypatch.setattr(runner, "EXPECTED_FILE", _expected_file(tmp_path, listed))
    monkeypatch.setenv("ARRAY_API_TESTS_DIR", str(stand_in_suite))
    code = runner.main([])
    report = capsys.readouterr().out
    assert code == 0
    assert "passed 2, failed 2 (50.0% passed)" in report
    assert "1 listed tests now pass" in report and "test_listed_but_passing" in report
