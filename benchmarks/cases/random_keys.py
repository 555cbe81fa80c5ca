"""The key-based generator: ``unibridge.random.uniform(key, (N,), "float32")`` against each framework's own
generator for N float32 numbers, on CPU, in the same trials.

* numpy: ``np.random.default_rng(0).random(N, dtype=float32)`` (generator made once);
* torch: ``torch.rand(N)``;
* TensorFlow: ``tf.random.uniform((N,))``, and ours under ``unibridge.jit`` (``tf.function``)
  against ``tf.function(tf.random.uniform)``;
* JAX: ``jax.random.uniform(key, (N,))`` and ours under ``unibridge.jit`` (``jax.jit``), results waited for.

Ours draws a fresh key each call inside the compiled function (the key is an argument),
so nothing is folded into a constant and nothing goes to the host.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frameworks import backend_ready, framework
from ..harness import Case, compare
from ..model import Result, Skip
from ..settings import Settings
from ._common import add_case

GROUP = "random"
N = 1_000_000
BACKENDS = ("numpy", "torch", "tensorflow", "jax")
LIMIT = 3.0


def _native(name: str, module: Any, n: int) -> dict[str, Any]:
    if name == "numpy":
        gen = np.random.default_rng(0)
        return {"eager": lambda: gen.random(n, dtype=np.float32)}
    if name == "torch":
        return {"eager": lambda: module.rand(n)}
    if name == "tensorflow":
        compiled = module.function(lambda: module.random.uniform((n,)))
        return {"eager": lambda: module.random.uniform((n,)), "jit": compiled}
    jax = module
    k = jax.random.PRNGKey(0)
    draw = jax.jit(lambda key: jax.random.uniform(key, (n,), jax.numpy.float32))
    return {"eager": lambda: draw(k).block_until_ready()}


def _ours(name: str, n: int) -> dict[str, Any]:
    import unibridge as ub

    k = ub.random.key(0, backend=name)
    eager = {"eager": lambda: ub.random.uniform(k, (n,), "float32")}
    if name == "tensorflow":
        compiled = ub.jit(lambda key: ub.random.uniform(key, (n,), "float32"), backend=name)
        eager["jit"] = lambda: compiled(k)
    if name == "jax":
        compiled = ub.jit(lambda key: ub.random.uniform(key, (n,), "float32"), backend=name)
        eager = {"eager": lambda: compiled(k).block_until_ready()}
    return eager


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    n = 4096 if s.quick else N
    cases: list[Case] = []
    skips: list[Skip] = []
    for name in BACKENDS:
        module, why = framework(name) if name != "numpy" else (np, "")
        ok, why_ub = backend_ready(name) if module is not None else (False, why)
        if not ok:
            skips.append(Skip(GROUP, f"{name} key-based uniform", why_ub))
            continue
        native, ours = _native(name, module, n), _ours(name, n)
        for kind, fn in native.items():
            ref = f"{GROUP}.{name}.{kind}.native"
            if add_case(cases, skips, GROUP, Case(ref, f"{name}: native uniform float32 ({kind})", fn, kind="native")):
                add_case(cases, skips, GROUP, Case(f"{GROUP}.{name}.{kind}.unibridge",
                                                   f"{name}: ub.random.uniform(key, ({n},)) ({kind})", ours[kind],
                                                   refs=(ref,), kind="unibridge"))
    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips
