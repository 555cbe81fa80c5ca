"""The conformance kit passes on every backend installed here (skipping, with the
reason, those whose framework is missing), and it reports failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import unibridge as ub
from unibridge.testing import BackendConformance, run_conformance
from unibridge.testing.__main__ import main


def _require(name: str, module: str) -> None:
    pytest.importorskip(module, reason=f"{module} is not installed")
    row = next((r for r in ub.backends() if r.name == name), None)
    if row is None or not row.available:
        pytest.skip(f"backend {name!r} is not available: {row.reason if row else 'not registered'}")


class TestNumpyConformance(BackendConformance):
    backend_name = "numpy"


class TestTorchConformance(BackendConformance):
    backend_name = "torch"

    @pytest.fixture(autouse=True)
    def _needs(self) -> None:
        _require("torch", "torch")


class TestTensorFlowConformance(BackendConformance):
    backend_name = "tensorflow"

    @pytest.fixture(autouse=True)
    def _needs(self) -> None:
        _require("tensorflow", "tensorflow")


class TestJaxConformance(BackendConformance):
    backend_name = "jax"

    @pytest.fixture(autouse=True)
    def _needs(self) -> None:
        _require("jax", "jax")


class TestDaskConformance(BackendConformance):
    backend_name = "dask"

    @pytest.fixture(autouse=True)
    def _needs(self) -> None:
        _require("dask", "dask.array")


class TestStrictConformance(BackendConformance):
    backend_name = "strict"

    @pytest.fixture(autouse=True)
    def _needs(self) -> None:
        _require("strict", "array_api_strict")


def test_quick_mode_runs_the_quick_subset_and_reports_ok() -> None:
    report = run_conformance("numpy", quick=True)
    assert report.ok and report.quick
    names = [r.name for r in report.results]
    assert "laziness" not in names and "copy_semantics" in names
    assert "PASSED" in report.summary()


def test_unknown_backend_is_a_report_error_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_conformance("no-such-backend")
    assert not report.ok and "no-such-backend" in report.error
    assert main(["no-such-backend", "--quick"]) == 2
    assert "ERROR" in capsys.readouterr().out


@pytest.fixture
def scratch(throwaway_backends: Callable[..., Any]) -> Callable[[str, Any], None]:
    """Register throwaway backends in the process registry; all removed afterwards."""

    def register(name: str, loader: Any) -> None:
        with ub.registered(name, loader):  # checks the name and loader now...
            pass
        throwaway_backends(loader, name=name)  # ...and keeps it until the test ends

    return register


def test_kit_reports_a_backend_that_silently_narrows_float64(scratch: Callable[[str, Any], None]) -> None:
    from unibridge.adapters.numpy import NumpyBackend

    class Narrowing(NumpyBackend):
        name = "narrowing"

        def from_numpy(self, a, *, device, copy):  # type: ignore[no-untyped-def]
            out = super().from_numpy(a, device=device, copy=copy)
            with np.errstate(over="ignore"):
                return out.astype("float32") if out.dtype == "float64" else out

    scratch("narrowing", Narrowing)
    report = run_conformance("narrowing", quick=True, checks=["dtype_exactness"])
    assert not report.ok
    assert "from_numpy(float64, copy=None) gave dtype float32" in report.failures[0].detail


def test_kit_reports_a_backend_that_lies_about_sharing(scratch: Callable[[str, Any], None]) -> None:
    from unibridge.adapters.numpy import NumpyBackend

    class Lying(NumpyBackend):
        name = "lying"

        def from_numpy(self, a, *, device, copy):  # type: ignore[no-untyped-def]
            return super().from_numpy(a, device=device, copy=None)  # ignores copy=True

    scratch("lying", Lying)
    report = run_conformance("lying", quick=True, checks=["copy_semantics"])
    assert not report.ok
    assert "copy=True, but a mutation of the source shows in the result" in report.failures[0].detail


def test_kit_reports_a_backend_that_refuses_every_copy_false(scratch: Callable[[str, Any], None]) -> None:
    from unibridge.adapters.numpy import NumpyBackend

    class NeverShares(NumpyBackend):
        name = "nevershares"

        def from_numpy(self, a, *, device, copy):  # type: ignore[no-untyped-def]
            if copy is False:
                raise ub.CopyRequiredError("never")
            return super().from_numpy(a, device=device, copy=copy)

    scratch("nevershares", NeverShares)
    report = run_conformance("nevershares", quick=True, checks=["copy_semantics"])
    assert not report.ok
    assert "copy=False raised CopyRequiredError (never) for an aligned" in report.failures[0].detail


def test_kit_judges_copy_true_on_a_read_only_source_by_mutating_its_memory() -> None:
    from unibridge.testing.checks_memory import writable_alias

    a = np.arange(6.0)[::-2]
    a.flags.writeable = False
    alias = writable_alias(a)
    alias[0] = 42.0  # through the alias: the same bytes, though a is flagged read-only
    assert a[0] == 42.0 and not a.flags.writeable and alias.flags.writeable


def test_kit_reports_zeros_that_hand_out_one_buffer_twice(scratch: Callable[[str, Any], None]) -> None:
    from unibridge.adapters.numpy import NumpyBackend

    class CachedZeros(NumpyBackend):
        name = "cachedzeros"
        cache: dict[Any, Any] = {}

        def zeros(self, shape, *, dtype, device):  # type: ignore[no-untyped-def]
            key = (tuple(shape), str(dtype))
            if key not in self.cache:
                self.cache[key] = super().zeros(shape, dtype=dtype, device=device)
            return self.cache[key]  # the same memory for every call

    scratch("cachedzeros", CachedZeros)
    report = run_conformance("cachedzeros", quick=True, checks=["zeros_like_never_aliases"])
    assert not report.ok
    assert "results share memory: a mutation of one shows in the other" in report.failures[0].detail


def test_kit_checks_the_optional_native_cast(scratch: Callable[[str, Any], None]) -> None:
    from unibridge.adapters.numpy import NumpyBackend
    from unibridge.dtypes import numpy_dtype

    class Casting(NumpyBackend):
        name = "casting"

        def astype(self, x, dtype):  # type: ignore[no-untyped-def]
            target = numpy_dtype(dtype)
            with np.errstate(all="ignore"):  # astype's values, without its warnings
                return (x.real if x.dtype.kind == "c" and target.kind != "b" else x).astype(target)

    class Saturating(NumpyBackend):
        name = "saturating"

        def astype(self, x, dtype):  # type: ignore[no-untyped-def]
            target = numpy_dtype(dtype)
            if target.kind in "iu":  # clips instead of wrapping like astype
                info = np.iinfo(target)
                x = np.clip(np.nan_to_num(x.real if x.dtype.kind == "c" else x), info.min, info.max)
            with np.errstate(all="ignore"):
                return (x.real if x.dtype.kind == "c" and target.kind != "b" else x).astype(target)

    scratch("casting", Casting)
    scratch("saturating", Saturating)
    assert run_conformance("numpy", quick=True, checks=["native_cast"]).results[0].status == "skipped"
    good = run_conformance("casting", quick=True, checks=["native_cast"])
    assert good.ok, good.summary()
    bad = run_conformance("saturating", quick=True, checks=["native_cast"])
    assert not bad.ok and "values differ from NumPy's astype" in bad.failures[0].detail
