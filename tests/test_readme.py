"""Every ```python block in README.md runs as written, and prints what it says it prints.

A block whose first lines say ``# requires: <backend>`` is skipped, with the
reason, when that backend is not available here.

Every line that calls ``print(`` ends in a comment that is its output: the block's
output must be exactly those lines, in order (a print that never runs, such as one
in an ``except`` clause when nothing was raised, fails the test). In the comment,
``...`` stands for any text, and `` — `` starts a note that is not output.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from _backends import availability

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_REQUIRES = re.compile(r"^# requires: (.+)$", re.MULTILINE)


def python_blocks() -> list[tuple[int, str]]:
    """``(line number, code)`` of each python block in README.md."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def test_readme_has_python_blocks() -> None:
    assert len(python_blocks()) >= 4


@pytest.mark.parametrize(("line", "code"), python_blocks(), ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_readme_block_runs(line: int, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("UNIBRIDGE_BACKEND", "UNIBRIDGE_DEVICE", "UNIBRIDGE_DEFAULT_FLOAT"):
        monkeypatch.delenv(var, raising=False)
    for match in _REQUIRES.finditer(code):
        for name in match.group(1).replace(",", " ").split():
            ok, reason = availability(name)
            if not ok:
                pytest.skip(f"README.md:{line} needs backend {name!r}: {reason}")
    expected = printed_lines(line, code)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "readme"})
    got = out.getvalue().splitlines()
    assert len(got) == len(expected), f"README.md:{line} printed {got}, its comments say {expected}"
    for (where, want), have in zip(expected, got):
        pattern = ".*".join(re.escape(part) for part in want.split("..."))
        assert re.fullmatch(pattern, have), f"README.md:{where} printed {have!r}, its comment says {want!r}"


_PRINT = re.compile(r"\bprint\(")


def printed_lines(line: int, code: str) -> list[tuple[int, str]]:
    """``(README line, expected output)`` for each ``print(`` line of a block, from its comment."""
    expected = []
    for offset, text in enumerate(code.splitlines()):
        if not _PRINT.search(text):
            continue
        code_part, sep, comment = text.partition("  # ")
        assert sep and comment.strip(), f"README.md:{line + offset}: a print without its output as a comment"
        expected.append((line + offset, comment.split(" — ")[0].strip()))
    return expected


def test_a_print_in_an_except_clause_that_never_runs_fails_the_block() -> None:
    # The check itself, on a block that catches an error that is never raised.
    block = "try:\n    x = 1\nexcept ValueError as e:\n    print(e)  # invalid literal...\n"
    assert printed_lines(1, block) == [(4, "invalid literal...")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(block, {})
    assert out.getvalue().splitlines() != [line for _, line in printed_lines(1, block)]


def test_readme_lists_every_public_function() -> None:
    import unibridge as ub

    text = README.read_text(encoding="utf-8")
    for name in ub.__all__:
        if name.startswith("__"):
            continue
        assert f"`{name}" in text, f"README.md does not mention {name}"


def test_readme_carries_the_tensorflow_deviations_table_verbatim() -> None:
    text = README.read_text(encoding="utf-8")
    deviations = (README.parent / "unibridge/adapters/tensorflow/array_api/DEVIATIONS.md").read_text()
    rows = [line for line in deviations.splitlines() if line.startswith("| ")]
    assert rows and all(row in text for row in rows), "README's deviations table is out of date"


def test_readme_documents_every_public_function_and_variable() -> None:
    import unibridge
    from unibridge.config import ENV_VARS

    text = README.read_text(encoding="utf-8")
    for name in unibridge.__all__:
        if callable(getattr(unibridge, name)) and not isinstance(getattr(unibridge, name), type):
            assert f"`{name}(" in text, f"README's API table lacks {name}"
    for var in ENV_VARS:
        assert f"`{var}`" in text
