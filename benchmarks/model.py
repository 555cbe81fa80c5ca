"""The benchmark's data: one :class:`Result` per timed call, :class:`Skip` for
what could not run here, and the :class:`Report` that holds a whole run.

Everything is plain data so that a report round-trips through JSON
(:meth:`Report.to_json` / :meth:`Report.from_json`) and ``unibridge bench``
can show the summary of a saved run without measuring again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Ratio", "Result", "Skip", "TargetRow", "Report", "SCHEMA"]

SCHEMA = 1


@dataclass
class Ratio:
    """Time of a case over the time of a reference: the median of per-trial ratios.

    Both were timed in the same trials (interleaved), so machine drift cancels.
    """

    ref: str  # the reference's key
    median: float
    lo: float
    hi: float


@dataclass
class Result:
    """One timed call: ``ns`` per call (median over trials) and the spread.

    Example:
        >>> r = Result("overhead", "overhead.x", "f(x)", 100.0, 90.0, 120.0, [100.0], 1000)
        >>> r.spread_pct
        15.0
    """

    group: str
    key: str  # stable id, e.g. "overhead.numpy->torch.unibridge"
    name: str  # what the table prints
    ns: float  # median ns per call over trials
    lo_ns: float  # fastest trial
    hi_ns: float  # slowest trial
    trials_ns: list[float]
    loops: int  # calls per trial (calibrated)
    ratios: list[Ratio] = field(default_factory=list)
    size_bytes: int | None = None
    path: str | None = None  # scaling: which conversion path this point belongs to
    kind: str | None = None  # "zero-copy", "copy", "reference", "baseline", "native"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spread_pct(self) -> float:
        """Half the min–max range, as a percentage of the median."""
        return 100.0 * (self.hi_ns - self.lo_ns) / 2.0 / self.ns if self.ns else 0.0

    def ratio(self, ref: str | None = None) -> Ratio | None:
        """The ratio to ``ref`` (a key), or the first ratio when ``ref`` is None."""
        for r in self.ratios:
            if ref is None or r.ref == ref:
                return r
        return None


@dataclass
class Skip:
    """A case or group that did not run here, and why."""

    group: str
    name: str
    reason: str


@dataclass
class TargetRow:
    """One line of the summary: a speed target and whether this run met it."""

    target: str
    measured: float | None
    limit: float
    status: str  # "met", "missed" or "n/a"
    detail: str


@dataclass
class Report:
    """A whole run: settings, machine details, results, skips and target verdicts."""

    options: dict[str, Any]
    machine: dict[str, Any]
    results: list[Result] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    started: str = ""
    duration_s: float = 0.0

    def get(self, key: str) -> Result | None:
        """The result with ``key``, or None when that case did not run."""
        for r in self.results:
            if r.key == key:
                return r
        return None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema"] = SCHEMA
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        results = []
        for r in data.get("results", []):
            r = dict(r)
            r["ratios"] = [Ratio(**x) for x in r.get("ratios", [])]
            results.append(Result(**r))
        return cls(
            options=data.get("options", {}),
            machine=data.get("machine", {}),
            results=results,
            skipped=[Skip(**s) for s in data.get("skipped", [])],
            targets=[TargetRow(**t) for t in data.get("targets", [])],
            started=data.get("started", ""),
            duration_s=data.get("duration_s", 0.0),
        )
