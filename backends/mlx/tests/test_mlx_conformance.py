"""The conformance kit, as a plugin author runs it in their own suite."""

from unibridge.testing import BackendConformance


class TestMlxConformance(BackendConformance):
    backend_name = "mlx"
    against = ("numpy",)
