"""The conformance kit: prove that a backend keeps the :class:`~unibridge.Backend` contract.

Three ways to run it:

* ``python -m unibridge.testing NAME [--quick] [--against numpy,torch]``
  prints a report and exits non-zero on any failure;
* :func:`run_conformance` returns a :class:`Report` (``.ok``, ``.results``);
* a test class in the plugin's own suite::

      from unibridge.testing import BackendConformance

      class TestFooConformance(BackendConformance):
          backend_name = "foo"

The checks test semantics, not names: dtype exactness and the casting policy,
``copy=None/True/False`` verified by mutating the source, truthful
``shares_memory``, ``zeros_like`` never aliasing, device parsing and
``DeviceUnavailableError``, clear errors on unsupported input, conversion from
and to NumPy and every other installed backend, and a working namespace.

Example:
    >>> from unibridge.testing import run_conformance
    >>> report = run_conformance("numpy", quick=True)
    >>> report.ok
    True
"""

from ._core import CHECKS, CheckFailed, CheckSkipped, Context
from ._runner import CheckResult, Report, available_backends, run_conformance
from .pytest_class import BackendConformance

__all__ = [
    "run_conformance",
    "Report",
    "CheckResult",
    "BackendConformance",
    "CHECKS",
    "CheckFailed",
    "CheckSkipped",
    "Context",
    "available_backends",
]
