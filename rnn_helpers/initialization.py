"""The initial weight scale and the hidden state it produces (notebook 02).

``init_params`` draws U, W, V uniformly in [-1/sqrt(n), 1/sqrt(n)], n the fan-in (PyTorch's
``nn.RNN`` default). A uniform on [-a, a] has variance a^2 / 3, so for a fixed vector h (n,)

    Var_w(sum_j w_j h_j) = n * (a^2 / (3 n)) * mean(h^2) = a^2 mean(h^2) / 3,   a = scale / sqrt(n).

What the 1/sqrt(n) does: the size of W h does not depend on n. What it does not do: keep
the size of h. At scale 1, W h has about 1/sqrt(3) = 0.58 of the RMS of h, and the
eigenvalues of W fill a disc of radius about 1/sqrt(3) (the circular law, for large n): the
spectral radius rho(W) is about 0.58 x scale. Here: the scaled and the tiny (min-char-rnn)
initialisations, the histogram of the hidden activations, and a sweep over scales, hidden
sizes and seeds.
"""

import math

import numpy as np

from .diagnostics import SATURATION, saturated_fraction, spectral_radius
from .rnn import hidden_states, init_params
from .stats import decimals_for, format_mean_std, spread

__all__ = [
    "SATURATION",
    "scaled_params",
    "tiny_params",
    "init_regimes",
    "uniform_gain",
    "rms_gain",
    "activation_histogram",
    "init_scale_histogram",
    "init_scale_runs",
    "init_scale_summary",
    "init_scale_table",
]



def scaled_params(vocab_size, hidden_size, scale, *, seed=0):
    """``init_params`` with U, W, V times ``scale``: uniform in [-scale/sqrt(n), scale/sqrt(n)].

    Returns a dict U (H, K), W (H, H), V (K, H), b (H,), c (K,); b and c stay zero.
    """
    params = init_params(vocab_size, hidden_size, seed=seed)
    for name in ("U", "W", "V"):
        params[name] *= scale
    return params


def tiny_params(vocab_size, hidden_size, *, std=0.01, seed=0):
    """min-char-rnn's initialisation: U, W, V = std x a standard normal; b, c zero."""
    params = init_params(vocab_size, hidden_size, seed=seed)
    rng = np.random.default_rng(seed)
    for name in ("U", "W", "V"):
        params[name] = std * rng.standard_normal(params[name].shape)
    return params


def init_regimes(vocab_size, hidden_size, *, seed=0):
    """The three initialisations of notebook 02, by name: tiny, default and large (5 x).

    Returns a dict {name: params}; "default" is ``init_params(..., seed=seed)`` itself.
    """
    return {
        "tiny: 0.01 * randn": tiny_params(vocab_size, hidden_size, seed=seed),
        "default: uniform ±1/sqrt(n)": init_params(vocab_size, hidden_size, seed=seed),
        "large: uniform ±5/sqrt(n)": scaled_params(vocab_size, hidden_size, 5.0, seed=seed),
    }


def uniform_gain(scale=1.0):
    """The expected RMS(W h) / RMS(h) for W uniform in [-scale/sqrt(n), scale/sqrt(n)]:
    scale / sqrt(3), for any n and any h (see the module docstring)."""
    return scale / math.sqrt(3.0)


def rms_gain(W, h):
    """RMS(W h) / RMS(h) over a set of states: W (H, H), h (..., H) -> a float.

    The factor by which one multiplication by W changes the size of the hidden state.
    """
    W = np.asarray(W, np.float64)
    h = np.asarray(h, np.float64).reshape(-1, W.shape[1])
    rms_h = np.sqrt(np.mean(h**2))
    if rms_h == 0:
        raise ValueError("h is zero everywhere: the gain is undefined")
    return float(np.sqrt(np.mean((h @ W.T) ** 2)) / rms_h)


def activation_histogram(h, *, bins=50, threshold=SATURATION):
    """Histogram of activations h (any shape) on [-1, 1].

    Returns a dict: edges (bins+1,), fraction (bins,) of all values per bin (sums to 1),
    saturated (the fraction with |h| > threshold), threshold, and std (of all values).
    """
    h = np.asarray(h, dtype=np.float64).ravel()
    counts, edges = np.histogram(np.clip(h, -1, 1), bins=bins, range=(-1, 1))
    return {"edges": edges, "fraction": counts / h.size,
            "saturated": saturated_fraction(h, threshold), "threshold": threshold,
            "std": float(h.std())}


def init_scale_histogram(scale, hidden_size, inputs, *, vocab_size, seed=0, bins=50):
    """``activation_histogram`` of h_t for an RNN at ``scale`` x the default range.

    inputs: int (T,) or (B, T) (every h_t of every row is pooled). The result also holds
    rho, the spectral radius of that RNN's W.
    """
    params = scaled_params(vocab_size, hidden_size, scale, seed=seed)
    result = activation_histogram(hidden_states(params, inputs), bins=bins)
    result["rho"] = spectral_radius(params["W"])
    return result


def init_scale_runs(scales, sizes, inputs, *, vocab_size, seeds=(0,), bins=50):
    """``init_scale_histogram`` for every (scale, H) and seed: {(scale, H): [result per seed]}."""
    return {(scale, size): [init_scale_histogram(scale, size, inputs, vocab_size=vocab_size,
                                                 seed=seed, bins=bins) for seed in seeds]
            for scale in scales for size in sizes}


def init_scale_summary(runs):
    """Spread over seeds of each run of ``init_scale_runs``.

    Returns {(scale, H): {"rho": Spread, "std": Spread, "saturated": Spread}}: the
    spectral radius of W, the std of h and the fraction |h| > SATURATION, over the seeds.
    """
    return {key: {q: spread([r[q] for r in results]) for q in ("rho", "std", "saturated")}
            for key, results in runs.items()}


def _mean_std(s, *, percent=False):
    """A ``Spread`` as 'mean±std' with the decimals its std justifies (in % if ``percent``)."""
    k = 100.0 if percent else 1.0
    if s.max == s.min == 0:
        text = "0"  # exactly zero for every seed (e.g. nothing saturates)
    else:
        text = format_mean_std(k * s.mean, k * s.std, decimals_for(k * s.std), sep="±")
    return text + ("%" if percent else "")


def init_scale_table(summary, *, rho_size=64):
    """A text table of ``init_scale_summary``: one line per scale.

    Columns: rho(W) at H = ``rho_size``, then std(h) and the fraction |h| > SATURATION per H, each
    as mean±std over the seeds, with the decimals the std justifies (``stats.decimals_for``:
    a non-zero std never prints as zero; a quantity that is exactly 0 for every seed prints
    as 0). Columns are as wide as their widest entry.
    """
    scales = sorted({scale for scale, _ in summary})
    sizes = sorted({size for _, size in summary})
    rows = [(f"{scale:.3g}", _mean_std(summary[scale, rho_size]["rho"]),
             [_mean_std(summary[scale, n]["std"]) for n in sizes],
             [_mean_std(summary[scale, n]["saturated"], percent=True) for n in sizes])
            for scale in scales]
    heads = [f"H = {n}" for n in sizes]
    w_rho = max(len(f"H = {rho_size}"), len("rho(W)"), *(len(r[1]) for r in rows))
    w = max(*(len(h) for h in heads), *(len(c) for r in rows for c in r[2] + r[3])) + 2
    block = w * len(sizes)
    head1 = (f"{'':5} {'rho(W)':>{w_rho}}   {'std of h':^{block}}   "
             f"{f'fraction |h| > {SATURATION}':^{block}}")
    head2 = (f"{'scale':5} {f'H = {rho_size}':>{w_rho}}   "
             + "".join(f"{h:>{w}}" for h in heads) + "   " + "".join(f"{h:>{w}}" for h in heads))
    lines = [head1, head2]
    for scale, rho, std, sat in rows:
        lines.append(f"{scale:>5} {rho:>{w_rho}}   " + "".join(f"{c:>{w}}" for c in std)
                     + "   " + "".join(f"{c:>{w}}" for c in sat))
    return "\n".join(line.rstrip() for line in lines)
