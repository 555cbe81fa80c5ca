"""Turning a :class:`Report` into text tables (stdout) and JSON (a file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .model import Report, Result
from .settings import format_size

__all__ = ["format_ns", "render", "write_json", "load_json", "summary_table"]

GROUP_TITLES = {
    "overhead": "Per-call overhead, 8-element float32 (ratio = unibridge / native call, same trials)",
    "introspection": "dtype_of / device_of / shares_memory / namespace vs array-api-compat",
    "namespace": "TF namespace (xp) vs the raw TF call, 64x64 float64 eager, and a model step in tf.function",
    "imports": "Import time in fresh processes (statement only, no interpreter start-up)",
    "peers": "Peers: Keras 3 (a process per backend), EagerPy, array-api-compat",
    "model": "Model code: a 2-layer MLP training step and seeded draws (ratio = unibridge / native, same trials)",
}


def format_ns(ns: float | None) -> str:
    """A duration with a unit that keeps 3 significant digits.

    Example:
        >>> format_ns(1234), format_ns(56.7), format_ns(2.5e9)
        ('1.23 us', '56.7 ns', '2.50 s')
    """
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            v = ns / scale
            return f"{v:.3g} {unit}" if v >= 100 else f"{v:.2f} {unit}" if v < 10 else f"{v:.1f} {unit}"
    return f"{ns:.3g} ns"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def _note(r: Result) -> str:
    bits = []
    if "shares" in r.extra and r.kind not in ("baseline", "reference"):
        bits.append("shares" if r.extra["shares"] else "copies")
    if r.group == "imports" and r.extra.get("modules_loaded"):
        bits.append("loaded " + ",".join(r.extra["modules_loaded"]))
    if "rss_growth_mib" in r.extra:
        bits.append(f"RSS {r.extra['rss_growth_mib']:+.1f} MiB after warm-up; {r.extra['graph_nodes']} graph nodes at the end")
    return "; ".join(bits)


def _short_ref(name: str, ref: str) -> str:
    """Drop the ``"path: "`` prefix a reference shares with its case."""
    prefix, sep, rest = ref.partition(": ")
    return rest if sep and name.startswith(prefix + sep) else ref


def _group_table(report: Report, group: str) -> str:
    names = {r.key: r.name for r in report.results}
    rows = []
    for r in report.results:
        if r.group != group:
            continue
        ratio = r.ratios[0] if r.ratios else None
        rows.append([
            r.name,
            format_ns(r.ns),
            f"+-{r.spread_pct:.0f}%",
            f"{ratio.median:.2f}x ({ratio.lo:.2f}-{ratio.hi:.2f})" if ratio else "",
            _short_ref(r.name, names.get(ratio.ref, ratio.ref)) if ratio else "",
            _note(r),
        ])
    return _table(["case", "median", "spread", "ratio (range)", "reference", "note"], rows, {1, 2, 3})


def _scaling_table(report: Report) -> str:
    from .cases.scaling import COPY, COPYTO, ref_key

    points = [r for r in report.results if r.group == "scaling" and r.kind != "flat-ref"]
    sizes = sorted({r.size_bytes for r in points if r.size_bytes})
    by_path: dict[str, dict[int, Result]] = {}
    for r in points:
        by_path.setdefault(r.path or r.key, {})[r.size_bytes or 0] = r
    rows = []
    for path, pts in by_path.items():
        top = pts.get(sizes[-1]) if sizes else None
        first = pts.get(sizes[0]) if sizes else None
        copy = top.ratio(ref_key(COPY, sizes[-1])) if top else None
        copyto = top.ratio(ref_key(COPYTO, sizes[-1])) if top else None
        gbs = top.extra.get("gb_per_s") if top else None
        shares = top.extra.get("shares") if top else None
        kind = next(iter(pts.values())).kind or ""
        rows.append([
            path, kind + ("" if shares is None or kind in ("reference",) else (" (shares)" if shares else " (copies)")),
            *(format_ns(pts[s].ns) if s in pts else "-" for s in sizes),
            _flat(top, first, path, sizes),
            f"{gbs:.2f}" if gbs and not shares else "",
            f"{copy.median:.2f}x" if copy else "",
            f"{copyto.median:.2f}x" if copyto else "",
        ])
    headers = ["path", "kind", *(format_size(s) for s in sizes), "last/first*", "GB/s", "vs copy()", "vs copyto"]
    return _table(headers, rows, set(range(2, len(headers))))


def _flat(top: Result | None, first: Result | None, path: str, sizes: list[int]) -> str:
    """Largest over smallest size: the same-trials ratio (marked *) where one was timed."""
    from .cases.scaling import flat_ref_key

    if top is None or first is None or len(sizes) < 2:
        return ""
    r = top.ratio(flat_ref_key(path, sizes[0], sizes[-1]))
    return f"{r.median:.1f}x*" if r else f"{top.ns / first.ns:.1f}x"


def summary_table(report: Report) -> str:
    """The targets, each marked met / missed / n/a, as text."""
    rows = [[t.status.upper() if t.status == "missed" else t.status, t.target,
             f"{t.measured:.2f}x" if t.measured is not None else "-", f"<= {t.limit:g}x", t.detail]
            for t in report.targets]
    return _table(["status", "target", "measured", "limit", "detail"], rows, {2})


def render(report: Report) -> str:
    """Every group's table, the skips with their reasons, then the target summary."""
    out = []
    m = report.machine
    out.append(f"unibridge benchmarks  {report.started}  ({'quick' if report.options.get('quick') else 'full'} run, "
               f"{report.duration_s:.0f} s)")
    out.append(f"machine: {m.get('cpu', '?')}, {m.get('cpu_count', '?')} CPUs, load {m.get('load_before', '?')}; "
               f"python {m.get('python', '?')}; " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items() if v))
    out.append("Figures are medians over interleaved trials; ratios are medians of per-trial ratios to a "
               "reference timed in the same trials. Compare ratios, not absolute times across runs.")
    groups = []
    for r in report.results:
        if r.group not in groups:
            groups.append(r.group)
    for g in groups:
        if g == "scaling":
            out.append("\n## Size scaling, float32 (median time per call; GB/s and ratios at the largest size)")
            out.append(_scaling_table(report))
            out.append("* zero-copy and native paths: ratio to the same call on the smallest array, timed in the "
                       "same trials as the largest")
        else:
            out.append(f"\n## {GROUP_TITLES.get(g, g)}")
            out.append(_group_table(report, g))
    if report.skipped:
        out.append("\n## Skipped")
        out.extend(f"- [{k.group}] {k.name}: {k.reason}" for k in report.skipped)
    out.append("\n## Targets")
    out.append(summary_table(report))
    return "\n".join(out)


def write_json(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=1, default=str) + "\n")


def load_json(path: Path) -> Report:
    """A report saved by :func:`write_json` (e.g. ``benchmarks/results/latest.json``)."""
    return Report.from_json(json.loads(Path(path).read_text()))
