"""The key-based generator: ``unibridge.random.uniform(key, (N,), "float32")`` and ``normal`` against each
framework's own generator for N float32 numbers, on CPU, in the same trials.

* numpy: ``np.random.default_rng(0).random(N, dtype=float32)`` / ``.standard_normal`` (generator made once);
* torch: ``torch.rand(N)`` / ``torch.randn(N)``;
* TensorFlow: ``tf.random.uniform((N,))`` / ``tf.random.normal``, and ours under ``unibridge.jit``
  (``tf.function``) against the same under ``tf.function``;
* JAX: ``jax.random.uniform(key, (N,))`` / ``jax.random.normal`` and ours under ``unibridge.jit``
  (``jax.jit``), results waited for.

Ours draws a fresh key each call inside the compiled function (the key is an argument),
so nothing is folded into a constant and nothing goes to the host. (The frameworks'
normals are other algorithms: NumPy's ziggurat, Box-Muller elsewhere; ours is JAX's
inverse-erf transform, so it is compared with what each framework offers for the job.)
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
DRAWS = ("uniform", "normal")
SUFFIX = {"uniform": "", "normal": ".normal"}  # uniform keeps its case names (the README's figures and targets)


def _native(name: str, module: Any, n: int, draw: str) -> dict[str, Any]:
    if name == "numpy":
        gen = np.random.default_rng(0)
        numpy_draw = gen.random if draw == "uniform" else gen.standard_normal
        return {"eager": lambda: numpy_draw(n, dtype=np.float32)}
    if name == "torch":
        torch_draw = module.rand if draw == "uniform" else module.randn
        return {"eager": lambda: torch_draw(n)}
    if name == "tensorflow":
        tf_draw = getattr(module.random, draw)
        compiled = module.function(lambda: tf_draw((n,)))
        return {"eager": lambda: tf_draw((n,)), "jit": compiled}
    jax = module
    k = jax.random.PRNGKey(0)
    jax_draw = getattr(jax.random, draw)
    jitted = jax.jit(lambda key: jax_draw(key, (n,), jax.numpy.float32))
    return {"eager": lambda: jitted(k).block_until_ready()}


def _ours(name: str, n: int, draw: str) -> dict[str, Any]:
    import unibridge as ub

    k = ub.random.key(0, backend=name)
    ub_draw = getattr(ub.random, draw)

    def from_key(key: Any) -> Any:
        return ub_draw(key, (n,), "float32")

    eager = {"eager": lambda: from_key(k)}
    if name == "tensorflow":
        compiled = ub.jit(from_key, backend=name)
        eager["jit"] = lambda: compiled(k)
    if name == "jax":
        compiled = ub.jit(from_key, backend=name)
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
            skips.append(Skip(GROUP, f"{name} key-based draws", why_ub))
            continue
        for draw in DRAWS:
            native, ours = _native(name, module, n, draw), _ours(name, n, draw)
            for kind, fn in native.items():
                ref = f"{GROUP}.{name}.{kind}.native{SUFFIX[draw]}"
                if add_case(cases, skips, GROUP, Case(ref, f"{name}: native {draw} float32 ({kind})", fn, kind="native")):
                    add_case(cases, skips, GROUP, Case(f"{GROUP}.{name}.{kind}.unibridge{SUFFIX[draw]}",
                                                       f"{name}: ub.random.{draw}(key, ({n},)) ({kind})", ours[kind],
                                                       refs=(ref,), kind="unibridge"))
    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips
