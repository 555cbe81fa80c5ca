"""A broken plugin or a missing/broken framework breaks only itself.

Every scenario runs in a fresh interpreter: the process registry is global, and
a broken install has to be in place before anything imports the framework.
Broken installs are real broken installs on ``PYTHONPATH`` (a package whose
import raises), or ``sys.modules[name] = None`` (Python's own "import blocked"
marker), not mocks of a framework's behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_CHECK_OTHERS = """
def others_still_work(skip=()):
    # numpy, and one more built-in (torch, or tensorflow when torch is the broken one): a
    # framework import costs seconds, and which one does not matter for isolation.
    import numpy as np
    a = np.arange(4.0)
    assert ub.asarray(a, backend="numpy") is a
    other = "tensorflow" if "torch" in skip else "torch"
    for b in ub.backends():
        if b.name in skip or not b.available or b.name != other:
            continue
        x = ub.asarray(a, backend=b.name)
        assert ub.to_numpy(x).tolist() == [0.0, 1.0, 2.0, 3.0], b.name
        assert ub.dtype_of(x) == "float64"
    assert ub.zeros(2).tolist() == [0.0, 0.0]
"""


def run_child(body: str, *, pythonpath: Path | None = None, env_extra: dict[str, str] | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIBRIDGE_")}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(env_extra or {})
    code = textwrap.dedent(body).replace("#OTHERS", _CHECK_OTHERS) + "\nprint('DONE', flush=True)\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0 and "DONE" in proc.stdout, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"


def test_a_loader_that_raises_on_import_breaks_only_its_backend() -> None:
    run_child(
        """
        import unibridge as ub
        #OTHERS
        ub.register_backend("ghost", "no_such_module_for_unibridge_tests:Backend")
        for attempt in range(2):  # the failure is remembered, and raised the same way again
            try:
                ub.get_backend("ghost")
                raise SystemExit("no error")
            except ub.BackendUnavailableError as e:
                if attempt == 0:  # the repeat's chain is test_a_remembered_load_failure_keeps_its_cause
                    assert isinstance(e.__cause__, ModuleNotFoundError), repr(e.__cause__)
                assert "ghost" in str(e) and "no_such_module_for_unibridge_tests" in str(e), e
        row = [b for b in ub.backends() if b.name == "ghost"][0]
        assert not row.available and "no_such_module" in row.reason, row
        others_still_work()
        """
    )


def test_a_loader_that_raises_on_load_or_returns_junk_breaks_only_its_backend() -> None:
    run_child(
        """
        import unibridge as ub
        #OTHERS
        def exploding():
            raise RuntimeError("driver exploded")
        ub.register_backend("boom", exploding)
        ub.register_backend("junk", lambda: 42)
        for name, cause, text in (("boom", RuntimeError, "driver exploded"), ("junk", TypeError, "does not implement")):
            try:
                ub.asarray([1.0], backend=name)
                raise SystemExit("no error")
            except ub.BackendUnavailableError as e:
                assert isinstance(e.__cause__, cause), repr(e.__cause__)
                assert text in str(e), e
            try:
                with ub.use(name):
                    pass
                raise SystemExit("use() accepted a broken backend")
            except ub.BackendUnavailableError:
                pass
        names = {b.name: b for b in ub.backends()}
        assert not names["boom"].available and not names["junk"].available
        others_still_work()
        """
    )


def test_a_plugin_whose_is_array_raises_does_not_break_conversions() -> None:
    run_child(
        """
        import numpy as np
        import unibridge as ub
        from unibridge.adapters.numpy import NumpyBackend
        #OTHERS
        class Evil(NumpyBackend):
            name = "evil"
            array_modules = ("numpy", "builtins")
            def is_array(self, x):
                raise RuntimeError("evil is_array")
        ub.register_backend("evil", Evil)
        ub.get_backend("evil")  # loaded: it is now consulted when identifying arrays
        others_still_work(skip=("evil",))
        # an object NumPy's backend does not claim (a NumPy scalar) walks past the evil plugin
        assert ub.asarray(np.float32(2.0)).tolist() == 2.0
        assert ub.dtype_of(np.float32(2.0)) == "float32"
        """
    )


def test_a_remembered_load_failure_keeps_its_cause() -> None:
    run_child(
        """
        import unibridge as ub
        ub.register_backend("ghost", "no_such_module_for_unibridge_tests:Backend")
        for attempt in range(3):
            try:
                ub.get_backend("ghost")
                raise SystemExit("no error")
            except ub.BackendUnavailableError as e:
                assert isinstance(e.__cause__, ModuleNotFoundError), (attempt, repr(e.__cause__))
        """
    )


def _fake_dist(root: Path, name: str, body: str, entry_points: str | None = None) -> None:
    pkg = root / name
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent(body))
    if entry_points:
        info = root / f"{name}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.0.1\n")
        (info / "entry_points.txt").write_text(entry_points)


def test_a_plugin_that_raises_on_import_is_listed_unavailable_and_breaks_nothing(tmp_path: Path) -> None:
    _fake_dist(
        tmp_path,
        "unibridge_broken_plugin",
        "raise ImportError('libbroken.so: cannot open shared object file')\n",
        "[unibridge.backends]\nbrokenplug = unibridge_broken_plugin:Backend\n",
    )
    run_child(
        """
        import unibridge as ub
        #OTHERS
        try:
            ub.asarray([1.0], backend="brokenplug")
            raise SystemExit("no error")
        except ub.BackendUnavailableError as e:
            assert isinstance(e.__cause__, ImportError), repr(e.__cause__)
        others_still_work()
        rows = {b.name: b for b in ub.backends()}
        assert "brokenplug" in rows and not rows["brokenplug"].available, rows.get("brokenplug")
        assert "libbroken.so" in rows["brokenplug"].reason, rows["brokenplug"]
        others_still_work()
        """,
        pythonpath=tmp_path,
    )


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_a_framework_blocked_in_sys_modules_gives_backend_unavailable_with_the_cause(framework: str) -> None:
    run_child(
        f"""
        import sys
        sys.modules[{framework!r}] = None  # Python's "this import is blocked" marker
        import unibridge as ub
        #OTHERS
        for call in (lambda: ub.asarray([1.0], backend={framework!r}), lambda: ub.zeros(2, backend={framework!r})):
            try:
                call()
                raise SystemExit("no error")
            except ub.BackendUnavailableError as e:
                assert isinstance(e.__cause__, ImportError), repr(e.__cause__)
                assert "pip install" in str(e), e
        others_still_work(skip=({framework!r},))
        """
    )


_BROKEN = {
    "import-error": "raise ImportError('libtorch_cpu.so: cannot open shared object file: No such file or directory')\n",
    "os-error": "raise OSError('[WinError 126] The specified module could not be found')\n",
    "attribute-error": "import numpy\nnumpy.this_attribute_does_not_exist\n",
}


@pytest.mark.parametrize(
    "framework,how",
    [("torch", "import-error"), ("torch", "os-error"), ("torch", "attribute-error"), ("tensorflow", "import-error")],
)
def test_a_broken_framework_install_gives_backend_unavailable_with_the_cause(framework: str, how: str, tmp_path: Path) -> None:
    _fake_dist(tmp_path, framework, _BROKEN[how])
    run_child(
        f"""
        import unibridge as ub
        #OTHERS
        others_still_work(skip=({framework!r},))
        for attempt in range(2):
            try:
                ub.asarray([1.0, 2.0], backend={framework!r})
                raise SystemExit("no error")
            except ub.BackendUnavailableError as e:
                assert e.__cause__ is not None, "the original error must be chained"
                assert type(e.__cause__).__name__ in ("ImportError", "OSError", "AttributeError"), repr(e.__cause__)
                assert "pip install" in str(e), e
        others_still_work(skip=({framework!r},))
        """,
        pythonpath=tmp_path,
    )


def test_unibridge_backend_env_naming_a_broken_framework_fails_on_first_use_only(tmp_path: Path) -> None:
    _fake_dist(tmp_path, "torch", _BROKEN["import-error"])
    run_child(
        """
        import unibridge as ub   # importing never fails
        try:
            ub.asarray([1.0])
            raise SystemExit("no error")
        except ub.BackendUnavailableError as e:
            assert e.__cause__ is not None and "libtorch_cpu.so" in str(e), (e, e.__cause__)
        with ub.use("numpy"):
            assert ub.asarray([1.0]).tolist() == [1.0]
        """,
        pythonpath=tmp_path,
        env_extra={"UNIBRIDGE_BACKEND": "torch"},
    )
