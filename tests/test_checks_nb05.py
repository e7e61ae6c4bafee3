"""Notebook 05's exercise checks: a right answer passes, each classic mistake is named.

The wrong answers are written here the way a learner would write them, independently of the
variants that ``rnn_helpers.checks.nb05`` computes.
"""

import numpy as np
import pytest

import rnn_helpers as rh
from rnn_helpers import checks


def stub(*args, **kwargs):
    raise NotImplementedError("your code here")


def no_digits_of(values, out):
    """True if none of the values appears in the output with 4 decimals."""
    return not any(f"{v:.4f}" in out for v in np.ravel(values))


# --- the backward loop --------------------------------------------------------------------

def learner_loop(params, inputs, h0, h, do, *, tanh=True, path=True, transpose=True,
                 h_prev="right", dU="add", b_sum=True, c_sum=True, dh0="right", dW_T=False):
    """A learner's backward loop; each keyword switches on one classic mistake."""
    U, W, V, b, c = (params[k] for k in ("U", "W", "V", "b", "c"))
    dU_, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    db, dc = np.zeros_like(b), np.zeros_like(c)
    dh_next = np.zeros_like(h0)
    das = np.zeros_like(h)
    for t in reversed(range(len(inputs))):
        dh = V.T @ do[t] + dh_next if path else V.T @ do[t]
        da = (1 - h[t] ** 2) * dh if tanh else dh
        das[t] = da
        if h_prev == "right":
            prev = h0 if t == 0 else h[t - 1]
        elif h_prev == "h_t":
            prev = h[t]
        elif h_prev == "zeros":
            prev = np.zeros_like(h0) if t == 0 else h[t - 1]
        else:  # "wrap": h[-1] at t = 0
            prev = h[t - 1]
        dW += np.outer(prev, da) if dW_T else np.outer(da, prev)
        if dU == "add":
            dU_[:, inputs[t]] += da
        elif dU == "assign":
            dU_[:, inputs[t]] = da
        dV += np.outer(do[t], h[t])
        if b_sum:
            db += da
        else:
            db = da
        if c_sum:
            dc += do[t]
        else:
            dc = do[t]
        first_dh = dh
        dh_next = W.T @ da if transpose else W @ da
    if dU == "fancy":
        dU_[:, inputs] += das.T
    out = {"right": dh_next, "dh": first_dh, "da": das[0], "zeros": np.zeros_like(h0)}[dh0]
    return {"U": dU_, "W": dW, "V": dV, "b": db, "c": dc}, out


def test_backward_loop_right_answer_passes(capsys):
    assert checks.check_rnn_backward_loop(learner_loop) is True
    assert capsys.readouterr().out == "✓ rnn_backward_loop matches.\n"


@pytest.mark.parametrize("bug, says", [
    ({"tanh": False}, "missing the tanh derivative"),
    ({"path": False}, "missing the path through h_{t+1}"),
    ({"transpose": False}, "uses W where backprop needs W^T"),
    ({"dW_T": True}, "dW is transposed"),
    ({"h_prev": "h_t"}, "dW uses h_t where the equation has h_{t-1}"),
    ({"h_prev": "zeros"}, "the previous state there is h0"),
    ({"h_prev": "wrap"}, "wraps around"),
    ({"dU": "assign"}, "add into its column (+=), do not assign (=)"),
    ({"dU": "fancy"}, "fancy-index += writes each column once"),
    ({"b_sum": False}, "db sums da_t over all steps"),
    ({"c_sum": False}, "dc sums do_t over all steps"),
    ({"dh0": "dh"}, "dh0 is dh_1"),
    ({"dh0": "da"}, "dh0 is da_1"),
    ({"dh0": "zeros"}, "dh0 is zero"),
])
def test_backward_loop_names_each_mistake(capsys, bug, says):
    def wrong(*args):
        return learner_loop(*args, **bug)

    assert checks.check_rnn_backward_loop(wrong) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ rnn_backward_loop: ") and says in out
    assert "two mistakes" not in out


def test_backward_loop_names_two_mistakes_at_once(capsys):
    def wrong(*args):
        return learner_loop(*args, tanh=False, dU="assign")

    assert checks.check_rnn_backward_loop(wrong) is False
    out = capsys.readouterr().out
    assert "two mistakes" in out and "tanh derivative" in out and "do not assign" in out


def test_backward_loop_points_at_the_first_wrong_gradient_for_three_mistakes(capsys):
    def wrong(*args):
        return learner_loop(*args, h_prev="h_t", c_sum=False, dh0="zeros")

    assert checks.check_rnn_backward_loop(wrong) is False
    out = capsys.readouterr().out
    # the parts are named like the equations, and the one that differs first is diagnosed
    assert out.startswith("✗ rnn_backward_loop: dW: ") and "result[" not in out
    assert "It looks like this: " in out and "h_{t-1}" in out


def test_backward_loop_says_what_to_return(capsys):
    assert checks.check_rnn_backward_loop(lambda *a: learner_loop(*a)[0]) is False
    assert "expected 2 results" in capsys.readouterr().out
    assert checks.check_rnn_backward_loop(lambda *a: ({}, learner_loop(*a)[1])) is False
    assert "grads: is missing the key(s)" in capsys.readouterr().out


def test_backward_loop_calling_the_package_is_named_not_passed(capsys):
    from rnn_helpers.checks import nb05

    def delegates(params, inputs, h0, h, do):
        _, cache = rh.rnn_forward(params, inputs, h0)
        return rh.rnn_backward(do, cache)

    def hides_it(params, inputs, h0, h, do):
        try:
            return delegates(params, inputs, h0, h, do)
        except Exception:
            return learner_loop(params, inputs, h0, h, do, tanh=False)

    for fn, name in ((delegates, "rnn_backward"), (hides_it, "rnn_backward"),
                     (lambda *a: nb05._bptt_variant(*a), "_bptt_variant")):
        assert checks.check_rnn_backward_loop(fn) is False
        assert f"rh.{name}, the package's own version" in capsys.readouterr().out
    assert checks.check_rnn_backward_loop(learner_loop) is True  # put back afterwards
    assert capsys.readouterr().out == "✓ rnn_backward_loop matches.\n"


def test_backward_loop_stub_is_not_done_yet(capsys):
    assert checks.check_rnn_backward_loop(stub) is False
    assert "not done yet" in capsys.readouterr().out


def test_backward_loop_never_prints_the_expected_gradients(capsys):
    from rnn_helpers.checks.nb05 import _bptt_inputs

    params, inputs, h0, h, do, cache = _bptt_inputs()
    grads, dh0 = rh.rnn_backward(do, cache)
    for bug in ({"tanh": False}, {"dU": "fancy", "dh0": "zeros"}, {"h_prev": "h_t", "path": False,
                                                                  "c_sum": False}):
        checks.check_rnn_backward_loop(lambda *a, bug=bug: learner_loop(*a, **bug))
    out = capsys.readouterr().out
    assert no_digits_of(np.concatenate([g.ravel() for g in grads.values()] + [dh0]), out)


# --- the centred difference ---------------------------------------------------------------

def learner_numgrad(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        saved = x[i]
        x[i] = saved + eps
        up = f()
        x[i] = saved - eps
        down = f()
        x[i] = saved
        grad[i] = (up - down) / (2 * eps)
    return grad


def test_numerical_gradient_right_answers_pass(capsys):
    def arithmetic_restore(f, x, eps=1e-5):
        grad = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            x[i] += eps
            up = f()
            x[i] -= 2 * eps
            down = f()
            x[i] += eps  # back to within a rounding of the original
            grad[i] = (up - down) / (2 * eps)
        return grad

    for fn in (learner_numgrad, arithmetic_restore):
        assert checks.check_numerical_gradient(fn) is True
        assert capsys.readouterr().out == "✓ numerical_gradient matches.\n"


def test_numerical_gradient_calling_the_package_is_named_not_passed(capsys):
    def delegates(f, x, eps=1e-5):
        return rh.numerical_gradient(f, x, eps)

    for fn in (rh.numerical_gradient, delegates):
        assert checks.check_numerical_gradient(fn) is False
        out = capsys.readouterr().out
        assert "rh.numerical_gradient, the package's own version" in out
    assert checks.check_numerical_gradient(learner_numgrad) is True  # put back afterwards
    capsys.readouterr()


def forward(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        base = f()
        old = x[i]
        x[i] = old + eps
        grad[i] = (f() - base) / eps
        x[i] = old
    return grad


def backward(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        base = f()
        old = x[i]
        x[i] = old - eps
        grad[i] = (base - f()) / eps
        x[i] = old
    return grad


def over_eps(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        grad[i] = (up - f()) / eps
        x[i] = old
    return grad


def swapped(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old - eps
        down = f()
        x[i] = old + eps
        grad[i] = (down - f()) / (2 * eps)
        x[i] = old
    return grad


def never_reset(f, x, eps=1e-5):
    saved = x.copy()
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += eps
        up = f()
        x[i] -= 2 * eps  # left there while the next entries move
        grad[i] = (up - f()) / (2 * eps)
    x[...] = saved  # restored at the very end only
    return grad


def never_reset_plus(f, x, eps=1e-5):
    saved = x.copy()
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] -= eps
        down = f()
        x[i] += 2 * eps  # left at + eps
        grad[i] = (f() - down) / (2 * eps)
    x[...] = saved
    return grad


def not_restored(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        grad[i] = (up - f()) / (2 * eps)
    return grad


def on_a_copy(f, x, eps=1e-5):
    x = x.copy()
    return learner_numgrad(f, x, eps)


@pytest.mark.parametrize("fn, says", [
    (forward, "this is the forward difference"),
    (backward, "this is the backward difference"),
    (over_eps, "divide by 2 * eps"),
    (swapped, "the sign is flipped"),
    (never_reset, "each entry is not put back before the next one is perturbed"),
    (never_reset_plus, "each entry is not put back before the next one is perturbed"),
    (not_restored, "x is not restored"),
    (on_a_copy, "perturb x in place"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_numerical_gradient_names_each_mistake(capsys, fn, says):
    assert checks.check_numerical_gradient(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ numerical_gradient: ") and says in out


def test_numerical_gradient_stub_crash_and_none(capsys):
    assert checks.check_numerical_gradient(stub) is False
    assert "not done yet" in capsys.readouterr().out
    assert checks.check_numerical_gradient(lambda f, x, eps=1e-5: x[5, 5]) is False
    assert "your function raised IndexError" in capsys.readouterr().out
    assert checks.check_numerical_gradient(lambda f, x, eps=1e-5: None) is False
    assert "forget `return`" in capsys.readouterr().out
    assert checks.check_numerical_gradient(None) is False
    assert "Not answered yet" in capsys.readouterr().out


def test_numerical_gradient_never_prints_the_gradient(capsys):
    from rnn_helpers.checks.nb05 import _numgrad_f, _numgrad_x

    x = _numgrad_x()
    expected = rh.numerical_gradient(_numgrad_f(x), x, 1e-3)
    for fn in (forward, over_eps, swapped, never_reset):
        checks.check_numerical_gradient(fn)
    assert no_digits_of(expected, capsys.readouterr().out)


# --- the predict-then-check exercises -----------------------------------------------------

@pytest.fixture(scope="module")
def tiny():
    vocab = rh.CharVocab.from_text("hello world")
    inputs, targets = vocab.encode("hello "), vocab.encode("ello w")
    params = rh.init_params(len(vocab), 4, seed=0)
    logits, _ = rh.rnn_forward(params, inputs)
    do = rh.softmax(logits)
    do[np.arange(len(inputs)), targets] -= 1
    return vocab, do


def test_dc_from_do(capsys, tiny):
    _, do = tiny
    assert checks.check_dc_from_do(do.sum(axis=0), do) is True
    assert capsys.readouterr().out == "✓ dL/dc matches.\n"
    for wrong, says in ((do.sum(axis=1), "sums over axis 1"), (do.sum(), "every entry into one"),
                        (do.mean(axis=0), "the mean over time"), (do[-1], "last step's do_T")):
        assert checks.check_dc_from_do(wrong, do) is False
        out = capsys.readouterr().out
        assert says in out and no_digits_of(do.sum(axis=0), out)
    assert checks.check_dc_from_do(None, do) is False
    assert "Not answered yet" in capsys.readouterr().out


def test_da_from_dh(capsys):
    rng = np.random.default_rng(5)
    a = rng.normal(size=(5, 3))
    h, dh = np.tanh(a), rng.normal(size=(5, 3))
    assert checks.check_da_from_dh((1 - h ** 2) * dh, a, dh) is True
    assert capsys.readouterr().out == "✓ da matches.\n"
    for wrong, says in ((dh, "derivative 1 - h_t^2 is missing"), ((1 - a ** 2) * dh, "uses a_t"),
                        (1 - h ** 2, "derivative alone"), (1 - h ** 2 * dh, "brackets"),
                        ((1 - np.tanh(h) ** 2) * dh, "tanh is applied to h_t again"),
                        ((1 - h) * dh, "1 - h_t instead of 1 - h_t^2")):
        assert checks.check_da_from_dh(wrong, a, dh) is False
        out = capsys.readouterr().out
        assert says in out and no_digits_of((1 - h ** 2) * dh, out)


def test_dU_scatter_add(capsys, tiny):
    vocab, _ = tiny
    K, H = len(vocab), 4
    inputs = vocab.encode("hello world")
    da = np.random.default_rng(3).normal(size=(len(inputs), H))
    right = np.zeros((H, K))
    np.add.at(right.T, inputs, da)
    assert checks.check_dU_scatter_add(right, inputs, da, K) is True
    assert capsys.readouterr().out == "✓ dU matches.\n"
    fancy = np.zeros((H, K))
    fancy[:, inputs] += da.T
    assign = np.zeros((H, K))
    for t in reversed(range(len(inputs))):
        assign[:, inputs[t]] = da[t]
    for wrong, says in ((fancy, "fancy-index += writes each column once"),
                        (assign, "from EVERY step"), (right.T, "shape (K, H)")):
        assert checks.check_dU_scatter_add(wrong, inputs, da, K) is False
        out = capsys.readouterr().out
        assert says in out and no_digits_of(right, out)
        assert "add.at" not in out  # the answer of the exercise


def test_failing_params(capsys):
    for right in ({"U", "W", "b"}, ["dU", "dW", "db"], ("b", "W", "U")):
        assert checks.check_failing_params(right) is True
        assert capsys.readouterr().out == "✓ the set of failing parameters matches.\n"
    for wrong, says in (({"U", "W", "b", "V", "c"}, "sit after the tanh"),
                        ({"W"}, "some are missing"), (set(), "dh_t for every t < T"),
                        ({"U", "x"}, "not parameter names"), (3, "write a set of names")):
        assert checks.check_failing_params(wrong) is False
        out = capsys.readouterr().out
        assert says in out and "'U', 'W', 'b'" not in out
    assert checks.check_failing_params(None) is False
    assert "Not answered yet" in capsys.readouterr().out
