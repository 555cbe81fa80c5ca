"""unibridge-strict: array-api-strict as a backend, and each measured fact its README states.

Every memory claim is checked by mutating the source and looking at the result,
never by trusting ``shares_memory`` alone.
"""

from __future__ import annotations

import json
import subprocess
import sys

from pathlib import Path

import numpy as np
import pytest

xs = pytest.importorskip("array_api_strict", reason="array-api-strict is not installed")
unibridge_strict = pytest.importorskip(
    "unibridge_strict", reason="unibridge-strict is not installed (pip install -e backends/strict)"
)

import unibridge as ub  # noqa: E402
from unibridge.backend_kit import aligned_copy  # noqa: E402

from _example_helpers import clean_env  # noqa: E402


def _strict(a: np.ndarray, **kwargs: object) -> object:
    return ub.asarray(a, backend="strict", **kwargs)


def _visible(a: np.ndarray, x: object) -> bool:
    """Mutate ``a`` and say whether ``x`` shows it."""
    before = ub.to_numpy(x, copy=True)
    a[...] = -7.0
    return not np.array_equal(ub.to_numpy(x, copy=True), before)


# -- registration and the namespace -----------------------------------------------------------


def test_found_through_the_entry_point_with_its_distribution_and_version() -> None:
    row = next(b for b in ub.backends() if b.name == "strict")
    assert row.available and row.source == "unibridge-strict"
    assert row.version == xs.__version__
    x = _strict(np.arange(3.0))
    assert type(x).__module__.startswith("array_api_strict")
    assert ub.get_backend("strict").is_array(x) and not ub.get_backend("numpy").is_array(x)


_VERSION_PROBE = (
    "import array_api_strict as xs, unibridge as ub\n"
    "from unibridge.namespaces import unwrap_namespace\n"
    "xs.set_array_api_strict_flags(api_version='2023.12')\n"  # an older version set before first use
    "xp = ub.namespace('strict')\n"
    "print(unwrap_namespace(xp) is xs, xp.__array_api_version__, ub.get_backend('strict').api_version)\n"
)


def test_namespace_is_array_api_strict_set_to_the_newest_released_standard() -> None:
    from array_api_strict._flags import supported_versions  # what this installation supports

    done = subprocess.run([sys.executable, "-c", _VERSION_PROBE], env=clean_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    newest = max(supported_versions)
    assert done.stdout.split() == ["True", newest, newest]


def test_without_its_list_of_versions_the_newest_accepted_released_version_is_probed() -> None:
    hide = "import array_api_strict as xs, types\nxs._flags = types.SimpleNamespace()  # no list of versions\n"
    probe = hide + _VERSION_PROBE
    done = subprocess.run([sys.executable, "-c", probe], env=clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "2025.12", "2025.12"]  # 2026.12 is a draft in 2.6.1: never chosen


def test_array_api_strict_own_variable_chooses_the_version() -> None:
    env = clean_env(ARRAY_API_STRICT_API_VERSION="2023.12")
    probe = "import unibridge as ub; print(ub.namespace('strict').__array_api_version__)"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2023.12"


def test_array_api_strict_is_an_alias_of_strict() -> None:
    assert ub.get_backend("array_api_strict").name == "strict"


# -- memory, as measured ------------------------------------------------------------------------

LAYOUTS = {
    "C-contiguous": lambda: np.arange(8.0),
    "negative strides": lambda: np.arange(8.0)[::-1],
    "strided": lambda: np.arange(16.0)[::2],
    "Fortran order": lambda: np.asfortranarray(np.arange(8.0).reshape(2, 4)),
    "misaligned": lambda: np.frombuffer(bytearray(8 * 9), dtype=np.float64, count=8, offset=4),
    # NumPy's DLPack export refuses these strides: to_numpy falls back to np.asarray, still a view.
    "strides not a multiple of the element size": lambda: np.ndarray((4,), np.float64, bytearray(64), 0, (12,)),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_asarray_wraps_numpy_memory_of_every_layout_without_a_copy(layout: str) -> None:
    a = LAYOUTS[layout]()
    x = _strict(a)
    assert ub.shares_memory(a, x)
    assert _visible(a, x)
    assert ub.shares_memory(a, _strict(a, copy=False))
    fresh = _strict(a, copy=True)
    assert not ub.shares_memory(a, fresh) and not _visible(a, fresh)


def test_read_only_memory_is_shared_and_stays_read_only() -> None:
    a = np.arange(4.0)
    a.flags.writeable = False
    x = _strict(a)
    assert ub.shares_memory(a, x)
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 1.0
    assert not ub.to_numpy(x, copy=False).flags.writeable
    y = _strict(a, copy=True)
    y[0] = 1.0  # copy=True: fresh, writable memory
    assert a[0] == 0.0


def test_foreign_byte_order_is_copied_and_copy_false_says_why() -> None:
    a = np.arange(4.0).astype(">f8")
    x = _strict(a)
    assert not ub.shares_memory(a, x)
    assert ub.to_numpy(x).tolist() == [0.0, 1.0, 2.0, 3.0] and ub.dtype_of(x) == "float64"
    with pytest.raises(ub.CopyRequiredError, match="byte order"):
        _strict(a, copy=False)
    with pytest.raises(TypeError):
        xs.asarray(a)  # what array-api-strict itself does with it


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_dtypes_outside_the_standard_raise_unsupported_input(dtype: str) -> None:
    native = pytest.importorskip("ml_dtypes").bfloat16 if dtype == "bfloat16" else np.float16
    with pytest.raises(ub.UnsupportedInputError, match=f"array-api-strict has no {dtype}"):
        _strict(np.zeros(2, dtype=native))
    with pytest.raises(ub.UnsupportedInputError, match=f"no {dtype}"):
        ub.zeros((2,), dtype=dtype, backend="strict")


def test_to_numpy_is_a_writable_view_through_dlpack_and_np_asarray_views_too() -> None:
    x = _strict(np.arange(4.0), copy=True)
    view = ub.to_numpy(x, copy=False)
    assert view.flags.writeable and ub.shares_memory(x, view)
    x[0] = 42.0  # a write through the strict array shows in the view
    assert view[0] == 42.0
    assert np.shares_memory(np.asarray(x), view)  # __array__ (3.11) or __buffer__ (3.12+)
    copied = ub.to_numpy(x, copy=True)
    copied[1] = -1.0
    assert ub.to_numpy(x)[1] == 1.0


def test_zeros_and_copies_are_64_byte_aligned_for_tensorflow_and_jax() -> None:
    for x in (ub.zeros((3, 5), backend="strict"), _strict(np.arange(7.0)[1:], copy=True)):
        assert ub.to_numpy(x, copy=False).ctypes.data % 64 == 0


# -- between backends -----------------------------------------------------------------------


@pytest.mark.parametrize("other", ["numpy", "torch"])
def test_writable_frameworks_share_both_ways(other: str) -> None:
    if other != "numpy":
        pytest.importorskip(other)
    src = ub.asarray(aligned_copy(np.arange(4.0)), backend=other, copy=True)
    x = ub.asarray(src, backend="strict")
    assert ub.shares_memory(src, x)
    x[0] = 9.0  # writable, and the write is the other framework's memory
    assert float(ub.to_numpy(src)[0]) == 9.0
    back = ub.asarray(x, backend=other)
    x[1] = 8.0
    assert ub.shares_memory(x, back) and float(ub.to_numpy(back)[1]) == 8.0


@pytest.mark.parametrize("other, module", [("tensorflow", "tensorflow"), ("jax", "jax")])
def test_immutable_frameworks_share_read_only_and_receive_aligned_memory(other: str, module: str) -> None:
    pytest.importorskip(module)
    if not ub.get_backend(other).available()[0]:
        pytest.skip(f"backend {other!r} unavailable")
    src = ub.asarray(aligned_copy(np.arange(4.0)), backend=other, copy=True)
    x = ub.asarray(src, backend="strict", copy=False)
    assert ub.shares_memory(src, x)
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 1.0  # an immutable tensor never becomes writable
    mine = ub.zeros((4,), backend="strict")
    theirs = ub.asarray(mine, backend=other)
    assert ub.shares_memory(mine, theirs)
    mine[0] = 5.0
    assert float(ub.to_numpy(theirs)[0]) == 5.0
    odd = _strict(aligned_copy(np.arange(9.0))[1:])  # 8 bytes past a 64-byte boundary
    copied = ub.asarray(odd, backend=other)
    odd[0] = 5.0
    assert not ub.shares_memory(odd, copied) and float(ub.to_numpy(copied)[0]) == 1.0


def test_dask_never_shares() -> None:
    pytest.importorskip("dask.array")
    x = ub.zeros((4,), backend="strict")
    d = ub.asarray(x, backend="dask")
    assert not ub.shares_memory(x, d)
    with pytest.raises(ub.CopyRequiredError):
        ub.asarray(d, backend="strict", copy=False)


# -- devices --------------------------------------------------------------------------------


def test_cpu_only_and_a_gpu_request_lists_what_exists() -> None:
    assert tuple(ub.get_backend("strict").devices()) == ("cpu",)
    with pytest.raises(ub.DeviceUnavailableError, match="cpu"):
        ub.asarray([1.0], backend="strict", device="gpu:0")


def test_arrays_on_fake_devices_are_refused_not_read_as_cpu_arrays() -> None:
    x = xs.asarray([1.0, 2.0], device=xs.Device("device1"))
    np.from_dlpack(x)  # what would happen without the check: the data, silently
    for call in (ub.device_of, ub.to_numpy, lambda v: ub.asarray(v, backend="numpy"),
                 lambda v: ub.asarray(v, backend="strict")):
        with pytest.raises(ub.UnsupportedInputError, match="device1.*to_device"):
            call(x)
    assert ub.device_of(x.to_device(xs.Device())) == "cpu"


# -- end to end: configuration and the command line ------------------------------------------


def test_unibridge_backend_strict_selects_it_by_configuration_alone() -> None:
    code = (
        "import unibridge as ub\n"
        "x = ub.asarray([1, 2])\n"
        "xp = ub.namespace()\n"
        "try:\n"
        "    x + 0.5\n"
        "except TypeError as e:\n"
        "    print('refused:', e)\n"
        "print(ub.current().backend, type(x).__module__.split('.')[0], ub.dtype_of(x), xp.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=clean_env(UNIBRIDGE_BACKEND="strict"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    refused, summary = done.stdout.strip().splitlines()
    assert refused.startswith("refused: Python float scalars")
    assert summary.split() == ["strict", "array_api_strict", "int64", "array_api_strict"]


def test_cli_info_and_check_with_unibridge_backend_strict(tmp_path: Path) -> None:
    env = clean_env(UNIBRIDGE_BACKEND="strict")
    info = subprocess.run([sys.executable, "-m", "unibridge", "info", "--json"], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    report = json.loads(info.stdout)
    assert report["configuration"]["backend"] == {"value": "strict", "source": "environment"}
    row = next(b for b in report["backends"] if b["name"] == "strict")
    assert row["available"] and row["devices"] == ["cpu"] and row["version"] == xs.__version__
    check = subprocess.run([sys.executable, "-m", "unibridge", "check", "--backend", "strict", "--json"], env=env,
                           cwd=str(tmp_path), capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    rows = json.loads(check.stdout)["backends"]
    assert [(r["backend"], r["status"]) for r in rows] == [("strict", "pass")]


def test_docstring_examples_of_the_plugin_run() -> None:
    import doctest

    import unibridge_strict.backend

    for module in (unibridge_strict, unibridge_strict.backend):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


def test_the_plugin_readme_python_blocks_run(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    readme = Path(__file__).resolve().parents[2] / "backends" / "strict" / "README.md"
    blocks = re.findall(r"^```python\n(.*?)^```", readme.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert blocks
    for code in blocks:
        exec(compile(code, str(readme), "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.splitlines() == [
        "Python float scalars can only be promoted with floating-point arrays.",
        "[1.5 2.5]",
    ]


def test_asking_strict_for_a_gpu_says_it_runs_on_the_cpu_only_not_to_check_a_driver() -> None:
    with pytest.raises(ub.DeviceUnavailableError) as caught:
        ub.asarray(np.ones(2), backend="strict", device="gpu")
    assert "runs on the CPU only" in str(caught.value) and "driver" not in str(caught.value)
