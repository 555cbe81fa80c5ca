"""Peers, each when installed: Keras 3 ``keras.ops.convert_to_tensor`` (one
fresh process per ``KERAS_BACKEND``, see :mod:`.keras_child`), EagerPy's
``astensor``, and array-api-compat's ``to_device``.

The Keras target is unibridge at least 5x faster, i.e. a ratio to Keras of at
most 0.2. (array-api-compat's ``device``/``array_namespace`` are compared in
the introspection group.)
"""

from __future__ import annotations

from functools import partial
from importlib.util import find_spec
from typing import Any

from ..frameworks import aligned_array, backend_ready, framework
from ..harness import Case, compare
from ..model import Ratio, Result, Skip
from ..settings import Settings
from ._child import ChildError, run_python
from ._common import add_case

GROUP = "peers"
KERAS_BACKENDS = ("torch", "tensorflow")


def _keras(s: Settings) -> tuple[list[Result], list[Skip]]:
    if not s.heavy_processes:
        return [], [Skip(GROUP, "keras", "--no-heavy-processes")]
    if find_spec("keras") is None:
        return [], [Skip(GROUP, "keras", "keras is not installed; pip install keras")]
    results: list[Result] = []
    skips: list[Skip] = []
    for backend in KERAS_BACKENDS:
        if find_spec(backend) is None:
            skips.append(Skip(GROUP, f"keras[{backend}]", f"{backend} is not installed"))
            continue
        s.say(f"[{GROUP}] keras[{backend}] in a fresh process")
        try:
            out = run_python(["-m", "benchmarks.cases.keras_child", backend, str(s.timing.loop_s),
                              str(s.timing.trials)], env={"KERAS_BACKEND": backend})
        except (ChildError, OSError) as exc:
            skips.append(Skip(GROUP, f"keras[{backend}]", str(exc)))
            continue
        for r in out["results"]:
            r["ratios"] = [Ratio(**x) for x in r["ratios"]]
            r["extra"].update(keras=out["keras"], keras_backend=out["keras_backend"])
            results.append(Result(**r))
        skips += [Skip(**k) for k in out["skipped"]]
    return results, skips


def _in_process(s: Settings) -> tuple[list[Result], list[Skip]]:
    import unibridge as ub

    cases: list[Case] = []
    skips: list[Skip] = []
    x = aligned_array(8, offset=16, align=64)
    natives: list[tuple[str, Any]] = [("numpy", x)]
    torch, why = framework("torch")
    if torch is not None and backend_ready("torch")[0]:
        natives.append(("torch", torch.ones(8)))
    tf, why = framework("tensorflow")
    if tf is not None and backend_ready("tensorflow")[0]:
        natives.append(("tensorflow", tf.ones(8)))

    ep, why = framework("eagerpy")
    if ep is None:
        skips.append(Skip(GROUP, "eagerpy", why))
    else:
        for name, a in natives:
            ref = f"{GROUP}.eagerpy.{name}.astensor"
            add_case(cases, skips, GROUP, Case(ref, f"eagerpy[{name}]: ep.astensor(x)", partial(ep.astensor, a),
                                               kind="reference"))
            add_case(cases, skips, GROUP, Case(f"{GROUP}.eagerpy.{name}.unibridge",
                                               f"eagerpy[{name}]: ub.asarray(x, backend={name!r})",
                                               partial(ub.asarray, a, backend=name), refs=(ref,), kind="unibridge"), a)

    aac, why = framework("array_api_compat")
    if aac is None:
        skips.append(Skip(GROUP, "array_api_compat", why))
    else:
        for name, a in natives:
            if name == "tensorflow":
                continue  # array_api_compat.to_device does not support TF tensors
            ref = f"{GROUP}.aac.{name}.to_device"
            add_case(cases, skips, GROUP, Case(ref, f"array-api-compat[{name}]: to_device(x, 'cpu')",
                                               partial(aac.to_device, a, "cpu"), kind="reference"))
            add_case(cases, skips, GROUP, Case(f"{GROUP}.aac.{name}.unibridge", f"array-api-compat[{name}]: "
                                               "ub.to_device(x, 'cpu')", partial(ub.to_device, a, "cpu"),
                                               refs=(ref,), kind="unibridge"), a)
    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    results, skips = _in_process(s)
    r, k = _keras(s)
    return results + r, skips + k
