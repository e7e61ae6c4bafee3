"""Training experiments over seeds and settings: learning-rate sweeps, run verdicts, clipping.

A claim like "Adam learns faster than SGD" compares two distributions of results, and each
depends on the learning rate. This module runs the small, fair experiments behind such claims
(each arm tuned alike, every arm on the same seeds) and turns their results into the numbers
and verdicts the notebooks print. It trains with ``train.train``; it draws nothing.

A run's result is its final loss: the mean per-step training loss per character over its last
``last`` steps (``History.recent_loss``). A run *diverged* if training raised
``FloatingPointError`` or if its final loss is not below ln K, the loss of guessing uniformly.
Runs that raised ``FloatingPointError`` are kept as ``inf``; every diverged run is reported
only as "diverged": its digits are chaotic (they differ from one CPU to the next).

``compare_cells`` (notebook 08) compares the RNN, LSTM and GRU on one corpus; its result per
run is the validation loss per character at the end of the run.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .cells import CELLS, get_cell
from .data import BatchStream
from .optim import SGD, Adagrad, Adam, Momentum, grad_norm
from .rnn import init_params, loss_and_grads
from .stats import spread
from .train import History, _check_positive_int, evaluate, train

CLIPPING = ("none", "element-wise", "norm")

__all__ = [
    "OPTIMIZERS",
    "make_optimizer",
    "is_diverged",
    "RunVerdict",
    "classify_run",
    "clipped_fraction",
    "Grid",
    "run_grid",
    "lr_sweep",
    "Best",
    "best_settings",
    "paired_wins",
    "ranking_summary",
    "grad_norm_per_char",
    "fraction_bounds",
    "grad_norms_by_length",
    "PerCharacter",
    "CLIPPING",
    "panel_clip_kwargs",
    "train_config",
    "train_from_config",
    "panel_clipped_fraction",
    "ranking_at",
    "param_count",
    "matched_hidden_size",
    "CellComparison",
    "compare_cells",
]

OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "Adagrad": Adagrad, "Adam": Adam}


def make_optimizer(name, lr):
    """A fresh optimiser by name ("SGD", "Momentum", "Adagrad", "Adam") with learning rate lr.

    Momentum uses beta = 0.9, Adam its defaults (beta1 = 0.9, beta2 = 0.999).
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](lr)


def is_diverged(loss, vocab_size):
    """True if a final loss is not finite or not below ln K (no better than guessing)."""
    return not (math.isfinite(loss) and loss < math.log(vocab_size))


@dataclass(frozen=True)
class RunVerdict:
    """One run's final loss, judged: diverged, or its gap above the floor (nats per char)."""

    loss: float
    diverged: bool
    gap: float  # loss - floor; nan if diverged
    log_k: float
    floor: float

    def __str__(self):
        if self.diverged:
            return (f"worse than guessing uniformly (ln K = {self.log_k:.3f}): "
                    "lower the learning rate, or clip")
        return f"{self.gap:.3f} nats per character above the entropy rate {self.floor:.3f}"


def classify_run(loss, vocab_size, floor):
    """Judge a final loss (e.g. ``history.recent_loss()``) against ln K and the floor."""
    loss = float(loss)
    diverged = is_diverged(loss, vocab_size)
    return RunVerdict(loss, diverged, math.nan if diverged else loss - floor,
                      math.log(vocab_size), float(floor))


def clipped_fraction(grad_norms, max_norm):
    """The fraction of steps whose gradient norm (before clipping) exceeded ``max_norm``.

    grad_norms: (steps,) norms before clipping, e.g. ``history.grad_norms``. With global-norm
    clipping at ``max_norm``, this is the fraction of steps that were clipped.
    """
    norms = np.asarray(grad_norms, dtype=np.float64)
    if norms.size == 0:
        raise ValueError("no gradient norms recorded")
    return float(np.mean(norms > max_norm))


def fraction_bounds(fractions, step=0.1):
    """Bounds to print for fractions that vary: (lo, hi), multiples of ``step`` with
    lo <= every fraction <= hi.

    A clipped fraction of a chaotic run moves by a step or two from one CPU to the next;
    "between 0% and 10% of the steps" does not.
    """
    x = np.asarray(fractions, dtype=np.float64)
    lo = step * math.floor(round(float(x.min()) / step, 9))
    hi = step * math.ceil(round(float(x.max()) / step, 9))
    return max(0.0, lo), min(1.0, hi)


def grad_norms_by_length(params, data, lengths, *, batch_size=32, windows=5, warmup=2, seed=0):
    """The gradient norm of the summed loss at several window lengths T, same model.

    params: the RNN's dict; data: encoded text; lengths: the T values. For each T, reads
    ``warmup + windows`` consecutive (batch_size, T) windows of ``BatchStream`` (from the
    offset ``seed`` picks, as ``train`` does) carrying the hidden state from one window to the
    next, as training does; the first ``warmup`` windows only warm the state up. Returns
    dict T -> (windows,) float64 norms ||grad of the loss summed over T steps||.
    """
    offset = int(np.random.default_rng(seed).integers(2**31))
    H = params["W"].shape[0]
    out = {}
    for T in lengths:
        stream = BatchStream(data, batch_size, int(T), offset=offset)
        h = np.zeros((batch_size, H), params["W"].dtype)
        norms = []
        for i in range(warmup + windows):
            X, Y, reset = stream.next()
            if reset:
                h = np.zeros_like(h)
            _, grads, h = loss_and_grads(params, X, Y, h)
            if i >= warmup:
                norms.append(grad_norm(grads))
        out[int(T)] = np.array(norms)
    return out


def grad_norm_per_char(grad_norms, seq_length):
    """Gradient norms of the loss summed over T steps, divided by T: (steps,) float64.

    The training loss is a sum over the T characters of a window, so its gradient grows with
    T; divided by T it is the norm of the gradient of the mean loss per character.
    """
    return np.asarray(grad_norms, dtype=np.float64) / seq_length


@dataclass
class Grid:
    """Final losses of several arms (settings) over the same seeds.

    labels: (n,) arm names; seeds: (s,) seeds; losses: (n, s) final losses, ``inf`` where
    training raised ``FloatingPointError``; vocab_size: K, for the divergence test;
    histories: (label, seed) -> History, for the arms and seeds asked to keep them.
    """

    labels: list
    seeds: list
    losses: np.ndarray
    vocab_size: int
    histories: dict = field(default_factory=dict)

    @property
    def diverged(self):
        """(n, s) bool: the runs that diverged (non-finite, or not below ln K)."""
        return ~(np.isfinite(self.losses) & (self.losses < math.log(self.vocab_size)))

    def n_diverged(self, i):
        """How many seeds of arm ``i`` diverged."""
        return int(self.diverged[i].sum())

    def spread(self, i):
        """``stats.Spread`` of arm ``i``'s final losses over seeds, or None if any diverged."""
        return None if self.n_diverged(i) else spread(self.losses[i])

    def verdict(self, i, decimals=1):
        """A verdict on arm ``i`` that holds on any CPU: 'diverged on k of s seeds', or
        'trained on s of s seeds, final loss about m' with m rounded to ``decimals``.

        Use it for chaotic runs (a too-high learning rate held back by clipping), whose
        digits after the first couple differ from one CPU to the next.
        """
        k, s = self.n_diverged(i), len(self.seeds)
        if k:
            return f"diverged on {k} of {s} seeds"
        mean = float(np.mean(self.losses[i]))
        return f"trained on {s} of {s} seeds, final loss about {mean:.{decimals}f}"


def smoothing_beta(steps):
    """The moving average's beta for a run of ``steps``: it spans about a twentieth of the run
    (beta 0.99, a 100-step lag, would trail a 300-step run by a third of it)."""
    return min(0.99, max(0.0, 1 - 20 / steps))


def run_grid(data, vocab_size, arms, seeds, *, hidden_size=64, steps=300, seq_length=25,
             batch_size=32, dtype=np.float64, last=50, keep=(), val_data=None):
    """Train a fresh model for every arm and seed; return their final losses as a ``Grid``.

    data: the encoded training text (1-D ints). arms: dict label -> settings, each a dict with
    ``optimizer`` (a name of ``OPTIMIZERS``), ``lr`` and optionally ``clip`` (element-wise
    bound) and ``clip_norm`` (global-norm bound); missing clip keys mean no clipping. An arm
    may also set ``seq_length`` (overrides the argument) and ``per_char``: if true, the
    optimiser steps on the gradient of the mean loss per character (``PerCharacter``) and
    the clip bounds are per character too (train clips the summed loss's gradient at
    bound x T, which is the per-character gradient clipped at bound).
    seeds: each seed picks both the initial parameters (``init_params(seed=...)``) and the
    windows (``train(seed=...)``), so every arm sees the same models and the same text per
    seed: the comparison between arms is paired. last: the final loss averages this many
    steps. keep: labels whose Histories are kept (all seeds), e.g. to draw their curves.
    """
    seeds = [int(s) for s in seeds]
    labels = list(arms)
    losses = np.empty((len(labels), len(seeds)))
    histories = {}
    for i, label in enumerate(labels):
        s = arms[label]
        for j, seed in enumerate(seeds):
            params = init_params(vocab_size, hidden_size, seed=seed, dtype=dtype)
            # smoothed over about steps / 20 (only for drawing: the final loss is not smoothed)
            history = History(seed=seed, beta=smoothing_beta(steps))
            T = int(s.get("seq_length", seq_length))
            optimizer = make_optimizer(s["optimizer"], s["lr"])
            clip, clip_norm = s.get("clip"), s.get("clip_norm")
            if s.get("per_char"):  # rate and bounds per character: see PerCharacter
                optimizer = PerCharacter(optimizer, T)
                clip = None if clip is None else clip * T
                clip_norm = None if clip_norm is None else clip_norm * T
            try:
                train(params, data, optimizer=optimizer, steps=steps, seq_length=T,
                      batch_size=batch_size, clip=clip, clip_norm=clip_norm, seed=seed,
                      progress=False, history=history, val_data=val_data)
                losses[i, j] = history.recent_loss(last)
            except FloatingPointError:
                losses[i, j] = math.inf
            if label in keep:
                histories[label, seed] = history
    return Grid(labels, seeds, losses, int(vocab_size), histories)


def lr_sweep(data, vocab_size, optimizer, lrs, seeds, *, clip=None, clip_norm=None, **kwargs):
    """``run_grid`` over learning rates for one optimiser: arm i is ``lrs[i]`` (its label).

    Returns a Grid whose losses[i, j] is the final loss at lrs[i], seeds[j]. kwargs go to
    ``run_grid`` (hidden_size, steps, seq_length, batch_size, dtype, last, keep, val_data).
    """
    arms = {float(lr): {"optimizer": optimizer, "lr": float(lr), "clip": clip,
                        "clip_norm": clip_norm} for lr in lrs}
    if len(arms) != len(lrs):
        raise ValueError(f"learning rates must be distinct, got {list(lrs)}")
    return run_grid(data, vocab_size, arms, seeds, **kwargs)


@dataclass(frozen=True)
class Best:
    """An optimiser's best learning rate in a sweep: its name, lr, row index and losses (s,)."""

    name: str
    lr: float
    index: int
    losses: np.ndarray

    @property
    def mean(self):
        return float(np.mean(self.losses))


def best_settings(sweeps):
    """The best learning rate of each sweep: the lowest mean final loss among the learning
    rates at which no seed diverged.

    sweeps: dict optimiser name -> Grid from ``lr_sweep``. Returns a list of ``Best``, sorted
    from the lowest mean loss up. An optimiser whose every rate diverged is left out.
    """
    best = []
    for name, grid in sweeps.items():
        ok = [i for i in range(len(grid.labels)) if not grid.n_diverged(i)]
        if not ok:
            continue
        i = min(ok, key=lambda k: float(np.mean(grid.losses[k])))
        best.append(Best(name, float(grid.labels[i]), i, grid.losses[i].copy()))
    return sorted(best, key=lambda b: b.mean)


def paired_wins(a, b):
    """On how many seeds run a ends below run b: a, b are (s,) losses on the same seeds."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired results need the same seeds, got {a.shape} and {b.shape}")
    return int(np.sum(a < b))


def ranking_summary(best):
    """A sentence per step of the ranking of ``best_settings``: who ends lower, on how many
    seeds, and whether it wins on every seed.

    The first line names the winner; each next line compares a neighbour pair (rank r with
    rank r + 1): "A ends below B on k of s seeds". A pair counts as *separated* only if A wins
    on every seed; otherwise the line says the spread covers the difference.
    """
    if not best:
        return "every setting diverged"
    s = len(best[0].losses)
    top = best[0]
    lines = [f"lowest final loss: {top.name} at lr {top.lr:g}"]
    for a, b in zip(best, best[1:], strict=False):
        k = paired_wins(a.losses, b.losses)
        verdict = "" if k == s else ": the spread covers the difference"
        lines.append(f"{a.name} (lr {a.lr:g}) ends below {b.name} (lr {b.lr:g}) "
                     f"on {k} of {s} seeds{verdict}")
    return "\n".join(lines)


def ranking_at(sweeps, rates):
    """Optimiser names sorted by mean final loss, each at one given rate of its sweep.

    sweeps: dict name -> Grid from ``lr_sweep``; rates: dict name -> a learning rate in that
    sweep's labels. A rate at which some seed diverged counts as an infinite loss (last).
    Ties keep the order of ``rates``.
    """
    def mean_at(name):
        grid = sweeps[name]
        lr = float(rates[name])
        if lr not in grid.labels:
            raise ValueError(f"lr {lr:g} is not in the sweep of {name}: {grid.labels}")
        i = grid.labels.index(lr)
        return math.inf if grid.n_diverged(i) else float(np.mean(grid.losses[i]))

    return sorted(rates, key=mean_at)


# --- the training panel's maths (notebook 06, "Try it") ---------------------------------


class PerCharacter:
    """An optimiser that steps on the gradient of the mean loss per character.

    ``train`` differentiates the loss summed over a window's T characters, so its gradient g
    grows with T. This wrapper hands ``optimizer`` the gradient g / T instead, so a learning
    rate means the same thing at every T: SGD's step is lr x ||g / T||. Adagrad and Adam
    nearly ignore the gradient's scale (only their small eps sees it), so for them it changes
    almost nothing. Pair it with clip bounds multiplied by T (``panel_clip_kwargs``): clipping
    g at value x T is clipping g / T at value.

    optimizer: any object with ``.step(params, grads)``; seq_length: T.
    """

    def __init__(self, optimizer, seq_length):
        if isinstance(seq_length, bool) or not isinstance(seq_length, int | np.integer) \
                or seq_length <= 0:
            raise ValueError(f"seq_length must be a positive integer, got {seq_length!r}")
        self.optimizer, self.seq_length = optimizer, int(seq_length)

    @property
    def lr(self):
        return self.optimizer.lr

    def step(self, params, grads):
        """Update params in place from grads / T (grads themselves are left unchanged)."""
        self.optimizer.step(params, {k: g / self.seq_length for k, g in grads.items()})


def panel_clip_kwargs(mode, value, seq_length=1):
    """train()'s clipping arguments: mode "none", "element-wise" (clip) or "norm" (clip_norm).

    value: the bound per character, on the gradient of the mean loss per character; train()
    gets value x seq_length, the same bound on the gradient of the loss summed over the
    window's seq_length characters.
    """
    if mode not in CLIPPING:
        raise ValueError(f"unknown clipping {mode!r}; choose from {', '.join(CLIPPING)}")
    bound = value * seq_length
    return {"clip": bound if mode == "element-wise" else None,
            "clip_norm": bound if mode == "norm" else None}


def train_config(*, hidden_size=64, lr=3e-3, optimizer="Adam", seq_length=25, clipping="norm",
                 clip_value=0.8, steps=300, batch_size=32, seed=0, dtype="float64"):
    """The training panel's settings as one checked dict: what ``train_from_config`` needs.

    lr and clip_value are per character (see ``PerCharacter``, ``panel_clip_kwargs``); seed
    picks the initial parameters and the windows, as in ``run_grid``. Raises ValueError on
    an unknown optimiser or clipping mode, a bad rate, or a non-positive size.
    """
    make_optimizer(optimizer, lr)  # raises on an unknown name or a bad rate
    panel_clip_kwargs(clipping, clip_value)
    for name, v in (("hidden_size", hidden_size), ("seq_length", seq_length),
                    ("steps", steps), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return {"hidden_size": int(hidden_size), "lr": float(lr), "optimizer": optimizer,
            "seq_length": int(seq_length), "clipping": clipping, "clip_value": float(clip_value),
            "steps": int(steps), "batch_size": int(batch_size), "seed": int(seed),
            "dtype": np.dtype(dtype).name}


def train_from_config(config, data, vocab_size, *, callback=None, progress=False, val_data=None):
    """Train a fresh model (batched) as ``config`` (from ``train_config``) says.

    The optimiser steps on the gradient of the mean loss per character (``PerCharacter``) and
    clips it at the per-character value, so the learning rate and the clip mean the same at
    every T. data: encoded text (1-D ints). Returns (params, history); history.grad_norms are
    the norms of the summed loss's gradient before clipping (divide by T for per character).
    callback(step, history) goes to ``train``. val_data: measured about 10 times per run. Raises
    FloatingPointError, naming the step, if the run diverges.
    """
    T = config["seq_length"]
    params = init_params(vocab_size, config["hidden_size"], seed=config["seed"],
                         dtype=config["dtype"])
    beta = smoothing_beta(config["steps"])
    clip = panel_clip_kwargs(config["clipping"], config["clip_value"], T)
    optimizer = PerCharacter(make_optimizer(config["optimizer"], config["lr"]), T)
    history = train(params, data, optimizer=optimizer,
                    history=History(seed=config["seed"], beta=beta),
                    steps=config["steps"], seq_length=T, batch_size=config["batch_size"],
                    seed=config["seed"], progress=progress, callback=callback,
                    val_data=val_data, **clip)
    return params, history


def panel_clipped_fraction(history, config):
    """The fraction of a panel run's steps that norm clipping cut, or None.

    None unless ``config["clipping"]`` is "norm" (or before any step): element-wise clipping
    fires when some entry exceeds the bound, which the gradient norm does not tell.
    """
    if config["clipping"] != "norm" or not history.steps:
        return None
    return clipped_fraction(history.grad_norms, config["clip_value"] * config["seq_length"])


# --- notebook 08: the three cells on one corpus ------------------------------------------


def param_count(cell, vocab_size, hidden_size):
    """Number of parameters of a cell's model: g H (K + H + 1) + K H + K.

    g = 1 (RNN), 4 (LSTM) or 3 (GRU): the blocks of H rows in U (gH, K), W (gH, H) and
    b (gH,); the output layer V (K, H), c (K,) is the same for every cell.
    """
    g = get_cell(cell).gates
    _check_positive_int(vocab_size=vocab_size, hidden_size=hidden_size)
    K, H = int(vocab_size), int(hidden_size)
    return g * H * (K + H + 1) + K * H + K


def matched_hidden_size(cell, vocab_size, n_params):
    """The hidden size H at which ``cell`` has the parameter count nearest ``n_params``.

    Ties go to the smaller H. Used to compare cells at an equal parameter count: an LSTM has
    about 4 times the recurrent weights of an RNN with the same H.
    """
    _check_positive_int(vocab_size=vocab_size, n_params=n_params)
    g, K = get_cell(cell).gates, int(vocab_size)
    # the positive root of g H^2 + (g (K + 1) + K) H + K = n_params, then its neighbours
    a, b = g, g * (K + 1) + K
    root = (-b + math.sqrt(b * b + 4 * a * max(n_params - K, 0))) / (2 * a)
    candidates = {max(1, math.floor(root)), max(1, math.ceil(root))}
    return min(sorted(candidates),
               key=lambda H: abs(param_count(cell, K, H) - n_params))


@dataclass
class CellComparison:
    """Several cells trained alike over the same seeds: their validation losses and runs.

    cells: (n,) cell names ("rnn", "lstm", "gru"); seeds: (s,); hidden_sizes, param_counts,
    lrs: dict cell -> H, parameter count, learning rate. val_losses: (n, s) validation loss
    per character (nats) at the end of each run, ``inf`` where training diverged.
    histories: (cell, seed) -> History (validation curve in val_steps, val_losses);
    params: (cell, seed) -> the trained parameters. seconds: cell -> training time summed
    over the seeds, on this machine (it differs from run to run: do not print it as a result).
    """

    cells: list
    seeds: list
    hidden_sizes: dict
    param_counts: dict
    lrs: dict
    val_losses: np.ndarray
    histories: dict = field(default_factory=dict, repr=False)
    params: dict = field(default_factory=dict, repr=False)
    seconds: dict = field(default_factory=dict)

    def losses(self, cell):
        """(s,) final validation losses of one cell, one per seed."""
        if cell not in self.cells:
            raise ValueError(f"no cell {cell!r} in this comparison: {', '.join(self.cells)}")
        return self.val_losses[self.cells.index(cell)]

    def diverged(self, cell):
        """How many of the cell's runs diverged (training raised FloatingPointError)."""
        return int(np.sum(~np.isfinite(self.losses(cell))))

    def spread(self, cell):
        """``stats.Spread`` of the cell's final validation losses, or None if any diverged."""
        return None if self.diverged(cell) else spread(self.losses(cell))

    def wins(self, a, b):
        """On how many seeds cell ``a`` ends below cell ``b`` (the same seeds: paired)."""
        return paired_wins(self.losses(a), self.losses(b))

    def verdict(self, a, b):
        """'A ends below B on k of s seeds', plus whether the seeds agree: a sentence that
        holds as long as no seed's order flips (check it on other CPUs before printing it)."""
        k, s = self.wins(a, b), len(self.seeds)
        A, B = a.upper(), b.upper()
        if k == s:
            return f"{A} ends below {B} on every seed ({k} of {s})"
        if k == 0:
            return f"{A} ends above {B} on every seed ({s} of {s})"
        return f"{A} ends below {B} on {k} of {s} seeds: the spread covers the difference"


def _per_cell(value, cells, name):
    """A dict cell -> value from one value for all cells or a dict with one per cell."""
    if isinstance(value, dict):
        missing = [c for c in cells if c not in value]
        if missing:
            raise ValueError(f"{name} has no value for {', '.join(missing)}")
        return {c: value[c] for c in cells}
    return dict.fromkeys(cells, value)


def compare_cells(data, val_data, vocab_size, cells=CELLS, seeds=(0, 1, 2), *, hidden_size=64,
                  lr=0.01, optimizer="Adam", steps=1000, seq_length=25, batch_size=32,
                  clip_norm=50.0, eval_every=None, dtype=np.float64, progress=True):
    """Train every cell from every seed alike; return their validation losses.

    data, val_data: encoded training and validation text (1-D ints in [0, vocab_size)).
    cells: names from ``cells.CELLS``. hidden_size, lr: one value for all cells, or a dict
    cell -> value (e.g. from ``matched_hidden_size`` for equal parameter counts). Each run:
    a fresh optimiser (``make_optimizer(optimizer, lr)``), ``steps`` steps of (batch_size,
    seq_length) windows, global-norm clipping at ``clip_norm`` (a guard; None: none), the
    validation loss before the first step, every ``eval_every`` steps (default: 10 times
    per run) and at the end.
    A seed picks both the initial weights and the windows, so every cell reads the same text
    per seed. progress: one bar for all the runs. Returns a ``CellComparison``.
    """
    cells = [get_cell(c).name for c in cells]
    if len(set(cells)) != len(cells) or not cells:
        raise ValueError(f"cells must be distinct names from {CELLS}, got {cells}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    _check_positive_int(steps=steps)
    sizes = _per_cell(hidden_size, cells, "hidden_size")
    lrs = _per_cell(lr, cells, "lr")
    for c in cells:
        _check_positive_int(hidden_size=sizes[c])
    from tqdm.auto import tqdm

    bar = tqdm(total=len(cells) * len(seeds) * steps, disable=not progress, desc="training",
               unit="step", leave=True)
    val_losses = np.empty((len(cells), len(seeds)))
    result = CellComparison(cells, seeds, sizes, {}, lrs, val_losses)
    for i, c in enumerate(cells):
        result.param_counts[c] = param_count(c, vocab_size, sizes[c])
        result.seconds[c] = 0.0
        for j, seed in enumerate(seeds):
            bar.set_postfix_str(f"{c.upper()}, seed {seed}", refresh=False)
            params = get_cell(c).init(vocab_size, sizes[c], seed=seed, dtype=dtype)
            history = History(seed=seed, beta=smoothing_beta(steps))
            # the curve starts at the fresh model (about ln K), so it spans the n-gram ladder
            history.val_steps.append(0)
            history.val_losses.append(evaluate(params, val_data, seq_length=seq_length))
            try:
                train(params, data, optimizer=make_optimizer(optimizer, lrs[c]), steps=steps,
                      seq_length=seq_length, batch_size=batch_size, clip=None,
                      clip_norm=clip_norm, seed=seed, progress=False, val_data=val_data,
                      eval_every=eval_every, history=history, cell=c,
                      callback=lambda step, h: bar.update(1))
                val_losses[i, j] = history.val_losses[-1]
            except FloatingPointError:
                val_losses[i, j] = math.inf
                bar.update(steps - history.steps)  # the steps a diverged run did not take
            result.seconds[c] += history.seconds
            result.histories[c, seed] = history
            result.params[c, seed] = params
    bar.close()
    return result
