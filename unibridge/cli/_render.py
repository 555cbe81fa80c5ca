"""Plain-text tables and JSON output for the command line (no colours, no framework)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["table", "emit_json", "one_line"]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, indent: str = "  ") -> str:
    """Render ``rows`` under ``headers`` as a left-aligned text table.

    Example:
        >>> print(table(["a", "bb"], [[1, "x"]]))
          a  bb
          1  x
    """
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(indent + line for line in lines)


def emit_json(payload: Any, stream: TextIO | None = None) -> None:
    """Write ``payload`` as indented JSON followed by a newline.

    Example:
        >>> emit_json({"ok": True})
        {
          "ok": true
        }
    """
    out = sys.stdout if stream is None else stream
    out.write(json.dumps(payload, indent=2, default=str) + "\n")


def one_line(text: object) -> str:
    """Collapse ``text`` to a single line (error messages may span several).

    Example:
        >>> one_line("a\\n  b")
        'a b'
    """
    return " ".join(str(text).split())
