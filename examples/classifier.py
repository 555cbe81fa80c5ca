"""A two-layer classifier with hand-written gradients, on whichever backend is configured.

The model code below uses only ``xp = unibridge.namespace()`` (the Array API
namespace of the active backend) and ``unibridge`` itself: no framework is
imported, so the same file trains on NumPy, PyTorch, TensorFlow, JAX or Dask.
Choose the backend by configuration:

    UNIBRIDGE_BACKEND=torch python examples/classifier.py
    UNIBRIDGE_BACKEND=tensorflow python examples/classifier.py --epochs 50

The data (two interleaving half-moons) and the initial weights come from
Python's seeded ``random`` module, so every backend starts from bit-identical
float64 arrays, and full-batch gradient descent is deterministic: the runs
agree to float64 rounding.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import unibridge as ub

Params = dict[str, Any]


def two_moons(samples: int, *, noise: float = 0.15, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """``samples`` points of two interleaving half-circles, and their labels (0 or 1).

    Example:
        >>> points, labels = two_moons(4)
        >>> len(points), labels
        (4, [0, 1, 0, 1])
    """
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(samples):
        label = i % 2
        t = math.pi * rng.random()
        x, y = (math.cos(t), math.sin(t)) if label == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + noise * _gauss(rng), y + noise * _gauss(rng)])
        labels.append(label)
    return points, labels


def _gauss(rng: random.Random) -> float:
    # Box-Muller on random(), whose sequence Python guarantees for a given seed.
    u1, u2 = 1.0 - rng.random(), rng.random()
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def init_params(features: int, hidden: int, classes: int, *, seed: int = 1) -> Params:
    """Scaled-Gaussian weights and zero biases, as float64 arrays of the active backend.

    Example:
        >>> p = init_params(2, 3, 2)
        >>> sorted(p), ub.dtype_of(p["W1"])
        (['W1', 'W2', 'b1', 'b2'], DType('float64'))
    """
    rng = random.Random(seed)

    def gaussian(rows: int, cols: int) -> Any:
        scale = 1.0 / math.sqrt(rows)
        return ub.asarray([[scale * _gauss(rng) for _ in range(cols)] for _ in range(rows)], dtype="float64")

    return {
        "W1": gaussian(features, hidden),
        "b1": ub.zeros((hidden,), dtype="float64"),
        "W2": gaussian(hidden, classes),
        "b2": ub.zeros((classes,), dtype="float64"),
    }


def forward(xp: Any, p: Params, X: Any) -> tuple[Any, Any]:
    """Hidden activations and class log-probabilities (a numerically stable log-softmax)."""
    h = xp.tanh(X @ p["W1"] + p["b1"])
    z = h @ p["W2"] + p["b2"]
    z = z - xp.max(z, axis=1, keepdims=True)
    return h, z - xp.log(xp.sum(xp.exp(z), axis=1, keepdims=True))


def loss_and_grads(xp: Any, p: Params, X: Any, Y: Any) -> tuple[Any, Params]:
    """Mean cross-entropy against one-hot ``Y`` and its gradients, by hand-written backprop."""
    n = X.shape[0]
    h, logp = forward(xp, p, X)
    loss = -xp.sum(Y * logp) / n
    dz = (xp.exp(logp) - Y) / n  # d loss / d logits
    # tensordot over axis 0 is a transposed matmul (h.T @ dz) using only standard functions.
    dW2 = xp.tensordot(h, dz, axes=([0], [0]))
    dh = xp.tensordot(dz, p["W2"], axes=([1], [1]))  # dz @ W2.T
    da = dh * (1.0 - h * h)  # tanh' = 1 - tanh^2
    grads = {
        "W1": xp.tensordot(X, da, axes=([0], [0])),
        "b1": xp.sum(da, axis=0),
        "W2": dW2,
        "b2": xp.sum(dz, axis=0),
    }
    return loss, grads


def train(
    *,
    epochs: int = 300,
    samples: int = 256,
    hidden: int = 16,
    lr: float = 1.0,
    seed: int = 0,
    on_epoch: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Full-batch gradient descent on two moons with the active backend; a JSON-ready summary.

    Example:
        >>> r = train(epochs=2, samples=8, hidden=4)
        >>> r["backend"], len(r["losses"])
        ('numpy', 2)
    """
    xp = ub.namespace()
    points, labels = two_moons(samples, seed=seed)
    X = ub.asarray(points, dtype="float64")
    Y = ub.asarray([[1.0 - c, float(c)] for c in labels], dtype="float64")  # one-hot
    p = init_params(2, hidden, 2, seed=seed + 1)
    losses, times = [], []
    for epoch in range(epochs):
        start = time.perf_counter()
        loss, grads = loss_and_grads(xp, p, X, Y)
        p = {k: p[k] - lr * grads[k] for k in p}
        # Materialise the parameters: a zero-copy round trip on eager backends, and what
        # keeps a lazy backend (Dask) from growing one task graph across all epochs.
        p = {k: ub.asarray(ub.to_numpy(v)) for k, v in p.items()}
        losses.append(float(ub.to_numpy(loss)))  # reading the loss also waits for async backends
        times.append(time.perf_counter() - start)
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    _, logp = forward(xp, p, X)
    predicted = ub.to_numpy(xp.argmax(logp, axis=1)).tolist()
    final_loss = float(ub.to_numpy(loss_and_grads(xp, p, X, Y)[0]))
    return {
        "backend": ub.current().backend,
        "device": str(ub.device_of(p["W1"])),
        "dtype": str(ub.dtype_of(p["W1"])),
        "epochs": epochs,
        "losses": losses,
        "final_loss": final_loss,
        "accuracy": sum(int(a == b) for a, b in zip(predicted, labels)) / samples,
        "seconds_per_epoch": statistics.median(times) if times else 0.0,
        "params": {k: ub.to_numpy(v).tolist() for k, v in p.items()},
    }


def progress_lines(epochs: int, every: int = 50) -> Callable[[int, float], None]:
    """Under ``--json``: a ``progress`` line on stderr every ``every`` epochs, which ``demo.py`` shows.

    Example:
        >>> report = progress_lines(100)
    """

    def report(epoch: int, loss: float) -> None:
        if (epoch + 1) % every == 0 or epoch + 1 == epochs:
            print(f"progress epoch {epoch + 1}/{epochs} loss {loss:.6f}", file=sys.stderr, flush=True)

    return report


def progress(epochs: int, stream: Any = None) -> Callable[[int, float], None]:
    """A per-epoch reporter: a progress bar on a terminal, plain lines otherwise.

    Example:
        >>> import io
        >>> report = progress(2, io.StringIO())
        >>> report(0, 0.5)
    """
    out = sys.stdout if stream is None else stream
    tty = out.isatty()
    width = len(str(epochs))

    def report(epoch: int, loss: float) -> None:
        done = epoch + 1
        if tty:
            filled = 30 * done // epochs
            bar = "#" * filled + "." * (30 - filled)
            out.write(f"\r[{bar}] epoch {done:>{width}}/{epochs}  loss {loss:.6f}")
            if done == epochs:
                out.write("\n")
            out.flush()
        else:
            out.write(f"epoch {done:>{width}}/{epochs}  loss {loss:.6f}\n")

    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: train, print the loss per epoch, then a summary (or ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print only a JSON summary (for demo.py)")
    args = parser.parse_args(argv)
    try:
        result = train(
            epochs=args.epochs,
            samples=args.samples,
            hidden=args.hidden,
            lr=args.lr,
            seed=args.seed,
            on_epoch=progress_lines(args.epochs) if args.json else progress(args.epochs),
        )
    except ub.UnibridgeError as exc:  # e.g. a bad UNIBRIDGE_BACKEND: one line, no traceback
        print(f"classifier: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['backend']} on {result['device']} ({result['dtype']}): "
            f"final loss {result['final_loss']:.6f}, accuracy {result['accuracy']:.1%}, "
            f"{result['seconds_per_epoch'] * 1e3:.2f} ms per epoch"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
