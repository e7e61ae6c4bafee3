"""Checks for notebook 04's exercises (see checks.core for how a check works).

The implement-it exercise: the cross-entropy of a (B, T) batch, summed over time and averaged
over the batch, and its gradient with respect to the logits. The expected answer comes from
``softmax_loss``; each ``_loss_*`` function is the same computation with one classic mistake.
The predict-then-check exercises compute their expected answers here, out of the learner's
sight, and name the likely wrong answers.
"""

import numpy as np

from ..functional import log_softmax, softmax, softmax_loss
from ..rnn import loss_and_grads
from .core import Mistake, call_learner, check_function, check_value

__all__ = ["check_softmax_loss", "check_uniform_loss", "check_loss_of_perplexity",
           "check_bits_of_perplexity", "check_unigram_entropy"]


# --- the batch loss and its gradient ---
# B, T, K all different (a wrong axis changes the shapes it mixes); B > 1 and T > 1 (sum vs
# mean shows on both axes); positive logits, so -log of the logits is finite (and distinct);
# targets repeat a character. A second call, with one step's logits near -1000, tests the
# max-shift (per step, not over the whole array).
_B, _T, _K = 3, 4, 5


# the package's own loss: the exercise asks the learner to write it (rh.log_softmax is fine)
FORBID = [softmax_loss, loss_and_grads]

def _loss_inputs():
    rng = np.random.default_rng(4)
    logits = rng.uniform(0.2, 3.0, size=(_B, _T, _K))
    targets = np.array([[0, 2, 2, 4], [1, 1, 3, 0], [4, 2, 0, 2]])
    return logits, targets


def _onehot(targets, K):
    return np.eye(K)[targets]


def _loss_variant(logits, targets, *, y_hat=None, surprise=None, loss_scale=None,
                  grad=None):
    """The loss and gradient, with one part replaced by a wrong version.

    y_hat: wrong probabilities (used by the loss and the gradient alike); surprise: wrong
    per-step surprises (B, T); loss_scale: factor on the right loss; grad: wrong dlogits.
    """
    B, _, K = logits.shape
    onehot = _onehot(targets, K)
    if y_hat is None:
        log_y_hat = log_softmax(logits)
        y_hat = softmax(logits)
    else:
        log_y_hat = np.log(y_hat)
    if surprise is None:
        surprise = -(onehot * log_y_hat).sum(axis=-1)
    loss = surprise.sum() / B * (1.0 if loss_scale is None else loss_scale)
    dlogits = (y_hat - onehot) / B if grad is None else grad
    return loss, dlogits


def _softmax_no_axis(z):
    """The 1-D softmax applied to the whole array: one normalisation for every entry."""
    e = np.exp(z - z.max())
    return e / e.sum()


def _softmax_axis(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _loss_mistakes(logits, targets):
    B, T, K = logits.shape
    y_hat, onehot = softmax(logits), _onehot(targets, K)
    picked = np.take_along_axis(logits, targets[..., None], axis=-1)[..., 0]
    wrong_axis = ("your softmax normalises along the wrong axis: each (b, t) needs its own "
                  "probabilities over the K characters, the last axis.")
    return [
        Mistake("your loss is averaged over time: L sums the surprises over the T steps "
                "(and averages only over the batch).",
                _loss_variant(logits, targets, loss_scale=1 / T)),
        Mistake("your loss sums over the batch: average it over the B rows (and keep the "
                "sum over time).", _loss_variant(logits, targets, loss_scale=B)),
        Mistake("your loss takes -log of the logits themselves: turn the logits into "
                "probabilities with a softmax first.",
                _loss_variant(logits, targets, surprise=-np.log(picked))),
        Mistake("your loss is negative: the surprise is minus the log-probability.",
                _loss_variant(logits, targets, loss_scale=-1)),
        Mistake(wrong_axis, _loss_variant(logits, targets, y_hat=_softmax_axis(logits, 1))),
        Mistake(wrong_axis, _loss_variant(logits, targets, y_hat=_softmax_axis(logits, 0))),
        Mistake("your softmax normalises the whole array at once (the 1-D softmax of notebook "
                "03 without an axis): each (b, t) needs its own sum over the K characters.",
                _loss_variant(logits, targets, y_hat=_softmax_no_axis(logits))),
        Mistake("dlogits lacks the one-hot: subtract 1 at each step's target before dividing "
                "by B.", _loss_variant(logits, targets, grad=y_hat / B)),
        Mistake("dlogits is not divided by B: the loss averages over the batch, so each "
                "row's gradient carries a factor 1/B.",
                _loss_variant(logits, targets, grad=y_hat - onehot)),
        Mistake("dlogits is divided by T too: that is the gradient of the mean over time, "
                "but L sums over time.",
                _loss_variant(logits, targets, grad=(y_hat - onehot) / (B * T))),
        Mistake("dlogits has the wrong sign: it is y_hat minus the one-hot, not the one-hot "
                "minus y_hat.", _loss_variant(logits, targets, grad=(onehot - y_hat) / B)),
    ]


def _extreme_logits_problem(fn, logits, targets):
    """None if fn stays right when one step's logits sit near -1000, else a sentence.

    The logits of one step (b, t) all move down by the same 1000: its probabilities, the loss
    and the gradient stay as they were, so only an underflow of exp can change the result.
    Without a shift, or with a shift by the max of the whole array, every exponential of that
    step underflows to 0; a shift by each step's own max keeps one of them at exp(0) = 1.
    """
    extreme = logits.copy()
    extreme[1, 2] -= 1000.0
    expected_loss, expected_dlogits = softmax_loss(extreme, targets)
    try:
        loss, dlogits = call_learner(fn, extreme, targets, forbid=FORBID)
    except Exception:  # a crash or the stub: the same verdict as a wrong value
        loss, dlogits = np.nan, np.full_like(extreme, np.nan)
    with np.errstate(all="ignore"):
        fine = (np.isclose(float(np.asarray(loss)), expected_loss, rtol=1e-6)
                and np.allclose(np.asarray(dlogits, dtype=float), expected_dlogits,
                                rtol=1e-6, atol=1e-10))
    if fine:
        return None
    return ("right for moderate logits, but not when one step's logits all sit near -1000: "
            "their exponentials underflow to 0. Each step (b, t) needs its own max taken "
            "out, not the max of the whole array (notebook 03, section 4).")


def check_softmax_loss(fn):
    """The learner's ``fn(logits (B, T, K), targets (B, T)) -> (loss, dlogits (B, T, K))``."""
    logits, targets = _loss_inputs()
    expected = softmax_loss(logits, targets)
    return check_function(
        "the batch loss and its gradient", fn, (logits, targets), expected=expected,
        forbid=FORBID,
        mistakes=_loss_mistakes(logits, targets),
        after=lambda got: _extreme_logits_problem(fn, logits, targets),
        hint="See the equations of section 4: L sums over time and averages over the batch, "
             "and dL/do carries the same 1/B.")


# --- the predict-then-check exercises ---

def check_uniform_loss(answer, T, K):
    """Exercise 1: the loss of a uniform model on a window of T characters, K in the vocabulary."""
    expected, _ = softmax_loss(np.zeros((T, K)), np.zeros(T, dtype=int))  # equal logits
    return check_value("the uniform model's loss", answer, expected, mistakes=[
        Mistake("that is the loss of one character (the mean over the window): L sums over "
                "the T characters.", np.log(K)),
        Mistake("you used log2: the loss is in nats, with the natural log np.log.",
                T * np.log2(K)),
        Mistake("you used log10: the loss is in nats, with the natural log np.log.",
                T * np.log10(K)),
        Mistake("your loss is negative: the surprise is minus the log-probability, "
                "-ln(1/K) = ln K.", -expected),
    ], hint="See section 3: what one step costs a uniform model, and how L adds the steps.")


def check_loss_of_perplexity(answer, perplexity):
    """Exercise 2: the loss per character, in nats, of a model with this ``perplexity``."""
    P = float(perplexity)
    return check_value("the loss in nats", answer, np.log(P), mistakes=[
        Mistake("that is the loss in bits (log2): nats use the natural log.", np.log2(P)),
        Mistake("you used log10: nats use the natural log.", np.log10(P)),
        Mistake("you raised e to the perplexity: the perplexity is e to the loss, so the loss "
                "undoes that.", np.exp(P)),
        Mistake("that is the probability of a typical character, 1 / perplexity: the loss is "
                "minus its log.", 1 / P),
        Mistake("your loss is negative: it is minus the log of a typical character's "
                "probability, and that probability is below 1.", -np.log(P)),
        Mistake("that is the perplexity itself: the loss is the log of it.", P),
    ], hint="See the definitions of section 5.")


def check_bits_of_perplexity(answer, perplexity):
    """Exercise 2: the loss per character, in bits, of a model with this ``perplexity``."""
    P = float(perplexity)
    return check_value("the loss in bits", answer, np.log2(P), mistakes=[
        Mistake("that is the loss in nats: bits use base 2.", np.log(P)),
        Mistake("you multiplied the nats by ln 2: a bit is smaller than a nat (ln 2 nats), so "
                "the number of bits is larger than the number of nats.",
                np.log(P) * np.log(2)),
        Mistake("you used log10: bits use base 2.", np.log10(P)),
        Mistake("you raised 2 to the perplexity: the perplexity is 2 to the loss in bits, so "
                "the loss undoes that.", 2.0 ** P),
        Mistake("you took log2 of the loss in nats: the loss already is a log; change its "
                "base instead.", np.log2(np.log(P))),
        Mistake("your loss is negative: it is minus the log of a typical character's "
                "probability, and that probability is below 1.", -np.log2(P)),
    ], hint="See the definitions of section 5.")


def check_unigram_entropy(answer, s):
    """Exercise 3: the entropy of the character frequencies of the string ``s``, in nats."""
    _, n = np.unique(list(s), return_counts=True)
    p = n / len(s)
    expected = float(-(p * np.log(p)).sum())
    p_pos = np.array([s.count(ch) for ch in s]) / len(s)  # each position's letter frequency
    return check_value("the unigram entropy", answer, expected, mistakes=[
        Mistake("your entropy is in bits: use the natural log np.log for nats.",
                expected / np.log(2)),
        Mistake("your entropy is negative: H = minus the sum of p ln p.", -expected),
        Mistake(f"that is ln {len(n)}, the entropy of {len(n)} equally frequent letters: use "
                "the letters' actual frequencies.", np.log(len(n))),
        Mistake("you summed over every position of the string: sum over the distinct letters, "
                "once each.", float(-(p_pos * np.log(p_pos)).sum())),
        Mistake(f"your frequencies do not sum to 1: divide the counts by the length of the "
                f"text ({len(s)}), not by the number of distinct letters.",
                float(-(n / len(n) * np.log(n / len(n))).sum())),
        Mistake("you used the counts instead of the frequencies: divide each count by the "
                "length of the text.", float(-(n * np.log(n)).sum())),
    ], hint="Use the frequencies count / len(s), one per distinct letter; they sum to 1.")
