"""Notebook 02's checks: a right answer passes, each classic mistake is named, nothing leaks.

The wrong answers are written here the way a learner would write them, independently of
the variants in rnn_helpers.checks.nb02."""

import time

import numpy as np
import pytest
from exercises import (
    assert_all_differ,
    check_cells,
    expected_and_mistakes,
    solution_namespace,
    stub,
)

from rnn_helpers import checks, init_params
from rnn_helpers.checks import NOT_DONE, NOT_YET, nb02


def verdict(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # one line per check
    return out


# --- the forward loop --------------------------------------------------------------------

def forward(params, inputs, h0):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    h, logits, hs = h0, [], []
    for x in inputs:
        h = np.tanh(U[:, x] + W @ h + b)
        hs.append(h)
        logits.append(V @ h + c)
    return np.array(logits), np.array(hs), h


def forward_stacked(params, inputs, h0):  # another right answer: preallocated arrays
    T, H = len(inputs), len(h0)
    hs = np.zeros((T + 1, H))
    hs[0] = h0
    for t in range(T):
        hs[t + 1] = np.tanh(params["U"][:, inputs[t]] + params["W"] @ hs[t] + params["b"])
    logits = hs[1:] @ params["V"].T + params["c"]
    return logits, hs[1:], hs[-1]


def no_recurrence(params, inputs, h0):
    U, V, b, c = params["U"], params["V"], params["b"], params["c"]
    hs = [np.tanh(U[:, x] + b) for x in inputs]
    return np.array([V @ h + c for h in hs]), np.array(hs), hs[-1]


def no_tanh(params, inputs, h0):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    h, logits, hs = h0, [], []
    for x in inputs:
        h = U[:, x] + W @ h + b
        hs.append(h)
        logits.append(V @ h + c)
    return np.array(logits), np.array(hs), h


def h_times_w(params, inputs, h0):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    h, logits, hs = h0, [], []
    for x in inputs:
        h = np.tanh(U[:, x] + h @ W + b)
        hs.append(h)
        logits.append(V @ h + c)
    return np.array(logits), np.array(hs), h


def never_updated(params, inputs, h0):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    logits, hs = [], []
    for x in inputs:
        h = np.tanh(U[:, x] + W @ h0 + b)
        hs.append(h)
        logits.append(V @ h + c)
    return np.array(logits), np.array(hs), h


def logits_one_step_late(params, inputs, h0):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    h, logits, hs = h0, [], []
    for x in inputs:
        logits.append(V @ h + c)
        h = np.tanh(U[:, x] + W @ h + b)
        hs.append(h)
    return np.array(logits), np.array(hs), h


def no_b(params, inputs, h0):
    U, W, V, c = params["U"], params["W"], params["V"], params["c"]
    h, logits, hs = h0, [], []
    for x in inputs:
        h = np.tanh(U[:, x] + W @ h)
        hs.append(h)
        logits.append(V @ h + c)
    return np.array(logits), np.array(hs), h


def no_c(params, inputs, h0):
    U, W, V, b = params["U"], params["W"], params["V"], params["b"]
    h, logits, hs = h0, [], []
    for x in inputs:
        h = np.tanh(U[:, x] + W @ h + b)
        hs.append(h)
        logits.append(V @ h)
    return np.array(logits), np.array(hs), h


def keeps_h0(params, inputs, h0):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    hs = [h0]
    for x in inputs:
        hs.append(np.tanh(U[:, x] + W @ hs[-1] + b))
    return np.array([V @ h + c for h in hs[1:]]), np.array(hs), hs[-1]


def u_row(params, inputs, h0):  # the row of U: (K,) does not add to (H,)
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    h, logits, hs = h0, [], []
    for x in inputs:
        h = np.tanh(U[x] + W @ h + b)
        hs.append(h)
        logits.append(V @ h + c)
    return np.array(logits), np.array(hs), h


def forgot_return(params, inputs, h0):
    forward(params, inputs, h0)


def secret_digits(values):
    """Distinctive digit strings of the expected values, which no check may print."""
    flat = np.concatenate([np.ravel(v) for v in values])
    return {f"{abs(v):.4f}"[2:6] for v in flat if abs(v) > 1e-3}


@pytest.mark.parametrize("fn", [forward, forward_stacked])
def test_forward_loop_passes_right_answers(fn, capsys):
    assert checks.check_forward_loop(fn) is True
    assert verdict(capsys) == "✓ the forward loop matches.\n"


@pytest.mark.parametrize(("fn", "says"), [
    (no_recurrence, "no W h_{t-1} term"),
    (no_tanh, "not passed through tanh"),
    (h_times_w, "h @ W, which is W transposed"),
    (never_updated, "every step starts from h0"),
    (logits_one_step_late, "come from h_{t-1}, one step late"),
    (no_b, "hidden bias b is missing"),
    (no_c, "output bias c is missing"),
    (keeps_h0, "hs holds h_0 too"),
])
def test_forward_loop_names_each_mistake(fn, says, capsys):
    assert checks.check_forward_loop(fn) is False
    out = verdict(capsys)
    assert out.startswith("✗ the forward loop: ") and says in out, out
    params, h0 = nb02._loop_params()
    expected = forward(params, nb02._INPUTS, h0)
    assert not any(d in out for d in secret_digits(expected))


def test_forward_loop_reports_a_crash_with_the_learners_line(capsys):
    assert checks.check_forward_loop(u_row) is False
    out = verdict(capsys)
    assert "ValueError" in out and "U[x] + W @ h + b" in out and "column U[:, x_t]" in out


def test_forward_loop_stub_and_missing_return(capsys):
    assert checks.check_forward_loop(stub) is False
    assert verdict(capsys) == f"… the forward loop: {NOT_DONE}\n"
    assert checks.check_forward_loop(forgot_return) is False
    assert "forget `return`" in verdict(capsys)


def test_forward_loop_every_mistake_differs_from_the_others():
    from rnn_helpers.checks.core import _difference
    params, h0 = nb02._loop_params()
    values = [forward(params, nb02._INPUTS, h0)]
    values += [nb02._loop_variant(params, nb02._INPUTS, h0, **{k: v})
               for k, v, _ in nb02._LOOP_MISTAKES]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert _difference(a, b, 1e-6, 1e-10) is not None


def test_forward_loop_is_fast(capsys):
    start = time.perf_counter()
    checks.check_forward_loop(no_tanh)
    assert time.perf_counter() - start < 0.5


# --- exercise 1: the shape of the logits -------------------------------------------------

PARAMS = init_params(34, 64, seed=0)


def test_logits_shape(capsys):
    assert checks.check_logits_shape((8, 50, 34), PARAMS)
    assert checks.check_logits_shape([8, 50, 34], PARAMS)  # a list is fine too
    assert capsys.readouterr().out == "✓ the shape of the logits matches.\n" * 2
    assert not checks.check_logits_shape(None, PARAMS)
    assert NOT_YET in verdict(capsys)


@pytest.mark.parametrize(("answer", "says"), [
    ((8, 50, 64), "shape of the hidden states"),
    ((8, 50), "shape of the inputs"),
    ((50, 8, 34), "batch first"),
    ((50, 34), "one sequence's logits"),
    ((8, 34), "a row of scores per time step"),
])
def test_logits_shape_names_each_mistake(answer, says, capsys):
    assert checks.check_logits_shape(answer, PARAMS) is False
    out = verdict(capsys)
    assert says in out and "34" not in out and "50" not in out


# --- exercise 2: one step by hand --------------------------------------------------------

U = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.6]])
W = np.array([[0.1, -0.4], [0.2, 0.3]])
B = np.array([0.0, 0.1])
H0 = np.array([0.5, -0.5])


def test_h1_right_answer(capsys):
    assert checks.check_h1(np.tanh(U[:, 2] + W @ H0 + B), U, W, B, H0, 2)
    assert verdict(capsys) == "✓ h_1 matches.\n"


@pytest.mark.parametrize(("answer", "says"), [
    (np.tanh(U[:, 2] + B), "W @ h0 is missing"),
    (U[:, 2] + W @ H0 + B, "tanh is missing"),
    (np.tanh(U[:, 2] + H0 @ W + B), "h0 @ W is W transposed"),
    (np.tanh(U[:, 2] + W @ H0), "bias b is missing"),
    (np.tanh(U[:, 2] + B) + W @ H0, "W @ h0 belongs inside it too"),
])
def test_h1_names_each_mistake(answer, says, capsys):
    assert checks.check_h1(answer, U, W, B, H0, 2) is False
    out = verdict(capsys)
    assert says in out
    assert not any(d in out for d in secret_digits([np.tanh(U[:, 2] + W @ H0 + B)]))


def test_h1_wrong_shape_says_so(capsys):
    assert not checks.check_h1(np.zeros(3), U, W, B, H0, 2)
    assert "has shape (3,), expected (2,)" in verdict(capsys)


# --- exercise 3: the slope of a saturated tanh -------------------------------------------

def test_tanh_slope(capsys):
    assert checks.check_tanh_slope(1 - np.tanh(3.0) ** 2, 3.0)
    assert checks.check_tanh_slope(1 / np.cosh(3.0) ** 2, 3.0)
    assert capsys.readouterr().out == "✓ tanh'(3) matches.\n" * 2


@pytest.mark.parametrize(("answer", "says"), [
    (1 - 3.0 ** 2, "you squared a"),
    (np.tanh(3.0), "tanh(a) itself"),
    (1 - np.tanh(3.0), "is not squared"),
    (np.tanh(3.0) ** 2, "1 minus it"),
    (0.01, "rounded prediction"),
    (0.0099, "a value rounded by hand is not precise enough"),
])
def test_tanh_slope_names_each_mistake(answer, says, capsys):
    assert checks.check_tanh_slope(answer, 3.0) is False
    out = verdict(capsys)
    assert says in out and "0.0098" not in out and "0.00987" not in out


# --- the notebook ------------------------------------------------------------------------

def test_notebook_check_cells_hold_only_check_calls_and_its_solution_passes(capsys):
    path = "notebooks/02_forward_pass.ipynb"
    assert check_cells(path) == [
        "_ = checks.check_forward_loop(rnn_forward_loop)",
        "_ = checks.check_logits_shape(answer_1, params)",
        "_ = checks.check_h1(answer_2, U_small, W_small, b_small, h0_small, x1)",
        "_ = checks.check_tanh_slope(answer_3, a)",
    ]
    solutions = solution_namespace(path)
    assert checks.check_forward_loop(solutions["rnn_forward_loop"])
    assert verdict(capsys) == "✓ the forward loop matches.\n"


@pytest.mark.parametrize("check, args, n_mistakes", [  # the notebook's own arguments
    (nb02.check_logits_shape, (init_params(34, 64, seed=0),), 5),
    (nb02.check_h1, (U, W, B, H0, 2), 5),
    (nb02.check_tanh_slope, (3.0,), 5),
])
def test_every_prediction_mistake_differs_from_the_answer_and_the_others(
        monkeypatch, check, args, n_mistakes):
    seen = expected_and_mistakes(monkeypatch, nb02, check, *args)
    assert len(seen["mistakes"]) == n_mistakes
    assert_all_differ(seen)
