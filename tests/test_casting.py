"""The casting policy (``unibridge.casting``): the table, and the value checks behind it."""

from __future__ import annotations

import numpy as np
import pytest

import unibridge as ub
from unibridge.casting import EXACT, FIT, KEEP, POLICY, REFUSE, cast, check_cast, relation, rule
from unibridge.dtypes import DType, all_dtypes


@pytest.mark.parametrize(
    "src,dst,casting,outcome",
    [
        ("float64", "float32", "same_kind", FIT),
        ("float32", "float64", "safe", KEEP),
        ("float64", "int64", "same_kind", REFUSE),
        ("int64", "int32", "same_kind", FIT),
        ("int64", "int32", "safe", REFUSE),
        ("int64", "uint8", "same_kind", REFUSE),
        ("uint8", "int8", "same_kind", FIT),
        ("int8", "bfloat16", "safe", KEEP),
        ("float16", "bfloat16", "safe", REFUSE),
        ("bfloat16", "float32", "safe", KEEP),
        ("float32", "bfloat16", "same_kind", FIT),
        ("complex128", "float64", "same_kind", REFUSE),
        ("float64", "float32", "no", REFUSE),
        ("float64", "float64", "no", KEEP),
        ("float64", "int8", "unsafe", KEEP),
        ("bool", "int8", "safe", KEEP),
        # NumPy's table calls these safe although values round; the policy does not.
        ("int64", "float64", "safe", REFUSE),
        ("int32", "float32", "safe", REFUSE),
        ("int32", "float64", "safe", KEEP),
        ("uint64", "float64", "same_kind", FIT),
    ],
)
def test_casting_modes_follow_the_policy_table(src: str, dst: str, casting: str, outcome: object) -> None:
    if outcome is REFUSE:
        with pytest.raises(ub.LossyCastError, match=casting if casting in ("no", "safe") else "unsafe"):
            check_cast(DType(src), DType(dst), casting)
    else:
        assert check_cast(DType(src), DType(dst), casting) is outcome


@pytest.mark.parametrize(
    "src,dst,casting,outcome",
    [
        ("int64", "uint64", "same_kind", EXACT),  # Python ints may be any type that holds them
        ("float64", "int8", "same_kind", EXACT),
        ("float64", "float32", "same_kind", FIT),  # rounding is what float32 means
        ("float64", "float32", "safe", EXACT),
        ("complex128", "float64", "safe", EXACT),
        ("float64", "int8", "no", REFUSE),
        ("float64", "int8", "unsafe", KEEP),
    ],
)
def test_python_data_may_take_any_dtype_that_holds_its_values(
    src: str, dst: str, casting: str, outcome: object
) -> None:
    assert rule("python", src, dst, casting) is outcome


def test_the_policy_covers_every_origin_mode_and_relation() -> None:
    for (origin, casting), row in POLICY.items():
        assert len(row) == 4 and all(r in (KEEP, FIT, EXACT, REFUSE) for r in row), (origin, casting)
        assert row[0] is KEEP  # the same dtype never changes a value
    assert {c for _, c in POLICY} == {"no", "equiv", "safe", "same_kind", "unsafe"}
    for src in all_dtypes():
        for dst in all_dtypes():
            assert relation(src, dst) in ("same", "safe", "narrowing", "crossing")


def test_safe_means_every_value_is_held_exactly() -> None:
    # Checked against Python integers: the largest magnitude of each integer type.
    for src in all_dtypes():
        if src.kind not in ("signed integer", "unsigned integer"):
            continue
        info = np.iinfo(src.numpy)
        for dst in all_dtypes():
            if dst.kind not in ("real floating", "complex floating") or relation(src, dst) != "safe":
                continue
            for value in (info.min, info.max, info.max - 1):
                out = cast(np.array([value], dtype=src.numpy), dst, "safe")
                assert int(out.real.astype(np.float64)[0]) == value, (src, dst, value)


def test_unknown_casting_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="same_kind"):
        check_cast(DType("int8"), DType("int16"), "sometimes")


def test_narrowing_integer_cast_checks_values() -> None:
    with pytest.raises(ub.LossyCastError, match=r"does not fit int32"):
        cast(np.array([1, 2**40]), "int32", "same_kind")
    assert cast(np.array([1, 2**31 - 1]), "int32", "same_kind").tolist() == [1, 2**31 - 1]
    assert cast(np.array([1, 2**40]), "int32", "unsafe").tolist() == [1, 0]


def test_the_lower_bound_of_an_integer_range_is_checked_too() -> None:
    with pytest.raises(ub.LossyCastError, match=r"-1099511627776 does not fit int32"):
        cast(np.array([-(2**40)]), "int32", "same_kind")
    with pytest.raises(ub.LossyCastError, match=r"-1 does not fit uint64"):
        cast(np.array([-1]), "uint64", "same_kind", origin="python")


def test_narrowing_float_cast_rounds_but_never_overflows_to_inf() -> None:
    assert cast(np.array([1 + 2**-40]), "float32", "same_kind")[0] == 1.0
    with pytest.raises(ub.LossyCastError, match="infinite"):
        cast(np.array([1e40]), "float32", "same_kind")
    kept = cast(np.array([np.inf, -np.inf, np.nan]), "float32", "same_kind")
    assert np.isinf(kept[:2]).all() and np.isnan(kept[2])


def test_the_imaginary_part_of_a_complex_cast_is_checked_for_overflow() -> None:
    with pytest.raises(ub.LossyCastError, match="infinite"):
        cast(np.array([1 + 1e300j]), "complex64", "same_kind")
    with pytest.raises(ub.LossyCastError, match="infinite"):
        cast(np.array([1e300 + 1j]), "complex64", "same_kind")


def test_an_exact_cast_is_judged_by_value_not_by_a_round_trip() -> None:
    # int64 -> uint64 -> int64 is bit-exact for -1, but -1 has no uint64 value.
    with pytest.raises(ub.LossyCastError):
        cast(np.array([-1]), "uint64", "safe", origin="python")
    # 2**53 + 1 rounds in float64; its neighbour 2**53 does not.
    with pytest.raises(ub.LossyCastError, match="9007199254740993"):
        cast(np.array([2**53 + 1]), "float64", "safe", origin="python")
    assert cast(np.array([2**53]), "float64", "safe", origin="python").tolist() == [2.0**53]


# -- exactness checks: NaN, bool targets, complex parts, and what the errors say --------------------


def test_nan_is_held_exactly_by_every_float_type() -> None:
    # A NaN stays a NaN: an exact (Python-origin, safe) cast must not call it a changed value.
    out = cast(np.array([np.nan, 0.5]), "float32", "safe", origin="python")
    assert np.isnan(out[0]) and out[1] == 0.5
    both = cast(np.array([complex(np.nan, 0.5), complex(0.25, np.nan), 1 + 2j]), "complex64", "safe", origin="python")
    assert np.isnan(both[0].real) and both[0].imag == 0.5 and np.isnan(both[1].imag) and both[2] == 1 + 2j
    with pytest.raises(ub.LossyCastError, match="0.1 has no float32 value"):
        cast(np.array([np.nan, 0.1]), "float32", "safe", origin="python")  # a NaN beside does not excuse 0.1


def test_only_zero_and_one_become_bool_exactly() -> None:
    assert cast(np.array([0, 1, 1]), "bool", "same_kind", origin="python").tolist() == [False, True, True]
    assert cast(np.array([0.0, 1.0]), "bool", "same_kind", origin="python").tolist() == [False, True]
    for bad in ([2], [-1], [0.5], [np.nan], [1 + 1j]):
        with pytest.raises(ub.LossyCastError, match="no bool value"):
            cast(np.array(bad), "bool", "same_kind", origin="python")


def test_a_complex_value_with_an_imaginary_part_has_no_integer_value() -> None:
    with pytest.raises(ub.LossyCastError, match="nonzero imaginary part have no int64"):
        cast(np.array([1 + 2j]), "int64", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match="nonzero imaginary part have no int8"):
        cast(np.array([1 + 0j, 2 + 1e-300j]), "int8", "safe", origin="python")
    assert cast(np.array([1 + 0j, -3 + 0j]), "int8", "same_kind", origin="python").tolist() == [1, -3]
    with pytest.raises(ub.LossyCastError, match="non-integral"):
        cast(np.array([1.5 + 0j]), "int8", "same_kind", origin="python")


def test_an_integer_too_big_for_a_float_type_is_named_exactly_in_the_error() -> None:
    with pytest.raises(ub.LossyCastError, match=r"^the finite value 70000 overflows float16 "):
        cast(np.array([1, 70000]), "float16", "same_kind")
    with pytest.raises(ub.LossyCastError, match=r"^the finite value 1e\+300 overflows float32 "):
        cast(np.array([1e300]), "float32", "same_kind")


def test_integral_floats_out_of_range_are_shown_as_integers() -> None:
    with pytest.raises(ub.LossyCastError, match=r"the value 3000000000 does not fit int32 \(range"):
        cast(np.array([3e9]), "int32", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match=r"the value -129 does not fit int8 .*Python int64 -> int8 would wrap"):
        cast(np.array([-129]), "int8", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match=r"the value 300 does not fit int8 .*: int64 -> int8 would wrap"):
        cast(np.array([300]), "int8", "same_kind")
    with pytest.raises(ub.LossyCastError, match=r"Python float64 -> int8 would overflow"):
        cast(np.array([300.0]), "int8", "same_kind", origin="python")


def test_each_refusal_says_which_casting_mode_forbade_it() -> None:
    for mode in ("no", "equiv"):
        with pytest.raises(ub.LossyCastError, match=rf"^casting='{mode}' allows no dtype change"):
            check_cast(DType("int32"), DType("int64"), mode)
    with pytest.raises(ub.LossyCastError, match=r"^int64 -> int32 is not a safe cast"):
        check_cast(DType("int64"), DType("int32"), "safe")
    with pytest.raises(ub.LossyCastError, match=r"^float64 -> int8 crosses kinds \(real floating to signed integer\)"):
        check_cast(DType("float64"), DType("int8"), "same_kind")


def test_holds_exactly_answers_whether_every_value_survives() -> None:
    from unibridge.casting import holds_exactly

    assert holds_exactly(np.array([1.0, 2.0, -128.0]), "int8") and not holds_exactly(np.array([128.0]), "int8")
    assert holds_exactly(np.array([0.5, np.nan]), "float16") and not holds_exactly(np.array([0.1]), "float32")
    assert holds_exactly(np.array([2**53]), "float64") and not holds_exactly(np.array([2**53 + 1]), "float64")
    assert holds_exactly(np.array([1.0]), "bool") and not holds_exactly(np.array([2.0]), "bool")


def test_a_complex_nan_with_an_imaginary_part_has_no_real_value() -> None:
    # Found by hypothesis under a mutant, and failing on the unmutated code: a NaN real part made
    # the comparison call the whole value equal, and the -inf imaginary part was dropped silently.
    for bad in (complex(np.nan, -np.inf), complex(np.nan, 1.0)):
        with pytest.raises(ub.LossyCastError, match="has no float16 value"):
            cast(np.array([bad]), "float16", "safe", origin="python")
        with pytest.raises(ub.LossyCastError):
            ub.asarray(bad, dtype="float32", casting="same_kind", backend="numpy")
    assert np.isnan(cast(np.array([complex(np.nan, 0.0)]), "float16", "safe", origin="python")[0])
    kept = cast(np.array([complex(np.nan, -np.inf)]), "complex64", "safe", origin="python")
    assert np.isnan(kept[0].real) and kept[0].imag == -np.inf


def test_a_float_type_holds_every_integer_up_to_its_significand() -> None:
    # bfloat16 has 8 significant bits: every uint8 (up to 255) and int8 is exact; float32 and
    # complex64 share a significand, so float32 -> complex64 loses nothing.
    assert relation("uint8", "bfloat16") == "safe" and relation("int8", "bfloat16") == "safe"
    assert relation("uint16", "bfloat16") == "narrowing"
    assert relation("float32", "complex64") == "safe" and relation("float64", "complex128") == "safe"
    assert relation("float16", "complex64") == "safe" and relation("complex64", "float32") == "crossing"


def test_the_range_error_shows_the_value_that_is_out_of_range() -> None:
    for values, shown in (([-129, 5], "-129"), ([5, 300], "300"), ([-128, 300], "300"), ([-200, 300], "-200")):
        with pytest.raises(ub.LossyCastError, match=rf"^the value {shown} does not fit int8"):
            cast(np.array(values), "int8", "same_kind")


def test_exactness_errors_name_the_origin_and_the_source_dtype() -> None:
    with pytest.raises(ub.LossyCastError, match=r"\(Python complex128 data -> int64\); take \.real first"):
        cast(np.array([1 + 2j]), "int64", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match=r"\(Python float64 data -> int8\); round them first"):
        cast(np.array([1.5]), "int8", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match=r"\(Python float64 data -> int8\); round them first"):
        cast(np.array([np.inf]), "int8", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match=r"\(Python float64 data -> uint8\); round them first"):
        cast(np.array([np.nan]), "uint8", "same_kind", origin="python")
    with pytest.raises(ub.LossyCastError, match=r"^the values do not all fit float32 exactly \(Python float64 data -> float32\)"):
        cast(np.array([0.1]), "float32", "safe", origin="python")


def test_an_unknown_casting_mode_or_origin_is_named_with_the_choices() -> None:
    with pytest.raises(ub.ConfigurationError, match=r"^casting='sometimes' is not a casting mode; use one of: no, equiv, safe, same_kind, unsafe$"):
        rule("array", "int8", "int16", "sometimes")
    with pytest.raises(ValueError, match=r"^origin 'weird' is not one of \('array', 'python'\)$"):
        rule("weird", "int8", "int16", "safe")


def test_an_inexact_integer_is_named_alone_not_with_its_neighbours() -> None:
    a = np.array([1, 2**53 + 1, 3, -(2**53) - 1])
    with pytest.raises(
        ub.LossyCastError,
        match=r"^the values do not all fit float64 exactly \(Python int64 data -> float64\): "
        r"9007199254740993 has no float64 value; pass casting='unsafe'",
    ):
        cast(a, "float64", "safe", origin="python")
