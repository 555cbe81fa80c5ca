"""Summarise a finished ``mutmut run`` (``tools/mutation/run.py`` runs it after each target).

    python -m tools.mutation.summary --where mutants/core [--equivalent docs/mutation-report.md] [--out FILE]

Reads mutmut's result files under ``WHERE/mutants/`` (WHERE: the directory mutmut ran in), counts each outcome, and lists every mutant that
was not killed with its file:line and its change. Mutants that the report lists as equivalent
(a line ``- `name` ... equivalent: why``) are counted apart: the score is killed (timeouts
included) over the mutants that can change behaviour. With ``--only FILE`` (a sample's names, one a
line, as ``run.py --sample`` writes them) only those mutants count, and the score gets a 95%
Wilson interval for the whole population.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
          37: "killed"}
NAMED = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked", 34: "skipped", -11: "segfault",
         -9: "segfault"}
_KEY = re.compile(r"^(?P<module>[\w.]+)\.x(?:ǁ(?P<cls>\w+)ǁ|_)(?P<func>\w+?)__mutmut_(?P<n>\d+)$")


def outcomes(where: Path) -> dict[str, str]:
    """Each mutant's outcome, by name."""
    found: dict[str, str] = {}
    for meta in sorted((where / "mutants").rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        for name, code in data["exit_code_by_key"].items():
            found[name] = KILLED.get(code) or NAMED.get(code, f"suspicious (exit {code})")
    return found


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion ``hits / n`` (a sample's score).

    Example:
        >>> [round(x, 3) for x in wilson(90, 100)]
        [0.826, 0.945]
    """
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def function_line(where: Path, module: str, cls: str | None, func: str) -> tuple[Path, int]:
    path = where / (module.replace(".", "/") + ".py")
    if not path.exists():  # mutmut names a package's __init__.py by the package
        path = where / module.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text())
    scope: list[ast.stmt] = tree.body
    if cls:
        scope = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    node = next(n for n in scope if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == func)
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return path.relative_to(where), first


def change(where: Path, name: str) -> tuple[str, int, list[str]]:
    """``(file, line, changed lines)`` of one mutant, from ``mutmut show``."""
    match = _KEY.match(name)
    assert match, name
    shown = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "show", name], cwd=where,
                           capture_output=True, text=True).stdout.splitlines()
    offset, changed = 0, []
    for i, text in enumerate(shown):
        hunk = re.match(r"^@@ -(\d+)", text)
        if hunk:
            start = int(hunk.group(1))
            body = shown[i + 1:]
            minus = next((j for j, t in enumerate(l for l in body if not l.startswith("+")) if t.startswith("-")), 0)
            offset = start - 1 + minus
        elif (text.startswith("-") or text.startswith("+")) and not text.startswith(("---", "+++")):
            changed.append(text)
    path, first = function_line(where, match["module"], match["cls"], match["func"])
    line = first + offset
    removed = next((c[1:] for c in changed if c.startswith("-")), None)
    if removed is not None:  # mutmut's hunk numbering can be off by a line: find the removed line nearby
        source = (where / path).read_text().splitlines()
        near = [n for n in range(line - 3, line + 4) if 0 < n <= len(source) and source[n - 1].strip() == removed.strip()]
        if near:
            line = min(near, key=lambda n: abs(n - line))
    return str(path), line, changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--equivalent", default="docs/mutation-report.md",
                        help="the report whose '- `name` ... equivalent:' lines count as equivalent")
    parser.add_argument("--where", default=".", help="the directory mutmut ran in (default: the project)")
    parser.add_argument("--out", help="the summary to write (default: WHERE/summary.md)")
    parser.add_argument("--only", help="count only the mutants named in this file (a sample), one a line")
    args = parser.parse_args(argv)
    where = (REPO / args.where).resolve()
    found = outcomes(where)
    generated = len(found)
    if args.only:
        chosen = set(Path(args.only).read_text().split())
        found = {n: o for n, o in found.items() if n in chosen}
    report = REPO / args.equivalent
    equivalent = set()
    if report.exists():
        equivalent = {m.group(1) for m in re.finditer(r"^- `([^`]+)`.*equivalent:", report.read_text(), re.M)}
    counts = Counter(found.values())
    left = sorted(n for n, o in found.items() if o not in ("killed", "timeout"))
    not_equivalent = len(found) - len([n for n in left if n in equivalent])
    killed = counts["killed"] + counts["timeout"]
    sampled = []
    if args.only:
        low, high = wilson(killed, not_equivalent)
        sampled = [f"a random sample of {len(found)} of the {generated} mutants generated; "
                   f"95% interval of the whole target's score: {100 * low:.1f}% to {100 * high:.1f}%"]
    lines = [
        *sampled,
        f"mutants: {len(found)}; " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
        f"listed as equivalent: {len([n for n in left if n in equivalent])}",
        f"score: {killed} / {not_equivalent} = {100 * killed / max(1, not_equivalent):.1f}% "
        f"of the mutants that can change behaviour killed",
        "",
    ]
    for name in left:
        path, line, changed = change(where, name)
        tag = "equivalent (listed)" if name in equivalent else found[name]
        lines.append(f"- `{name}` {path}:{line} — {tag}")
        lines.extend(f"      {c}" for c in changed[:6])
    text = "\n".join(lines) + "\n"
    out = REPO / args.out if args.out else where / "summary.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print("\n".join(lines[:3 + len(sampled)]))
    print(f"(every mutant not killed, with its change: {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
