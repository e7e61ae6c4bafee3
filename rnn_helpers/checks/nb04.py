"""Checks for notebook 04's exercises (see checks.core for how a check works).

The implement-it exercise: the cross-entropy of a (B, T) batch, summed over time and averaged
over the batch, and its gradient with respect to the logits. The expected answer comes from
``softmax_loss``; each ``_loss_*`` function is the same computation with one classic mistake.
The predict-then-check exercises compute their expected answers here, out of the learner's
sight, and name the likely wrong answers.
"""

import numpy as np

from ..functional import log_softmax, softmax, softmax_loss
from .core import Mistake, call_learner, check_function, check_value

__all__ = ["check_softmax_loss", "check_uniform_loss", "check_bits_per_char",
           "check_perplexity", "check_unigram_entropy"]


# --- the batch loss and its gradient ---
# B, T, K all different (a wrong axis changes the shapes it mixes); B > 1 and T > 1 (sum vs
# mean shows on both axes); positive logits, so -log of the logits is finite (and distinct);
# targets repeat a character. A second call with huge logits tests the max-shift.
_B, _T, _K = 3, 4, 5


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


def _huge_logits_problem(fn, logits, targets):
    """None if fn stays right for logits near 1000 (past exp's overflow), else a sentence.

    Every logit moves up by the same 1000: the probabilities, the loss and the gradient stay
    as they were, so only an overflow of exp can change the result.
    """
    huge = logits + 1000.0
    expected_loss, expected_dlogits = softmax_loss(huge, targets)
    try:
        loss, dlogits = call_learner(fn, huge, targets)
    except Exception:  # a crash or the stub: the same verdict as a wrong value
        loss, dlogits = np.nan, np.full_like(huge, np.nan)
    with np.errstate(all="ignore"):
        fine = (np.isclose(float(np.asarray(loss)), expected_loss, rtol=1e-6)
                and np.allclose(np.asarray(dlogits, dtype=float), expected_dlogits,
                                rtol=1e-6, atol=1e-10))
    if fine:
        return None
    return ("right for small logits, but not for logits near 1000: exp overflows. Subtract "
            "each row's max before exp, or use rh.log_softmax (notebook 03).")


def check_softmax_loss(fn):
    """The learner's ``fn(logits (B, T, K), targets (B, T)) -> (loss, dlogits (B, T, K))``."""
    logits, targets = _loss_inputs()
    expected = softmax_loss(logits, targets)
    return check_function(
        "the batch loss and its gradient", fn, (logits, targets), expected=expected,
        mistakes=_loss_mistakes(logits, targets),
        after=lambda got: _huge_logits_problem(fn, logits, targets),
        hint="L = (1/B) sum over b and t of -log y_hat[b, t, y[b, t]] with y_hat the softmax "
             "over the last axis; dlogits = (y_hat - onehot(y)) / B.")


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
    ], hint="Per character the model pays -ln(1/K); L sums over the T characters.")


def check_bits_per_char(answer, nats):
    """Exercise 2: ``nats`` per character converted to bits per character."""
    return check_value("bits per character", answer, nats / np.log(2), mistakes=[
        Mistake("you multiplied by ln 2: a bit is smaller than a nat, so the number of bits "
                "is larger than the number of nats.", nats * np.log(2)),
        Mistake("you took the log2 of the loss: the loss already is a log; change its base "
                "by dividing by ln 2.", np.log2(nats)),
        Mistake("you divided by ln 10: bits are base 2, so divide by ln 2.", nats / np.log(10)),
        Mistake("that is the perplexity: bits per character is the loss in base 2.",
                np.exp(nats)),
    ], hint="Divide the loss in nats by ln 2 (np.log(2)).")


def check_perplexity(answer, nats):
    """Exercise 2: the perplexity of a model at ``nats`` per character."""
    return check_value("perplexity", answer, np.exp(nats), mistakes=[
        Mistake("you raised 2 to the loss in nats: use e to the loss in nats (or 2 to the "
                "loss in bits).", 2.0 ** nats),
        Mistake("you raised e to the loss in bits: use e to the loss in nats (or 2 to the "
                "loss in bits).", np.exp(nats / np.log(2))),
        Mistake("that is the probability of a typical character, e to minus the loss: "
                "perplexity is its inverse.", np.exp(-nats)),
        Mistake("you raised 10 to the loss: use e, the base of the natural log.", 10.0 ** nats),
        Mistake("that is the loss itself: perplexity undoes the log.", nats),
    ], hint="Perplexity is e to the loss in nats, not the loss itself.")


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
