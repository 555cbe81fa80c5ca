"""GPU transfers, on a CUDA machine; skipped with the reason elsewhere.

* Host -> device, the largest size (256 MiB by default) of float32 from NumPy:
  unibridge against the bus limit, ``cudaMemcpy`` from memory that is already
  pinned (``pinned.to(device, non_blocking=True)`` then a synchronize), and
  against torch's two idioms, ``torch.from_numpy(x).cuda()`` and
  ``.pin_memory().cuda(non_blocking=True)``. Every timed call ends with a
  synchronize, so the time is the transfer's, not the enqueue's.
* torch CUDA -> JAX GPU through unibridge at 1 KiB and at the largest size,
  timed in the same trials: DLPack without the host must be flat.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..frameworks import PAGE, aligned_array, framework
from ..harness import Case, compare
from ..model import Result, Skip
from ..settings import Settings
from ._common import add_case

GROUP = "gpu"
SMALL = 1 << 10


def _synced(fn: Callable[[], Any], torch: Any) -> Callable[[], Any]:
    def call() -> Any:
        out = fn()
        torch.cuda.synchronize()
        return out

    return call


def run(settings: Settings) -> tuple[list[Result], list[Skip]]:
    torch, why = framework("torch")
    if torch is None:
        return [], [Skip(GROUP, "all", why)]
    if not torch.cuda.is_available():
        return [], [Skip(GROUP, "all", "no CUDA GPU visible to torch")]
    import unibridge as ub

    nbytes = max(settings.sizes)
    x = aligned_array(nbytes // 4, align=PAGE)
    pinned = torch.from_numpy(x).pin_memory()
    dev = torch.device("cuda", 0)
    cases: list[Case] = []
    skips: list[Skip] = []
    ref = f"{GROUP}.h2d.pinned-memcpy"
    add_case(cases, skips, GROUP, Case(ref, "[ref] pinned.to(cuda, non_blocking) (cudaMemcpy from pinned)",
                                        _synced(lambda: pinned.to(dev, non_blocking=True), torch),
                                        kind="reference", size_bytes=nbytes))
    rows: list[tuple[str, str, Callable[[], Any], str]] = [
        ("torch.from_numpy(x).cuda()", "pageable", lambda: torch.from_numpy(x).to(dev), "native"),
        ("torch.from_numpy(x).pin_memory().cuda(non_blocking=True)", "pin-then-copy",
         lambda: torch.from_numpy(x).pin_memory().to(dev, non_blocking=True), "native"),
        ("ub.asarray(x, backend='torch', device='gpu:0')", "unibridge",
         lambda: ub.asarray(x, backend="torch", device="gpu:0"), "unibridge"),
        ("ub.asarray(x, backend='torch', device='gpu:0', non_blocking=True)", "unibridge-nonblocking",
         lambda: ub.asarray(x, backend="torch", device="gpu:0", non_blocking=True), "unibridge"),
    ]
    for name, key, fn, kind in rows:
        add_case(cases, skips, GROUP, Case(f"{GROUP}.h2d.{key}", name, _synced(fn, torch), refs=(ref,),
                                            kind=kind, size_bytes=nbytes), x)
    results = compare(GROUP, cases, settings.scaling_timing)

    jax_ok = any(b.name == "jax" and b.available for b in ub.backends())
    if not jax_ok:
        skips.append(Skip(GROUP, "torch->jax", "the jax backend is not installed"))
        return results, skips
    big = torch.zeros(nbytes // 4, dtype=torch.float32, device=dev)
    small = torch.zeros(SMALL // 4, dtype=torch.float32, device=dev)
    flat: list[Case] = []
    small_key = f"{GROUP}.torch->jax.{SMALL}"
    add_case(flat, skips, GROUP, Case(small_key, "ub.asarray(cuda t[1 KiB], backend='jax', device='gpu:0')",
                                      lambda: ub.asarray(small, backend="jax", device="gpu:0"),
                                      kind="zero-copy", size_bytes=SMALL), small)
    add_case(flat, skips, GROUP, Case(f"{GROUP}.torch->jax.{nbytes}",
                                      "ub.asarray(cuda t[largest], backend='jax', device='gpu:0')",
                                      lambda: ub.asarray(big, backend="jax", device="gpu:0"),
                                      refs=(small_key,), kind="zero-copy", size_bytes=nbytes), big)
    results += compare(GROUP, flat, settings.scaling_timing)
    return results, skips
