"""unibridge's benchmark suite: ``make bench``, ``python -m benchmarks`` or ``unibridge bench``.

Every figure is a ratio to a reference timed in the same process and the same
interleaved trials (calibrated ~20 ms loops, medians, spread), because the
machine is noisy. Groups: per-call overhead, size scaling (1 KiB..256 MiB),
introspection vs array-api-compat, import time, and peers (Keras 3, EagerPy,
array-api-compat). Results go to stdout as tables with each target marked met
or missed, to ``benchmarks/results/latest.json`` with the machine's details,
and to a PNG of time against size when matplotlib is installed.

Example (what ``unibridge bench --quick`` does)::

    import benchmarks
    benchmarks.run(["--quick", "--only", "overhead"])   # prints, writes JSON; returns 0
    rows = benchmarks.summary_rows()                     # the targets of the last run, as dicts
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from .cli import DEFAULT_JSON, measure, run
from .model import Report, TargetRow

__all__ = ["run", "measure", "summary_rows", "Report", "TargetRow", "DEFAULT_JSON"]


def summary_rows(report: Report | str | Path | None = None) -> list[dict[str, Any]]:
    """The summary table as data: one dict per target with ``target``,
    ``measured`` (a ratio, or None), ``limit``, ``status`` ("met", "missed",
    "n/a") and ``detail``.

    ``report`` is a :class:`Report`, a path to a saved JSON, or None for the
    last run's ``benchmarks/results/latest.json``.

    Example:
        >>> import benchmarks
        >>> rows = benchmarks.summary_rows(benchmarks.Report(options={}, machine={}))
        >>> rows
        []
    """
    from .report import load_json

    if not isinstance(report, Report):
        report = load_json(Path(report) if report is not None else DEFAULT_JSON)
    return [asdict(t) for t in report.targets]
