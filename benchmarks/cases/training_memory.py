"""Memory over a long training loop: 10,000 steps through ``unibridge.value_and_grad``.

Each framework's trainable objects, updated the framework's way: torch
``nn.Parameter``s updated in place under ``no_grad``, TensorFlow ``Variable``s
with ``assign_sub``, JAX arrays functionally. The loss is the model group's MLP
(``benchmarks/cases/model.py``) on a batch of 32 rows. torch runs eagerly (where
autograd graphs could pile up); TensorFlow and JAX run under ``unibridge.jit``
(eager TensorFlow/JAX steps cost milliseconds each; their memory is the same).

Figures, per framework, each loop in a fresh process: time per step, resident
memory (RSS) growth from step 1,000 to the last step, and for torch the autograd
nodes reachable from the parameters, value and gradients after the last step (0:
nothing returned carries history). ``--quick`` runs 300 steps.
"""

from __future__ import annotations

from ..model import Result, Skip
from ..settings import Settings
from ._child import MARK, ChildError, run_python

GROUP = "training_memory"
STEPS = 10_000
QUICK_STEPS = 300
WARM = 1_000  # RSS is compared from here: allocators and caches have settled
AUTODIFF = ("torch", "tensorflow", "jax")

_SCRIPT = """
import gc, json, sys, time
import numpy as np
import unibridge as ub
from benchmarks.cases.model import host_problem, xp_loss

name, steps, warm, MARK = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

host_p, host_X, host_Y = host_problem()
X, Y = (ub.asarray(a[:32], backend=name) for a in (host_X, host_Y))
xp = ub.namespace(name)
step = ub.value_and_grad(xp_loss(xp, ub.stop_gradient))
if name == "torch":
    import torch
    params = {k: torch.nn.Parameter(ub.asarray(v, backend=name)) for k, v in host_p.items()}
    def update(p, g):
        with torch.no_grad():
            for k in p:
                p[k].sub_(0.1 * g[k])
        return p
elif name == "tensorflow":
    import tensorflow as tf
    params = {k: tf.Variable(ub.asarray(v, backend=name)) for k, v in host_p.items()}
    step = ub.jit(step, backend=name)
    def update(p, g):
        for k in p:
            p[k].assign_sub(0.1 * g[k])
        return p
else:
    params = {k: ub.asarray(v, backend=name) for k, v in host_p.items()}
    step = ub.jit(step, backend=name)
    def update(p, g):
        return {k: p[k] - 0.1 * g[k] for k in p}

def nodes(*tensors):
    seen, stack = set(), [t.grad_fn for t in tensors if getattr(t, "grad_fn", None) is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(n for n, _ in node.next_functions)
    return len(seen)

start_rss = None
t0 = time.perf_counter_ns()
for i in range(steps):
    value, g = step(params, X, Y)
    params = update(params, g)
    if i + 1 == min(warm, steps // 2):
        gc.collect()
        start_rss = rss()
float(ub.to_numpy(value))
elapsed = time.perf_counter_ns() - t0
gc.collect()
graph = nodes(value, *g.values(), *params.values()) if name == "torch" else 0
print(MARK + json.dumps({"ns_per_step": elapsed / steps, "rss_growth": rss() - start_rss,
                         "graph_nodes": graph, "loss": float(ub.to_numpy(value))}))
"""


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    from ..frameworks import backend_ready

    steps = QUICK_STEPS if s.quick else STEPS
    results: list[Result] = []
    skips: list[Skip] = []
    for name in AUTODIFF:
        ok, why = backend_ready(name)
        if not ok:
            skips.append(Skip(GROUP, f"{name} training loop", why))
            continue
        s.say(f"[{GROUP}] {name}: {steps} steps in a fresh process")
        try:
            out = run_python(["-c", _SCRIPT, name, str(steps), str(WARM), MARK], timeout=3600)
        except ChildError as exc:
            skips.append(Skip(GROUP, f"{name} training loop", str(exc)))
            continue
        ns = float(out["ns_per_step"])
        results.append(Result(
            GROUP, f"{GROUP}.{name}", f"{name}: {steps:,} value_and_grad steps, trainable parameters updated",
            ns, ns, ns, [ns], steps, kind="unibridge",
            extra={"rss_growth_mib": out["rss_growth"] / 2**20, "graph_nodes": out["graph_nodes"],
                   "steps": steps, "final_loss": out["loss"]},
        ))
    return results, skips
