"""The kit as a pytest test class a backend author subclasses.

Example (in the plugin's own test suite)::

    from unibridge.testing import BackendConformance

    class TestFooConformance(BackendConformance):
        backend_name = "foo"

Every check becomes one test method (``test_dtype_exactness``, ...), so a
failure names the check and lists every violation it found. A check that does
not apply is reported as skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ._core import CHECKS, Context
from ._runner import make_context

__all__ = ["BackendConformance"]


class BackendConformance:
    """Subclass with ``backend_name = "..."`` to run the conformance kit under pytest.

    Class attributes: ``backend_name`` (required), ``quick`` (the fast subset,
    default False), ``against`` (other backends for the interop check; None
    means every available one).

    Example:
        >>> from unibridge.testing import BackendConformance
        >>> class TestNumpy(BackendConformance):
        ...     backend_name = "numpy"
        >>> hasattr(TestNumpy, "test_copy_semantics")
        True
    """

    backend_name: ClassVar[str] = ""
    quick: ClassVar[bool] = False
    against: ClassVar[tuple[str, ...] | None] = None
    _contexts: ClassVar[dict[tuple[Any, ...], Context]] = {}

    def _context(self) -> Context:
        import pytest

        if not self.backend_name:
            pytest.fail(f"{type(self).__name__} must set backend_name")
        key = (self.backend_name, self.quick, self.against)
        ctx = BackendConformance._contexts.get(key)
        if ctx is None:
            from ..api import get_backend

            try:
                ok, reason = get_backend(self.backend_name).available()
            except Exception as exc:  # noqa: BLE001
                ok, reason = False, f"{type(exc).__name__}: {exc}"
            if not ok:
                pytest.skip(f"backend {self.backend_name!r} is not available here: {reason}")
            ctx = make_context(self.backend_name, quick=self.quick, against=self.against)
            BackendConformance._contexts[key] = ctx
        return ctx

    def _run(self, check_name: str) -> None:
        import pytest

        from ._runner import run_check

        chk = CHECKS[check_name]
        if self.quick and not chk.quick:
            pytest.skip(f"{check_name} is not part of quick mode")
        result = run_check(self._context(), check_name)
        if result.status == "skipped":
            pytest.skip(result.detail)
        if result.status == "failed":
            pytest.fail(f"{check_name} ({chk.doc}): {result.detail}", pytrace=False)


def _method(check_name: str) -> Callable[[BackendConformance], None]:
    def test(self: BackendConformance) -> None:
        self._run(check_name)

    test.__name__ = f"test_{check_name}"
    test.__qualname__ = f"BackendConformance.test_{check_name}"
    test.__doc__ = CHECKS[check_name].doc
    return test


for _name in CHECKS:
    setattr(BackendConformance, f"test_{_name}", _method(_name))
del _name
