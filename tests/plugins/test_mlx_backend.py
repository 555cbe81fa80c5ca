"""unibridge-mlx: every dtype kept or refused by name, memory claims checked by flipping bytes,
float64 made accurate where MLX's kernels are float32-accurate, gradients against finite
differences and torch, ``jit`` through ``mx.compile``.

The facts the backend relies on are re-measured here (``test_mlx_fact_...``): when an MLX
release changes one, the test names the fact to re-check in ``backends/mlx/FACTS.md``.
"""

from __future__ import annotations

import ast
import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

mx = pytest.importorskip("mlx.core", reason="MLX is not installed (pip install 'mlx[cpu]')")
unibridge_mlx = pytest.importorskip("unibridge_mlx", reason="unibridge-mlx is not installed (pip install -e backends/mlx)")

import unibridge as ub  # noqa: E402
from unibridge.backend_kit import aligned_copy  # noqa: E402
from unibridge.testing.checks_memory import writable_alias  # noqa: E402

from _example_helpers import clean_env  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ml_dtypes = pytest.importorskip("ml_dtypes", reason="ml_dtypes gives NumPy a bfloat16")


def _autodiff_dispatch_ready() -> bool:
    """Whether unibridge.value_and_grad asks the backend (the capability), so MLX arrays work."""
    try:
        ub.grad(lambda w: (w * w).sum())(mx.array([1.0]))
    except ub.AutodiffUnavailableError:
        return False
    return True


needs_dispatch = pytest.mark.skipif(
    not _autodiff_dispatch_ready(),
    reason="this unibridge does not yet dispatch value_and_grad/jit to a backend's autodiff()/jit()",
)


def flip(view: np.ndarray) -> None:
    """Invert every byte of ``view``'s memory (through a writable alias of the same bytes)."""
    raw = writable_alias(view).view(np.dtype(f"u{view.itemsize}"))  # same item size: any strides
    np.invert(raw, out=raw)


# -- facts about MLX (re-measured) ----------------------------------------------------------------


def test_mlx_fact_its_own_array_constructors_turn_float64_into_float32() -> None:
    a = np.array([0.1, 1 + 2**-52])
    assert mx.array(a).dtype == mx.float32 and mx.asarray(a).dtype == mx.float32
    assert mx.from_dlpack(a).dtype == mx.float32
    assert mx.array(np.array([1 + 2j])).dtype == mx.complex64
    x = ub.asarray(a, backend="mlx")
    assert x.dtype == mx.float64 and ub.to_numpy(x).tolist() == a.tolist()


def test_mlx_fact_every_way_in_copies_and_numpy_views_of_mlx_arrays_are_writable() -> None:
    a = aligned_copy(np.arange(8.0))
    for made in (mx.array(a, dtype=mx.float64), mx.asarray(a), mx.from_dlpack(a)):
        view = np.array(made, copy=False)
        assert view.ctypes.data != a.ctypes.data
    x = mx.arange(4, dtype=mx.float32)
    view = np.array(x, copy=False)
    assert view.flags.writeable and not np.from_dlpack(x).flags.writeable
    view[0] = 7.0
    assert x.tolist()[0] == 7.0


def test_mlx_fact_setitem_gives_the_array_a_new_buffer_so_older_views_detach() -> None:
    x = ub.asarray(np.arange(4.0), backend="mlx")
    before = ub.to_numpy(x, copy=False)
    x[1] = 5.0
    assert before.tolist() == [0.0, 1.0, 2.0, 3.0] and x.tolist() == [0.0, 5.0, 2.0, 3.0]
    assert not ub.shares_memory(before, x)


def test_mlx_fact_float64_exp_sin_cos_are_float32_accurate_and_exp_has_float32_range() -> None:
    a = np.linspace(-30.0, 30.0, 2001)
    own = np.array(mx.exp(mx.array(a, dtype=mx.float64)))
    assert np.max(np.abs(own - np.exp(a)) / np.exp(a)) > 1e-7
    assert np.array(mx.exp(mx.array([89.0, -88.0], dtype=mx.float64))).tolist() == [np.inf, 0.0]
    assert np.max(np.abs(np.array(mx.sin(mx.array(a, dtype=mx.float64))) - np.sin(a))) > 1e-9
    # ...while log, tanh and matmul are float64-accurate (what the namespace's fixes build on)
    pos = np.linspace(0.01, 30.0, 2001)
    assert np.max(np.abs(np.array(mx.log(mx.array(pos, dtype=mx.float64))) - np.log(pos)) / np.abs(np.log(pos))) < 1e-15


# -- dtypes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64", "float16", "bfloat16", "float32", "float64", "complex64"])
def test_every_mlx_dtype_round_trips_bit_exactly(dtype: str) -> None:
    np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else np.dtype(dtype)
    if dtype == "bool":
        a = np.array([True, False, True])
    elif np.dtype(np_dtype).kind in "iu":
        info = np.iinfo(np_dtype)
        a = np.array([info.min, info.max, 1, info.max // 2 + 1], dtype=np_dtype)
    else:
        raw = np.random.default_rng(0).integers(0, 256, 64, dtype=np.uint8)  # every bit pattern: NaN payloads too
        a = raw.view(np_dtype)
    x = ub.asarray(a, backend="mlx")
    assert ub.dtype_of(x) == dtype
    back = ub.to_numpy(x)
    assert back.dtype == a.dtype and back.tobytes() == a.tobytes()


def test_complex128_is_refused_by_name_never_narrowed_to_complex64() -> None:
    with pytest.raises(ub.UnsupportedInputError, match="MLX has no complex128"):
        ub.asarray(np.array([1 + 2j]), backend="mlx")
    with pytest.raises(ub.UnsupportedInputError, match="complex128"):
        ub.zeros((2,), dtype="complex128", backend="mlx")
    assert ub.dtype_of(ub.asarray(np.array([1 + 2j]), dtype="complex64", backend="mlx")) == "complex64"


# -- memory ---------------------------------------------------------------------------------------


def test_copy_false_from_numpy_raises_saying_mlx_copies_and_other_copies_are_finished() -> None:
    a = aligned_copy(np.arange(1 << 16, dtype=np.float64))
    with pytest.raises(ub.CopyRequiredError, match="MLX cannot wrap memory it did not allocate"):
        ub.asarray(a, backend="mlx", copy=False)
    for layout in (a, a[::-1], a[::2], a.astype(">f8"), np.asfortranarray(a.reshape(256, 256))):
        x = ub.asarray(layout, backend="mlx")
        want = np.array(layout, copy=True)
        flip(layout)  # at once: a copy still in flight would show it
        assert not ub.shares_memory(layout, x)
        assert ub.to_numpy(x).tobytes() == np.ascontiguousarray(want, dtype=want.dtype.newbyteorder("=")).tobytes()


@pytest.mark.parametrize("dtype", ["float64", "bfloat16", "complex64", "int8"])
def test_to_numpy_without_copy_is_the_mlx_buffer_and_shares_memory_says_so(dtype: str) -> None:
    np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else np.dtype(dtype)
    x = ub.asarray(np.arange(6).astype(np_dtype), backend="mlx")
    view = ub.to_numpy(x, copy=False)
    assert ub.shares_memory(view, x) and view.dtype == np_dtype
    before = np.array(x.view(mx.uint8)).tobytes()
    flip(view)
    after = np.array(x.view(mx.uint8)).tobytes()
    assert after == bytes(b ^ 0xFF for b in before)
    copied = ub.to_numpy(x, copy=True)
    assert not ub.shares_memory(copied, x)
    flip(copied)
    assert np.array(x.view(mx.uint8)).tobytes() == after


def test_views_of_transposed_and_sliced_mlx_arrays_are_their_memory_too() -> None:
    x = ub.asarray(np.arange(12.0).reshape(3, 4), backend="mlx")
    for y in (x.T, x[:, ::2], x[::-1]):
        view = ub.to_numpy(y, copy=False)
        assert ub.shares_memory(view, x) and ub.shares_memory(y, x)
        assert view.tolist() == np.array(y).tolist()
    assert not ub.shares_memory(x, mx.array(x))


def test_from_native_copy_true_is_a_new_buffer_and_copy_false_is_the_array() -> None:
    x = ub.asarray(np.arange(4.0), backend="mlx")
    assert ub.asarray(x, backend="mlx", copy=False) is x
    y = ub.asarray(x, backend="mlx", copy=True)
    assert not ub.shares_memory(x, y)
    flip(ub.to_numpy(x, copy=False))
    assert ub.to_numpy(y).tolist() == [0.0, 1.0, 2.0, 3.0]


def test_mlx_arrays_move_to_torch_and_back_with_the_same_bits() -> None:
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).normal(size=5)
    x = ub.asarray(a, backend="mlx")
    t = ub.asarray(x, backend="torch")
    assert t.dtype == torch.float64 and t.numpy().tobytes() == a.tobytes()
    assert ub.to_numpy(ub.asarray(t, backend="mlx")).tobytes() == a.tobytes()


def test_a_gpu_is_refused_because_the_backend_is_cpu_only() -> None:
    with pytest.raises(ub.DeviceUnavailableError, match="cpu"):
        ub.asarray(np.ones(2), backend="mlx", device="gpu:0")
    assert [str(d) for d in ub.get_backend("mlx").devices()] == ["cpu"]


# -- the namespace --------------------------------------------------------------------------------


def _ulps(got: np.ndarray, want: np.ndarray) -> float:
    finite = np.isfinite(want) & (want != 0)
    return float(np.max(np.abs(got[finite] - want[finite]) / np.spacing(np.abs(want[finite]))))


def test_namespace_float64_exp_is_within_one_ulp_over_the_whole_range_subnormals_included() -> None:
    xp = ub.namespace("mlx")
    a = np.concatenate([np.linspace(-745.1, 709.78, 200001), [-1e5, 1e5, np.inf, -np.inf, 0.0, -0.0]])
    got = ub.to_numpy(xp.exp(ub.asarray(a, backend="mlx")))
    with np.errstate(over="ignore"):
        want = np.exp(a)
    assert _ulps(got, want) <= 1.0
    assert np.array_equal(got[~np.isfinite(want) | (want == 0)], want[~np.isfinite(want) | (want == 0)])
    assert np.isnan(ub.to_numpy(xp.exp(ub.asarray(np.array([np.nan]), backend="mlx")))).all()


def test_namespace_float64_sin_cos_sigmoid_softmax_logsumexp_match_numpy_and_scipy() -> None:
    special = pytest.importorskip("scipy.special")
    xp = ub.namespace("mlx")
    a = np.random.default_rng(2).uniform(-40.0, 40.0, 4001)
    x = ub.asarray(a, backend="mlx")
    assert np.max(np.abs(ub.to_numpy(xp.sin(x)) - np.sin(a))) < 4e-16
    assert np.max(np.abs(ub.to_numpy(xp.cos(x)) - np.cos(a))) < 4e-16
    assert np.max(np.abs(ub.to_numpy(xp.sigmoid(x)) - special.expit(a)) / special.expit(a)) < 1e-15
    assert abs(float(ub.to_numpy(xp.logsumexp(x))) - special.logsumexp(a)) < 1e-13
    assert np.max(np.abs(ub.to_numpy(xp.softmax(x, axis=0)) - special.softmax(a))) < 1e-16
    assert np.max(np.abs(ub.to_numpy(xp.logaddexp(x, x * 0.3)) - np.logaddexp(a, a * 0.3))) < 1e-13


def test_namespace_creation_gives_float64_and_int64_like_the_other_backends() -> None:
    xp = ub.namespace("mlx")
    made = {"zeros": xp.zeros(2), "arange(3.0)": xp.arange(3.0), "asarray([1.5])": xp.asarray([1.5]),
            "full": xp.full((2,), 0.5), "linspace": xp.linspace(0, 1, 3), "eye": xp.eye(2),
            "asarray(float64 numpy)": xp.asarray(np.arange(2.0))}
    assert {k: str(v.dtype) for k, v in made.items()} == {k: "mlx.core.float64" for k in made}
    assert xp.arange(3).dtype == mx.int64 and xp.asarray([1, 2]).dtype == mx.int64
    assert xp.zeros(2, dtype=xp.float32).dtype == mx.float32 and xp.bool == mx.bool_


def defaults_complex() -> Any:
    return ub.namespace("mlx").__array_namespace_info__().default_dtypes()["complex floating"]


def test_namespace_python_complex_is_complex64_and_info_reports_unibridges_defaults() -> None:
    xp = ub.namespace("mlx")
    # The namespace's default complex dtype is complex64, MLX's only one (what its info reports);
    # the converter, unibridge.asarray, refuses complex128 data by name instead.
    assert xp.asarray([1 + 2j]).dtype == mx.complex64 == defaults_complex()
    with pytest.raises(ub.UnsupportedInputError, match="no complex128"):
        ub.asarray([1 + 2j], backend="mlx")
    defaults = xp.__array_namespace_info__().default_dtypes()
    assert (defaults["real floating"], defaults["integral"]) == (mx.float64, mx.int64)
    assert xp.__array_namespace_info__().dtypes()["float64"] == mx.float64  # the rest is MLX's


def test_namespace_gradients_of_the_accurate_functions_are_their_derivatives() -> None:
    xp = ub.namespace("mlx")
    a = np.array([-3.0, -0.5, 0.25, 2.0, 20.0])
    x = mx.array(a, dtype=mx.float64)
    for f, df in ((xp.exp, np.exp), (xp.sin, np.cos), (xp.cos, lambda t: -np.sin(t))):
        for transform in (lambda g: g, mx.compile):
            g = np.array(transform(mx.grad(lambda t, f=f: f(t).sum()))(x))
            assert np.max(np.abs(g - df(a)) / np.maximum(np.abs(df(a)), 1.0)) < 1e-15


# -- gradients and jit ----------------------------------------------------------------------------


def _mlp_loss(xp: Any) -> Any:
    def loss(p: dict[str, Any], X: Any, Y: Any) -> Any:
        z = xp.tanh(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        z = z - ub.stop_gradient(xp.max(z, axis=1, keepdims=True))
        return -xp.mean(xp.sum(Y * (z - xp.log(xp.sum(xp.exp(z), axis=1, keepdims=True))), axis=1))

    return loss


def _problem() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    p = {"W1": rng.normal(0, 0.3, (6, 5)), "b1": rng.normal(0, 0.1, 5),
         "W2": rng.normal(0, 0.3, (5, 4)), "b2": rng.normal(0, 0.1, 4)}
    return p, rng.uniform(size=(7, 6)), np.eye(4)[rng.integers(0, 4, 7)]


@needs_dispatch
def test_value_and_grad_of_an_mlp_matches_central_finite_differences_in_float64() -> None:
    host, X, Y = _problem()
    loss = _mlp_loss(ub.namespace("mlx"))
    p = {k: ub.asarray(v, backend="mlx") for k, v in host.items()}
    Xm, Ym = ub.asarray(X, backend="mlx"), ub.asarray(Y, backend="mlx")
    value, g = ub.value_and_grad(loss)(p, Xm, Ym)
    assert ub.dtype_of(value) == "float64" and all(ub.dtype_of(v) == "float64" for v in g.values())

    def at(params: dict[str, np.ndarray]) -> float:
        return float(ub.to_numpy(loss({k: ub.asarray(v, backend="mlx") for k, v in params.items()}, Xm, Ym)))

    h = 1e-6
    for name, w in host.items():
        fd = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            up, down = {k: v.copy() for k, v in host.items()}, {k: v.copy() for k, v in host.items()}
            up[name][i] += h
            down[name][i] -= h
            fd[i] = (at(up) - at(down)) / (2 * h)
        assert np.max(np.abs(ub.to_numpy(g[name]) - fd)) < 1e-8, name


@needs_dispatch
def test_value_and_grad_of_an_mlp_matches_torch_to_1e_14() -> None:
    torch = pytest.importorskip("torch")
    host, X, Y = _problem()
    results = {}
    for name in ("mlx", "torch"):
        loss = _mlp_loss(ub.namespace(name))
        p = {k: ub.asarray(v, backend=name) for k, v in host.items()}
        value, g = ub.value_and_grad(loss)(p, ub.asarray(X, backend=name), ub.asarray(Y, backend=name))
        results[name] = (float(ub.to_numpy(value)), {k: ub.to_numpy(v) for k, v in g.items()})
    assert torch is not None and abs(results["mlx"][0] - results["torch"][0]) < 1e-14
    for k in host:
        assert np.max(np.abs(results["mlx"][1][k] - results["torch"][1][k])) < 1e-14, k


@needs_dispatch
def test_complex_gradient_of_abs_squared_is_2z_as_in_torch() -> None:
    torch = pytest.importorskip("torch")
    z = np.array([1 + 2j, -0.5 + 3j], np.complex64)
    g = ub.grad(lambda z: ub.namespace("mlx").sum(ub.namespace("mlx").abs(z) ** 2))(ub.asarray(z, backend="mlx"))
    t = torch.tensor(z, requires_grad=True)
    (t.abs() ** 2).sum().backward()
    assert ub.to_numpy(g).tolist() == t.grad.numpy().tolist() == (2 * z).tolist()


@needs_dispatch
def test_only_argnums_leaves_are_variables_the_same_array_elsewhere_is_a_constant() -> None:
    x = ub.asarray(np.array([1.0, 2.0, 3.0]), backend="mlx")
    g = ub.grad(lambda a: (a * x).sum())(x)  # x through the closure: a constant
    assert ub.to_numpy(g).tolist() == [1.0, 2.0, 3.0]
    g1, g2 = ub.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, x)  # the same array twice: two gradients
    assert ub.to_numpy(g1).tolist() == ub.to_numpy(g2).tolist() == [1.0, 2.0, 3.0]
    g = ub.grad(lambda a, b: (a * b).sum())(x, x)  # b is not differentiated
    assert ub.to_numpy(g).tolist() == [1.0, 2.0, 3.0]


@needs_dispatch
def test_pytrees_has_aux_and_gradients_of_gradients_work_on_mlx() -> None:
    x = ub.asarray(np.array([1.0, -2.0]), backend="mlx")
    y = ub.asarray(np.array([0.5]), backend="mlx")
    (value, aux), g = ub.value_and_grad(lambda t: ((t[0]["w"] ** 3).sum() + t[1][0].sum(), {"tag": "aux", "y": t[1]}),
                                        has_aux=True)(({"w": x}, [y]))
    assert float(ub.to_numpy(value)) == -6.5 and aux["tag"] == "aux" and aux["y"][0] is not None
    assert ub.to_numpy(g[0]["w"]).tolist() == [3.0, 12.0] and ub.to_numpy(g[1][0]).tolist() == [1.0]
    second = ub.grad(lambda t: ub.grad(lambda u: (u ** 3).sum())(t).sum())(x)
    assert ub.to_numpy(second).tolist() == [6.0, -12.0]


@needs_dispatch
def test_a_training_loop_that_reads_only_the_loss_keeps_mlx_memory_flat() -> None:
    xp = ub.namespace("mlx")
    rng = np.random.default_rng(4)
    w = ub.asarray(rng.normal(size=(64, 10)), backend="mlx")
    X = ub.asarray(rng.normal(size=(128, 64)), backend="mlx")
    step = ub.value_and_grad(lambda w, X: xp.mean(xp.exp(X @ w * 0.01)))
    gc.collect()  # arrays other tests left behind are freed now, not during the loop
    seen = []
    for i in range(650):
        value, g = step(w, X)
        w = w - 0.01 * g  # lazy: evaluated when the next loss is read
        if i % 10 == 0:
            float(ub.to_numpy(value))
        if i >= 50 and i % 200 == 50:  # after a warm-up (MLX's caches)
            seen.append(mx.get_active_memory())
    leak_per_step = 64 * 10 * 8  # one float64 gradient kept per step
    assert max(seen) - seen[0] < 50 * leak_per_step, seen


@needs_dispatch
def test_integer_arrays_and_non_scalar_losses_are_refused_with_unibridge_errors() -> None:
    with pytest.raises(ub.NotDifferentiableError, match="int64"):
        ub.grad(lambda t: t.sum())(ub.asarray(np.array([1, 2]), backend="mlx"))
    with pytest.raises(ub.GradientOutputError, match="real scalar"):
        ub.grad(lambda t: t * 2)(ub.asarray(np.array([1.0, 2.0]), backend="mlx"))


@needs_dispatch
def test_jit_is_mx_compile_and_a_compiled_training_step_matches_eager_to_1e_15() -> None:
    host, X, Y = _problem()
    loss_and_grads = ub.value_and_grad(_mlp_loss(ub.namespace("mlx")))

    def step(p: dict[str, Any], X: Any, Y: Any) -> Any:
        value, g = loss_and_grads(p, X, Y)
        return {k: p[k] - 0.1 * g[k] for k in p}, value

    with ub.use("mlx"):
        compiled = ub.jit(step)
    p = {k: ub.asarray(v, backend="mlx") for k, v in host.items()}
    Xm, Ym = ub.asarray(X, backend="mlx"), ub.asarray(Y, backend="mlx")
    eager_p, eager_v = step(p, Xm, Ym)
    jit_p, jit_v = compiled(p, Xm, Ym)
    assert abs(float(ub.to_numpy(eager_v)) - float(ub.to_numpy(jit_v))) < 1e-15
    for k in host:
        assert np.max(np.abs(ub.to_numpy(eager_p[k]) - ub.to_numpy(jit_p[k]))) < 1e-15


@needs_dispatch
def test_reading_values_inside_jit_raises_unsupported_input_not_mlx_value_error() -> None:
    with ub.use("mlx"):
        f = ub.jit(lambda t: ub.asarray(ub.to_numpy(t), backend="mlx"))
    with pytest.raises(ub.UnsupportedInputError, match="mx.compile"):
        f(ub.asarray(np.ones(2), backend="mlx"))


# -- the digits example ---------------------------------------------------------------------------


@needs_dispatch
@pytest.mark.parametrize("default_float, tolerance", [("float64", 1e-9), ("float32", 1e-6)])
def test_digits_example_trains_on_mlx_to_torchs_loss(default_float: str, tolerance: float) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    code = (
        "import json, sys; sys.path.insert(0, 'examples'); import digits, unibridge as ub\n"
        "out = {}\n"
        "for name in ('mlx', 'torch'):\n"
        "    with ub.use(name):\n"
        "        r = digits.train(epochs=3, hidden=16)\n"
        "    out[name] = [r['final_loss'], r['losses'], r['dtype']]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=clean_env(UNIBRIDGE_DEFAULT_FLOAT=default_float))
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    assert runs["mlx"][2] == runs["torch"][2] == default_float
    assert abs(runs["mlx"][0] - runs["torch"][0]) <= tolerance
    assert np.max(np.abs(np.array(runs["mlx"][1]) - np.array(runs["torch"][1]))) <= tolerance


# -- the plugin as a package ----------------------------------------------------------------------

PUBLIC = {"unibridge", "unibridge.backend_kit", "unibridge.errors", "unibridge.devices", "unibridge.dtypes",
          "unibridge.protocol", "unibridge.testing"}


def _unibridge_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "unibridge"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "unibridge":
                found.add(node.module)
                if node.module == "unibridge":  # `from unibridge import _memory` names a module too
                    found |= {f"unibridge.{a.name}" for a in node.names if a.name.startswith("_")}
    return found


@pytest.mark.parametrize("plugin", sorted(p.name for p in (ROOT / "backends").iterdir() if (p / "src").is_dir()))
def test_every_plugin_imports_only_public_unibridge_modules(plugin: str) -> None:
    sources = sorted((ROOT / "backends" / plugin / "src").rglob("*.py"))
    assert sources
    private = {f"{p.relative_to(ROOT)}: {m}" for p in sources for m in _unibridge_imports(p)
               if m not in PUBLIC and not m.startswith("unibridge.testing.")}
    private |= {f"{p.relative_to(ROOT)}: {m}" for p in sources for m in _unibridge_imports(p)
                if any(part.startswith("_") for part in m.split("."))}
    assert not private, sorted(private)


def test_the_private_import_finder_finds_a_planted_one(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("from unibridge._memory import aligned_copy\nfrom unibridge import _dlpack\n", encoding="utf-8")
    assert _unibridge_imports(planted) == {"unibridge._memory", "unibridge", "unibridge._dlpack"}


def test_importing_the_plugin_imports_no_mlx() -> None:
    code = ("import sys, unibridge as ub, unibridge_mlx\nb = ub.get_backend('mlx')\nb.available(); b.version()\n"
            "print('mlx' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=clean_env())
    assert done.returncode == 0 and done.stdout.split() == ["False"], done.stderr


def test_cli_info_lists_mlx_and_check_passes_with_unibridge_backend_mlx(tmp_path: Path) -> None:
    env = clean_env(UNIBRIDGE_BACKEND="mlx")
    info = subprocess.run([sys.executable, "-m", "unibridge", "info", "--json"], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    row = next(b for b in json.loads(info.stdout)["backends"] if b["name"] == "mlx")
    assert row["available"] and row["devices"] == ["cpu"] and row["version"] == mx.__version__
    check = subprocess.run([sys.executable, "-m", "unibridge", "check", "--backend", "mlx", "--json"], env=env,
                           cwd=str(tmp_path), capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    rows = json.loads(check.stdout)["backends"]
    assert [(r["backend"], r["status"]) for r in rows] == [("mlx", "pass")]


def test_docstring_examples_of_the_plugin_run() -> None:
    import doctest

    import unibridge_mlx.array_api
    import unibridge_mlx.autodiff
    import unibridge_mlx.backend

    modules = [unibridge_mlx, unibridge_mlx.backend, unibridge_mlx.array_api]
    if _autodiff_dispatch_ready():
        modules.append(unibridge_mlx.autodiff)
    for module in modules:
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


def test_the_plugin_readme_python_block_runs_and_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    readme = (ROOT / "backends" / "mlx" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    assert blocks
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.splitlines() == ["float64 [1.1051709180756477]"]


def test_namespace_fills_array_api_signatures_mlx_lacks() -> None:
    xp = ub.namespace("mlx")
    x = xp.asarray([1.0, 2.0])
    assert xp.astype(x, xp.float64, copy=False) is x
    y = xp.astype(x, xp.float64)
    assert y is not x and not ub.shares_memory(x, y)  # MLX's own astype to the same dtype shares
    assert xp.iinfo(xp.int16).bits == 16 and xp.iinfo(xp.asarray([1])).max == 2**63 - 1
    assert xp.finfo(x).eps == np.finfo(np.float64).eps
    assert xp.result_type(xp.asarray([1], dtype=xp.int8), 1) == xp.int8
    assert xp.result_type(xp.asarray([1], dtype=xp.int8), 1.5) in (xp.float32, xp.float64)
    assert isinstance(xp.meshgrid(x, x), list)
    assert xp.argmax(x).dtype == xp.argmin(x, axis=0).dtype == mx.int64 and int(xp.argmax(x)) == 1
    assert [ub.to_numpy(i).tolist() for i in xp.nonzero(xp.asarray([[0, 3], [4, 0]]))] == [[0, 1], [1, 0]]
    assert ub.to_numpy(xp.copysign(x, xp.asarray([-0.0, 1.0]))).tolist() == [-1.0, 2.0]
    assert ub.to_numpy(xp.hypot(xp.asarray([3e300]), xp.asarray([4e300]))).tolist() == [5e300]


def test_negative_strides_and_foreign_byte_order_convert_with_their_shape_kept() -> None:
    # Found by the fuzz campaign: one reversed element reached MLX's DLPack import (NumPy calls a
    # one-element array contiguous whatever its stride) and MLX's ValueError escaped; a 0-d
    # big-endian array came back 1-d.
    reversed_one = np.array([True])[::-1]
    assert ub.to_numpy(ub.asarray(reversed_one, backend="mlx")).tolist() == [True]
    reversed_many = np.arange(6, dtype=np.int32)[::-2]
    assert ub.to_numpy(ub.asarray(reversed_many, backend="mlx")).tolist() == [5, 3, 1]
    big_endian = np.array(15185, dtype=">i2")
    out = ub.asarray(big_endian, backend="mlx")
    assert out.shape == () and ub.dtype_of(out) == "int16" and int(ub.to_numpy(out)) == 15185
