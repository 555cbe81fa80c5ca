"""Model code: a training step through ``unibridge.value_and_grad`` and
``unibridge.jit`` against the same step written natively, and seeded draws from
``unibridge.random`` against NumPy's generator plus one conversion.

The step is the digits example's network (``examples/digits.py``): a 2-layer
MLP, 64 inputs, 64 tanh units, 10 classes, softmax cross-entropy, on a batch of
``BATCH`` rows in float64. unibridge's step is written once against
``xp = unibridge.namespace(b)``; the native step uses the framework's own
functions with the same operations in the same order:

* torch: ``torch.autograd.grad`` over parameters that require grad;
* TensorFlow: ``tf.GradientTape`` watching the parameters (eager), and the same
  function under ``tf.function``;
* JAX: ``jax.value_and_grad`` (eager: JAX traces on every call), and
  ``jax.jit(jax.value_and_grad(...))``.

Timed: one step, forward and gradients, results waited for (JAX dispatches
asynchronously). The draw is ``default_rng(seed).normal(size=(1024, 1024))``.
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

GROUP = "model"
BATCH = 128
FEATURES, HIDDEN, CLASSES = 64, 64, 10
DRAW = (1024, 1024)
AUTODIFF = ("torch", "tensorflow", "jax", "mlx")
RNG_BACKENDS = ("numpy", "torch", "tensorflow", "jax", "dask")


def key(backend: str, who: str) -> str:
    return f"{GROUP}.{backend}.{who}"


def host_problem() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters, a batch and its one-hot labels, as float64 NumPy arrays."""
    rng = np.random.default_rng(0)
    params = {
        "W1": rng.normal(0, FEATURES**-0.5, (FEATURES, HIDDEN)), "b1": np.zeros(HIDDEN),
        "W2": rng.normal(0, HIDDEN**-0.5, (HIDDEN, CLASSES)), "b2": np.zeros(CLASSES),
    }
    X = rng.uniform(size=(BATCH, FEATURES))
    Y = np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)]
    return params, X, Y


def xp_loss(xp: Any, stop_gradient: Callable[[Any], Any]) -> Callable[..., Any]:
    """The loss written once against ``xp`` (what unibridge users write)."""

    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        z = xp.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        z = z - stop_gradient(xp.max(z, axis=1, keepdims=True))
        return -xp.mean(xp.sum(Y * (z - xp.log(xp.sum(xp.exp(z), axis=1, keepdims=True))), axis=1))

    return loss


# The same operations with each framework's own functions.
def _torch_loss(torch: Any) -> Callable[..., Any]:
    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        z = torch.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        z = z - torch.amax(z, dim=1, keepdim=True).detach()
        return -torch.mean(torch.sum(Y * (z - torch.log(torch.sum(torch.exp(z), dim=1, keepdim=True))), dim=1))

    return loss


def _tf_loss(tf: Any) -> Callable[..., Any]:
    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        z = tf.matmul(tf.tanh(tf.matmul(X, p["W1"]) + p["b1"]), p["W2"]) + p["b2"]
        z = z - tf.stop_gradient(tf.reduce_max(z, axis=1, keepdims=True))
        log_p = z - tf.math.log(tf.reduce_sum(tf.exp(z), axis=1, keepdims=True))
        return -tf.reduce_mean(tf.reduce_sum(Y * log_p, axis=1))

    return loss


def _jax_loss(jax: Any) -> Callable[..., Any]:
    jnp = jax.numpy

    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        z = jnp.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        z = z - jax.lax.stop_gradient(jnp.max(z, axis=1, keepdims=True))
        return -jnp.mean(jnp.sum(Y * (z - jnp.log(jnp.sum(jnp.exp(z), axis=1, keepdims=True))), axis=1))

    return loss


def _native_steps(name: str, module: Any, p: dict[str, Any], X: Any, Y: Any) -> dict[str, Callable[[], Any]]:
    """The native eager step and, where the framework compiles, the compiled one."""
    if name == "torch":
        loss = _torch_loss(module)
        leaves = {k: v.detach().clone().requires_grad_() for k, v in p.items()}

        def torch_step() -> Any:
            value = loss(leaves, X, Y)
            return value.detach(), module.autograd.grad(value, list(leaves.values()))

        return {"step": torch_step}
    if name == "tensorflow":
        tf, loss = module, _tf_loss(module)

        def tf_step(p: dict[str, Any], X: Any, Y: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(p)
                value = loss(p, X, Y)
            return value, tape.gradient(value, p)

        compiled = tf.function(tf_step)
        return {"step": lambda: tf_step(p, X, Y), "jit": lambda: compiled(p, X, Y)}
    if name == "mlx":
        return _mlx_steps(p, X, Y)
    jax = module
    eager = jax.value_and_grad(_jax_loss(jax))
    compiled = jax.jit(eager)
    return {"step": lambda: jax.block_until_ready(eager(p, X, Y)),
            "jit": lambda: jax.block_until_ready(compiled(p, X, Y))}


def _mlx_loss(mlx: Any) -> Callable[..., Any]:
    import mlx.core as mx

    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        z = mx.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        z = z - mx.stop_gradient(mx.max(z, axis=1, keepdims=True))
        return -mx.mean(mx.sum(Y * (z - mx.log(mx.sum(mx.exp(z), axis=1, keepdims=True))), axis=1))

    return loss


def _mlx_steps(p: dict[str, Any], X: Any, Y: Any) -> dict[str, Callable[[], Any]]:
    """MLX is lazy: a step counts once ``mx.eval`` has computed its value and gradients."""
    import mlx.core as mx

    eager = mx.value_and_grad(_mlx_loss(mx))
    compiled = mx.compile(eager)
    return {"step": lambda: mx.eval(eager(p, X, Y)), "jit": lambda: mx.eval(compiled(p, X, Y))}


_NATIVE_LOSS = {"torch": _torch_loss, "tensorflow": _tf_loss, "jax": _jax_loss, "mlx": _mlx_loss}


def _unibridge_steps(name: str, module: Any, p: dict[str, Any], X: Any, Y: Any) -> dict[str, Callable[[], Any]]:
    """unibridge's steps; "grad-only" differentiates the *native* loss, isolating
    value_and_grad's own cost from the namespace's (a diagnostic row, no target)."""
    import unibridge as ub

    step = ub.value_and_grad(xp_loss(ub.namespace(name), ub.stop_gradient))
    grad_only = ub.value_and_grad(_NATIVE_LOSS[name](module))
    compiled = ub.jit(step, backend=name)
    wait = module.block_until_ready if name == "jax" else (lambda out: out)
    if name == "mlx":  # lazy: computed by mx.eval, as in the native step
        import mlx.core as mx

        wait = mx.eval
    steps = {"step": lambda: wait(step(p, X, Y)), "grad-only": lambda: wait(grad_only(p, X, Y))}
    if compiled is not step:
        steps["jit"] = lambda: wait(compiled(p, X, Y))
    return steps


_LABELS = {
    "step": "value_and_grad step",
    "jit": "jit(value_and_grad) step",
    "grad-only": "value_and_grad of the native loss (diagnostic)",
}


def _training(s: Settings, cases: list[Case], skips: list[Skip]) -> None:
    import unibridge as ub

    host_p, host_X, host_Y = host_problem()
    for name in AUTODIFF:
        module, why = framework(name)
        ok, why_ub = backend_ready(name) if module is not None else (False, why)
        if not ok:
            skips.append(Skip(GROUP, f"{name} training step", why_ub))
            continue
        p = {k: ub.asarray(v, backend=name) for k, v in host_p.items()}
        X, Y = ub.asarray(host_X, backend=name), ub.asarray(host_Y, backend=name)
        native = _native_steps(name, module, p, X, Y)
        ours = _unibridge_steps(name, module, p, X, Y)
        for kind, fn in native.items():
            ref = key(name, f"{kind}.native")
            if not add_case(cases, skips, GROUP, Case(ref, f"{name}: native {_LABELS[kind]}", fn, kind="native")):
                continue
            for mine in (kind, "grad-only") if kind == "step" else (kind,):
                if mine in ours:
                    add_case(cases, skips, GROUP, Case(key(name, f"{mine}.unibridge"),
                                                       f"{name}: unibridge {_LABELS[mine]}", ours[mine],
                                                       refs=(ref,), kind="unibridge"))


def _native_conversion(name: str) -> Callable[[np.ndarray], Any] | None:
    """The framework's own way to make its array from a NumPy array (None: unavailable)."""
    if name == "numpy":
        return lambda a: a
    module, _ = framework("dask.array" if name == "dask" else name)
    if module is None:
        return None
    if name == "torch":
        return module.from_numpy  # type: ignore[no-any-return]
    if name == "tensorflow":
        return module.convert_to_tensor  # type: ignore[no-any-return]
    if name == "jax":
        return lambda a: module.numpy.asarray(a).block_until_ready()
    return lambda a: module.from_array(a)


def _draws(s: Settings, cases: list[Case], skips: list[Skip]) -> None:
    import unibridge as ub

    size = (64, 64) if s.quick else DRAW
    for name in RNG_BACKENDS:
        convert = _native_conversion(name)
        ok, why = backend_ready(name)
        if convert is None or not ok:
            skips.append(Skip(GROUP, f"{name} random draw", why or f"{name} is not importable"))
            continue
        ready = (lambda x: x.block_until_ready()) if name == "jax" else (lambda x: x)

        def native(convert: Any = convert) -> Any:
            return convert(np.random.default_rng(0).normal(size=size))

        def ours(name: str = name, ready: Any = ready) -> Any:
            return ready(ub.random.default_rng(0, backend=name).normal(size=size))

        ref = key(name, "rng.native")
        text = f"default_rng(0).normal(size={size})"
        if add_case(cases, skips, GROUP, Case(ref, f"{name}: np.random.{text} + native conversion", native,
                                              kind="native")):
            add_case(cases, skips, GROUP, Case(key(name, "rng.unibridge"), f"{name}: ub.random.{text}", ours,
                                               refs=(ref,), kind="unibridge"))


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    cases: list[Case] = []
    skips: list[Skip] = []
    _training(s, cases, skips)
    _draws(s, cases, skips)
    s.say(f"[{GROUP}] timing {len(cases)} calls x {s.timing.trials} trials")
    return compare(GROUP, cases, s.timing), skips
