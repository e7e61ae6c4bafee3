"""Checks for notebook 05's exercises (see checks.core for how a check works)."""

import contextlib
import io
import itertools
import re

import numpy as np

from ..data import CharVocab
from ..functional import softmax_loss
from ..gradcheck import grad_check_report, loss_and_grads_with_bug, numerical_gradient
from ..rnn import PARAM_NAMES, hidden_states, init_params, loss_and_grads, rnn_backward, rnn_forward
from .core import (
    FAIL,
    NO_RESULT,
    NOT_YET,
    Mistake,
    _compare,
    _Delegated,
    _kind,
    check_array,
    check_function,
    report,
    run_learner,
)

__all__ = ["check_rnn_backward_loop", "check_numerical_gradient", "check_dc_from_do",
           "check_da_from_dh", "check_dU_scatter_add", "check_failing_params"]


# --- Your turn: the backward loop ---------------------------------------------------------

def _bptt_inputs():
    """A single sequence with repeated characters (so an overwritten dU column shows), a
    non-zero h_0 (so dW's first term and dh0 show), K = 5 != H = 3 (so a transpose fails),
    a non-symmetric W large enough that the path through h_{t+1} matters, and the real
    dL/do_t of a forward pass. Returns (params, inputs, h0, h, do, cache)."""
    rng = np.random.default_rng(11)
    params = init_params(5, 3, seed=11)
    params["W"] = rng.normal(0.0, 0.7, (3, 3))
    params["b"] = rng.normal(0.0, 0.3, 3)
    params["c"] = rng.normal(0.0, 0.3, 5)
    inputs = np.array([0, 2, 1, 2, 4, 2, 1])
    targets = np.array([2, 1, 2, 4, 2, 1, 3])
    h0 = rng.uniform(-0.8, 0.8, 3)
    logits, cache = rnn_forward(params, inputs, h0)
    _, do = softmax_loss(logits, targets)
    return params, inputs, h0, hidden_states(params, inputs, h0), do, cache


def _bptt_variant(params, inputs, h0, h, do, *, tanh=True, path=True, WT=True, h_prev="prev",
                  dU="add", b_sum=True, c_sum=True, dh0="W^T da", dW_T=False):
    """The backward loop with the classic mistakes switched on by the keywords:
    tanh=False: da_t = dh_t; path=False: dh_t = V^T do_t only; WT=False: W da_t for W^T da_t;
    dW_T=True: dW adds h_{t-1} da_t^T (the transpose);
    h_prev = 'prev' (right), 'cur' (h_t), 'zero' (h_0 taken as 0), 'wrap' (h[t - 1] at t = 0
    is h_T); dU = 'add' (right), 'first' (= in the backward loop: the earliest step wins),
    'last' (fancy-index +=: the latest step wins); b_sum / c_sum=False: = instead of +=;
    dh0 = 'W^T da' (right), 'dh' (dh_1), 'da' (da_1) or 'zero'."""
    W, V = params["W"], params["V"]
    T = len(inputs)
    g = {k: np.zeros_like(params[k]) for k in PARAM_NAMES}
    dh_next = np.zeros_like(h0)
    last = {}
    for t in reversed(range(T)):
        dh = V.T @ do[t] + (dh_next if path else 0.0)
        da = (1 - h[t] ** 2) * dh if tanh else dh
        prev = {"prev": h[t - 1] if t > 0 else h0, "cur": h[t],
                "zero": h[t - 1] if t > 0 else np.zeros_like(h0), "wrap": h[t - 1]}[h_prev]
        g["W"] += np.outer(prev, da) if dW_T else np.outer(da, prev)
        if dU == "add":
            g["U"][:, inputs[t]] += da
        elif dU == "first":
            g["U"][:, inputs[t]] = da
        else:
            last.setdefault(inputs[t], da)
        g["b"] = g["b"] + da if b_sum else da
        g["V"] += np.outer(do[t], h[t])
        g["c"] = g["c"] + do[t] if c_sum else do[t]
        dh_next = (W.T if WT else W) @ da
        first_dh, first_da = dh, da
    for k, col in last.items():
        g["U"][:, k] = col
    out = {"W^T da": dh_next, "dh": first_dh, "da": first_da, "zero": np.zeros_like(h0)}[dh0]
    return g, out


_BPTT_MISTAKES = (
    ({"tanh": False}, "da_t is missing the tanh derivative: h_t = tanh(a_t), so "
                      "da_t = (1 - h_t^2) * dh_t, entry by entry."),
    ({"path": False}, "dh_t is missing the path through h_{t+1}: besides V^T do_t it receives "
                      "what step t + 1 sends back (W^T da_{t+1}, carried in dh_next)."),
    ({"WT": False}, "dh_next uses W where backprop needs W^T: a_{t+1} = ... + W h_t, so the "
                    "gradient goes back through the transpose."),
    ({"dW_T": True}, "dW is transposed: you add h_{t-1} da_t^T, the outer product the wrong "
                     "way round. Row i of W feeds a_t[i], so the term is da_t h_{t-1}^T."),
    ({"h_prev": "cur"}, "dW uses h_t where the equation has h_{t-1}: step t's pre-activation "
                        "reads the previous state."),
    ({"h_prev": "zero"}, "at the first step dW uses 0 for h_{t-1}: the previous state there "
                         "is h0, the argument, and it need not be zero."),
    ({"h_prev": "wrap"}, "at the first step dW uses h[-1], the LAST state h_T: Python's index "
                         "t - 1 = -1 wraps around. The state before step 1 is h0."),
    ({"dU": "first"}, "dU keeps only one step per character: a character that appears several "
                      "times must receive da_t from every step, so add into its column (+=), "
                      "do not assign (=)."),
    ({"dU": "last"}, "dU keeps only one step per character: with repeated indices, "
                     "fancy-index += writes each column once. Add da_t for every step, one "
                     "step at a time."),
    ({"b_sum": False}, "db holds a single step's da_t: b is used at every step, so db sums "
                       "da_t over all steps (+=, not =)."),
    ({"c_sum": False}, "dc holds a single step's do_t: c is used at every step, so dc sums "
                       "do_t over all steps (+=, not =)."),
    ({"dh0": "dh"}, "dh0 is dh_1, the gradient at the first state h_1; dh0 is one step "
                    "further back: what step 1 sends to h_0 through W^T."),
    ({"dh0": "da"}, "dh0 is da_1; h_0 reaches the loss through a_1 = ... + W h_0, so "
                    "dh0 = W^T da_1 (the last dh_next)."),
    ({"dh0": "zero"}, "dh0 is zero: return the last dh_next, W^T da_1, the gradient that "
                      "reaches h_0."),
)


def _bptt_mistakes(args):
    """One Mistake per classic error, then one per pair of errors on different terms."""
    singles = [Mistake(says, _bptt_variant(*args, **flags)) for flags, says in _BPTT_MISTAKES]
    pairs = []
    for (f1, s1), (f2, s2) in itertools.combinations(_BPTT_MISTAKES, 2):
        if set(f1) & set(f2):
            continue  # two choices for the same term: not a pair
        says = f"two mistakes. First, {s1} Second, {s2}"
        pairs.append(Mistake(says, _bptt_variant(*args, **f1, **f2)))
    return singles + pairs


def check_rnn_backward_loop(fn):
    """The learner's ``rnn_backward_loop(params, inputs, h0, h, do)`` -> (grads, dh0)."""
    params, inputs, h0, h, do, cache = _bptt_inputs()
    args = (params, inputs, h0, h, do)
    expected = rnn_backward(do, cache)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ok = check_function(
            "rnn_backward_loop", fn, args, expected=expected, mistakes=_bptt_mistakes(args),
            forbid=[rnn_backward, loss_and_grads, loss_and_grads_with_bug, _bptt_variant],
            hint="Return (grads, dh0), grads a dict with keys U, W, V, b, c shaped like "
                 "params. Go backwards, t = T-1 .. 0; each step adds its terms into the sums.")
    # name the parts as the equations do: "dU: 6 of 15 entries differ", not "result[0].U: ..."
    text = re.sub(r"result\[0\]\.(\w)", r"d\1", out.getvalue())
    text = text.replace("result[0]", "grads").replace("result[1]", "dh0")
    print(text, end="")
    return ok


# --- Your turn: a centred-difference gradient ---------------------------------------------

_NUMGRAD_EPS = 1e-3  # large enough that the one-sided differences differ clearly


def _numgrad_x():
    """A (2, 3) float64 array: two rows, so a function of several entries at once."""
    return np.array([[0.3, -1.2, 0.8], [1.1, -0.4, 0.6]])


def _numgrad_f(x):
    """A nonlinear scalar function of the array x (read each time it is called): curved in
    every entry (one-sided differences miss), with products of entries (a neighbour left
    perturbed changes the slope)."""
    def f():
        return float(np.sum(np.sin(x) * x) + (x[0] @ x[1]) ** 2)
    return f


def _numgrad_variant(x, eps, kind):
    """The difference quotient with one classic mistake (on a copy of x):
    'forward' (f(x+eps) - f(x)) / eps; 'backward' (f(x) - f(x-eps)) / eps; 'eps' divides
    by eps; 'swap' (f(x-eps) - f(x+eps)) / 2 eps; 'left_minus' / 'left_plus' each entry is
    left at x - eps / x + eps while the next ones are perturbed; 'copy' perturbs a copy."""
    x = x.copy()
    f = _numgrad_f(x)
    grad = np.zeros_like(x)
    if kind == "copy":
        return grad
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        plus = f()
        x[idx] = old - eps
        minus = f()
        x[idx] = old
        centre = f()
        grad[idx] = {"forward": (plus - centre) / eps, "backward": (centre - minus) / eps,
                     "eps": (plus - minus) / eps, "swap": (minus - plus) / (2 * eps)}.get(kind, 0)
        if kind == "left_minus":
            x[idx] = old - eps
            grad[idx] = (plus - minus) / (2 * eps)
        elif kind == "left_plus":  # evaluated at x - eps first, then x + eps, not put back
            x[idx] = old - eps
            minus = f()
            x[idx] = old + eps
            grad[idx] = (f() - minus) / (2 * eps)
    return grad


_NUMGRAD_MISTAKES = (
    ("forward", "this is the forward difference (f(x + eps) - f(x)) / eps: its error shrinks "
                "like eps, not eps^2. Evaluate f on both sides, at x + eps and x - eps."),
    ("backward", "this is the backward difference (f(x) - f(x - eps)) / eps: its error "
                 "shrinks like eps, not eps^2. Evaluate f on both sides, at x + eps and "
                 "x - eps."),
    ("eps", "the result is twice the gradient: the two evaluations are 2 eps apart, so "
            "divide by 2 * eps."),
    ("swap", "the sign is flipped: it is f(x + eps) - f(x - eps), in that order."),
    ("left_minus", "each entry is not put back before the next one is perturbed, so later "
                   "differences are taken at a shifted x. Save the entry, and restore it "
                   "after its two evaluations."),
    ("left_plus", "each entry is not put back before the next one is perturbed, so later "
                  "differences are taken at a shifted x. Save the entry, and restore it "
                  "after its two evaluations."),
    ("copy", "every entry is 0: f() reads the array x itself, so perturb x in place "
             "(x[idx] = ...), not a copy of it."),
)


def _not_the_package(fn):
    """fn, unless it is the package's numerical_gradient itself (``numerical_gradient =
    rh.numerical_gradient``): then a function that reports that call."""
    if fn is not numerical_gradient:
        return fn

    def delegated(*args, **kwargs):
        raise _Delegated(fn.__name__)
    return delegated


def check_numerical_gradient(fn):
    """The learner's ``numerical_gradient(f, x, eps)``: centred differences, x restored."""
    name = "numerical_gradient"
    if fn is None:
        print(f"{FAIL} {name}: {NOT_YET}")
        return False
    if not callable(fn):
        return report(False, name, f"expected a function, got {_kind(fn)}.")
    x0 = _numgrad_x()
    x_ref = x0.copy()
    expected = numerical_gradient(_numgrad_f(x_ref), x_ref, _NUMGRAD_EPS)
    x = x0.copy()
    # no arguments to copy: the check must see what fn does to x itself
    own = _not_the_package(fn)  # before call_learner blocks the package's names
    got = run_learner(name, lambda: own(_numgrad_f(x), x, _NUMGRAD_EPS),
                      forbid=[numerical_gradient])
    if got is NO_RESULT:
        return False
    if np.shape(x) != x0.shape or not np.allclose(x, x0, rtol=1e-12, atol=0.0):
        return report(False, name, "x is not restored: after your function returns, x must "
                      "hold its original values (f and the rest of the program read it). Save "
                      "each entry before perturbing it and put it back after its two "
                      "evaluations.")
    mistakes = [Mistake(says, _numgrad_variant(x0, _NUMGRAD_EPS, kind))
                for kind, says in _NUMGRAD_MISTAKES]
    return _compare(name, got, expected, mistakes,
                    "For each entry: (f(x + eps) - f(x - eps)) / (2 eps), with only that "
                    "entry moved.", 1e-8, 1e-10, None)


# --- Exercise 1: dL/dc from do_t ----------------------------------------------------------

def check_dc_from_do(answer, do):
    """dc_answer = sum over time of do_t, shape (K,)."""
    do = np.asarray(do, dtype=float)
    return check_array("dL/dc", answer, do.sum(axis=0), mistakes=[
        Mistake("this sums over axis 1, the vocabulary: one number per step. c is added at "
                "every step, so sum over the time steps, axis 0.", do.sum(axis=1)),
        Mistake("this sums every entry into one number: dL/dc has one entry per character "
                "(K of them), like c. Sum over the time steps only.", do.sum()),
        Mistake("this is the mean over time: L is a sum over steps, so dL/dc is the sum of "
                "the do_t.", do.mean(axis=0)),
        Mistake("this is the last step's do_T only: c is used at every step, so sum the "
                "do_t of all steps.", do[-1]),
    ], hint="dL/dc = sum over time of do_t; the result has K entries.")


# --- Exercise 2: da_t from dh_t and h_t ---------------------------------------------------

def check_da_from_dh(answer, a, dh):
    """da_answer = (1 - tanh(a)^2) * dh, checked against a numeric derivative."""
    a, dh = np.asarray(a, dtype=float).copy(), np.asarray(dh, dtype=float)
    h = np.tanh(a)
    expected = numerical_gradient(lambda: np.sum(dh * np.tanh(a)), a, 5e-4, order=4)
    return check_array("da", answer, expected, rtol=1e-7, atol=1e-9, mistakes=[
        Mistake("this is dh_t unchanged: the tanh derivative 1 - h_t^2 is missing.", dh),
        Mistake("the derivative uses a_t: tanh'(a_t) = 1 - tanh(a_t)^2 = 1 - h_t^2, with the "
                "tanh output h_t.", (1 - a ** 2) * dh),
        Mistake("this is the tanh derivative alone: multiply it by dh_t, entry by entry.",
                1 - h ** 2),
        Mistake("brackets: 1 - h**2 * dh computes 1 - (h^2 dh). Put 1 - h**2 in brackets.",
                1 - h ** 2 * dh),
        Mistake("tanh is applied to h_t again: h_t already is tanh(a_t), so the derivative is "
                "1 - h_t^2.", (1 - np.tanh(h) ** 2) * dh),
        Mistake("this uses 1 - h_t instead of 1 - h_t^2.", (1 - h) * dh),
    ], hint="da_t = (1 - h_t^2) * dh_t, entry by entry, with h_t the tanh output.")


# --- Exercise 3: the scatter-add of dU ----------------------------------------------------

def check_dU_scatter_add(answer, inputs, da, K):
    """dU_answer = sum_t da_t x_t^T (H, K), with x_t one-hot."""
    inputs, da = np.asarray(inputs), np.asarray(da, dtype=float)
    expected = da.T @ np.eye(K)[inputs]  # the definition, with one-hot x_t (rows of eye)
    fancy = np.zeros((da.shape[1], K))
    fancy[:, inputs] += da.T  # repeated indices: each column written once, the last wins
    first = np.zeros((da.shape[1], K))
    first[:, inputs[::-1]] = da[::-1].T  # the first occurrence wins
    return check_array("dU", answer, expected, mistakes=[
        Mistake("a repeated character keeps only one step's da_t: with repeated indices, "
                "fancy-index += writes each column once, so the last step wins. Use an add "
                "that is not buffered: one that adds at every occurrence of an index.", fancy),
        Mistake("a repeated character keeps only one step's da_t: each column must receive "
                "da_t from EVERY step where that character is the input.", first),
        Mistake("this is dU^T, shape (K, H): dU has the shape of U, (H, K).", expected.T),
    ], hint="Look at the columns of 'l' and 'o': each must receive da_t from every step "
            "where that character is the input.")


# --- Exercise 4: forget the path through h_{t+1} ------------------------------------------

def _failing_params():
    """The parameters whose rows fail the check table when the path is dropped."""
    vocab = CharVocab.from_text("hello world")
    inputs, targets = vocab.encode("hello "), vocab.encode("ello w")
    params = init_params(len(vocab), 4, seed=0)
    table = grad_check_report(params, inputs, targets, eps=5e-4, order=4,
                              analytic=loss_and_grads_with_bug("path through h_{t+1}"))
    return {r.name for r in table.rows if not r.passed}


def _as_names(answer):
    """A set of parameter names from a set, list, tuple or string; 'dU' counts as 'U'."""
    if isinstance(answer, str):
        answer = answer.replace(",", " ").split() if len(answer) > 1 else [answer]
    if not isinstance(answer, set | frozenset | list | tuple):
        return None
    return {str(n).strip()[1:] if str(n).strip().startswith("d") else str(n).strip()
            for n in answer}


def check_failing_params(answer):
    """failing_params = the set of parameters whose gradient check fails without the path."""
    name = "the set of failing parameters"
    if answer is None:
        print(f"{FAIL} {name}: {NOT_YET}")
        return False
    got = _as_names(answer)
    if got is None:
        return report(False, name, f'write a set of names, e.g. {{"V"}}, not {_kind(answer)}.')
    expected = _failing_params()
    if got == expected:
        return report(True, name)
    unknown = sorted(got - set(PARAM_NAMES))
    if unknown:
        return report(False, name, f"{unknown} are not parameter names: use "
                      f"{', '.join(PARAM_NAMES)}.")
    after_tanh = {"V", "c"} & got
    if after_tanh:
        return report(False, name, f"{sorted(after_tanh)} sit after the tanh: their "
                      "gradients use do_t and h_t only, never dh_t, so they pass.")
    if not got:
        return report(False, name, "the dropped term changes dh_t for every t < T, so some "
                      "gradients change and fail the check.")
    return report(False, name, "some are missing: the dropped term changes dh_t, hence da_t, "
                  "hence every parameter whose gradient goes through da_t.")
