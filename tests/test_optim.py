"""``unibridge.optim`` against ``torch.optim`` in float64: 100 steps, the same trajectory to 1e-12.

Both sides get the same gradient numbers: the gradient of a fixed quadratic
loss, ``A * (p - c)``, computed in NumPy from each side's own parameters, so
the oracle shares nothing with our code but the hyperparameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import unibridge as ub
from tests._backends import require

torch = pytest.importorskip("torch")

BACKENDS = ["torch", "tensorflow", "jax", "numpy", "strict"]
JIT = ["tensorflow", "jax"]
STEPS = 100

rng = np.random.default_rng(7)
SHAPES = {"W": (3, 4), "b": (4,), "deep": (2,)}
START = {k: rng.normal(size=s) for k, s in SHAPES.items()}
CURVATURE = {k: rng.uniform(0.1, 3.0, size=s) for k, s in SHAPES.items()}
TARGET = {k: rng.normal(size=s) for k, s in SHAPES.items()}

# (ours, torch's, hyperparameters)
OPTIMIZERS: dict[str, tuple[Any, Any]] = {
    "sgd": (lambda: ub.optim.sgd(0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    "sgd momentum": (lambda: ub.optim.sgd(0.05, momentum=0.9),
                     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "sgd nesterov": (lambda: ub.optim.sgd(0.05, momentum=0.8, nesterov=True),
                     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True)),
    "adam": (lambda: ub.optim.adam(0.03, b1=0.8, b2=0.99, eps=1e-6),
             lambda ps: torch.optim.Adam(ps, lr=0.03, betas=(0.8, 0.99), eps=1e-6)),
    "adamw": (lambda: ub.optim.adamw(0.03, weight_decay=0.1),
              lambda ps: torch.optim.AdamW(ps, lr=0.03, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
}


def quadratic_grad(p: np.ndarray, k: str) -> np.ndarray:
    return CURVATURE[k] * (p - TARGET[k])


def torch_trajectory(name: str) -> list[dict[str, np.ndarray]]:
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in START.items()}
    opt = OPTIMIZERS[name][1](list(params.values()))
    out = []
    for _ in range(STEPS):
        for k, p in params.items():
            p.grad = torch.from_numpy(quadratic_grad(p.detach().numpy(), k))
        opt.step()
        out.append({k: p.detach().numpy().copy() for k, p in params.items()})
    return out


def nested(flat: dict[str, Any]) -> Any:
    """The parameters as a nested tree: the optimizers walk pytrees, not only flat dicts."""
    return {"layer": {"W": flat["W"], "b": flat["b"]}, "extra": [flat["deep"]]}


def flat(tree: Any) -> dict[str, Any]:
    return {"W": tree["layer"]["W"], "b": tree["layer"]["b"], "deep": tree["extra"][0]}


def ours_trajectory(name: str, backend: str, compiled: bool) -> list[dict[str, np.ndarray]]:
    opt = OPTIMIZERS[name][0]()
    params = nested({k: ub.asarray(v, backend=backend) for k, v in START.items()})
    state = opt.init(params)

    def step(params: Any, state: Any, grads: Any) -> Any:
        updates, state = opt.update(grads, state, params)
        return ub.optim.apply_updates(params, updates), state

    step = ub.jit(step, backend=backend) if compiled else step
    out = []
    for _ in range(STEPS):
        host = {k: ub.to_numpy(v) for k, v in flat(params).items()}
        grads = nested({k: ub.asarray(quadratic_grad(v, k), backend=backend) for k, v in host.items()})
        params, state = step(params, state, grads)
        out.append({k: np.array(ub.to_numpy(v)) for k, v in flat(params).items()})
    return out


def assert_same_trajectory(ours: list[dict[str, np.ndarray]], theirs: list[dict[str, np.ndarray]]) -> None:
    for i, (a, b) in enumerate(zip(ours, theirs)):
        for k in SHAPES:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=1e-14, err_msg=f"step {i + 1}, {k}")


@pytest.fixture(scope="module")
def torch_runs() -> dict[str, list[dict[str, np.ndarray]]]:
    return {name: torch_trajectory(name) for name in OPTIMIZERS}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_hundred_steps_follow_torch_optim_to_1e_12(name: str, backend: str, torch_runs: Any) -> None:
    require(backend)
    assert_same_trajectory(ours_trajectory(name, backend, compiled=False), torch_runs[name])


@pytest.mark.parametrize("backend", JIT)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_compiled_step_follows_torch_optim_to_1e_12(name: str, backend: str, torch_runs: Any) -> None:
    require(backend)
    assert_same_trajectory(ours_trajectory(name, backend, compiled=True), torch_runs[name])


def test_the_trajectory_moves_far_enough_to_tell_optimizers_apart(torch_runs: Any) -> None:
    finals = [torch_runs[name][-1]["W"] for name in OPTIMIZERS]
    for i in range(len(finals)):
        for j in range(i + 1, len(finals)):
            assert not np.allclose(finals[i], finals[j], rtol=1e-6)


@pytest.mark.parametrize("backend", ["torch", "tensorflow", "jax", "numpy", "strict", "dask"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_updates_and_parameters_keep_the_backend_dtype_and_structure(name: str, backend: str) -> None:
    require(backend)
    opt = OPTIMIZERS[name][0]()
    params = {"w": ub.asarray(np.ones(3, dtype=np.float32), backend=backend), "none": None,
              "t": (ub.asarray(np.ones(2), backend=backend),)}
    state = opt.init(params)
    grads = ub.tree.map(lambda p: p * 0.5, params)
    updates, state = opt.update(grads, state, params)
    new = ub.optim.apply_updates(params, updates)
    assert ub.tree.structure(new) == ub.tree.structure(params) and new["none"] is None
    for before, after in zip(ub.tree.leaves(params), ub.tree.leaves(new)):
        assert ub.dtype_of(after) == ub.dtype_of(before)
        assert ub.device_of(after) == ub.device_of(before)
        assert ub.registry.owner_of(after).name == backend  # type: ignore[union-attr]
    for leaf in ub.tree.leaves(state):
        assert ub.registry.owner_of(leaf).name == backend  # type: ignore[union-attr]
    assert int(ub.to_numpy(state.count)) == 1 and ub.dtype_of(state.count) == "int32"


def test_a_schedule_receives_the_step_count() -> None:
    seen = []

    def schedule(count: Any) -> Any:
        seen.append(int(count))
        return 1.0 / (1.0 + count)

    opt = ub.optim.sgd(schedule)
    p = {"w": np.array([0.0])}
    state = opt.init(p)
    for _ in range(3):
        updates, state = opt.update({"w": np.array([1.0])}, state)
        p = ub.optim.apply_updates(p, updates)
    assert seen == [0, 1, 2] and p["w"].tolist() == [-(1.0 + 1.0 / 2 + 1.0 / 3)]


@pytest.mark.parametrize("make, message", [
    (lambda: ub.optim.adamw(0.1).update({"w": np.ones(1)}, ub.optim.adamw(0.1).init({"w": np.ones(1)})),
     "needs the parameters"),
    (lambda: ub.optim.sgd(0.1, nesterov=True), "needs a momentum"),
    (lambda: ub.optim.adam("0.1"), "learning_rate must be"),  # type: ignore[arg-type]
    (lambda: ub.optim.adam(0.1).init({}), "holds no arrays"),
    (lambda: ub.optim.sgd(0.1).init([1.0]), "not an array of a registered backend"),
])
def test_bad_arguments_raise_configuration_errors_that_name_the_fix(make: Any, message: str) -> None:
    with pytest.raises((ub.ConfigurationError, ub.UnsupportedInputError), match=message):
        make()
