"""Notebook 05's figures and widget helpers: finite-difference errors and gradient-check plots."""

import numpy as np
import pytest

import rnn_helpers as rh
from rnn_helpers import PARAM_NAMES, init_params, loss_and_grads, plots, widgets


@pytest.fixture
def tiny():
    """A tiny model and sequence: K = 5, H = 3, T = 4."""
    params = init_params(5, 3, seed=1)
    return params, np.array([0, 1, 1, 3]), np.array([1, 1, 3, 4])


def test_stencil_errors_trace_a_v_shape(tiny):
    eps = [1e-10, 1e-5, 1e-1]
    two = rh.stencil_errors(*tiny, eps, order=2)
    assert two.shape == (3,) and two.dtype == np.float64
    assert two[1] < 1e-8  # the sweet spot of the two-point formula
    assert two[0] > 10 * two[1]  # round-off on the left
    assert two[2] > 10 * two[1]  # truncation on the right


def test_four_point_stencil_beats_two_point_at_a_large_step(tiny):
    two = rh.stencil_errors(*tiny, [1e-3], order=2)[0]
    four = rh.stencil_errors(*tiny, [1e-3], order=4)[0]
    assert four < two / 100


def test_stencil_errors_work_in_float64_and_leave_params_alone(tiny):
    params, x, y = tiny
    before = {k: v.copy() for k, v in params.items()}
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    e32 = rh.stencil_errors(p32, x, y, [1e-5])
    assert e32[0] < 1e-8  # copied to float64: float32 would give errors ~1e-2
    for k, v in before.items():
        assert np.array_equal(params[k], v)


def test_stencil_errors_accept_a_batch_and_h0():
    params = init_params(4, 3, seed=2)
    x, y = np.array([[0, 1], [2, 3]]), np.array([[1, 2], [3, 0]])
    h0 = np.full((2, 3), 0.5)
    assert rh.stencil_errors(params, x, y, [5e-4], order=4, h0=h0)[0] < 1e-10


def test_eps_vcurve_draws_one_line_per_stencil_and_the_roundoff():
    eps = np.logspace(-8, -2, 7)
    errors = {"two-point": eps**2 + 1e-16 / eps, "four-point": eps**4 + 1e-16 / eps}
    fig = plots.eps_vcurve(eps, errors, roundoff=1e-16 / eps)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() and "eps" in ax.get_xlabel() and "numeric" in ax.get_ylabel()
    assert ax.get_legend() is None  # below the axes, where it hides no curve
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:2] == ["two-point", "four-point"] and "round-off" in labels[2]


def test_eps_vcurve_marks_the_chosen_step():
    eps = np.logspace(-8, -2, 7)
    errors = {"two-point": eps**2, "four-point": eps**4}
    fig = plots.eps_vcurve(eps, errors, marker_eps=1e-5,
                           marker_errors={"two-point": 1e-10, "four-point": 0.0})
    marks = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() in ("*", "D")]
    assert [m.get_marker() for m in marks] == ["*", "D"]  # told apart where they overlap
    assert marks[0].get_xdata()[0] == 1e-5 and marks[0].get_ydata()[0] == 1e-10
    assert marks[1].get_ydata()[0] > 0  # an exact 0 is drawn at the floor of the log axis
    assert any("1.0e-10" in t.get_text() for t in fig.legends[0].get_texts())


def test_eps_vcurve_view_marks_both_stencils(tiny):
    eps = np.array([1e-6, 1e-4])
    errors = {label: rh.stencil_errors(*tiny, eps, order=order)
              for label, order in rh.STENCIL_ORDERS.items()}
    fig = widgets.eps_vcurve_view(*tiny, eps, errors, 1e-5)
    marks = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() in ("*", "D")]
    assert len(marks) == 2 and all(m.get_xdata()[0] == 1e-5 for m in marks)


def test_gradcheck_scatter_colours_entries_by_the_entrywise_test():
    a = np.array([1e-6, 1e-2, 1.0, 0.0, 0.5])
    n = np.array([1e-6 + 1e-9, 1e-2, 1.0 + 1e-3, 0.0, 0.4])
    # atol 1e-8, rtol 1e-6: entries 0 and 1 pass, 2 and 4 fail, 3 (both 0) is left out
    fig = plots.gradcheck_scatter(a, n, atol=1e-8, rtol=1e-6)
    ax = fig.axes[0]
    passed, failed = ax.collections[:2]
    assert len(passed.get_offsets()) == 2 and len(failed.get_offsets()) == 2
    assert np.allclose(sorted(passed.get_offsets()[:, 0]), [1e-6 + 1e-9, 1e-2])
    assert ax.get_legend() is None  # below the axes, where it hides no point
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "(2 entries)" in labels[0] and "(2 entries)" in labels[1]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() and ax.get_xlabel() and "relative error" in ax.get_ylabel()


def test_gradcheck_scatter_draws_an_exact_match_above_zero():
    fig = plots.gradcheck_scatter(np.array([0.5, 0.25]), np.array([0.5, 0.25]), atol=1e-8)
    y = fig.axes[0].collections[0].get_offsets()[:, 1]
    assert np.all(y > 0)


def test_hidden_grad_figure_has_two_panels_against_t():
    check = {"norm": np.array([0.5, 0.7, 0.6]), "max_rel_error": np.array([1e-9, 0.0, 1e-7]),
             "max_abs_diff": np.zeros(3)}
    fig = plots.hidden_grad_figure(check)
    left, right = fig.axes
    assert list(left.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert right.get_yscale() == "log" and np.all(right.get_lines()[0].get_ydata() > 0)
    for ax in (left, right):
        assert ax.get_title() and ax.get_xlabel() == "time step t" and ax.get_ylabel()


def test_gradcheck_sample_returns_matching_nonzero_entries(tiny):
    params, x, y = tiny
    a, n = rh.gradient_sample(params, x, y, 3, eps=5e-4, order=4, seed=0)
    assert a.shape == n.shape and a.dtype == n.dtype == np.float64
    assert a.size <= 5 * 3 and np.all(a != 0)
    assert np.allclose(a, n, rtol=1e-6, atol=1e-10)  # backprop is right: they agree
    a2, _ = rh.gradient_sample(params, x, y, 3, eps=5e-4, order=4, seed=0)
    assert np.array_equal(a, a2)  # seeded


def test_gradcheck_sample_takes_every_nonzero_entry_when_n_is_large(tiny):
    params, x, y = tiny
    _, grads, _ = loss_and_grads(params, x, y)
    a, _ = rh.gradient_sample(params, x, y, 1000)
    expected = np.concatenate([grads[k][grads[k] != 0] for k in PARAM_NAMES])
    assert np.allclose(np.sort(a), np.sort(expected))


def test_hidden_grad_figure_draws_the_last_loss_alone_on_a_log_scale():
    check = {"norm": np.array([0.5, 0.7, 0.6]), "max_rel_error": np.array([1e-9, 0.0, 1e-7]),
             "max_abs_diff": np.zeros(3)}
    last_term = np.array([1e-4, 1e-3, 1e-2, 1e-1])  # t = 0 .. T: h_0 has no step of its own
    left = plots.hidden_grad_figure(check, last_term=last_term).axes[0]
    total, single = left.get_lines()
    assert list(single.get_xdata()) == [1, 2, 3]
    assert list(single.get_ydata()) == [1e-3, 1e-2, 1e-1]  # t = 1 .. T, not t = 0 .. T - 1
    assert left.get_yscale() == "log"
    assert len(left.get_legend().get_texts()) == 2
