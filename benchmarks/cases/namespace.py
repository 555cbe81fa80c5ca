"""The TensorFlow namespace against raw TensorFlow, per call, all in one interleaved comparison;
and ``unibridge.xp`` (the namespace that follows the selection) against the fixed namespace.

Eager: each ``xp`` function on a 64x64 float64 tensor against the public TF call it stands
for (``xp.mean`` vs ``tf.math.reduce_mean``, ``xp.take`` vs ``tf.gather``, ...); the target is
at most 1.2x. ``tf.function``: a small model step written once against ``xp`` and once in raw
TF, both traced before timing; the target is at most 1.1x. ``CASES`` is the table of pairs;
``TARGETS`` (read by :mod:`benchmarks.targets`) lists every ratio with its limit.

``unibridge.xp``: each call in ``FOLLOW_CASES`` on 64x64 float64 arrays, once through ``xp`` and
once through ``unibridge.namespace(backend)`` taken beforehand, under ``use(backend)``, for
NumPy, torch, TensorFlow and JAX; the target is at most 1.1x (what deciding at each call costs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..frameworks import backend_ready, framework
from ..harness import Case, compare
from ..model import Result, Skip
from ..settings import Settings
from ._common import add_case

GROUP = "namespace"
EAGER_LIMIT = 1.2
GRAPH_LIMIT = 1.1
FOLLOW_LIMIT = 1.1
N = 64

# name: (xp call, raw TF call), each taking (xp or tf, arrays) and returning a tensor.
Call = Callable[[Any, dict[str, Any]], Any]
CASES: dict[str, tuple[Call, Call]] = {
    "add": (lambda xp, a: xp.add(a["x"], a["y"]), lambda tf, a: tf.math.add(a["x"], a["y"])),
    "multiply": (lambda xp, a: xp.multiply(a["x"], a["y"]), lambda tf, a: tf.math.multiply(a["x"], a["y"])),
    "divide": (lambda xp, a: xp.divide(a["x"], a["y"]), lambda tf, a: tf.math.divide(a["x"], a["y"])),
    "multiply by 2.0": (lambda xp, a: xp.multiply(a["x"], 2.0), lambda tf, a: tf.math.multiply(a["x"], 2.0)),
    "exp": (lambda xp, a: xp.exp(a["x"]), lambda tf, a: tf.math.exp(a["x"])),
    "log": (lambda xp, a: xp.log(a["x"]), lambda tf, a: tf.math.log(a["x"])),
    "sqrt": (lambda xp, a: xp.sqrt(a["x"]), lambda tf, a: tf.math.sqrt(a["x"])),
    "tanh": (lambda xp, a: xp.tanh(a["x"]), lambda tf, a: tf.math.tanh(a["x"])),
    "maximum": (lambda xp, a: xp.maximum(a["x"], a["y"]), lambda tf, a: tf.math.maximum(a["x"], a["y"])),
    "less": (lambda xp, a: xp.less(a["x"], a["y"]), lambda tf, a: tf.math.less(a["x"], a["y"])),
    "sum": (lambda xp, a: xp.sum(a["x"]), lambda tf, a: tf.math.reduce_sum(a["x"])),
    "sum(axis=1)": (lambda xp, a: xp.sum(a["x"], axis=1), lambda tf, a: tf.math.reduce_sum(a["x"], axis=1)),
    "mean": (lambda xp, a: xp.mean(a["x"]), lambda tf, a: tf.math.reduce_mean(a["x"])),
    "std": (lambda xp, a: xp.std(a["x"]), lambda tf, a: tf.math.reduce_std(a["x"])),
    "var(axis=0)": (lambda xp, a: xp.var(a["x"], axis=0), lambda tf, a: tf.math.reduce_variance(a["x"], axis=0)),
    "max": (lambda xp, a: xp.max(a["x"]), lambda tf, a: tf.math.reduce_max(a["x"])),
    "min(axis=0)": (lambda xp, a: xp.min(a["x"], axis=0), lambda tf, a: tf.math.reduce_min(a["x"], axis=0)),
    "argmax(axis=1)": (lambda xp, a: xp.argmax(a["x"], axis=1),
                       lambda tf, a: tf.math.argmax(a["x"], axis=1, output_type=tf.int64)),
    "take(axis=0)": (lambda xp, a: xp.take(a["x"], a["idx"], axis=0), lambda tf, a: tf.gather(a["x"], a["idx"], axis=0)),
    "matmul": (lambda xp, a: xp.matmul(a["x"], a["y"]), lambda tf, a: tf.linalg.matmul(a["x"], a["y"])),
    "where": (lambda xp, a: xp.where(a["mask"], a["x"], a["y"]), lambda tf, a: tf.where(a["mask"], a["x"], a["y"])),
    "concat": (lambda xp, a: xp.concat([a["x"], a["y"]], axis=0), lambda tf, a: tf.concat([a["x"], a["y"]], 0)),
    "stack": (lambda xp, a: xp.stack([a["x"], a["y"]], axis=0), lambda tf, a: tf.stack([a["x"], a["y"]], 0)),
}


def model_step(ns: Any, x: Any, w1: Any, w2: Any, labels: Any) -> Any:
    """A small MLP's loss, written against the Array API (``ns`` is the xp namespace)."""
    hidden = ns.maximum(ns.matmul(x, w1), 0.0)
    logits = ns.matmul(hidden, w2)
    shifted = logits - ns.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - ns.log(ns.sum(ns.exp(shifted), axis=-1, keepdims=True))
    picked = ns.take_along_axis(log_probs, ns.reshape(labels, (-1, 1)), axis=-1)
    return -ns.mean(picked) + 1e-3 * ns.std(hidden)


def raw_model_step(tf: Any, x: Any, w1: Any, w2: Any, labels: Any) -> Any:
    """The same loss in raw TensorFlow."""
    hidden = tf.maximum(tf.linalg.matmul(x, w1), 0.0)
    logits = tf.linalg.matmul(hidden, w2)
    shifted = logits - tf.reduce_max(logits, axis=-1, keepdims=True)
    log_probs = shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=-1, keepdims=True))
    picked = tf.gather(log_probs, tf.reshape(labels, (-1, 1)), axis=-1, batch_dims=1)
    return -tf.reduce_mean(picked) + 1e-3 * tf.math.reduce_std(hidden)


def key(name: str, who: str) -> str:
    return f"{GROUP}.{name}.{who}"


# unibridge.xp against the fixed namespace: name -> call taking (namespace, arrays).
FOLLOW_BACKENDS = ("numpy", "torch", "tensorflow", "jax")
FOLLOW_CASES: dict[str, Call] = {
    "add": lambda ns, a: ns.add(a["x"], a["y"]),
    "multiply by 2.0": lambda ns, a: ns.multiply(a["x"], 2.0),
    "exp": lambda ns, a: ns.exp(a["x"]),
    "sum(axis=1)": lambda ns, a: ns.sum(a["x"], axis=1),
    "matmul": lambda ns, a: ns.matmul(a["x"], a["y"]),
    "zeros": lambda ns, a: ns.zeros((N, N)),
    "asarray(list)": lambda ns, a: ns.asarray([0.5, 1.5, 2.5, 3.5]),
}


def follow_key(backend: str, name: str, who: str) -> str:
    return f"{GROUP}.xp.{backend}.{name}.{who}"


TARGETS: tuple[tuple[str, str, str, float], ...] = tuple(
    (f"TF namespace xp.{name} <= {EAGER_LIMIT}x raw TF (eager, 64x64 float64)", key(name, "xp"), key(name, "tf"), EAGER_LIMIT)
    for name in CASES
) + ((f"TF namespace model step in tf.function <= {GRAPH_LIMIT}x raw TF in tf.function",
      key("tf.function model", "xp"), key("tf.function model", "tf"), GRAPH_LIMIT),) + tuple(
    (f"unibridge.xp {name} on {backend} <= {FOLLOW_LIMIT}x the fixed namespace (64x64 float64)",
     follow_key(backend, name, "follow"), follow_key(backend, name, "fixed"), FOLLOW_LIMIT)
    for backend in FOLLOW_BACKENDS for name in FOLLOW_CASES
)


def _arrays(tf: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    x = tf.constant(rng.random((N, N)) + 0.5)
    y = tf.constant(rng.random((N, N)) + 0.5)
    return {"x": x, "y": y, "mask": x > y, "idx": tf.constant(rng.integers(0, N, 16))}


def _model(tf: Any, xp: Any) -> tuple[Callable[[], Any], Callable[[], Any]]:
    rng = np.random.default_rng(1)
    x, w1, w2 = (tf.constant(rng.standard_normal(s)) for s in ((N, 32), (32, 64), (64, 10)))
    labels = tf.constant(rng.integers(0, 10, N))
    ours = tf.function(lambda *a: model_step(xp, *a))
    raw = tf.function(lambda *a: raw_model_step(tf, *a))
    np.testing.assert_allclose(ours(x, w1, w2, labels).numpy(), raw(x, w1, w2, labels).numpy(), rtol=1e-12)
    return (lambda: ours(x, w1, w2, labels)), (lambda: raw(x, w1, w2, labels))


def _follow(s: Settings) -> tuple[list[Result], list[Skip]]:
    """``unibridge.xp`` against ``unibridge.namespace(backend)``, per backend, interleaved."""
    import unibridge as ub

    cases: list[Case] = []
    skips: list[Skip] = []
    rng = np.random.default_rng(2)
    for backend in FOLLOW_BACKENDS:
        ok, why = backend_ready(backend)
        if not ok:
            skips.append(Skip(GROUP, f"xp on {backend}", why))
            continue
        fixed = ub.namespace(backend)
        arrays = {n: ub.asarray(rng.random((N, N)) + 0.5, backend=backend) for n in ("x", "y")}
        selected = (lambda b=backend: ub.use(b))
        for name, call in FOLLOW_CASES.items():
            ours = (lambda f=call, a=arrays: f(ub.xp, a))
            theirs = (lambda f=call, a=arrays, ns=fixed: f(ns, a))
            with ub.use(backend):
                np.testing.assert_allclose(np.asarray(ub.to_numpy(ours())), np.asarray(ub.to_numpy(theirs())))
            ref = follow_key(backend, name, "fixed")
            if add_case(cases, skips, GROUP, Case(ref, f"{backend} {name}: fixed namespace", theirs,
                                                  kind="native", context=selected)):
                add_case(cases, skips, GROUP, Case(follow_key(backend, name, "follow"), f"{backend} {name}: unibridge.xp",
                                                   ours, refs=(ref,), kind="unibridge", context=selected))
    s.say(f"[{GROUP}] timing {len(cases)} unibridge.xp calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    follow_results, follow_skips = _follow(s)
    tf, why = framework("tensorflow")
    ok, why = backend_ready("tensorflow") if tf else (False, why)
    if not ok:
        return follow_results, [*follow_skips, Skip(GROUP, "all", why)]
    import unibridge as ub

    xp = ub.namespace("tensorflow")
    arrays = _arrays(tf)
    cases: list[Case] = []
    skips: list[Skip] = []
    pairs = {name: (lambda f=ours: f(xp, arrays), lambda f=raw: f(tf, arrays)) for name, (ours, raw) in CASES.items()}
    pairs["tf.function model"] = _model(tf, xp)
    for name, (ours, raw) in pairs.items():
        np.testing.assert_allclose(np.asarray(ours()), np.asarray(raw()), rtol=1e-12)  # same answer first
        if add_case(cases, skips, GROUP, Case(key(name, "tf"), f"{name}: raw TF", raw, kind="native")):
            add_case(cases, skips, GROUP,
                     Case(key(name, "xp"), f"{name}: xp", ours, refs=(key(name, "tf"),), kind="unibridge"))
    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return follow_results + compare(GROUP, cases, s.timing), follow_skips + skips
