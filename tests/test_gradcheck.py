"""Gradient checks: backprop agrees with finite differences, and the check catches bugs."""

import numpy as np
import pytest
from cases import make_case, reference_forward_backward, reference_step, reference_zero_state

import rnn_helpers.gradcheck as gc
from rnn_helpers import (
    PARAM_NAMES,
    GradCheckReport,
    check_hidden_state_grads,
    grad_check,
    grad_check_report,
    init_params,
    loss_and_grads,
    numerical_gradient,
    relative_error,
    rnn_forward,
)
from rnn_helpers.gradcheck import ParamCheck

# Small models: the five-point stencil with h = 5e-4 has truncation error ~h^4 and
# round-off ~eps_machine |L| / h ~ 1e-12, so relative errors are far below 1e-7. Every small
# model of every cell is judged by the same rule (as in test_gated_cells.py): each
# entry |a - n| <= atol + rtol |n| with rtol = 1e-7 and atol = default_atol(L, h), the
# centred difference's round-off.
SMALL = {"eps": 5e-4, "order": 4}
RTOL = 1e-7
SMALL_CASES = {
    "single": dict(K=7, H=5, T=10),
    "batched": dict(K=7, H=5, T=10, B=3),
    "saturated": dict(K=10, H=8, T=12, B=2, scale=3.0),
    "nonzero_h0": dict(K=10, H=8, T=12, state=True),
    "saturated_single_h0": dict(K=10, H=8, T=12, scale=3.0, state=True),
}


def test_numerical_gradient_of_a_known_function_and_exact_restore():
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    before = x.copy()
    g = numerical_gradient(lambda: np.sum(x**3), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-9)
    assert np.array_equal(x, before)  # restored bit for bit


def test_fourth_order_stencil_is_more_accurate():
    x = np.array([0.5, 1.5])
    exact = np.exp(x)
    err2 = np.abs(numerical_gradient(lambda: np.exp(x).sum(), x, 1e-3) - exact).max()
    err4 = np.abs(numerical_gradient(lambda: np.exp(x).sum(), x, 1e-3, order=4) - exact).max()
    assert err4 < err2 / 1000


def test_numerical_gradient_rejects_bad_arguments():
    with pytest.raises(TypeError, match="floating"):
        numerical_gradient(lambda: 0.0, np.array([1, 2]))
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda: 0.0, np.zeros(2), eps=0)
    with pytest.raises(ValueError, match="order"):
        numerical_gradient(lambda: 0.0, np.zeros(2), order=3)


def test_relative_error_has_a_floor_and_never_nans():
    r = relative_error([0.0, 1.0, 1e-300], [0.0, 1.0 + 1e-9, -1e-300])
    assert r[0] == 0.0 and r[1] == pytest.approx(0.5e-9, rel=1e-6) and r[2] == 1.0


@pytest.mark.parametrize("name", SMALL_CASES)
def test_small_models_relative_error_below_1e_7(name):
    params, x, y, h0 = make_case(**SMALL_CASES[name])
    if "saturated" in name:  # really saturated: most units near +-1, where tanh' is small
        _, cache = rnn_forward(params, x, h0)
        assert np.mean(np.abs(cache["hs"][1:]) > 0.8) > 0.3
    errors = grad_check(params, x, y, h0, **SMALL)
    assert set(errors) == set(PARAM_NAMES)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-7, f"{worst}: {errors[worst]:.2e} ({errors})"
    assert grad_check_report(params, x, y, h0, rtol=RTOL, **SMALL).passed


@pytest.mark.parametrize("name", ["single", "batched", "saturated_single_h0"])
def test_bptt_step_by_step_dL_dh_t(name):
    params, x, y, h0 = make_case(**SMALL_CASES[name])
    result = check_hidden_state_grads(params, x, y, h0, **SMALL)
    T = np.shape(x)[-1]
    assert all(len(v) == T for v in result.values())
    assert result["max_rel_error"].max() < 1e-7, result["max_rel_error"]
    assert np.all(result["norm"] > 0)


@pytest.mark.parametrize("batched", [False, True])
def test_realistic_size_every_entry_passes_the_entrywise_test(batched):
    """K = 65, H = 100, T = 25: all 23,165 entries, classic two-point differences.

    The batched case also has larger weights (half-saturated) and a non-zero h0.
    """
    rng = np.random.default_rng(0)
    params = init_params(65, 100, seed=0)
    shape, h0 = (25,), None
    if batched:
        params = {k: 2.5 * v for k, v in params.items()}
        shape, h0 = (3, 25), rng.uniform(-0.9, 0.9, (3, 100))
    x, y = rng.integers(0, 65, shape), rng.integers(0, 65, shape)
    report = grad_check_report(params, x, y, h0, rtol=1e-6)
    assert sum(r.checked for r in report.rows) == 65 * 100 * 2 + 100 * 100 + 100 + 65
    failing = [r.name for r in report.rows if not r.passed]
    assert not failing, str(report)
    # the atol is the finite difference's round-off, eps_machine |L| / eps, times a margin
    assert report.rows[0].atol == pytest.approx(16 * 2.220446e-16 * report.loss / 1e-5)


def test_sampled_check_includes_entries_that_carry_gradient():
    rng = np.random.default_rng(1)
    params = init_params(65, 20, seed=1)
    x, y = rng.integers(0, 5, 10), rng.integers(0, 65, 10)  # only characters 0..4 appear
    from rnn_helpers import loss_and_grads

    _, grads, _ = loss_and_grads(params, x, y)
    idx = gc._sample_indices(grads["U"], 10, np.random.default_rng(0))
    cols = [j for _, j in idx]
    assert sum(c < 5 for c in cols) >= 10  # the sampled entries sit in columns that appear
    assert int(np.argmax(np.abs(grads["U"]))) in [np.ravel_multi_index(i, (20, 65)) for i in idx]
    report = grad_check_report(params, x, y, num_checks=10)
    assert report.passed
    assert all(r.checked <= 12 for r in report.rows)


def test_float32_params_are_checked_in_float64():
    params, x, y, _ = make_case(**SMALL_CASES["single"])
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    errors = grad_check(p32, x, y, **SMALL)
    assert max(errors.values()) < 1e-7
    assert p32["W"].dtype == np.float32  # the caller's params are untouched


def test_planted_bug_missing_tanh_derivative_is_caught():
    """Forgetting diag(1 - h^2) breaks U, W, b (upstream of tanh) but not V, c."""

    def buggy(params, inputs, targets, h0=None):
        loss, grads, h_last, _ = reference_forward_backward(params, inputs, targets, h0,
                                                            tanh_derivative=False)
        return loss, grads, h_last

    params, x, y, h0 = make_case(**SMALL_CASES["nonzero_h0"])
    report = grad_check_report(params, x, y, h0, analytic=buggy, **SMALL)
    verdict = {r.name: r.passed for r in report.rows}
    assert verdict == {"U": False, "W": False, "V": True, "b": False, "c": True}
    assert "SOME ENTRIES FAIL" in str(report)
    assert min(report.max_rel_errors()[k] for k in "UWb") > 1e-3


def test_report_renders_as_text_and_html():
    params, x, y, _ = make_case()
    report = grad_check_report(params, x, y)
    text = str(report)
    assert all(f" {k} " in text for k in PARAM_NAMES) and "all entries pass" in text
    assert report._repr_html_().startswith("<table>")
    assert repr(report) == text  # a notebook's last-line display shows the table, not floats


def test_table_prints_round_off_as_a_bound_and_a_bug_with_its_digits():
    # a passing row's diff and relative error are round-off: their digits change between CPUs,
    # so the table says where they stand; a failing row's are the bug's size, printed in full
    params, x, y, h0 = make_case(**SMALL_CASES["nonzero_h0"])
    good = grad_check_report(params, x, y, h0, **SMALL)
    lines = str(good).splitlines()[1:-1]
    assert all("<= tol" in line and "< 1e-07" in line for line in lines), str(good)
    assert not any(f"{r.max_rel_error:.2e}" in str(good) for r in good.rows)

    def buggy(params, inputs, targets, h0=None):
        loss, grads, h_last = loss_and_grads(params, inputs, targets, h0)
        grads["W"] = grads["W"] * 1.5
        return loss, grads, h_last

    bad = grad_check_report(params, x, y, h0, analytic=buggy, **SMALL)
    row_w = next(line for line in str(bad).splitlines() if line.split()[0] == "W")
    w = next(r for r in bad.rows if r.name == "W")
    assert f"{w.max_rel_error:.2e}" in row_w and f"{w.max_abs_diff:.2e}" in row_w
    assert row_w.rstrip().endswith("NO")


def test_table_says_when_a_passing_relative_error_is_above_the_rule_of_thumb():
    row = ParamCheck("W", (2, 2), 4, 1e-5, 1e-5, 1e-12, 3e-5, atol=1e-8, rtol=1e-6, passed=True)
    text = str(GradCheckReport(loss=1.0, eps=1e-5, rows=[row]))
    assert "> 1e-07" in text and "yes" in text


def test_against_bar_hides_round_off_digits_and_shows_a_real_error():
    assert gc.against_bar(4.1e-12, 1e-9) == "< 1e-09"
    assert gc.against_bar(9.9e-12, 1e-9) == gc.against_bar(1.1e-11, 1e-9)  # same on any CPU
    assert gc.against_bar(0.25, 1e-9) == "2.5e-01"
    assert gc.against_bar(2.4e-8, 2.5e-8) == "< 2.5e-08"  # the bar is printed as it is
    with pytest.raises(ValueError, match="bar"):
        gc.against_bar(1e-12, 0.0)


def test_passes_entrywise_judges_tiny_entries_by_atol_and_large_ones_by_rtol():
    a = np.array([1e-9, 1e-9, 1.0, 1.0])
    n = np.array([2e-9, 1e-7, 1.0 + 5e-7, 1.0 + 5e-6])
    # atol 1e-8 covers the first difference, not the second; rtol 1e-6 the third, not the last
    assert gc.passes_entrywise(a, n, atol=1e-8, rtol=1e-6).tolist() == [True, False, True, False]


def test_planted_bugs_break_only_what_they_say():
    from rnn_helpers import PLANTED_BUGS, loss_and_grads_with_bug

    params = init_params(6, 4, seed=3)
    inputs, targets = np.array([0, 3, 3, 1, 5]), np.array([3, 3, 1, 5, 2])
    h0 = np.linspace(-0.5, 0.5, 4)
    loss, grads, h_T = loss_and_grads(params, inputs, targets, h0)
    for bug in PLANTED_BUGS:
        bad_loss, bad, bad_h = loss_and_grads_with_bug(bug)(params, inputs, targets, h0)
        assert bad_loss == pytest.approx(loss) and np.allclose(bad_h, h_T)
        for k in ("V", "c"):  # after the tanh: untouched by either bug
            np.testing.assert_allclose(bad[k], grads[k], rtol=1e-12, atol=1e-15)
        for k in ("U", "W", "b"):
            assert not np.allclose(bad[k], grads[k], rtol=1e-3)
    with pytest.raises(ValueError, match="unknown bug"):
        loss_and_grads_with_bug("sign")


def test_a_planted_bug_with_both_terms_back_is_the_true_gradient():
    # the bug-free loop of loss_and_grads_with_bug, rebuilt from its two pieces: with T = 1
    # there is no later step, so dropping the path through h_{t+1} changes nothing
    from rnn_helpers import loss_and_grads_with_bug

    params = init_params(5, 3, seed=1)
    _, grads, _ = loss_and_grads(params, np.array([2]), np.array([4]))
    _, same, _ = loss_and_grads_with_bug("path through h_{t+1}")(params, np.array([2]),
                                                                   np.array([4]))
    for k in grads:
        np.testing.assert_allclose(same[k], grads[k], rtol=1e-12, atol=1e-15)


# --- every cell, and any loss_and_grads -------------------------------------------------------

# The rule above, for every cell (grad_check_report with rtol=RTOL and its default atol).
# The gated cells need its floor on some of these models: entries of a few 1e-6 to 1e-5, where
# the loss's round-off is a large share. Measured: the LSTM has 3 entries with |a - n| >
# 1e-7 |n| ("single": two of 8e-6, an input and an output gate row of W; "saturated batched
# state": one of 2.1e-6, a forget gate row of U), the GRU 3 ("single", "batched", "nonzero
# state": U entries of 9e-6 to 1.8e-5 in the reset gate's rows); their |a - n| = 2.4e-12 to
# 6.3e-12 against a floor of 1e-10 to 1.4e-10, their relative errors 1.4e-7 to 6.0e-7. The
# RNN's relative errors are below 1e-7 everywhere.
CELL_CASES = {
    "single": dict(T=10),
    "batched": dict(T=8, B=3),
    "nonzero state": dict(T=10, state=True),
    "saturated batched state": dict(T=8, B=2, scale=3.0, state=True),
}


@pytest.mark.parametrize("case", CELL_CASES)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_and_its_state_pass_at_1e_7(cell, case):
    """All parameters and dL/dstate (h0, and s0 for the LSTM), every entry, float64."""
    params, x, y, state = make_case(cell, **CELL_CASES[case])
    report = grad_check_report(params, x, y, state, check_state=True, rtol=RTOL, **SMALL)
    names = list(PARAM_NAMES) + (["h0", "s0"] if cell == "lstm" else ["h0"])
    assert [r.name for r in report.rows] == names
    assert report.passed, str(report)
    assert all(r.rtol == RTOL and r.atol == gc.default_atol(report.loss, SMALL["eps"])
               for r in report.rows)
    if cell == "rnn":
        assert max(report.max_rel_errors().values()) < 1e-7, str(report)
    # the cell is read from the shapes; naming it gives the same errors
    errors = report.max_rel_errors()
    assert grad_check(params, x, y, state, cell=cell, **SMALL) == {
        k: v for k, v in errors.items() if k in PARAM_NAMES}


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_at_a_realistic_size_pass_entrywise(cell):
    """K = 65, H = 64, T = 25, B = 2, nonzero state: 60 sampled entries per parameter and
    state part (nonzero ones first, the largest always), two-point differences."""
    params, x, y, state = make_case(cell, K=65, H=64, T=25, B=2, state=True, seed=3)
    report = grad_check_report(params, x, y, state, num_checks=60, check_state=True)
    assert report.passed, str(report)
    assert [r.name for r in report.rows][-2:] == (["h0", "s0"] if cell == "lstm" else ["c", "h0"])


def test_the_numeric_side_differentiates_the_given_loss_and_grads():
    """loss_and_grads= serves both sides: a function whose loss and gradients are both
    doubled is consistent (passes); as analytic= only, against the true loss, it fails."""
    from rnn_helpers.lstm import lstm_loss_and_grads

    params, x, y, state = make_case("lstm", T=6, state=True)

    def doubled(p, inputs, targets, st=None):
        loss, grads, last = lstm_loss_and_grads(p, inputs, targets, st)
        return 2 * loss, {k: 2 * g for k, g in grads.items()}, last

    consistent = grad_check_report(params, x, y, state, loss_and_grads=doubled, rtol=RTOL,
                                   **SMALL)
    assert consistent.passed, str(consistent)
    assert consistent.loss == pytest.approx(2 * lstm_loss_and_grads(params, x, y, state)[0])
    against_true_loss = grad_check_report(params, x, y, state, analytic=doubled, rtol=RTOL,
                                          **SMALL)
    assert not any(r.passed for r in against_true_loss.rows)


def test_a_planted_lstm_bug_is_caught_where_it_is():
    """Drop the forget gate's path ds_{t-1} = f_t * ds_t from a correct LSTM backward pass
    written in the test (a loop over the forward steps of tests/cases.py, float64): W, U and
    b fail, V and c (after the recurrence) pass."""

    def lstm_with(bug):
        def loss_and_grads(p, inputs, targets, state=None):
            W, V = p["W"], p["V"]
            H = V.shape[1]
            h, s = reference_zero_state("lstm", H) if state is None else state
            cache, loss = [], 0.0
            for ix, y in zip(inputs, targets, strict=True):
                (h_new, s_new), z, gates = reference_step("lstm", p, (h, s), ix, gates=True)
                i, f, g, o = (gates[k] for k in "ifgo")
                prob = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
                loss -= np.log(prob[y])
                cache.append((ix, y, h, s, i, f, g, o, s_new, h_new, prob))
                h, s = h_new, s_new
            grads = {k: np.zeros_like(v) for k, v in p.items()}
            dh_next, ds_next = np.zeros(H), np.zeros(H)
            for ix, y, h_prev, s_prev, i, f, g, o, s_t, h_t, prob in reversed(cache):
                dz = prob.copy()
                dz[y] -= 1
                grads["V"] += np.outer(dz, h_t)
                grads["c"] += dz
                dh = V.T @ dz + dh_next
                ds = dh * o * (1 - np.tanh(s_t) ** 2) + ds_next
                da = np.concatenate([ds * g * i * (1 - i), ds * s_prev * f * (1 - f),
                                     ds * i * (1 - g**2), dh * np.tanh(s_t) * o * (1 - o)])
                grads["U"][:, ix] += da
                grads["W"] += np.outer(da, h_prev)
                grads["b"] += da
                dh_next = W.T @ da
                ds_next = np.zeros(H) if bug else ds * f
            return loss, grads, (h, s)
        return loss_and_grads

    params, x, y, state = make_case("lstm", T=8, state=True)
    good = grad_check_report(params, x, y, state, loss_and_grads=lstm_with(False), rtol=RTOL,
                             **SMALL)
    assert good.passed, str(good)
    bad = grad_check_report(params, x, y, state, loss_and_grads=lstm_with(True), rtol=RTOL,
                            **SMALL)
    assert {r.name: r.passed for r in bad.rows} == {"U": False, "W": False, "V": True,
                                                    "b": False, "c": True}


def test_a_model_of_ones_own_with_other_parameter_names():
    """Any dict of float arrays with its own loss_and_grads: here softmax regression on the
    previous character, logits = A[:, x] + d (a bigram model), gradients by hand."""

    def bigram(p, inputs, targets, state=None):
        z = p["A"][:, inputs].T + p["d"]  # (T, K)
        prob = np.exp(z - z.max(1, keepdims=True))
        prob /= prob.sum(1, keepdims=True)
        loss = -np.log(prob[np.arange(len(targets)), targets]).sum()
        dz = prob.copy()
        dz[np.arange(len(targets)), targets] -= 1
        dA = np.zeros_like(p["A"])
        np.add.at(dA.T, inputs, dz)
        return loss, {"A": dA, "d": dz.sum(0)}, state

    rng = np.random.default_rng(0)
    p = {"A": rng.normal(size=(6, 6)).astype(np.float32), "d": rng.normal(size=6)}
    x, y = rng.integers(0, 6, 12), rng.integers(0, 6, 12)
    report = grad_check_report(p, x, y, loss_and_grads=bigram, **SMALL)
    assert [r.name for r in report.rows] == ["A", "d"] and report.passed, str(report)
    assert max(report.max_rel_errors().values()) < 1e-7
    assert p["A"].dtype == np.float32  # the caller's params are untouched


def test_gated_float32_params_are_checked_in_float64():
    params, x, y, _ = make_case("gru", T=8)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    report = grad_check_report(p32, x, y, rtol=RTOL, **SMALL)
    assert report.passed, str(report)
    # the same check as on the float32 values held in float64
    p64 = {k: v.astype(np.float64) for k, v in p32.items()}
    assert report.max_rel_errors() == grad_check_report(p64, x, y, rtol=RTOL,
                                                        **SMALL).max_rel_errors()
    assert p32["W"].dtype == np.float32


def test_bad_arguments_of_the_general_check():
    params, x, y, state = make_case("lstm", T=5, state=True)
    from rnn_helpers.lstm import lstm_loss_and_grads

    with pytest.raises(ValueError, match="check_state needs the cell's backward"):
        grad_check(params, x, y, state, loss_and_grads=lstm_loss_and_grads, check_state=True)
    with pytest.raises(ValueError, match="not a GRU's"):
        grad_check(params, x, y, state, cell="gru")
    with pytest.raises(ValueError, match="pair"):
        grad_check(params, x, y, state[0])

    def no_w(p, inputs, targets, st=None):
        loss, grads, last = lstm_loss_and_grads(p, inputs, targets, st)
        del grads["W"]
        return loss, grads, last

    with pytest.raises(ValueError, match="no W"):
        grad_check(params, x, y, state, loss_and_grads=no_w)
    with pytest.raises(TypeError, match="floating"):
        grad_check({"A": np.arange(3)}, x, y, loss_and_grads=no_w)


def test_states_as_lists():
    """An RNN's h0 may be a list of numbers; an LSTM's state a list [h0, s0]; a single
    array for the LSTM is refused, naming the pair."""
    params, x, y, h0 = make_case(**SMALL_CASES["nonzero_h0"])
    assert grad_check(params, x, y, list(h0), **SMALL) == grad_check(params, x, y, h0, **SMALL)
    lstm, xl, yl, state = make_case("lstm", T=5, state=True)
    assert (grad_check(lstm, xl, yl, list(state), check_state=True, **SMALL)
            == grad_check(lstm, xl, yl, state, check_state=True, **SMALL))
    with pytest.raises(ValueError, match="pair"):
        grad_check(lstm, xl, yl, state[0], check_state=True)


def test_states_as_lists_with_a_loss_and_grads_of_ones_own():
    """With loss_and_grads= (the cell unknown), h0 as a list of numbers stays one array; a
    list or tuple of arrays is a state of several parts (here the LSTM's (h0, s0))."""
    from rnn_helpers.lstm import lstm_loss_and_grads

    received = []

    def spy(loss_and_grads):
        def wrapped(p, inputs, targets, st=None):
            received.append(st)
            return loss_and_grads(p, inputs, targets, st)
        return wrapped

    params, x, y, h0 = make_case(**SMALL_CASES["nonzero_h0"])
    as_list = grad_check(params, x, y, h0.tolist(), loss_and_grads=spy(loss_and_grads), **SMALL)
    assert all(isinstance(st, np.ndarray) and st.shape == h0.shape for st in received)
    assert as_list == grad_check(params, x, y, h0, loss_and_grads=loss_and_grads, **SMALL)
    lstm, xl, yl, state = make_case("lstm", T=5, state=True)
    received.clear()
    as_list = grad_check(lstm, xl, yl, list(state), loss_and_grads=spy(lstm_loss_and_grads),
                         **SMALL)
    assert all(isinstance(st, tuple) and len(st) == 2 for st in received)
    assert as_list == grad_check(lstm, xl, yl, state, loss_and_grads=lstm_loss_and_grads,
                                 **SMALL)
