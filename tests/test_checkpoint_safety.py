"""No pickle on any checkpoint path: loading a file never runs code the file names.

NumPy, torch and TensorFlow import ``pickle`` themselves, so it cannot be kept out of
the process; instead, once the frameworks are imported, a child process makes every
pickle entry point raise, removes the modules so no later ``import pickle`` succeeds,
and adds an audit hook for ``pickle.find_class`` (the step where unpickling imports by
name). Saving and loading on every backend must then still work. A scan of the source
checks the package never names pickle at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import unibridge as ub

from _backends import availability

PACKAGE = Path(ub.__file__).resolve().parent / "checkpoint"
# Run after the frameworks are imported: every way into pickle raises AssertionError from here on.
BLOCK_PICKLE = textwrap.dedent("""
    import sys, pickle, _pickle

    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used")

    class Refused:
        def __init__(self, *args, **kwargs):
            raise AssertionError("pickle was used")

    for module in (pickle, _pickle):
        for attr in ("load", "loads", "dump", "dumps"):
            setattr(module, attr, refuse)
        module.Unpickler = module.Pickler = Refused
    sys.modules["pickle"] = None  # a later `import pickle` raises ImportError
    sys.modules["_pickle"] = None

    def audit(event, args):
        if event.startswith("pickle."):
            raise AssertionError(f"pickle audit event {event}")

    sys.addaudithook(audit)
""")
FORBIDDEN = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "marshal", "shelve"}


def test_no_checkpoint_module_imports_or_names_a_pickle_module() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert {p.name for p in sources} >= {"__init__.py", "_io.py", "_header.py", "_structure.py", "_atomic.py"}
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            elif isinstance(node, ast.Name):
                names = {node.id}
            elif isinstance(node, ast.Attribute):
                names = {node.attr}
            else:
                continue
            assert not names & FORBIDDEN, f"{source.name}:{node.lineno} uses {names & FORBIDDEN}"
        # eval/exec/__import__/importlib would be ways to run what a file names.
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not calls & {"eval", "exec", "__import__", "compile"}, source.name
        assert "importlib" not in source.read_text(encoding="utf-8"), source.name


def test_save_and_load_work_on_every_backend_with_pickle_made_unusable(tmp_path: Path) -> None:
    backends = [b for b in ("numpy", "torch", "tensorflow", "jax") if availability(b)[0]]
    code = textwrap.dedent(f"""
        import collections, sys
        import numpy as np, unibridge as ub
        backends = {backends!r}
        for name in backends:  # the frameworks import pickle themselves; let them, first
            ub.asarray(np.zeros(1), backend=name)
    """) + BLOCK_PICKLE + textwrap.dedent(f"""
        P = collections.namedtuple("P", "w b")
        tree = {{"layers": [P(np.eye(3, dtype=np.float32), np.zeros(3))], "step": 2}}
        path = {str(tmp_path / "safe.safetensors")!r}
        for name in backends:
            ub.save(ub.load(path, backend=name) if name != backends[0] else tree, path, metadata={{"by": name}})
            back = ub.load(path, backend=name, like=tree)
            assert float(ub.to_numpy(back["layers"][0].w).sum()) == 3.0 and back["step"] == 2
            assert ub.load_metadata(path) == {{"by": name}}
        print("ok", len(backends))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.split() == ["ok", str(len(backends))], done.stdout + done.stderr[-3000:]


def test_the_pickle_blocker_itself_catches_a_pickle_load(tmp_path: Path) -> None:
    # The harness above must be able to fail: the same blocking, then a real torch.load.
    pytest.importorskip("torch")
    code = textwrap.dedent(f"""
        import sys, torch
        torch.save({{"w": torch.zeros(2)}}, {str(tmp_path / "p.pt")!r})
    """) + BLOCK_PICKLE + textwrap.dedent(f"""
        torch.load({str(tmp_path / "p.pt")!r}, weights_only=False)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "AssertionError" in done.stderr, done.stderr[-2000:]
