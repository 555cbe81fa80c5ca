"""Training stopped on one framework resumes on another from a checkpoint, to the same loss.

The model is ``examples/digits.py``'s MLP (its step: ``value_and_grad``, SGD with momentum,
``unibridge.jit``) in float64 on the real digits. The oracle is the first framework's own
uninterrupted run: saving, loading elsewhere and training on must land on its loss to 1e-9.
The README's "Checkpoints" example runs here too, printing what its comments say.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import availability
from _example_helpers import ROOT, load_example

AUTODIFF = [b for b in ("torch", "tensorflow", "jax") if availability(b)[0]]
STEPS_BEFORE, STEPS_AFTER, BATCH, HIDDEN = 6, 6, 32, 16
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def digits() -> Any:
    pytest.importorskip("sklearn", reason="scikit-learn (in the 'test' extra) ships the digits data")
    return load_example("digits")


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Pixels, one-hot labels (float64) and the batches every run visits, in order."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X, Y = d.data / 16.0, np.eye(10)[d.target]
    order = np.random.default_rng(0).permutation(len(X))
    batches = [order[i * BATCH:(i + 1) * BATCH] for i in range(STEPS_BEFORE + STEPS_AFTER)]
    return X, Y, batches


def train(digits: Any, data: Any, backend: str, state: dict[str, Any], steps: range) -> dict[str, Any]:
    """``state`` after the given steps of the example's compiled SGD-with-momentum step."""
    X, Y, batches = data
    with ub.use(backend, device="cpu"):
        step = digits.make_step(ub.namespace(), lr=0.1, momentum=0.9)
        params, velocity = state["params"], state["velocity"]
        for i in steps:
            params, velocity, _ = step(params, velocity, ub.asarray(X[batches[i]]), ub.asarray(Y[batches[i]]))
    return {"params": params, "velocity": velocity, "step": steps.stop}


def full_loss(digits: Any, data: Any, backend: str, params: dict[str, Any]) -> float:
    X, Y, _ = data
    with ub.use(backend, device="cpu"):
        return float(ub.to_numpy(digits.cross_entropy(ub.namespace(), params, ub.asarray(X), ub.asarray(Y))))


def fresh_state(digits: Any, backend: str) -> dict[str, Any]:
    with ub.use(backend, device="cpu"):
        params = digits.init_params(64, HIDDEN, 10, seed=1)
        return {"params": params, "velocity": {k: ub.zeros_like(v) for k, v in params.items()}, "step": 0}


@pytest.mark.parametrize("first", AUTODIFF or ["none"])
def test_training_saved_on_one_framework_resumes_on_every_other_to_the_same_loss(
    first: str, digits: Any, data: Any, tmp_path: Path
) -> None:
    if first == "none":
        pytest.skip("no backend with automatic differentiation is installed")
    uninterrupted = train(digits, data, first, fresh_state(digits, first), range(STEPS_BEFORE + STEPS_AFTER))
    reference = full_loss(digits, data, first, uninterrupted["params"])

    halfway = train(digits, data, first, fresh_state(digits, first), range(STEPS_BEFORE))
    path = tmp_path / "halfway.safetensors"
    ub.save(halfway, path, metadata={"trained_with": first})
    assert ub.load_metadata(path) == {"trained_with": first}
    for then in AUTODIFF:
        state = ub.load(path, backend=then)
        assert state["step"] == STEPS_BEFORE and sorted(state["params"]) == ["W1", "W2", "b1", "b2"]
        for key, saved in halfway["params"].items():
            loaded = state["params"][key]
            assert ub.get_backend(then).is_array(loaded) and ub.dtype_of(loaded) == "float64"
            assert ub.to_numpy(loaded).tobytes() == ub.to_numpy(saved).tobytes()
        resumed = train(digits, data, then, state, range(STEPS_BEFORE, STEPS_BEFORE + STEPS_AFTER))
        loss = full_loss(digits, data, then, resumed["params"])
        assert abs(loss - reference) <= TOLERANCE, (first, then, loss, reference)
    # The run did train: the loss moved well away from the starting one.
    assert reference < full_loss(digits, data, first, fresh_state(digits, first)["params"]) - 0.1


# -- the README example --------------------------------------------------------------------------------

README_EXAMPLE = '''\
# requires: torch, jax
import os, tempfile
import unibridge as ub

path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
with ub.use("torch"):
    rng = ub.random.default_rng(0)
    state = {"layers": [{"W": rng.normal(size=(4, 3)), "b": ub.zeros(3, dtype="bfloat16")}], "step": 100}
    ub.save(state, path, metadata={"trained_with": "torch"})   # one safetensors file, written atomically

with ub.use("jax"):
    restored = ub.load(path, like=state)       # same tree, jax arrays, dtypes exact; names, shapes checked
W, b = restored["layers"][0]["W"], restored["layers"][0]["b"]
print(type(W).__module__.split(".")[0], ub.dtype_of(W), ub.dtype_of(b), restored["step"])  # jaxlib float64 bfloat16 100
print(ub.load_metadata(path))                  # {'trained_with': 'torch'}
print(bool((ub.to_numpy(W) == ub.to_numpy(state["layers"][0]["W"])).all()))  # True

try:
    ub.load(path, like={"layers": [{"W": ub.zeros((3, 4)), "b": ub.zeros(3)}], "step": 0})
except ub.CheckpointError as e:
    print(e)  # '...' does not match the template: 'layers/0/W' has shape (4, 3) in the file, (3, 4) in the template; 'layers/0/b' is bfloat16 in the file, float64 in the template
'''


def test_the_readme_checkpoint_example_prints_what_its_comments_say() -> None:
    for name in ("torch", "jax"):
        ok, reason = availability(name)
        if not ok:
            pytest.skip(f"the example needs {name}: {reason}")
    from test_readme import printed_lines

    expected = [want for _, want in printed_lines(1, README_EXAMPLE)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(README_EXAMPLE, "README checkpoint example", "exec"), {"__name__": "readme"})
    got = out.getvalue().splitlines()
    assert len(got) == len(expected), (got, expected)
    for want, have in zip(expected, got):
        assert re.fullmatch(".*".join(re.escape(p) for p in want.split("...")), have), (have, want)


def test_the_readme_carries_the_checkpoint_example_verbatim() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    if "## Checkpoints" not in text:
        pytest.skip("README.md has no Checkpoints section yet (its text is merged from the branch's README note)")
    assert README_EXAMPLE in text
