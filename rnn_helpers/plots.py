"""Figures for the notebooks: one style (projector-friendly, colour-blind safe) and the plots
that more than one notebook draws. Only notebooks import this module; the maths never does.

Every function returns the matplotlib Figure it drew, so a notebook can show it, save it, or
hand it to a live display (see ``widgets.LiveFigure``).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .gradcheck import relative_error
from .numerics import SOFTMAX_DEMO_LOGITS, overflow_limit, softmax_at_scale

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
        ax.plot(steps, history.losses, color=COLORS["sky"], alpha=0.8, lw=1,
                label="train (each step)")
    ax.plot(steps, history.smooth, lw=2.5, label=f"{prefix}train (smoothed)")
    if history.val_losses:
        ax.plot(history.val_steps, history.val_losses, "o-", lw=1.5, ms=4,
                label=f"{prefix}validation")
    if floor is not None:
        ax.axhline(floor, color=COLORS["black"], ls="--", lw=1.2,
                   label=f"entropy rate {floor:.3f} (best possible)")
    ax.set(xlabel="training step", ylabel="loss (nats per character)", title=title)
    ax.legend(loc="upper right")  # fixed: "best" jumps around between live redraws
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

    Window k of every row is read at step k + 1 (its number). On every row, an arrow goes
    from the last character of each window (where its final h is computed) to the first
    character of the next window (which starts from that h).
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
    if stretch <= 60:  # white ticks between characters, top and bottom of each row
        x, y = (a.ravel() for a in np.meshgrid(np.arange(1, n_windows * T), np.arange(B)))
        for y0, y1 in ((-0.35, -0.25), (0.25, 0.35)):
            ax.vlines(x, y + y0, y + y1, color="white", lw=0.8)
    if n_windows <= 40:  # the state carried over every window boundary of every row
        for b, k in np.ndindex(B, n_windows - 1):
            end = (k + 1) * T  # window k ends here; window k + 1 starts here
            ax.annotate("", xy=(end + 0.5, b - 0.35), xytext=(end - 0.5, b - 0.35),
                        arrowprops={"arrowstyle": "-|>", "color": COLORS["red"], "lw": 1.5,
                                    "shrinkA": 0, "shrinkB": 0, "mutation_scale": 10,
                                    "connectionstyle": "arc,angleA=90,angleB=90,armA=7,"
                                                       "armB=7,rad=3"})
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
                                           label="h carried over: end of a window → start "
                                                 "of the next"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    ax.set_xlim(-1, stretch + 1)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))  # whole characters
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
    """One histogram panel per result of ``initialization.activation_histogram``, side by side.

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
        ax.stairs(r["fraction"], edges, fill=True, color=COLORS["blue"], zorder=2)
        # Behind the bars (zorder), so the saturated bars at ±1 keep their colour.
        ax.axvspan(-1, -r["threshold"], color=COLORS["red"], alpha=0.2, lw=0, zorder=1,
                   label=f"saturated: |h| > {r['threshold']}")
        ax.axvspan(r["threshold"], 1, color=COLORS["red"], alpha=0.2, lw=0, zorder=1)
        ax.set_xlim(-1.05, 1.05)
        ax.set(xlabel="activation $h_t$ (tanh output)", ylabel="fraction of activations",
               title=f"{title}\nstd {r['std']:.2f}, |h| > {r['threshold']}: "
                     f"{r['saturated']:.1%}")
    # Below the panels, so it covers no bar of any histogram.
    fig.legend(handles=axes[0].get_legend_handles_labels()[0], loc="outside lower center",
               fontsize=11)
    for ax in axes[len(results):]:
        ax.set_axis_off()
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def hidden_heatmaps(hs, text, titles, *, order=None, ylabel="hidden unit"):
    """Heatmaps of hidden states (hidden units x characters), one panel per model, stacked.

    hs: list of (T, H) arrays h_1..h_T; text: the T input characters (x tick labels).
    order: optional (H,) unit indices, drawn top to bottom in every panel.
    """
    if len(hs) != len(titles) or not hs:
        raise ValueError("give one title per hidden-state array, and at least one")
    T = len(text)
    fig, axes = new_figure(1, len(hs), width=min(0.26 * T + 3, 14), height=3.4 * len(hs))
    for ax, h, title in zip(np.atleast_1d(axes), hs, titles, strict=True):
        h = np.asarray(h)
        if h.ndim != 2 or h.shape[0] != T:
            raise ValueError(f"each hidden-state array must be (T, H) with T = {T}")
        if order is not None:
            h = h[:, order]
        im = ax.imshow(h.T, aspect="auto", cmap="PuOr_r", vmin=-1, vmax=1,
                       interpolation="nearest")
        ax.set_xticks(np.arange(T), [char_label(ch) for ch in text], family="monospace")
        ax.grid(False)
        ax.set(xlabel="input character $x_t$ (time step t)", ylabel=ylabel, title=title)
        fig.colorbar(im, ax=ax, label="$h_t$ (tanh output)", pad=0.01)
    return fig


# --- 03: softmax and numerical stability --------------------------------------

NAN_ROW = 1.1  # where the 03 figures draw a nan: a row above probability 1


def _nan_row(ax, ticks=(0.0, 0.25, 0.5, 0.75, 1.0)):
    """Label a row above the probabilities "nan", where the figures draw nan values."""
    ax.set_yticks([*ticks, NAN_ROW], [f"{t:g}" for t in ticks] + ["nan"])
    ax.axhline((1 + NAN_ROW) / 2, color=COLORS["black"], lw=0.6, alpha=0.4)
    ax.set_ylim(min(ticks) - 0.05, NAN_ROW + 0.07)


def overflow_figure(zs, sweeps):
    """One panel per dtype: naive vs stable softmax([z, 0])[0] against z (log axis).

    zs: (N,). sweeps: dtype name -> (naive, stable) from ``numerics.overflow_sweep``. The naive
    curve's nan values are drawn as crosses on a "nan" row; a dotted line marks ln(max).
    """
    fig, axes = new_figure(len(sweeps), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (name, (naive, stable)) in zip(axes, sweeps.items(), strict=True):
        zmax = overflow_limit(name)
        bad = np.isnan(naive)
        ax.plot(zs, stable, color=COLORS["blue"], lw=3, label="stable (max trick)")
        ax.plot(zs[~bad], naive[~bad], color=COLORS["orange"], lw=1.5, ls="--", label="naive")
        ax.plot(zs[bad], np.full(bad.sum(), NAN_ROW), "x", color=COLORS["red"], ms=5,
                markevery=4, label="naive = nan")
        ax.axvline(zmax, color=COLORS["black"], ls=":", lw=1.2)
        # Centred low in the panel, left of the line: clear of the curves, which sit at 1 there.
        ax.text(zmax * 0.85, 0.7, f"ln(max) = {zmax:.2f}", rotation=90, ha="right", va="center")
        ax.set(xscale="log", xlabel="z (the first logit)", title=name)
        _nan_row(ax, ticks=(0.5, 0.75, 1.0))
    axes[0].set_ylabel("softmax([z, 0])[0]")
    # Below the panels: inside, it would cover the rising curve.
    fig.legend(handles=axes[0].get_legend_handles_labels()[0], loc="outside lower center",
               ncols=3)
    fig.suptitle("Naive softmax overflows to nan; the stable one stays at 1")
    return fig


def precision_figure(offsets, errors):
    """Relative error of softmax against the size of the logits, one line per dtype (log-log).

    offsets: (N,). errors: dtype name -> (N,) from ``numerics.shift_error``; a dashed line shows
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
           xlabel="offset s added to every logit",
           ylabel="max relative error of softmax",
           title="Precision: softmax(s + z) in float32 vs float64")
    ax.legend(fontsize=11)
    return fig


NAN_BAR = {"fill": False, "hatch": "//", "edgecolor": COLORS["red"], "lw": 1.5}


def softmax_legend_handles():
    """The legend of ``softmax_pair_bars``: naive, stable, nan (shown even when no bar is nan)."""
    return [mpl.patches.Patch(color=COLORS["orange"], label="naive"),
            mpl.patches.Patch(color=COLORS["blue"], label="stable (max trick)"),
            mpl.patches.Patch(label="naive = nan", **NAN_BAR)]


def softmax_pair_bars(ax, naive, stable, *, nan_text=True):
    """Naive (orange) and stable (blue) probabilities side by side for each entry of z.

    naive, stable: (K,). A nan is drawn as a hatched red bar up to the "nan" row.
    Returns the number of nan entries of ``naive``.
    """
    x = np.arange(len(stable))
    naive = np.asarray(naive, np.float64)
    bad = np.isnan(naive)
    ax.bar(x[~bad] - 0.2, naive[~bad], width=0.4, color=COLORS["orange"])
    ax.bar(x + 0.2, np.asarray(stable, np.float64), width=0.4, color=COLORS["blue"])
    ax.bar(x[bad] - 0.2, np.full(bad.sum(), NAN_ROW), width=0.4, **NAN_BAR)
    if nan_text:
        for i in x[bad]:
            ax.text(i - 0.2, NAN_ROW / 2, "nan", ha="center", va="center", rotation=90,
                    color=COLORS["red"], fontsize=11, fontweight="bold",
                    bbox={"color": "white", "pad": 1})
    ax.set_xticks(x)
    ax.grid(axis="x", visible=False)
    _nan_row(ax, ticks=(0.0, 0.5, 1.0))
    return int(bad.sum())


def softmax_scale_figure(scale, dtype="float64", base=SOFTMAX_DEMO_LOGITS):
    """The 03 widget's view: naive vs stable softmax of ``scale * base`` in ``dtype``."""
    fig, ax = new_figure(width=7.5, height=4.0)
    n_nan = softmax_pair_bars(ax, *softmax_at_scale(scale, dtype, base))
    ax.set(xlabel="entry i of z", ylabel="probability",
           title=f"{dtype}, z = {scale:.1f} × base: naive gives {n_nan} nan")
    ax.legend(handles=softmax_legend_handles(), loc="center right", fontsize=11)
    return fig


def softmax_scale_grid(scales=(1, 10, 100, 1000), dtypes=("float32", "float64"),
                       base=SOFTMAX_DEMO_LOGITS):
    """Small multiples of ``softmax_pair_bars``: one row per dtype, one column per scale."""
    fig, axes = new_figure(len(scales), len(dtypes), width=13, height=2.6 * len(dtypes) + 0.9,
                           sharex=True, sharey=True)
    axes = np.asarray(axes).reshape(len(dtypes), len(scales))
    for row, dtype in zip(axes, dtypes, strict=True):
        for ax, scale in zip(row, scales, strict=True):
            n_nan = softmax_pair_bars(ax, *softmax_at_scale(scale, dtype, base), nan_text=False)
            ax.set_title(f"{dtype}, scale {scale:g}: {n_nan} nan", fontsize=12)
        row[0].set_ylabel("probability")
    for ax in axes[-1]:
        ax.set_xlabel("entry i of z")
    fig.legend(handles=softmax_legend_handles(), loc="outside lower center", ncols=3)
    fig.suptitle("Softmax of scale x base: spread, then one-hot; past ln(max) the naive one is nan")
    return fig


# --- 04: the loss -------------------------------------------------------------


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


def char_surprise_figure(tokens, surprises):
    """Bars of the per-character surprise, grouped by token, each token's total above it.

    tokens: the tokens of the text in order (e.g. from ``grammar.parse``); surprises:
    (sum of their lengths,) nats, e.g. from ``Grammar.char_surprises``.
    """
    surprises = np.asarray(surprises, np.float64)
    fig, ax = new_figure(width=max(7.5, 0.42 * len(surprises) + 1.5), height=4.2)
    top = 1.25 * surprises.max()
    start = 0
    for j, token in enumerate(tokens):
        x = np.arange(start, start + len(token))
        ax.bar(x, surprises[x], color=COLORS["blue"] if j % 2 == 0 else COLORS["sky"])
        ax.plot([x[0] - 0.4, x[-1] + 0.4], [top * 0.93] * 2, color=COLORS["black"], lw=1)
        ax.text(x.mean(), top * 0.95, f"{surprises[x].sum():.2f}", ha="center", va="bottom")
        start += len(token)
    chars = "".join(tokens)
    ax.set_xticks(np.arange(len(chars)), [char_label(ch) for ch in chars])
    ax.set_ylim(0, top * 1.08)
    ax.grid(axis="x", visible=False)
    ax.set(xlabel="character (bars of one colour: one choice of the grammar)",
           ylabel="-ln p(character | text so far) (nats)",
           title=f"Surprise per character: {surprises.sum():.2f} nats in all, "
                 f"per choice above the bars")
    return fig


def surprise_figure(p, *, K=None):
    """The loss -ln p against the probability p of the correct character (log p axis).

    On a log axis -ln p is a straight line: each halving of p (the grey dots) adds ln 2
    nats, one bit (the right axis).
    The title reads out the loss in nats and bits and the perplexity 1/p. K: also mark
    the uniform guess p = 1/K.
    """
    fig, ax = new_figure(width=7.5, height=4.2)
    ps = np.logspace(-3, 0, 300)
    ax.plot(ps, -np.log(ps), color=COLORS["blue"], lw=2, label="loss = -ln p")
    halvings = 2.0 ** -np.arange(10)
    ax.plot(halvings, -np.log(halvings), "o", color=COLORS["black"], ms=4, alpha=0.6,
            label="p = 1, 1/2, 1/4, ...: +1 bit each")
    if K is not None:
        ax.axvline(1 / K, color=COLORS["black"], ls=":", lw=1.2, label=f"uniform guess, p = 1/{K}")
    loss = -np.log(p) + 0.0  # (+ 0.0: p = 1 gives 0, not -0)
    ax.plot([p], [loss], "o", color=COLORS["red"], ms=11, label="your p")
    ax.set(xscale="log", xlim=(8e-4, 1.25), ylim=(-0.2, 7.2),
           xlabel="probability p of the correct character (log scale)",
           ylabel="loss (nats)",
           title=(f"p = {p:.3g}: loss {loss:.2f} nats = {loss / np.log(2):.2f} bits, "
                  f"perplexity {1 / p:,.1f}"))
    bits = ax.secondary_yaxis("right", functions=(lambda n: n / np.log(2),
                                                  lambda b: b * np.log(2)))
    bits.set(yticks=np.arange(11), ylabel="loss (bits)")
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
    fig, ax = new_figure(width=7.5, height=5.6)
    floor = 1e-17  # an exact match (difference 0) is drawn at this floor of the log axis
    for color, marker, (label, err) in zip(CYCLE, "*D", errors.items(), strict=False):
        ax.plot(eps_values, np.maximum(err, floor), "o-", color=color, ms=4, lw=1.8,
                label=label)
        if marker_errors is not None and label in marker_errors:
            ax.plot([marker_eps], [max(marker_errors[label], floor)], marker, color=color,
                    ms=18 if marker == "*" else 10, mec=COLORS["black"],
                    label=f"{label} at eps = {marker_eps:.1e}: {marker_errors[label]:.1e}")
    if roundoff is not None:
        ax.plot(eps_values, roundoff, "--", color=COLORS["black"], lw=1.2,
                label="round-off estimate eps_machine |L| / eps")
    if marker_eps is not None:
        ax.axvline(marker_eps, color=COLORS["black"], lw=0.8, alpha=0.5)
    ax.set(xscale="log", yscale="log", title=title,
           xlabel="finite-difference step eps (parameter units)",
           ylabel="max |analytic - numeric| (nats per unit)")
    # Below the axes: inside, it would cover the bottom of the V, where the best eps is.
    fig.legend(loc="outside lower center", ncols=2)
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
    fig.legend(loc="outside lower center", ncols=2)  # below: inside it would hide points
    return fig


def hidden_grad_figure(check, *, last_term=None):
    """Two panels against t: ||dL/dh_t|| and its max relative error (log scale).

    check: the dict returned by ``check_hidden_state_grads`` (arrays of length T).
    last_term: optional (T + 1,) norms ||dL_T/dh_t|| for t = 0..T (``last_step_grad_norms``),
    the gradient of the last step's loss alone, drawn beside the total on a log scale.
    """
    norm, rel = np.asarray(check["norm"]), np.asarray(check["max_rel_error"])
    t = np.arange(1, len(norm) + 1)
    fig, (ax1, ax2) = new_figure(2, height=3.8)
    ax1.plot(t, norm, "o-", color=COLORS["blue"], ms=4, label="dL/dh_t: all losses L_t..L_T")
    if last_term is None:
        ax1.set(ylim=(0, 1.1 * norm.max()))
    else:
        ax1.plot(t, np.asarray(last_term)[1:], "s--", color=COLORS["red"], ms=4,
                 label="dL_T/dh_t: the last loss alone")
        ax1.set(yscale="log")
        ax1.legend(loc="lower right")
    ax1.set(xlabel="time step t", ylabel="gradient norm (nats per unit)",
            title="Size of the gradient at h_t")
    ax2.plot(t, np.maximum(rel, 1e-17), "o-", color=COLORS["orange"], ms=4)
    ax2.set(yscale="log", xlabel="time step t", ylabel="max relative error",
            title="Backprop vs finite differences")
    fig.suptitle("dL/dh_t, checked one time step at a time")
    return fig


# --- 06: training and sampling ------------------------------------------------


def compare_losses(histories, *, floor=None, title="Training loss", logy=False, ax=None,
                   raw=True, legend_loc="best"):
    """Smoothed training loss per character of several runs, one line each.

    histories: dict label -> ``train.History``. floor: the best achievable loss (dashed).
    logy: log scale, for runs whose losses span decades (e.g. a diverging one).
    raw: also draw each run's per-step losses, thin and pale, in the run's colour.
    legend_loc: where the legend goes (matplotlib's ``loc``), e.g. where no curve runs, or
    "below": under the axes, outside them (use a figure with layout="constrained").
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure()
    for label, history in histories.items():
        steps = np.arange(1, history.steps + 1)
        line, = ax.plot(steps, history.smooth, lw=2.5, label=label, zorder=3)
        if raw:
            ax.plot(steps, history.losses, lw=0.8, alpha=0.45, color=line.get_color(), zorder=2)
    if floor is not None:
        ax.axhline(floor, color=COLORS["black"], ls="--", lw=1.2,
                   label=f"entropy rate {floor:.3f} (best possible)")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel="training step", ylabel="loss (nats per character)", title=title)
    if legend_loc == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    else:
        ax.legend(loc=legend_loc)
    return fig


def grad_norm_curves(histories, *, threshold=None, title="Gradient norm", ax=None,
                     threshold_labels=None):
    """Global gradient norm ||g|| before clipping at every step, several runs, log scale.

    histories: dict label -> ``train.History``. threshold: a clipping bound, or a list of
    them (one black line each: dashed, dotted, ...). threshold_labels: their legend labels
    (default "clipping bound kappa = value").
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure()
    for label, history in histories.items():
        ax.plot(np.arange(1, history.steps + 1), history.grad_norms, lw=1.2, label=label)
    bounds = [] if threshold is None else np.atleast_1d(threshold)
    for i, bound in enumerate(bounds):
        ls = ["--", ":", "-."][i % 3]
        label = (threshold_labels[i] if threshold_labels is not None
                 else rf"clipping bound $\kappa$ = {bound:g}")
        ax.axhline(bound, color=COLORS["black"], ls=ls, lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set(xlabel="training step", ylabel="gradient norm ||g|| (before clipping)", title=title)
    ax.legend()
    return fig


def clipping_arrows(g, g_elementwise, g_norm, kappa, *, ax=None):
    """A 2-D gradient g (2,) and its element-wise (to [-kappa, kappa]) and norm clips.

    g is drawn wide and pale underneath, so a clipped arrow lying along it (the norm clip
    always does) leaves it visible on both sides.
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure(width=6.2, height=6.8)
    square = plt.Rectangle((-kappa, -kappa), 2 * kappa, 2 * kappa, fill=False, ls=":", lw=1.5,
                           color=COLORS["orange"],
                           label=rf"element-wise bound: $|g_i| \leq \kappa$ = {kappa:g}")
    circle = plt.Circle((0, 0), kappa, fill=False, ls="--", lw=1.5, color=COLORS["blue"],
                        label=rf"norm bound: $\|g\| \leq \kappa$ = {kappa:g}")
    ax.add_patch(square)
    ax.add_patch(circle)
    arrows = [(g, COLORS["black"], "gradient g", 7, 0.45, 26),
              (g_elementwise, COLORS["orange"], "element-wise clipped", 2.5, 1.0, 18),
              (g_norm, COLORS["blue"], "norm clipped", 2.5, 1.0, 18)]
    for v, color, label, lw, alpha, head in arrows:
        ax.annotate("", xy=(v[0], v[1]), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, alpha=alpha,
                                    mutation_scale=head, shrinkA=0, shrinkB=0))
        ax.plot([], [], color=color, lw=lw, alpha=alpha,
                label=f"{label} ({v[0]:.2f}, {v[1]:.2f})")
    r = 1.15 * max(np.abs(np.asarray(g)).max(), kappa)
    ax.set(xlim=(-0.3 * r, r), ylim=(-0.3 * r, r), aspect="equal",
           xlabel="$g_1$ (gradient component 1)", ylabel="$g_2$ (gradient component 2)",
           title=rf"Clipping a 2-D gradient at $\kappa$ = {kappa:g}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14))  # below: it covers no arrow
    return fig


def next_char_bars(probs, chars, temperatures, *, top=10, title="Next character"):
    """One bar chart per temperature: p(next character), the ``top`` most likely + 'other'.

    probs: list of (K,) distributions, one per temperature; chars: the K characters.
    The characters are ranked by the first distribution, so bars line up across panels.
    """
    fig, axes = new_figure(len(probs), sharey=True, height=3.9)
    axes = np.atleast_1d(axes)
    order = np.argsort(-np.asarray(probs[0]), kind="stable")[:top]
    labels = [char_label(chars[i]) for i in order] + ["other"]
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


def lr_sweep_figure(sweeps, *, log_k=None, floor=None, title="Final loss against learning rate",
                    ax=None):
    """Final loss against learning rate (log x), one line per optimiser, mean ± std as error
    bars and each seed as a dot; a learning rate at which any seed diverged is drawn as an
    'x' on the ln K line.

    sweeps: dict name -> ``experiments.Grid`` from ``experiments.lr_sweep`` (labels = rates,
    losses (n_rates, n_seeds)). log_k: ln K, the line "diverged" points sit on.
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure(width=7.5, height=4.6)
    markers = ["o", "s", "^", "D", "v", "P"]
    for (name, grid), marker in zip(sweeps.items(), markers * 3, strict=False):
        lrs = np.asarray(grid.labels, np.float64)
        bad = grid.diverged.any(axis=1)
        mean = np.where(bad, np.nan, grid.losses.mean(axis=1))
        std = np.where(bad, np.nan, grid.losses.std(axis=1, ddof=1))
        bars = ax.errorbar(lrs, mean, yerr=std, marker=marker, ms=7, lw=2, capsize=4,
                           label=f"{name} (mean ± std)", zorder=3)
        color = bars.lines[0].get_color()
        for i in np.flatnonzero(~bad):
            ax.plot(np.full(len(grid.seeds), lrs[i]), grid.losses[i], ".", color=color,
                    alpha=0.5, ms=5, zorder=2)
        if bad.any() and log_k is not None:
            ax.plot(lrs[bad], np.full(bad.sum(), log_k), "x", color=color, ms=11, mew=2.5,
                    zorder=4)
    if log_k is not None:
        ax.axhline(log_k, color=COLORS["black"], ls=":", lw=1.2,
                   label=f"ln K = {log_k:.2f}: x = diverged")
    if floor is not None:
        ax.axhline(floor, color=COLORS["black"], ls="--", lw=1.2,
                   label=f"entropy rate {floor:.3f}")
    ax.set_xscale("log")
    ax.set(xlabel="learning rate", ylabel="final loss (nats per character)", title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.93))  # below the ln K line
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

    runs: dict label -> list of ``train.History`` (one per seed; a single History is one
    seed), a colour per label, a thin line per seed. max_norm: the clipping bound kappa (a
    line on the norms panel). log_K: ln K, the loss of uniform guessing (a line on the loss
    panel). The legend sits below the panels, clear of the curves.
    """
    fig, (ax1, ax2) = new_figure(2, height=4.6, layout="constrained")
    colors = [COLORS[c] for c in ("blue", "sky", "red", "orange", "green", "purple")]
    handles = []
    for (label, hs), color in zip(runs.items(), colors, strict=False):
        hs = [hs] if hasattr(hs, "losses") else list(hs)  # one History or one per seed
        n = len(hs)
        for h in hs:
            steps = np.arange(1, h.steps + 1)
            ax1.plot(steps, h.losses, color=color, lw=1.0, alpha=0.8)
            ax2.plot(steps, h.grad_norms, color=color, lw=1.0, alpha=0.8)
        seeds = f"{n} seeds" if n > 1 else "1 seed"
        handles.append(mpl.lines.Line2D([], [], color=color, lw=2, label=f"{label} ({seeds})"))
    if log_K is not None:
        ax1.axhline(log_K, color=COLORS["black"], ls="--", lw=1.2)
        handles.append(mpl.lines.Line2D([], [], color=COLORS["black"], ls="--", lw=1.2,
                                        label=f"uniform guess, ln K = {log_K:.2f} (loss)"))
    if max_norm is not None:
        ax2.axhline(max_norm, color=COLORS["black"], ls=":", lw=1.5)
        handles.append(mpl.lines.Line2D([], [], color=COLORS["black"], ls=":", lw=1.5,
                                        label=rf"clipping bound $\kappa$ = {max_norm:g} (norm)"))
    ax1.set(yscale="log", xlabel="training step", ylabel="loss (nats per character)",
            title="Loss")
    ax2.set(yscale="log", xlabel="training step", ylabel="gradient norm (before clipping)",
            title="Gradient norm")
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    return fig


def _seed_dots(ax, x, values, color, marker, offset):
    """Every seed's value as a small faint marker, nudged sideways by ``offset``."""
    values = np.asarray(values)  # (n_x, n_seeds)
    xs = np.repeat(np.asarray(x, dtype=float)[:, None] + offset, values.shape[1], axis=1)
    ax.plot(xs.ravel(), values.ravel(), marker, color=color, ms=5, alpha=0.45, ls="none",
            mfc="none")


def recall_figure(results, chance, *, names=None, ratios=True):
    """Recall accuracy against the lag k + 1 between the symbol and the query, over seeds.

    results: a ``tasks.RecallResults``; a colour per arm (init), named by ``names`` (dict
    init -> label; default the init). Left: for every budget, the mean over seeds with bars
    from the lowest to the highest seed (``RecallResults.accuracy_summary``), the last budget
    solid, earlier ones dotted, and every seed as a faint marker. chance: a dashed line.
    ratios: a second panel with ||dL_T/dh_1|| / ||dL_T/dh_T|| (log y), at initialisation and
    after training: the geometric mean over seeds (``RecallResults.ratio_centre``) and every
    seed. One legend below the panels, clear of the curves: colours name the arms, black
    samples the styles.
    """
    lags = np.asarray(results.lags)
    names = names or {}
    ncols = 2 if ratios else 1
    fig, axes = new_figure(ncols, height=5.0, layout="constrained")
    ax1 = axes[0] if ratios else axes
    colors = [COLORS[c] for c in ("blue", "orange", "green", "purple")]
    width = 0.012 * (lags.max() - lags.min() + 1)
    Line = mpl.lines.Line2D
    handles = [Line([], [], color=c, lw=3, label=names.get(init, init))
               for init, c in zip(results.inits, colors, strict=False)]
    n_arms, n_budgets = len(results.inits), len(results.budgets)
    for a, (init, color) in enumerate(zip(results.inits, colors, strict=False)):
        for b, budget in enumerate(results.budgets):  # side by side: arm, then budget
            offset = ((a - (n_arms - 1) / 2) * 2.4 + (b - (n_budgets - 1) / 2)) * width
            last = b == n_budgets - 1
            s = results.accuracy_summary(init, budget)
            ax1.errorbar(lags + offset, s.mean, yerr=[s.mean - s.low, s.high - s.mean],
                         color=color, ls="-" if last else ":", marker="o" if last else "s",
                         mfc=color if last else "white", ms=6, lw=2 if last else 1.5,
                         capsize=3)
            _seed_dots(ax1, lags, results.accuracy[init][b], color, "o" if last else "s",
                       offset)
    for b, budget in enumerate(results.budgets):
        last = b == n_budgets - 1
        handles.append(Line([], [], color=COLORS["black"], ls="-" if last else ":",
                            marker="o" if last else "s", mfc=COLORS["black"] if last else "white",
                            label=f"accuracy after {budget} steps: mean, lowest to highest seed"))
    handles.append(Line([], [], color=COLORS["black"], ls="none", marker="o", mfc="none",
                        alpha=0.45, label="each seed (faint)"))
    ax1.axhline(chance, color=COLORS["black"], ls="--", lw=1.2)
    handles.append(Line([], [], color=COLORS["black"], ls="--", lw=1.2,
                        label=f"chance ({chance:.2f})"))
    ax1.set(xlabel="lag k + 1 (steps from the symbol to the query)",
            ylabel="recall accuracy (fraction)", ylim=(0, 1.05), xticks=lags,
            title="Recalling the first symbol")
    if ratios:
        ax2 = axes[1]
        styles = (("at initialisation", False, "s", "--"), ("after training", True, "o", "-"))
        for a, (init, color) in enumerate(zip(results.inits, colors, strict=False)):
            offset = (a - (n_arms - 1) / 2) * width
            for _, trained, marker, ls in styles:
                ax2.plot(lags + offset, results.ratio_centre(init, trained=trained),
                         marker=marker, ls=ls, color=color, ms=6, lw=2)
                seeds = results.ratio_trained[init] if trained else results.ratio_init[init]
                _seed_dots(ax2, lags, seeds, color, marker, offset)
        for label, _, marker, ls in styles:
            handles.append(Line([], [], color=COLORS["black"], ls=ls, marker=marker,
                                label=f"gradient ratio {label} (geometric mean)"))
        ax2.set(yscale="log", xlabel="lag k + 1 (steps)", xticks=lags,
                ylabel=r"$\Vert\partial L_T/\partial h_1\Vert \,/\, "
                       r"\Vert\partial L_T/\partial h_T\Vert$",
                title="Gradient reaching the symbol")
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    return fig


def gradient_norms_figure(norms, *, per_step=None, global_scale=None, max_norm=None,
                          rho=None):
    """||dL_T/dh_t|| against the distance T - t (log y), t = 0..T, with the clipping curves.

    norms, per_step: (T + 1,) indexed by t; per_step is the curve clipped to norm <= max_norm
    at every step. global_scale: the one factor that global-norm clipping of the parameter
    gradient applies to every step (drawn as norms * global_scale). max_norm: kappa.
    """
    norms = np.asarray(norms)
    k = np.arange(len(norms))  # distance T - t: reverse the index t
    clipping = per_step is not None or global_scale is not None
    fig, ax = new_figure(width=8, height=5.2)  # one size: toggling clipping keeps the layout
    # Wider than the dashed curves drawn over it, so it shows where they coincide.
    ax.plot(k, norms[::-1], color=COLORS["blue"], lw=3.5, label="no clipping")
    if global_scale is not None:
        ax.plot(k, global_scale * norms[::-1], color=COLORS["green"], lw=2, ls="-.",
                label=f"global-norm clipping (rh.train's clip_norm): all × {global_scale:.2g}")
    if per_step is not None:
        ax.plot(k, np.asarray(per_step)[::-1], color=COLORS["orange"], lw=2, ls="--",
                label="per-step clipping (a variant)")
    if max_norm is not None and clipping:
        ax.axhline(max_norm, color=COLORS["black"], lw=1, ls=":",
                   label=rf"$\kappa$ = {max_norm:g} (per-step bound)")
    rho_text = f", spectral radius {rho:.2f}" if rho is not None else ""
    ax.set(yscale="log", xlabel="distance in time T - t (steps)", ylabel=GRAD_NORM_LABEL,
           title=f"Gradient of the last step's loss (T = {len(norms) - 1}{rho_text})")
    # The curves cross the whole plot: the legend goes below it.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return fig
