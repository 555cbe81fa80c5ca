"""``unibridge.tree``: JAX's pytree functions, checked against ``jax.tree_util`` itself.

The oracle is JAX's own implementation (skipped where JAX is missing), on dicts
written in sorted key order; the one deliberate difference (a dict's leaves come
in its own key order, where JAX sorts them) is tested on its own.
"""

from __future__ import annotations

import importlib.util
from collections import OrderedDict, defaultdict, namedtuple
from typing import Any

import pytest

import unibridge as ub
from unibridge.errors import ConfigurationError

Point = namedtuple("Point", ["x", "y"])


class MyDict(dict):  # type: ignore[type-arg]
    """A dict subclass: a leaf for JAX, so a leaf here too."""


TREES: dict[str, Any] = {
    "leaf": 1,
    "none": None,
    "list with none": [1, None, 2],
    "dict": {"a": 2, "b": 1, "c": [3, 4]},
    "ordered dict": OrderedDict([("b", 1), ("a", 2)]),
    "defaultdict": defaultdict(list, {"y": (2, 3), "z": 1}),
    "namedtuple": Point(1, {"p": 3, "q": 2}),
    "nested": {"extra": OrderedDict(z=5), "layers": [{"W": 1, "b": 2}, {"W": 3, "b": None}], "scale": (4,)},
    "empty containers": {"a": [], "b": (), "c": {}},
    "dict subclass is a leaf": [MyDict(a=1)],
}


def jax_tree_util() -> Any:
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed: the oracle is jax.tree_util")
    import jax

    return jax.tree_util


@pytest.mark.parametrize("name", list(TREES))
def test_leaves_come_in_jax_order(name: str) -> None:
    tu = jax_tree_util()
    assert ub.tree.leaves(TREES[name]) == tu.tree_leaves(TREES[name])


@pytest.mark.parametrize("name", list(TREES))
def test_map_applies_the_function_where_jax_does(name: str) -> None:
    tu = jax_tree_util()
    ours = ub.tree.map(lambda v: ("seen", v), TREES[name])
    theirs = tu.tree_map(lambda v: ("seen", v), TREES[name])
    assert ours == theirs and type(ours) is type(theirs)
    assert ub.tree.leaves(ours) == tu.tree_leaves(theirs)  # the ("seen", v) tuples are nodes too


@pytest.mark.parametrize("name", list(TREES))
def test_unflatten_rebuilds_what_jax_rebuilds(name: str) -> None:
    tu = jax_tree_util()
    leaves, s = ub.tree.flatten(TREES[name])
    new = [f"leaf{i}" for i in range(len(leaves))]
    ours = ub.tree.unflatten(s, new)
    theirs = tu.tree_unflatten(tu.tree_structure(TREES[name]), new)
    assert ours == theirs and type(ours) is type(theirs)
    assert s.num_leaves == tu.tree_structure(TREES[name]).num_leaves


def test_structures_are_equal_exactly_when_jax_says_so() -> None:
    tu = jax_tree_util()
    pairs = [
        ({"a": 1, "b": 2}, {"b": 3, "a": 4}),  # dict key order does not matter
        (OrderedDict(a=1, b=2), OrderedDict(b=1, a=2)),  # OrderedDict order does
        ([1, 2], (1, 2)),
        ([1, None], [1, 2]),
        (Point(1, 2), (1, 2)),
        ({"a": [1]}, {"a": [1, 2]}),
        (defaultdict(int, a=1), {"a": 1}),
    ]
    for a, b in pairs:
        assert (ub.tree.structure(a) == ub.tree.structure(b)) == (tu.tree_structure(a) == tu.tree_structure(b)), (a, b)


def test_a_dicts_leaves_come_in_its_own_key_order_where_jax_sorts_them() -> None:
    tu = jax_tree_util()
    params = {"W1": 1, "b1": 2, "W2": 3}
    assert ub.tree.leaves(params) == [1, 2, 3] and tu.tree_leaves(params) == [1, 3, 2]
    assert list(ub.tree.map(lambda v: v, params)) == ["W1", "b1", "W2"]
    assert ub.tree.leaves(defaultdict(int, b=1, a=2)) == [1, 2]


def test_a_rebuilt_defaultdict_keeps_its_factory() -> None:
    out = ub.tree.map(lambda v: v + 1, defaultdict(list, {"a": 1}))
    assert isinstance(out, defaultdict) and out.default_factory is list and out["missing"] == []


def test_map_over_several_trees_matches_jax() -> None:
    tu = jax_tree_util()
    a = {"w": [1, 2], "b": (3, None), "o": OrderedDict(k=4)}
    b = {"b": (30, None), "w": [10, 20], "o": OrderedDict(k=40)}
    f = lambda x, y: x * 100 + y  # noqa: E731
    assert ub.tree.map(f, a, b) == tu.tree_map(f, a, b)


def test_map_hands_whole_subtrees_where_the_first_tree_is_a_prefix() -> None:
    tu = jax_tree_util()
    a = {"w": 1, "b": 2}
    b = {"w": [10, 20], "b": (30,)}
    assert ub.tree.map(lambda x, y: (x, y), a, b) == tu.tree_map(lambda x, y: (x, y), a, b)


@pytest.mark.parametrize("other", [
    {"w": 1},  # a key missing
    {"w": 1, "c": 2},  # another key
    [1, 2],  # another container
    {"w": 1, "b": 2, "c": 3},  # a key too many
])
def test_map_over_trees_of_different_structures_raises_naming_where(other: Any) -> None:
    with pytest.raises(ConfigurationError, match="the trees differ"):
        ub.tree.map(lambda x, y: x, {"w": 1, "b": 2}, other)


def test_none_in_the_first_tree_must_be_none_in_the_others() -> None:
    with pytest.raises(ConfigurationError, match="None in the first"):
        ub.tree.map(lambda x, y: x, [1, None], [1, 2])


def test_is_leaf_stops_the_descent_as_in_jax() -> None:
    tu = jax_tree_util()
    tree = {"a": (1, 2), "b": [(3, 4)]}
    is_pair = lambda x: isinstance(x, tuple)  # noqa: E731
    assert ub.tree.leaves(tree, is_leaf=is_pair) == tu.tree_leaves(tree, is_leaf=is_pair)
    assert ub.tree.map(lambda t: sum(t), tree, is_leaf=is_pair) == tu.tree_map(lambda t: sum(t), tree, is_leaf=is_pair)


def test_unflatten_with_the_wrong_number_of_leaves_raises() -> None:
    with pytest.raises(ConfigurationError, match="holds 2 leaves but 3 were given"):
        ub.tree.unflatten(ub.tree.structure([1, 2]), [1, 2, 3])


def test_unsortable_keys_keep_insertion_order() -> None:
    assert ub.tree.leaves({1: "a", "x": "b"}) == ["a", "b"]


def test_gradients_use_the_same_trees() -> None:
    torch = pytest.importorskip("torch")
    params = {"b": torch.tensor([1.0]), "a": defaultdict(list, w=torch.tensor([2.0])), "n": None}
    g = ub.grad(lambda p: (p["b"] * p["a"]["w"]).sum())(params)
    assert isinstance(g["a"], defaultdict) and g["n"] is None and list(g) == ["b", "a", "n"]
    assert g["b"].tolist() == [2.0] and g["a"]["w"].tolist() == [1.0]


def test_map_over_ordered_dicts_in_different_orders_raises_as_jax_does() -> None:
    tu = jax_tree_util()
    a, b = OrderedDict(x=1, y=2), OrderedDict(y=2, x=1)
    with pytest.raises(ValueError):
        tu.tree_map(lambda p, q: p, a, b)
    with pytest.raises(ConfigurationError, match="different orders"):
        ub.tree.map(lambda p, q: p, a, b)
