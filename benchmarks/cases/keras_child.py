"""Child process for the Keras 3 comparison: ``KERAS_BACKEND`` must be set
before ``import keras``, so each Keras backend is timed in its own process,
together with the native call and unibridge's ``asarray`` (same trials).

Usage (the parent, :mod:`.peers`, sets ``KERAS_BACKEND``)::

    python -m benchmarks.cases.keras_child torch 0.02 7
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from functools import partial


def main(argv: list[str]) -> int:
    backend, loop_s, trials = argv[0], float(argv[1]), int(argv[2])
    os.environ["KERAS_BACKEND"] = backend
    import keras

    import unibridge as ub

    from ..frameworks import aligned_array, backend_ready, framework
    from ..harness import Case, Timing, compare
    from ..model import Skip
    from ._child import MARK
    from ._common import add_case

    group, prefix = "peers", f"peers.keras-{backend}"
    x = aligned_array(8, offset=16, align=64)  # a typical NumPy allocation: 16 mod 64
    cases: list[Case] = []
    skips: list[Skip] = []
    keras_key, native_key = f"{prefix}.keras", f"{prefix}.native"
    add_case(cases, skips, group, Case(f"{prefix}.baseline", f"keras[{backend}]: [baseline] id(x)",
                                       partial(id, x), kind="baseline"))
    add_case(cases, skips, group, Case(keras_key, f"keras[{backend}]: keras.ops.convert_to_tensor(x)",
                                       partial(keras.ops.convert_to_tensor, x), kind="reference"), x)
    mod = framework(backend)[0]
    if backend == "torch":
        native = ("torch.from_numpy(x)", partial(mod.from_numpy, x))
    else:
        native = ("tf.convert_to_tensor(x)", partial(mod.convert_to_tensor, x))
    add_case(cases, skips, group, Case(native_key, f"keras[{backend}]: [native] {native[0]}", native[1],
                                       refs=(keras_key,), kind="native"), x)
    ok, why = backend_ready(backend)
    if ok:
        add_case(cases, skips, group, Case(f"{prefix}.unibridge", f"keras[{backend}]: ub.asarray(x, backend={backend!r})",
                                           partial(ub.asarray, x, backend=backend), refs=(keras_key, native_key),
                                           kind="unibridge"), x)
        # Keras reads its backend from configuration; unibridge's equivalent is the active backend.
        add_case(cases, skips, group, Case(f"{prefix}.unibridge-active", f"keras[{backend}]: ub.asarray(x) in use({backend!r})",
                                           partial(ub.asarray, x), refs=(keras_key, native_key), kind="unibridge",
                                           context=partial(ub.use, backend)), x)
    else:
        skips.append(Skip(group, f"keras[{backend}]: ub.asarray", why))
    results = compare(group, cases, Timing(loop_s, trials))
    out = {"results": [asdict(r) for r in results], "skipped": [asdict(k) for k in skips],
           "keras": keras.__version__, "keras_backend": keras.backend.backend()}
    print(MARK + json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
