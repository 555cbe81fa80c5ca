"""An MLP on scikit-learn's 8x8 handwritten digits, trained with unibridge's gradients.

The model code below is written once against ``xp = unibridge.namespace()``
and ``unibridge``: the forward pass and the loss use only ``xp``; the gradient
is ``unibridge.value_and_grad``; the training step is compiled with
``unibridge.jit`` where the backend can (``tf.function``, ``jax.jit``, ``mx.compile``); the
initial weights and the order of the minibatches come from
``unibridge.random``, so every backend starts from the same weights and sees
the same batches. Choose the backend by configuration:

    UNIBRIDGE_BACKEND=torch python examples/digits.py
    UNIBRIDGE_BACKEND=jax python examples/digits.py --epochs 30
    UNIBRIDGE_BACKEND=mlx python examples/digits.py   # pip install -e backends/mlx 'mlx[cpu]'

The data ship inside scikit-learn (``load_digits``: 1797 images, no download).
NumPy and Dask have no automatic differentiation: on them this script says so
and exits with status 3 (``classifier.py`` trains there with hand-written
gradients).
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
DEMO_EXTRA = "pip install 'unibridge[demo]'  (or pip install scikit-learn)"


def load_data(*, test_fraction: float = 0.25, seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """``(X_train, y_train, X_test, y_test)`` as arrays of the active backend.

    Pixels are scaled to [0, 1] in the configured default float (float64
    unless configured), labels are int64; the split is a
    seeded ``unibridge.random`` permutation, the same on every backend.

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


def init_params(features: int, hidden: int, classes: int, *, seed: int = 1) -> Params:
    """Gaussian weights scaled by 1/sqrt(fan-in) from ``unibridge.random``, zero biases.

    Example:
        >>> p = init_params(64, 32, 10)
        >>> sorted(p), p["W1"].shape, ub.dtype_of(p["b2"])
        (['W1', 'W2', 'b1', 'b2'], (64, 32), DType('float64'))
    """
    xp = ub.namespace()
    rng = ub.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, features**-0.5, size=(features, hidden)),
        "b1": xp.zeros(hidden),
        "W2": rng.normal(0.0, hidden**-0.5, size=(hidden, classes)),
        "b2": xp.zeros(classes),
    }


def logits(xp: Any, p: Params, X: Any) -> Any:
    """The network: one tanh hidden layer, then a linear layer to the class scores."""
    return xp.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]


def cross_entropy(xp: Any, p: Params, X: Any, Y: Any) -> Any:
    """Mean cross-entropy against one-hot ``Y``, through a stable log-softmax."""
    z = logits(xp, p, X)
    z = z - ub.stop_gradient(xp.max(z, axis=1, keepdims=True))  # a constant shift: no gradient needed
    log_probs = z - xp.log(xp.sum(xp.exp(z), axis=1, keepdims=True))
    return -xp.mean(xp.sum(Y * log_probs, axis=1))


def one_hot(xp: Any, y: Any, dtype: Any, classes: int = CLASSES) -> Any:
    """Integer labels as one-hot rows of ``dtype``."""
    return xp.astype(xp.expand_dims(y, axis=1) == xp.arange(classes), dtype)


def accuracy(xp: Any, p: Params, X: Any, y: Any) -> float:
    """The fraction of ``X`` whose highest score is its label."""
    hits = xp.astype(xp.argmax(logits(xp, p, X), axis=1) == y, X.dtype)
    return float(ub.to_numpy(xp.mean(hits)))


def make_step(xp: Any, *, lr: float, momentum: float) -> Callable[..., Any]:
    """One step of SGD with momentum: ``(params, velocity, X, Y) -> (params, velocity, loss)``.

    Compiled with ``unibridge.jit`` where the backend can.
    """
    loss_and_grads = ub.value_and_grad(lambda p, X, Y: cross_entropy(xp, p, X, Y))

    def step(p: Params, velocity: Params, X: Any, Y: Any) -> tuple[Params, Params, Any]:
        loss, grads = loss_and_grads(p, X, Y)
        velocity = {k: momentum * velocity[k] + grads[k] for k in p}
        return {k: p[k] - lr * velocity[k] for k in p}, velocity, loss

    return ub.jit(step)


def train(
    *,
    epochs: int = 20,
    hidden: int = 64,
    batch: int = 32,
    lr: float = 0.1,
    momentum: float = 0.9,
    seed: int = 0,
    on_epoch: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Minibatch SGD on the digits with the active backend; a JSON-ready summary.

    Each epoch visits the training set in an order drawn from
    ``unibridge.random`` (the last partial batch is dropped, so every step
    has the same shape and a compiled step is traced once).

    Example:
        >>> import unibridge as ub
        >>> with ub.use("torch"):
        ...     r = train(epochs=1, hidden=8)
        >>> r["backend"], 0.0 < r["final_loss"] < 3.0
        ('torch', True)
    """
    xp = ub.namespace()
    X, y, X_test, y_test = load_data(seed=seed)
    Y = one_hot(xp, y, X.dtype)
    p = init_params(X.shape[1], hidden, CLASSES, seed=seed + 1)
    velocity = {k: xp.zeros_like(v) for k, v in p.items()}
    step = make_step(xp, lr=lr, momentum=momentum)
    shuffle = ub.random.default_rng(seed + 2)
    steps_per_epoch = X.shape[0] // batch
    losses, times = [], []
    for epoch in range(epochs):
        start = time.perf_counter()
        order = shuffle.permutation(X.shape[0])
        total = 0.0
        for i in range(steps_per_epoch):
            idx = order[i * batch:(i + 1) * batch]
            p, velocity, loss = step(p, velocity, xp.take(X, idx, axis=0), xp.take(Y, idx, axis=0))
            total += float(ub.to_numpy(loss))  # reading the loss also waits for asynchronous backends
        losses.append(total / steps_per_epoch)
        times.append(time.perf_counter() - start)
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return {
        "backend": ub.current().backend,
        "device": str(ub.device_of(p["W1"])),
        "dtype": str(ub.dtype_of(p["W1"])),
        "epochs": epochs,
        "losses": losses,
        "final_loss": float(ub.to_numpy(cross_entropy(xp, p, X, Y))),
        "train_accuracy": accuracy(xp, p, X, y),
        "test_accuracy": accuracy(xp, p, X_test, y_test),
        # The median: the first epoch also traces and compiles the step (TF, JAX).
        "seconds_per_epoch": statistics.median(times) if times else 0.0,
        "first_epoch_seconds": times[0] if times else 0.0,
    }


def progress_lines(epochs: int) -> Callable[[int, float], None]:
    """Under ``--json``: one ``progress`` line per epoch on stderr, which ``demo.py`` shows as it trains.

    Example:
        >>> report = progress_lines(2)
    """

    def report(epoch: int, loss: float) -> None:
        print(f"progress epoch {epoch + 1}/{epochs} loss {loss:.6f}", file=sys.stderr, flush=True)

    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: train, print the loss per epoch, then a summary (or ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print only a JSON summary (for demo.py)")
    args = parser.parse_args(argv)
    from classifier import progress  # the same progress bar as the hand-written example

    try:
        import sklearn  # noqa: F401  # the digits data ship inside scikit-learn
    except ImportError:
        message = f"digits: the digits data ship with scikit-learn, which is not installed: {DEMO_EXTRA}"
        print(json.dumps({"backend": ub.current().backend, "no_data": message}) if args.json else message,
              file=sys.stdout if args.json else sys.stderr)
        return NO_DATA
    try:
        result = train(
            epochs=args.epochs, hidden=args.hidden, batch=args.batch, lr=args.lr, seed=args.seed,
            on_epoch=progress_lines(args.epochs) if args.json else progress(args.epochs),
        )
    except ub.AutodiffUnavailableError as exc:
        backend = ub.current().backend
        if args.json:
            print(json.dumps({"backend": backend, "no_autodiff": str(exc)}))
        else:
            print(f"digits: {backend} has no automatic differentiation; classifier.py trains there "
                  f"with hand-written gradients ({exc})", file=sys.stderr)
        return NO_AUTODIFF
    except ub.UnibridgeError as exc:  # e.g. a bad UNIBRIDGE_BACKEND: one line, no traceback
        print(f"digits: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['backend']} on {result['device']} ({result['dtype']}): test accuracy "
            f"{result['test_accuracy']:.1%}, final loss {result['final_loss']:.6f}, "
            f"{result['seconds_per_epoch'] * 1e3:.1f} ms per epoch"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
