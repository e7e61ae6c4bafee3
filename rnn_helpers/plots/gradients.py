"""Notebook 07, exploding and vanishing gradients: Jacobians, saturation, clipping, recall."""

import matplotlib as mpl
import numpy as np

from ..diagnostics import SATURATION
from .style import COLORS, CYCLE, new_figure

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

    radii, saturated (fraction of |h| > SATURATION), tanh_grad (mean 1 - h^2), factor: (n,) each.
    """
    radii = np.asarray(radii)
    fig, (ax1, ax2) = new_figure(2, height=4.0)
    ax1.plot(radii, saturated, "o-", color=COLORS["red"], ms=4,
             label=f"fraction with |h| > {SATURATION}")
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


ARM_COLORS = tuple(COLORS[c] for c in ("blue", "orange", "green", "purple"))  # recall arms


def _recall_accuracy_panel(ax, results, chance, budgets, *, colors=ARM_COLORS):
    """Recall accuracy against the lag on ``ax``: for every arm of ``results`` and budget in
    ``budgets``, the mean over seeds with a bar from the lowest to the highest seed
    (``RecallResults.accuracy_summary``), the last budget solid, earlier ones dotted, every
    seed a faint marker; chance a dashed line. Returns the legend handles of the styles
    (budgets, seeds, chance); the arms' own handles are the caller's.
    """
    lags = np.asarray(results.lags)
    width = 0.012 * (lags.max() - lags.min() + 1)
    Line = mpl.lines.Line2D
    n_arms, n_budgets = len(results.arms), len(budgets)
    for a, (arm, color) in enumerate(zip(results.arms, colors, strict=False)):
        for b, budget in enumerate(budgets):  # side by side: arm, then budget
            offset = ((a - (n_arms - 1) / 2) * 2.4 + (b - (n_budgets - 1) / 2)) * width
            last = b == n_budgets - 1
            s = results.accuracy_summary(arm, budget)
            ax.errorbar(lags + offset, s.mean, yerr=[s.mean - s.low, s.high - s.mean],
                        color=color, ls="-" if last else ":", marker="o" if last else "s",
                        mfc=color if last else "white", ms=6, lw=2 if last else 1.5,
                        capsize=3)
            _seed_dots(ax, lags, results.accuracy[arm][results.budgets.index(budget)], color,
                       "o" if last else "s", offset)
    handles = []
    for b, budget in enumerate(budgets):
        last = b == n_budgets - 1
        handles.append(Line([], [], color=COLORS["black"], ls="-" if last else ":",
                            marker="o" if last else "s", mfc=COLORS["black"] if last else "white",
                            label=f"accuracy after {budget} steps: mean, lowest to highest seed"))
    handles.append(Line([], [], color=COLORS["black"], ls="none", marker="o", mfc="none",
                        alpha=0.45, label="each seed (faint)"))
    ax.axhline(chance, color=COLORS["black"], ls="--", lw=1.2)
    handles.append(Line([], [], color=COLORS["black"], ls="--", lw=1.2,
                        label=f"chance ({chance:.2f})"))
    ax.set(xlabel="lag k + 1 (steps from the symbol to the query)",
           ylabel="recall accuracy (fraction)", ylim=(0, 1.05), xticks=lags,
           title="Recalling the first symbol")
    return handles


def _arm_handles(results, names, colors=ARM_COLORS):
    """A legend handle per arm: its colour, named by ``names`` (default the arm's label)."""
    return [mpl.lines.Line2D([], [], color=c, lw=3, label=(names or {}).get(arm, arm))
            for arm, c in zip(results.arms, colors, strict=False)]


RATIO_LABEL = (r"$\Vert\partial L_T/\partial h_1\Vert \,/\, "
               r"\Vert\partial L_T/\partial h_T\Vert$")


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
    ncols = 2 if ratios else 1
    fig, axes = new_figure(ncols, height=5.0, layout="constrained")
    ax1 = axes[0] if ratios else axes
    colors = ARM_COLORS
    width = 0.012 * (lags.max() - lags.min() + 1)
    Line = mpl.lines.Line2D
    handles = _arm_handles(results, names)
    handles += _recall_accuracy_panel(ax1, results, chance, results.budgets)
    n_arms = len(results.arms)
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
        ax2.set(yscale="log", xlabel="lag k + 1 (steps)", xticks=lags, ylabel=RATIO_LABEL,
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
