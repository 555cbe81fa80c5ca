"""Size scaling, 1 KiB to 256 MiB of float32: zero-copy paths should be flat;
copying paths are compared with two references timed in the same trials:

* ``np.copyto(dst, src)`` into memory already faulted in: the memcpy limit;
* ``src.copy()``: fresh memory plus one copy, the same work a copying
  conversion does (page faults included), so the fair bar for it.

Each size is its own interleaved comparison, and its buffers are freed before
the next size is allocated.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..frameworks import PAGE, aligned_array, backend_ready, framework
from ..harness import Case, compare
from ..model import Result, Skip
from ..settings import Settings, format_size
from ._common import add_case

GROUP = "scaling"
COPYTO, COPY = "ref.copyto", "ref.copy"


@dataclass(frozen=True)
class Path:
    """One conversion path: ``make(buffers)`` returns the call to time and its source."""

    id: str
    label: str
    kind: str  # "zero-copy" / "copy" (unibridge), "native", "reference"
    needs: tuple[str, ...]  # frameworks ("torch", "tensorflow") and backends ("ub:torch")
    make: Callable[[dict[str, Any]], tuple[Callable[[], Any], Any]]


def _ub(name: str, **kw: Any) -> Callable[[dict[str, Any]], tuple[Callable[[], Any], Any]]:
    def make(b: dict[str, Any]) -> tuple[Callable[[], Any], Any]:
        import unibridge as ub

        src = b[name]
        return partial(ub.asarray, src, **kw), src

    return make


PATHS: tuple[Path, ...] = (
    Path(COPYTO, "[ref] np.copyto(dst, src), dst faulted in (memcpy)", "reference", (),
         lambda b: (partial(np.copyto, b["dst"], b["src"]), None)),
    Path(COPY, "[ref] src.copy() (fresh memory + copy)", "reference", (), lambda b: (b["src"].copy, b["src"])),
    # unibridge, expected zero-copy
    Path("numpy->torch", "ub.asarray(src, backend='torch')", "zero-copy", ("ub:torch",),
         _ub("src", backend="torch")),
    Path("torch->numpy", "ub.asarray(t, backend='numpy')", "zero-copy", ("ub:torch",), _ub("t", backend="numpy")),
    Path("numpy(aligned)->tensorflow", "ub.asarray(src 64B-aligned, backend='tensorflow')", "zero-copy",
         ("ub:tensorflow",), _ub("src", backend="tensorflow")),
    Path("torch->tensorflow", "ub.asarray(t, backend='tensorflow')", "zero-copy", ("ub:torch", "ub:tensorflow"),
         _ub("t", backend="tensorflow")),
    Path("tensorflow->numpy", "ub.asarray(tf_t, backend='numpy')", "zero-copy", ("ub:tensorflow",),
         _ub("tf_t", backend="numpy")),
    # unibridge, expected to copy
    Path("numpy->numpy copy=True", "ub.asarray(src, backend='numpy', copy=True)", "copy", (),
         _ub("src", backend="numpy", copy=True)),
    Path("numpy->torch copy=True", "ub.asarray(src, backend='torch', copy=True)", "copy", ("ub:torch",),
         _ub("src", backend="torch", copy=True)),
    Path("numpy(read-only)->torch", "ub.asarray(read-only src, backend='torch')", "copy", ("ub:torch",),
         _ub("src_ro", backend="torch")),
    Path("torch->numpy copy=True", "ub.asarray(t, backend='numpy', copy=True)", "copy", ("ub:torch",),
         _ub("t", backend="numpy", copy=True)),
    Path("numpy(misaligned)->tensorflow", "ub.asarray(src 16 mod 64, backend='tensorflow')", "copy",
         ("ub:tensorflow",), _ub("src_mis", backend="tensorflow")),
    Path("tensorflow->torch", "ub.asarray(tf_t, backend='torch')", "copy", ("ub:torch", "ub:tensorflow"),
         _ub("tf_t", backend="torch")),
    # native calls, for context
    Path("native torch.from_numpy", "torch.from_numpy(src)", "native", ("torch",),
         lambda b: (partial(b["torch"].from_numpy, b["src"]), b["src"])),
    Path("native torch.tensor", "torch.tensor(src) (copies)", "native", ("torch",),
         lambda b: (partial(b["torch"].tensor, b["src"]), b["src"])),
    Path("native tf.convert_to_tensor", "tf.convert_to_tensor(src) (copies)", "native", ("tensorflow",),
         lambda b: (partial(b["tf"].convert_to_tensor, b["src"]), b["src"])),
    Path("native tf dlpack import", "tf...from_dlpack(t.__dlpack__())", "native", ("torch", "tensorflow"),
         lambda b: ((lambda f=b["tf"].experimental.dlpack.from_dlpack, t=b["t"]: f(t.__dlpack__())), b["t"])),
    Path("native np.asarray(tf_t)", "np.asarray(tf_t)", "native", ("tensorflow",),
         lambda b: (partial(np.asarray, b["tf_t"]), b["tf_t"])),
)


def ref_key(path: str, nbytes: int) -> str:
    """The result key of ``path`` at ``nbytes`` (references are looked up by it)."""
    return f"{GROUP}.{path}.{nbytes}"


def flat_ref_key(path: str, small: int, nbytes: int) -> str:
    """The key of ``path`` timed at ``small`` bytes within the trials of size ``nbytes``."""
    return f"{GROUP}.{path}.{small}@{nbytes}"


def _availability() -> dict[str, tuple[bool, str]]:
    out: dict[str, tuple[bool, str]] = {}
    for name in ("torch", "tensorflow"):
        mod, why = framework(name)
        out[name] = (mod is not None, why)
        out[f"ub:{name}"] = backend_ready(name) if mod is not None else (False, why)
    return out


def _buffers(nbytes: int, have: dict[str, tuple[bool, str]]) -> dict[str, Any]:
    n = nbytes // 4
    src = aligned_array(n, align=PAGE)  # page aligned, hence 64-byte aligned; pages faulted in
    src_ro = src.view()
    src_ro.flags.writeable = False
    dst = aligned_array(n, align=PAGE)
    b: dict[str, Any] = {"src": src, "src_ro": src_ro, "dst": dst,
                         "src_mis": aligned_array(n, offset=16, align=PAGE)}
    if have["torch"][0]:
        torch = framework("torch")[0]
        b["torch"] = torch
        b["t"] = torch.from_numpy(src)
    if have["tensorflow"][0]:
        tf = framework("tensorflow")[0]
        b["tf"] = tf
        b["tf_t"] = tf.convert_to_tensor(src)  # TF's own, aligned allocation
    return b


def run(s: Settings) -> tuple[list[Result], list[Skip]]:
    have = _availability()
    skips: list[Skip] = []
    runnable = []
    for p in PATHS:
        missing = [need for need in p.needs if not have[need][0]]
        if missing:
            skips.append(Skip(GROUP, p.id, have[missing[0]][1]))
        else:
            runnable.append(p)

    results: list[Result] = []
    fn = src = None
    smallest = s.sizes[0]
    small = _buffers(smallest, have)  # kept for the whole group: the flatness reference
    for nbytes in s.sizes:
        b = _buffers(nbytes, have) if nbytes != smallest else small
        cases: list[Case] = []
        for p in runnable:
            fn, src = p.make(b)
            refs: tuple[str, ...] = ()
            if p.kind in ("copy", "native"):
                refs = (ref_key(COPY, nbytes), ref_key(COPYTO, nbytes))
            if p.kind in ("zero-copy", "native") and nbytes != smallest:
                # The same path at the smallest size, timed in these same trials: the
                # zero-copy target ("flat") is a per-trial ratio, not one across runs.
                flat_key = flat_ref_key(p.id, smallest, nbytes)
                small_fn, small_src = p.make(small)
                add_case(cases, [], GROUP, Case(flat_key, f"{p.label} [{format_size(smallest)}, flat ref]", small_fn,
                                                kind="flat-ref", size_bytes=smallest, path=p.id), small_src)
                refs += (flat_key,)
            case = Case(ref_key(p.id, nbytes), p.label, fn, refs=refs, kind=p.kind,
                        size_bytes=nbytes, path=p.id)
            size_skips: list[Skip] = []
            if not add_case(cases, size_skips, GROUP, case, src) and nbytes == smallest:
                skips.extend(size_skips)  # report a failing path once, not per size
        s.say(f"[{GROUP}] {format_size(nbytes)}: {len(cases)} calls x {s.scaling_timing.trials} trials")
        results.extend(compare(GROUP, cases, s.scaling_timing))
        del b, cases, fn, src
        gc.collect()
    del small
    gc.collect()
    for r in results:
        r.extra["gb_per_s"] = r.size_bytes / r.ns if r.ns and r.size_bytes else None  # bytes/ns == GB/s
    return results, skips
