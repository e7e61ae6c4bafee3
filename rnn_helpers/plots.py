"""Figures for the notebooks: one style (projector-friendly, colour-blind safe) and the plots
that more than one notebook draws. Only notebooks import this module; the maths never does.

Every function returns the matplotlib Figure it drew, so a notebook can show it, save it, or
hand it to a live display (see ``widgets.LiveFigure``).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .functional import softmax
from .gradcheck import relative_error

# Okabe & Ito (2008): distinguishable with every common form of colour blindness
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [COLORS[k] for k in ("blue", "orange", "green", "red", "purple", "sky", "black")]


def use_style():
    """Set matplotlib defaults for every notebook: large fonts, the palette, light grids."""
    mpl.rcParams.update({
        "figure.figsize": (7.5, 4.2),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "font.size": 12,
        "axes.titlesize": 13,
        "axes.labelsize": 12,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "legend.fontsize": 11,
        "axes.prop_cycle": mpl.cycler(color=CYCLE),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "image.cmap": "viridis",
        "figure.constrained_layout.use": True,
    })


def new_figure(ncols=1, nrows=1, *, width=None, height=None, **kwargs):
    """A figure and its axes, sized for a notebook column (wider for several panels)."""
    width = width or min(4.2 * ncols + 1.5, 13)
    height = height or 3.8 * nrows
    return plt.subplots(nrows, ncols, figsize=(width, height), squeeze=True, **kwargs)


def loss_curves(history, *, floor=None, title="Training loss", ax=None, label=None):
    """Training loss per character (raw and smoothed) and validation loss, against steps.

    history: a ``train.History``. floor: a horizontal line at the best achievable loss
    (e.g. the corpus's entropy rate), labelled as such.
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure()
    steps = np.arange(1, history.steps + 1)
    prefix = f"{label}: " if label else ""
    if label is None:
        ax.plot(steps, history.losses, color=COLORS["sky"], alpha=0.35, lw=1,
                label="train (each step)")
    ax.plot(steps, history.smooth, lw=2, label=f"{prefix}train (smoothed)")
    if history.val_losses:
        ax.plot(history.val_steps, history.val_losses, "o-", lw=1.5, ms=4,
                label=f"{prefix}validation")
    if floor is not None:
        ax.axhline(floor, color=COLORS["black"], ls="--", lw=1.2,
                   label=f"entropy rate {floor:.3f} (best possible)")
    ax.set(xlabel="training step", ylabel="loss (nats per character)", title=title)
    ax.legend()
    return fig


# --- 01: characters and data --------------------------------------------------

CHAR_LABELS = {" ": "␣", "\n": "\\n", "\t": "\\t"}


def char_label(ch):
    """A visible label for one character: '␣' for a space, '\\n' for a newline."""
    return CHAR_LABELS.get(ch, ch)


def char_frequencies(chars, counts, *, title="Character frequencies", ax=None):
    """Bar chart of character counts, most common first; log y-axis if they span >= 2 decades.

    chars: (K,) characters; counts: (K,) how often each occurs.
    """
    counts = np.asarray(counts)
    if len(chars) != len(counts) or counts.ndim != 1 or len(counts) == 0:
        raise ValueError("chars and counts must be two sequences of the same length K > 0")
    order = np.argsort(-counts, kind="stable")
    fig, ax = (ax.figure, ax) if ax is not None else new_figure(width=11, height=4)
    ax.bar(np.arange(len(order)), counts[order], color=COLORS["blue"])
    ax.set_xticks(np.arange(len(order)), [char_label(chars[i]) for i in order])
    ax.set_xlim(-0.7, len(order) - 0.3)
    positive = counts[counts > 0]
    if positive.max() >= 100 * positive.min():
        ax.set_yscale("log")
    ax.grid(axis="x", visible=False)
    ax.set(xlabel="character (most common first)", ylabel="count (characters)", title=title)
    return fig


def batch_windows(n_chars, batch_size, seq_length):
    """Where ``BatchStream`` reads in one pass: start index of every window, (B, n_windows).

    Row b's k-th window holds inputs data[s : s+T] and targets data[s+1 : s+T+1], with
    s = starts[b, k]. Column k is the batch of step k + 1; rows are read in parallel.
    """
    B, T = int(batch_size), int(seq_length)
    if B <= 0 or T <= 0:
        raise ValueError(f"batch_size and seq_length must be positive, got {B} and {T}")
    stretch = (int(n_chars) - 1) // B  # each row keeps one extra character for its last target
    n_windows = stretch // T
    if n_windows == 0:
        raise ValueError(f"{n_chars} characters cannot fill {B} rows of {T + 1}")
    return (np.arange(B) * stretch)[:, None] + (np.arange(n_windows) * T)[None, :]


def batch_layout(n_chars, batch_size, seq_length, *, ax=None):
    """The corpus as B horizontal stretches cut into T-character windows, numbered by step.

    Window k of every row is read at step k + 1 (its number); the arrows show the hidden
    state carried from one window of a row to the next.
    """
    starts = batch_windows(n_chars, batch_size, seq_length)
    B, n_windows = starts.shape
    T = int(seq_length)
    stretch = (int(n_chars) - 1) // B
    fig, ax = (ax.figure, ax) if ax is not None else new_figure(width=11, height=2.1 + 0.5 * B)
    colors = [COLORS[k] for k in ("blue", "orange", "green", "purple", "sky", "yellow")]
    fontsize = 11 if n_windows <= 20 else (8 if n_windows <= 40 else 0)
    for b in range(B):
        ax.add_patch(mpl.patches.Rectangle((0, b - 0.35), stretch, 0.7, facecolor="white",
                                           edgecolor=COLORS["black"], hatch="//", lw=0.8))
        for k in range(n_windows):
            ax.add_patch(mpl.patches.Rectangle((k * T, b - 0.35), T, 0.7, lw=0.8,
                                               facecolor=colors[k % len(colors)],
                                               edgecolor=COLORS["black"]))
            if fontsize:
                ax.text(k * T + T / 2, b, str(k + 1), ha="center", va="center",
                        fontsize=fontsize)
    for k in range(min(n_windows - 1, 10)):  # the state carried along row 0
        ax.annotate("", xy=(k * T + 1.35 * T, -0.36), xytext=(k * T + 0.65 * T, -0.36),
                    arrowprops={"arrowstyle": "->", "color": COLORS["red"], "lw": 1.5,
                                "connectionstyle": "arc,angleA=90,angleB=90,armA=12,"
                                                   "armB=12,rad=4"})
    ax.add_patch(mpl.patches.Rectangle((-0.25, -0.45), T + 0.5, B - 0.1, fill=False,
                                       edgecolor=COLORS["red"], ls="--", lw=2))
    handles = [
        mpl.patches.Patch(facecolor="white", edgecolor=COLORS["black"], hatch="//",
                          label="not read in this pass"),
        mpl.patches.Patch(fill=False, edgecolor=COLORS["red"], ls="--", lw=2,
                          label="batch of step 1: (B, T)"),
    ]
    if n_windows > 1:
        handles.insert(1, mpl.lines.Line2D([], [], color=COLORS["red"], lw=1.5, marker=">",
                                           label="hidden state carried over"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    ax.set_xlim(-1, stretch + 1)
    ax.set_ylim(B - 0.4, -1.1)
    ax.set_yticks(range(B), [f"row {b}: from {b * stretch}" for b in range(B)])
    ax.grid(False)
    ax.set(xlabel="position in the row's stretch (characters)",
           title=f"{n_chars} characters as B = {B} row{'s' * (B > 1)} of {stretch}, "
                 f"T = {T}: {n_windows} step{'s' * (n_windows > 1)} per pass")
    return fig



# --- 02: the forward pass -----------------------------------------------------


def _box(ax, x, y, text, color, w=0.9, h=0.55):
    """A rounded box centred at (x, y) with a label (for the unrolled diagram)."""
    ax.add_patch(mpl.patches.FancyBboxPatch((x - w / 2, y - h / 2), w, h, lw=1.5,
                                            boxstyle="round,pad=0.04", facecolor=color,
                                            edgecolor=COLORS["black"], alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=13)


def _arrow(ax, start, end, label=None, offset=(0.0, 0.0)):
    """An arrow from start to end, labelled at its middle (+ offset)."""
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "lw": 1.5, "color": COLORS["black"],
                            "shrinkA": 0, "shrinkB": 0})
    if label:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=12, color=COLORS["red"],
                fontweight="bold")


def unrolled_rnn(T=4, *, inputs=None, targets=None):
    """The RNN unrolled over T steps: x_t -> h_t -> o_t, h_{t-1} -> h_t, shared U, W, V.

    inputs, targets: optional strings of length T written under x_t and above o_t.
    """
    fig, ax = new_figure(width=2.3 * T + 2.5, height=4.6)
    dx, yx, yh, yo = 2.2, 0.0, 1.6, 3.2
    _box(ax, 0, yh, "$h_0$", "white")
    for t in range(1, T + 1):
        x = t * dx
        _box(ax, x, yx, f"$x_{t}$", COLORS["sky"])
        _box(ax, x, yh, f"$h_{t}$", COLORS["orange"])
        _box(ax, x, yo, f"$o_{t}$", COLORS["green"])
        _arrow(ax, (x, yx + 0.3), (x, yh - 0.3), "U", offset=(-0.25, 0))
        _arrow(ax, (x, yh + 0.3), (x, yo - 0.3), "V", offset=(-0.25, 0))
        _arrow(ax, (x - dx + 0.48, yh), (x - 0.48, yh), "W", offset=(0, 0.2))
        if inputs is not None:
            ax.text(x, yx - 0.55, repr(inputs[t - 1]), ha="center", va="center", fontsize=12,
                    family="monospace")
        if targets is not None:
            ax.text(x, yo + 0.55, f"target {targets[t - 1]!r}", ha="center", va="center",
                    fontsize=11, family="monospace")
    ax.set_xlim(-0.7, T * dx + 0.7)
    ax.set_ylim(yx - 0.9, yo + 0.9)
    ax.set_axis_off()
    ax.set_title(f"The RNN unrolled over T = {T} steps: the same U, W, V at every step")
    return fig


def activation_histograms(results, titles, *, ncols=None, suptitle=None):
    """One histogram panel per result of ``widgets.activation_histogram``, side by side.

    results: dicts with edges (bins+1,), fraction (bins,), saturated (a float).
    titles: one title per panel; the fraction |h| > 0.95 is appended to each.
    """
    if len(results) != len(titles) or not results:
        raise ValueError("give one title per result, and at least one result")
    ncols = ncols or len(results)
    nrows = -(-len(results) // ncols)
    width = min(4.2 * ncols + 1, 14) if ncols > 1 else 7
    fig, axes = new_figure(ncols, nrows, width=width, height=3.6 * nrows)
    axes = np.atleast_1d(axes).ravel()
    for ax, r, title in zip(axes, results, titles, strict=False):
        edges = np.asarray(r["edges"])
        ax.stairs(r["fraction"], edges, fill=True, color=COLORS["blue"])
        ax.axvspan(-1, -r["threshold"], color=COLORS["red"], alpha=0.25, lw=0)
        ax.axvspan(r["threshold"], 1, color=COLORS["red"], alpha=0.25, lw=0)
        ax.set_xlim(-1.05, 1.05)
        ax.set(xlabel="activation $h_t$ (tanh output)", ylabel="fraction of activations",
               title=f"{title}\n|h| > {r['threshold']}: {r['saturated']:.1%}")
    for ax in axes[len(results):]:
        ax.set_axis_off()
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def hidden_heatmaps(hs, text, titles):
    """Heatmaps of hidden states (hidden units x characters), one panel per model, stacked.

    hs: list of (T, H) arrays h_1..h_T; text: the T input characters (x tick labels).
    """
    if len(hs) != len(titles) or not hs:
        raise ValueError("give one title per hidden-state array, and at least one")
    T = len(text)
    fig, axes = new_figure(1, len(hs), width=min(0.26 * T + 3, 14), height=3.4 * len(hs))
    for ax, h, title in zip(np.atleast_1d(axes), hs, titles, strict=True):
        h = np.asarray(h)
        if h.ndim != 2 or h.shape[0] != T:
            raise ValueError(f"each hidden-state array must be (T, H) with T = {T}")
        im = ax.imshow(h.T, aspect="auto", cmap="PuOr_r", vmin=-1, vmax=1,
                       interpolation="nearest")
        ax.set_xticks(np.arange(T), [char_label(ch) for ch in text], family="monospace")
        ax.grid(False)
        ax.set(xlabel="input character $x_t$ (time step t)", ylabel="hidden unit", title=title)
        fig.colorbar(im, ax=ax, label="$h_t$ (tanh output)", pad=0.01)
    return fig



# --- 03: softmax and numerical stability --------------------------------------

SOFTMAX_DEMO_LOGITS = (1.0, 0.8, 0.3, -0.5, -1.0)  # the 03 widget's logits, times its scale
NAN_ROW = 1.1  # where the 03 figures draw a nan: a row above probability 1


def naive_softmax(z, dtype=np.float64):
    """exp(z) / sum(exp(z)) along the last axis, with no max trick; warnings silenced.

    z: (..., K), cast to ``dtype``. Overflow gives nan, as the naive formula does.
    """
    z = np.asarray(z, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def overflow_sweep(zs, dtype=np.float64):
    """softmax([z, 0])[0] for each z of zs (N,): (naive, stable), each (N,) of ``dtype``."""
    Z = np.stack([np.asarray(zs, dtype), np.zeros(len(zs), dtype)], axis=-1)  # (N, 2)
    return naive_softmax(Z, dtype)[:, 0], softmax(Z)[:, 0]


def _nan_row(ax, ticks=(0.0, 0.25, 0.5, 0.75, 1.0)):
    """Label a row above the probabilities "nan", where the figures draw nan values."""
    ax.set_yticks([*ticks, NAN_ROW], [f"{t:g}" for t in ticks] + ["nan"])
    ax.axhline((1 + NAN_ROW) / 2, color=COLORS["black"], lw=0.6, alpha=0.4)
    ax.set_ylim(min(ticks) - 0.05, NAN_ROW + 0.07)


def overflow_figure(zs, sweeps):
    """One panel per dtype: naive vs stable softmax([z, 0])[0] against z (log axis).

    zs: (N,). sweeps: dtype name -> (naive, stable) from ``overflow_sweep``. The naive
    curve's nan values are drawn as crosses on a "nan" row; a dotted line marks ln(max).
    """
    fig, axes = new_figure(len(sweeps), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (name, (naive, stable)) in zip(axes, sweeps.items(), strict=True):
        zmax = float(np.log(np.finfo(name).max))
        bad = np.isnan(naive)
        ax.plot(zs, stable, color=COLORS["blue"], lw=3, label="stable (max trick)")
        ax.plot(zs[~bad], naive[~bad], color=COLORS["orange"], lw=1.5, ls="--", label="naive")
        ax.plot(zs[bad], np.full(bad.sum(), NAN_ROW), "x", color=COLORS["red"], ms=5,
                markevery=4, label="naive = nan")
        ax.axvline(zmax, color=COLORS["black"], ls=":", lw=1.2)
        ax.text(zmax * 0.85, 0.55, f"ln(max) = {zmax:.2f}", rotation=90, ha="right", va="bottom")
        ax.set(xscale="log", xlabel="z (the first logit)", title=name)
        _nan_row(ax, ticks=(0.5, 0.75, 1.0))
    axes[0].set_ylabel("softmax([z, 0])[0]")
    axes[0].legend(loc="center left")
    fig.suptitle("Naive softmax overflows to nan; the stable one stays at 1")
    return fig


def shift_error(offsets, base, dtype):
    """Max relative error of softmax(c + base) computed in ``dtype``, for each offset c.

    offsets: (N,), base: (K,). The exact answer is softmax(base) (shift invariance), taken
    in float64. Returns (N,) float64: max_i |p_i - p*_i| / p*_i.
    """
    base = np.asarray(base, np.float64)
    exact = softmax(base)
    Z = (np.asarray(offsets, np.float64)[:, None] + base).astype(dtype)  # (N, K)
    p = softmax(Z).astype(np.float64)
    return np.max(np.abs(p - exact) / exact, axis=-1)


def precision_figure(offsets, errors):
    """Relative error of softmax against the size of the logits, one line per dtype (log-log).

    offsets: (N,). errors: dtype name -> (N,) from ``shift_error``; a dashed line shows
    the dtype's machine epsilon times the offset.
    """
    fig, ax = new_figure(width=7.5, height=4.2)
    offsets = np.asarray(offsets, np.float64)
    for color, (name, err) in zip(CYCLE, errors.items(), strict=False):
        eps = float(np.finfo(name).eps)
        ax.plot(offsets, np.maximum(err, 1e-18), "o-", color=color, ms=4, label=name)
        ax.plot(offsets, eps * offsets, ls="--", color=color, lw=1,
                label=f"{name} eps x offset")
    ax.set(xscale="log", yscale="log", ylim=(1e-17, 10),
           xlabel="offset c added to every logit",
           ylabel="max relative error of softmax",
           title="Precision: softmax(c + z) in float32 vs float64")
    ax.legend(fontsize=10)
    return fig


def softmax_bars(naive, stable, *, title=""):
    """Two bar charts side by side: naive (nan drawn as a hatched bar labelled "nan") and stable.

    naive, stable: (K,) probabilities.
    """
    fig, axes = new_figure(2, sharey=True, height=3.6)
    x = np.arange(len(stable))
    for ax, p, name, color in ((axes[0], naive, "naive exp(z) / sum exp(z)", COLORS["orange"]),
                               (axes[1], stable, "stable (max trick)", COLORS["blue"])):
        p = np.asarray(p, np.float64)
        bad = np.isnan(p)
        ax.bar(x[~bad], p[~bad], color=color)
        ax.bar(x[bad], np.full(bad.sum(), NAN_ROW), fill=False, hatch="//",
               edgecolor=COLORS["red"], lw=1.5)
        for i in x[bad]:
            ax.text(i, NAN_ROW / 2, "nan", ha="center", va="center", color=COLORS["red"],
                    fontsize=13, fontweight="bold", bbox={"color": "white", "pad": 1})
        ax.set(xticks=x, xlabel="entry i of z", title=name)
        _nan_row(ax)
    axes[0].set_ylabel("probability")
    if title:
        fig.suptitle(title)
    return fig


def softmax_scale_figure(scale, dtype="float64", base=SOFTMAX_DEMO_LOGITS):
    """The 03 widget's view: naive vs stable softmax of ``scale * base`` in ``dtype``."""
    z = (scale * np.asarray(base, np.float64)).astype(dtype)
    naive = naive_softmax(z, dtype)
    n_nan = int(np.isnan(naive).sum())
    title = f"{dtype}, z = {scale:.4g} x base (max {float(z.max()):.4g}): naive gives {n_nan} nan"
    return softmax_bars(naive, softmax(z), title=title)


# --- 04: the loss -------------------------------------------------------------


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


def loss_ladder(names, losses, *, floor=None, title="Loss per character on validation"):
    """Horizontal bars of losses (nats per character), labelled, with the floor as a line.

    names, losses: sequences of the same length, drawn top to bottom.
    floor: the best achievable loss (the entropy rate), a dashed vertical line.
    """
    fig, ax = new_figure(width=8.5, height=0.55 * len(names) + 1.6)
    y = np.arange(len(names))[::-1]
    ax.barh(y, losses, color=COLORS["sky"], edgecolor=COLORS["blue"])
    for yi, v in zip(y, losses, strict=True):
        ax.text(v + 0.03, yi, f"{v:.3f}", va="center")
    if floor is not None:
        ax.axvline(floor, color=COLORS["black"], ls="--", lw=1.5,
                   label=f"entropy rate {floor:.3f} (best possible)")
        ax.legend(loc="lower right")
    ax.set_yticks(y, names)
    ax.set_xlim(0, max(losses) * 1.15)
    ax.grid(axis="y", visible=False)
    ax.set(xlabel="loss (nats per character)", title=title)
    return fig


def window_loss_figure(losses, T, K):
    """Histogram of per-window losses of a fresh model, with the line T ln K.

    losses: (N,) summed losses of N windows of T characters; K: vocabulary size.
    """
    fig, ax = new_figure(width=7.5, height=3.8)
    ax.hist(losses, bins=30, color=COLORS["sky"], edgecolor=COLORS["blue"])
    ax.axvline(T * np.log(K), color=COLORS["red"], lw=2.5, label=f"T ln K = {T * np.log(K):.2f}")
    ax.axvline(np.mean(losses), color=COLORS["black"], ls="--", lw=1.5,
               label=f"mean = {np.mean(losses):.2f}")
    ax.set(xlabel=f"loss of one window (nats, T = {T})", ylabel="number of windows",
           title=f"Loss of {len(losses)} windows through a fresh model")
    ax.legend()
    return fig


def surprise_figure(p, *, K=None):
    """The loss -ln p against the probability p of the correct character, p highlighted.

    The title reads out the loss in nats and bits and the perplexity 1/p. K: also mark
    the uniform guess p = 1/K.
    """
    fig, ax = new_figure(width=7.5, height=4.2)
    ps = np.linspace(1e-3, 1, 500)
    ax.plot(ps, -np.log(ps), color=COLORS["blue"], lw=2, label="loss = -ln p")
    if K is not None:
        ax.axvline(1 / K, color=COLORS["black"], ls=":", lw=1.2, label=f"uniform guess, p = 1/{K}")
    ax.plot([p], [-np.log(p)], "o", color=COLORS["red"], ms=11, label="your p")
    ax.set(xlim=(0, 1.02), ylim=(-0.2, 7.2),
           xlabel="probability p of the correct character",
           ylabel="loss (nats)",
           title=(f"p = {p:.3g}: loss {-np.log(p):.2f} nats = {-np.log2(p):.2f} bits, "
                  f"perplexity {1 / p:.3g}"))
    ax.legend(loc="upper right")
    return fig


# --- 05: backpropagation through time -----------------------------------------


def eps_vcurve(eps_values, errors, *, roundoff=None, marker_eps=None, marker_errors=None,
               title="Finite differences: truncation error vs round-off"):
    """max |analytic - numeric| against the step eps (log-log): the V-shaped curve.

    eps_values: (n,) steps. errors: label -> (n,) max abs differences, one line per stencil.
    roundoff: optional (n,) round-off estimate (eps_machine |L| / eps), drawn dashed.
    marker_eps, marker_errors: optional step and label -> error there, marked with stars.
    """
    fig, ax = new_figure(width=7.5, height=4.4)
    floor = 1e-17  # an exact match (difference 0) is drawn at this floor of the log axis
    for color, (label, err) in zip(CYCLE, errors.items(), strict=False):
        ax.plot(eps_values, np.maximum(err, floor), "o-", color=color, ms=4, lw=1.8,
                label=label)
        if marker_errors is not None and label in marker_errors:
            ax.plot([marker_eps], [max(marker_errors[label], floor)], "*", color=color, ms=18,
                    mec=COLORS["black"], label=f"{label} at eps = {marker_eps:.1e}: "
                                               f"{marker_errors[label]:.1e}")
    if roundoff is not None:
        ax.plot(eps_values, roundoff, "--", color=COLORS["black"], lw=1.2,
                label="round-off estimate eps_machine |L| / eps")
    if marker_eps is not None:
        ax.axvline(marker_eps, color=COLORS["black"], lw=0.8, alpha=0.5)
    ax.set(xscale="log", yscale="log", title=title,
           xlabel="finite-difference step eps (parameter units)",
           ylabel="max |analytic - numeric| (nats per unit)")
    ax.legend(fontsize=10)
    return fig


def gradcheck_scatter(analytic, numeric, *, atol, rtol=1e-6, rule_of_thumb=1e-7,
                      title="Relative error blows up where the gradient is tiny"):
    """Per checked entry: |analytic| against the relative error (log-log), coloured by the test.

    analytic, numeric: (n,) the same entries. Entries where both are exactly 0 are left out;
    a relative error of exactly 0 is drawn at 1e-17. Colour: the entrywise test
    |a - n| <= atol + rtol |n|. Lines: the rule-of-thumb threshold and the test's boundary
    in relative-error terms, (atol + rtol |a|) / 2|a|.
    """
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    keep = (a != 0) | (n != 0)
    a, n = a[keep], n[keep]
    rel = np.maximum(relative_error(a, n), 1e-17)
    ok = np.abs(a - n) <= atol + rtol * np.abs(n)
    x = np.maximum(np.abs(a), np.abs(n))
    fig, ax = new_figure(width=7.5, height=4.6)
    ax.scatter(x[ok], rel[ok], s=14, alpha=0.6, color=COLORS["blue"],
               label=f"passes |a - n| <= atol + rtol |n| ({ok.sum()} entries)")
    ax.scatter(x[~ok], rel[~ok], s=30, marker="x", color=COLORS["red"],
               label=f"fails the entrywise test ({(~ok).sum()} entries)")
    grid = np.logspace(np.log10(x.min()), np.log10(x.max()), 100)
    ax.plot(grid, (atol + rtol * grid) / (2 * grid), "-", color=COLORS["black"], lw=1.5,
            label=f"test boundary (atol = {atol:.1e})")
    ax.axhline(rule_of_thumb, color=COLORS["orange"], ls="--", lw=1.5,
               label=f"rule of thumb: relative error {rule_of_thumb:.0e}")
    ax.set(xscale="log", yscale="log", title=title, xlabel="|gradient entry| (nats per unit)",
           ylabel="relative error |a - n| / (|a| + |n|)")
    ax.legend(fontsize=10, loc="upper right")
    return fig


def hidden_grad_figure(check):
    """Two panels against t: ||dL/dh_t|| (linear) and its max relative error (log scale).

    check: the dict returned by ``check_hidden_state_grads`` (arrays of length T).
    """
    norm, rel = np.asarray(check["norm"]), np.asarray(check["max_rel_error"])
    t = np.arange(1, len(norm) + 1)
    fig, (ax1, ax2) = new_figure(2, height=3.8)
    ax1.plot(t, norm, "o-", color=COLORS["blue"], ms=4)
    ax1.set(ylim=(0, 1.1 * norm.max()), xlabel="time step t",
            ylabel="||dL/dh_t|| (nats per unit)", title="Size of the gradient at h_t")
    ax2.plot(t, np.maximum(rel, 1e-17), "o-", color=COLORS["orange"], ms=4)
    ax2.set(yscale="log", xlabel="time step t", ylabel="max relative error",
            title="Backprop vs finite differences")
    fig.suptitle("dL/dh_t, checked one time step at a time")
    return fig



# --- 06: training and sampling ------------------------------------------------


def compare_losses(histories, *, floor=None, title="Training loss", logy=False, ax=None):
    """Smoothed training loss per character of several runs, one line each.

    histories: dict label -> ``train.History``. floor: the best achievable loss (dashed).
    logy: log scale, for runs whose losses span decades (e.g. a diverging one).
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure()
    for label, history in histories.items():
        ax.plot(np.arange(1, history.steps + 1), history.smooth, lw=2, label=label)
    if floor is not None:
        ax.axhline(floor, color=COLORS["black"], ls="--", lw=1.2,
                   label=f"entropy rate {floor:.3f} (best possible)")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel="training step", ylabel="loss (nats per character)", title=title)
    ax.legend()
    return fig


def grad_norm_curves(histories, *, threshold=None, title="Gradient norm", ax=None):
    """Global gradient norm ||g|| before clipping at every step, several runs, log scale.

    histories: dict label -> ``train.History``. threshold: the clipping bound (dashed).
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure()
    for label, history in histories.items():
        ax.plot(np.arange(1, history.steps + 1), history.grad_norms, lw=1.2, label=label)
    if threshold is not None:
        ax.axhline(threshold, color=COLORS["black"], ls="--", lw=1.2,
                   label=f"clipping bound {threshold:g}")
    ax.set_yscale("log")
    ax.set(xlabel="training step", ylabel="gradient norm ||g|| (before clipping)", title=title)
    ax.legend()
    return fig


def clipping_arrows(g, g_elementwise, g_norm, c, *, ax=None):
    """A 2-D gradient g (2,) and its element-wise (to [-c, c]) and norm (to length c) clips."""
    fig, ax = (ax.figure, ax) if ax is not None else new_figure(width=6.2, height=5.2)
    square = plt.Rectangle((-c, -c), 2 * c, 2 * c, fill=False, ls=":", lw=1.5,
                           color=COLORS["orange"], label=f"element-wise bound: |g_i| <= {c:g}")
    circle = plt.Circle((0, 0), c, fill=False, ls="--", lw=1.5, color=COLORS["blue"],
                        label=f"norm bound: ||g|| <= {c:g}")
    ax.add_patch(square)
    ax.add_patch(circle)
    arrows = [(g, COLORS["black"], "gradient g"),
              (g_elementwise, COLORS["orange"], "element-wise clipped"),
              (g_norm, COLORS["blue"], "norm clipped")]
    for v, color, label in arrows:
        ax.annotate("", xy=(v[0], v[1]), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=2.5, mutation_scale=18))
        ax.plot([], [], color=color, lw=2.5, label=f"{label} ({v[0]:.2f}, {v[1]:.2f})")
    r = 1.15 * max(np.abs(np.asarray(g)).max(), c)
    ax.set(xlim=(-0.3 * r, r), ylim=(-0.3 * r, r), aspect="equal",
           xlabel="g_1 (gradient component 1)", ylabel="g_2 (gradient component 2)",
           title=f"Clipping a 2-D gradient at c = {c:g}")
    ax.legend(loc="upper left", fontsize=10)
    return fig


def _char_label(ch):
    """A visible label for a character: space and newline get symbols."""
    return {" ": "␣", "\n": "↵"}.get(ch, ch)


def next_char_bars(probs, chars, temperatures, *, top=10, title="Next character"):
    """One bar chart per temperature: p(next character), the ``top`` most likely + 'other'.

    probs: list of (K,) distributions, one per temperature; chars: the K characters.
    The characters are ranked by the first distribution, so bars line up across panels.
    """
    fig, axes = new_figure(len(probs), sharey=True, height=3.9)
    axes = np.atleast_1d(axes)
    order = np.argsort(-np.asarray(probs[0]), kind="stable")[:top]
    labels = [_char_label(chars[i]) for i in order] + ["other"]
    heights = [np.append(np.asarray(p)[order], max(0.0, 1.0 - np.asarray(p)[order].sum()))
               for p in probs]
    top_y = min(1.0, 1.15 * max(h.max() for h in heights))
    for ax, hs, tau, color in zip(axes, heights, temperatures, CYCLE[:len(probs)], strict=True):
        ax.bar(range(len(hs)), hs, color=color)
        ax.set_xticks(range(len(hs)), labels)
        ax.set(title=f"temperature {tau:g}", xlabel="next character", ylim=(0, top_y))
    axes[0].set_ylabel("probability")
    fig.suptitle(title)
    return fig


def loss_and_gap(history, floor, *, title="Training and validation loss"):
    """Two panels: the loss curves against the floor, and the gap above the floor (log scale).

    history: a ``train.History`` with validation losses; floor: the entropy rate.
    """
    fig, (ax1, ax2) = new_figure(2, width=13, height=4.4)
    loss_curves(history, floor=floor, title=title, ax=ax1)
    steps = np.arange(1, history.steps + 1)
    gap = np.asarray(history.smooth) - floor
    ax2.plot(steps[gap > 0], gap[gap > 0], lw=2, label="train (smoothed) - entropy rate")
    if history.val_losses:
        val_gap = np.asarray(history.val_losses) - floor
        keep = val_gap > 0
        ax2.plot(np.asarray(history.val_steps)[keep], val_gap[keep], "o-", lw=1.5, ms=4,
                 label="validation - entropy rate")
    ax2.set_yscale("log")
    ax2.set(xlabel="training step", ylabel="gap above the floor (nats per char)",
            title="How far from the best possible")
    ax2.legend()
    return fig


# --- 07: exploding and vanishing gradients ------------------------------------

GRAD_NORM_LABEL = r"$\Vert\partial L_T / \partial h_t\Vert$"


def jacobian_norms_figure(norms_by_radius, *, title="Gradient of the last step's loss"):
    """||dL_T/dh_t|| against the distance T - t, a solid line per spectral radius (log y).

    norms_by_radius: dict rho -> (n,) norms at distances 0..n-1. Each radius also gets a
    dotted guide rho^k times its norm at distance 0: what the linear part alone predicts.
    """
    fig, ax = new_figure(width=8, height=4.6)
    lo, hi = np.inf, 0.0
    for (rho, norms), color in zip(norms_by_radius.items(), CYCLE, strict=False):
        norms = np.asarray(norms)
        k = np.arange(len(norms))
        ax.plot(k, norms, color=color, lw=2.2, label=f"spectral radius {rho:g}")
        ax.plot(k, norms[0] * float(rho) ** k, color=color, lw=1.2, ls=":")
        lo, hi = min(lo, norms.min()), max(hi, norms.max())
    ax.plot([], [], color=COLORS["black"], lw=1.2, ls=":", label=r"linear part alone: $\rho^k$")
    ax.set_ylim(lo / 10, hi * 10)
    ax.set(yscale="log", xlabel="distance in time T - t (steps)",
           ylabel=GRAD_NORM_LABEL, title=title)
    ax.legend()
    return fig


def saturation_figure(radii, saturated, tanh_grad, factor):
    """Two panels against the spectral radius of W: tanh saturation, and the gradient's
    per-step growth factor next to the linear prediction rho (log y).

    radii, saturated (fraction of |h| > 0.95), tanh_grad (mean 1 - h^2), factor: (n,) each.
    """
    radii = np.asarray(radii)
    fig, (ax1, ax2) = new_figure(2, height=4.0)
    ax1.plot(radii, saturated, "o-", color=COLORS["red"], ms=4, label="fraction with |h| > 0.95")
    ax1.plot(radii, tanh_grad, "s-", color=COLORS["blue"], ms=4, label="mean 1 - h²  (tanh')")
    ax1.set(xlabel="spectral radius of W", ylabel="fraction / mean (0 to 1)", ylim=(-0.03, 1.03),
            title="tanh saturates as W grows")
    ax1.legend()
    ax2.plot(radii, factor, "o-", color=COLORS["green"], ms=4, label="measured (with tanh)")
    ax2.plot(radii, radii, ls="--", color=COLORS["black"], lw=1.2,
             label=r"linear prediction $\rho$")
    ax2.axhline(1.0, color=COLORS["purple"], lw=1.2, label="1: neither grows nor shrinks")
    ax2.set(yscale="log", xlabel="spectral radius of W", ylabel="growth factor per step",
            title="The gradient's growth per step back")
    ax2.yaxis.set_major_formatter(mpl.ticker.FormatStrFormatter("%g"))
    ax2.yaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    ax2.set_yticks([t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)
                    if min(np.min(factor), radii.min()) / 2 <= t <= 2 * radii.max()])
    ax2.legend()
    return fig


def clipping_figure(runs, *, max_norm=None, log_K=None):
    """Two panels against the training step: loss per character and gradient norm (log y).

    runs: dict label -> ``train.History``. max_norm: the clipping threshold (a line on the
    norms panel). log_K: the loss of uniform guessing (a line on the loss panel).
    """
    fig, (ax1, ax2) = new_figure(2, height=4.0)
    for (label, h), color in zip(runs.items(), CYCLE, strict=False):
        steps = np.arange(1, h.steps + 1)
        ax1.plot(steps, h.losses, color=color, lw=1.5, label=label)
        ax2.plot(steps, h.grad_norms, color=color, lw=1.2, label=label)
    if log_K is not None:
        ax1.axhline(log_K, color=COLORS["black"], ls="--", lw=1.2,
                    label=f"uniform guess, log K = {log_K:.2f}")
    if max_norm is not None:
        ax2.axhline(max_norm, color=COLORS["black"], ls="--", lw=1.2,
                    label=f"clipping threshold {max_norm:g}")
    ax1.set(yscale="log", xlabel="training step", ylabel="loss (nats per character)",
            title="Loss")
    ax2.set(yscale="log", xlabel="training step", ylabel="gradient norm (before clipping)",
            title="Gradient norm")
    ax1.legend()
    ax2.legend()
    return fig


def recall_figure(ks, accuracy, chance, *, grad_ratio=None):
    """Accuracy of the final recall against the number of distractors k, with chance level;
    with grad_ratio (n,), a second panel: ||dL_T/dh_1|| / ||dL_T/dh_T|| against k (log y).
    """
    ks = np.asarray(ks)
    ncols = 1 if grad_ratio is None else 2
    fig, axes = new_figure(ncols, height=4.0)
    ax1 = axes if ncols == 1 else axes[0]
    ax1.plot(ks, accuracy, "o-", color=COLORS["blue"], ms=6, lw=2, label="plain RNN")
    ax1.axhline(chance, color=COLORS["black"], ls="--", lw=1.2, label=f"chance ({chance:.2f})")
    ax1.set(xlabel="distractors k (steps between symbol and query)",
            ylabel="recall accuracy (fraction)", ylim=(0, 1.05),
            title="Recalling the first symbol")
    ax1.legend()
    if grad_ratio is not None:
        ax2 = axes[1]
        ax2.plot(ks, grad_ratio, "o-", color=COLORS["red"], ms=6, lw=2)
        ax2.set(yscale="log", xlabel="distractors k",
                ylabel=r"$\Vert\partial L_T/\partial h_1\Vert \,/\, "
                       r"\Vert\partial L_T/\partial h_T\Vert$",
                title="Gradient reaching the symbol")
    return fig


def gradient_norms_figure(norms, *, clipped=None, max_norm=None, rho=None):
    """||dL_T/dh_t|| against t = 0..T (log y); with clipped, the per-step clipped curve too.

    norms, clipped: (T + 1,). max_norm: the clipping threshold, drawn when clipped is given.
    """
    norms = np.asarray(norms)
    t = np.arange(len(norms))
    fig, ax = new_figure(width=8, height=4.2)
    ax.plot(t, norms, color=COLORS["blue"], lw=2, label="no clipping")
    if clipped is not None:
        ax.plot(t, clipped, color=COLORS["orange"], lw=2, ls="--",
                label="clipped at each step")
        if max_norm is not None:
            ax.axhline(max_norm, color=COLORS["black"], lw=1, ls=":",
                       label=f"threshold {max_norm:g}")
    rho_text = f", spectral radius {rho:.2f}" if rho is not None else ""
    ax.set(yscale="log", xlabel="time step t", ylabel=GRAD_NORM_LABEL,
           title=f"Gradient of the last step's loss (T = {len(norms) - 1}{rho_text})")
    ax.legend(loc="best")
    return fig
