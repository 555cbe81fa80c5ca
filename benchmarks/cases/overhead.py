"""Per-call overhead: ``asarray`` of an 8-element float32 array against the
native call for each conversion path, all interleaved in one comparison.

The numpy source sits 16 bytes past a 64-byte boundary (NumPy guarantees only
16-byte alignment; large fresh allocations land there, small ones anywhere on a
16-byte grid, see docs/framework-facts.md): into TensorFlow that is the aligned-copy
path. A second, 64-byte-aligned source gives TensorFlow's zero-copy path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ContextManager

import numpy as np

from ..frameworks import aligned_array, backend_ready, framework
from ..harness import Case, compare
from ..model import Result, Skip
from ..settings import Settings
from ._common import add_case

GROUP = "overhead"
# unibridge's calls for one path: (key suffix, printed name, call, context factory or None)
Ours = tuple[str, str, Callable[[], Any], "Callable[[], ContextManager[Any]] | None"]
N = 8


def key(path: str, who: str) -> str:
    return f"{GROUP}.{path}.{who}"


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    import unibridge as ub

    cases: list[Case] = []
    skips: list[Skip] = []
    none: list[Ours] = []
    x = aligned_array(N, offset=16, align=64)  # like a typical np allocation (16 mod 64)
    x64 = aligned_array(N, align=64)

    def pair(path: str, src: Any, native: tuple[str, Callable[[], Any]] | None, ours: list[Ours]) -> None:
        """Add the native call (the reference) and unibridge's calls for one path."""
        refs: tuple[str, ...] = ()
        if native is not None:
            name, fn = native
            if add_case(cases, skips, GROUP, Case(key(path, "native"), f"{path}: {name}", fn, kind="native"), src):
                refs = (key(path, "native"),)
        for who, name, fn, ctx in ours:
            add_case(cases, skips, GROUP,
                     Case(key(path, who), f"{path}: {name}", fn, refs=refs, kind="unibridge", context=ctx), src)

    add_case(cases, skips, GROUP, Case(f"{GROUP}.baseline.id", "[baseline] id(x)", partial(id, x), kind="baseline"))
    add_case(cases, skips, GROUP, Case(f"{GROUP}.baseline.copy", "[baseline] x.copy()", x.copy, kind="baseline"), x)
    pair("numpy->numpy", x, ("np.asarray(x)", partial(np.asarray, x)),
         [("unibridge", "ub.asarray(x, backend='numpy')", partial(ub.asarray, x, backend="numpy"), None),
          ("unibridge-active", "ub.asarray(x) in use('numpy')", partial(ub.asarray, x), partial(ub.use, "numpy"))])

    torch, why_torch = framework("torch")
    torch_ok, why_ub_torch = backend_ready("torch") if torch else (False, why_torch)
    tf, why_tf = framework("tensorflow")
    tf_ok, why_ub_tf = backend_ready("tensorflow") if tf else (False, why_tf)

    if torch is None:
        skips.append(Skip(GROUP, "numpy->torch, torch->numpy", why_torch))
    else:
        t = torch.ones(N, dtype=torch.float32)
        ours: list[Ours] = [("unibridge", "ub.asarray(x, backend='torch')", partial(ub.asarray, x, backend="torch"), None),
                ("unibridge-active", "ub.asarray(x) in use('torch')", partial(ub.asarray, x), partial(ub.use, "torch"))]
        if not torch_ok:
            skips.append(Skip(GROUP, "unibridge torch rows", why_ub_torch))
        pair("numpy->torch", x, ("torch.from_numpy(x)", partial(torch.from_numpy, x)), ours if torch_ok else none)
        ours = [("unibridge", "ub.asarray(t, backend='numpy')", partial(ub.asarray, t, backend="numpy"), None),
                ("to_numpy", "ub.to_numpy(t)", partial(ub.to_numpy, t), None)]
        pair("torch->numpy", t, ("t.numpy()", t.numpy), ours if torch_ok else none)

    if tf is None:
        skips.append(Skip(GROUP, "tensorflow rows", why_tf))
    else:
        if not tf_ok:
            skips.append(Skip(GROUP, "unibridge tensorflow rows", why_ub_tf))
        for label, src in (("numpy(16 mod 64)->tensorflow", x), ("numpy(64B-aligned)->tensorflow", x64)):
            ours = [("unibridge", "ub.asarray(x, backend='tensorflow')",
                     partial(ub.asarray, src, backend="tensorflow"), None),
                    ("unibridge-active", "ub.asarray(x) in use('tensorflow')", partial(ub.asarray, src),
                     partial(ub.use, "tensorflow"))]
            pair(label, src, ("tf.convert_to_tensor(x)", partial(tf.convert_to_tensor, src)), ours if tf_ok else none)
        tf_t = tf.ones(N, dtype=tf.float32)
        ours = [("unibridge", "ub.asarray(tf_t, backend='numpy')", partial(ub.asarray, tf_t, backend="numpy"), None)]
        pair("tensorflow->numpy", tf_t, ("np.asarray(tf_t)", partial(np.asarray, tf_t)), ours if tf_ok else none)
        if torch is not None:
            t = torch.ones(N, dtype=torch.float32)
            from_dlpack = tf.experimental.dlpack.from_dlpack
            ours = [("unibridge", "ub.asarray(t, backend='tensorflow')",
                     partial(ub.asarray, t, backend="tensorflow"), None)]
            pair("torch->tensorflow", t, ("tf...from_dlpack(t.__dlpack__())", lambda: from_dlpack(t.__dlpack__())),
                 ours if tf_ok and torch_ok else none)
            ours = [("unibridge", "ub.asarray(tf_t, backend='torch')", partial(ub.asarray, tf_t, backend="torch"), None)]
            pair("tensorflow->torch", tf_t, ("torch.from_dlpack(tf_t)", partial(torch.from_dlpack, tf_t)),
                 ours if tf_ok and torch_ok else none)

    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips
