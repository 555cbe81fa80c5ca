"""Selection by configuration: use() scopes, configure() defaults, environment variables."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import unibridge as ub
from _backends import BUILTIN, availability, require


def _installed() -> list[str]:
    return [name for name in BUILTIN if availability(name)[0]]


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("UNIBRIDGE_")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env)


def test_defaults_are_numpy_cpu_float64() -> None:
    sel = ub.current()
    assert (sel.backend, sel.device, sel.default_float) == ("numpy", "cpu", "float64")
    assert dict(sel.sources) == {"backend": "default", "device": "default", "default_float": "default"}
    assert type(ub.asarray([1.0])) is np.ndarray and ub.dtype_of(ub.zeros(2)) == "float64"


def test_use_nests_and_restores(backend: str) -> None:
    with ub.use(backend):
        assert ub.current().backend == backend
        with ub.use("numpy", device="cpu"):
            assert ub.current().backend == "numpy"
            assert ub.current().sources["device"] == "use"
        assert ub.current().backend == backend
        assert ub.get_backend().is_array(ub.asarray([1, 2]))
    assert ub.current().backend == "numpy"


def test_a_nested_use_that_names_only_a_device_keeps_the_enclosing_backend() -> None:
    # Omitted arguments come from the enclosing block, not from the process default.
    other = next((name for name in _installed() if name != "numpy"), None)
    if other is None:
        pytest.skip("needs a second built-in backend")
    with ub.use(other):
        with ub.use(device="cpu"):
            assert ub.current().backend == other
            assert ub.get_backend(other).is_array(ub.asarray([1.0, 2.0]))
        with ub.use():
            assert ub.current().backend == other


def test_a_nested_use_that_names_only_a_backend_keeps_the_enclosing_device() -> None:
    with ub.use("numpy", device="auto"):
        with ub.use("np"):
            assert ub.current().device == "auto" and ub.current().sources["device"] == "use"
    with ub.use(device="auto"):
        assert ub.current().backend == "numpy" and ub.current().sources["backend"] == "default"


def test_use_restores_after_an_exception() -> None:
    with pytest.raises(RuntimeError):
        with ub.use("numpy", device="cpu"):
            raise RuntimeError("boom")
    assert ub.current().sources["backend"] == "default"


def test_aliases_select_the_same_backend() -> None:
    for alias, name in [("np", "numpy"), ("pytorch", "torch"), ("pt", "torch"), ("tf", "tensorflow")]:
        if not availability(name)[0]:
            continue
        with ub.use(alias):
            assert ub.current().backend == name


def test_use_of_unknown_backend_lists_the_registered_ones() -> None:
    with pytest.raises(ub.BackendNotFoundError, match=r"'tourch'.*registered: numpy, torch, tensorflow"):
        with ub.use("tourch"):
            pass  # pragma: no cover


def test_configure_sets_the_process_default_under_use_blocks() -> None:
    ub.configure(default_float="float32")
    assert ub.dtype_of(ub.zeros(2)) == "float32"
    assert ub.dtype_of(ub.asarray([0.5])) == "float32"  # Python floats follow the default float
    assert ub.dtype_of(ub.asarray(np.array([0.5]))) == "float64"  # arrays keep their dtype
    assert ub.current().sources["default_float"] == "configure"
    with pytest.raises(ub.ConfigurationError, match="float32, float64"):
        ub.configure(default_float="int8")


def test_threads_each_on_their_own_backend_do_not_cross_talk() -> None:
    names = _installed()
    errors: list[str] = []
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        name = names[i % len(names)]
        with ub.use(name):
            barrier.wait()
            for _ in range(50):
                x = ub.asarray(np.arange(4.0))
                if not ub.get_backend(name).is_array(x) or ub.current().backend != name:
                    errors.append(f"thread {i} wanted {name}, got {type(x).__module__}")
        if ub.current().backend != "numpy":
            errors.append(f"thread {i} leaked {ub.current().backend}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    assert ub.current().backend == "numpy"


def test_asyncio_tasks_each_on_their_own_backend_do_not_cross_talk() -> None:
    names = _installed()

    async def work(i: int) -> list[str]:
        name = names[i % len(names)]
        bad = []
        with ub.use(name):
            for _ in range(20):
                await asyncio.sleep(0)  # interleave with the other tasks
                x = ub.asarray([1.0, 2.0])
                if not ub.get_backend(name).is_array(x):
                    bad.append(f"task {i} wanted {name}, got {type(x).__module__}")
        return bad

    async def main() -> list[list[str]]:
        return await asyncio.gather(*(work(i) for i in range(8)))

    assert not [e for errs in asyncio.run(main()) for e in errs]


def test_environment_selects_backend_device_and_default_float() -> None:
    name = _installed()[-1]
    proc = _run(
        "import unibridge as ub, numpy as np\n"
        "s = ub.current(); z = ub.zeros(2)\n"
        "print(s.backend, s.device, s.default_float, ub.dtype_of(z), ub.get_backend().is_array(z), s.sources['backend'])",
        UNIBRIDGE_BACKEND=name, UNIBRIDGE_DEVICE="cpu", UNIBRIDGE_DEFAULT_FLOAT="float32",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [name, "cpu", "float32", "float32", "True", "environment"]


def test_environment_is_read_on_first_use_not_at_import() -> None:
    proc = _run(
        "import os, unibridge as ub\nos.environ['UNIBRIDGE_DEFAULT_FLOAT'] = 'float32'\nprint(ub.current().default_float)",
    )
    assert proc.stdout.strip() == "float32", proc.stderr


@pytest.mark.parametrize(
    "var,value,error,fragments",
    [
        ("UNIBRIDGE_BACKEND", "tourch", "BackendNotFoundError", ["UNIBRIDGE_BACKEND='tourch'", "registered:", "installed here:"]),
        ("UNIBRIDGE_DEVICE", "tpu:0", "ConfigurationError", ["UNIBRIDGE_DEVICE='tpu:0'", "gpu:N", "auto"]),
        ("UNIBRIDGE_DEVICE", "gpu:7", "DeviceUnavailableError", ["gpu:7", "available: cpu", "set by environment"]),
        ("UNIBRIDGE_DEFAULT_FLOAT", "float8", "ConfigurationError", ["UNIBRIDGE_DEFAULT_FLOAT='float8'", "float32, float64"]),
    ],
)
def test_bad_environment_values_raise_on_first_use(var: str, value: str, error: str, fragments: list[str]) -> None:
    proc = _run(
        "import unibridge as ub\n"
        "try:\n    ub.zeros(2)\nexcept ub.UnibridgeError as e:\n    print(type(e).__name__); print(e)\n",
        **{var: value},
    )
    assert proc.returncode == 0, proc.stderr
    first, _, message = proc.stdout.partition("\n")
    assert first == error, proc.stdout
    for fragment in fragments:
        assert fragment in message, (fragment, message)


_FIRST_USE = "import unibridge as ub\ntry:\n    ub.zeros(2)\nexcept ub.UnibridgeError as e:\n    print(type(e).__name__); print(e)\n"


def test_unibridge_device_is_quoted_as_written_not_normalised() -> None:
    proc = _run(_FIRST_USE, UNIBRIDGE_DEVICE="cuda")
    first, _, message = proc.stdout.partition("\n")
    assert first == "DeviceUnavailableError", proc.stdout + proc.stderr
    assert "UNIBRIDGE_DEVICE='cuda'" in message and "UNIBRIDGE_DEVICE='gpu:0'" not in message, message


def test_use_and_configure_quote_the_device_as_written() -> None:
    with ub.use("numpy", device="CUDA:1"):
        with pytest.raises(ub.DeviceUnavailableError, match=r"device 'CUDA:1' \(gpu:1\).*set by use\(device='CUDA:1'\)"):
            ub.zeros(2)
    ub.configure(device="/GPU:0")
    with pytest.raises(ub.DeviceUnavailableError, match=r"set by configure\(device='/GPU:0'\)"):
        ub.zeros(2)


@pytest.mark.parametrize("broken", ["dask-without-dask.array", "jax-import-blocked"])
def test_unibridge_backend_naming_a_plugin_whose_framework_is_missing_names_the_variable(
    broken: str, tmp_path: "os.PathLike[str]"
) -> None:
    name = broken.partition("-")[0]
    if name not in [b.name for b in ub.backends()]:
        pytest.skip(f"the {name} plugin is not installed")
    env = {"UNIBRIDGE_BACKEND": name}
    code = _FIRST_USE
    if broken == "dask-without-dask.array":
        # `pip install dask` without the [array] extra: dask imports, dask.array does not.
        # A real partial install on PYTHONPATH (an empty dask package shadowing the real one).
        (tmp_path / "dask").mkdir()  # type: ignore[operator]
        (tmp_path / "dask" / "__init__.py").write_text("")  # type: ignore[operator]
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
        # It fails on first use only: the selection stays valid, so use("numpy") works.
        code += "with ub.use('numpy'):\n    print('ISOLATED', ub.zeros(2).tolist())\n"
    else:
        code = "import sys\nsys.modules['jax'] = None  # Python's own 'import blocked' marker\n" + code
    proc = _run(code, **env)
    first, _, message = proc.stdout.partition("\n")
    assert first == "BackendUnavailableError", proc.stdout + proc.stderr
    assert message.startswith(f"UNIBRIDGE_BACKEND='{name}': "), message
    assert "pip install" in message, message
    if broken == "jax-import-blocked":  # available() itself knows: a blocked import is not installed
        assert "jax is not installed" in message, message
    else:
        assert "ISOLATED [0.0, 0.0]" in message, proc.stdout + proc.stderr


def test_unavailable_backend_says_what_to_install() -> None:
    proc = _run(
        "import sys\nsys.modules['torch'] = None  # torch not importable in this process\n"
        "import importlib.util\nimportlib.util.find_spec = lambda name, *a: None if name == 'torch' else None\n"
        "import unibridge as ub\n"
        "try:\n    ub.asarray([1], backend='torch')\nexcept ub.BackendUnavailableError as e:\n    print('OK', e)\n",
    )
    assert "OK" in proc.stdout and "pip install" in proc.stdout, proc.stdout + proc.stderr


def test_errors_subclass_the_matching_builtins() -> None:
    assert issubclass(ub.BackendNotFoundError, ValueError)
    assert issubclass(ub.BackendUnavailableError, RuntimeError)
    assert issubclass(ub.DeviceUnavailableError, RuntimeError)
    assert issubclass(ub.CopyRequiredError, ValueError)
    assert issubclass(ub.LossyCastError, TypeError)
    assert issubclass(ub.UnsupportedInputError, TypeError)
    for cls in (ub.BackendNotFoundError, ub.CopyRequiredError, ub.LossyCastError, ub.ConfigurationError):
        assert issubclass(cls, ub.UnibridgeError)


def test_a_fresh_process_default_holds_no_selection_until_first_use_and_nests_its_lock() -> None:
    from unibridge.config import _ProcessDefault

    fresh = _ProcessDefault()
    assert fresh.selection is None
    with fresh.lock, fresh.lock:  # re-entrant: configure() reads the default under the same lock
        pass


def test_sources_say_which_call_set_each_value() -> None:
    with ub.use("np", device="cpu"):
        assert dict(ub.current().sources) == {"backend": "use", "device": "use", "default_float": "default"}
    ub.configure("numpy", default_float="float32")
    assert dict(ub.current().sources) == {"backend": "configure", "device": "default", "default_float": "configure"}


def test_bad_values_name_the_argument_that_carried_them() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"^device='tpu' is not a device; allowed: cpu, gpu"):
        with ub.use(device="tpu"):
            pass
    with pytest.raises(ub.ConfigurationError, match=r"^default_float='float16' is not a default float; allowed: float32, float64$"):
        ub.configure(default_float="float16")


def test_configure_sets_the_backend_it_is_given() -> None:
    other = next((name for name in _installed() if name != "numpy"), None)
    if other is None:
        pytest.skip("needs a second built-in backend")
    assert ub.configure(other).backend == other and ub.current().backend == other


# -- the environment, read in this process ---------------------------------------------------------


def _environment(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for var in ("UNIBRIDGE_BACKEND", "UNIBRIDGE_DEVICE", "UNIBRIDGE_DEFAULT_FLOAT"):
        monkeypatch.delenv(var, raising=False)
    for var, value in values.items():
        monkeypatch.setenv(var, value)
    from unibridge.config import reset_defaults

    reset_defaults()


@pytest.mark.parametrize(
    "var,value,error,message",
    [
        ("UNIBRIDGE_BACKEND", "tourch", ub.BackendNotFoundError, r"^UNIBRIDGE_BACKEND='tourch': no backend named 'tourch'; registered: numpy"),
        ("UNIBRIDGE_DEVICE", "tpu:0", ub.ConfigurationError, r"^UNIBRIDGE_DEVICE='tpu:0' is not a device; allowed: cpu"),
        ("UNIBRIDGE_DEFAULT_FLOAT", "float8", ub.ConfigurationError, r"^UNIBRIDGE_DEFAULT_FLOAT='float8' is not a default float; allowed: float32, float64$"),
    ],
)
def test_a_bad_environment_value_is_quoted_with_its_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, error: type, message: str
) -> None:
    _environment(monkeypatch, **{var: value})
    with pytest.raises(error, match=message):
        ub.current()


def test_a_bad_backend_given_to_use_or_configure_is_not_blamed_on_the_environment() -> None:
    with pytest.raises(ub.BackendNotFoundError, match=r"^no backend named 'tourch'; registered: numpy"):
        with ub.use("tourch"):
            pass
    with pytest.raises(ub.BackendNotFoundError, match=r"^no backend named 'tourch'; registered: numpy"):
        ub.configure("tourch")


def test_an_unavailable_backend_is_reported_with_its_reason_and_the_variable_that_chose_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    torch_backend = ub.get_backend("torch")
    monkeypatch.setattr(torch_backend, "available", lambda: (False, "torch is not installed; pip install torch"))
    with pytest.raises(ub.BackendUnavailableError, match=r"^torch is not installed; pip install torch$"):
        with ub.use("torch"):
            pass
    _environment(monkeypatch, UNIBRIDGE_BACKEND="torch")
    with pytest.raises(ub.BackendUnavailableError, match=r"^UNIBRIDGE_BACKEND='torch': torch is not installed; pip install torch$"):
        ub.current()


def _broken_torch(tmp_path: "os.PathLike[str]") -> str:
    """A PYTHONPATH holding a torch that is installed but fails to import (a broken wheel)."""
    (tmp_path / "torch").mkdir()  # type: ignore[operator]
    (tmp_path / "torch" / "__init__.py").write_text("raise ImportError('broken wheel')\n")  # type: ignore[operator]
    return os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])


@pytest.mark.parametrize(
    "chosen_by,code,named",
    [
        ("UNIBRIDGE_BACKEND=pt", "ub.zeros(2)", True),
        ("UNIBRIDGE_BACKEND=pt", "ub.asarray([1.0])", True),
        ("use('torch'), UNIBRIDGE_BACKEND=pt", "with ub.use('torch'):\n        ub.zeros(2)", False),
        ("backend='torch'", "ub.asarray([1.0], backend='torch')", False),
    ],
)
def test_a_framework_failing_on_first_use_names_the_variable_only_when_the_variable_chose_it(
    chosen_by: str, code: str, named: bool, tmp_path: "os.PathLike[str]"
) -> None:
    env = {"PYTHONPATH": _broken_torch(tmp_path)}
    if "UNIBRIDGE_BACKEND=pt" in chosen_by:
        env["UNIBRIDGE_BACKEND"] = "pt"
    proc = _run(f"import unibridge as ub\ntry:\n    {code}\nexcept ub.UnibridgeError as e:\n"
                f"    print(type(e).__name__); print(e)\n", **env)
    first, _, message = proc.stdout.partition("\n")
    assert first == "BackendUnavailableError", proc.stdout + proc.stderr
    assert "broken wheel" in message and "pip install" in message, message
    assert message.startswith("UNIBRIDGE_BACKEND='pt': ") is named, message


def test_choosing_a_backend_by_the_environment_leaves_the_backend_object_untouched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require("torch")
    torch_backend = ub.get_backend("torch")
    before = dict(vars(torch_backend))
    _environment(monkeypatch, UNIBRIDGE_BACKEND="pt")
    assert ub.current().backend == "torch" and ub.current().sources["backend"] == "environment"
    assert dict(vars(torch_backend)) == before


def test_the_environment_is_read_once_then_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from unibridge.config import process_default

    _environment(monkeypatch, UNIBRIDGE_DEFAULT_FLOAT="float32")
    first = process_default()
    monkeypatch.setenv("UNIBRIDGE_DEFAULT_FLOAT", "float64")
    assert process_default() is first and ub.current().default_float == "float32"


def test_a_configure_made_while_a_first_use_waits_for_the_lock_is_not_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from unibridge.config import _DEFAULT, process_default

    _environment(monkeypatch)
    got: list[object] = []
    with _DEFAULT.lock:
        waiter = threading.Thread(target=lambda: got.append(process_default()))
        waiter.start()
        time.sleep(0.05)  # the waiter has seen no default yet and waits for the lock
        configured = ub.configure(default_float="float32")
    waiter.join()
    assert got == [configured] and got[0] is configured
    assert ub.current() is configured


def test_a_selection_made_by_hand_says_its_device_is_the_default() -> None:
    from unibridge.devices import CPU

    sel = ub.Selection("numpy", CPU, ub.DType("float64"), sources={})
    assert sel.device_origin() == "default"
    assert ub.current().device_origin() == "default"


def test_a_forked_child_can_configure_even_if_another_thread_held_the_default_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    from unibridge.config import _DEFAULT

    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    ub.current()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with _DEFAULT.lock:
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                import signal

                signal.alarm(5)  # a lock copied held would hang the child: fail instead
                code = 0 if ub.configure(default_float="float32").default_float == "float32" else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        holder.join()
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_selection_survives_copy_deepcopy_and_pickle() -> None:
    import copy
    import pickle

    with ub.use("numpy", device="cpu"):
        selection = ub.current()
    for again in (copy.copy(selection), copy.deepcopy(selection), pickle.loads(pickle.dumps(selection))):
        assert again == selection and again.key == selection.key
        assert dict(again.sources) == dict(selection.sources) and again.sources["backend"] == "use"
        assert again.device_origin() == selection.device_origin()
        with pytest.raises(TypeError):
            again.sources["backend"] = "changed"  # type: ignore[index]  # still read-only
