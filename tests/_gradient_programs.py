"""Random small differentiable programs, and the finite-difference oracle that judges their gradients.

A :class:`Program` is written once against an Array API namespace ``xp``: the
property suite runs it with a framework's namespace under ``unibridge.grad``,
and with NumPy in float64 for the oracle (central differences, extrapolated).

What a program is:

* **arrays**: a few input arrays (float32, float64, complex64, complex128);
* **slots**: the places an array reaches the function: a leaf of a positional
  argument (a pytree of dicts, lists, tuples, namedtuples, ``None``), a keyword
  argument, or a closure. The same array may fill several slots (it is then
  the same object in every one of them): that is how aliasing is drawn;
* **nodes**: one per slot, then operations drawn from :data:`OPS` (a table of
  arity, accepted dtypes, shape rule and the bounds that keep finite
  differences accurate), then the steps that reduce every unused value to a
  real scalar; the loss is the float64 sum of those scalars.

The oracle's rule: the gradient for a slot in a differentiated position is
the derivative of the loss with respect to that slot alone; every other slot,
even one that holds the same array, keeps its value.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
from hypothesis import strategies as st

import unibridge as ub

Pair = namedtuple("Pair", "first second")

REAL = ("float32", "float64")
COMPLEX = ("complex64", "complex128")
SHAPES = ((), (2,), (3,), (2, 2), (2, 3), (3, 2))
# Every value stays within this bound, so float32 keeps 6 good digits and the differences stay smooth.
LIMIT = 40.0
# The oracle computes in float64: a cast to float32 in the program is a no-op for it.
PRECISE = {"float32": "float64", "float64": "float64", "complex64": "complex128", "complex128": "complex128"}
OTHER_PRECISION = {"float32": "float64", "float64": "float32", "complex64": "complex128", "complex128": "complex64"}
REAL_PART = {"complex64": "float32", "complex128": "float64"}


@dataclass(frozen=True)
class Node:
    """One value of a program: a slot (``op == "slot"``, ``args == (slot,)``) or an operation."""

    op: str
    args: tuple[int, ...]
    dtype: str
    shape: tuple[int, ...]
    bound: float  # |value| <= bound everywhere
    margin: float = 0.0  # |value| >= margin everywhere (0: it may be 0)
    distinct: bool = False  # no two elements share a magnitude (``max`` has one winner)
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def complex(self) -> bool:
        return self.dtype in COMPLEX


# -- the operations -----------------------------------------------------------------------------------


def _same(*nodes: Node) -> bool:
    return all(n.dtype == nodes[0].dtype and n.shape == nodes[0].shape for n in nodes)


def _stop_gradient(xp: Any, a: Any) -> Any:
    # NumPy (the oracle) has no gradients: its finite differences hold this node at its unperturbed value.
    return a if xp is np else ub.stop_gradient(a)


@dataclass(frozen=True)
class Op:
    """A row of :data:`OPS`: how to compute it, what it accepts, what it makes."""

    arity: int
    compute: Callable[..., Any]  # (xp, *values, **params) -> value
    kinds: str = "real complex"  # the dtype kinds it accepts
    accepts: Callable[..., bool] = _same  # shapes, dtypes and domain of the operands
    shape: Callable[..., tuple[int, ...]] = lambda a, *rest, **p: a.shape
    dtype: Callable[[str], str] = lambda d: d
    bound: Callable[..., float] = lambda a, *rest: a.bound
    margin: Callable[..., float] = lambda *nodes: 0.0
    keeps_distinct: bool = False
    params: Callable[..., Any] = lambda *nodes: st.just({})  # a strategy for the keyword parameters


def _indices(a: Node) -> Any:
    return st.lists(st.integers(0, a.shape[0] - 1), min_size=1, max_size=4).map(
        lambda idx: {"indices": tuple(idx)})


def _mask(a: Node, b: Node) -> Any:
    return st.lists(st.booleans(), min_size=a.size, max_size=a.size).map(
        lambda bits: {"mask": np.reshape(bits, a.shape).tolist()})


def _reshape(a: Node) -> Any:
    return st.sampled_from([(-1,), a.shape[::-1], (1, a.size)]).map(lambda shape: {"shape": shape})


OPS: dict[str, Op] = {
    # elementwise, two operands of one dtype and shape
    "add": Op(2, lambda xp, a, b: xp.add(a, b), bound=lambda a, b: a.bound + b.bound),
    "subtract": Op(2, lambda xp, a, b: xp.subtract(a, b), bound=lambda a, b: a.bound + b.bound),
    "multiply": Op(2, lambda xp, a, b: xp.multiply(a, b), bound=lambda a, b: a.bound * b.bound,
                   margin=lambda a, b: a.margin * b.margin),
    "divide": Op(2, lambda xp, a, b: xp.divide(a, b), accepts=lambda a, b: _same(a, b) and b.margin >= 0.25,
                 bound=lambda a, b: a.bound / b.margin, margin=lambda a, b: a.margin / b.bound),
    "where": Op(2, lambda xp, a, b, mask: xp.where(xp.asarray(mask), a, b),
                bound=lambda a, b: max(a.bound, b.bound), margin=lambda a, b: min(a.margin, b.margin),
                params=_mask),
    # elementwise, one operand
    "sin": Op(1, lambda xp, a: xp.sin(a), kinds="real", bound=lambda a: min(a.bound, 1.0)),
    "exp": Op(1, lambda xp, a: xp.exp(a), kinds="real", accepts=lambda a: a.bound <= 3.0,
              bound=lambda a: math.exp(a.bound), margin=lambda a: math.exp(-a.bound), keeps_distinct=True),
    "tanh": Op(1, lambda xp, a: xp.tanh(a), kinds="real", bound=lambda a: min(a.bound, 1.0),
               margin=lambda a: math.tanh(a.margin), keeps_distinct=True),
    "square": Op(1, lambda xp, a: xp.square(a), bound=lambda a: a.bound**2, margin=lambda a: a.margin**2,
                 keeps_distinct=True),
    "abs": Op(1, lambda xp, a: xp.abs(a), kinds="real", accepts=lambda a: a.margin >= 0.25,
              margin=lambda a: a.margin, keeps_distinct=True),
    "astype": Op(1, lambda xp, a, to: xp.astype(a, getattr(xp, to)), dtype=OTHER_PRECISION.__getitem__,
                 margin=lambda a: a.margin, keeps_distinct=True,
                 params=lambda a: st.just({"to": OTHER_PRECISION[a.dtype]})),
    "stop_gradient": Op(1, _stop_gradient, margin=lambda a: a.margin, keeps_distinct=True),
    # complex to real
    "real": Op(1, lambda xp, a: xp.real(a), kinds="complex", dtype=REAL_PART.__getitem__),
    "imag": Op(1, lambda xp, a: xp.imag(a), kinds="complex", dtype=REAL_PART.__getitem__),
    "abs2": Op(1, lambda xp, a: xp.real(xp.multiply(a, xp.conj(a))), kinds="complex", dtype=REAL_PART.__getitem__,
               bound=lambda a: a.bound**2, margin=lambda a: a.margin**2),
    "abs_squared": Op(1, lambda xp, a: xp.abs(a) ** 2, kinds="complex", accepts=lambda a: a.margin >= 0.25,
                      dtype=REAL_PART.__getitem__, bound=lambda a: a.bound**2, margin=lambda a: a.margin**2),
    # shapes
    "matmul": Op(2, lambda xp, a, b: xp.matmul(a, b),
                 accepts=lambda a, b: a.dtype == b.dtype and 1 <= a.ndim <= 2 and 1 <= b.ndim <= 2
                 and a.shape[-1] == b.shape[0],
                 shape=lambda a, b: a.shape[:-1] + b.shape[1:],
                 bound=lambda a, b: a.shape[-1] * a.bound * b.bound),
    "matrix_transpose": Op(1, lambda xp, a: xp.matrix_transpose(a), accepts=lambda a: a.ndim == 2,
                           shape=lambda a: a.shape[::-1], margin=lambda a: a.margin),
    "take": Op(1, lambda xp, a, indices: xp.take(a, xp.asarray(np.array(indices, np.int64)), axis=0),
               accepts=lambda a: a.ndim >= 1, shape=lambda a, indices: (len(indices), *a.shape[1:]),
               margin=lambda a: a.margin, params=_indices),
    "concat": Op(2, lambda xp, a, b: xp.concat([a, b], axis=0),
                 accepts=lambda a, b: a.dtype == b.dtype and a.ndim >= 1 and b.ndim >= 1 and a.shape[1:] == b.shape[1:],
                 shape=lambda a, b: (a.shape[0] + b.shape[0], *a.shape[1:]),
                 bound=lambda a, b: max(a.bound, b.bound), margin=lambda a, b: min(a.margin, b.margin)),
    "reshape": Op(1, lambda xp, a, shape: xp.reshape(a, shape),
                  shape=lambda a, shape: np.empty(a.shape).reshape(shape).shape,
                  margin=lambda a: a.margin, keeps_distinct=True, params=_reshape),
    # reductions to a scalar
    "sum": Op(1, lambda xp, a: xp.sum(a), shape=lambda a: (), bound=lambda a: a.size * a.bound),
    "mean": Op(1, lambda xp, a: xp.mean(a), shape=lambda a: ()),
    "max": Op(1, lambda xp, a: xp.max(a), kinds="real", accepts=lambda a: a.distinct, shape=lambda a: ()),
}

TO_REAL = ("real", "imag", "abs2", "abs_squared")
REDUCTIONS = ("sum", "mean", "max")


def _fits(op: Op, nodes: Sequence[Node]) -> bool:
    kinds = {"complex" if n.complex else "real" for n in nodes}
    if not kinds <= set(op.kinds.split()) or not op.accepts(*nodes):
        return False
    return op.bound(*nodes) <= LIMIT


def _apply(name: str, args: tuple[int, ...], nodes: Sequence[Node], params: dict[str, Any]) -> Node:
    op, operands = OPS[name], [nodes[i] for i in args]
    return Node(
        name, args, op.dtype(operands[0].dtype), tuple(op.shape(*operands, **params)), op.bound(*operands),
        op.margin(*operands), op.keeps_distinct and operands[0].distinct, tuple(sorted(params.items())),
    )


# -- the program --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One place where an array reaches the function."""

    array: int
    place: tuple[Any, ...]  # ("arg", position, key, ...) | ("kw", name) | ("closure", name)


class Leaf:
    """Where a slot sits in a positional argument's tree (a placeholder until a call fills it)."""

    __slots__ = ("slot",)

    def __init__(self, slot: int = -1) -> None:
        self.slot = slot

    def __repr__(self) -> str:
        return f"s{self.slot}"


@dataclass(frozen=True)
class Program:
    arrays: tuple[np.ndarray, ...]  # exact values (float64/complex128 holding values of ``dtypes``)
    dtypes: tuple[str, ...]
    positional: tuple[Any, ...]  # one tree of Leaf per positional argument
    slots: tuple[Slot, ...]
    nodes: tuple[Node, ...]  # nodes[i] for i < len(slots) is slot i
    losses: tuple[int, ...]  # real scalar nodes whose float64 sum is the loss
    argnums: int | tuple[int, ...]
    has_aux: bool
    aux: int = 0  # the node returned as aux

    @property
    def differentiated(self) -> tuple[int, ...]:
        """The positions ``argnums`` selects, normalised to 0..n-1."""
        picked = (self.argnums,) if isinstance(self.argnums, int) else self.argnums
        return tuple(p % len(self.positional) for p in picked)

    def slots_at(self, position: int) -> list[int]:
        return [i for i, s in enumerate(self.slots) if s.place[:2] == ("arg", position)]

    @property
    def lowest_precision(self) -> str:
        """float32 if any value of the program is float32 or complex64, else float64."""
        low = {"float32", "complex64"}
        return "float32" if low & ({n.dtype for n in self.nodes} | set(self.dtypes)) else "float64"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis prints this, not the fields

    def __repr__(self) -> str:
        """The program as the Python a user would write (what hypothesis prints for a failure)."""
        names = [f"x{i}" for i in range(len(self.arrays))]
        lines = [f"{names[i]} = {self.dtypes[i]} {self.arrays[i].tolist()!r}" for i in range(len(self.arrays))]
        filled = [_fill(t, lambda leaf: names[self.slots[leaf.slot].array]) for t in self.positional]
        kws = {s.place[1]: names[s.array] for s in self.slots if s.place[0] == "kw"}
        closure = {s.place[1]: names[s.array] for s in self.slots if s.place[0] == "closure"}
        params = [f"a{p}" for p in range(len(self.positional))] + (["*"] + list(kws) if kws else [])
        lines.append(f"closure = {closure!r}".replace("'", "") if closure else "# no closure")
        lines.append(f"def f({', '.join(params)}):")
        for i, slot in enumerate(self.slots):
            kind, *where = slot.place
            source = (f"a{where[0]}" + "".join(f"[{k!r}]" for k in where[1:]) if kind == "arg"
                      else where[0] if kind == "kw" else f"closure[{where[0]!r}]")
            lines.append(f"    n{i} = {source}")
        for i, node in enumerate(self.nodes[len(self.slots):], len(self.slots)):
            args = ", ".join([f"n{a}" for a in node.args] + [f"{k}={v!r}" for k, v in node.params])
            lines.append(f"    n{i} = {node.op}({args})  # {node.dtype}{list(node.shape)}")
        loss = " + ".join(f"astype(n{i}, float64)" for i in self.losses)
        lines.append(f"    return {loss}" + (f", {{'node': n{self.aux}}}" if self.has_aux else ""))
        call = ", ".join(repr(t).replace("'", "") for t in filled) + "".join(f", {k}={v}" for k, v in kws.items())
        lines.append(f"ub.grad(f, argnums={self.argnums!r}, has_aux={self.has_aux})({call})")
        return "\n".join(["", *lines, ""])


def _fill(tree: Any, leaf: Callable[[Leaf], Any]) -> Any:
    """``tree`` with every Leaf replaced by ``leaf(it)`` (our own walk: the oracle shares no tree code)."""
    if isinstance(tree, Leaf):
        return leaf(tree)
    if tree is None:
        return None
    if isinstance(tree, dict):
        return {k: _fill(v, leaf) for k, v in tree.items()}
    if isinstance(tree, Pair):
        return Pair(*(_fill(v, leaf) for v in tree))
    return type(tree)(_fill(v, leaf) for v in tree)


def _leaves(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Leaf, tuple[Any, ...]]]:
    """Every Leaf of ``tree`` with its path of keys, in insertion order."""
    if isinstance(tree, Leaf):
        return [(tree, path)]
    if tree is None:
        return []
    items = tree.items() if isinstance(tree, dict) else enumerate(tree)
    return [found for k, v in items for found in _leaves(v, (*path, k))]


def evaluate(program: Program, xp: Any, values: Sequence[Any], *, oracle: bool = False,
             frozen: dict[int, Any] | None = None) -> tuple[Any, list[Any]]:
    """The loss and every node's value, given one value per slot.

    With ``oracle`` (NumPy), casts keep float64/complex128, and ``frozen`` (node -> value) holds
    ``stop_gradient`` nodes at their unperturbed values.
    """
    out: list[Any] = list(values)
    for i, node in enumerate(program.nodes[len(values):], len(values)):
        params = dict(node.params)
        if oracle and node.op == "astype":
            params["to"] = PRECISE[params["to"]]
        if frozen is not None and i in frozen:
            out.append(frozen[i])
            continue
        out.append(OPS[node.op].compute(xp, *(out[a] for a in node.args), **params))
    loss = None
    for i in program.losses:
        term = xp.astype(out[i], xp.float64)
        loss = term if loss is None else xp.add(loss, term)
    return loss, out


def read(slot: Slot, args: Sequence[Any], kwargs: dict[str, Any], closure: dict[str, Any]) -> Any:
    kind, *where = slot.place
    if kind == "kw":
        return kwargs[where[0]]
    if kind == "closure":
        return closure[where[0]]
    value = args[where[0]]
    for key in where[1:]:
        value = value[key]
    return value


def function(program: Program, xp: Any, closure: dict[str, Any]) -> Callable[..., Any]:
    """The program as a Python function of its positional and keyword arguments."""

    def f(*args: Any, **kwargs: Any) -> Any:
        loss, values = evaluate(program, xp, [read(s, args, kwargs, closure) for s in program.slots])
        return (loss, {"node": values[program.aux]}) if program.has_aux else loss

    return f


def call(program: Program, make: Callable[[int], Any]) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """Positional arguments, keyword arguments and closure, holding ``make(array)``; one object per array."""
    objects = [make(i) for i in range(len(program.arrays))]
    args = [_fill(t, lambda leaf: objects[program.slots[leaf.slot].array]) for t in program.positional]
    kwargs = {s.place[1]: objects[s.array] for s in program.slots if s.place[0] == "kw"}
    closure = {s.place[1]: objects[s.array] for s in program.slots if s.place[0] == "closure"}
    return args, kwargs, closure


# -- the oracle ---------------------------------------------------------------------------------------


def oracle_loss(program: Program) -> tuple[float, list[Any]]:
    """The loss and node values in float64 with NumPy."""
    values = [program.arrays[s.array].copy() for s in program.slots]
    loss, nodes = evaluate(program, np, values, oracle=True)
    return float(loss), nodes


def finite_differences(program: Program, step: float = 1e-4) -> dict[int, np.ndarray]:
    """d loss / d slot for every slot in a differentiated position, PyTorch's convention for complex.

    Central differences at ``step`` and ``step / 2``, combined by Richardson extrapolation (error
    O(step**4)), in float64. Only the slot itself moves: its aliases elsewhere keep their values.
    """
    base = [program.arrays[s.array].copy() for s in program.slots]
    _, nodes = evaluate(program, np, base, oracle=True)
    frozen = {i: nodes[i] for i, n in enumerate(program.nodes) if n.op == "stop_gradient"}

    def loss(slot: int, index: tuple[int, ...], delta: complex) -> float:
        values = list(base)
        values[slot] = base[slot].copy()
        values[slot][index] += delta
        return float(evaluate(program, np, values, oracle=True, frozen=frozen)[0])

    def derivative(slot: int, index: tuple[int, ...], direction: complex) -> float:
        d = [(loss(slot, index, h * direction) - loss(slot, index, -h * direction)) / (2 * h) for h in (step, step / 2)]
        return (4 * d[1] - d[0]) / 3

    grads = {}
    for position in program.differentiated:
        for slot in program.slots_at(position):
            x = base[slot]
            g = np.zeros_like(x)
            for index in np.ndindex(x.shape):
                g[index] = derivative(slot, index, 1.0)
                if np.iscomplexobj(x):
                    g[index] += 1j * derivative(slot, index, 1j)
            grads[slot] = g
    return grads


@dataclass(frozen=True)
class Expected:
    """One leaf of an expected gradient: its values (float64 or complex128) and the dtype it must have."""

    values: np.ndarray
    dtype: str


def expected_gradients(program: Program) -> Any:
    """The gradient ``ub.grad`` must return, in the structure of the differentiated arguments."""
    fd = finite_differences(program)

    def leaf(found: Leaf) -> Expected:
        return Expected(fd[found.slot], program.dtypes[program.slots[found.slot].array])

    per_position = [_fill(program.positional[p], leaf) for p in program.differentiated]
    return per_position[0] if isinstance(program.argnums, int) else tuple(per_position)


# -- the strategies -----------------------------------------------------------------------------------

_LEAF = st.builds(Leaf)
trees = st.recursive(
    st.one_of(_LEAF, _LEAF, _LEAF, st.none()),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3),
        st.lists(children, min_size=1, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from(["w", "b", "scale", "z"]), children, min_size=1, max_size=3),
        st.builds(Pair, children, children),
    ),
    max_leaves=4,
).filter(lambda t: len(_leaves(t)) > 0)


@st.composite
def array_values(draw: Any, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Values exact in ``dtype``, at least 0.5 from zero, no two real parts of one magnitude."""
    size = math.prod(shape)
    magnitudes = 0.5 + np.array(draw(st.permutations(range(13)))[:size]) / 8
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=size, max_size=size)))
    real = (signs * magnitudes).reshape(shape)
    if dtype in REAL:
        return np.array(real, np.float64)
    imag = np.array(draw(st.lists(st.integers(-16, 16), min_size=size, max_size=size))).reshape(shape) / 8
    return np.array(real + 1j * imag, np.complex128)


@st.composite
def programs(draw: Any, *, alias_differentiated: bool) -> Program:
    """A random program and call.

    With ``alias_differentiated``, at least one array of a differentiated position also reaches the
    function as a constant (another position, a keyword, a closure), and that constant is used;
    without, the arrays of differentiated positions reach it only there (possibly several times).
    """
    n_positions = draw(st.integers(1, 3))
    picked = draw(st.lists(st.integers(0, n_positions - 1), min_size=1, max_size=n_positions, unique=True))
    negative = draw(st.lists(st.booleans(), min_size=len(picked), max_size=len(picked)))
    picked = [p - n_positions if neg else p for p, neg in zip(picked, negative)]
    argnums: int | tuple[int, ...] = picked[0] if len(picked) == 1 and draw(st.booleans()) else tuple(picked)
    differentiated = {p % n_positions for p in picked}

    positional = tuple(draw(trees) for _ in range(n_positions))
    n_kw, n_closure = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    if alias_differentiated and n_kw + n_closure == 0 and len(differentiated) == n_positions:
        n_closure = 1  # somewhere for the alias to be a constant
    places = [("arg", p, *path) for p, t in enumerate(positional) for _, path in _leaves(t)]
    places += [("kw", f"k{i}") for i in range(n_kw)] + [("closure", f"c{i}") for i in range(n_closure)]
    is_diff = [pl[0] == "arg" and pl[1] in differentiated for pl in places]

    # Arrays 0..n_diff-1 fill differentiated slots; the rest fill constant slots (and, when aliasing,
    # constants may also take the differentiated arrays).
    n_diff = draw(st.integers(1, 3))
    n_const = draw(st.integers(1, 2))
    constant_pool = range(n_diff + n_const) if alias_differentiated else range(n_diff, n_diff + n_const)
    choices = [draw(st.sampled_from(range(n_diff) if diff else constant_pool)) for diff in is_diff]
    constants = [i for i, d in enumerate(is_diff) if not d]
    forced = None
    if alias_differentiated:
        diff_arrays = sorted({c for c, d in zip(choices, is_diff) if d})
        forced = draw(st.sampled_from(constants))
        choices[forced] = draw(st.sampled_from(diff_arrays))
    for slot, (leaf, _) in enumerate(lp for t in positional for lp in _leaves(t)):
        leaf.slot = slot  # positional leaves come first in ``places``, in the same order

    menu_dtypes = draw(st.lists(st.sampled_from(REAL + COMPLEX), min_size=1, max_size=2, unique=True))
    menu_shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=2, unique=True))
    n_arrays = n_diff + n_const
    dtypes = tuple(draw(st.sampled_from(menu_dtypes)) for _ in range(n_arrays))
    shapes = [draw(st.sampled_from(menu_shapes)) for _ in range(n_arrays)]
    arrays = tuple(draw(array_values(d, s)) for d, s in zip(dtypes, shapes))

    slots = tuple(Slot(a, pl) for a, pl in zip(choices, places))
    nodes = [Node("slot", (i,), dtypes[s.array], shapes[s.array], float(np.max(np.abs(arrays[s.array]), initial=0)),
                  0.5, dtypes[s.array] in REAL) for i, s in enumerate(slots)]
    # Most slots are used; an unused one must get a zero gradient. The forced alias is always used.
    used = [i for i in range(len(slots)) if i == forced or draw(st.integers(0, 9)) > 0] or [0]

    pool = list(used)
    for _ in range(draw(st.integers(0, 6))):
        options = [(name, combo) for name, op in OPS.items() if name not in REDUCTIONS
                   for combo in product(pool, repeat=op.arity) if _fits(op, [nodes[i] for i in combo])]
        if not options:
            break
        name, combo = draw(st.sampled_from(options))
        params = draw(OPS[name].params(*(nodes[i] for i in combo)))
        nodes.append(_apply(name, combo, nodes, params))
        pool.append(len(nodes) - 1)

    consumed = {a for n in nodes[len(slots):] for a in n.args}
    losses = []
    for sink in [i for i in pool if i not in consumed]:
        for stage in (TO_REAL, REDUCTIONS):
            if stage is TO_REAL and not nodes[sink].complex:
                continue
            fitting = [name for name in stage if _fits(OPS[name], [nodes[sink]])]
            nodes.append(_apply(draw(st.sampled_from(fitting)), (sink,), nodes, {}))
            sink = len(nodes) - 1
        losses.append(sink)
    has_aux = draw(st.booleans())
    aux = draw(st.sampled_from(range(len(nodes)))) if has_aux else 0
    return Program(arrays, dtypes, positional, slots, tuple(nodes), tuple(losses), argnums, has_aux, aux)


@dataclass(frozen=True)
class Call:
    """How a test calls the program: which API, compiled or not, and which arrays are the special kind
    (a ``torch`` tensor that requires grad, a ``tf.Variable``)."""

    api: str  # "grad" or "value_and_grad"
    jit: bool
    special: tuple[bool, ...] = field(default=())


# One call in five compiled, one array in four of the special kind; both shrink towards plain eager calls.
calls = st.builds(Call, st.sampled_from(["grad", "value_and_grad"]), st.integers(0, 4).map(lambda n: n == 4),
                  st.lists(st.integers(0, 3).map(lambda n: n == 3), min_size=5, max_size=5).map(tuple))

__all__ = ["Program", "Call", "Expected", "programs", "calls", "evaluate", "function", "call",
           "expected_gradients", "oracle_loss", "read", "Pair"]
