"""``dtype_of``, ``device_of``, ``shares_memory`` and ``namespace()`` against
the nearest array-api-compat call (``device``, ``array_namespace``), on a
NumPy array, a torch tensor and a TensorFlow tensor, in one comparison.

array-api-compat has no ``dtype``/``shares_memory`` function: ``dtype_of`` and
``device_of`` are compared with ``array_api_compat.device`` (the target is
"dtype_of no slower than device"), ``namespace()`` and ``shares_memory`` with
``array_namespace`` (one and two arrays). The raw attribute read is shown as a floor.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from ..frameworks import backend_ready, framework
from ..harness import Case, compare
from ..model import Result, Skip
from ..settings import Settings
from ._common import add_case

GROUP = "introspection"


def key(kind: str, what: str) -> str:
    return f"{GROUP}.{kind}.{what}"


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    import unibridge as ub

    cases: list[Case] = []
    skips: list[Skip] = []
    aac, why_aac = framework("array_api_compat")
    if aac is None:
        return [], [Skip(GROUP, "all", why_aac)]

    arrays: list[tuple[str, str, Any, Any]] = [("numpy", "numpy", np.ones(8, np.float32), None)]
    torch, why = framework("torch")
    ok, why = backend_ready("torch") if torch else (False, why)
    if ok:
        t = torch.ones(8)
        arrays.append(("torch", "torch", t, t[2:]))
    else:
        skips.append(Skip(GROUP, "torch tensor", why))
    tf, why = framework("tensorflow")
    ok, why = backend_ready("tensorflow") if tf else (False, why)
    if ok:
        arrays.append(("tensorflow", "tensorflow", tf.ones(8), None))
    else:
        skips.append(Skip(GROUP, "tensorflow tensor", why))

    for kind, backend, x, view in arrays:
        if view is None and kind == "numpy":
            view = x[2:]
        device_ref = key(kind, "aac.device")
        ns_ref = key(kind, "aac.array_namespace")
        add = partial(add_case, cases, skips, GROUP)
        add(Case(device_ref, f"{kind}: array_api_compat.device(x)", partial(aac.device, x), kind="reference"))
        add(Case(ns_ref, f"{kind}: array_api_compat.array_namespace(x)", partial(aac.array_namespace, x),
                 kind="reference"))
        add(Case(key(kind, "x.dtype"), f"{kind}: [floor] x.dtype", partial(getattr, x, "dtype"), refs=(device_ref,),
                 kind="baseline"))
        add(Case(key(kind, "dtype_of"), f"{kind}: ub.dtype_of(x)", partial(ub.dtype_of, x), refs=(device_ref,),
                 kind="unibridge"))
        add(Case(key(kind, "device_of"), f"{kind}: ub.device_of(x)", partial(ub.device_of, x), refs=(device_ref,),
                 kind="unibridge"))
        add(Case(key(kind, "namespace"), f"{kind}: ub.namespace('{backend}')", partial(ub.namespace, backend),
                 refs=(ns_ref,), kind="unibridge"))
        add(Case(key(kind, "namespace-active"), f"{kind}: ub.namespace() in use('{backend}')", ub.namespace,
                 refs=(ns_ref,), kind="unibridge", context=partial(ub.use, backend)))
        if view is not None:
            pair_ref = key(kind, "aac.array_namespace2")
            add(Case(pair_ref, f"{kind}: array_api_compat.array_namespace(x, view)",
                     partial(aac.array_namespace, x, view), kind="reference"))
            add(Case(key(kind, "shares_memory"), f"{kind}: ub.shares_memory(x, view)",
                     partial(ub.shares_memory, x, view), refs=(pair_ref,), kind="unibridge"))
        if kind == "numpy":
            add(Case(key(kind, "np.shares_memory"), "numpy: [native] np.shares_memory(x, view)",
                     partial(np.shares_memory, x, view), refs=(key(kind, "aac.array_namespace2"),), kind="native"))

    if torch is not None and any(a[0] == "torch" for a in arrays):
        x = np.ones(8, np.float32)
        add_case(cases, skips, GROUP, Case(key("numpy+torch", "shares_memory"),
                 "numpy+torch: ub.shares_memory(x, torch.from_numpy(x))",
                 partial(ub.shares_memory, x, torch.from_numpy(x)),
                 refs=(key("numpy", "aac.array_namespace2"), key("numpy", "np.shares_memory")), kind="unibridge"))

    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips
