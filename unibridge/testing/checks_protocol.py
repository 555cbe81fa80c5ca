"""Checks of the protocol's surface: names, recognition, laziness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import ModuleType

import numpy as np

from .. import registry
from ..devices import CPU, Device
from ..dtypes import float64
from ..protocol import Backend
from ._core import REQUIRED_DTYPES, CheckSkipped, Context, check


@check("protocol_surface")
def protocol_surface(ctx: Context) -> None:
    """Attributes and methods exist, have the documented types, and agree with the registry."""
    b = ctx.backend
    ctx.expect(isinstance(b, Backend), "the object does not implement unibridge.Backend")
    canonical = registry.canonical_name(ctx.name)
    ctx.expect(b.name == canonical,
               f"backend.name is {b.name!r} but it is registered as {canonical!r}; they must match "
               f"(use() and configure() look the backend up by .name)")
    ctx.expect(isinstance(b.array_modules, tuple) and bool(b.array_modules)
               and all(isinstance(m, str) and m and "." not in m for m in b.array_modules),
               f"array_modules must be a non-empty tuple of top-level module names, got {b.array_modules!r}")
    ctx.expect(isinstance(b.install_hint, str) and bool(b.install_hint), "install_hint must be a non-empty str")
    ok, reason = b.available()
    ctx.expect(isinstance(ok, bool) and isinstance(reason, str), "available() must return (bool, str)")
    version = b.version()
    ctx.expect(version is None or isinstance(version, str), f"version() must return str or None, got {version!r}")
    ctx.expect(version is not None, "version() is None although the framework is available")
    ns = b.namespace()
    ctx.expect(isinstance(ns, ModuleType), f"namespace() must return a module, got {type(ns).__name__}")
    missing = [dt for dt in REQUIRED_DTYPES if dt not in ctx.supported_dtypes()]
    ctx.expect(not missing, f"zeros() rejects required dtypes {missing}")

    with ctx.case("recognition"):
        x = b.zeros((2, 3), dtype=float64, device=CPU)
        ctx.expect(b.is_array(x), "is_array() is False for the backend's own zeros()")
        owner = registry.owner_of(x)
        ctx.expect(owner is b,
                   f"unibridge does not recognise the backend's arrays (owner_of gave "
                   f"{getattr(owner, 'name', None)!r}); check array_modules={b.array_modules!r} "
                   f"against type(x).__module__={type(x).__module__!r}")
        shape = b.shape_of(x)
        ctx.expect(shape == (2, 3) and all(type(d) is int for d in shape),
                   f"shape_of must return a tuple of Python ints, got {shape!r}")
        ctx.expect(type(b.device_of(x)) is Device, "device_of must return a unibridge Device")
        native = getattr(x, "dtype", None)
        if native is not None and b.is_dtype(native):
            ctx.expect(b.canonical_dtype(native) == "float64",
                       f"canonical_dtype({native!r}) is {b.canonical_dtype(native)!r}, expected float64")
        if b.name != "numpy":
            ctx.expect(not b.is_array(np.zeros(2)), "is_array() claims a NumPy array")
        ctx.expect(not b.is_array([1.0, 2.0]), "is_array() claims a Python list")
        span = b.memory_span(x)
        if span is not None:
            ctx.expect(len(span) == 3 and span[1] < span[2], f"memory_span gave {span!r}; expected (device, lo, hi) with lo < hi")
        empty = b.zeros((0, 3), dtype=float64, device=CPU)
        ctx.expect(b.memory_span(empty) is None, "memory_span of an empty array must be None")
    ctx.finish()


_LAZY_PROBE = """
import json, sys
before = set(sys.modules)
import unibridge as ub
after_import = set(sys.modules)
b = ub.get_backend({name!r})
ub.backends()
b.available(); b.version()
print(json.dumps({{"import": sorted(m for m in b.array_modules if m in after_import - before),
                   "use": sorted(m for m in b.array_modules if m in set(sys.modules) - after_import)}}))
"""


@check("laziness", quick=False)
def laziness(ctx: Context) -> None:
    """Importing unibridge, getting the backend and listing backends import no framework."""
    if set(ctx.backend.array_modules) <= {"numpy"}:
        raise CheckSkipped("numpy is imported by unibridge itself")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    proc = subprocess.run(
        [sys.executable, "-c", _LAZY_PROBE.format(name=ctx.name)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    if not ctx.expect(proc.returncode == 0, f"probe process failed: {proc.stderr.strip()[-800:]}"):
        ctx.finish()
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    ctx.expect(not found["import"], f"`import unibridge` imported {found['import']}")
    ctx.expect(not found["use"],
               f"get_backend/backends()/available()/version() imported {found['use']}; "
               f"import the framework on the first method call that needs it")
    ctx.finish()
