"""Sampling text from a trained RNN, LSTM or GRU, one character at a time, with temperature
and top-k.

Temperature tau rescales the logits before the softmax, p = softmax(o / tau): tau < 1
sharpens the distribution towards the most likely character (tau -> 0 is the argmax),
tau = 1 samples the model's own distribution, tau > 1 flattens it towards uniform.
"""

import math

import numpy as np

from . import cells
from .rnn import check_indices, rnn_step

# rnn_step lives in rnn.py; it is re-exported here, where sampling code has always found it
__all__ = ["sample", "sample_text", "next_char_probs", "rnn_step"]


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


def sample(params, h, seed_ix, n, *, temperature=1.0, rng=None, top_k=None, cell=None):
    """Sample n character indices, starting from hidden state h and character seed_ix.

    params: an RNN's, LSTM's or GRU's parameters (cell: "rnn" | "lstm" | "gru", or None to
    read it from their shapes). h: the state, (H,) (e.g. zeros, or h_last after a prime
    text); for the LSTM the pair (h, s). seed_ix: int index of the character fed first.
    n >= 0: how many to draw. temperature > 0; top_k: keep only the k most likely
    characters. rng: a np.random.Generator or an int seed (None: fresh entropy); a seeded
    rng makes the result deterministic. Returns a list of n ints.
    """
    cell, K, H, dtype = cells.check_params(params, cell)
    h = cell.check_state(h, (H,), "h")
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    ix = int(check_indices(np.array([seed_ix]), K, "seed_ix")[0])
    _check_temperature(temperature)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    h = cells.map_state(lambda part: part.astype(dtype), h)  # a copy: the caller's h stays
    step = cell.step
    out = []
    for _ in range(n):
        h, o = step(params, h, ix)
        p = next_char_probs(o, temperature, top_k)
        # inverse-CDF draw: one uniform per character, so a seeded rng gives one sequence
        ix = min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), K - 1)
        out.append(ix)
    return out


def sample_text(params, vocab, n, *, prime="", temperature=1.0, top_k=None, rng=None,
                cell=None):
    """Generate n characters as a string, after reading the ``prime`` text.

    params: an RNN's, LSTM's or GRU's (cell: as in ``sample``). The prime text (any
    characters of ``vocab``) sets the state; the model then continues it. With no prime,
    generation starts from a zero state fed a newline when the vocabulary has one (the
    start of a line), else its first character.
    Returns only the new characters (without the prime).
    """
    cell, _, H, dtype = cells.check_params(params, cell)
    h = cell.zero_state(H, dtype)
    if prime:
        ixs = vocab.encode(prime)
        for ix in ixs[:-1]:
            h, _ = cell.step(params, h, ix)
        seed_ix = int(ixs[-1])
    else:
        seed_ix = vocab.index.get("\n", 0)
    return vocab.decode(sample(params, h, seed_ix, n, temperature=temperature, rng=rng,
                               top_k=top_k, cell=cell))
