"""A PNG of time against size for every scaling path, with memcpy as the
reference line (``np.copyto`` into faulted-in memory). Needs matplotlib;
without it the run notes that no plot was drawn."""

from __future__ import annotations

from pathlib import Path

from .model import Report, Result

__all__ = ["draw"]

_STYLE = {"zero-copy": "-", "copy": "--", "native shares": ":", "native copies": ":"}


def draw(report: Report, path: Path) -> str:
    """Write the plot to ``path``; return a line saying where, or why not."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, never a window
        import matplotlib.pyplot as plt
    except Exception as exc:  # noqa: BLE001 - optional dependency
        return f"no plot: matplotlib is not importable ({type(exc).__name__}); pip install matplotlib"
    by_path: dict[str, list[Result]] = {}
    for r in report.results:
        if r.group == "scaling" and r.size_bytes and r.kind != "flat-ref":
            by_path.setdefault(r.path or r.key, []).append(r)
    if not by_path:
        return "no plot: the scaling group did not run"
    from .settings import format_size

    fig, axes = plt.subplots(1, 2, figsize=(15, 7), sharey=True)
    panels = (("zero-copy paths (should be flat)", ("zero-copy", "native shares")),
              ("copying paths (should track the references)", ("copy", "native copies")))
    cmap = plt.get_cmap("tab20")
    colors = [cmap(i) for i in range(20)]
    for ax, (title, kinds) in zip(axes, panels):
        for i, (name, pts) in enumerate(sorted(by_path.items())):
            pts.sort(key=lambda r: r.size_bytes or 0)
            xs = [r.size_bytes for r in pts]
            ys = [r.ns / 1e3 for r in pts]
            kind = pts[0].kind or ""
            if kind == "native":  # native calls go with the paths they are an alternative to
                kind = "native shares" if pts[-1].extra.get("shares") else "native copies"
            if name == "ref.copyto":
                ax.plot(xs, ys, color="black", linewidth=2.5, label="memcpy: np.copyto into faulted-in memory")
            elif name == "ref.copy":
                ax.plot(xs, ys, color="gray", linewidth=2, linestyle="-.", label="src.copy() (fresh memory + copy)")
            elif kind in kinds:
                err = [[(r.ns - r.lo_ns) / 1e3 for r in pts], [(r.hi_ns - r.ns) / 1e3 for r in pts]]
                ax.errorbar(xs, ys, yerr=err, linestyle=_STYLE.get(kind, "-"), marker="o", markersize=3,
                            capsize=2, color=colors[i % len(colors)], label=f"{name} [{kind}]")
        sizes = sorted({r.size_bytes for pts in by_path.values() for r in pts if r.size_bytes})
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(sizes, [format_size(n) for n in sizes], rotation=30, fontsize=8)
        ax.set_xlabel("array size (float32)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("time per call (us; median, bars: fastest/slowest trial)")
    fig.suptitle(f"unibridge conversions vs size: {report.started}, {report.machine.get('cpu', '')}, "
                 f"{report.machine.get('cpu_count', '?')} CPUs", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"plot: {path}"
