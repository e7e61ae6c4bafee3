"""Synthetic tasks that probe what a recurrent network can remember.

The recall task: read a symbol, then k distractors, then a query; at the query, output the
symbol. Every other step's target is a fixed blank, so only the last step carries
information, and it depends on an input k + 1 steps back (the lag).

Notebook 07 trains plain RNNs on it (``train_recall``), measures how much of the query's
gradient reaches the symbol (``recall_gradient_ratio``), and compares initialisations of W
over lags and seeds (``recall_experiment``). Notebook 08 does the same for the three cells
("rnn", "lstm", "gru"): an experiment's arms are then cells with their settings, and
``recall_run`` is one training watched along the way (accuracy, gradient along time).
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .cells import cell_of, get_cell
from .diagnostics import state_grad_norms
from .functional import _softmax_loss
from .gru import init_gru_params
from .lstm import init_lstm_params
from .optim import Adam, clip_grad_norm
from .rnn import init_params

__all__ = ["RECALL_CHARS", "RECALL_SYMBOLS", "recall_task", "recall_answers", "recall_accuracy",
           "recall_start",
           "train_recall", "recall_gradient_ratio", "RecallResults", "recall_experiment",
           "RecallRun", "recall_run", "state_grad_profile", "SeedRange",
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


def recall_answers(params, inputs):
    """The network's answer at the query of each sequence: int (B,), the argmax of the last
    step's logits for inputs int (B, T). params: any cell's (``cells.cell_of``)."""
    logits, _ = get_cell(cell_of(params)).forward(params, inputs)
    return logits[:, -1].argmax(axis=-1)


def recall_accuracy(params, inputs, targets):
    """Fraction of sequences (B, T) whose answer (``recall_answers``) is the last target."""
    return float(np.mean(recall_answers(params, inputs) == targets[:, -1]))


def recall_start(cell="rnn", hidden=32, *, seed=0, init="uniform", forget_bias=1.0):
    """Fresh parameters of ``cell`` ("rnn", "lstm" or "gru") for the recall task.

    K = len(RECALL_CHARS), H = hidden; float64. init ("uniform", "orthogonal", "identity":
    the RNN's W, see ``init_params``) is for the RNN only, forget_bias for the LSTM only:
    a value other than the default for another cell raises ValueError.
    """
    name = get_cell(cell).name
    if name != "rnn" and init != "uniform":
        raise ValueError(f"init={init!r} sets the RNN's W; the {name.upper()} has no init "
                         "choice (leave init at 'uniform')")
    if name != "lstm" and forget_bias != 1.0:
        raise ValueError(f"forget_bias={forget_bias!r} is the LSTM's; the {name.upper()} has "
                         "no forget gate (leave forget_bias at 1.0)")
    K = len(RECALL_CHARS)
    if name == "rnn":
        return init_params(K, hidden, seed=seed, init=init)
    if name == "lstm":
        return init_lstm_params(K, hidden, seed=seed, forget_bias=forget_bias)
    return init_gru_params(K, hidden, seed=seed)


def train_recall(k, *, cell="rnn", hidden=32, steps=1000, batch_size=32, lr=0.003, clip_norm=5.0,
                 seed=0, init="uniform", forget_bias=1.0, callback=None):
    """A fresh network trained on the recall task with k distractors; returns its params.

    The ``cell`` ("rnn", "lstm" or "gru"; K = len(RECALL_CHARS), H = hidden) starts from
    ``recall_start(cell, hidden, seed=seed, init=init, forget_bias=forget_bias)``. Each of
    the ``steps`` updates draws a fresh batch of ``batch_size`` sequences (int (B, k + 2),
    from a generator seeded with ``seed``), computes the loss's gradients (the sums of the
    cell's ``loss_and_grads``, in ``train``'s reused buffers: at H = 32, lag 41, 1.2 to 1.9
    times as fast as fresh arrays for the LSTM, 2 to 3 for the RNN and the GRU), clips
    their global norm to ``clip_norm`` and takes an Adam step with learning rate ``lr``.
    float64 throughout. callback(step, params), if given, is called after every update
    (step = 1..steps), e.g. to measure accuracy along the way.
    """
    kind = get_cell(cell)
    rng = np.random.default_rng(seed)
    params = recall_start(cell, hidden, seed=seed, init=init, forget_bias=forget_bias)
    opt = Adam(lr)
    state = kind.zero_state(hidden, np.float64, batch_size)
    work = {}  # train's buffers, reused from step to step
    for step in range(1, steps + 1):
        X, Y = recall_task(batch_size, k, rng)
        _, cache = kind.batch_forward(params, X, state, work)
        _, dout = _softmax_loss(cache["o"], Y.T, batch_size, work)
        grads = kind.batch_backward(dout, cache, work)
        clip_grad_norm(grads, clip_norm)
        opt.step(params, grads)
        if callback is not None:
            callback(step, params)
    return params


def recall_gradient_ratio(params, inputs, targets):
    """How much of the last step's gradient reaches the symbol: a float.

    ||dL_T/dstate_1|| / ||dL_T/dh_T|| for each sequence of inputs, targets (int (n, T)),
    with L_T the loss at the query and state_1 the state right after reading the symbol
    (h_1, or (h_1, s_1) for the LSTM: ``state_grad_norms``); returns the geometric mean
    over the n sequences (the ratios span decades). The denominator is the gradient that
    arrives at h_T from the output, V^T (y_hat_T - onehot(y_T)), the same for every cell.
    """
    ratios = []
    for x, y in zip(inputs, targets, strict=True):
        n = state_grad_norms(params, x, y)  # index = t
        ratios.append(n[1] / n[-1])
    return float(geometric_mean(ratios))


@dataclass
class RecallResults:
    """The recall task over lags, arms and seeds (see ``recall_experiment``).

    ks: (n_k,) distractors; lags = ks + 1, the steps from the symbol to the query.
    arms: the arms' labels, in order (an RNN init such as "uniform" in notebook 07, a label
    such as "LSTM" in 08; ``inits`` is the same tuple under 07's name).
    accuracy[arm]: (n_budgets, n_k, n_seeds), test accuracy after each budget of steps.
    ratio_init[arm], ratio_trained[arm]: (n_k, n_seeds), ``recall_gradient_ratio`` at
    initialisation and after the last budget.
    settings[arm]: the ``train_recall`` keyword arguments of the arm (cell, init, ...).
    seconds[arm]: (n_k, n_seeds) wall time of each run (training, tests and ratios), in s.
    params[arm]: (n_k, n_seeds) nested lists, each run's parameters after the last budget
    (to look inside a trained network, e.g. its forget gates, without training it again).
    """

    ks: np.ndarray
    arms: tuple
    seeds: tuple
    budgets: tuple
    accuracy: dict
    ratio_init: dict
    ratio_trained: dict
    settings: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def inits(self):
        """The arms' labels (notebook 07's name: there every arm is an init of the RNN's W)."""
        return self.arms

    @property
    def lags(self):
        """Steps from the symbol to the query, k + 1: (n_k,) int."""
        return self.ks + 1

    def solved(self, arm, budget, *, threshold=0.9):
        """(n_k, n_seeds) bool: accuracy >= threshold after ``budget`` steps."""
        return self.accuracy[arm][self.budgets.index(budget)] >= threshold

    def accuracy_summary(self, arm, budget):
        """The accuracy of ``arm`` after ``budget`` steps over seeds: ``SeedRange``, (n_k,) each.

        The mean over seeds and the range (lowest and highest seed). The range, not mean ± std:
        the accuracies of a few seeds are often bimodal (solved or at chance), and mean ± std
        would then run outside [0, 1].
        """
        return seed_range(self.accuracy[arm][self.budgets.index(budget)])

    def ratio_centre(self, arm, *, trained=False):
        """The geometric mean over seeds of the gradient ratio: (n_k,) float.

        At initialisation (``ratio_init``), or after training if ``trained``. Geometric,
        because the ratios of one lag span decades across seeds.
        """
        ratio = self.ratio_trained[arm] if trained else self.ratio_init[arm]
        return geometric_mean(ratio, axis=1)

    def arm_seconds(self, arm):
        """The total wall time of ``arm``'s runs, in seconds (a float)."""
        return float(np.sum(self.seconds[arm]))


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


ARM_KEYS = ("cell", "init", "forget_bias")  # what an arm of ``recall_experiment`` may set


def _check_arms(arms, inits, train_kwargs):
    """The arms as a dict label -> train_recall settings; ValueError naming a bad one."""
    if arms is None:
        return {init: {"init": init} for init in inits}  # 07: the RNN, one arm per init
    if tuple(inits) != ("uniform",):
        raise ValueError("give either arms or inits, not both (put the init in an arm)")
    if not isinstance(arms, dict) or not arms:
        raise ValueError(f"arms must be a non-empty dict label -> settings, got {arms!r}")
    both = sorted(set(ARM_KEYS) & set(train_kwargs))
    if both:
        raise ValueError(f"{', '.join(both)} belong in each arm, not in the keyword arguments")
    for label, arm in arms.items():
        if not isinstance(arm, dict) or set(arm) - set(ARM_KEYS):
            raise ValueError(f"arm {label!r} must be a dict with keys among {', '.join(ARM_KEYS)}"
                             f", got {arm!r}")
        recall_start(**arm, hidden=1)  # a bad cell, init or forget_bias raises here
    return {label: dict(arm) for label, arm in arms.items()}


def recall_experiment(ks, *, arms=None, inits=("uniform",), seeds=(0, 1, 2), budgets=(1000,),
                      n_test=1000, n_ratio=20, test_seed=100, progress=False, **train_kwargs):
    """Train a fresh network (``train_recall``) for every k in ks, arm and seed in seeds.

    arms: dict label -> ``train_recall`` settings among cell, init and forget_bias, e.g.
    {"RNN": {"cell": "rnn"}, "RNN, orthogonal": {"cell": "rnn", "init": "orthogonal"},
    "LSTM": {"cell": "lstm", "forget_bias": 1.0}, "GRU": {"cell": "gru"}}. Without arms,
    the arms are the RNN with each init in ``inits``, labelled by the init (notebook 07).
    Every run is tested on the same ``n_test`` sequences per k (drawn with ``test_seed``),
    after each number of steps in ``budgets`` (increasing; one run of max(budgets) steps), and
    its gradient ratio is measured on the first ``n_ratio`` of them at initialisation and at
    the end. train_kwargs go to ``train_recall`` (hidden, batch_size, lr, clip_norm).
    progress: one bar (tqdm.auto) over the training steps of all the runs.
    Returns a ``RecallResults``, with each run's wall time.
    """
    from tqdm.auto import tqdm

    ks, seeds, budgets = np.asarray(ks, dtype=int), tuple(seeds), tuple(budgets)
    if list(budgets) != sorted(set(budgets)) or budgets[0] < 1:
        raise ValueError(f"budgets must be increasing positive step counts, got {budgets}")
    arms = _check_arms(arms, inits, train_kwargs)
    shape = (len(ks), len(seeds))
    res = RecallResults(ks, tuple(arms), seeds, budgets,
                        {a: np.zeros((len(budgets),) + shape) for a in arms},
                        {a: np.zeros(shape) for a in arms}, {a: np.zeros(shape) for a in arms},
                        arms, {a: np.zeros(shape) for a in arms},
                        {a: [[None] * len(seeds) for _ in ks] for a in arms})
    hidden = train_kwargs.get("hidden", 32)
    bar = tqdm(total=len(ks) * len(arms) * len(seeds) * budgets[-1], disable=not progress,
               desc="training", unit="step", leave=True)
    for a, k in enumerate(ks):
        X, Y = recall_task(n_test, int(k), np.random.default_rng(test_seed))
        for label, arm in arms.items():
            for b, seed in enumerate(seeds):
                acc = res.accuracy[label][:, a, b]

                def measure(step, params, acc=acc, X=X, Y=Y):
                    bar.update(1)
                    if step in budgets:
                        acc[budgets.index(step)] = recall_accuracy(params, X, Y)

                t0 = time.perf_counter()
                start = recall_start(hidden=hidden, seed=seed, **arm)
                res.ratio_init[label][a, b] = recall_gradient_ratio(start, X[:n_ratio],
                                                                    Y[:n_ratio])
                params = train_recall(int(k), steps=budgets[-1], seed=seed, callback=measure,
                                      **arm, **train_kwargs)
                res.ratio_trained[label][a, b] = recall_gradient_ratio(params, X[:n_ratio],
                                                                       Y[:n_ratio])
                res.seconds[label][a, b] = time.perf_counter() - t0
                res.params[label][a][b] = params
    bar.close()
    return res


def state_grad_profile(params, inputs, targets):
    """The gradient along time over sequences: (T + 1,) float, index t.

    ||dL_T/dstate_t|| / ||dL_T/dh_T|| (``state_grad_norms``) for each sequence of inputs,
    targets (int (n, T)), and its geometric mean over the n sequences (the ratios span
    decades). Entry T is 1; entry 1 is what ``recall_gradient_ratio`` reports.
    """
    norms = np.array([state_grad_norms(params, x, y)
                      for x, y in zip(inputs, targets, strict=True)])  # (n, T + 1)
    return geometric_mean(norms / norms[:, -1:], axis=0)


@dataclass
class RecallRun:
    """One training on the recall task watched along the way (see ``recall_run``).

    lag: k + 1. settings: the ``train_recall`` keyword arguments (cell, init, forget_bias,
    hidden, steps, seed, ...). steps, accuracy: (n,) the test accuracy after each of these
    numbers of steps (0 = at initialisation). grad_start, grad_end: (T + 1,) index t,
    ``state_grad_profile`` at initialisation and after the last step.
    """

    lag: int
    settings: dict
    steps: np.ndarray
    accuracy: np.ndarray
    grad_start: np.ndarray
    grad_end: np.ndarray


def recall_run(k, *, cell="rnn", steps=300, seed=0, every=None, n_test=200, n_grad=5,
               test_seed=100, progress=None, **train_kwargs):
    """Train one network on the recall task with k distractors, measuring as it goes.

    ``train_recall(k, cell=cell, steps=steps, seed=seed, **train_kwargs)`` (train_kwargs:
    init, forget_bias, hidden, batch_size, lr, clip_norm), with ``recall_accuracy`` on
    ``n_test`` fixed sequences (drawn with ``test_seed``) at step 0, every ``every`` steps
    (default: 20 measurements) and at the end, and ``state_grad_profile`` on the first
    ``n_grad`` of them at the start and the end. progress(step), if given, is called after
    every measurement (e.g. to move a progress bar). Returns a ``RecallRun``.
    """
    every = every or max(1, steps // 20)
    X, Y = recall_task(n_test, k, np.random.default_rng(test_seed))
    settings = {"cell": cell, "steps": steps, "seed": seed, **train_kwargs}
    start_kwargs = {key: train_kwargs[key] for key in ("hidden", "init", "forget_bias")
                    if key in train_kwargs}
    start = recall_start(cell, seed=seed, **start_kwargs)
    measured = [(0, recall_accuracy(start, X, Y))]

    def measure(step, params):
        if step % every == 0 or step == steps:
            measured.append((step, recall_accuracy(params, X, Y)))
            if progress is not None:
                progress(step)

    params = train_recall(k, cell=cell, steps=steps, seed=seed, callback=measure,
                          **train_kwargs)
    at, acc = (np.array(v) for v in zip(*measured, strict=True))
    return RecallRun(k + 1, settings, at, acc, state_grad_profile(start, X[:n_grad], Y[:n_grad]),
                     state_grad_profile(params, X[:n_grad], Y[:n_grad]))
