"""MkDocs hook: the README's sections and the plugins' READMEs as pages of the site.

The README stays the one source users read on the repository page; at build time
each of its ``## `` sections becomes a page under ``guide/`` (the text before the
first section becomes the home page), and ``backends/<name>/README.md`` becomes
``backends/<name>.md``. Links between repository files are rewritten to the
pages they became; a link to a file that exists but is not a page (a script,
an example) becomes plain code text; a link to nothing is left as it is, so the
strict build fails on it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
_LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)\s]*)?\)")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"


def _sections(text: str) -> list[tuple[str, str]]:
    """``(title, markdown)`` for the part before the first ``## `` heading, then each section."""
    parts: list[tuple[str, str]] = []
    title, lines, fenced = "unibridge", [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if line.startswith("## ") and not fenced:
            parts.append((title, "\n".join(lines)))
            title, lines = line[3:].strip(), [f"# {line[3:].strip()}"]
            continue
        lines.append(line)
    parts.append((title, "\n".join(lines)))
    return parts


def _rewrite_links(markdown: str, page: str, pages: dict[str, str]) -> str:
    """Links to repository files, made relative to ``page`` (a path in the site), or plain code."""
    depth = page.count("/")

    def fix(match: re.Match[str]) -> str:
        label, target, anchor = match.group(1), match.group(2), match.group(3) or ""
        if "://" in target or target.startswith("mailto:"):
            return match.group(0)
        repo_path = target.removeprefix("./")
        if repo_path in pages:
            return f"[{label}]({'../' * depth}{pages[repo_path]}{anchor})"
        if not (ROOT / repo_path).exists():
            return match.group(0)  # really broken: left as it is, so the strict build fails on it
        return f"{label} (`{repo_path}`)" if label.strip("`") != repo_path else f"`{repo_path}`"

    return _LINK.sub(fix, markdown)


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages (MkDocs calls this once per build)."""
    pages: dict[str, str] = {}
    for name in ("framework-facts.md", "mutation-report.md", "writing-a-backend.md"):
        pages[f"docs/{name}"] = name
    plugin_readmes = sorted(ROOT.glob("backends/*/README.md"))
    for readme in plugin_readmes:
        pages[str(readme.relative_to(ROOT))] = f"backends/{readme.parent.name}.md"
    sections = _sections((ROOT / "README.md").read_text(encoding="utf-8"))
    for i, (title, _) in enumerate(sections):
        pages.setdefault("README.md", "index.md")
        if i:
            pages[f"README.md#{_slug(title)}"] = f"guide/{i:02d}-{_slug(title)}.md"
    for i, (title, markdown) in enumerate(sections):
        uri = "index.md" if i == 0 else f"guide/{i:02d}-{_slug(title)}.md"
        if i == 0:
            markdown += "\n\n" + "\n".join(
                f"- [{t}](guide/{j:02d}-{_slug(t)}.md)" for j, (t, _) in enumerate(sections) if j
            )
        files.append(File.generated(config, uri, content=_rewrite_links(markdown, uri, pages)))
    for readme in plugin_readmes:
        uri = pages[str(readme.relative_to(ROOT))]
        text = _rewrite_links(readme.read_text(encoding="utf-8"), uri, pages)
        files.append(File.generated(config, uri, content=text))
    return files
