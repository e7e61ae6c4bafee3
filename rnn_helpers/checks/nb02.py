"""Checks for notebook 02's exercises (see checks.core for how a check works).

The forward loop is checked on a tiny network built here (K = 5, H = 4, T = 8, float64):
random b and c (a missing bias shows), a non-symmetric W (``h @ W`` differs from ``W @ h``),
a non-zero h0 (a missing ``W h_{t-1}`` shows at the first step) and inputs with repeated
characters. Each wrong variant below is the same loop with one classic mistake.
"""

import numpy as np

from ..rnn import hidden_states, loss_and_grads, rnn_forward
from ..sampling import rnn_step
from .core import Mistake, check_array, check_function, check_value

__all__ = ["check_forward_loop", "check_logits_shape", "check_h1", "check_tanh_slope"]

_K, _H = 5, 4
_INPUTS = np.array([3, 0, 3, 1, 4, 1, 1, 2])  # T = 8, with repeats


def _loop_params():
    """The check's network: every parameter random and non-zero, W not symmetric."""
    rng = np.random.default_rng(1402)
    params = {"U": rng.normal(0, 0.6, (_H, _K)), "W": rng.normal(0, 0.6, (_H, _H)),
              "V": rng.normal(0, 0.6, (_K, _H)), "b": rng.normal(0, 0.3, _H),
              "c": rng.normal(0, 0.3, _K)}
    h0 = rng.uniform(-0.8, 0.8, _H)
    return params, h0


def _loop_variant(params, inputs, h0, *, recurrent=True, squash=True, transpose_w=False,
                  update_h=True, output_from_previous=False, hidden_bias=True,
                  output_bias=True):
    """The forward loop with at most one classic mistake; (logits, hs, h_T) like the answer."""
    U, W, V, b, c = (params[k] for k in ("U", "W", "V", "b", "c"))
    W = W.T if transpose_w else W
    h, logits, hs = h0, [], []
    for x in inputs:
        h_prev = h if update_h else h0
        a = U[:, x] + (W @ h_prev if recurrent else 0) + (b if hidden_bias else 0)
        h_new = np.tanh(a) if squash else a
        o = V @ (h_prev if output_from_previous else h_new) + (c if output_bias else 0)
        h = h_new
        hs.append(h_new)
        logits.append(o)
    return np.array(logits), np.array(hs), h


_LOOP_MISTAKES = (
    ("recurrent", False, "h_t has no W h_{t-1} term: the state never feeds the next step, so "
                         "the network forgets everything it read."),
    ("squash", False, "h_t is not passed through tanh: apply np.tanh to the whole sum "
                      "U x_t + W h_{t-1} + b."),
    ("transpose_w", True, "you used h @ W, which is W transposed times h: the equation has "
                          "W @ h_{t-1} (row i of W makes entry i of the new state)."),
    ("update_h", False, "every step starts from h0: the state is never updated, so each step "
                        "needs h_{t-1}, the state the previous step produced."),
    ("output_from_previous", True, "the logits o_t come from h_{t-1}, one step late: compute "
                                   "the new h_t first, then o_t = V h_t + c."),
    ("hidden_bias", False, "the hidden bias b is missing from the sum inside tanh."),
    ("output_bias", False, "the output bias c is missing from o_t = V h_t + c."),
)


def check_forward_loop(fn):
    """Check ``fn(params, inputs, h0) -> (logits (T, K), hs (T, H), h_T (H,))``."""
    params, h0 = _loop_params()
    args = (params, _INPUTS, h0)
    logits, _ = rnn_forward(params, _INPUTS, h0)
    hs = hidden_states(params, _INPUTS, h0)
    expected = (logits, hs, hs[-1])
    mistakes = [Mistake(says, _loop_variant(*args, **{knob: value}))
                for knob, value, says in _LOOP_MISTAKES]
    with_h0 = np.vstack([h0, hs])
    mistakes.append(Mistake("hs holds h_0 too: return the T states h_1 .. h_T, one per input "
                            "character.", (logits, with_h0, hs[-1])))
    return check_function(
        "the forward loop", fn, args, expected=expected, mistakes=mistakes,
        forbid=[rnn_forward, hidden_states, rnn_step, loss_and_grads],
        hint="Return (logits, hs, h_T): per input character, h_t = tanh(U x_t + W h_{t-1} + b) "
             "with U x_t the column U[:, x_t], then o_t = V h_t + c.")


def check_logits_shape(answer, params, batch_size=8, seq_length=50):
    """The predicted shape of the logits of ``rnn_forward(params, X)`` for X (B, T)."""
    H, K = params["U"].shape
    B, T = batch_size, seq_length
    expected = rnn_forward(params, np.zeros((B, T), dtype=int))[0].shape
    got = tuple(answer) if isinstance(answer, list | np.ndarray) else answer
    mistakes = [
        Mistake("that is the shape of the hidden states: the logits hold one score per "
                "character of the vocabulary.", (B, T, H)),
        Mistake("that is the shape of the inputs: every position gets a whole row of scores.",
                (B, T)),
        Mistake("time first: rnn_forward returns its logits batch first, like its inputs.",
                (T, B, K)),
        Mistake("that is one sequence's logits: a batch adds its own dimension.", (T, K)),
        Mistake("there is a row of scores per time step, not one per sequence.", (B, K)),
    ]
    return check_value("the shape of the logits", got, expected, mistakes=mistakes,
                       hint="Give a tuple: batch first, then time, then the scores.")


def check_h1(answer, U, W, b, h0, x):
    """h_1 = tanh(U[:, x] + W h0 + b) for the tiny network of the exercise."""
    H, K = U.shape
    small = {"U": U, "W": W, "b": b, "V": np.zeros((K, H)), "c": np.zeros(K)}
    expected = rnn_step(small, h0, x)[0]
    mistakes = [
        Mistake("W @ h0 is missing: h0 is not zero here, so it changes h_1.",
                np.tanh(U[:, x] + b)),
        Mistake("tanh is missing: apply it to the whole sum.", U[:, x] + W @ h0 + b),
        Mistake("h0 @ W is W transposed times h0: the equation has W @ h0.",
                np.tanh(U[:, x] + h0 @ W + b)),
        Mistake("the bias b is missing from the sum.", np.tanh(U[:, x] + W @ h0)),
        Mistake("tanh is applied to U x + b only: W @ h0 belongs inside it too.",
                np.tanh(U[:, x] + b) + W @ h0),
    ]
    return check_array("h_1", answer, expected, mistakes=mistakes,
                       hint="See the equation of h_t in section 1, and the step by hand of "
                            "section 4.")


def check_tanh_slope(answer, a):
    """tanh'(a) = 1 - tanh(a)**2, against a centred difference of np.tanh."""
    eps = 1e-6
    expected = float((np.tanh(a + eps) - np.tanh(a - eps)) / (2 * eps))
    mistakes = [
        Mistake("you squared a: the derivative squares tanh(a), not a.", 1 - a ** 2),
        Mistake("that is tanh(a) itself, the value of h, not its slope.", float(np.tanh(a))),
        Mistake("tanh(a) is not squared.", 1 - float(np.tanh(a))),
        Mistake("that is tanh(a)**2: the derivative is 1 minus it.", float(np.tanh(a)) ** 2),
        Mistake("that is the rounded prediction: set answer_3 to the value you compute "
                "with NumPy.", 0.01),
    ]
    return check_value("tanh'(3)", answer, expected, mistakes=mistakes, rtol=1e-5,
                       hint="Compute the derivative the exercise gives with NumPy; a value "
                            "rounded by hand is not precise enough.")
