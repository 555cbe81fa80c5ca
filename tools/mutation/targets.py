"""What each mutation target mutates, the tests that may kill its mutants, and the backends they run on.

mutmut reads one ``[tool.mutmut]`` for a whole run, so each target runs in a scratch directory of its
own with its own table (``tools/mutation/run.py`` writes it). A target's tests are the fast,
in-process ones that exercise its modules: each mutant runs only the selected tests that reach the
function it changes, so a narrow selection is what keeps a target's run short. Tests that start a
Python child are deselected: mutmut cannot see which functions a child runs, so they would only
cost time.

Example:
    >>> TARGETS["compiling"].modules
    ('unibridge/compiling.py',)
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Target", "TARGETS", "GROUPS", "FRAMEWORKS"]

# Imported once in mutmut's fork server, so no forked mutant pays for importing them again.
FRAMEWORKS = ("torch", "tensorflow", "jax.numpy", "dask.array", "array_api_strict", "ml_dtypes")


class Target(NamedTuple):
    modules: tuple[str, ...]  # mutmut's only_mutate: the files whose functions are mutated
    tests: tuple[str, ...]  # test files (or node ids) that may kill them
    backends: str  # UNIBRIDGE_TEST_BACKENDS while the tests run
    deselect: tuple[str, ...] = ()  # test names (pytest -k) that start Python children
    env: tuple[tuple[str, str], ...] = ()  # more environment for the tests
    # What mutmut's fork server loads before it forks a process per mutant: "import" (the
    # frameworks only) or "collect" (also every test module, which runs unibridge code). With
    # "collect", whatever that code builds and caches (a namespace, a memo of functions) is
    # built by the unmutated code before the fork, and the mutants in it survive unseen:
    # pytest looking at ``unibridge.xp`` during collection builds numpy's namespace.
    warmup: str = "import"


_CORE_CHILDREN = (
    "test_environment_selects_backend_device_and_default_float",
    "test_environment_is_read_on_first_use_not_at_import",
    "test_bad_environment_values_raise_on_first_use",
    "test_unavailable_backend_says_what_to_install",
    "test_import_unibridge_survives_a_broken_plugin_in_a_fresh_process",
    "test_bad_environment_variable_raises_on_first_use_naming_it",
)

TARGETS: dict[str, Target] = {
    # The conversion core, on numpy and torch (the conversions between them reach every path).
    "core": Target(
        modules=(
            "unibridge/engine.py", "unibridge/casting.py", "unibridge/dtypes.py", "unibridge/config.py",
            "unibridge/devices.py", "unibridge/registry.py", "unibridge/_memory.py",
        ),
        tests=(
            "tests/test_casting.py", "tests/test_dtypes.py", "tests/test_devices.py", "tests/test_config.py",
            "tests/test_api.py", "tests/test_honest_conversions.py", "tests/test_conversion_matrix.py",
            "tests/test_engine_paths.py", "tests/test_engine_inputs.py", "tests/test_engine_routes.py",
            "tests/test_memory_ranges.py", "tests/test_registry.py", "tests/plugins/test_registry_plugins.py",
            "tests/reliability/test_catalogue.py",
        ),
        backends="numpy,torch",
        deselect=_CORE_CHILDREN,
    ),
    # Gradients: the backend-neutral rules. torch, TensorFlow and JAX each differentiate their own
    # way, and numpy must be refused; the property tests run a small budget (each mutant that
    # survives runs them all).
    "autodiff": Target(
        modules=("unibridge/autodiff/*",),
        tests=("tests/test_autodiff.py", "tests/test_gradient_rule.py", "tests/test_gradient_properties.py"),
        backends="numpy,torch,tensorflow,jax",
        env=(("UNIBRIDGE_GRADIENT_EXAMPLES", "5"),),
    ),
    # jit: which backend compiles, resolved from an alias or the selection.
    "compiling": Target(
        modules=("unibridge/compiling.py",),
        tests=("tests/test_jit.py",),
        backends="numpy,torch,tensorflow,jax",
    ),
    # The default-float namespaces and the namespace that follows the selection. The generic rule
    # serves numpy, torch and array-api-strict; TensorFlow and JAX have rules of their own.
    "namespaces": Target(
        modules=("unibridge/namespaces.py", "unibridge/following.py"),
        tests=("tests/test_namespace_defaults.py", "tests/test_xp_follows_selection.py"),
        backends="numpy,torch,strict,tensorflow,jax",
        deselect=("test_the_jax_namespace_refuses_float64_creation_when_strict_x64_is_off",),
    ),
    # Seeded generators and JAX-style keys, compared with NumPy's and JAX's own numbers. numpy and
    # torch (the host-memory path, torch's own word type), JAX (the reference, and jit) and
    # array-api-strict (the array-operations path that TensorFlow and Dask take too, at NumPy's
    # speed); TensorFlow's draws go through that same code and take 8 s a seed, so they are left out.
    "random": Target(
        modules=("unibridge/random/*",),
        tests=("tests/test_random.py", "tests/test_random_keys.py"),
        backends="numpy,torch,jax,strict",
        deselect=("test_import_unibridge_does_not_import_numpy_random",),
    ),
    # The TensorFlow Array API namespace, each test against NumPy (the reference) and TensorFlow.
    "tf-namespace": Target(
        modules=("unibridge/adapters/tensorflow/array_api/*",),
        tests=(
            "tests/array_api/test_xp_creation_manipulation.py", "tests/array_api/test_xp_dtypes.py",
            "tests/array_api/test_xp_elementwise.py", "tests/array_api/test_xp_fast_paths.py",
            "tests/array_api/test_xp_global_state.py", "tests/array_api/test_xp_integration.py",
            "tests/array_api/test_xp_linalg_fft.py", "tests/array_api/test_xp_reductions_search_sort_sets.py",
            "tests/array_api/test_xp_structure.py",
        ),
        backends="numpy,tensorflow",
        deselect=(
            "test_first_use_registers_tensorshape_as_a_sequence_and_changes_nothing_else",
            "test_importing_unibridge_does_not_import_tensorflow",
            "test_from_dlpack_copies_unaligned_buffers_instead_of_crashing",
        ),
    ),
}

# `make mutation` runs the core and the model code; `make mutation-tf-namespace` the TF namespace.
GROUPS: dict[str, tuple[str, ...]] = {
    "mutation": ("core", "autodiff", "compiling", "namespaces", "random"),
    "tf-namespace": ("tf-namespace",),
}
