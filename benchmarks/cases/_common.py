"""Helpers the case modules share: probing a conversion once before timing it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ..harness import Case
from ..model import Skip

__all__ = ["probe", "add_case", "type_name"]


def type_name(x: Any) -> str:
    t = type(x)
    return f"{t.__module__.partition('.')[0]}.{t.__name__}"


def probe(src: Any, fn: Callable[[], Any]) -> dict[str, Any]:
    """Call ``fn`` once and say what it returned and whether it shares ``src``'s memory."""
    import unibridge as ub

    out = fn()
    info: dict[str, Any] = {"result_type": type_name(out)}
    if src is not None:
        try:
            info["shares"] = bool(ub.shares_memory(src, out))
        except Exception as exc:  # noqa: BLE001 - the probe is informative only
            info["shares"] = None
            info["shares_error"] = f"{type(exc).__name__}: {exc}"
    del out
    return info


def add_case(
    cases: list[Case], skips: list[Skip], group: str, case: Case, src: Any = None
) -> bool:
    """Probe ``case`` once; append it to ``cases``, or a :class:`Skip` with the error."""
    try:
        with case.context() if case.context is not None else contextlib.nullcontext():
            case.extra.update(probe(src, case.fn))
    except Exception as exc:  # noqa: BLE001 - reported as a skip with the reason
        skips.append(Skip(group, case.name, f"raised {type(exc).__name__}: {exc}"))
        return False
    cases.append(case)
    return True
