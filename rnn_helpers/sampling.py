"""Sampling text from a trained RNN, one character at a time, with temperature and top-k.

Temperature tau rescales the logits before the softmax, p = softmax(o / tau): tau < 1
sharpens the distribution towards the most likely character (tau -> 0 is the argmax),
tau = 1 samples the model's own distribution, tau > 1 flattens it towards uniform.
"""

import math

import numpy as np

from .rnn import check_indices, check_params

__all__ = ["sample", "sample_text", "next_char_probs", "rnn_step"]


def rnn_step(params, h, ix):
    """One step: h_t = tanh(U[:, ix] + W h + b), o_t = V h_t + c. Returns (h_t (H,), o_t (K,))."""
    h = np.tanh(params["U"][:, ix] + params["W"] @ h + params["b"])
    return h, params["V"] @ h + params["c"]


def next_char_probs(logits, temperature=1.0, top_k=None):
    """Sampling distribution softmax(o / temperature), restricted to the top_k largest.

    logits: (K,). Returns probabilities (K,) in float64 summing to 1.
    """
    temperature = _check_temperature(temperature)
    o = np.asarray(logits, np.float64)
    if o.ndim != 1 or o.size == 0 or not np.isfinite(o).all():
        raise ValueError("logits must be a non-empty 1-D array of finite numbers")
    with np.errstate(over="ignore", under="ignore"):
        s = o - o.max()  # <= 0, so dividing by a tiny temperature heads to -inf, never +inf
        p = np.exp(s / temperature)
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, int | np.integer) or top_k <= 0:
            raise ValueError(f"top_k must be a positive integer, got {top_k!r}")
        if top_k < len(p):
            p[np.argsort(o)[: len(p) - top_k]] = 0.0
    return p / p.sum()


def _check_temperature(temperature):
    """A positive finite temperature, or ValueError."""
    if not isinstance(temperature, int | float | np.floating) or isinstance(temperature, bool):
        raise TypeError(f"temperature must be a number, got {type(temperature).__name__}")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive and finite, got {temperature}")
    return float(temperature)


def sample(params, h, seed_ix, n, *, temperature=1.0, rng=None, top_k=None):
    """Sample n character indices, starting from hidden state h and character seed_ix.

    params: the RNN's parameters. h: (H,) hidden state (e.g. zeros, or h_last after a
    prime text). seed_ix: int index of the character fed first. n >= 0: how many to draw.
    temperature > 0; top_k: keep only the k most likely characters. rng: a
    np.random.Generator or an int seed (None: fresh entropy); a seeded rng makes the
    result deterministic. Returns a list of n ints.
    """
    K, H, _ = check_params(params)
    h = np.asarray(h)
    if h.shape != (H,):
        raise ValueError(f"h has shape {h.shape}, expected ({H},)")
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    ix = int(check_indices(np.array([seed_ix]), K, "seed_ix")[0])
    _check_temperature(temperature)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    h = h.astype(params["U"].dtype)
    out = []
    for _ in range(n):
        h, o = rnn_step(params, h, ix)
        p = next_char_probs(o, temperature, top_k)
        # inverse-CDF draw: one uniform per character, so a seeded rng gives one sequence
        ix = min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), K - 1)
        out.append(ix)
    return out


def sample_text(params, vocab, n, *, prime="", temperature=1.0, top_k=None, rng=None):
    """Generate n characters as a string, after reading the ``prime`` text.

    The prime text (any characters of ``vocab``) sets the hidden state; the model then
    continues it. With no prime, generation starts from a zero state fed a newline when the
    vocabulary has one (the start of a line), else its first character.
    Returns only the new characters (without the prime).
    """
    H = params["W"].shape[0]
    h = np.zeros(H, params["U"].dtype)
    if prime:
        ixs = vocab.encode(prime)
        for ix in ixs[:-1]:
            h, _ = rnn_step(params, h, ix)
        seed_ix = int(ixs[-1])
    else:
        seed_ix = vocab.index.get("\n", 0)
    return vocab.decode(sample(params, h, seed_ix, n, temperature=temperature, rng=rng,
                               top_k=top_k))
