"""Importing unibridge is cheap and framework-free."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import unibridge

HEAVY = ("torch", "tensorflow", "jax", "cupy", "dask", "ml_dtypes", "array_api_compat.numpy")


def _modules_after(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_unibridge_imports_no_framework() -> None:
    loaded = _modules_after("import unibridge")
    assert not [m for m in HEAVY if m in loaded]


def test_listing_backends_and_reading_config_imports_no_framework() -> None:
    loaded = _modules_after("import unibridge as ub\nub.backends()\nub.current()")
    assert not [m for m in ("torch", "tensorflow", "jax") if m in loaded]


def test_numpy_conversion_imports_no_framework() -> None:
    loaded = _modules_after("import numpy as np, unibridge as ub\nub.asarray(np.zeros(3))\nub.dtype_of(np.zeros(2))")
    assert not [m for m in ("torch", "tensorflow", "jax") if m in loaded]


def test_package_ships_py_typed() -> None:
    assert (Path(unibridge.__file__).parent / "py.typed").is_file()


def test_public_functions_have_docstrings_with_examples() -> None:
    for name in unibridge.__all__:
        obj = getattr(unibridge, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and ">>>" in obj.__doc__, f"{name} needs a docstring with an example"


def test_backends_stays_the_function_after_importing_the_subpackage() -> None:
    import unibridge.adapters.numpy  # noqa: F401  (binds the subpackage name on the parent)

    assert callable(unibridge.backends) and isinstance(unibridge.backends(), list)
