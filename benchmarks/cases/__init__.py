"""The benchmark groups, by name; each ``run(settings)`` returns ``(results, skips)``.

Groups run in this order; ``--only`` picks a subset.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Result, Skip
from ..settings import Settings
from . import (
    checkpoint, gpu, imports, introspection, model, namespace, overhead, peers, random_keys, scaling, training,
    training_memory,
)

__all__ = ["GROUPS"]

GROUPS: dict[str, Callable[[Settings], tuple[list[Result], list[Skip]]]] = {
    "overhead": overhead.run,
    "introspection": introspection.run,
    "namespace": namespace.run,
    "scaling": scaling.run,
    "imports": imports.run,
    "peers": peers.run,
    "model": model.run,
    "training": training.run,
    "training_memory": training_memory.run,
    "random": random_keys.run,
    "gpu": gpu.run,
    "checkpoint": checkpoint.run,
}
