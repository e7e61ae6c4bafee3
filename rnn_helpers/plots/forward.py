"""Notebook 02, the forward pass: the unrolled network, activations, hidden states."""

import matplotlib as mpl
import numpy as np

from .style import COLORS, char_label, new_figure


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

    results: dicts with edges (bins+1,), fraction (bins,), and the floats std, threshold and
    saturated (the fraction with |h| > threshold). titles: one title per panel; a line
    "std s, |h| > threshold: fraction" is appended to each.
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
