"""A first conversion walks through few modules, and the layers below the engine never call back up.

``ub.asarray(obj)`` is followed, in a fresh process, through the modules of ``unibridge.*``
(``tests/_walk.py``, with ``sys.setprofile``):

* a *stay* is one run of consecutive time in one module: engine -> config -> engine is three;
* a *climb* is a call from a module into one of a higher layer (the layers that
  ``test_structure.py`` holds the imports to, ``tests/_layers.py``).

The first call in a process is the one measured: it builds the selection, loads the
backends and memoizes its route, so it is the longest walk a conversion makes. The budget:
at most 20 stays and 8 climbs. A dtype change is planned by the casting policy once: the
engine calls :mod:`unibridge.casting` once and casting re-resolves no dtype.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from _layers import LEVEL

HERE = Path(__file__).resolve().parent
MAX_STAYS = 20
MAX_CLIMBS = 8

LIST = "import numpy as np, unibridge as ub\nx = [1.0, 2.0, 3.0]\n"
TORCH = "import numpy as np, torch, unibridge as ub\n"

# name -> (what runs unwatched, the call followed, the framework it needs)
FIRST_CALLS = {
    "a Python list to numpy": (LIST, "ub.asarray(x)", None),
    "a numpy array to torch": (TORCH + "x = np.ones(3, np.float32)\n", "ub.asarray(x, backend='torch')", "torch"),
    "a torch tensor to numpy": (TORCH + "x = torch.ones(3)\n", "ub.asarray(x, backend='numpy')", "torch"),
}
CASTS = {
    "a Python list to float32 numpy": (LIST, "ub.asarray(x, dtype='float32')", None),
    "a float64 numpy array to float32 torch":
        (TORCH + "x = np.ones(3)\n", "ub.asarray(x, dtype='float32', backend='torch')", "torch"),
    "a float32 torch tensor to float64 numpy":
        (TORCH + "x = torch.ones(3)\n", "ub.asarray(x, dtype='float64')", "torch"),
}


def walk(setup: str, call: str, needs: str | None) -> dict[str, Any]:
    if needs is not None:
        pytest.importorskip(needs)
    # ub.asarray is looked up unwatched: the walk starts at asarray's entry.
    watched = call.replace("ub.asarray", "asarray")
    done = subprocess.run([sys.executable, str(HERE / "_walk.py"), setup + "asarray = ub.asarray\n", watched],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def climbs(found: dict[str, Any]) -> list[str]:
    return [f"{below} -> {callee}.{function}" for _, callee, function, below in found["calls"]
            if callee in LEVEL and below in LEVEL and LEVEL[callee] > LEVEL[below]]


def shown(found: dict[str, Any]) -> str:
    return (f"{len(found['walk'])} stays: " + " > ".join(m.removeprefix("unibridge.") for m in found["walk"])
            + f"\n{len(climbs(found))} climbs: {climbs(found)}")


@pytest.mark.parametrize("name", [*FIRST_CALLS, *CASTS])
def test_a_first_conversion_never_climbs_back_up_the_layers(name: str) -> None:
    found = walk(*{**FIRST_CALLS, **CASTS}[name])
    assert len(climbs(found)) <= MAX_CLIMBS, shown(found)


@pytest.mark.parametrize("name", ["a Python list to numpy", "a numpy array to torch"])
def test_a_first_conversion_stays_in_at_most_twenty_modules(name: str) -> None:
    found = walk(*FIRST_CALLS[name])
    assert len(found["walk"]) <= MAX_STAYS, shown(found)
    assert found["walk"][0] == "unibridge.engine", shown(found)  # the engine from the entry on


@pytest.mark.parametrize("name", list(CASTS))
def test_a_dtype_change_is_planned_once_and_no_dtype_is_resolved_twice(name: str) -> None:
    found = walk(*CASTS[name])
    into_casting = [c for c in found["calls"] if c[:2] == ["unibridge.engine", "unibridge.casting"]]
    casting_to_dtypes = [c for c in found["calls"] if c[:2] == ["unibridge.casting", "unibridge.dtypes"]]
    assert len(into_casting) == 1, f"{into_casting}\n{shown(found)}"
    assert not casting_to_dtypes, f"{casting_to_dtypes}\n{shown(found)}"


def test_the_asynchronous_host_to_device_path_does_not_call_asarray_again() -> None:
    setup = (
        "import numpy as np, unibridge as ub\n"
        "from _pretend import GPU, Box, PretendBackend\n"
        "class AsyncBox(PretendBackend):\n"
        "    name = 'asyncbox'\n"
        "    def host_to_device(self, a, *, device, non_blocking):\n"
        "        return Box(a.copy(), device)\n"
        "ub.register_backend('asyncbox', AsyncBox)\n"
        "x = Box(np.ones(3), GPU)\n"  # already on the (pretend) device: nothing to stage
    )
    found = walk(setup, "ub.asarray(x, backend='asyncbox', device='gpu:0', non_blocking=True)", None)
    assert found["entered"]["unibridge.engine.asarray"] == 1, shown(found)
    assert found["entered"]["unibridge.engine._host_to_device_async"] == 1, shown(found)


def test_the_walk_counts_a_planted_call_back_up_as_a_climb_and_its_stays() -> None:
    # A function compiled as dtypes' own code (layer 1) that calls the engine (layer 6).
    planted = (LIST + "import unibridge.dtypes as d\n"
               "exec(compile('def up():\\n    import unibridge.engine as e\\n    return e.current_selection()\\n', "
               "d.__file__, 'exec'), vars(d))\n")
    found = walk(planted, "ub.asarray(x) is not None and d.up()", None)
    assert climbs(found) == ["unibridge.dtypes -> unibridge.engine.current_selection"], shown(found)
    assert found["walk"][-3:] == ["unibridge.dtypes", "unibridge.engine", "unibridge.dtypes"], shown(found)
