"""Synthetic tasks that probe what a recurrent network can remember.

The recall task: read a symbol, then k distractors, then a query; at the query, output the
symbol. Every other step's target is a fixed blank, so only the last step carries
information, and it depends on an input k + 1 steps back (the lag).

Notebook 07 trains plain RNNs on it (``train_recall``), measures how much of the query's
gradient reaches the symbol (``recall_gradient_ratio``), and compares initialisations of W
over lags and seeds (``recall_experiment``).
"""

from dataclasses import dataclass

import numpy as np

from .diagnostics import last_step_grad_norms
from .optim import Adam, clip_grad_norm
from .rnn import init_params, loss_and_grads, rnn_forward

__all__ = ["RECALL_CHARS", "RECALL_SYMBOLS", "recall_task", "recall_accuracy", "train_recall",
           "recall_gradient_ratio", "RecallResults", "recall_experiment", "SeedRange",
           "seed_range", "geometric_mean"]

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


def train_recall(k, *, hidden=32, steps=1000, batch_size=32, lr=0.003, clip_norm=5.0, seed=0,
                 init="uniform", callback=None):
    """A fresh RNN trained on the recall task with k distractors; returns its params.

    The RNN (K = len(RECALL_CHARS), H = hidden) starts from ``init_params(..., seed=seed,
    init=init)``. Each of the ``steps`` updates draws a fresh batch of ``batch_size``
    sequences (int (B, k + 2), from a generator seeded with ``seed``), runs
    ``loss_and_grads``, clips the gradient's global norm to ``clip_norm`` and takes an Adam
    step with learning rate ``lr``. float64 throughout. callback(step, params), if given, is
    called after every update (step = 1..steps), e.g. to measure accuracy along the way.
    """
    rng = np.random.default_rng(seed)
    params = init_params(len(RECALL_CHARS), hidden, seed=seed, init=init)
    opt = Adam(lr)
    for step in range(1, steps + 1):
        X, Y = recall_task(batch_size, k, rng)
        _, grads, _ = loss_and_grads(params, X, Y)
        clip_grad_norm(grads, clip_norm)
        opt.step(params, grads)
        if callback is not None:
            callback(step, params)
    return params


def recall_gradient_ratio(params, inputs, targets):
    """How much of the last step's gradient reaches the symbol: a float.

    ||dL_T/dh_1|| / ||dL_T/dh_T|| for each sequence of inputs, targets (int (n, T)), with
    L_T the loss at the query and h_1 the state right after reading the symbol; returns the
    geometric mean over the n sequences (the ratios span decades).
    """
    ratios = []
    for x, y in zip(inputs, targets, strict=True):
        n = last_step_grad_norms(params, x, y)  # index = t
        ratios.append(n[1] / n[-1])
    return float(geometric_mean(ratios))


@dataclass
class RecallResults:
    """The recall task over lags, initialisations and seeds (see ``recall_experiment``).

    ks: (n_k,) distractors; lags = ks + 1, the steps from the symbol to the query.
    accuracy[init]: (n_budgets, n_k, n_seeds), test accuracy after each budget of steps.
    ratio_init[init], ratio_trained[init]: (n_k, n_seeds), ``recall_gradient_ratio`` at
    initialisation and after the last budget.
    """

    ks: np.ndarray
    inits: tuple
    seeds: tuple
    budgets: tuple
    accuracy: dict
    ratio_init: dict
    ratio_trained: dict

    @property
    def lags(self):
        """Steps from the symbol to the query, k + 1: (n_k,) int."""
        return self.ks + 1

    def solved(self, init, budget, *, threshold=0.9):
        """(n_k, n_seeds) bool: accuracy >= threshold after ``budget`` steps."""
        return self.accuracy[init][self.budgets.index(budget)] >= threshold

    def accuracy_summary(self, init, budget):
        """The accuracy of ``init`` after ``budget`` steps over seeds: ``SeedRange``, (n_k,) each.

        The mean over seeds and the range (lowest and highest seed). The range, not mean ± std:
        the accuracies of a few seeds are often bimodal (solved or at chance), and mean ± std
        would then run outside [0, 1].
        """
        return seed_range(self.accuracy[init][self.budgets.index(budget)])

    def ratio_centre(self, init, *, trained=False):
        """The geometric mean over seeds of the gradient ratio: (n_k,) float.

        At initialisation (``ratio_init``), or after training if ``trained``. Geometric,
        because the ratios of one lag span decades across seeds.
        """
        ratio = self.ratio_trained[init] if trained else self.ratio_init[init]
        return geometric_mean(ratio, axis=1)


@dataclass
class SeedRange:
    """Several seeds' results per setting: mean, low (lowest seed), high (highest): (n,) each."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def seed_range(values):
    """values (n, n_seeds) -> ``SeedRange``: the mean, min and max of every row over seeds."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"seed_range needs an (n, n_seeds) array, got shape {values.shape}")
    return SeedRange(values.mean(axis=1), values.min(axis=1), values.max(axis=1))


def geometric_mean(values, axis=None):
    """exp(mean(log(values))) along ``axis``, for positive values that span decades."""
    values = np.asarray(values, dtype=float)
    if np.any(values <= 0):
        raise ValueError("geometric_mean needs positive values")
    return np.exp(np.mean(np.log(values), axis=axis))


def recall_experiment(ks, *, inits=("uniform",), seeds=(0, 1, 2), budgets=(1000,), n_test=1000,
                      n_ratio=20, test_seed=100, **train_kwargs):
    """Train a fresh RNN (``train_recall``) for every k in ks, init in inits and seed in seeds.

    Every run is tested on the same ``n_test`` sequences per k (drawn with ``test_seed``),
    after each number of steps in ``budgets`` (increasing; one run of max(budgets) steps), and
    its gradient ratio is measured on the first ``n_ratio`` of them at initialisation and at
    the end. train_kwargs go to ``train_recall`` (hidden, batch_size, lr, clip_norm).
    Returns a ``RecallResults``.
    """
    ks, seeds, budgets = np.asarray(ks, dtype=int), tuple(seeds), tuple(budgets)
    if list(budgets) != sorted(set(budgets)) or budgets[0] < 1:
        raise ValueError(f"budgets must be increasing positive step counts, got {budgets}")
    shape = (len(ks), len(seeds))
    res = RecallResults(ks, tuple(inits), seeds, budgets,
                        {i: np.zeros((len(budgets),) + shape) for i in inits},
                        {i: np.zeros(shape) for i in inits}, {i: np.zeros(shape) for i in inits})
    for a, k in enumerate(ks):
        X, Y = recall_task(n_test, int(k), np.random.default_rng(test_seed))
        for init in inits:
            for b, seed in enumerate(seeds):
                acc = res.accuracy[init][:, a, b]

                def measure(step, params, acc=acc, X=X, Y=Y):
                    if step in budgets:
                        acc[budgets.index(step)] = recall_accuracy(params, X, Y)

                start = init_params(len(RECALL_CHARS), train_kwargs.get("hidden", 32),
                                    seed=seed, init=init)
                res.ratio_init[init][a, b] = recall_gradient_ratio(start, X[:n_ratio],
                                                                   Y[:n_ratio])
                params = train_recall(int(k), steps=budgets[-1], seed=seed, init=init,
                                      callback=measure, **train_kwargs)
                res.ratio_trained[init][a, b] = recall_gradient_ratio(params, X[:n_ratio],
                                                                      Y[:n_ratio])
    return res
