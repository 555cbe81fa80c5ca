"""Every ```python block in README.md runs as written.

A block whose first lines say ``# requires: <backend>`` is skipped, with the
reason, when that backend is not available here.
"""

from __future__ import annotations

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
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "readme"})


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
