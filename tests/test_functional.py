"""Softmax, log-softmax and the loss: stable for every finite input, exact where it matters."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from rnn_helpers import log_softmax, numerical_gradient, softmax, softmax_loss

FINITE64 = st.floats(allow_nan=False, allow_infinity=False, width=64)
FINITE32 = st.floats(allow_nan=False, allow_infinity=False, width=32)


def test_softmax_matches_the_textbook_formula_on_moderate_input():
    z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])
    naive = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(softmax(z), naive, rtol=1e-15)
    np.testing.assert_allclose(log_softmax(z), np.log(naive), rtol=1e-14)


def test_softmax_is_shift_invariant_where_the_naive_formula_overflows():
    z = np.array([1000.0, 1001.0, 1002.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.isnan(naive).all()  # the failure the max-subtraction trick fixes
    np.testing.assert_allclose(softmax(z), softmax(z - 1000.0), rtol=1e-15)


def test_extreme_span_gives_the_correctly_rounded_limit():
    z = np.array([1e308, -1e308])
    np.testing.assert_array_equal(softmax(z), [1.0, 0.0])
    np.testing.assert_array_equal(log_softmax(z), [0.0, -np.inf])  # -2e308 rounds to -inf


def test_axis_argument():
    z = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), 1.0)
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T)


def _no_warnings(fn, z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):  # any overflow or invalid operation would raise here
            return fn(z)


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=FINITE64))
def test_softmax_never_nan_or_warning_float64(z):
    p = _no_warnings(softmax, z)
    assert p.dtype == np.float64
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=FINITE64))
def test_log_softmax_never_nan_or_warning_float64(z):
    lp = _no_warnings(log_softmax, z)
    assert not np.isnan(lp).any()
    assert np.all(lp <= 0)
    n = z.shape[-1]
    assert np.all(lp.max(axis=-1) >= -np.log(n) - 1e-12)  # the largest entry gets >= 1/n
    finite = np.isfinite(lp)  # -inf only where the true value is below -1.8e308
    np.testing.assert_allclose(np.exp(lp[finite]), softmax(z)[finite], rtol=1e-12, atol=1e-300)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, array_shapes(min_dims=1, max_dims=2, max_side=6), elements=FINITE32))
def test_float32_is_kept_and_stable(z):
    p = _no_warnings(softmax, z)
    lp = _no_warnings(log_softmax, z)
    assert p.dtype == lp.dtype == np.float32
    assert not np.isnan(p).any() and not np.isnan(lp).any()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "z, message",
    [
        (np.array([0.0, np.nan]), "nan"),
        (np.array([0.0, np.inf]), r"\+inf"),
        (np.array([-np.inf, -np.inf]), "-inf"),
        (np.array([]), "empty"),
    ],
)
def test_bad_logits_raise_naming_the_problem(z, message):
    for fn in (softmax, log_softmax):
        with pytest.raises(ValueError, match=message):
            fn(z)


def test_non_numeric_logits_raise_type_error():
    with pytest.raises(TypeError, match="numbers"):
        softmax(np.array(["a", "b"]))


def test_minus_inf_entries_are_allowed_as_masks():
    np.testing.assert_array_equal(softmax([0.0, -np.inf]), [1.0, 0.0])


def test_softmax_loss_matches_a_loop_and_its_gradient_is_numeric():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, 5)) * 3
    targets = rng.integers(0, 5, size=(3, 4))
    loss, dlogits = softmax_loss(logits, targets)
    expected = 0.0
    for b in range(3):
        for t in range(4):
            o = logits[b, t]
            expected -= o[targets[b, t]] - np.log(np.exp(o).sum())
    assert loss == pytest.approx(expected / 3, rel=1e-14)
    numeric = numerical_gradient(lambda: softmax_loss(logits, targets)[0], logits, order=4,
                                 eps=1e-3)
    np.testing.assert_allclose(dlogits, numeric, atol=1e-10)


def test_softmax_loss_single_sequence_and_shape_errors():
    logits = np.zeros((4, 3))
    loss, d = softmax_loss(logits, np.array([0, 1, 2, 0]))
    assert loss == pytest.approx(4 * np.log(3))  # uniform predictions: T log K
    assert d.shape == (4, 3)
    with pytest.raises(ValueError, match="do not match"):
        softmax_loss(logits, np.array([0, 1, 2]))
