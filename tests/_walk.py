"""Follow one call through unibridge's modules, in a fresh process: ``python _walk.py SETUP CALL``.

SETUP runs first, unwatched (imports, the input, ``asarray = ub.asarray``); then CALL runs
under ``sys.setprofile``. Printed as JSON:

* ``walk``: the modules of ``unibridge.*`` the call is in, in order, each run of one module
  counted once (a *stay*); time spent outside the package (NumPy, torch) is not a stay, and
  a module body run by an import on the way is not part of the walk;
* ``calls``: every call from one ``unibridge.*`` module into another, as
  ``[caller module, callee module, callee function, layered caller]``: the caller is the
  nearest ``unibridge.*`` frame below (a call through NumPy counts as made by the unibridge
  module that started it), the layered caller the nearest frame below in a module of
  :data:`_layers.LAYERS` (a backend, which sits outside the layers, calling back up into the
  engine counts as made by the layer that called the backend);
* ``entered``: how many times each function of ``unibridge.*`` was entered, as
  ``{"module.function": count}``.
"""

from __future__ import annotations

import json
import sys
from types import FrameType
from typing import Any

from _layers import LEVEL

PACKAGE = "unibridge"


def _module(frame: FrameType | None) -> str:
    return frame.f_globals.get("__name__", "") if frame is not None else ""


def _ours(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def watch(call: str, namespace: dict[str, Any]) -> dict[str, Any]:
    walk: list[str] = []
    calls: list[list[str]] = []
    entered: dict[str, int] = {}
    importing = 0

    def stay(module: str) -> None:
        if _ours(module) and (not walk or walk[-1] != module):
            walk.append(module)

    def is_import(frame: FrameType) -> bool:
        return frame.f_code.co_name == "<module>" and _module(frame) != "__main__"

    def caller_of(frame: FrameType, wanted: Any) -> str:
        below = frame.f_back
        while below is not None and not wanted(_module(below)):
            below = below.f_back
        return _module(below)

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal importing
        if event == "call":
            if importing or is_import(frame):
                importing += is_import(frame)
                return
            callee = _module(frame)
            stay(callee)
            if _ours(callee):
                name = f"{callee}.{frame.f_code.co_name}"
                entered[name] = entered.get(name, 0) + 1
            caller = caller_of(frame, _ours)
            if _ours(callee) and caller and caller != callee:
                calls.append([caller, callee, frame.f_code.co_name, caller_of(frame, LEVEL.__contains__)])
        elif event == "return":
            if is_import(frame):
                importing -= 1
            elif not importing:
                stay(_module(frame.f_back))

    sys.setprofile(profile)
    try:
        exec(call, namespace)
    finally:
        sys.setprofile(None)
    return {"walk": walk, "calls": calls, "entered": entered}


def main(argv: list[str]) -> None:
    setup, call = argv
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(setup, namespace)
    print(json.dumps(watch(call, namespace)))


if __name__ == "__main__":
    main(sys.argv[1:])
