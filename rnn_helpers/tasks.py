"""Synthetic tasks that probe what a recurrent network can remember.

The recall task: read a symbol, then k distractors, then a query; at the query, output the
symbol. Every other step's target is a fixed blank, so only the last step carries
information, and it depends on an input k + 1 steps back.
"""

import numpy as np

from .rnn import rnn_forward

__all__ = ["RECALL_CHARS", "RECALL_SYMBOLS", "recall_task", "recall_accuracy"]

RECALL_CHARS = "ABCDwxyz_?"  # 4 symbols to recall, 4 distractors, the blank target, the query
RECALL_SYMBOLS, RECALL_DISTRACTORS, RECALL_BLANK, RECALL_QUERY = range(4), range(4, 8), 8, 9


def recall_task(n, k, rng):
    """n sequences of the recall task with k distractors: (inputs, targets), int (n, k + 2).

    Input: a symbol (A-D), k random distractors (w-z), the query '?'. Targets: the blank '_'
    at every step but the last, where the answer is the first symbol (see RECALL_CHARS).
    """
    s = rng.integers(RECALL_SYMBOLS.start, RECALL_SYMBOLS.stop, size=n)
    d = rng.integers(RECALL_DISTRACTORS.start, RECALL_DISTRACTORS.stop, size=(n, k))
    inputs = np.concatenate([s[:, None], d, np.full((n, 1), RECALL_QUERY)], axis=1)
    targets = np.full_like(inputs, RECALL_BLANK)
    targets[:, -1] = s
    return inputs, targets


def recall_accuracy(params, inputs, targets):
    """Fraction of sequences (B, T) whose last-step prediction (argmax) is the last target."""
    logits, _ = rnn_forward(params, inputs)
    return float(np.mean(logits[:, -1].argmax(axis=-1) == targets[:, -1]))
