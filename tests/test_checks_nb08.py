"""Notebook 08's exercise checks: a correct answer passes, each classic mistake is named, the
stub is "not done yet", a crash shows the learner's line, the package's own function is
refused, and no check prints the expected answer.

The wrong answers here are written the way a learner would write them, independently of the
variants the checks compute.
"""

import math
import re

import numpy as np
import pytest
from exercises import assert_all_differ, digits_of, expected_and_mistakes, stub, verdict

import rnn_helpers as rh
from rnn_helpers import checks
from rnn_helpers.checks import nb08

NOT_DONE = "not done yet"


def no_entry_printed(values, out):
    """True if no value appears in the output with 3 or 4 decimals."""
    return not any(f"{v:.4f}" in out or f"{v:.3f}" in out for v in np.ravel(values))


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


# --- one LSTM step forward ---------------------------------------------------------------

def forward_right(params, ix, h_prev, s_prev):
    U, W, b = params["U"], params["W"], params["b"]
    H = len(h_prev)
    a = U[:, ix] + W @ h_prev + b
    i, f, g, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
    s = f * s_prev + i * g
    h = o * np.tanh(s)
    return h, s, (i, f, g, o)


def forward_right_split(params, ix, h_prev, s_prev):
    """Correct too: rows of a batch-style product, np.split, rh.sigmoid, gates as an array."""
    a = params["U"].T[ix] + h_prev @ params["W"].T + params["b"]
    a_i, a_f, a_g, a_o = np.split(a, 4)
    i, f, o = rh.sigmoid(a_i), rh.sigmoid(a_f), rh.sigmoid(a_o)
    g = np.tanh(a_g)
    s = f * s_prev + i * g
    return o * np.tanh(s), s, np.stack([i, f, g, o])


def forward_with(ix_order="ifgo", g_fn=np.tanh, o_fn=sig, i_fn=sig, f_fn=sig, h_tanh=True,
                 use_i=True, use_f=True, use_b=True, swap=False, pre=False, out_order="ifgo"):
    """A learner's step with one or more mistakes, as separately written code would make them."""
    def step(params, ix, h_prev, s_prev):
        U, W, b = params["U"], params["W"], params["b"]
        a = U[:, ix] + W @ h_prev
        if use_b:
            a = a + b
        parts = dict(zip(ix_order, np.split(a, 4), strict=True))
        i, f, g, o = i_fn(parts["i"]), f_fn(parts["f"]), g_fn(parts["g"]), o_fn(parts["o"])
        s = (f * s_prev if use_f else s_prev) + (i * g if use_i else g)
        h = o * np.tanh(s) if h_tanh else o * s
        gates = dict(zip("ifgo", (parts[k] for k in "ifgo") if pre else (i, f, g, o),
                         strict=True))
        out = tuple(gates[k] for k in out_order)
        return (s, h, out) if swap else (h, s, out)
    return step


@pytest.mark.parametrize("fn", [forward_right, forward_right_split, forward_with()])
def test_forward_passes_a_correct_step(capsys, fn):
    verdict(capsys, checks.check_lstm_step_forward(fn), True, "✓ lstm_step_forward matches.")


@pytest.mark.parametrize("fn, says", [
    (forward_with(ix_order="ifog"), "wrong rows, in the order i, f, o, g"),
    (forward_with(ix_order="figo"), "wrong rows, in the order f, i, g, o"),
    (forward_with(ix_order="gifo"), "wrong rows, in the order g, i, f, o"),
    (forward_with(g_fn=sig), "g has a sigmoid"),
    (forward_with(o_fn=np.tanh), "o has a tanh"),
    (forward_with(g_fn=sig, o_fn=np.tanh), "the nonlinearities of g and o are swapped"),
    (forward_with(i_fn=np.tanh, f_fn=np.tanh, o_fn=np.tanh), "every gate has a tanh"),
    (forward_with(h_tanh=False), "h = o * s is missing the tanh"),
    (forward_with(use_i=False), "without the input gate"),
    (forward_with(use_f=False), "without the forget gate"),
    (forward_with(use_b=False), "the bias b is missing"),
    (forward_with(swap=True), "h and s are swapped"),
    (forward_with(pre=True), "before their nonlinearity"),
    (forward_with(out_order="ifog"), "returned in the order i, f, o, g"),
    (forward_with(use_b=False, h_tanh=False), "two mistakes"),
])
def test_forward_names_each_mistake(capsys, fn, says):
    out = verdict(capsys, checks.check_lstm_step_forward(fn), False, "✗ lstm_step_forward: ",
                  says)
    assert ("two mistakes" in out) is (says == "two mistakes")


def test_forward_names_the_parts_as_the_equations_do(capsys):
    def gate_i_wrong(params, ix, h_prev, s_prev):
        h, s, (i, f, g, o) = forward_right(params, ix, h_prev, s_prev)
        return h, s, (i + 1, f, g, o)

    out = verdict(capsys, checks.check_lstm_step_forward(gate_i_wrong), False,
                  "gates[0] (i): 3 of 3 entries differ")
    assert "result[" not in out
    verdict(capsys, checks.check_lstm_step_forward(lambda *a: forward_right(*a)[:2]), False,
            "expected 3 results")


def test_forward_crashes_show_the_line(capsys):
    def W_transposed(params, ix, h_prev, s_prev):
        a = params["U"][:, ix] + params["W"].T @ h_prev + params["b"]
        return a, a, (a, a, a, a)

    def U_row(params, ix, h_prev, s_prev):
        a = params["U"][ix] + params["W"] @ h_prev + params["b"]
        return a, a, (a, a, a, a)

    for fn, line in ((W_transposed, "params[\"W\"].T @ h_prev"), (U_row, "params[\"U\"][ix]")):
        verdict(capsys, checks.check_lstm_step_forward(fn), False, "your function raised",
                "ValueError", "of your code", line, "U[:, ix] is the column")


def test_forward_stub_none_and_the_package_refused(capsys):
    verdict(capsys, checks.check_lstm_step_forward(stub), False, NOT_DONE)
    verdict(capsys, checks.check_lstm_step_forward(None), False, "Not answered yet")

    def no_return(params, ix, h_prev, s_prev):
        forward_right(params, ix, h_prev, s_prev)

    verdict(capsys, checks.check_lstm_step_forward(no_return), False, "forget `return`")

    def with_lstm_step(params, ix, h_prev, s_prev):
        (h, s), _ = rh.lstm_step(params, (h_prev, s_prev), ix)
        return h, s, forward_right(params, ix, h_prev, s_prev)[2]

    def with_lstm_forward(params, ix, h_prev, s_prev):
        _, cache = rh.lstm_forward(params, np.array([ix]), (h_prev, s_prev))
        return cache["hs"][1, 0], cache["ss"][1, 0], tuple(cache["gates"][:, 0, 0])

    def with_the_checks_variant(params, ix, h_prev, s_prev):
        return nb08._forward_variant(params, ix, h_prev, s_prev)

    for fn, name in ((with_lstm_step, "lstm_step"), (with_lstm_forward, "lstm_forward"),
                     (with_the_checks_variant, "_forward_variant")):
        verdict(capsys, checks.check_lstm_step_forward(fn), False,
                f"rh.{name}, the package's own version")
    verdict(capsys, checks.check_lstm_step_forward(forward_right), True)  # put back


def test_forward_prints_no_entry_of_the_answer(capsys):
    params, ix, h_prev, s_prev = nb08._forward_inputs()
    h, s, gates = forward_right(params, ix, h_prev, s_prev)
    for fn in (forward_with(use_b=False), forward_with(g_fn=sig, h_tanh=False),
               forward_with(ix_order="ifog"), lambda p, ix, h, s: (h, s, (h, h, h, h))):
        checks.check_lstm_step_forward(fn)
    assert no_entry_printed(np.concatenate([h, s, *gates]), capsys.readouterr().out)


def test_forward_check_inputs_make_every_mistake_distinct():
    args = nb08._forward_inputs()
    params, ix, h_prev, s_prev = args
    assert params["U"].shape[1] not in (4 * len(h_prev), len(h_prev))  # a row U[ix] fails
    assert np.abs(h_prev).min() > 0.05 and np.abs(s_prev).min() > 0.05
    expected = nb08._expected_step(*args)
    mistakes = nb08._mistakes(nb08._forward_variant, args, nb08._FORWARD_MISTAKES,
                              nb08._FORWARD_PAIRED)
    assert_distinct([expected] + [m.value for m in mistakes])


def flat(result):
    """One vector from nested tuples of arrays."""
    if isinstance(result, tuple | list):
        return np.concatenate([flat(r) for r in result])
    return np.ravel(result)


def assert_distinct(results, rtol=1e-3):
    vectors = np.array([flat(r) for r in results])
    for n, v in enumerate(vectors):
        same = np.all(np.isclose(vectors[:n], v, rtol=rtol, atol=1e-8), axis=1)
        assert not same.any(), (n, np.flatnonzero(same))


# --- one LSTM step backward --------------------------------------------------------------

def backward_right(W, dh, ds, s_prev, s, gates):
    i, f, g, o = gates
    ds_t = ds + dh * o * (1 - np.tanh(s) ** 2)
    do = dh * np.tanh(s)
    di = ds_t * g
    df = ds_t * s_prev
    dg = ds_t * i
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2),
                         do * o * (1 - o)])
    return da, W.T @ da, ds_t * f


def backward_right_rows(W, dh, ds, s_prev, s, gates):
    """Correct too: a row-vector product, np.hstack, tanh(s) kept once."""
    i, f, g, o = gates
    th = np.tanh(s)
    ds_total = ds + dh * o * (1.0 - th * th)
    da = np.hstack([ds_total * g * i * (1 - i), ds_total * s_prev * f * (1 - f),
                    ds_total * i * (1 - g * g), dh * th * o * (1 - o)])
    return da, da @ W, f * ds_total


def backward_with(future=True, local=True, local_o=True, local_fn=lambda s: 1 - np.tanh(s) ** 2,
                  forget=True, sig_d=None, g_d=lambda g: 1 - g ** 2, do_fn=np.tanh,
                  back="WT", order="ifgo"):
    """A learner's step backwards with one or more mistakes. sig_d: {gate: derivative} for
    the sigmoid gates written wrong."""
    sig_d = sig_d or {}

    def step(W, dh, ds, s_prev, s, gates):
        i, f, g, o = gates
        ds_t = ds if future else np.zeros_like(ds)
        if local:
            ds_t = ds_t + dh * (o if local_o else 1.0) * local_fn(s)
        do = dh * do_fn(s)
        di, df, dg = ds_t * g, ds_t * s_prev, ds_t * i
        right = {"i": i * (1 - i), "f": f * (1 - f), "o": o * (1 - o)}
        x = {"i": i, "f": f, "o": o}
        dd = {k: sig_d[k](x[k]) if k in sig_d else right[k] for k in "ifo"}
        blocks = {"i": di * dd["i"], "f": df * dd["f"], "g": dg * g_d(g), "o": do * dd["o"]}
        da = np.concatenate([blocks[k] for k in order])
        dh_prev = {"WT": W.T @ da, "W": None, "zero": np.zeros_like(dh), "dh": dh}[back]
        if back == "W":
            dh_prev = W @ da
        return da, dh_prev, ds_t * f if forget else ds_t
    return step


@pytest.mark.parametrize("fn", [backward_right, backward_right_rows, backward_with()])
def test_backward_passes_a_correct_step(capsys, fn):
    verdict(capsys, checks.check_lstm_step_backward(fn), True, "✓ lstm_step_backward matches.")


ONE_MINUS, ITSELF, NONE = (lambda x: 1 - x), (lambda x: x), (lambda x: 1.0)
TANH_D = lambda x: 1 - x ** 2  # noqa: E731


@pytest.mark.parametrize("fn, says", [
    (backward_with(future=False), "ds_t is missing ds, the gradient from step t + 1"),
    (backward_with(local=False), "ds_t is missing the local term"),
    (backward_with(local_fn=lambda s: np.tanh(s) ** 2), "uses tanh(s)^2 where"),
    (backward_with(local_fn=lambda s: 1 - s ** 2), "the local term uses 1 - s^2"),
    (backward_with(local_o=False), "the local term is missing the output gate"),
    (backward_with(forget=False), "ds_prev = ds_t is missing the forget gate"),
    (backward_with(do_fn=lambda s: s), "do uses s"),
    (backward_with(back="zero"), "dh_prev is zero"),
    (backward_with(back="dh"), "dh_prev is dh passed through unchanged"),
    (backward_with(g_d=lambda g: g ** 2), "derivative of g is written g^2"),
    (backward_with(g_d=lambda g: 1.0), "the tanh derivative of g is missing"),
    (backward_with(g_d=lambda g: 1 - g), "derivative of g is written 1 - g"),
    (backward_with(g_d=lambda g: g * (1 - g)), "g gets a sigmoid derivative"),
    (backward_with(sig_d={"i": ONE_MINUS, "f": ONE_MINUS, "o": ONE_MINUS}),
     "the sigmoid derivative of the gates i, f and o is written 1 - sigma"),
    (backward_with(sig_d={"f": ONE_MINUS}),
     "the sigmoid derivative of the forget gate f is written 1 - sigma"),
    (backward_with(sig_d={"i": ITSELF, "f": ITSELF, "o": ITSELF}),
     "of the gates i, f and o is written sigma"),
    (backward_with(sig_d={"o": ITSELF}), "of the output gate o is written sigma"),
    (backward_with(sig_d={"i": NONE}), "the sigmoid derivative of the input gate i is missing"),
    (backward_with(sig_d={"i": TANH_D, "f": TANH_D, "o": TANH_D}), "get the tanh derivative"),
    (backward_with(order="ifog"), "stacked in the order i, f, o, g"),
    (backward_with(order="oifg"), "stacked in the order o, i, f, g"),
    (backward_with(future=False, forget=False), "two mistakes"),
    (backward_with(sig_d={"f": ONE_MINUS}, do_fn=lambda s: s), "two mistakes"),
])
def test_backward_names_each_mistake(capsys, fn, says):
    out = verdict(capsys, checks.check_lstm_step_backward(fn), False,
                  "✗ lstm_step_backward: ", says)
    assert ("two mistakes" in out) is (says == "two mistakes")


def test_backward_names_the_parts_and_the_first_wrong_one_for_three_mistakes(capsys):
    three = backward_with(future=False, forget=False, g_d=lambda g: 1.0)
    out = verdict(capsys, checks.check_lstm_step_backward(three), False,
                  "✗ lstm_step_backward: da: ", "It looks like this: ")
    assert "result[" not in out

    def only_ds_prev_wrong(*args):
        da, dh_prev, ds_prev = backward_right(*args)
        return da, dh_prev, 2 * ds_prev

    verdict(capsys, checks.check_lstm_step_backward(only_ds_prev_wrong), False,
            "✗ lstm_step_backward: ds_prev: 3 of 3 entries differ")


def test_backward_crash_shows_the_line_and_the_shapes(capsys):
    verdict(capsys, checks.check_lstm_step_backward(backward_with(back="W")), False,
            "your function raised ValueError", "of your code: `dh_prev = W @ da`",
            "dh_prev = W^T da (W is (4H, H), da (4H,))")


def test_backward_stub_none_and_the_package_refused(capsys):
    verdict(capsys, checks.check_lstm_step_backward(stub), False, NOT_DONE)
    verdict(capsys, checks.check_lstm_step_backward(None), False, "Not answered yet")

    def delegates(W, dh, ds, s_prev, s, gates):
        return rh.lstm_step_backward(W, dh, ds, s_prev, s, gates)

    def hides_it(*args):
        try:
            return delegates(*args)
        except Exception:
            return backward_with(forget=False)(*args)

    def with_the_checks_variant(*args):
        return nb08._backward_variant(*args)

    for fn, name in ((rh.lstm_step_backward, "lstm_step_backward"),
                     (delegates, "lstm_step_backward"), (hides_it, "lstm_step_backward"),
                     (with_the_checks_variant, "_backward_variant")):
        verdict(capsys, checks.check_lstm_step_backward(fn), False,
                f"rh.{name}, the package's own version")
    verdict(capsys, checks.check_lstm_step_backward(backward_right), True)  # put back
    args = nb08._backward_inputs()
    assert rh.lstm_step_backward(*args)[0].shape == (12,)


def test_backward_prints_no_entry_of_the_answer(capsys):
    args = nb08._backward_inputs()
    da, dh_prev, ds_prev = backward_right(*args)
    for fn in (backward_with(future=False), backward_with(forget=False, back="zero"),
               backward_with(order="ifog"), lambda *a: (a[0][:, 0], a[1], a[2])):
        checks.check_lstm_step_backward(fn)
    assert no_entry_printed(np.concatenate([da, dh_prev, ds_prev]), capsys.readouterr().out)


def test_backward_check_inputs_make_every_mistake_distinct():
    args = nb08._backward_inputs()
    W, dh, ds, s_prev, s, gates = args
    assert W.shape == (12, 3) and np.abs(s).max() > 0.3 and np.abs(s_prev).min() > 0.05
    for x in gates[:2] + gates[3:]:  # every sigmoid gate well inside (0, 1)
        assert 0.1 < x.min() and x.max() < 0.9
    assert 0.1 < np.abs(gates[2]).min() and np.abs(gates[2]).max() < 0.9
    mistakes = nb08._mistakes(nb08._backward_variant, args, nb08._BACKWARD_MISTAKES,
                              nb08._BACKWARD_PAIRED)
    assert len(mistakes) > 200
    assert_distinct([backward_right(*args)] + [m.value for m in mistakes])


# --- the number of parameters ------------------------------------------------------------

def test_check_lstm_param_count(capsys):
    K, H = 65, 100
    right = 4 * H * K + 4 * H * H + 4 * H + K * H + K
    verdict(capsys, checks.check_lstm_param_count(right, K, H), True,
            "✓ lstm_param_count matches.")
    p = rh.init_lstm_params(K, H)
    verdict(capsys, checks.check_lstm_param_count(sum(v.size for v in p.values()), K, H), True)
    verdict(capsys, checks.check_lstm_param_count(float(right), K, H), True)
    rnn = H * K + H * H + H + K * H + K
    for wrong, says in [
            (rnn, "the plain RNN's count"),
            (3 * (H * K + H * H + H) + K * H + K, "the GRU's count"),
            (4 * rnn, "V and c are counted four times"),
            (4 * H * K + 4 * H * H + K * H, "the biases are missing"),
            (4 * H * K + 4 * H * H + K * H + K, "the gates' bias b (4H,) is missing"),
            (4 * H * K + 4 * H * H + 4 * H + K * H, "the output bias c (K,) is missing"),
            (right + 4 * H, "PyTorch's bias_ih and bias_hh"),
            (4 * H * K + 4 * H * H + H + K * H + K, "b is counted once"),
            (4 * H * K + H * H + 4 * H + K * H + K, "W is counted once"),
            (H * K + 4 * H * H + 4 * H + K * H + K, "U is counted once"),
            (4 * H * K + 4 * H * 4 * H + 4 * H + K * H + K, "W is counted as (4H, 4H)"),
            (4 * H * K + 4 * H * H + 4 * H, "V and c are missing"),
            (right + 1, "Add the sizes of U (4H, K)")]:
        out = verdict(capsys, checks.check_lstm_param_count(wrong, K, H), False, says)
        assert str(right) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_lstm_param_count(None, K, H), False, "Not answered yet")
    verdict(capsys, checks.check_lstm_param_count(True, K, H), False, "not True or False")
    verdict(capsys, checks.check_lstm_param_count("46165", K, H), False, "expected numbers")


@pytest.mark.parametrize("K, H", [(34, 64), (65, 100), (33, 128), (10, 10), (4, 20), (5, 3)])
def test_param_count_mistakes_all_differ(monkeypatch, K, H):
    assert_all_differ(expected_and_mistakes(monkeypatch, nb08, checks.check_lstm_param_count,
                                            K, H))


def test_param_count_names_both_mistakes_that_give_one_number(capsys):
    K = H = 10  # U and W counted once give the same number
    once = 4 * H * K + H * H + 4 * H + K * H + K
    verdict(capsys, checks.check_lstm_param_count(once, K, H), False,
            "several mistakes give this number", "W is counted once", "Or: U is counted once")


# --- the fraction left after 50 steps ----------------------------------------------------

def test_check_fraction_after_50(capsys):
    s = 1.0
    for _ in range(50):
        s *= 0.95
    right = 0.95 ** 50
    verdict(capsys, checks.check_fraction_after_50(right), True, "✓ fraction_after_50 matches.")
    verdict(capsys, checks.check_fraction_after_50(s), True)
    verdict(capsys, checks.check_fraction_after_50(np.prod(np.full(50, 0.95))), True)
    for wrong, says in [(0.05 ** 50, "0.05, the fraction forgotten"),
                        (1 - 0.95 ** 50, "the fraction lost"),
                        (0.95 * 50, "multiplied by 50"),
                        (1 - 0.05 * 50, "subtracts 5 % per step"),
                        (1, "nothing is lost"), (0, "something is left"),
                        (min(1.0, 0.95 * 50), "nothing is lost"),
                        (max(0.0, 1 - 0.05 * 50), "something is left"),
                        (0.95 ** 49, "49 steps"), (0.95 ** 51, "51 steps"),
                        (math.exp(-2.5), "approximation"),
                        (100 * 0.95 ** 50, "percentage"),
                        (1 / 0.95 ** 50, "the inverse"),
                        (0.5, "multiply by f_t once per step")]:
        out = verdict(capsys, checks.check_fraction_after_50(wrong), False, says)
        assert digits_of(right, 3) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_fraction_after_50(None), False, "Not answered yet")


def test_fraction_mistakes_all_differ(monkeypatch):
    assert_all_differ(expected_and_mistakes(monkeypatch, nb08, checks.check_fraction_after_50))


# --- the forget bias for f = 0.95 --------------------------------------------------------

def test_check_forget_bias_for(capsys):
    right = math.log(19)
    verdict(capsys, checks.check_forget_bias_for(right), True, "✓ forget_bias matches.")
    verdict(capsys, checks.check_forget_bias_for(np.log(0.95 / 0.05)), True)
    verdict(capsys, checks.check_forget_bias_for(-np.log(1 / 0.95 - 1)), True)
    verdict(capsys, checks.check_forget_bias_for(2 * np.arctanh(0.9)), True)
    for wrong, says in [(0.95, "this is f itself"), (-math.log(19), "the sign is flipped"),
                        (np.arctanh(0.95), "atanh(f), the inverse of tanh"),
                        (np.arctanh(0.9), "half the answer"),
                        (math.log(0.95), "this is ln(f)"),
                        (math.log(20), "ln(1 / (1 - f))"),
                        (math.log(0.05), "ln(1 - f)"),
                        (1 / (1 + math.exp(-0.95)), "the sigmoid applied to f"),
                        (1.0, "Solve sigma(b_f)")]:
        out = verdict(capsys, checks.check_forget_bias_for(wrong), False, says)
        assert digits_of(right) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_forget_bias_for(None), False, "Not answered yet")
    # another target: the check follows it
    verdict(capsys, checks.check_forget_bias_for(math.log(9), f_target=0.9), True)
    verdict(capsys, checks.check_forget_bias_for(0.9, f_target=0.9), False, "f itself")


@pytest.mark.parametrize("f_target", [0.95, 0.9, 0.99, 0.75])
def test_forget_bias_mistakes_all_differ(monkeypatch, f_target):
    assert_all_differ(expected_and_mistakes(monkeypatch, nb08, checks.check_forget_bias_for,
                                            f_target=f_target))
