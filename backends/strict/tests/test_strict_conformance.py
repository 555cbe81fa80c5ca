"""The conformance kit, as a plugin author runs it in their own suite."""

from unibridge.testing import BackendConformance


class TestStrictConformance(BackendConformance):
    backend_name = "strict"
    against = ("numpy",)
