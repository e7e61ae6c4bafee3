"""The series' figure style (projector-friendly, colour-blind safe) and the plots that
more than one notebook draws."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

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


CHAR_LABELS = {" ": "␣", "\n": "\\n", "\t": "\\t"}


def char_label(ch):
    """A visible label for one character: '␣' for a space, '\\n' for a newline."""
    return CHAR_LABELS.get(ch, ch)
