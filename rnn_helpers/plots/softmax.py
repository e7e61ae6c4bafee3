"""Notebook 03, softmax and numerical stability: overflow, precision, the scale grid."""

import matplotlib as mpl
import numpy as np

from ..numerics import SOFTMAX_DEMO_LOGITS, overflow_limit, softmax_at_scale
from .style import COLORS, CYCLE, new_figure

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
