"""unibridge-dask: chunking, truthful memory semantics, and a real LocalCluster."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

dask = pytest.importorskip("dask", reason="dask is not installed")
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


# -- odd but legal inputs: exact answers or unibridge's errors, never dask's -----------------------


@pytest.mark.parametrize("setting", [None, "64MiB"])
def test_dask_empty_but_wide_arrays_convert_without_chunking_errors(monkeypatch: pytest.MonkeyPatch, setting: str | None) -> None:
    if setting is not None:
        monkeypatch.setenv("UNIBRIDGE_DASK_CHUNKS", setting)
    # dask's automatic chunking divides by the extents: ZeroDivisionError for these.
    x = ub.asarray(np.zeros((0, 10**6), np.float32), backend="dask")
    assert x.shape == (0, 10**6)
    assert ub.dtype_of(x) == "float32" and ub.to_numpy(x).shape == (0, 10**6)
    for shape in [(0, 10**6), (10**6, 0, 10**6)]:
        z = ub.zeros(shape, dtype="int8", backend="dask")
        assert z.shape == shape and ub.to_numpy(z).shape == shape
    assert ub.zeros_like(np.zeros((10**6, 0)), backend="dask").shape == (10**6, 0)


def _counted(data: np.ndarray, chunks: int) -> tuple[object, list[int]]:  # type: ignore[type-arg]
    calls: list[int] = []

    def touch(block: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        if block.size:
            calls.append(block.size)
        return block

    return da.from_array(data, chunks=chunks).map_blocks(touch, dtype=data.dtype), calls


@pytest.mark.parametrize(
    "source,target",
    [("float64", "float32"), ("float64", "int32"), ("float64", "bool"), ("complex128", "float64"),
     ("complex128", "bool"), ("int64", "uint8"), ("int32", "float64"), ("float32", "bfloat16")],
)
def test_dask_native_cast_is_lazy_and_converts_like_numpy_astype(source: str, target: str) -> None:
    if source.startswith("int"):
        data = np.array([1, -2, 0, 300, 2**31 - 1, 7], dtype=source)
    else:  # out-of-range, NaN and (for complex) imaginary parts: exactly what astype does with them
        data = np.array([1.5, -2.5, 0.0, 3e9, np.nan, 7.0]).astype(source)
        if source.startswith("complex"):
            data = data + 1j * np.arange(6)
    lazy, calls = _counted(data, chunks=2)
    backend = ub.get_backend("dask")
    out = backend.astype(lazy, ub.as_dtype(target))
    assert calls == [], "the cast computed the graph"
    assert isinstance(out, da.Array) and out.chunks == lazy.chunks and ub.dtype_of(out) == target
    with np.errstate(all="ignore"):
        expected = (data.real if data.dtype.kind == "c" and target != "bool" else data).astype(
            ub.dtypes.numpy_dtype(ub.as_dtype(target))
        )
    with warnings.catch_warnings(), dask.config.set(scheduler="sync"):
        warnings.simplefilter("error")  # astype's ComplexWarning and NaN/overflow RuntimeWarnings are noise here
        got = ub.to_numpy(out)
    assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()


@pytest.mark.parametrize(
    "source,target,casting",
    [("float32", "float64", "same_kind"), ("float64", "float32", "unsafe"), ("int32", "int64", "safe")],
)
def test_dask_dtype_change_through_asarray_stays_lazy(source: str, target: str, casting: str) -> None:
    lazy, calls = _counted(np.arange(6).astype(source), chunks=2)
    out = ub.asarray(lazy, backend="dask", dtype=target, casting=casting)
    assert ub.dtype_of(out) == target
    assert calls == [], f"asarray computed {len(calls)} chunks for a cast that needs no value check"
    assert out.chunks == lazy.chunks
    assert ub.to_numpy(out).tolist() == np.arange(6).astype(target).tolist()


def test_dask_string_and_masked_arrays_raise_unsupported_input() -> None:
    strings = da.from_array(np.array(["a", "b"]), chunks=1)
    for call in (ub.to_numpy, lambda x: ub.asarray(x, backend="dask"), lambda x: ub.asarray(x)):
        with pytest.raises(ub.UnsupportedInputError, match="string"):
            call(strings)
    masked = da.ma.masked_array(da.from_array(np.arange(3.0), chunks=1), mask=[0, 1, 0])
    for call in (ub.to_numpy, lambda x: ub.asarray(x)):
        with pytest.raises(ub.UnsupportedInputError, match="mask"):
            call(masked)


def test_dask_unknown_chunks_convert_and_zeros_like_says_how() -> None:
    x = da.from_array(np.arange(10.0), chunks=3)
    y = x[x > 4]  # chunk sizes unknown until computed
    assert ub.to_numpy(y).tolist() == [5.0, 6.0, 7.0, 8.0, 9.0]
    assert ub.asarray(y, backend="dask") is y
    assert not ub.shares_memory(y, np.arange(3.0))
    with pytest.raises(ub.UnsupportedInputError, match="compute_chunk_sizes"):
        ub.zeros_like(y)


# -- a pipeline that scales: input read on worker processes, streamed ---------------------------------


def _pipeline(monkeypatch: pytest.MonkeyPatch, file_bytes: int):  # type: ignore[no-untyped-def]
    from _example_helpers import load_example

    pipeline = load_example("dask_pipeline")
    monkeypatch.setattr(pipeline, "FILE_BYTES", file_bytes)
    return pipeline


@pytest.mark.timeout(240)
def test_pipeline_reads_its_files_on_worker_processes_and_agrees_with_numpy(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import os
    import pickle

    distributed = pytest.importorskip("dask.distributed", reason="distributed is not installed")
    pipeline = _pipeline(monkeypatch, file_bytes=256 * 1024)
    paths = pipeline.write_chunks(tmp_path, 2 * 2**20)
    data = pipeline.load_chunks(paths)
    data_bytes = 8 * data.size
    graph_bytes = len(pickle.dumps(dict(data.__dask_graph__())))
    assert len(paths) == 8 and data.numblocks == (8, 1)
    assert graph_bytes < data_bytes / 100, f"the graph holds {graph_bytes} bytes: the data is embedded in it"

    with pipeline.local_cluster(memory_limit="256MiB") as cluster, distributed.Client(cluster, timeout=60) as client:
        pids = client.run(os.getpid)
        assert len(pids) == 2 and os.getpid() not in pids.values(), "the workers are not separate processes"
        with ub.use("dask"), distributed.get_task_stream(client) as stream:
            stats, counts = pipeline.column_outliers(data, materialize=pipeline.with_progress(client))
        # Task names as dask fused them (concatenate-from-value-load-...): the np.load calls.
        loads = {t["worker"] for t in stream.data if "load" in str(t["key"])}
        assert loads == set(pids), "the files were not read by both worker processes"
        assert sum(client.run(pipeline._spilled).values()) == 0
        assert client.run(os.getpid) == pids, "a worker was restarted"

    # The oracle: NumPy on the same files, read in full here.
    whole = np.concatenate([np.load(p) for p in paths]).astype(np.float32)
    np.testing.assert_allclose(stats[0], whole.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stats[1], whole.std(axis=0), rtol=1e-5)
    expected = np.count_nonzero(np.abs(whole - stats[0]) > 4.0 * stats[1], axis=0)
    assert counts.tolist() == expected.tolist()


@pytest.mark.timeout(240)
def test_a_lossy_value_in_a_file_raises_on_the_client_naming_its_chunk(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("dask.distributed", reason="distributed is not installed")
    pipeline = _pipeline(monkeypatch, file_bytes=64 * 1024)
    paths = pipeline.write_chunks(tmp_path, 4 * 64 * 1024)
    block = np.load(paths[2])
    block[5, 3] = 1e300  # finite in float64, infinite in float32
    np.save(paths[2], block)
    rows = block.shape[0]
    with pipeline.local_cluster(memory_limit="256MiB") as cluster, distributed.Client(cluster, timeout=60):
        with ub.use("dask"):
            x = ub.asarray(pipeline.load_chunks(paths), dtype="float32")  # nothing computed yet
            with pytest.raises(ub.LossyCastError, match=rf"chunk \(2, 0\), elements \[{2 * rows}:{3 * rows}, 0:16\]"):
                ub.to_numpy(x)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_pipeline_streams_four_times_the_workers_memory_without_spilling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("dask.distributed", reason="distributed is not installed")
    from _example_helpers import load_example

    pipeline = load_example("dask_pipeline")
    limit = pipeline.WORKERS * pipeline.WORKER_MEMORY
    found = pipeline.run_once(tmp_path, 4 * limit, progress_bar=False)
    assert found["data_mib"] * pipeline.MiB >= 4 * limit
    assert found["spilled"] == 0
    assert found["peak_mib"] * pipeline.MiB < pipeline.WORKER_MEMORY  # every worker stayed under its limit
