"""Threads and asyncio tasks: no cross-talk, loaders run once, the registry stays whole.

``use()`` lives in a ``ContextVar``: each thread and each asyncio task sees only
its own block. These tests start every worker at once (a barrier, or tasks that
yield inside their blocks) so the interleavings that would expose a shared
variable actually happen. Tests that must see a *fresh* registry (first load,
registering while converting) run in a child interpreter.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from typing import Any

import numpy as np
import pytest

import unibridge as ub

from _backends import availability

NAMES = [n for n in ("numpy", "torch", "tensorflow") if availability(n)[0]]
THREADS = 32
TASKS = 32
LOOPS = 40


def _owner_name(x: Any) -> str:
    for name in NAMES:
        if ub.get_backend(name).is_array(x):
            return name
    return type(x).__module__


def _worker_plan(i: int) -> tuple[str, str, np.ndarray[Any, Any]]:
    outer = NAMES[i % len(NAMES)]
    inner = NAMES[(i + 1 + i // len(NAMES)) % len(NAMES)]
    data = np.full((3, 4), float(i), dtype=np.float32 if i % 2 else np.float64)
    return outer, inner, data


def _one_round(i: int, outer: str, inner: str, data: np.ndarray[Any, Any], errors: list[str]) -> None:
    with ub.use(outer):
        if ub.current().backend != outer:
            errors.append(f"worker {i}: current() is {ub.current().backend}, expected {outer}")
        x = ub.asarray(data)
        if _owner_name(x) != outer:
            errors.append(f"worker {i}: got a {_owner_name(x)} array inside use({outer!r})")
        with ub.use(inner):
            y = ub.asarray(x)
            z = ub.zeros((2,), dtype="int32")
            if _owner_name(y) != inner or _owner_name(z) != inner:
                errors.append(f"worker {i}: nested use({inner!r}) gave {_owner_name(y)}/{_owner_name(z)}")
        if ub.current().backend != outer:
            errors.append(f"worker {i}: after the nested block current() is {ub.current().backend}")
        back = ub.to_numpy(y)
        if back.dtype != data.dtype or not np.array_equal(back, data):
            errors.append(f"worker {i}: values or dtype changed ({back.dtype}, {back.flat[0]})")


def test_32_threads_switching_backends_see_no_cross_talk() -> None:
    ub.configure("numpy")
    barrier = threading.Barrier(THREADS)
    errors: list[str] = []

    def run(i: int) -> None:
        outer, inner, data = _worker_plan(i)
        try:
            barrier.wait()
            for _ in range(LOOPS):
                _one_round(i, outer, inner, data, errors)
                if ub.current().backend != "numpy":  # outside every block: the process default
                    errors.append(f"worker {i}: a use() block leaked out ({ub.current().backend})")
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(f"worker {i}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, "\n".join(errors[:20])


def test_32_asyncio_tasks_switching_backends_see_no_cross_talk() -> None:
    errors: list[str] = []

    async def task(i: int) -> None:
        outer, inner, data = _worker_plan(i)
        for _ in range(LOOPS // 2):
            with ub.use(outer):
                await asyncio.sleep(0)  # every other task runs here, inside their own blocks
                if ub.current().backend != outer:
                    errors.append(f"task {i}: current() is {ub.current().backend} after a switch")
                x = ub.asarray(data)
                with ub.use(inner):
                    await asyncio.sleep(0)
                    y = ub.asarray(x)
                    if _owner_name(y) != inner:
                        errors.append(f"task {i}: nested block gave a {_owner_name(y)} array")
                await asyncio.sleep(0)
                if _owner_name(x) != outer or ub.current().backend != outer:
                    errors.append(f"task {i}: outer block saw {ub.current().backend}")
                if not np.array_equal(ub.to_numpy(y), data):
                    errors.append(f"task {i}: values changed")
            if ub.current().backend != "numpy":
                errors.append(f"task {i}: a block leaked out of its task")

    async def main() -> None:
        await asyncio.gather(*(task(i) for i in range(TASKS)))

    ub.configure("numpy")
    asyncio.run(main())
    assert not errors, "\n".join(errors[:20])


def _child(body: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(body) + "\nprint('DONE', flush=True)\n"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0 and "DONE" in proc.stdout, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"


def test_a_backend_first_loaded_from_16_threads_at_once_is_loaded_exactly_once() -> None:
    _child(
        """
        import threading, time
        import numpy as np
        import unibridge as ub
        from unibridge.adapters.numpy import NumpyBackend

        calls = []
        lock = threading.Lock()

        class Counted(NumpyBackend):
            name = "counted"
            array_modules = ()

        def loader():
            with lock:
                calls.append(threading.get_ident())
            time.sleep(0.05)  # widen the window a double-checked lock must close
            return Counted()

        ub.register_backend("counted", loader, aliases=("cnt",))
        barrier = threading.Barrier(16)
        got, errors = [], []

        def run(i):
            try:
                barrier.wait()
                how = i % 4
                if how == 0:
                    b = ub.get_backend("counted")
                elif how == 1:
                    b = ub.get_backend("cnt")
                elif how == 2:
                    ub.asarray([1.0], backend="counted"); b = ub.get_backend("counted")
                else:
                    with ub.use("cnt"):
                        ub.zeros(2); b = ub.get_backend()
                got.append(b)
            except Exception as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
        [t.start() for t in threads]; [t.join(60) for t in threads]
        assert not errors, errors
        assert len(calls) == 1, f"loader ran {len(calls)} times"
        assert len(got) == 16 and len({id(b) for b in got}) == 1, "threads got different backend objects"
        """
    )


def test_a_framework_first_imported_from_16_threads_at_once_loads_and_converts() -> None:
    pytest.importorskip("torch", reason="torch is not installed")
    _child(
        """
        import threading
        import numpy as np
        import unibridge as ub
        from unibridge.adapters.torch import TorchBackend

        loads = []

        class CountingTorch(TorchBackend):
            def _on_load(self, module):
                loads.append(1)
                return super()._on_load(module)

        ub.register_backend("torchc", CountingTorch)
        barrier = threading.Barrier(16)
        errors, out = [], []

        def run(i):
            try:
                barrier.wait()
                t = ub.asarray(np.full(3, float(i)), backend="torchc")
                out.append((i, t.tolist()))
            except Exception as exc:
                errors.append(repr(exc))

        threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
        [t.start() for t in threads]; [t.join(120) for t in threads]
        assert not errors, errors
        assert sorted(out) == [(i, [float(i)] * 3) for i in range(16)], out
        # The registry loader ran once (asserted above for any backend), and so did the
        # backend's initialisation once torch was imported, however many threads asked at once.
        assert len(loads) == 1, f"the backend's _on_load ran {len(loads)} times"
        """
    )


def test_registry_stays_consistent_while_backends_are_registered_during_conversions() -> None:
    _child(
        """
        import threading
        import numpy as np
        import unibridge as ub
        from unibridge.adapters.numpy import NumpyBackend

        targets = [b.name for b in ub.backends() if b.available and b.name in ("numpy", "torch")]
        stop = threading.Event()
        errors, done = [], [0]

        def convert(i):
            a = np.arange(6.0).reshape(2, 3) + i
            while not stop.is_set():
                try:
                    for name in targets:
                        x = ub.asarray(a, backend=name)
                        assert ub.get_backend(name).is_array(x), (name, type(x))
                        assert ub.to_numpy(x).tolist() == a.tolist()
                        assert ub.dtype_of(x) == "float64"
                        with ub.use(name):
                            assert ub.current().backend == name
                    done[0] += 1
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    return

        def make(n):
            class Extra(NumpyBackend):
                name = n
                array_modules = ()
            return Extra

        workers = [threading.Thread(target=convert, args=(i,)) for i in range(8)]
        [w.start() for w in workers]
        for n in range(200):
            name = f"extra{n}"
            ub.register_backend(name, make(name), aliases=(f"x{n}",))
            if n % 10 == 0:
                ub.backends()  # listing while others convert
            if n % 25 == 0:
                ub.register_backend("numpy_again", "unibridge.adapters.numpy:NumpyBackend", replace=True)  # replace a name
        stop.set()
        [w.join(60) for w in workers]
        assert not errors, errors[:5]
        assert done[0] > 0
        names = {b.name for b in ub.backends()}
        assert all(f"extra{n}" in names for n in range(200))
        assert all(ub.get_backend(f"x{n}").name == f"extra{n}" for n in range(200))
        assert ub.asarray(np.ones(2), backend="numpy").tolist() == [1.0, 1.0]
        """
    )


# -- os.fork() while another thread is inside the registry ----------------------------------------

_FORK_CHILD = """
import os, sys, threading, time
import numpy as np
import unibridge as ub
import unibridge.config as config
import unibridge.registry as registry
from unibridge.adapters.numpy import NumpyBackend

SCENARIO = sys.argv[1]
registry._FORK_WAIT_S = 0.3  # the 'holds the lock for ever' scenario must not stall the fork long

class Slow(NumpyBackend):
    name = "slow"
    array_modules = ()

inside = threading.Event()
stop = threading.Event()

def loader():
    inside.set()
    time.sleep(0.6)  # a plugin import in progress, under the registry lock
    return Slow()

def busy():
    if SCENARIO == "loading":
        ub.get_backend("slow")
    elif SCENARIO == "holds-registry-lock":
        with registry._REGISTRY.lock:
            inside.set()
            stop.wait(30)  # longer than the fork waits: the child must still not hang
    elif SCENARIO == "holds-selection-lock":  # a thread building the process default
        with config._DEFAULT.lock:
            inside.set()
            stop.wait(30)
    elif SCENARIO == "holds-framework-loading-lock":  # a thread importing a framework for a backend
        import unibridge.backend_kit as kit
        with kit._LOADING.lock:
            inside.set()
            stop.wait(30)
    else:  # holds-namespace-lock: a thread building a wrapped namespace
        import unibridge.namespaces as namespaces
        with namespaces._WRAPPED.lock:
            inside.set()
            stop.wait(30)

ub.register_backend("slow", loader)
worker = threading.Thread(target=busy, daemon=True)
worker.start()
assert inside.wait(10)
pid = os.fork()
if pid == 0:
    code = 3
    try:
        ub.register_backend("other", "unibridge.adapters.numpy:NumpyBackend")
        assert ub.get_backend("slow").name == "slow"
        config.reset_defaults()
        ub.configure("numpy")
        assert ub.asarray(np.arange(3.0), backend="other").tolist() == [0.0, 1.0, 2.0]
        if SCENARIO == "holds-framework-loading-lock":
            from unibridge.adapters.torch import TorchBackend
            assert TorchBackend().module.__name__ == "torch"  # a fresh backend loads its framework
        if SCENARIO == "holds-namespace-lock":
            ub.configure("numpy", default_float="float32")  # a default float NumPy's own is not: wrapped
            assert ub.namespace().zeros(2).dtype == np.float32
        code = 0
    finally:
        os._exit(code)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("CHILD", os.waitstatus_to_exitcode(status))
        break
    time.sleep(0.05)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    print("CHILD HUNG")
stop.set()
print("PARENT", ub.get_backend("slow").name)
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="os.fork is POSIX-only")
@pytest.mark.parametrize(
    "scenario",
    ["loading", "holds-registry-lock", "holds-selection-lock", "holds-framework-loading-lock", "holds-namespace-lock"],
)
def test_a_process_forked_while_another_thread_is_in_the_registry_does_not_hang(scenario: str) -> None:
    if scenario == "holds-framework-loading-lock":
        pytest.importorskip("torch", reason="torch is not installed")
    proc = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", _FORK_CHILD, scenario],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split("\n")[:2] == ["CHILD 0", "PARENT slow"], proc.stdout + proc.stderr[-2000:]
