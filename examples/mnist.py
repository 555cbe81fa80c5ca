"""A from-scratch MNIST-style classifier on scikit-learn's 8x8 digits, in unibridge's model-code toolkit.

Everything framework-specific is chosen by configuration; the model code uses
only ``xp = unibridge.namespace()`` for arrays, ``unibridge.nn`` for the
activation and the loss (``relu``, ``softmax_cross_entropy_with_integer_labels``),
``unibridge.optim`` for the optimizer (AdamW, optax's interface),
``unibridge.value_and_grad`` for the gradients, ``unibridge.jit`` to compile
the training step (``tf.function``, ``jax.jit``) and
``unibridge.random.default_rng`` for the initial weights and the batches, so
every backend starts from the same weights, sees the same batches and ends at
the same loss (to about 1e-12 in float64):

    UNIBRIDGE_BACKEND=torch python examples/mnist.py
    UNIBRIDGE_BACKEND=jax python examples/mnist.py --epochs 40

The data ship inside scikit-learn (``load_digits``: 1797 images, no
download). NumPy and Dask have no automatic differentiation: there the script
says so and exits with status 3.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import unibridge as ub

Params = dict[str, Any]
CLASSES = 10
NO_AUTODIFF = 3  # exit status when the backend has no automatic differentiation
NO_DATA = 4  # exit status when scikit-learn, which ships the data, is not installed


def load_data(*, test_fraction: float = 0.25, seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """``(X_train, y_train, X_test, y_test)`` of the active backend: pixels in [0, 1], int64 labels.

    Example:
        >>> X, y, Xt, yt = load_data()
        >>> X.shape, Xt.shape, ub.dtype_of(X), ub.dtype_of(y)
        ((1348, 64), (449, 64), DType('float64'), DType('int64'))
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    xp = ub.namespace()
    X = ub.asarray(digits.data / 16.0, dtype=ub.current().default_float)
    y = ub.asarray(digits.target, dtype="int64")
    order = ub.random.default_rng(seed).permutation(X.shape[0])
    n_test = round(test_fraction * X.shape[0])
    test, train = order[:n_test], order[n_test:]
    return xp.take(X, train, axis=0), xp.take(y, train, axis=0), xp.take(X, test, axis=0), xp.take(y, test, axis=0)


def init_params(sizes: tuple[int, ...], *, seed: int = 1) -> Params:
    """He-initialised weights (normal, scale sqrt(2 / fan-in)) and zero biases, layer by layer.

    Example:
        >>> p = init_params((64, 32, 10))
        >>> sorted(p), p["W0"].shape, p["b1"].shape
        (['W0', 'W1', 'b0', 'b1'], (64, 32), (10,))
    """
    xp = ub.namespace()
    rng = ub.random.default_rng(seed)
    params: Params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        params[f"W{i}"] = rng.normal(0.0, (2.0 / fan_in) ** 0.5, size=(fan_in, fan_out))
        params[f"b{i}"] = xp.zeros(fan_out)
    return params


def logits(p: Params, X: Any) -> Any:
    """The network: ReLU hidden layers, then a linear layer to the class scores."""
    layers = len(p) // 2
    h = X
    for i in range(layers - 1):
        h = ub.nn.relu(h @ p[f"W{i}"] + p[f"b{i}"])
    return h @ p[f"W{layers - 1}"] + p[f"b{layers - 1}"]


def loss(p: Params, X: Any, y: Any) -> Any:
    """The mean cross-entropy of the scores against the integer labels."""
    xp = ub.namespace()
    return xp.mean(ub.nn.softmax_cross_entropy_with_integer_labels(logits(p, X), y))


def accuracy(p: Params, X: Any, y: Any) -> float:
    """The fraction of ``X`` whose highest score is its label."""
    xp = ub.namespace()
    return float(ub.to_numpy(xp.mean(xp.astype(xp.argmax(logits(p, X), axis=1) == y, X.dtype))))


def make_step(opt: ub.optim.GradientTransformation) -> Callable[..., Any]:
    """One training step ``(params, state, X, y) -> (params, state, loss)``, compiled where the backend can."""
    loss_and_grads = ub.value_and_grad(loss)

    def step(p: Params, state: Any, X: Any, y: Any) -> tuple[Params, Any, Any]:
        value, grads = loss_and_grads(p, X, y)
        updates, state = opt.update(grads, state, p)
        return ub.optim.apply_updates(p, updates), state, value

    return ub.jit(step)


def train(
    *,
    epochs: int = 30,
    hidden: tuple[int, ...] = (128,),
    batch: int = 32,
    lr: float = 2e-3,
    weight_decay: float = 1e-4,
    seed: int = 0,
    on_epoch: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Minibatch AdamW on the digits with the active backend; a JSON-ready summary.

    Each epoch visits the training set in an order drawn from
    ``unibridge.random`` (the last partial batch is dropped, so every step has
    the same shapes and a compiled step is traced once).

    Example:
        >>> with ub.use("torch"):
        ...     r = train(epochs=1, hidden=(8,))
        >>> r["backend"], 0.0 < r["final_loss"] < 3.0
        ('torch', True)
    """
    xp = ub.namespace()
    X, y, X_test, y_test = load_data(seed=seed)
    p = init_params((X.shape[1], *hidden, CLASSES), seed=seed + 1)
    opt = ub.optim.adamw(lr, weight_decay=weight_decay)
    state = opt.init(p)
    step = make_step(opt)
    shuffle = ub.random.default_rng(seed + 2)
    steps_per_epoch = X.shape[0] // batch
    losses, times = [], []
    for epoch in range(epochs):
        start = time.perf_counter()
        order = shuffle.permutation(X.shape[0])
        total = 0.0
        for i in range(steps_per_epoch):
            idx = order[i * batch:(i + 1) * batch]
            p, state, value = step(p, state, xp.take(X, idx, axis=0), xp.take(y, idx, axis=0))
            total += float(ub.to_numpy(value))  # reading the loss also waits for asynchronous backends
        losses.append(total / steps_per_epoch)
        times.append(time.perf_counter() - start)
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return {
        "backend": ub.current().backend,
        "device": str(ub.device_of(p["W0"])),
        "dtype": str(ub.dtype_of(p["W0"])),
        "epochs": epochs,
        "losses": losses,
        "final_loss": float(ub.to_numpy(loss(p, X, y))),
        "train_accuracy": accuracy(p, X, y),
        "test_accuracy": accuracy(p, X_test, y_test),
        # The median: the first epoch also traces and compiles the step (TF, JAX).
        "seconds_per_epoch": statistics.median(times) if times else 0.0,
        "first_epoch_seconds": times[0] if times else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: train, print the loss per epoch, then a summary (or ``--json``)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden", type=int, nargs="+", default=[128])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print only a JSON summary")
    args = parser.parse_args(argv)

    def say(epoch: int, value: float) -> None:
        if args.json:  # one line per epoch on stderr, which demo.py shows as it trains
            print(f"progress epoch {epoch + 1}/{args.epochs} loss {value:.6f}", file=sys.stderr, flush=True)
        else:
            print(f"epoch {epoch + 1:3d}/{args.epochs}: loss {value:.6f}")

    try:
        import sklearn  # noqa: F401  # the digits data ship inside scikit-learn
    except ImportError:
        message = ("mnist: the digits data ship with scikit-learn, which is not installed: "
                   "pip install 'unibridge[demo]'  (or pip install scikit-learn)")
        print(json.dumps({"backend": ub.current().backend, "no_data": message}) if args.json else message,
              file=sys.stdout if args.json else sys.stderr)
        return NO_DATA
    try:
        result = train(epochs=args.epochs, hidden=tuple(args.hidden), batch=args.batch, lr=args.lr,
                       seed=args.seed, on_epoch=say)
    except ub.AutodiffUnavailableError as exc:
        backend = ub.current().backend
        if args.json:
            print(json.dumps({"backend": backend, "no_autodiff": str(exc)}))
        else:
            print(f"mnist: {backend} has no automatic differentiation ({exc})", file=sys.stderr)
        return NO_AUTODIFF
    except ub.UnibridgeError as exc:  # e.g. a bad UNIBRIDGE_BACKEND: one line, no traceback
        print(f"mnist: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['backend']} on {result['device']} ({result['dtype']}): test accuracy "
            f"{result['test_accuracy']:.1%}, final loss {result['final_loss']:.12f}, "
            f"{result['seconds_per_epoch'] * 1e3:.1f} ms per epoch"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
