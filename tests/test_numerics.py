"""rnn_helpers.numerics: the naive softmax, the overflow sweep, the precision experiment and
the scaled demo logits of notebook 03."""

import warnings

import numpy as np
import pytest

from rnn_helpers import numerics


def test_naive_softmax_is_the_textbook_formula_on_moderate_logits():
    z = np.array([[2.0, 1.0, 0.1], [-1.0, 0.0, 3.0]])
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(numerics.naive_softmax(z), expected, rtol=1e-15)
    expected0 = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(numerics.naive_softmax(z, axis=0), expected0, rtol=1e-15)


def test_naive_softmax_overflows_to_nan_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = numerics.naive_softmax([1000.0, 0.0])
    assert np.isnan(p[0]) and p[1] == 0.0


@pytest.mark.parametrize(("dtype", "limit"), [("float64", 709.78), ("float32", 88.72),
                                              ("float16", 11.09)])
def test_overflow_limit_is_where_exp_overflows(dtype, limit):
    z = numerics.overflow_limit(dtype)
    assert z == pytest.approx(limit, abs=0.01)
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.asarray(np.floor(z * 100) / 100, dtype)))
        assert np.isinf(np.exp(np.asarray(np.ceil(z + 0.01), dtype)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_overflow_sweep_breaks_exactly_past_ln_max(dtype):
    zs = np.array([1.0, 10.0, 80.0, 88.0, 89.0, 700.0, 709.0, 710.0, 1000.0])
    naive, stable = numerics.overflow_sweep(zs, dtype)
    np.testing.assert_array_equal(np.isnan(naive), zs > numerics.overflow_limit(dtype))
    assert naive.dtype == stable.dtype == np.dtype(dtype)
    # softmax([z, 0])[0] is the logistic function 1 / (1 + exp(-z)), stable for z > 0
    np.testing.assert_allclose(stable, 1 / (1 + np.exp(-zs)), rtol=10 * np.finfo(dtype).eps)


def test_shift_error_grows_with_the_offset_like_eps_times_c():
    base = np.random.default_rng(1).standard_normal(8)
    offsets = np.array([0.0, 1e4])
    for dtype in ("float32", "float64"):
        err = numerics.shift_error(offsets, base, dtype)
        eps = np.finfo(dtype).eps
        assert err.shape == (2,)
        assert err[0] < 20 * eps  # no offset: only rounding of the softmax itself
        assert eps * 1e4 / 100 < err[1] < eps * 1e4 * 10


def test_shift_error_against_an_independent_float32_computation():
    base = np.array([0.3, -1.2, 2.0])
    s = 1000.0
    z32 = (s + base).astype(np.float32).astype(np.float64)  # the stored, rounded logits
    p = np.exp(z32 - z32.max()) / np.exp(z32 - z32.max()).sum()
    exact = np.exp(base) / np.exp(base).sum()
    expected = np.max(np.abs(p - exact) / exact)
    err = numerics.shift_error([s], base, "float32")[0]
    assert err == pytest.approx(expected, rel=0.05)  # float32 exp adds ~1e-7, far less


def test_softmax_at_scale_is_naive_and_stable_softmax_of_the_scaled_logits():
    naive, stable = numerics.softmax_at_scale(2.0, "float32", base=(1.0, 0.0))
    assert naive.dtype == stable.dtype == np.float32
    np.testing.assert_allclose(stable, [1 / (1 + np.exp(-2)), 1 / (1 + np.exp(2))], rtol=1e-6)
    np.testing.assert_allclose(naive, stable, rtol=1e-6)
    naive, stable = numerics.softmax_at_scale(1000.0, "float64")
    assert np.isnan(naive).sum() == 2 and stable[0] == 1.0
