"""Counting baselines: n-gram character models, to compare an RNN's loss against.

An n-gram model predicts the next character from the previous n - 1 with probabilities
counted on the training text (add-alpha smoothed, so nothing unseen costs -log 0 = inf).
"""

import numpy as np

__all__ = ["ngram_indices", "ngram_log_probs", "ngram_loss"]


def ngram_indices(data, n, K):
    """Index of each n-gram of ``data`` (1-D ints in [0, K)) in base K: (len(data) - n + 1,)."""
    data = np.asarray(data, np.int64)
    m = len(data) - n + 1
    ix = np.zeros(m, np.int64)
    for i in range(n):
        ix = ix * K + data[i:i + m]
    return ix


def ngram_log_probs(train, n, K, alpha=1.0):
    """log p(next | previous n - 1 characters) from counts on ``train`` plus ``alpha``.

    Add-alpha smoothing (alpha = 1: add-one, Laplace). Returns (K**(n-1), K): row = context
    in base K, column = next character. n = 1 is the unigram model (one row).
    """
    counts = np.bincount(ngram_indices(train, n, K), minlength=K**n).reshape(-1, K) + alpha
    return np.log(counts) - np.log(counts.sum(axis=1, keepdims=True))


def ngram_loss(train, val, n, K, alpha=1.0):
    """Mean loss (nats per character) on ``val`` of the n-gram model counted on ``train``.

    train, val: 1-D int arrays in [0, K). The first n - 1 characters of ``val`` serve only
    as context. Memory grows as K**n: keep n <= 4 for K of a few dozen.
    """
    return float(-ngram_log_probs(train, n, K, alpha).reshape(-1)[ngram_indices(val, n, K)].mean())
