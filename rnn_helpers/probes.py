"""Looking inside a trained RNN's hidden state (notebook 02), without the loss.

How persistent each unit is (lag-1 autocorrelation), how saturated the units are and what
that does to the local gradient 1 - h^2, where the input to the tanh comes from (W h_{t-1}
or U x_t), and whether the network uses its memory: next-character accuracy of the
trained model against the best any memoryless predictor can do, and against the same
model with W = 0 whose read-out (V, c) is refitted so that it reads states it has seen.
"""

import numpy as np

from .diagnostics import SATURATION
from .rnn import hidden_states, rnn_forward
from .stats import decimals_for, format_mean_std, spread

__all__ = [
    "lag1_autocorrelation",
    "saturation_profile",
    "saturation_summary",
    "saturation_table",
    "input_sizes",
    "accuracy",
    "fit_readout",
    "memoryless_accuracy",
    "memory_ablation",
]


def lag1_autocorrelation(h):
    """Lag-1 autocorrelation of each unit's activations over time: (T, H) or (B, T, H) -> (H,).

    Near 1: the unit keeps its value from one step to the next; near 0 or below: it
    changes at every step. For a batch, each unit's mean is taken over all B * T values
    and the pairs (h_t, h_{t+1}) of every row are pooled. A constant unit gets 0.
    """
    h = np.asarray(h, dtype=np.float64)
    if h.ndim == 2:
        h = h[None]
    if h.ndim != 3 or h.shape[1] < 2:
        raise ValueError(f"h must be (T, H) or (B, T, H) with T >= 2, got shape {h.shape}")
    d = h - h.mean(axis=(0, 1))
    var = (d**2).sum(axis=(0, 1))
    cov = (d[:, :-1] * d[:, 1:]).sum(axis=(0, 1))
    return np.divide(cov, var, out=np.zeros_like(var), where=var > 1e-12)


def saturation_profile(h, *, threshold=SATURATION):
    """How saturated the hidden units are, and how much gradient passes through them.

    h: (..., H) activations, the last axis the units. Returns a dict:
    saturated: fraction of all values with |h| > threshold;
    per_unit (H,): each unit's fraction of saturated values;
    switching: fraction of units that are saturated for some inputs but not for all
    (0 < per_unit < 1), or saturated at both +1 and -1;
    stuck: fraction of units saturated at the same sign for every input;
    tanh_grad_saturated / tanh_grad_other: the mean local derivative 1 - h^2 over the
    saturated values and over the others (nan if there are none).
    """
    h = np.asarray(h, dtype=np.float64)
    flat = h.reshape(-1, h.shape[-1])
    sat = np.abs(flat) > threshold
    per_unit = sat.mean(axis=0)
    pos, neg = (flat > threshold).all(axis=0), (flat < -threshold).all(axis=0)
    both = (flat > threshold).any(axis=0) & (flat < -threshold).any(axis=0)
    grad = 1.0 - flat**2
    return {
        "saturated": float(sat.mean()),
        "per_unit": per_unit,
        "switching": float(np.mean(((per_unit > 0) & (per_unit < 1)) | both)),
        "stuck": float(np.mean(pos | neg)),
        "tanh_grad_saturated": float(grad[sat].mean()) if sat.any() else float("nan"),
        "tanh_grad_other": float(grad[~sat].mean()) if (~sat).any() else float("nan"),
        "threshold": threshold,
    }


def saturation_summary(profiles):
    """Summarise ``saturation_profile`` results of several models (one per seed).

    Returns a dict: hidden_size (H of the first model); saturated (``Spread`` over models
    of the fraction of saturated values); unit_range, the (min, max) of a unit's saturated
    fraction over every unit of every model; switching and stuck (lists: the number of such
    units in each model); and the ``Spread`` of tanh_grad_saturated and tanh_grad_other.
    """
    if not profiles:
        raise ValueError("give at least one saturation_profile")
    per_unit = np.concatenate([p["per_unit"] for p in profiles])
    return {
        "hidden_size": len(profiles[0]["per_unit"]),
        "saturated": spread([p["saturated"] for p in profiles]),
        "unit_range": (float(per_unit.min()), float(per_unit.max())),
        "switching": [round(p["switching"] * len(p["per_unit"])) for p in profiles],
        "stuck": [round(p["stuck"] * len(p["per_unit"])) for p in profiles],
        "tanh_grad_saturated": spread([p["tanh_grad_saturated"] for p in profiles]),
        "tanh_grad_other": spread([p["tanh_grad_other"] for p in profiles]),
    }


def saturation_table(summaries, *, width=26):
    """A text table of ``saturation_summary`` results: one column per arm, one row per
    quantity. summaries: {arm name: summary}; every arm's models have the same H.

    Spreads print as mean ± std with the decimals their std justifies; counts per model.
    """
    def pm(s, k=1.0, unit=""):
        return format_mean_std(k * s.mean, k * s.std, decimals_for(k * s.std)) + unit

    def counts(c, H):
        return f"{', '.join(map(str, c))} of {H}"

    rows = {
        f"values with |h| > {SATURATION}": lambda m, H: pm(m["saturated"], 100.0, " %"),
        "one unit's share of saturated values": lambda m, H: "{:.0f} to {:.0f} %".format(
            *(100 * x for x in m["unit_range"])),
        "units saturated for some inputs, not all": lambda m, H: counts(m["switching"], H),
        "units at the same sign for every input": lambda m, H: counts(m["stuck"], H),
        f"mean 1 - h^2 where |h| > {SATURATION}": lambda m, H: pm(m["tanh_grad_saturated"]),
        "mean 1 - h^2 elsewhere": lambda m, H: pm(m["tanh_grad_other"]),
    }
    label = max(map(len, rows)) + 2
    lines = [f"{'':{label}}" + "".join(f"{name:>{width}}" for name in summaries)]
    for what, cell in rows.items():
        lines.append(f"{what:{label}}" + "".join(
            f"{cell(m, m['hidden_size']):>{width}}" for m in summaries.values()))
    return "\n".join(line.rstrip() for line in lines)


def input_sizes(params, inputs):
    """Mean Euclidean norm of the two inputs of the tanh, W h_{t-1} and U x_t.

    inputs: int (T,) or (B, T), h_0 = 0. Returns (past, now): the mean over all steps of
    |W h_{t-1}| and of |U x_t| (floats).
    """
    inputs = np.asarray(inputs)
    h = hidden_states(params, inputs).reshape(-1, inputs.shape[-1], len(params["b"]))
    h_prev = np.concatenate([np.zeros_like(h[:, :1]), h[:, :-1]], axis=1)  # h_0 .. h_{T-1}
    past = np.linalg.norm(h_prev @ params["W"].T, axis=-1).mean()
    now = np.linalg.norm(params["U"][:, inputs.reshape(-1)], axis=0).mean()
    return float(past), float(now)


def accuracy(logits, targets):
    """Fraction of steps whose largest logit is the target: logits (..., K), targets (...)."""
    return float(np.mean(np.argmax(logits, axis=-1) == np.asarray(targets)))


def fit_readout(h, targets, vocab_size):
    """The least-squares linear read-out from states to the one-hot next character.

    h: (..., H) hidden states, targets: (...) ints. Solves min ||[h, 1] A - onehot||^2 and
    returns (V, c): V (K, H), c (K,), so that the scores are V h + c as in the RNN.
    """
    h = np.asarray(h, np.float64)
    H = h.shape[-1]
    A = np.hstack([h.reshape(-1, H), np.ones((h.size // H, 1))])  # (N, H + 1)
    Y = np.eye(vocab_size)[np.asarray(targets).reshape(-1)]  # (N, K)
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)  # (H + 1, K)
    return coef[:H].T.copy(), coef[H].copy()


def memoryless_accuracy(train, inputs, targets, vocab_size):
    """The accuracy of the best rule that sees only the current character.

    train: 1-D encoded text; inputs, targets: int arrays of the same shape (e.g. (B, T)
    windows). After each character, predict the character most often seen after it in
    ``train`` (ties: the smallest index); return the fraction of targets predicted right.
    """
    train = np.asarray(train)
    counts = np.zeros((vocab_size, vocab_size), np.int64)
    np.add.at(counts, (train[:-1], train[1:]), 1)
    best = counts.argmax(axis=1)  # (K,): the most frequent successor of each character
    return float(np.mean(best[np.asarray(inputs)] == np.asarray(targets)))


def memory_ablation(params, fit_inputs, fit_targets, test_inputs, test_targets):
    """Next-character accuracy with and without W, the read-out refitted for both.

    fit_*: int (B, T) windows to fit the read-outs on; test_*: (B, T) windows to score.
    Returns a dict of test accuracies: "trained" (the model's own V, c), "refit" (W kept,
    V, c refitted by ``fit_readout``) and "no_memory" (W = 0, V, c refitted the same way).
    "refit" against "no_memory" differs only in W: the comparison isolates the recurrence.
    """
    K = len(params["c"])
    out = {"trained": accuracy(rnn_forward(params, test_inputs)[0], test_targets)}
    for name, W in (("refit", params["W"]), ("no_memory", np.zeros_like(params["W"]))):
        p = {**params, "W": W}
        V, c = fit_readout(hidden_states(p, fit_inputs), fit_targets, K)
        out[name] = accuracy(hidden_states(p, test_inputs) @ V.T + c, test_targets)
    return out
