"""The core's layers, lowest first: a module imports only from layers below its own
(tests/test_structure.py), and a call that climbs from a lower layer into a higher one
is what tests/test_walk_budget.py counts."""

from __future__ import annotations

LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"unibridge.errors", "unibridge._memory", "unibridge._dlpack", "unibridge._version", "unibridge._forksafe"},
        {"unibridge.devices", "unibridge.dtypes", "unibridge.tree"},
        {"unibridge.protocol", "unibridge.casting", "unibridge._batching"},
        {"unibridge.namespaces"},
        {"unibridge.backend_kit", "unibridge.registry"},
        {"unibridge.config"},
        {"unibridge.engine"},
        {"unibridge.api", "unibridge.following"},
        {"unibridge.autodiff", "unibridge.random", "unibridge._namespace_of"},
        {"unibridge.compiling"},
        {"unibridge.nn", "unibridge.optim", "unibridge.transforms"},
        {"unibridge.checkpoint._io"},
    )
)

# Module -> its layer's index.
LEVEL: dict[str, int] = {module: i for i, group in enumerate(LAYERS) for module in group}
