"""The speed targets, as data, and their verdicts for one report.

A ratio target compares two results timed in the same trials (median of
per-trial ratios). Size targets are built per conversion path from the
scaling group: zero-copy paths must stay flat from the smallest to the largest
size, copying paths must stay close to ``src.copy()`` at the largest size.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cases.checkpoint import TARGETS as CHECKPOINT_TARGETS
from .cases.namespace import TARGETS as NAMESPACE_TARGETS
from .cases.training import TARGETS as TRAINING_TARGETS
from .model import Report, Result, TargetRow
from .settings import format_size

__all__ = ["RATIO_TARGETS", "evaluate", "FLAT_LIMIT", "COPY_LIMIT", "TARGET_SIZE"]

TARGET_SIZE = 256 << 20
FLAT_LIMIT = 3.0  # zero-copy: largest-size time / 1 KiB time
COPY_LIMIT = 1.3  # copying: largest-size time / src.copy() time


@dataclass(frozen=True)
class RatioTarget:
    text: str
    case: str  # result key
    ref: str  # reference key
    limit: float
    faster: bool = False  # show as "N x faster" (limit is the ratio, e.g. 0.2 for 5x)


RATIO_TARGETS: tuple[RatioTarget, ...] = (
    RatioTarget("numpy->torch asarray(np[8]) <= 1.5x torch.from_numpy",
                "overhead.numpy->torch.unibridge", "overhead.numpy->torch.native", 1.5),
    RatioTarget("numpy->torch asarray(np[8]) in use('torch') <= 1.5x torch.from_numpy",
                "overhead.numpy->torch.unibridge-active", "overhead.numpy->torch.native", 1.5),
    RatioTarget("numpy->tensorflow asarray(np[8], 16 mod 64: aligned copy) <= 0.3x tf.convert_to_tensor",
                "overhead.numpy(16 mod 64)->tensorflow.unibridge", "overhead.numpy(16 mod 64)->tensorflow.native", 0.3),
    RatioTarget("numpy->tensorflow asarray(np[8], 64B-aligned: zero-copy) <= 0.3x tf.convert_to_tensor",
                "overhead.numpy(64B-aligned)->tensorflow.unibridge",
                "overhead.numpy(64B-aligned)->tensorflow.native", 0.3),
    RatioTarget("numpy->tensorflow asarray(np[8], 16 mod 64) in use('tensorflow') <= 0.3x tf.convert_to_tensor",
                "overhead.numpy(16 mod 64)->tensorflow.unibridge-active",
                "overhead.numpy(16 mod 64)->tensorflow.native", 0.3),
    RatioTarget("numpy->tensorflow asarray(np[8], 64B-aligned) in use('tensorflow') <= 0.3x tf.convert_to_tensor",
                "overhead.numpy(64B-aligned)->tensorflow.unibridge-active",
                "overhead.numpy(64B-aligned)->tensorflow.native", 0.3),
    RatioTarget("torch->numpy to_numpy(t[8]) <= 1.5x t.numpy()",
                "overhead.torch->numpy.to_numpy", "overhead.torch->numpy.native", 1.5),
    RatioTarget("shares_memory(numpy, torch) <= 3x np.shares_memory of two NumPy views",
                "introspection.numpy+torch.shares_memory", "introspection.numpy.np.shares_memory", 3.0),
    RatioTarget("torch->tensorflow asarray(t[8]) <= 1.5x bare DLPack import",
                "overhead.torch->tensorflow.unibridge", "overhead.torch->tensorflow.native", 1.5),
    RatioTarget(">= 5x faster than Keras 3 convert_to_tensor [KERAS_BACKEND=torch], asarray(x, backend=)",
                "peers.keras-torch.unibridge", "peers.keras-torch.keras", 0.2, faster=True),
    RatioTarget(">= 5x faster than Keras 3 convert_to_tensor [KERAS_BACKEND=tensorflow], asarray(x, backend=)",
                "peers.keras-tensorflow.unibridge", "peers.keras-tensorflow.keras", 0.2, faster=True),
    RatioTarget(">= 5x faster than Keras 3 convert_to_tensor [torch], asarray(x) in use('torch')",
                "peers.keras-torch.unibridge-active", "peers.keras-torch.keras", 0.2, faster=True),
    RatioTarget(">= 5x faster than Keras 3 convert_to_tensor [tensorflow], asarray(x) in use('tensorflow')",
                "peers.keras-tensorflow.unibridge-active", "peers.keras-tensorflow.keras", 0.2, faster=True),
    RatioTarget("dtype_of(torch tensor) no slower than array_api_compat.device",
                "introspection.torch.dtype_of", "introspection.torch.aac.device", 1.0),
    RatioTarget("dtype_of(numpy array) no slower than array_api_compat.device",
                "introspection.numpy.dtype_of", "introspection.numpy.aac.device", 1.0),
    RatioTarget("dtype_of(tf tensor) no slower than array_api_compat.device",
                "introspection.tensorflow.dtype_of", "introspection.tensorflow.aac.device", 1.0),
    RatioTarget("import unibridge <= 1.1x import numpy", "imports.unibridge", "imports.numpy", 1.1),
    RatioTarget("python -c 'import unibridge' <= 1.1x python -c 'import numpy' (whole process)",
                "imports.process.unibridge", "imports.process.numpy", 1.1),
    RatioTarget("python -c 'import numpy; import unibridge' <= 1.1x python -c 'import numpy' (whole process)",
                "imports.process.numpy+unibridge", "imports.process.numpy", 1.1),
    # Model code. The step is the digits MLP (benchmarks/cases/model.py).
    *(RatioTarget(f"{b}: MLP step through value_and_grad <= 1.2x the native step",
                  f"model.{b}.step.unibridge", f"model.{b}.step.native", 1.2)
      for b in ("torch", "tensorflow", "jax", "mlx")),
    *(RatioTarget(f"{b}: MLP step under unibridge.jit <= 1.1x the natively compiled step",
                  f"model.{b}.jit.unibridge", f"model.{b}.jit.native", 1.1) for b in ("tensorflow", "jax", "mlx")),
    *(RatioTarget(f"{b}: random.default_rng(s).normal((1024, 1024)) <= 1.5x NumPy's generator + one conversion",
                  f"model.{b}.rng.unibridge", f"model.{b}.rng.native", 1.5)
      for b in ("numpy", "torch", "tensorflow", "jax", "dask")),
    # The key-based generator: 1,000,000 float32 from a key vs the framework's own generator, CPU.
    *(RatioTarget(f"{b}: random.uniform(key, (10**6,), float32) <= 3x the framework's own generator",
                  f"random.{b}.{kind}.unibridge", f"random.{b}.{kind}.native", 3.0)
      for b, kind in (("numpy", "eager"), ("torch", "eager"), ("tensorflow", "eager"), ("tensorflow", "jit"),
                      ("jax", "eager"))),
    *(RatioTarget(f"{b}: random.normal(key, (10**6,), float32) <= 3x the framework's own normal generator",
                  f"random.{b}.{kind}.unibridge.normal", f"random.{b}.{kind}.native.normal", 3.0)
      for b, kind in (("numpy", "eager"), ("torch", "eager"), ("tensorflow", "eager"), ("tensorflow", "jit"),
                      ("jax", "eager"))),
    # On a CUDA machine: >= 85% of pinned cudaMemcpy bandwidth means <= 1/0.85 of its time.
    RatioTarget("GPU: numpy->torch cuda, largest size, >= 85% of pinned cudaMemcpy bandwidth",
                "gpu.h2d.unibridge", "gpu.h2d.pinned-memcpy", 1 / 0.85),
    RatioTarget("GPU: torch cuda->jax gpu flat (largest size within 3x of 1 KiB)",
                f"gpu.torch->jax.{256 << 20}", f"gpu.torch->jax.{1 << 10}", 3.0),
    # The TF namespace per call against raw TF (eager), and in tf.function; and
    # unibridge.xp (follows the selection) per call against the fixed namespace, <= 1.1x.
    *(RatioTarget(text, case, ref, limit) for text, case, ref, limit in NAMESPACE_TARGETS),
    # Model code beyond gradients: unibridge.optim and unibridge.vmap (benchmarks/cases/training.py).
    *(RatioTarget(text, case, ref, limit) for text, case, ref, limit in TRAINING_TARGETS),
    # Checkpoints: unibridge.save / load against the safetensors package, and the lazy memory-mapped load.
    *(RatioTarget(text, case, ref, limit) for text, case, ref, limit in CHECKPOINT_TARGETS),
)


def _status(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "met" if value <= limit else "missed"


def _ratio_rows(report: Report) -> list[TargetRow]:
    rows = []
    for t in RATIO_TARGETS:
        case = report.get(t.case)
        ratio = case.ratio(t.ref) if case is not None else None
        if ratio is None:
            rows.append(TargetRow(t.text, None, t.limit, "n/a", _missing(report, t.case, t.ref)))
            continue
        detail = f"range {ratio.lo:.2f}-{ratio.hi:.2f} over trials"
        if t.faster and ratio.median > 0:
            detail = f"{1 / ratio.median:.1f}x faster; " + detail
        rows.append(TargetRow(t.text, ratio.median, t.limit, _status(ratio.median, t.limit), detail))
    return rows


def _missing(report: Report, *keys: str) -> str:
    group = keys[0].split(".")[0]
    reasons = [k.reason for k in report.skipped if k.group == group]
    if not any(r.group == group for r in report.results) and not reasons:
        return "group not run (see --only)"
    return f"skipped: {reasons[0]}" if reasons else "not measured"


def _size_rows(report: Report) -> list[TargetRow]:
    from .cases.scaling import COPY, PATHS, flat_ref_key, ref_key

    by_path: dict[str, dict[int, Result]] = {}
    for r in report.results:
        if r.group == "scaling" and r.path and r.size_bytes and r.kind != "flat-ref":
            by_path.setdefault(r.path, {})[r.size_bytes] = r
    rows = []
    for p in PATHS:
        if p.kind == "zero-copy":
            text = f"{p.id}: {format_size(TARGET_SIZE)} within {FLAT_LIMIT:g}x of the 1 KiB time (flat)"
            limit = FLAT_LIMIT
        elif p.kind == "copy":
            text = f"{p.id}: {format_size(TARGET_SIZE)} within {COPY_LIMIT:g}x of src.copy()"
            limit = COPY_LIMIT
        else:
            continue
        points = by_path.get(p.id)
        if not points:
            reasons = [k.reason for k in report.skipped if k.group == "scaling" and k.name == p.id]
            why = f"skipped: {reasons[0]}" if reasons else _missing(report, "scaling.")
            rows.append(TargetRow(text, None, limit, "n/a", why))
            continue
        small, large = min(points), max(points)
        top = points[large]
        where = f"at {format_size(large)}" + ("" if large >= TARGET_SIZE else " (partial run: the target is for 256 MiB)")
        shares = top.extra.get("shares")
        note = ""
        if p.kind == "zero-copy" and shares is False:
            note = "; it COPIED (shares_memory is False)"
        if p.kind == "copy" and shares:
            note = "; it shared memory"
        if p.kind == "zero-copy":
            flat = top.ratio(flat_ref_key(p.id, small, large))
            value = flat.median if flat else None
            detail = (f"{where} vs {format_size(small)} in the same trials (range {flat.lo:.2f}-{flat.hi:.2f})"
                      if flat else "only one size measured")
        else:
            vs_copy = top.ratio(ref_key(COPY, large))
            value = vs_copy.median if vs_copy else None
            gbs = top.extra.get("gb_per_s")
            detail = where + (f", {gbs:.2f} GB/s" if gbs else "")
        status = _status(value, limit) if large >= TARGET_SIZE else "n/a"  # a partial run decides nothing
        rows.append(TargetRow(text, value, limit, status, detail + note))
    return rows


def evaluate(report: Report) -> list[TargetRow]:
    """Every target with the measured ratio, its limit, and met / missed / n/a."""
    return _ratio_rows(report) + _size_rows(report)
