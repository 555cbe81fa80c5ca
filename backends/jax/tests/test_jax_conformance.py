"""The conformance kit, as a plugin author runs it in their own suite."""

from unibridge.testing import BackendConformance


class TestJaxConformance(BackendConformance):
    backend_name = "jax"
    against = ("numpy",)
