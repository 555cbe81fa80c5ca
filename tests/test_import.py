"""Importing unibridge is cheap and framework-free: ``import unibridge`` loads the package's
public face and nothing else, each public name loads its module on first use, and the first
conversion loads the conversion modules only, never the model code or NumPy's random module.

The ratio to ``import numpy`` follows from the modules loaded, which these tests pin; the time
itself is measured by ``python -m benchmarks.cases.imports`` (whole processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


# Where `import unibridge` stops: its public face (this file's names, and the version).
FACE = {"unibridge", "unibridge._version"}
# Modules no conversion needs: model code, checkpoints, the following namespace, NumPy's random module.
NOT_FOR_CONVERSION = (
    "numpy.random", "unibridge.nn", "unibridge.optim", "unibridge.random", "unibridge.autodiff",
    "unibridge.transforms", "unibridge.compiling", "unibridge.checkpoint", "unibridge.following",
    "unibridge.tree",
)


def test_import_unibridge_loads_its_public_face_and_nothing_else() -> None:
    bare = set(_modules_after("pass"))
    loaded = set(_modules_after("import unibridge")) - bare
    assert loaded <= FACE, f"import unibridge loaded {sorted(loaded - FACE)}"
    assert "numpy" not in loaded and "numpy.random" not in loaded


def test_the_first_conversion_loads_no_model_code_and_not_numpys_random_module() -> None:
    loaded = _modules_after("import unibridge as ub\nub.asarray([1.0, 2.0])\nub.to_numpy(ub.zeros(2))")
    assert "unibridge.engine" in loaded
    assert not [m for m in NOT_FOR_CONVERSION if m in loaded], [m for m in NOT_FOR_CONVERSION if m in loaded]


def test_reaching_the_random_module_imports_no_numpy_random_until_numbers_are_drawn() -> None:
    loaded = _modules_after("import unibridge as ub\nub.random.key\nub.random.default_rng")
    assert "unibridge.random" in loaded and "numpy.random" not in loaded


def test_every_public_name_is_listed_by_dir_and_reachable_after_a_bare_import() -> None:
    assert set(unibridge.__all__) <= set(dir(unibridge))
    code = ("import unibridge\n"
            "missing = [n for n in unibridge.__all__ if getattr(unibridge, n, None) is None]\n"
            "assert not missing, missing\n"
            "assert unibridge.asarray is unibridge.engine.asarray and unibridge.casting.cast\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_lazy_table_names_exactly_the_public_names() -> None:
    assert set(unibridge._HOMES) == set(unibridge.__all__) - {"__version__"}


def test_an_unknown_name_raises_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        unibridge.no_such_name  # noqa: B018
    assert not hasattr(unibridge, "__wrapped__")


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
