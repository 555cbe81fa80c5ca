"""A pipeline that scales: the input stays in ``.npy`` files and is read by the workers.

The pipeline (:func:`column_outliers`) is written against ``ub`` and ``xp = ub.namespace()``
only, so it runs unchanged on NumPy. On Dask its input is a lazy array whose chunks are
``np.load(path, mmap_mode="r")`` tasks (:func:`load_chunks`): the graph holds file names,
never data, so a worker reads only the chunks it is given, and each pass over the data is a
streaming reduction that holds a few chunks per worker at a time.

    python examples/dask_pipeline.py            # 64 MiB in files, a LocalCluster of 2 worker processes
    python examples/dask_pipeline.py --scale    # 1x, 2x and 4x the workers' total memory limit: time and peak memory

Each pass shows ``distributed.progress`` (a text bar in a terminal, a widget in Jupyter);
``--quiet`` hides it.

``--scale`` starts a fresh cluster for each size and reports the wall time of the two passes
and each worker's peak resident memory (``ru_maxrss``: the process's high-water mark, the
interpreter included), and checks that no worker spilled to disk or restarted.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import unibridge as ub

MiB = 2**20
COLUMNS = 16
FILE_BYTES = 16 * MiB  # one .npy file = one chunk (float64 on disk)
WORKERS = 2
WORKER_MEMORY = 256 * MiB  # memory_limit of each worker process


def column_outliers(
    data: Any, *, threshold: float = 4.0, materialize: Callable[[Any], np.ndarray] = ub.to_numpy
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and standard deviation (float32), then how many values of each column
    lie more than ``threshold`` standard deviations from its mean.

    Two passes, each one reduction: nothing waits for the whole array. ``materialize`` turns
    a lazy result into NumPy (``ub.to_numpy``; the cluster run passes one with a progress bar).

    Example:
        >>> data = np.array([[0.0, 1.0], [0.0, 3.0], [0.0, 1.0], [100.0, 3.0]])
        >>> stats, counts = column_outliers(data, threshold=1.5)
        >>> stats.tolist(), counts.tolist()
        ([[25.0, 2.0], [43.30126953125, 1.0]], [1, 0])
    """
    xp = ub.namespace()
    # float64 on disk, float32 for the work: a value too large for float32 raises LossyCastError
    # (on dask when the chunk holding it is computed, naming that chunk).
    x = ub.asarray(data, dtype="float32")
    stats = materialize(xp.stack([xp.mean(x, axis=0), xp.std(x, axis=0)]))
    mean, std = ub.asarray(stats[0, :]), ub.asarray(stats[1, :])
    counts = materialize(xp.count_nonzero(xp.abs(x - mean) > threshold * std, axis=0))
    return stats, counts


def write_chunks(directory: Path, total_bytes: int, *, seed: int = 0) -> list[Path]:
    """Normal float64 data of ``total_bytes`` as ``part-NNNNN.npy`` files of FILE_BYTES each,
    written one file at a time (so writing needs one file's memory)."""
    rows = FILE_BYTES // (8 * COLUMNS)
    paths = []
    for i in range(max(1, total_bytes // FILE_BYTES)):
        path = directory / f"part-{i:05d}.npy"
        block = np.random.default_rng([seed, i]).normal(size=(rows, COLUMNS))
        block[:, 0] *= 10.0  # columns of different scales
        np.save(path, block)
        paths.append(path)
    return paths


def load_chunks(paths: list[Path]) -> Any:
    """A lazy dask array over ``.npy`` files: one chunk per file, read by whichever worker runs it.

    Only each file's header is read here (for its shape and dtype); the graph holds the paths.
    """
    import dask
    import dask.array as da

    blocks = []
    for path in paths:
        header = np.load(path, mmap_mode="r")  # maps the file, reads the header: no data
        shape, dtype = header.shape, header.dtype
        del header
        blocks.append(da.from_delayed(dask.delayed(np.load)(str(path), mmap_mode="r"), shape=shape, dtype=dtype))
    return da.concatenate(blocks, axis=0)


def local_cluster(**overrides: Any) -> Any:
    """A LocalCluster of WORKERS worker processes with WORKER_MEMORY each, on the loopback only."""
    from dask.distributed import LocalCluster

    options: dict[str, Any] = dict(
        n_workers=WORKERS, threads_per_worker=1, processes=True, memory_limit=WORKER_MEMORY,
        host="127.0.0.1", dashboard_address=":0", silence_logs=40,  # any free port: never 8787 of another cluster
    )
    options.update(overrides)
    return LocalCluster(**options)


def with_progress(client: Any) -> Callable[[Any], np.ndarray]:
    """A ``materialize`` that computes on ``client`` and shows ``distributed.progress`` meanwhile
    (a text bar in a terminal, a widget in Jupyter)."""
    from dask.distributed import progress

    def materialize(lazy: Any) -> np.ndarray:
        future = client.compute(lazy)
        progress(future)  # blocks until done, redrawing the bar
        print(file=sys.stdout)
        return ub.to_numpy(future.result())

    return materialize


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _spilled(dask_worker: Any) -> int:
    data = dask_worker.data
    spilled = getattr(data, "spilled_total", None)
    return len(getattr(data, "slow", ())) + (int(spilled.disk) if spilled is not None else 0)


def run_once(directory: Path, total_bytes: int, *, progress_bar: bool) -> dict[str, Any]:
    """Write the files, start a cluster, run the pipeline on it; the measurements as a dict."""
    from dask.distributed import Client

    paths = write_chunks(directory, total_bytes)
    data_bytes = sum(p.stat().st_size for p in paths)
    with local_cluster() as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        idle = client.run(_peak_rss_mib)
        data = load_chunks(paths)
        started = time.perf_counter()
        with ub.use("dask"):
            stats, counts = column_outliers(data, materialize=with_progress(client) if progress_bar else ub.to_numpy)
        seconds = time.perf_counter() - started
        peak = client.run(_peak_rss_mib)
        spilled = client.run(_spilled)
        if client.run(os.getpid) != pids:
            raise RuntimeError("a worker process was restarted during the run (killed for memory?)")
    return {
        "data_mib": data_bytes / MiB, "limit_mib": WORKERS * WORKER_MEMORY / MiB, "seconds": seconds,
        "idle_mib": max(idle.values()), "peak_mib": max(peak.values()), "spilled": sum(spilled.values()),
        "stats": stats, "counts": counts, "files": len(paths),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="store_true", help="run 1x, 2x and 4x the workers' total memory limit")
    parser.add_argument("--mib", type=int, default=64, help="data size of the single run (MiB on disk)")
    parser.add_argument("--dir", default=None, help="where to write the .npy files (default: a temporary folder)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    limit = WORKERS * WORKER_MEMORY
    sizes = [limit, 2 * limit, 4 * limit] if args.scale else [args.mib * MiB]
    print(f"{WORKERS} worker processes, memory_limit={WORKER_MEMORY // MiB} MiB each "
          f"({limit // MiB} MiB in all), one thread each; chunks of {FILE_BYTES // MiB} MiB")
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="unibridge-dask-") as tmp:
            if args.scale:
                print(f"{size // MiB} MiB: writing the files, then two passes on a fresh cluster", flush=True)
            found = run_once(Path(tmp), size, progress_bar=not args.quiet)
        rows.append(found)
        if not args.scale:
            print("mean:", np.round(found["stats"][0], 3))
            print("std: ", np.round(found["stats"][1], 3))
            print("values beyond 4 std per column:", found["counts"].tolist())
    if args.scale:
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="unibridge-numpy-") as tmp:
            paths = write_chunks(Path(tmp), limit)
            started = time.perf_counter()
            whole = np.concatenate([np.load(p) for p in paths])  # all in this process's memory
            with ub.use("numpy"):
                column_outliers(whole)
            print(f"reference: NumPy in one process, {limit // MiB} MiB read into memory: "
                  f"{time.perf_counter() - started:.2f} s, peak {_peak_rss_mib():.0f} MiB")
            del whole
    print(f"{'data MiB':>9} {'x limit':>8} {'files':>6} {'wall s':>8} {'MiB/s':>7} "
          f"{'idle worker MiB':>16} {'peak worker MiB':>16} {'spilled':>8}")
    for r in rows:
        print(f"{r['data_mib']:9.0f} {r['data_mib'] / r['limit_mib']:8.2f} {r['files']:6d} {r['seconds']:8.2f} "
              f"{r['data_mib'] / r['seconds']:7.1f} {r['idle_mib']:16.0f} {r['peak_mib']:16.0f} {r['spilled']:8d}")


if __name__ == "__main__":
    main()
