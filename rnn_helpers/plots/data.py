"""Notebook 01, characters and data: frequencies, batch windows."""

import matplotlib as mpl
import numpy as np

from .style import COLORS, char_label, new_figure


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
