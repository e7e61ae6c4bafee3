"""Checks for notebook 08's exercises (see checks.core for how a check works)."""

import contextlib
import io
import itertools
import math

import numpy as np

from .. import lstm
from ..gated import sigmoid
from ..lstm import (
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_loss_and_grads,
    lstm_step,
    lstm_step_backward,
)
from .core import Mistake, _Delegated, check_function, check_value, report

__all__ = ["check_lstm_step_forward", "check_lstm_step_backward", "check_lstm_param_count",
           "check_fraction_after_50", "check_forget_bias_for"]

GATES = "ifgo"  # PyTorch's order of the stacked rows
_WRONG_ORDERS = ["".join(p) for p in itertools.permutations(GATES) if "".join(p) != GATES]


def _not_the_package(fn, forbid):
    """fn, unless it is one of ``forbid`` itself (``lstm_step_backward =
    rh.lstm_step_backward``): then a function that reports that call."""
    if not any(fn is f for f in forbid):
        return fn

    def delegated(*args, **kwargs):
        raise _Delegated(fn.__name__)
    return delegated


def _mistakes(variant, args, singles, paired_keys):
    """One Mistake per classic error, then one per pair of errors on different ``paired_keys``
    (two wrong choices for the same term are not a pair)."""
    out = [Mistake(says, variant(*args, **flags)) for flags, says in singles]
    pairable = [(f, s) for f, s in singles if set(f) <= set(paired_keys)]
    for (f1, s1), (f2, s2) in itertools.combinations(pairable, 2):
        if not set(f1) & set(f2):
            out.append(Mistake(f"two mistakes. First, {s1} Second, {s2}",
                               variant(*args, **f1, **f2)))
    return out


def _rename_parts(text, names):
    """'result[0]: 3 of 12 entries differ' -> 'da: 3 of 12 entries differ'."""
    for old, new in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    return text


def _run_check(names, *args, **kwargs):
    """check_function with the parts of the result named as in the equations."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ok = check_function(*args, **kwargs)
    print(_rename_parts(out.getvalue(), names), end="")
    return ok


# --- Your turn: one LSTM step forward ------------------------------------------------------

def _forward_inputs():
    """LSTM parameters with K = 5, H = 3 (so 4H = 12 differs from K and H: a transposed W or
    a row U[ix] fails), every gate's rows and bias different, a non-zero state, and ix = 2.
    Seed 11 keeps every gate away from its limits (sigmoids in (0.2, 0.7), |g| in (0.4, 0.9)),
    so that each wrong derivative shows. Returns (params, ix, h_prev, s_prev)."""
    rng = np.random.default_rng(11)
    params = init_lstm_params(5, 3, seed=11)
    params["U"] = rng.normal(0.0, 0.8, (12, 5))
    params["W"] = rng.normal(0.0, 0.8, (12, 3))
    params["b"] = rng.normal(0.0, 0.5, 12)
    return params, 2, rng.uniform(-0.8, 0.8, 3), rng.uniform(-1.5, 1.5, 3)


def _expected_step(params, ix, h_prev, s_prev):
    """(h, s, (i, f, g, o)) from the package's forward pass over one character."""
    _, cache = lstm_forward(params, np.array([ix]), (h_prev, s_prev))
    return cache["hs"][1, 0], cache["ss"][1, 0], tuple(cache["gates"][:, 0, 0])


_ACTS = {"right": "ssts", "g_sigmoid": "ssss", "o_tanh": "sstt", "g_o_swapped": "ssst",
         "all_tanh": "tttt"}  # per gate i, f, g, o: s sigmoid, t tanh


def _forward_variant(params, ix, h_prev, s_prev, *, order=GATES, acts="right", h_tanh=True,
                     input_gate=True, forget_gate=True, bias=True, swap=False, pre=False,
                     returned=GATES):
    """The step with classic mistakes: ``order`` names the gate read from each H-row block;
    ``acts`` a key of _ACTS; h_tanh=False: h = o * s; input_gate=False: s = f s_prev + g;
    forget_gate=False: s = s_prev + i g; bias=False: no b; swap: returns (s, h, gates);
    pre: returns the gates' pre-activations; ``returned``: the order of the returned gates."""
    U, W, b = params["U"], params["W"], params["b"]
    H = W.shape[1]
    a = U[:, ix] + W @ h_prev + (b if bias else 0.0)
    blocks = {k: a[n * H:(n + 1) * H] for n, k in enumerate(order)}
    fns = {"s": sigmoid, "t": np.tanh}
    act = {k: fns[_ACTS[acts][n]](blocks[k]) for n, k in enumerate(GATES)}
    s = (act["f"] if forget_gate else 1.0) * s_prev + (act["i"] if input_gate else 1.0) * act["g"]
    h = act["o"] * (np.tanh(s) if h_tanh else s)
    gates = tuple((blocks if pre else act)[k] for k in returned)
    return (s, h, gates) if swap else (h, s, gates)


_ROWS = "rows [0, H) for i, [H, 2H) for f, [2H, 3H) for g and [3H, 4H) for o"
_FORWARD_MISTAKES = [
    ({"acts": "g_sigmoid"}, "g has a sigmoid: the candidate g = tanh(a_g) takes values in "
                            "(-1, 1), so that the cell state can go down as well as up."),
    ({"acts": "o_tanh"}, "o has a tanh: the output gate is a gate, o = sigma(a_o), between "
                         "0 and 1."),
    ({"acts": "g_o_swapped"}, "the nonlinearities of g and o are swapped: g = tanh(a_g), "
                              "o = sigma(a_o)."),
    ({"acts": "all_tanh"}, "every gate has a tanh: i, f and o are gates, sigma(a) between 0 "
                           "and 1; only the candidate g is a tanh."),
    ({"h_tanh": False}, "h = o * s is missing the tanh: h_t = o_t * tanh(s_t)."),
    ({"input_gate": False}, "s adds g without the input gate: s_t = f_t * s_{t-1} + i_t * g_t."),
    ({"forget_gate": False}, "s keeps s_{t-1} without the forget gate: "
                             "s_t = f_t * s_{t-1} + i_t * g_t."),
    ({"bias": False}, "the bias b is missing from a = U[:, ix] + W h_prev + b."),
    ({"swap": True}, "h and s are swapped: return (h, s, gates), h first."),
    ({"pre": True}, "h and s are right, but the gates are returned before their nonlinearity: "
                    "return i, f, g, o after sigma / tanh."),
] + [
    ({"order": order}, f"the gates are read from the wrong rows, in the order "
                       f"{', '.join(order)}: U, W and b stack them in PyTorch's order i, f, g, "
                       f"o, {_ROWS}.") for order in _WRONG_ORDERS
] + [
    ({"returned": order}, f"h and s are right, but the gates are returned in the order "
                          f"{', '.join(order)}: return (i, f, g, o).") for order in _WRONG_ORDERS
]
_FORWARD_PAIRED = ("acts", "h_tanh", "input_gate", "forget_gate", "bias", "swap", "pre")
_FORWARD_NAMES = {"result[0]": "h", "result[1]": "s", "result[2]": "gates",
                  **{f"result[2][{n}]": f"gates[{n}] ({k})" for n, k in enumerate(GATES)}}
_FORWARD_FORBID = [lstm_step, lstm_forward, lstm_backward, lstm_loss_and_grads,
                   lstm_step_backward, lstm._forward, lstm._backward, _forward_variant,
                   _expected_step]


def _gates_as_tuple(fn):
    """fn with a gates array (4, H) in its result turned into the tuple (i, f, g, o)."""
    if not callable(fn):
        return fn

    def wrapped(*args):
        out = fn(*args)
        if (isinstance(out, tuple | list) and len(out) == 3 and isinstance(out[2], np.ndarray)
                and out[2].ndim == 2 and len(out[2]) == 4):
            out = (out[0], out[1], tuple(out[2]))
        return out
    return wrapped


def check_lstm_step_forward(fn):
    """The learner's ``lstm_step_forward(params, ix, h_prev, s_prev)`` -> (h, s, gates)."""
    args = _forward_inputs()
    fn = _gates_as_tuple(_not_the_package(fn, _FORWARD_FORBID))
    return _run_check(
        _FORWARD_NAMES, "lstm_step_forward", fn, args, expected=_expected_step(*args),
        mistakes=_mistakes(_forward_variant, args, _FORWARD_MISTAKES, _FORWARD_PAIRED),
        forbid=_FORWARD_FORBID,
        hint="a = U[:, ix] + W @ h_prev + b (U[:, ix] is the column (4H,) of character ix, W "
             "is (4H, H)); its four H-blocks are i, f, g, o; s = f * s_prev + i * g; "
             "h = o * tanh(s). Return (h, s, (i, f, g, o)).")


# --- Your turn: one LSTM step backward -----------------------------------------------------

def _backward_inputs():
    """A real forward step (H = 3, K = 5, non-zero state, every gate away from 0 and 1) and
    random upstream gradients. Returns (W, dh, ds, s_prev, s, gates)."""
    params, ix, h_prev, s_prev = _forward_inputs()
    _, s, gates = _expected_step(params, ix, h_prev, s_prev)
    rng = np.random.default_rng(9)
    return params["W"], rng.normal(0.0, 1.0, 3), rng.normal(0.0, 1.0, 3), s_prev, s, gates


_SIG_DERIVS = {"right": lambda x: x * (1 - x), "one_minus": lambda x: 1 - x,
               "itself": lambda x: x, "none": lambda x: 1.0, "tanh": lambda x: 1 - x ** 2}
_LOCAL = {"right": lambda s, o: o * (1 - np.tanh(s) ** 2),  # dh_t/ds_t, the local term
          "tanh_sq": lambda s, o: o * np.tanh(s) ** 2, "no_o": lambda s, o: 1 - np.tanh(s) ** 2,
          "s_sq": lambda s, o: o * (1 - s ** 2), "missing": lambda s, o: 0.0}
_G_DERIVS = {"right": lambda g: 1 - g ** 2, "squared": lambda g: g ** 2, "none": lambda g: 1.0,
             "one_minus": lambda g: 1 - g, "sigmoid": lambda g: g * (1 - g)}


def _backward_variant(W, dh, ds, s_prev, s, gates, *, future=True, local="right", forget=True,
                      sig=("right", "ifo"), g_deriv="right", do_s=False, dh_prev="WT",
                      order=GATES):
    """The step backwards with classic mistakes: future=False drops ds from step t + 1;
    local: dh_t/ds_t = o * (1 - tanh(s)^2) written as a key of _LOCAL; forget=False:
    ds_prev = ds_t; sig = (form, gates): the sigmoid derivative of those gates written as a
    key of _SIG_DERIVS; g_deriv: g's derivative (_G_DERIVS); do_s: do = dh * s; dh_prev:
    'WT' (right), 'zero' or 'dh'; order: of da's blocks."""
    i, f, g, o = gates
    ds_t = (ds if future else 0.0) + dh * _LOCAL[local](s, o)
    d = {"i": ds_t * g, "f": ds_t * s_prev, "g": ds_t * i,
         "o": dh * (s if do_s else np.tanh(s))}
    form, which = sig
    for k, x in (("i", i), ("f", f), ("o", o)):
        d[k] = d[k] * _SIG_DERIVS[form if k in which else "right"](x)
    d["g"] = d["g"] * _G_DERIVS[g_deriv](g)
    da = np.concatenate([d[k] for k in order])
    back = {"WT": W.T @ da, "zero": np.zeros_like(dh), "dh": dh}[dh_prev]
    return da, back, ds_t * (f if forget else 1.0)


_NAMED = {"i": "the input gate i", "f": "the forget gate f", "o": "the output gate o",
          "ifo": "the gates i, f and o"}
_SIG_SAYS = {
    "one_minus": "the sigmoid derivative of {} is written 1 - sigma: it is sigma (1 - sigma), "
                 "e.g. f * (1 - f).",
    "itself": "the sigmoid derivative of {} is written sigma: it is sigma (1 - sigma), "
              "e.g. f * (1 - f).",
    "none": "the sigmoid derivative of {} is missing: da = d(gate) * gate * (1 - gate).",
    "tanh": "{} get the tanh derivative 1 - x^2: they are sigmoids, with derivative "
            "sigma (1 - sigma); only g is a tanh.",
}
_BACKWARD_MISTAKES = [
    ({"future": False}, "ds_t is missing ds, the gradient from step t + 1: s_t also feeds "
                        "s_{t+1}, so ds_t = ds + dh * o * (1 - tanh(s)^2)."),
    ({"local": "missing"}, "ds_t is missing the local term: s_t also reaches the loss through "
                           "h_t = o * tanh(s_t), so ds_t = ds + dh * o * (1 - tanh(s)^2)."),
    ({"local": "tanh_sq"}, "the local term uses tanh(s)^2 where tanh' is 1 - tanh(s)^2."),
    ({"local": "no_o"}, "the local term is missing the output gate: h = o * tanh(s), so "
                        "dh/ds = o * (1 - tanh(s)^2)."),
    ({"local": "s_sq"}, "the local term uses 1 - s^2: the tanh is taken of s, so its derivative "
                     "is 1 - tanh(s)^2 (s is not bounded by 1)."),
    ({"forget": False}, "ds_prev = ds_t is missing the forget gate: s_t = f * s_{t-1} + ..., "
                        "so ds_prev = ds_t * f."),
    ({"do_s": True}, "do uses s: h = o * tanh(s), so do = dh * tanh(s)."),
    ({"dh_prev": "zero"}, "dh_prev is zero: h_{t-1} enters all four pre-activations through W, "
                          "so dh_prev = W^T da."),
    ({"dh_prev": "dh"}, "dh_prev is dh passed through unchanged: h_{t-1} reaches the loss "
                        "through the pre-activations, dh_prev = W^T da."),
] + [
    ({"g_deriv": k}, says) for k, says in (
        ("squared", "the tanh derivative of g is written g^2: it is 1 - g^2."),
        ("none", "the tanh derivative of g is missing: da_g = dg * (1 - g^2)."),
        ("one_minus", "the tanh derivative of g is written 1 - g: it is 1 - g^2."),
        ("sigmoid", "g gets a sigmoid derivative g (1 - g): g is a tanh, derivative 1 - g^2."))
] + [
    ({"sig": (form, which)}, says.format(_NAMED[which]))
    for form, says in _SIG_SAYS.items() for which in ("ifo", "i", "f", "o")
    if not (form == "tanh" and which != "ifo")
] + [
    ({"order": order}, f"the blocks of da are stacked in the order {', '.join(order)}: stack "
                       f"them like the rows of W, i, f, g, o.") for order in _WRONG_ORDERS
]
_BACKWARD_PAIRED = ("future", "local", "forget", "sig", "g_deriv", "do_s", "dh_prev")
_BACKWARD_NAMES = {"result[0]": "da", "result[1]": "dh_prev", "result[2]": "ds_prev"}
_BACKWARD_FORBID = [lstm_step_backward, lstm_backward, lstm_loss_and_grads, lstm._backward,
                    _backward_variant]


def check_lstm_step_backward(fn):
    """The learner's ``lstm_step_backward(W, dh, ds, s_prev, s, gates)`` ->
    (da, dh_prev, ds_prev)."""
    args = _backward_inputs()
    fn = _not_the_package(fn, _BACKWARD_FORBID)
    return _run_check(
        _BACKWARD_NAMES, "lstm_step_backward", fn, args, expected=lstm_step_backward(*args),
        mistakes=_mistakes(_backward_variant, args, _BACKWARD_MISTAKES, _BACKWARD_PAIRED),
        forbid=_BACKWARD_FORBID,
        hint="ds_t = ds + dh * o * (1 - tanh(s)^2); do = dh * tanh(s), di = ds_t * g, "
             "df = ds_t * s_prev, dg = ds_t * i; da stacks di, df, dg, do, each times its "
             "gate's derivative, in the order i, f, g, o; dh_prev = W^T da (W is (4H, H), "
             "da (4H,)); ds_prev = ds_t * f.")


def _merge_equal(expected, mistakes):
    """The mistakes without those equal to ``expected``, and one Mistake naming every
    mistake that gives the same number (for some K and H two of them coincide, e.g. U and W
    counted once when K = H)."""
    by_value = {}
    for m in mistakes:
        if m.value != expected:
            by_value.setdefault(m.value, []).append(m.says)
    return [Mistake(says[0] if len(says) == 1 else
                    "several mistakes give this number. " + " Or: ".join(says), value)
            for value, says in by_value.items()]


# --- Exercise: the number of parameters ----------------------------------------------------

def check_lstm_param_count(answer, K, H):
    """The number of parameters of an LSTM with vocabulary K and H units: U, W, b, V, c."""
    if isinstance(answer, bool | np.bool_):  # True == 1 would be compared as a number
        return report(False, "lstm_param_count", "write a number (an int), not True or False.")
    expected = sum(p.size for p in init_lstm_params(K, H, seed=0).values())
    gates = 4 * H * K + 4 * H * H + 4 * H   # U, W, b
    out = K * H + K                         # V, c
    return check_value("lstm_param_count", answer, expected, rtol=0.0, atol=0.5,
                       mistakes=_merge_equal(expected, [
        Mistake("this is the plain RNN's count: the LSTM has four gates, so U, W and b have 4H "
                "rows, not H.", H * K + H * H + H + out),
        Mistake("this is the GRU's count, three gates: the LSTM stacks four, i, f, g and o.",
                3 * (H * K + H * H + H) + out),
        Mistake("V and c are counted four times: only U, W and b are stacked per gate; the "
                "output layer V h + c is the RNN's, V (K, H) and c (K,).", 4 * (gates // 4 + out)),
        Mistake("the biases are missing: b (4H,) and c (K,) are parameters too.",
                4 * H * K + 4 * H * H + K * H),
        Mistake("the gates' bias b (4H,) is missing.", gates - 4 * H + out),
        Mistake("the output bias c (K,) is missing.", gates + K * H),
        Mistake("b is counted twice, as PyTorch's bias_ih and bias_hh: here there is one b "
                "(4H,) (bias_hh is zero).", gates + 4 * H + out),
        Mistake("b is counted once, H entries: it stacks the four gates' biases, (4H,).",
                gates - 3 * H + out),
        Mistake("W is counted once, H x H: it stacks the four gates' recurrent weights, "
                "(4H, H).", gates - 3 * H * H + out),
        Mistake("U is counted once, H x K: it stacks the four gates' input weights, (4H, K).",
                gates - 3 * H * K + out),
        Mistake("W is counted as (4H, 4H): it maps h (H entries) to four gates, (4H, H).",
                gates + 12 * H * H + out),
        Mistake("V and c are missing: the output layer V h + c has parameters too.", gates),
    ]), hint="Add the sizes of U (4H, K), W (4H, H), b (4H,), V (K, H) and c (K,).")


# --- Exercise: what is left after 50 steps -------------------------------------------------

def check_fraction_after_50(answer):
    """The fraction of s_0 left in s_50 with f_t = 0.95 and i_t = 0 (= the factor on ds_50
    that reaches s_0)."""
    f, steps = 0.95, 50
    s = 1.0  # s_0, as a fraction of itself
    for _ in range(steps):
        s = f * s  # s_t = f_t s_{t-1} + i_t g_t with i_t = 0
    return check_value("fraction_after_50", answer, s, mistakes=[
        Mistake("the forget gate keeps 0.95 of s at every step, so 0.95 is the fraction KEPT; "
                "this uses 0.05, the fraction forgotten.", (1 - f) ** steps),
        Mistake("this is the fraction lost, 1 - (what is left): the question asks what is left.",
                1 - f ** steps),
        Mistake("0.95 is multiplied by 50: each step multiplies s by 0.95, so the factors "
                "multiply, 50 of them.", f * steps),
        Mistake("this subtracts 5 % per step: the forget gate multiplies s by 0.95 at each "
                "step, so what remains shrinks geometrically.", 1 - (1 - f) * steps),
        Mistake("nothing is lost here: 1 would need f = 1. Each step multiplies s by 0.95.", 1.0),
        Mistake("something is left: a factor of 0.95 per step shrinks s geometrically, but it "
                "never reaches 0.", 0.0),
        Mistake("that is 49 steps, one too few.", f ** (steps - 1)),
        Mistake("that is 51 steps, one too many.", f ** (steps + 1)),
        Mistake("this is the approximation exp(-0.05 * 50): compute the product exactly.",
                math.exp(-(1 - f) * steps)),
        Mistake("this is a percentage: give the fraction, between 0 and 1.", 100 * s),
        Mistake("this is the inverse: the fraction left is the small number, what s_50 keeps "
                "of s_0.", 1 / s),
    ], hint="With i_t = 0, s_t = f_t * s_{t-1}: multiply by f_t once per step.")


# --- Exercise: the forget bias that gives f = 0.95 ----------------------------------------

def check_forget_bias_for(answer, f_target=0.95):
    """The bias b_f with sigma(b_f) = f_target (the rest of the pre-activation 0)."""
    f = float(f_target)
    expected = math.log(f / (1 - f))
    candidates = [
        Mistake(f"this is f itself: b_f is the pre-activation, and sigma(b_f) = {f} is the "
                "gate. Solve sigma(b_f) = f for b_f.", f),
        Mistake("the sign is flipped: sigma(b) = 1 / (1 + e^{-b}) is above 1/2 for b > 0, so "
                "a gate near 1 needs a positive bias.", -expected),
        Mistake("this is atanh(f), the inverse of tanh; the forget gate is a sigmoid, whose "
                "inverse is the logit ln(f / (1 - f)).", math.atanh(f)),
        Mistake("this is atanh(2f - 1), half the answer: sigma(x) = (1 + tanh(x / 2)) / 2, so "
                "x = 2 atanh(2f - 1).", math.atanh(2 * f - 1)),
        Mistake("this is ln(f): the inverse of the sigmoid is the logit, ln(f / (1 - f)).",
                math.log(f)),
        Mistake("this is ln(1 / (1 - f)): the inverse of the sigmoid is ln(f / (1 - f)).",
                -math.log(1 - f)),
        Mistake("this is ln(1 - f): the inverse of the sigmoid is ln(f / (1 - f)).",
                math.log(1 - f)),
        Mistake("this is sigma(f), the sigmoid applied to f: b_f is the number whose sigmoid "
                "is f, its inverse.", float(sigmoid(f))),
    ]
    # a mistake that equals the right answer for this f_target would name a right answer
    mistakes = [m for m in candidates if not math.isclose(m.value, expected, rel_tol=1e-6)]
    return check_value("forget_bias", answer, expected, mistakes=mistakes,
                       hint="Solve sigma(b_f) = 1 / (1 + e^{-b_f}) = f for b_f.")
