"""Notebook 08, gated cells: the recall task over cells, the gradient along time, forget gates."""

import matplotlib as mpl
import numpy as np

from .gradients import (
    ARM_COLORS,
    _arm_handles,
    _recall_accuracy_panel,
    _seed_dots,
)
from .style import COLORS, char_label, new_figure


def _state_grad_label(t):
    """The y label ||dL_T/dstate_t|| / ||dL_T/dh_T|| in TeX, for a step written ``t``."""
    return (rf"$\Vert\partial L_T/\partial\,\mathrm{{state}}_{t}\Vert \,/\, "
            r"\Vert\partial L_T/\partial h_T\Vert$")


def recall_cells_figure(results, chance, *, names=None, budget=None):
    """Recall accuracy against the lag, one line per arm (cell), and the gradient ratio.

    results: a ``tasks.RecallResults`` whose arms are cells (e.g. "RNN", "LSTM", "GRU"),
    named by ``names`` (dict arm -> label; default the arm). Left: accuracy after ``budget``
    steps (default: the last budget), the mean over seeds with a bar from the lowest to the
    highest seed and every seed faint; chance a dashed line. Right: the gradient ratio
    ||dL_T/dstate_1|| / ||dL_T/dh_T|| at initialisation (log y), the geometric mean over
    seeds (``RecallResults.ratio_centre``) and every seed faint.
    """
    budget = results.budgets[-1] if budget is None else budget
    if budget not in results.budgets:
        raise ValueError(f"budget {budget} is not one of the results' {results.budgets}")
    lags = np.asarray(results.lags)
    fig, (ax1, ax2) = new_figure(2, height=5.0, layout="constrained")
    handles = _arm_handles(results, names)
    handles += _recall_accuracy_panel(ax1, results, chance, (budget,))
    width = 0.012 * (lags.max() - lags.min() + 1)
    n_arms = len(results.arms)
    for a, (arm, color) in enumerate(zip(results.arms, ARM_COLORS, strict=False)):
        offset = (a - (n_arms - 1) / 2) * width
        ax2.plot(lags + offset, results.ratio_centre(arm), marker="s", color=color, ms=6, lw=2)
        _seed_dots(ax2, lags, results.ratio_init[arm], color, "s", offset)
    handles.append(mpl.lines.Line2D([], [], color=COLORS["black"], marker="s",
                                    label="gradient ratio at initialisation (geometric mean)"))
    ax2.set(yscale="log", xlabel="lag k + 1 (steps)", xticks=lags,
            ylabel=_state_grad_label(1),
            title="Gradient reaching the symbol, at initialisation")
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    return fig


def state_grad_figure(norms_by_arm, *, title="Gradient of the last step's loss along time",
                      ax=None):
    """||dL_T/dstate_t|| / ||dL_T/dh_T|| against the distance T - t, a line per arm (log y).

    norms_by_arm: dict label -> (T + 1,) array indexed by t (``diagnostics.state_grad_norms``
    or ``tasks.state_grad_profile``); each is divided by its value at t = T. ax: draw there
    (default: a new figure). Returns the figure.
    """
    fig, ax = (ax.figure, ax) if ax is not None else new_figure(width=8, height=4.6)
    for (label, norms), color in zip(norms_by_arm.items(), ARM_COLORS + (COLORS["red"],),
                                     strict=False):
        norms = np.asarray(norms, dtype=float)
        ax.plot(np.arange(len(norms)), norms[::-1] / norms[-1], color=color, lw=2.2,
                label=label)
    ax.set(yscale="log", xlabel="distance in time T - t (steps)", ylabel=_state_grad_label("t"),
           title=title)
    ax.legend()
    return fig


def forget_gate_figure(f, text, *, ax=None, title="Forget gates along a sequence"):
    """The forget gates f_t (T, H) of one sequence as a heatmap, and their mean per step.

    f: (T, H), e.g. ``lstm_gates(params, x)["f"]``; text: the T input characters (labels of
    the x axis). Top: units on y, steps on x, colour fixed to [0, 1] (0 forgets, 1 keeps).
    Bottom: the mean over units per step. ax: a pair of axes (heatmap, mean) to draw on
    (default: a new figure). Returns the figure.
    """
    f = np.asarray(f, dtype=float)
    if f.ndim != 2 or len(text) != len(f):
        raise ValueError(f"need f of shape (T, H) and T characters, got {f.shape} and "
                         f"{len(text)} characters")
    T, H = f.shape
    if ax is None:
        fig, (ax1, ax2) = new_figure(nrows=2, width=min(max(6.0, 0.3 * T + 2.5), 13),
                                     height=5.5, sharex=True,
                                     gridspec_kw={"height_ratios": [3, 1]})
    else:
        ax1, ax2 = ax
        fig = ax1.figure
    im = ax1.imshow(f.T, aspect="auto", vmin=0.0, vmax=1.0, cmap="viridis",
                    interpolation="nearest", extent=(-0.5, T - 0.5, H - 0.5, -0.5))
    # one colour bar beside both panels, so that their x axes stay aligned
    fig.colorbar(im, ax=[ax1, ax2], label="$f_t$ (0 forget, 1 keep)")
    ax1.set(ylabel="unit", title=title)
    ax1.grid(False)
    ax2.plot(np.arange(T), f.mean(axis=1), "o-", color=COLORS["blue"], ms=4)
    ax2.set(ylim=(0, 1), xlim=(-0.5, T - 0.5), ylabel="mean over units",
            xlabel="input character")
    ax2.set_xticks(np.arange(T), [char_label(ch) for ch in text])
    return fig


def recall_run_figure(run, *, chance=None, title=None):
    """One recall training (a ``tasks.RecallRun``): accuracy against step, gradient along time.

    Left: test accuracy after each measured step (x fixed to [0, steps]), chance a dashed
    line if given. Right: ``state_grad_figure`` of the gradient profile at initialisation
    and after training (``RecallRun.grad_start``, ``grad_end``). title: the figure's title.
    """
    fig, (ax1, ax2) = new_figure(2, height=4.6, layout="constrained")
    steps = run.settings.get("steps", int(run.steps[-1]))
    ax1.plot(run.steps, run.accuracy, "o-", color=COLORS["blue"], ms=4, lw=2,
             label="test accuracy")
    if chance is not None:
        ax1.axhline(chance, color=COLORS["black"], ls="--", lw=1.2,
                    label=f"chance ({chance:.2f})")
    ax1.set(xlim=(0, steps), ylim=(0, 1.05), xlabel="training step",
            ylabel="recall accuracy (fraction)", title=f"Recall at lag {run.lag}")
    ax1.legend(loc="upper left")
    state_grad_figure({"at initialisation": run.grad_start,
                       f"after {steps} steps": run.grad_end}, ax=ax2,
                      title="Gradient along time")
    if title:
        fig.suptitle(title)
    return fig
