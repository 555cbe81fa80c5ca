"""unibridge-dask: chunking, truthful memory semantics, and a real LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed")
unibridge_dask = pytest.importorskip("unibridge_dask", reason="unibridge-dask is not installed")

import unibridge as ub  # noqa: E402


@pytest.fixture(autouse=True)
def _default_chunks(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("UNIBRIDGE_DASK_CHUNKS", raising=False)
    unibridge_dask.configure(chunks=None)
    yield
    unibridge_dask.configure(chunks=None)


def test_chunks_default_to_auto_and_follow_configure_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    data = np.arange(10.0)
    assert unibridge_dask.chunks() == "auto"
    assert ub.asarray(data, backend="dask").chunks == ((10,),)
    monkeypatch.setenv("UNIBRIDGE_DASK_CHUNKS", "4")
    assert ub.asarray(data, backend="dask").chunks == ((4, 4, 2),)
    unibridge_dask.configure(chunks="5,5")
    assert ub.zeros((10, 10), backend="dask").chunks == ((5, 5), (5, 5))
    unibridge_dask.configure(chunks="16B")
    assert ub.asarray(data, backend="dask").chunks == ((2,) * 5,)


@pytest.mark.parametrize("bad", ["lots", "0", "-3", "1,x"])
def test_bad_chunk_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("UNIBRIDGE_DASK_CHUNKS", bad)
    with pytest.raises(ub.ConfigurationError, match="UNIBRIDGE_DASK_CHUNKS"):
        ub.asarray(np.arange(3.0), backend="dask")


def test_from_array_copies_so_dask_never_shares_memory_with_numpy() -> None:
    a = np.arange(6.0)
    x = ub.asarray(a, backend="dask")
    a[0] = 100.0  # what dask really does: the graph holds its own copy
    assert ub.to_numpy(x)[0] == 0.0
    assert not ub.shares_memory(a, x)
    with pytest.raises(ub.CopyRequiredError, match="copies its input"):
        ub.asarray(a, backend="dask", copy=False)
    with pytest.raises(ub.CopyRequiredError, match="lazy"):
        ub.to_numpy(x, copy=False)


def test_to_numpy_computes_into_fresh_memory() -> None:
    x = ub.asarray(np.arange(6.0), backend="dask")
    first, second = ub.to_numpy(x), ub.to_numpy(x)
    first[0] = -1.0
    assert second[0] == 0.0 and ub.to_numpy(x)[0] == 0.0


def _energy(data: object) -> float:
    """A backend-neutral reduction: only unibridge's API and the Array API namespace."""
    xp = ub.namespace()
    x = ub.asarray(data)
    centred = x - xp.mean(x, axis=0)
    return float(ub.to_numpy(xp.sum(centred * centred)))


@pytest.mark.timeout(180)
def test_backend_neutral_reduction_runs_on_a_local_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed", reason="distributed is not installed")
    data = np.random.default_rng(0).normal(size=(4000, 3))
    expected = _energy(data)  # numpy, the default backend
    unibridge_dask.configure(chunks=500)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=None, silence_logs=50,
    ) as cluster, distributed.Client(cluster) as client:
        with ub.use("dask"), distributed.get_task_stream(client) as stream:
            got = _energy(data)
        assert len(stream.data) > 0, "no task ran on the cluster"
    assert got == pytest.approx(expected, rel=1e-12)
