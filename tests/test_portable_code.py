"""README.md, "Writing portable code": every claim of its hazards table, measured on the real backends.

``HAZARDS`` holds, for each row of the README table, the code as the README's
first column spells it, the code that runs it, and what each backend does: a
value (with its dtype) or an exception type, plus the words the README cell
must contain. Three tests hold the README to it:

* ``test_hazard`` runs each row on each backend and checks the outcome
  (skipped, with the reason, where a backend is not installed);
* ``test_portable_form`` runs the row's portable form on every backend and
  checks that it gives the same answer everywhere, strict included;
* ``test_readme_cell_says_what_the_backend_does`` checks that the README cell
  says what ``HAZARDS`` says (so the README and this file cannot drift apart).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import numpy as np
import pytest

import unibridge as ub

from _backends import require

README = Path(__file__).resolve().parents[1] / "README.md"
BACKENDS = ("numpy", "torch", "tensorflow", "jax", "dask", "strict")

# What a row's code gets to work with: the backend's namespace, and arrays made on it.
Make = Callable[..., Any]
Run = Callable[[Any, Make], Any]


@dataclass(frozen=True)
class Gives:
    """The code returns ``value`` (nested lists) of ``dtype``; the README cell contains ``says``."""

    value: Any
    dtype: str | None
    says: str


@dataclass(frozen=True)
class Raises:
    """The code raises an exception whose class is named ``name`` (the README cell names it too)."""

    name: str
    match: str = ""

    @property
    def says(self) -> str:
        return f"`{self.name}`"


Outcome = Union[Gives, Raises]


@dataclass(frozen=True)
class Hazard:
    code: str  # the README table's first column, without backticks
    run: Run
    portable: str  # the README's portable form, without backticks
    run_portable: Run
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def _x(xp: Any, A: Make) -> Any:
    """A 3x4 float64 array, 0..11."""
    return A(np.arange(12.0).reshape(3, 4))


def _i(xp: Any, A: Make) -> Any:
    """An int64 array [1, 2]."""
    return A(np.array([1, 2], dtype=np.int64))


def _sgd_in_place(xp: Any, A: Make) -> Any:
    params, grads = [A(np.array([1.0, 2.0]))], [A(np.array([1.0, 1.0]))]
    for p, g in zip(params, grads):
        p -= 0.5 * g
    return params[0]


def _sgd_rebind(xp: Any, A: Make) -> Any:
    params, grads = [A(np.array([1.0, 2.0]))], [A(np.array([1.0, 1.0]))]
    params = [p - 0.5 * g for p, g in zip(params, grads)]
    return params[0]


def _assign(xp: Any, A: Make) -> Any:
    y = A(np.array([1.0, 2.0]))
    y[0] = 5.0
    return y


def _assign_portable(xp: Any, A: Make) -> Any:
    y = A(np.array([1.0, 2.0]))
    return xp.where(xp.arange(y.shape[0]) == 0, xp.asarray(5.0, dtype=y.dtype), y)


ROWS_20 = [[8.0, 9.0, 10.0, 11.0], [0.0, 1.0, 2.0, 3.0]]
FLIPPED = [[7.0, 6.0, 5.0, 4.0], [11.0, 10.0, 9.0, 8.0]]
TRANSPOSED = np.arange(12.0).reshape(3, 4).T.tolist()
UPDATED, UNCHANGED = [0.5, 1.5], [1.0, 2.0]
TWO_ROWS = Gives(ROWS_20, "float64", "rows 2 and 0")
NOT_CAUGHT = "not caught"


def _same_everywhere(outcome: Outcome, **others: Outcome) -> dict[str, Outcome]:
    return {name: others.get(name, outcome) for name in BACKENDS}


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "for p, g in zip(params, grads): p -= lr * g",
        _sgd_in_place,
        "params = [p - lr * g for p, g in zip(params, grads)]",
        _sgd_rebind,
        _same_everywhere(
            Gives(UPDATED, "float64", "updates `params`"),
            tensorflow=Gives(UNCHANGED, "float64", "`params` unchanged"),
            jax=Gives(UNCHANGED, "float64", "`params` unchanged"),
            dask=Gives(UNCHANGED, "float64", "`params` unchanged"),
            strict=Gives(UPDATED, "float64", NOT_CAUGHT),
        ),
    ),
    Hazard(
        "x[[2, 0]]",
        lambda xp, A: _x(xp, A)[[2, 0]],
        "xp.take(x, xp.asarray([2, 0]), axis=0)",
        lambda xp, A: xp.take(_x(xp, A), xp.asarray([2, 0]), axis=0),
        _same_everywhere(
            TWO_ROWS,
            tensorflow=Gives(8.0, "float64", "`x[2, 0]`"),
            jax=Raises("TypeError", "non-tuple sequence"),
            strict=Raises("IndexError", "only integers, slices"),
        ),
    ),
    Hazard(
        "x[idx, :]",
        lambda xp, A: _x(xp, A)[A(np.array([2, 0])), :],
        "xp.take(x, idx, axis=0)",
        lambda xp, A: xp.take(_x(xp, A), A(np.array([2, 0])), axis=0),
        _same_everywhere(
            TWO_ROWS,
            tensorflow=Raises("TypeError", "valid indices"),
            strict=Raises("IndexError", "Integer index arrays are only allowed with integer indices"),
        ),
    ),
    Hazard(
        "x[1:3, ::-1]",
        lambda xp, A: _x(xp, A)[1:3, ::-1],
        "xp.flip(x[1:3, :], axis=1)",
        lambda xp, A: xp.flip(_x(xp, A)[1:3, :], axis=1),
        _same_everywhere(
            Gives(FLIPPED, "float64", "reversed"),
            torch=Raises("ValueError", "step must be greater than zero"),
            strict=Gives(FLIPPED, "float64", NOT_CAUGHT),
        ),
    ),
    Hazard(
        "i + 0.5",
        lambda xp, A: _i(xp, A) + 0.5,
        "xp.astype(i, xp.float64) + 0.5",
        lambda xp, A: xp.astype(_i(xp, A), xp.float64) + 0.5,
        _same_everywhere(
            Gives([1.5, 2.5], "float64", "float64"),
            torch=Gives([1.5, 2.5], "float32", "float32"),
            tensorflow=Raises("InvalidArgumentError", "expected to be a int64 tensor"),
            strict=Raises("TypeError", "Python float scalars can only be promoted with floating-point arrays"),
        ),
    ),
    Hazard(
        "i + f",
        lambda xp, A: _i(xp, A) + A(np.array([0.5, 0.5])),
        "xp.astype(i, f.dtype) + f",
        lambda xp, A: xp.astype(_i(xp, A), xp.float64) + A(np.array([0.5, 0.5])),
        _same_everywhere(
            Gives([1.5, 2.5], "float64", "float64"),
            tensorflow=Raises("InvalidArgumentError", "expected to be a int64 tensor"),
            strict=Raises("TypeError", "cannot be type promoted together"),
        ),
    ),
    Hazard(
        "x.T",
        lambda xp, A: _x(xp, A).T,
        "xp.matrix_transpose(x)",
        lambda xp, A: xp.matrix_transpose(_x(xp, A)),
        _same_everywhere(
            Gives(TRANSPOSED, "float64", "transposes"),
            tensorflow=Raises("AttributeError", "experimental_enable_numpy_behavior"),
            strict=Gives(TRANSPOSED, "float64", "2-D only"),
        ),
    ),
    Hazard(
        "x.astype(xp.float32)",
        lambda xp, A: _x(xp, A).astype(xp.float32),
        "xp.astype(x, xp.float32)",
        lambda xp, A: xp.astype(_x(xp, A), xp.float32),
        _same_everywhere(
            Gives(np.arange(12.0).reshape(3, 4).tolist(), "float32", "float32"),
            torch=Raises("AttributeError", "astype"),
            tensorflow=Raises("AttributeError", "astype"),
            strict=Raises("AttributeError", "astype"),
        ),
    ),
    Hazard(
        "x.sum()",
        lambda xp, A: _x(xp, A).sum(),
        "xp.sum(x)",
        lambda xp, A: xp.sum(_x(xp, A)),
        _same_everywhere(
            Gives(66.0, "float64", "66.0"),
            tensorflow=Raises("AttributeError", "sum"),
            strict=Raises("AttributeError", "sum"),
        ),
    ),
    Hazard(
        "xp.mean(i)",
        lambda xp, A: xp.mean(_i(xp, A)),
        "xp.mean(xp.astype(i, xp.float64))",
        lambda xp, A: xp.mean(xp.astype(_i(xp, A), xp.float64)),
        _same_everywhere(
            Gives(1.5, "float64", "float64"),
            torch=Raises("RuntimeError", "could not infer output dtype"),
            strict=Raises("TypeError", "Only floating-point dtypes are allowed in mean"),
        ),
    ),
    Hazard(
        "xp.sqrt(i)",
        lambda xp, A: xp.sqrt(_i(xp, A)),
        "xp.sqrt(xp.astype(i, xp.float64))",
        lambda xp, A: xp.sqrt(xp.astype(_i(xp, A), xp.float64)),
        _same_everywhere(
            Gives([1.0, float(np.sqrt(2.0))], "float64", "float64"),
            torch=Gives([1.0, float(np.sqrt(np.float32(2.0)))], "float32", "float32"),
            strict=Raises("TypeError", "Only floating-point dtypes are allowed in sqrt"),
        ),
    ),
    Hazard(
        "y[0] = 5.0",
        _assign,
        "y = xp.where(xp.arange(y.shape[0]) == 0, xp.asarray(5.0, dtype=y.dtype), y)",
        _assign_portable,
        _same_everywhere(
            Gives([5.0, 2.0], "float64", "writes"),
            tensorflow=Raises("TypeError", "does not support item assignment"),
            jax=Raises("TypeError", "immutable"),
            strict=Gives([5.0, 2.0], "float64", NOT_CAUGHT),
        ),
    ),
    Hazard(
        "x[0]",
        lambda xp, A: _x(xp, A)[0],
        "x[0, :]",
        lambda xp, A: _x(xp, A)[0, :],
        _same_everywhere(
            Gives([0.0, 1.0, 2.0, 3.0], "float64", "row 0"),
            strict=Raises("IndexError", "add a trailing ellipsis"),
        ),
    ),
    Hazard(
        "len(x)",
        lambda xp, A: len(_x(xp, A)),
        "x.shape[0]",
        lambda xp, A: _x(xp, A).shape[0],
        _same_everywhere(
            Gives(3, None, "3"),
            strict=Raises("TypeError", "has no len()"),
        ),
    ),
)


def _maker(backend: str) -> Make:
    def make(values: np.ndarray) -> Any:
        return ub.asarray(values, backend=backend, copy=True)

    return make


def _plain(out: Any) -> tuple[Any, str | None]:
    """A returned value as plain Python data, and its unibridge dtype (None for Python ints)."""
    if isinstance(out, int):
        return out, None
    return ub.to_numpy(out).tolist(), str(ub.dtype_of(out))


CASES = [pytest.param(h, b, id=f"{h.code}-{b}") for h in HAZARDS for b in BACKENDS]


@pytest.mark.parametrize(("hazard", "backend"), CASES)
def test_hazard(hazard: Hazard, backend: str) -> None:
    require(backend)
    xp = ub.namespace(backend)
    want = hazard.outcomes[backend]
    if isinstance(want, Raises):
        with pytest.raises(Exception) as caught:
            hazard.run(xp, _maker(backend))
        assert type(caught.value).__name__ == want.name, f"{hazard.code} on {backend}: {caught.value!r}"
        assert want.match in str(caught.value)
        return
    value, dtype = _plain(hazard.run(xp, _maker(backend)))
    assert (value, dtype) == (want.value, want.dtype), f"{hazard.code} on {backend}"


@pytest.mark.parametrize(("hazard", "backend"), CASES)
def test_portable_form(hazard: Hazard, backend: str) -> None:
    require(backend)
    numpy_outcome = hazard.outcomes["numpy"]
    assert isinstance(numpy_outcome, Gives)
    value, dtype = _plain(hazard.run_portable(ub.namespace(backend), _maker(backend)))
    assert dtype == numpy_outcome.dtype, f"{hazard.portable} on {backend}"
    np.testing.assert_allclose(np.asarray(value, dtype=float), np.asarray(numpy_outcome.value, dtype=float), rtol=1e-15)


def _readme_table() -> dict[str, dict[str, str]]:
    """The hazards table of README.md's "Writing portable code": code -> {column: cell}."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Writing portable code", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows[cells[0].strip("`").replace("\\|", "|")] = dict(zip(header, cells))
    return rows


@pytest.mark.parametrize(("hazard", "backend"), CASES)
def test_readme_cell_says_what_the_backend_does(hazard: Hazard, backend: str) -> None:
    table = _readme_table()
    assert hazard.code in table, f"README's portable-code table has no row for {hazard.code!r}"
    row = table[hazard.code]
    cell = row[backend]
    want = hazard.outcomes[backend]
    assert want.says in cell, f"README row {hazard.code!r}, column {backend!r}: {cell!r} should say {want.says!r}"
    if isinstance(want, Gives):
        assert "Error" not in cell, f"README row {hazard.code!r}, column {backend!r} names an error: {cell!r}"
    assert row["portable form"] == f"`{hazard.portable}`"


def test_readme_table_has_exactly_these_rows() -> None:
    assert list(_readme_table()) == [h.code for h in HAZARDS]


_NUMPY_BEHAVIOUR = """
import tensorflow as tf
before = tf.constant([[1, 2], [3, 4]], dtype=tf.int64)  # made before the switch
tf.experimental.numpy.experimental_enable_numpy_behavior()
print(before.T.shape, (before + 0.5).dtype.name)
"""


def test_tensorflows_suggested_switch_changes_every_tensor_in_the_process() -> None:
    """README: TF's hint for x.T is a process-wide switch; unibridge never calls it."""
    import subprocess
    import sys

    require("tensorflow")
    done = subprocess.run([sys.executable, "-c", _NUMPY_BEHAVIOUR], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["(2,", "2)", "float64"]  # a tensor made earlier changed behaviour
    package = Path(ub.__file__).resolve().parent
    calls = [p for p in package.rglob("*.py") if "enable_numpy_behavior(" in p.read_text(encoding="utf-8")]
    assert not calls, f"unibridge calls experimental_enable_numpy_behavior: {calls}"
