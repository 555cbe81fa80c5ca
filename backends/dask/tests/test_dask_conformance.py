"""The conformance kit, as a plugin author runs it in their own suite."""

from unibridge.testing import BackendConformance


class TestDaskConformance(BackendConformance):
    backend_name = "dask"
    against = ("numpy",)
