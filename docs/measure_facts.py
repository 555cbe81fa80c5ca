"""Re-measure the framework behaviours recorded in docs/framework-facts.md.

    .venv/bin/python docs/measure_facts.py                 # every section (a few minutes)
    .venv/bin/python docs/measure_facts.py torch jax       # only some

Sections: versions torch tensorflow alignment jax dask dtypes odd imports.
Prints one Markdown table per section: what was tried, and what happened.
Anything that can abort the interpreter runs in a child process. Timings are
ratios within this run; the machine may be shared, so rerun before trusting one.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from typing import Any, Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
Row = tuple[str, str]


def attempt(fn: Callable[[], Any]) -> str:
    """``fn()``'s result as text, or ``raises Type: message``; warnings are named."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = str(fn())
        except Exception as exc:  # noqa: BLE001 - the exception is the measurement
            out = f"raises {type(exc).__name__}: {str(exc).splitlines()[0][:90] if str(exc) else ''}"
    warned = {w.category.__name__ for w in caught}
    return out + (f" (warns {', '.join(sorted(warned))})" if warned else "")


def child(code: str, timeout: int = 300) -> str:
    """Run ``code`` in a fresh interpreter: 'survives' or how it died."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    if proc.returncode == 0:
        return "survives" + (f" ({proc.stdout.strip()})" if proc.stdout.strip() else "")
    err = proc.stderr
    if proc.returncode > 0:  # a Python-level error, not a kill
        return f"exits {proc.returncode}: {(err.strip().splitlines() or [''])[-1][:100]}"
    how = f"signal {-proc.returncode}"
    for needle in ("Check failed", "what():", "Error:", "terminate called"):
        if needle in err:
            line = next(ln for ln in err.splitlines() if needle in ln)
            msg = line.split("what():")[-1] if "what():" in line else line.split("] ", 1)[-1]
            msg = re.sub(r" ptr = 0x[0-9a-f]+", "", msg.strip())
            return f"**process dies** ({how}): {msg[:100]}"
    return f"**process dies** ({how})"


def at_offset(n: int, dtype: Any, mod: int) -> Any:
    """A length-``n`` array whose data address is ``mod`` mod 64."""
    import numpy as np

    raw = np.zeros(n * np.dtype(dtype).itemsize + 128, np.uint8)
    return np.ndarray((n,), dtype, raw, (mod - raw.ctypes.data) % 64)


def timed(cases: dict[str, Callable[[], Any]], trials: int = 5) -> dict[str, float]:
    """Median seconds per case, trials interleaved round-robin."""
    samples: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(trials):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in samples.items()}


def show(title: str, rows: list[Row]) -> None:
    print(f"\n### {title}\n\n| tried | what happened |\n|---|---|")
    for tried, got in rows:
        print(f"| `{tried}` | {got.replace('|', '/')} |")
    sys.stdout.flush()


# -- sections ---------------------------------------------------------------------------------
def versions() -> list[Row]:
    from importlib.metadata import version

    rows = [("python", platform.python_version()), ("machine", f"{platform.machine()}, {os.cpu_count()} CPUs, "
            f"Linux {platform.release()}")]
    for dist in ("numpy", "torch", "tensorflow-cpu", "jax", "jaxlib", "ml_dtypes", "dask", "array-api-compat"):
        rows.append((dist, attempt(lambda: version(dist))))
    return rows


def torch_facts() -> list[Row]:
    import ml_dtypes
    import numpy as np
    import torch

    a = np.arange(6, dtype=np.float32)
    t = torch.from_numpy(a)
    a[0] = 42
    rows = [("torch.from_numpy(a)", f"shares: same pointer {t.data_ptr() == a.ctypes.data}, "
             f"mutation visible {t[0].item() == 42}")]
    ro = np.arange(4, dtype=np.float32)
    ro.flags.writeable = False
    got = attempt(lambda: torch.from_numpy(ro).__setitem__(0, 7))  # first read-only use in this process
    rows += [("torch.from_numpy(read_only)[0] = 7", f"{got}; read-only array now holds {ro[0]}"),
             ("torch.from_numpy(a[::-1])", attempt(lambda: torch.from_numpy(a[::-1]))),
             ("torch.from_numpy(a.astype('>f4'))", attempt(lambda: torch.from_numpy(a.astype(">f4")))),
             ("torch.from_numpy(as_strided(x, (1, 6), (-48, 8)))  (length-1 axis)", attempt(lambda: torch.from_numpy(
                 np.lib.stride_tricks.as_strided(np.zeros((4, 6)), shape=(1, 6), strides=(-48, 8))))),
             ("torch.from_numpy(float32 with stride 6 bytes)", attempt(lambda: torch.from_numpy(
                 np.ndarray((3,), np.float32, np.zeros(32, np.uint8), 0, (6,)))))]
    bf = np.ones(3, ml_dtypes.bfloat16)
    rows.append(("torch.from_numpy(ml_dtypes.bfloat16 array)", attempt(lambda: torch.from_numpy(bf))))
    tb = torch.from_numpy(bf.view(np.int16)).view(torch.bfloat16)
    rows.append(("torch.from_numpy(bf.view(np.int16)).view(torch.bfloat16)",
                 f"{tb.tolist()}, shares {tb.data_ptr() == bf.ctypes.data}"))
    for name in ("longlong", "ulonglong"):
        arr = np.arange(3, dtype=getattr(np, name))
        rows.append((f"torch.from_numpy(np.arange(3, dtype=np.{name}))  (char {arr.dtype.char!r}, == {arr.dtype.name})",
                     attempt(lambda: f"{torch.from_numpy(arr).dtype}, shares {torch.from_numpy(arr).data_ptr() == arr.ctypes.data}")))
    cx = ("import numpy as np, torch\nraw = np.zeros(4096, np.uint8)\n"
          "c = np.ndarray(({n},), np.complex128, raw, (8 - raw.ctypes.data) % 64 + 64, ({s},))\n"
          "print('NumPy aligned flag', c.flags.aligned)\nt = torch.from_numpy(c)\n{op}")
    for n, s, op in ((64, 16, "t.clone(); t.sum(); t.contiguous(); t + t"), (5, 0, "t.clone()"), (5, 0, "t.sum()")):
        rows.append((f"complex128 at 8 mod 16, shape ({n},) strides ({s},): {op}", child(cx.format(n=n, s=s, op=op))))
    m = np.frombuffer(bytearray(4 * 64 + 1), np.float32, count=64, offset=1)  # writable, 1 byte off
    m[:] = 1
    rows.append(("torch.from_numpy(float32 at an odd address).sum()", f"NumPy aligned flag {m.flags.aligned}; "
                 + attempt(lambda: f"shares {torch.from_numpy(m).data_ptr() == m.ctypes.data}, sum {torch.from_numpy(m).sum().item()}")))
    g = torch.ones(2, requires_grad=True)
    rows += [("t.requires_grad_().numpy()", attempt(lambda: g.numpy())),
             ("t.detach().numpy()", f"shares {g.detach().numpy().ctypes.data == g.data_ptr()}")]
    z = torch.ones(2, dtype=torch.complex64)
    rows += [("t.conj().numpy()  (conj bit)", attempt(lambda: z.conj().numpy())),
             ("t.conj().imag.numpy()  (neg bit)", attempt(lambda: z.conj().imag.numpy())),
             ("torch.ones(2, dtype=torch.bfloat16).numpy()", attempt(lambda: torch.ones(2, dtype=torch.bfloat16).numpy())),
             ("torch.empty(2, device='meta').numpy()", attempt(lambda: torch.empty(2, device="meta").numpy())),
             ("torch.ones(2, device='cuda')  (CPU wheel)", attempt(lambda: torch.ones(2, device="cuda"))),
             ("torch.empty(4, pin_memory=True)  (no GPU)", attempt(lambda: torch.empty(4, pin_memory=True).is_pinned()))]
    i = torch.from_numpy(np.arange(3))
    rows += [("i.to(torch.int64) is i", str(i.to(torch.int64) is i)),
             ("i.to(torch.int64, copy=True) shares", str(i.to(torch.int64, copy=True).data_ptr() == i.data_ptr())),
             ("torch.from_dlpack(np.arange(10.0)[::-1])", child(
                 "import numpy as np, torch\nt = torch.from_dlpack(np.arange(10.0)[::-1])\nprint(t.tolist())"))]
    return rows


def tensorflow_facts() -> list[Row]:
    import numpy as np
    import tensorflow as tf

    imp = tf.experimental.dlpack.from_dlpack
    ptr = lambda t: np.from_dlpack(t).ctypes.data  # noqa: E731 - TF's own buffer address
    rows = []
    for label, a in (("64-byte aligned", at_offset(1 << 20, np.float32, 0)),
                     ("16 mod 64", at_offset(1 << 20, np.float32, 16))):
        a[:] = 1
        for name, fn in (("convert_to_tensor", tf.convert_to_tensor), ("constant", tf.constant)):
            t = fn(a)
            a[0] = 5
            rows.append((f"tf.{name}(a), a float32 (4 MiB) {label}",
                         f"copies: same pointer {ptr(t) == a.ctypes.data}, mutation visible {t[0].numpy() == 5}"))
            a[0] = 1
    a = at_offset(1 << 10, np.float32, 0)
    t = imp(a.__dlpack__())
    a[0] = 9
    view, copied = np.asarray(t), t.numpy()
    rows += [("tf.experimental.dlpack.from_dlpack(a.__dlpack__())",
              f"shares: same pointer {ptr(t) == a.ctypes.data}, mutation visible {t[0].numpy() == 9}"),
             ("tf.experimental.dlpack.from_dlpack(a)", attempt(lambda: imp(a))),
             ("np.asarray(t)", f"zero-copy {view.ctypes.data == a.ctypes.data}, writeable {view.flags.writeable}"),
             ("t.numpy()", f"zero-copy {copied.ctypes.data == a.ctypes.data}, writeable {copied.flags.writeable}"),
             ("tf.identity(t)", f"same buffer {ptr(tf.identity(t)) == ptr(t)}"),
             ("tf.raw_ops.DeepCopy(x=t)", f"same buffer {ptr(tf.raw_ops.DeepCopy(x=t)) == ptr(t)}")]
    x = np.zeros((64, 64), np.float32)
    rox = x.copy()
    rox.flags.writeable = False
    rows += [("from_dlpack(x.T.__dlpack__())", attempt(lambda: imp(x.T.__dlpack__()))),
             ("from_dlpack(x[:, ::2].__dlpack__())", attempt(lambda: imp(x[:, ::2].__dlpack__()))),
             ("read_only.__dlpack__()", attempt(lambda: rox.__dlpack__())),
             ("from_dlpack(np bool array.__dlpack__())", attempt(lambda: imp(np.array([True, False]).__dlpack__()).numpy())),
             ("np.asarray(tf.constant(1.5, tf.bfloat16))  (0-d)", attempt(lambda: np.asarray(tf.constant(1.5, tf.bfloat16)))),
             ("tf.constant(['a']).__dlpack__()", child(
                 "import tensorflow as tf\ntf.constant(['a', 'bc']).__dlpack__()"))]
    v = tf.Variable([1.0, 2.0, 3.0])
    snap = v.value()
    snap_view = np.asarray(snap)
    v.assign([7.0, 8.0, 9.0])
    snap2 = v.value()
    snap2_view = np.asarray(snap2)
    v.assign_add([1.0, 1.0, 1.0])
    rows += [("v = tf.Variable([1., 2., 3.]); s = v.value(); n = np.asarray(s); v.assign([7., 8., 9.])",
              f"s {s_list(snap)}, n {snap_view.tolist()}"),
             ("s = v.value(); n = np.asarray(s); v.assign_add([1., 1., 1.])  (in place)",
              f"s {s_list(snap2)}, n {snap2_view.tolist()}; v is now {s_list(v)}")]
    rows.append(("tf.config.get_soft_device_placement()", str(tf.config.get_soft_device_placement())))
    with tf.device("/GPU:0"):
        placed = (tf.constant([1.0]) + 1).device
    rows.append(("with tf.device('/GPU:0'): tf.constant([1.]) + 1   (no GPU)", f"runs on {placed}"))
    tf.config.set_soft_device_placement(False)
    try:
        def strict() -> str:
            with tf.device("/GPU:0"):
                return str((tf.constant([1.0]) + 1).device)
        rows.append(("same, after set_soft_device_placement(False)", attempt(strict)))
    finally:
        tf.config.set_soft_device_placement(True)

    # speed: 64 MiB float32 from NumPy into TF, against a plain memcpy
    from unibridge._memory import aligned_copy

    src = at_offset(1 << 24, np.float32, 0)
    src[:] = 1
    dst, t64 = np.ones_like(src), tf.constant(src)
    ms = timed({"np.copyto(dst, src)  (memcpy into touched memory)": lambda: np.copyto(dst, src),
                "src.copy()  (fresh memory)": lambda: src.copy(),
                "tf.convert_to_tensor(src)": lambda: tf.convert_to_tensor(src),
                "tf.constant(src)": lambda: tf.constant(src),
                "from_dlpack(aligned_copy(src).__dlpack__())  (unibridge's copy path)":
                    lambda: imp(aligned_copy(src).__dlpack__()),
                "from_dlpack(src.__dlpack__())  (zero-copy)": lambda: imp(src.__dlpack__()),
                "t.numpy()  (t a TF tensor)": lambda: t64.numpy()})
    base = ms["np.copyto(dst, src)  (memcpy into touched memory)"]
    rows += [(f"64 MiB: {k}", f"{v / base:.2f}x memcpy time ({src.nbytes / v / 1e9:.2f} GB/s)") for k, v in ms.items()]
    # per call, 8 float32 (a loop of 2000 calls per trial)
    small, small16 = at_offset(8, np.float32, 0), at_offset(8, np.float32, 16)
    loop = lambda fn: (lambda: [fn() for _ in range(2000)])  # noqa: E731
    us = timed({"small.copy()  (NumPy reference)": loop(small.copy),
                "tf.convert_to_tensor(small)": loop(lambda: tf.convert_to_tensor(small)),
                "from_dlpack(small.__dlpack__())  (aligned, zero-copy)": loop(lambda: imp(small.__dlpack__())),
                "from_dlpack(aligned_copy(small16).__dlpack__())  (misaligned: unibridge's copy path)":
                    loop(lambda: imp(aligned_copy(small16).__dlpack__()))})
    ref = us["tf.convert_to_tensor(small)"]
    rows += [(f"8 float32: {k}", f"{v / ref:.2f}x tf.convert_to_tensor time") for k, v in us.items()]
    rows += tf_function_container_facts(tf)
    return rows


def tf_function_container_facts(tf: Any) -> list[Row]:
    """What ``tf.function`` hands a function, and back, for dicts in two key orders and a defaultdict."""
    from collections import OrderedDict, defaultdict

    x = tf.constant(1.0)
    rows: list[Row] = []
    for kind, make in (("dict", dict), ("OrderedDict", OrderedDict), ("defaultdict", lambda i: defaultdict(list, i))):
        traced: list[list[str]] = []  # the key order each trace saw
        echo = tf.function(lambda p: traced.append(list(p)) or p, autograph=False)  # noqa: B023
        first = echo(make([("w", x), ("b", x)]))
        second = echo(make([("b", x), ("w", x)]))
        rows.append((f"tf.function echoing a {kind}: a call with keys w, b, then one with b, w",
                     f"{len(traced)} trace(s), seeing {traced}; the second call returns {type(second).__name__} "
                     f"keys {list(second)} (the first: {type(first).__name__} keys {list(first)})"))
    made = tf.function(lambda: defaultdict(list, {"a": x}), autograph=False)()
    rows.append(("tf.function returning a defaultdict it made", f"returns {type(made).__name__}"))
    return rows


def s_list(t: Any) -> list[float]:
    return [float(v) for v in t.numpy()]


_ALIGN_CHILD = """
import numpy as np, tensorflow as tf
raw = np.zeros({n} * 4 + 128, np.uint8)
a = np.ndarray(({n},), np.float32, raw, ({mod} - raw.ctypes.data) % 64); a[:] = 0.5
t = tf.experimental.dlpack.from_dlpack(a.__dlpack__())
r = {op}
"""


def alignment() -> list[Row]:
    import numpy as np

    rows = []
    ops = ["t + 1.0", "tf.nn.relu(t)", "tf.math.exp(t)", "tf.negative(t)", "tf.reduce_sum(t)",
           "tf.cast(t, tf.float64)", "tf.raw_ops.DeepCopy(x=t)", "tf.identity(t)", "t.numpy()", "np.asarray(t)"]
    for op in ops:
        rows.append((f"{op}  (1 Mi float32 at 16 mod 64)", child(_ALIGN_CHILD.format(n=1 << 20, mod=16, op=op))))
    for n, mod in ((1 << 20, 0), (1 << 20, 8), (1 << 20, 32), (1 << 20, 48), (8, 16)):
        rows.append((f"tf.math.exp(t)  ({n} float32 at {mod} mod 64)", child(_ALIGN_CHILD.format(n=n, mod=mod, op="tf.math.exp(t)"))))
    # buffer forwarding: ops over aligned imports must never write into the source
    import tensorflow as tf

    imp = tf.experimental.dlpack.from_dlpack
    a = at_offset(4096, np.float32, 0)
    a[:] = np.linspace(-2, 2, 4096)
    before = a.copy()
    fresh = lambda: imp(a.__dlpack__())  # noqa: E731 - an import referenced only by the op input
    t = fresh()
    kept = [t + 1.0, tf.nn.relu(t), tf.math.exp(t), -t, t * t, tf.sigmoid(t), tf.tanh(t), tf.add_n([t, t]),
            tf.cast(t, tf.float64), tf.clip_by_value(t, -1, 1), tf.abs(t), tf.nn.softmax(t),
            tf.where(t > 0, t, 0.0), tf.function(lambda x: x * 2 + 1)(t)]
    dropped = [fresh() + 1.0, tf.nn.relu(fresh()), tf.math.exp(fresh()), -fresh(), tf.square(fresh()),
               tf.sqrt(tf.abs(fresh())), tf.function(lambda x: tf.nn.relu(x) * 3)(fresh())]
    count = len(kept) + len(dropped)
    del kept, dropped, t
    rows.append((f"{count} ops on aligned imports (inputs kept, or dropped at once; tf.function)",
                 f"source unchanged {np.array_equal(a, before)}"))
    for n in (1, 8, 100, 1000, 100_000, 1 << 20, 1 << 24):
        arrays = [np.empty(n, np.float32) for _ in range(20)]
        mods = sorted({x.ctypes.data % 64 for x in arrays})
        counts = {m: sum(x.ctypes.data % 64 == m for x in arrays) for m in mods}
        rows.append((f"np.empty({n}, float32) x20: address mod 64", ", ".join(f"{m}: {c}" for m, c in counts.items())))
        del arrays
    return rows


def jax_facts() -> list[Row]:
    import numpy as np

    os.environ.pop("JAX_ENABLE_X64", None)
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", False)
    u = np.array([2**32 + 5, 2**63 + 1], np.uint64)
    rows = [("jax.config.jax_enable_x64 (default)", str(jax.config.jax_enable_x64)),
            ("jnp.asarray(np.arange(3.0)).dtype", attempt(lambda: jnp.asarray(np.arange(3.0)).dtype)),
            ("jnp.asarray(np.array([1, 2**40])).tolist()", attempt(lambda: (lambda x: (x.dtype, x.tolist()))(jnp.asarray(np.array([1, 2**40]))))),
            ("jnp.asarray(np.array([2**32+5, 2**63+1], uint64))", attempt(lambda: (lambda x: (x.dtype, x.tolist()))(jnp.asarray(u)))),
            ("jnp.asarray(np.ones(2, complex128)).dtype", attempt(lambda: jnp.asarray(np.ones(2, np.complex128)).dtype)),
            ("jnp.asarray(np.arange(3.0), dtype=jnp.float64).dtype", attempt(lambda: jnp.asarray(np.arange(3.0), dtype=jnp.float64).dtype)),
            ("jax.device_put(np.arange(3.0)).dtype", attempt(lambda: jax.device_put(np.arange(3.0)).dtype))]

    def alias(a: Any, fn: Callable[[Any], Any] = jax.device_put) -> str:
        x = fn(a)
        x.block_until_ready()
        return f"aliases {x.unsafe_buffer_pointer() == a.ctypes.data}, dtype {x.dtype}"

    al = at_offset(4096, np.float32, 0)
    rows += [("jax.device_put(a), a f32 64-byte aligned", alias(al)),
             ("jax.device_put(a), a f32 at 16 mod 64", alias(at_offset(4096, np.float32, 16))),
             ("jax.device_put(a.reshape(64, 64).T), aligned", alias(al.reshape(64, 64).T)),
             ("jax.device_put(a), a f64 aligned, x64 off", alias(at_offset(4096, np.float64, 0))),
             ("jnp.asarray(a), a f32 aligned", alias(al, jnp.asarray))]
    jax.config.update("jax_enable_x64", True)
    rows.append(("jax.device_put(a), a f64 aligned, x64 on", alias(at_offset(4096, np.float64, 0))))
    jax.config.update("jax_enable_x64", False)
    x = jax.device_put(al)
    al[0] = 3
    rows.append(("x = jax.device_put(aligned); a[0] = 3", f"x[0] is now {float(x[0])}: a true alias"))
    big = at_offset(1 << 24, np.float32, 16)
    for name, fn in (("jax.device_put", jax.device_put), ("jnp.asarray", jnp.asarray)):
        for wait in (False, True):
            leaks = 0
            for _ in range(5):
                big[:] = 1.0
                y = fn(big)
                if wait:
                    y.block_until_ready()
                big[:] = -1.0  # mutate right after the call
                y.block_until_ready()
                leaks += bool((np.asarray(y) == -1).any())
            rows.append((f"y = {name}(a); {'y.block_until_ready(); ' if wait else ''}a[:] = -1  (64 MiB at 16 mod 64)",
                         f"the later write shows in y in {leaks}/5 trials"))
    j = jnp.arange(4.0)
    v = np.asarray(j)
    rows.append(("np.asarray(jax_array)", f"zero-copy {v.ctypes.data == j.unsafe_buffer_pointer()}, writeable {v.flags.writeable}"))
    return rows


def dask_facts() -> list[Row]:
    import dask
    import dask.array as da
    import numpy as np

    rows = [("dask.__version__", dask.__version__)]
    for chunks in (-1, 4):
        a = np.arange(8.0)
        d = da.from_array(a, chunks=chunks)
        a[:] = -1
        r1, r2 = d.compute(), d.compute()
        rows.append((f"d = da.from_array(a, chunks={chunks}); a[:] = -1; d.compute()",
                     f"{'old values (copied at from_array)' if r1[0] == 0 else 'new values (kept a reference)'}; "
                     f"result shares with a {np.shares_memory(r1, a)}, two computes share {np.shares_memory(r1, r2)}, "
                     f"writeable {r1.flags.writeable}"))
    return rows


def dtype_facts() -> list[Row]:
    import numpy as np
    import tensorflow as tf
    import torch

    f64, i64 = np.array([0.1, 1.9, -1.9]), np.array([1, 2**40])
    f32 = np.ones(3, np.float32)
    shared = lambda t, a: t.data_ptr() == a.ctypes.data  # noqa: E731
    tfv = lambda t: (t.dtype.name, t.numpy().tolist())  # noqa: E731
    return [
        ("torch.tensor([0.1, 0.2]).dtype", attempt(lambda: torch.tensor([0.1, 0.2]).dtype)),
        ("torch.tensor([1, 2]).dtype", attempt(lambda: torch.tensor([1, 2]).dtype)),
        ("torch.tensor(np float64).dtype", attempt(lambda: torch.tensor(f64).dtype)),
        ("torch.Tensor(np float64)", attempt(lambda: (lambda t: f"{t.dtype}, shares {shared(t, f64)}")(torch.Tensor(f64)))),
        ("torch.Tensor(np int64)", attempt(lambda: (lambda t: f"{t.dtype} {t.tolist()}")(torch.Tensor(i64)))),
        ("torch.Tensor(np float32)", attempt(lambda: (lambda t: f"{t.dtype}, shares {shared(t, f32)}")(torch.Tensor(f32)))),
        ("tf.constant([0.1, 0.2]).dtype", attempt(lambda: tf.constant([0.1, 0.2]).dtype.name)),
        ("tf.constant([1, 2]).dtype", attempt(lambda: tf.constant([1, 2]).dtype.name)),
        ("tf.constant([2**40]).dtype", attempt(lambda: tf.constant([2**40]).dtype.name)),
        ("tf.constant(np float64).dtype", attempt(lambda: tf.constant(f64).dtype.name)),
        ("tf.convert_to_tensor(np [0.1, 1.9, -1.9], dtype=tf.int32)", attempt(lambda: tfv(tf.convert_to_tensor(f64, dtype=tf.int32)))),
        ("tf.convert_to_tensor(np [300, -1], dtype=tf.uint8)", attempt(lambda: tfv(tf.convert_to_tensor(np.array([300, -1]), dtype=tf.uint8)))),
        ("tf.constant(np [1, 2**40], dtype=tf.int32)", attempt(lambda: tfv(tf.constant(i64, dtype=tf.int32)))),
        ("tf.constant(np [1e40], dtype=tf.float32)", attempt(lambda: tfv(tf.constant(np.array([1e40]), dtype=tf.float32)))),
        ("tf.convert_to_tensor([0.5, 1.5], dtype=tf.int32)  (Python list)", attempt(lambda: tf.convert_to_tensor([0.5, 1.5], dtype=tf.int32))),
        ("tf.convert_to_tensor(tf float64 tensor, dtype=tf.float32)", attempt(lambda: tf.convert_to_tensor(tf.constant(f64), dtype=tf.float32))),
    ]


def odd_facts() -> list[Row]:
    """Legal values without array data, and sizes past the address space: what each framework raises."""
    import dask.array as da
    import jax
    import jax.numpy as jnp
    import numpy as np
    import tensorflow as tf
    import torch

    rows: list[Row] = []
    handle = tf.Variable([1.0]).handle
    variant = tf.data.experimental.to_variant(tf.data.Dataset.range(2))
    rows.append(("np.asarray(tf.Variable(...).handle)  (dtype resource)", attempt(lambda: np.asarray(handle))))
    rows.append(("np.asarray(tf.data.experimental.to_variant(ds))  (dtype variant)", attempt(lambda: np.asarray(variant))))
    rows.append(("np.asarray(tf.constant([1], tf.qint8)).dtype", attempt(lambda: np.asarray(tf.constant([1], tf.qint8)).dtype)))
    seen: dict[str, str] = {}

    @tf.function(autograph=False)
    def traced(x: Any) -> Any:
        seen["type"] = type(tf.constant(0)).__name__
        with tf.init_scope():
            seen["init_scope"] = type(tf.constant(0)).__name__
        seen["asarray"] = attempt(lambda: np.asarray(x))
        return x

    traced(tf.constant([1.0]))
    rows.append(("type(tf.constant(0)) while a tf.function is traced", seen["type"]))
    rows.append(("the same under tf.init_scope()", seen["init_scope"]))
    rows.append(("np.asarray(symbolic tensor) while tracing", seen["asarray"]))
    deleted = jnp.arange(3.0)
    deleted.delete()
    rows.append(("np.asarray(x) after x.delete()  (jax)", attempt(lambda: np.asarray(deleted))))
    rows.append(("x.devices() after x.delete()  (jax)", attempt(lambda: deleted.devices())))
    jit_seen: dict[str, str] = {}

    @jax.jit
    def jitted(t: Any) -> Any:
        jit_seen["devices"] = attempt(lambda: t.devices())
        jit_seen["device_put"] = type(jax.device_put(np.ones(2), jax.devices("cpu")[0])).__name__
        return t

    jitted(jnp.ones(2))
    rows.append(("tracer.devices() inside jax.jit", jit_seen["devices"]))
    rows.append(("type(jax.device_put(np_array, cpu)) inside jax.jit", jit_seen["device_put"]))
    rows.append(("np.zeros((2**31, 2**31))", attempt(lambda: np.zeros((2**31, 2**31)))))
    rows.append(("torch.zeros(2**60, dtype=torch.float64)", attempt(lambda: torch.zeros(2**60, dtype=torch.float64))))
    rows.append(("tf.zeros((2**31, 2**31), tf.float32)", attempt(lambda: tf.zeros((2**31, 2**31), tf.float32))))
    rows.append(("jnp.zeros(2**60, jnp.float64)  (x64 on)", child(
        "import jax; jax.config.update('jax_enable_x64', True); import jax.numpy as jnp; jnp.zeros(2**60, jnp.float64)")))
    rows.append(("da.zeros((0, 10**6), chunks='auto')", attempt(lambda: da.zeros((0, 10**6), chunks="auto"))))
    rows.append(("da.from_array(np.zeros((0, 10**6)), chunks='auto')", attempt(lambda: da.from_array(np.zeros((0, 10**6)), chunks="auto"))))
    rows.append(("torch.func.vmap(lambda t: t.numpy())(torch.ones(2, 3))", attempt(lambda: torch.func.vmap(lambda t: t.numpy())(torch.ones(2, 3)))))
    return rows


def empty_extent_facts() -> list[Row]:
    """Empty arrays (an extent of zero) whose other extents pass the address space."""
    import numpy as np
    import tensorflow as tf
    import torch

    rows: list[Row] = []
    for shape in ["(0, 2**60)", "(0, 2**62)", "(2**31, 2**31, 0)"]:
        rows.append((f"np.zeros({shape}, np.float32)", attempt(lambda s=shape: np.zeros(eval(s), np.float32).shape)))
    rows.append(("torch.zeros((0, 2**62))", attempt(lambda: tuple(torch.zeros((0, 2**62)).shape))))
    rows.append(("torch.zeros((0, 2**62)).numpy()", attempt(lambda: torch.zeros((0, 2**62)).numpy())))
    rows.append(("torch.zeros((0, 2**31, 2**32))", attempt(lambda: torch.zeros((0, 2**31, 2**32)))))
    rows.append(("tf.zeros((0, 2**62))", attempt(lambda: tuple(tf.zeros((0, 2**62)).shape))))
    rows.append(("np.asarray(tf.zeros((0, 2**62)))", attempt(lambda: np.asarray(tf.zeros((0, 2**62))))))
    for dtype, shape in [("float32", "(0, 2**62)"), ("float32", "(0, 2**63 - 1)"), ("float32", "(2**61 - 1, 0)"),
                         ("float32", "(2**61, 0)"), ("float32", "(2**31, 2**31, 0)"), ("int8", "(2**62, 0)"),
                         ("int8", "(2**63 - 1, 0)"), ("int8", "(2**32, 2**31 - 1, 0)"), ("int8", "(2**32, 2**31, 0)")]:
        rows.append((f"jnp.zeros({shape}, {dtype})", child(
            f"import jax.numpy as jnp; print(jnp.zeros({shape}, {dtype!r}).shape)")))
    return rows


def subnormal_facts() -> list[Row]:
    """What each framework's own cast does with subnormal numbers (NumPy keeps them)."""
    import jax
    import jax.numpy as jnp
    import ml_dtypes
    import numpy as np
    import tensorflow as tf
    import torch

    jax.config.update("jax_enable_x64", True)
    bf16_tiny = np.array([1], np.uint16).view(ml_dtypes.bfloat16)
    cases = [("float32 1e-45 -> float64", np.array([1e-45], np.float32), "float64"),
             ("float64 1e-40 -> float32", np.array([1e-40]), "float32"),
             ("bfloat16 9.2e-41 -> float64", bf16_tiny, "float64"),
             ("float16 6e-08 -> float32", np.array([6e-08], np.float16), "float32")]
    rows: list[Row] = []
    for what, a, to in cases:
        numpy_says = a.astype(to)[0]
        torch_a = torch.from_numpy(a.view(np.int16)).view(torch.bfloat16) if a.dtype.name == "bfloat16" else torch.from_numpy(a)
        got = {
            "numpy": numpy_says,
            "torch": torch_a.to(getattr(torch, to)).numpy()[0],
            "tf.cast": tf.cast(tf.constant(a), getattr(tf, to)).numpy()[0],
            "jax astype": np.asarray(jnp.asarray(a).astype(to))[0],
        }
        rows.append((what, ", ".join(f"{k} {v!r}" for k, v in got.items())))
    return rows


def import_times() -> list[Row]:
    stmts = {"pass": "pass", "numpy": "import numpy", "torch": "import torch", "tensorflow": "import tensorflow",
             "tensorflow, jax blocked": "import sys; sys.modules['jax'] = None; import tensorflow",
             "jax": "import jax, jax.numpy", "dask.array": "import dask.array",
             "array_api_compat": "import array_api_compat",
             "array_api_compat + array_namespace(np array)": "import array_api_compat, numpy; array_api_compat.array_namespace(numpy.zeros(1))",
             "unibridge": "import unibridge"}
    probe = ("import sys, time\nt0 = time.perf_counter()\n{s}\nt = time.perf_counter() - t0\n"
             "print(t, *(m for m in ('numpy', 'torch', 'tensorflow', 'jax', 'scipy') if sys.modules.get(m)))")
    runs: dict[str, list[float]] = {k: [] for k in stmts}
    loaded: dict[str, str] = {}
    for _ in range(5):
        for name, stmt in stmts.items():
            out = subprocess.run([sys.executable, "-c", probe.format(s=stmt)], capture_output=True, text=True,
                                 check=True).stdout.split()
            runs[name].append(float(out[0]))
            loaded[name] = " ".join(out[1:])
    numpy_s = statistics.median(runs["numpy"])
    return [(name, f"{statistics.median(v) * 1e3:.0f} ms, {statistics.median(v) / numpy_s:.1f}x numpy; "
             f"loads: {loaded[name] or '-'}") for name, v in runs.items() if name != "pass"]


SECTIONS: dict[str, tuple[str, Callable[[], list[Row]]]] = {
    "versions": ("Versions and machine", versions), "torch": ("NumPy to PyTorch", torch_facts),
    "tensorflow": ("NumPy to TensorFlow", tensorflow_facts),
    "alignment": ("TensorFlow DLPack import: alignment", alignment), "jax": ("NumPy to JAX", jax_facts),
    "dask": ("Dask", dask_facts), "dtypes": ("Dtype defaults of the frameworks", dtype_facts),
    "odd": ("Values without array data, and sizes past the address space", odd_facts),
    "empty": ("Empty arrays with huge extents", empty_extent_facts),
    "subnormals": ("Subnormal numbers in a framework's own cast", subnormal_facts),
    "imports": ("Import times (import statement only, median of 5 fresh processes)", import_times),
}

if __name__ == "__main__":
    for key in sys.argv[1:] or list(SECTIONS):
        title, measure = SECTIONS[key]
        show(title, measure())
