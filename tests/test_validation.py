"""lucidnet._validation: the argument checks shared by optimizers, schedules, callbacks and the CLI."""

import math

import numpy as np
import pytest

from lucidnet._validation import check_bool, check_choice, check_int, check_real


# ------------------------------------------------------------------ check_real
@pytest.mark.parametrize("value", [0.1, 3, np.float32(0.5), np.float64(2.0), np.int64(7)])
def test_real_accepts_python_and_numpy_numbers_and_returns_a_float(value):
    out = check_real("SGD", "lr", value, low=0.0)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.1", None, [0.1], np.array([0.1]),
                                   1 + 2j])
def test_real_refuses_other_types_with_a_type_error(value):
    with pytest.raises(TypeError, match=r"^SGD: lr must be a real number, got "):
        check_real("SGD", "lr", value)


def test_real_bounds_closed_and_open():
    assert check_real("A", "x", 0.0, low=0.0) == 0.0               # [0, inf): 0 is in
    with pytest.raises(ValueError, match=r"^A: x must be a finite number in \(0.0, inf\), got 0.0$"):
        check_real("A", "x", 0.0, low=0.0, low_open=True)
    assert check_real("A", "x", 1.0, low=0.0, high=1.0, high_open=False) == 1.0
    with pytest.raises(ValueError, match=r"in \[0.0, 1.0\), got 1.0$"):
        check_real("A", "x", 1.0, low=0.0, high=1.0)              # default: high excluded
    with pytest.raises(ValueError, match=r"in \[0.0, 1.0\], got 1.5$"):
        check_real("A", "x", 1.5, low=0.0, high=1.0, high_open=False)
    with pytest.raises(ValueError, match=r"in \(-inf, 2\), got 3$"):
        check_real("A", "x", 3, high=2)
    with pytest.raises(ValueError, match=r"got -1$"):
        check_real("A", "x", -1, low=0.0)


@pytest.mark.parametrize("value", [math.nan, np.float32("nan"), math.inf, -math.inf])
def test_real_refuses_nan_and_inf_by_default(value):
    with pytest.raises(ValueError, match="must be a finite number"):
        check_real("A", "x", value)


def test_real_allow_inf_still_refuses_nan_and_respects_bounds():
    assert check_real("A", "x", math.inf, allow_inf=True) == math.inf
    assert check_real("A", "x", -math.inf, allow_inf=True) == -math.inf
    with pytest.raises(ValueError, match=r"^A: x must be a number in \(-inf, inf\), got nan$"):
        check_real("A", "x", math.nan, allow_inf=True)
    with pytest.raises(ValueError, match="must be a number in"):
        check_real("A", "x", -math.inf, low=0.0, allow_inf=True)


# ------------------------------------------------------------------ check_int
@pytest.mark.parametrize("value", [0, 5, np.int8(3), np.int64(10), np.uint16(4)])
def test_int_accepts_python_and_numpy_integers_and_returns_an_int(value):
    out = check_int("StepLR", "step_size", value, low=0)
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize("value", [3.0, 3.5, np.float64(2.0), True, np.bool_(True), "3", None,
                                   math.nan])
def test_int_refuses_floats_bools_and_strings(value):
    with pytest.raises(TypeError, match=r"^StepLR: step_size must be an integer, got "):
        check_int("StepLR", "step_size", value, low=1)


def test_int_bounds_are_inclusive_and_named_in_the_message():
    assert check_int("A", "n", 1, low=1) == 1
    assert check_int("A", "n", 9, high=9) == 9
    assert check_int("A", "n", 5, low=1, high=9) == 5
    with pytest.raises(ValueError, match=r"^A: n must be an integer >= 1, got 0$"):
        check_int("A", "n", 0, low=1)
    with pytest.raises(ValueError, match=r"^A: n must be an integer <= 9, got 10$"):
        check_int("A", "n", 10, high=9)
    with pytest.raises(ValueError, match=r"^A: n must be an integer in \[1, 9\], got 0$"):
        check_int("A", "n", 0, low=1, high=9)
    with pytest.raises(ValueError, match=r"in \[1, 9\], got (np\.int32\()?0\)?$"):
        check_int("A", "n", np.int32(0), low=1, high=9)      # the value as given
    assert check_int("A", "n", -(10 ** 30)) == -(10 ** 30)      # unbounded: any integer


# ------------------------------------------------------------------ check_choice
def test_choice_returns_the_value_itself():
    assert check_choice("R", "mode", "max", ("min", "max")) == "max"
    assert check_choice("R", "mode", None, (None, "mean")) is None
    assert check_choice("R", "k", np.int64(2), [1, 2, 3]) == 2
    assert check_choice("R", "mode", "min", (c for c in ("min", "max"))) == "min"  # any iterable


def test_choice_lists_every_choice_in_the_message():
    with pytest.raises(ValueError, match=r"^R: mode must be one of 'min', 'max', got 'mean'$"):
        check_choice("R", "mode", "mean", ("min", "max"))


def test_choice_does_not_take_a_bool_for_a_number_or_back():
    with pytest.raises(ValueError, match="got True"):
        check_choice("R", "k", True, (1, 2))
    with pytest.raises(ValueError, match="got 1"):
        check_choice("R", "flag", 1, (True, False))
    assert check_choice("R", "flag", np.bool_(True), (True, False))


def test_choice_with_unhashable_or_array_values_is_a_clear_error():
    with pytest.raises(ValueError, match="must be one of"):
        check_choice("R", "mode", np.array([1, 2]), (1, 2))
    with pytest.raises(ValueError, match=r"got \['min'\]"):
        check_choice("R", "mode", ["min"], ("min", "max"))
    with pytest.raises(ValueError, match="got nan"):
        check_choice("R", "x", math.nan, (1.0, 2.0))


# ------------------------------------------------------------------ check_bool
@pytest.mark.parametrize("value", [True, False, np.bool_(True), np.bool_(False)])
def test_bool_accepts_python_and_numpy_bools(value):
    out = check_bool("SGD", "nesterov", value)
    assert type(out) is bool and out == bool(value)


@pytest.mark.parametrize("value", ["False", "true", 0, 1, 1.0, None, np.int64(1)])
def test_bool_refuses_truthy_stand_ins(value):
    with pytest.raises(TypeError, match=r"^SGD: nesterov must be True or False, got "):
        check_bool("SGD", "nesterov", value)
