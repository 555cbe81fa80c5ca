"""Model code beyond gradients: a training step through ``unibridge.optim`` and ``unibridge.vmap``.

**Step** (``examples/mnist.py``'s): a 64-128-10 ReLU MLP, softmax cross-entropy
with integer labels, AdamW (lr 2e-3, weight decay 1e-4), a batch of
``BATCH`` rows in float64, parameters updated in place of the old ones on
every call. unibridge's step is written once with ``unibridge.namespace``,
``unibridge.nn``, ``unibridge.value_and_grad`` and ``unibridge.optim``; the
native step is what a user of the framework writes:

as in ``model.py``, the native step computes the same operations in the same
order with the framework's own functions (the loss as ``unibridge.nn`` computes
it), so the ratio is unibridge's own cost:

* torch: ``loss.backward()`` and ``torch.optim.AdamW.step()`` (torch has no
  ``jit`` row: ``unibridge.jit`` leaves torch functions as they are);
* TensorFlow: ``tf.GradientTape`` and AdamW written by hand (eager, and in
  ``tf.function``);
* JAX: ``jax.value_and_grad`` and AdamW written by hand (eager, and in
  ``jax.jit``; optax is not installed here).

A second, diagnostic reference per step uses the framework's fused loss
(``F.relu`` + ``F.cross_entropy``, ``tf.nn.sparse_softmax_cross_entropy_with_logits``,
``jax.nn.log_softmax``): what the Array-API-written ``unibridge.nn`` costs
against kernels written for one framework.

A diagnostic row times the optimizer alone (``update`` + ``apply_updates``
against ``torch.optim.AdamW.step()`` on the same gradients).

**vmap**: one function of one example (a tanh layer and a sum, written with the
framework's own functions) mapped over ``VMAP_BATCH`` examples with the
parameters unmapped: ``unibridge.vmap(f, in_axes=(None, 0))`` against
``torch.func.vmap``, ``tf.vectorized_map`` and ``jax.vmap`` of the same ``f``.
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

GROUP = "training"
BATCH = 32
SIZES = (64, 128, 10)
LR, WD, B1, B2, EPS = 2e-3, 1e-4, 0.9, 0.999, 1e-8
VMAP_BATCH = 256
STEP_LIMIT, JIT_LIMIT, VMAP_LIMIT = 1.2, 1.1, 1.1
AUTODIFF = ("torch", "tensorflow", "jax")


def key(backend: str, who: str) -> str:
    return f"{GROUP}.{backend}.{who}"


TARGETS: tuple[tuple[str, str, str, float], ...] = (
    *((f"{b}: MLP training step with unibridge.optim (AdamW) <= {STEP_LIMIT}x the native step",
       key(b, "step.unibridge"), key(b, "step.native"), STEP_LIMIT) for b in AUTODIFF),
    *((f"{b}: MLP training step with unibridge.optim under unibridge.jit <= {JIT_LIMIT}x the native compiled step",
       key(b, "jit.unibridge"), key(b, "jit.native"), JIT_LIMIT) for b in ("tensorflow", "jax")),
    *((f"{b}: unibridge.vmap over {VMAP_BATCH} examples <= {VMAP_LIMIT}x the native vmap",
       key(b, "vmap.unibridge"), key(b, "vmap.native"), VMAP_LIMIT) for b in AUTODIFF),
)


def host_problem() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """He-initialised parameters, a batch and integer labels (float64, int64), from NumPy."""
    rng = np.random.default_rng(0)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        params[f"W{i}"] = rng.normal(0, (2 / fan_in) ** 0.5, (fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    return params, rng.uniform(size=(BATCH, SIZES[0])), rng.integers(0, SIZES[-1], BATCH)


def unibridge_step(name: str) -> Callable[..., Any]:
    """``(p, state, X, y) -> (p, state, loss)``: the example's step, written once."""
    import unibridge as ub

    xp = ub.namespace(name)
    opt = ub.optim.adamw(LR, b1=B1, b2=B2, eps=EPS, weight_decay=WD)

    def loss(p: dict[str, Any], X: Any, y: Any) -> Any:
        z = ub.nn.relu(X @ p["W0"] + p["b0"]) @ p["W1"] + p["b1"]
        return xp.mean(ub.nn.softmax_cross_entropy_with_integer_labels(z, y))

    loss_and_grads = ub.value_and_grad(loss)

    def step(p: dict[str, Any], state: Any, X: Any, y: Any) -> Any:
        value, grads = loss_and_grads(p, X, y)
        updates, state = opt.update(grads, state, p)
        return ub.optim.apply_updates(p, updates), state, value

    step.init = opt.init  # type: ignore[attr-defined]
    return step


def _looping(step: Callable[..., Any], p: Any, state: Any, X: Any, y: Any, wait: Callable[[Any], Any]) -> Callable[[], Any]:
    """A timed call: one step from the parameters and state the previous call left."""
    carry = [p, state]

    def run() -> Any:
        carry[0], carry[1], value = step(carry[0], carry[1], X, y)
        return wait(value)

    return run


def _torch_losses(torch: Any) -> dict[str, Callable[..., Any]]:
    """The loss with unibridge.nn's operations in torch ("native"), and torch's fused one ("fused")."""
    F = torch.nn.functional

    def same_ops(p: dict[str, Any], X: Any, y: Any) -> Any:
        h = X @ p["W0"] + p["b0"]
        z = torch.where(h <= 0, 0.0, h) @ p["W1"] + p["b1"]
        m = torch.amax(z, dim=-1, keepdim=True)
        shifted = z - torch.where(torch.isfinite(m), m, 0.0).detach()
        normaliser = torch.log(torch.sum(torch.exp(shifted), dim=-1))
        label = torch.sum(torch.where(y[:, None] == torch.arange(z.shape[-1]), shifted, 0.0), dim=-1)
        return torch.mean(normaliser - label)

    return {"native": same_ops, "fused": lambda p, X, y: F.cross_entropy(F.relu(X @ p["W0"] + p["b0"]) @ p["W1"] + p["b1"], y)}


def _torch_native(torch: Any, host: dict[str, np.ndarray], X: Any, y: Any) -> dict[str, Callable[[], Any]]:
    steps = {}
    for kind, loss in _torch_losses(torch).items():
        p = {k: torch.tensor(v, requires_grad=True) for k, v in host.items()}
        opt = torch.optim.AdamW(list(p.values()), lr=LR, betas=(B1, B2), eps=EPS, weight_decay=WD)

        def step(p: dict[str, Any] = p, opt: Any = opt, loss: Any = loss) -> Any:
            opt.zero_grad(set_to_none=True)
            value = loss(p, X, y)
            value.backward()
            opt.step()
            return value.detach()

        steps["step" if kind == "native" else "step-fused"] = step
    p = {k: torch.tensor(v, requires_grad=True) for k, v in host.items()}
    opt = torch.optim.AdamW(list(p.values()), lr=LR, betas=(B1, B2), eps=EPS, weight_decay=WD)
    grads = {k: torch.full_like(v, 1e-3) for k, v in p.items()}

    def optimizer_only() -> Any:
        for k, v in p.items():
            v.grad = grads[k]
        opt.step()
        return p["W0"]

    steps["optimizer"] = optimizer_only
    return steps


def _adamw_by_hand(sqrt: Callable[[Any], Any], as_float: Callable[[Any], Any]) -> Callable[..., Any]:
    """AdamW written by hand over dicts with the framework's ``sqrt`` and float cast: the native update."""

    def update(p: dict[str, Any], m: dict[str, Any], v: dict[str, Any], t: Any, g: dict[str, Any]) -> Any:
        t = t + 1
        step_size = LR / (1 - B1 ** as_float(t))
        root = sqrt(1 - B2 ** as_float(t))
        m = {k: B1 * m[k] + (1 - B1) * g[k] for k in p}
        v = {k: B2 * v[k] + (1 - B2) * (g[k] * g[k]) for k in p}
        p = {k: p[k] + (-step_size * m[k] / (sqrt(v[k]) / root + EPS) - (LR * WD) * p[k]) for k in p}
        return p, m, v, t

    return update


def _tf_native(tf: Any, p: dict[str, Any], X: Any, y: Any) -> dict[str, Callable[[], Any]]:
    update = _adamw_by_hand(tf.sqrt, lambda t: tf.cast(t, tf.float64))

    def same_ops(p: dict[str, Any]) -> Any:
        h = X @ p["W0"] + p["b0"]
        z = tf.where(h <= 0, tf.zeros_like(h), h) @ p["W1"] + p["b1"]
        m = tf.reduce_max(z, axis=-1, keepdims=True)
        shifted = z - tf.stop_gradient(tf.where(tf.math.is_finite(m), m, tf.zeros_like(m)))
        normaliser = tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=-1))
        is_label = y[:, None] == tf.range(z.shape[-1], dtype=y.dtype)
        label = tf.reduce_sum(tf.where(is_label, shifted, tf.zeros_like(shifted)), axis=-1)
        return tf.reduce_mean(normaliser - label)

    def fused(p: dict[str, Any]) -> Any:
        z = tf.nn.relu(X @ p["W0"] + p["b0"]) @ p["W1"] + p["b1"]
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z))

    zeros = {k: tf.zeros_like(a) for k, a in p.items()}
    state = (zeros, dict(zeros), tf.constant(0, tf.int32))
    steps = {}
    for kind, loss in (("", same_ops), ("-fused", fused)):
        def step(p: Any, state: Any, X: Any, y: Any, loss: Any = loss) -> Any:
            m, v, t = state
            with tf.GradientTape() as tape:
                tape.watch(p)
                value = loss(p)
            p, m, v, t = update(p, m, v, t, tape.gradient(value, p))
            return p, (m, v, t), value

        steps["step" + kind] = _looping(step, p, state, X, y, lambda v: v)
        steps["jit" + kind] = _looping(tf.function(step), p, state, X, y, lambda v: v)
    return steps


def _jax_native(jax: Any, p: dict[str, Any], X: Any, y: Any) -> dict[str, Callable[[], Any]]:
    jnp = jax.numpy
    update = _adamw_by_hand(jnp.sqrt, lambda t: t.astype(jnp.float64))

    def same_ops(p: Any, X: Any, y: Any) -> Any:
        h = X @ p["W0"] + p["b0"]
        z = jnp.where(h <= 0, 0.0, h) @ p["W1"] + p["b1"]
        m = jnp.max(z, axis=-1, keepdims=True)
        shifted = z - jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0.0))
        normaliser = jnp.log(jnp.sum(jnp.exp(shifted), axis=-1))
        label = jnp.sum(jnp.where(y[:, None] == jnp.arange(z.shape[-1]), shifted, 0.0), axis=-1)
        return jnp.mean(normaliser - label)

    def fused(p: Any, X: Any, y: Any) -> Any:
        z = jax.nn.relu(X @ p["W0"] + p["b0"]) @ p["W1"] + p["b1"]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(z), y[:, None], axis=1))

    zeros = jax.tree_util.tree_map(jnp.zeros_like, p)
    state = (zeros, zeros, jnp.zeros((), jnp.int32))
    steps = {}
    for kind, loss in (("", same_ops), ("-fused", fused)):
        loss_and_grads = jax.value_and_grad(loss)

        def step(p: Any, state: Any, X: Any, y: Any, loss_and_grads: Any = loss_and_grads) -> Any:
            m, v, t = state
            value, g = loss_and_grads(p, X, y)
            p, m, v, t = update(p, m, v, t, g)
            return p, (m, v, t), value

        steps["step" + kind] = _looping(step, p, state, X, y, jax.block_until_ready)
        steps["jit" + kind] = _looping(jax.jit(step), p, state, X, y, jax.block_until_ready)
    return steps


def _unibridge_steps(name: str, module: Any, p: dict[str, Any], X: Any, y: Any) -> dict[str, Callable[[], Any]]:
    import unibridge as ub

    step = unibridge_step(name)
    state = step.init(p)  # type: ignore[attr-defined]
    wait = module.block_until_ready if name == "jax" else (lambda out: out)
    steps = {"step": _looping(step, p, state, X, y, wait)}
    compiled = ub.jit(step, backend=name)
    if compiled is not step:
        steps["jit"] = _looping(compiled, p, state, X, y, wait)
    if name == "torch":
        opt = ub.optim.adamw(LR, b1=B1, b2=B2, eps=EPS, weight_decay=WD)
        grads = {k: module.full_like(v, 1e-3) for k, v in p.items()}
        carry = [p, opt.init(p)]

        def optimizer_only() -> Any:
            updates, carry[1] = opt.update(grads, carry[1], carry[0])
            carry[0] = ub.optim.apply_updates(carry[0], updates)
            return carry[0]["W0"]

        steps["optimizer"] = optimizer_only
    return steps


_LABELS = {
    "step": "training step (value_and_grad + AdamW)",
    "jit": "compiled training step",
    "optimizer": "AdamW update alone, fixed gradients (diagnostic)",
    "vmap": f"vmap of a one-example function over {VMAP_BATCH} examples",
}


def _training(cases: list[Case], skips: list[Skip]) -> None:
    import unibridge as ub

    host_p, host_X, host_y = host_problem()
    for name in AUTODIFF:
        module, why = framework(name)
        ok, why_ub = backend_ready(name) if module is not None else (False, why)
        if not ok:
            skips.append(Skip(GROUP, f"{name} training step", why_ub))
            continue
        p = {k: ub.asarray(v, backend=name) for k, v in host_p.items()}
        X, y = ub.asarray(host_X, backend=name), ub.asarray(host_y, backend=name)
        if name == "torch":
            native = _torch_native(module, host_p, X, y)
        elif name == "tensorflow":
            native = _tf_native(module, p, X, y)
        else:
            native = _jax_native(module, p, X, y)
        ours = _unibridge_steps(name, module, p, X, y)
        refs: dict[str, list[str]] = {}
        for kind, fn in native.items():
            base, _, fused = kind.partition("-")
            ref = key(name, f"{base}.native-fused" if fused else f"{base}.native")
            label = f"{name}: native {_LABELS[base]}" + (", the framework's fused loss (diagnostic)" if fused else "")
            if add_case(cases, skips, GROUP, Case(ref, label, fn, kind="native")):
                refs.setdefault(base, []).append(ref)
        for kind, fn in ours.items():
            if refs.get(kind):
                add_case(cases, skips, GROUP, Case(key(name, f"{kind}.unibridge"), f"{name}: unibridge {_LABELS[kind]}",
                                                   fn, refs=tuple(refs[kind]), kind="unibridge"))


def _one_example(name: str, module: Any) -> Callable[[Any, Any], Any]:
    """A function of one example, with the framework's own functions (the same on both sides)."""
    math = {"torch": module, "tensorflow": getattr(module, "math", None), "jax": getattr(module, "numpy", None)}[name]

    total = math.reduce_sum if name == "tensorflow" else math.sum

    def f(p: dict[str, Any], x: Any) -> Any:
        # x @ W0 written as a broadcast and a sum: TensorFlow's matmul refuses a 1-d operand.
        return total(math.tanh(total(x[:, None] * p["W0"], axis=0) + p["b0"]))

    return f


def _native_vmap(name: str, module: Any, f: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    if name == "torch":
        mapped = module.func.vmap(f, in_dims=(None, 0))
        return mapped  # type: ignore[no-any-return]
    if name == "tensorflow":
        return lambda p, X: module.vectorized_map(lambda x: f(p, x), X)  # type: ignore[no-any-return]
    mapped = module.vmap(f, in_axes=(None, 0))
    return lambda p, X: module.block_until_ready(mapped(p, X))


def _vmaps(cases: list[Case], skips: list[Skip]) -> None:
    import unibridge as ub

    host_p, _, _ = host_problem()
    host_X = np.random.default_rng(1).uniform(size=(VMAP_BATCH, SIZES[0]))
    for name in AUTODIFF:
        module, why = framework(name)
        ok, why_ub = backend_ready(name) if module is not None else (False, why)
        if not ok:
            skips.append(Skip(GROUP, f"{name} vmap", why_ub))
            continue
        p = {k: ub.asarray(v, backend=name) for k, v in host_p.items()}
        X = ub.asarray(host_X, backend=name)
        f = _one_example(name, module)
        native = _native_vmap(name, module, f)
        ours = ub.vmap(f, in_axes=(None, 0))
        wait = module.block_until_ready if name == "jax" else (lambda out: out)
        ref = key(name, "vmap.native")
        def timed_native(native: Any = native, p: Any = p, X: Any = X) -> Any:
            return native(p, X)

        def timed_ours(ours: Any = ours, p: Any = p, X: Any = X, wait: Any = wait) -> Any:
            return wait(ours(p, X))

        if add_case(cases, skips, GROUP, Case(ref, f"{name}: native {_LABELS['vmap']}", timed_native, kind="native")):
            add_case(cases, skips, GROUP, Case(key(name, "vmap.unibridge"), f"{name}: unibridge {_LABELS['vmap']}",
                                               timed_ours, refs=(ref,), kind="unibridge"))


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    cases: list[Case] = []
    skips: list[Skip] = []
    _training(cases, skips)
    _vmaps(cases, skips)
    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips
