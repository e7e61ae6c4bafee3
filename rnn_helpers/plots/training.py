"""Notebook 06, training and sampling: loss curves, clipping, optimisers, temperature."""

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from .style import COLORS, CYCLE, char_label, loss_curves, new_figure


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
        spreads = [grid.spread(i) for i in range(len(lrs))]  # None where a seed diverged
        bad = np.array([s is None for s in spreads])
        mean = np.array([np.nan if s is None else s.mean for s in spreads])
        std = np.array([np.nan if s is None else s.std for s in spreads])
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


CELL_COLORS = {"rnn": COLORS["blue"], "lstm": COLORS["orange"], "gru": COLORS["green"]}


def _ladder_lines(ax, floor, ladder, lo, hi, *, floor_in_legend=True):
    """The floor (dashed) and the rungs of an n-gram ladder (dotted, labelled at the right)
    that fall within [lo, hi]; the floor is labelled in the legend or, like the rungs, on
    the axes."""
    if floor is not None and (floor_in_legend or lo <= floor <= hi):
        label = f"entropy rate {floor:.3f} (best possible)"
        ax.axhline(floor, color=COLORS["black"], ls="--", lw=1.2,
                   label=label if floor_in_legend else None)
        if not floor_in_legend:
            _line_label(ax, floor, label)
    for name, v in (ladder or {}).items():
        if lo <= v <= hi:
            ax.axhline(v, color=COLORS["black"], ls=":", lw=1.2, alpha=0.7)
            _line_label(ax, v, f"{name} {v:.3f}")


def _line_label(ax, y, text):
    """A label just above a horizontal line, at the right end of the axes."""
    ax.annotate(text, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                textcoords="offset points", ha="right", va="bottom", fontsize=11)


def cell_losses_figure(comparison, *, floor=None, ladder=None,
                       title="Validation loss of each cell"):
    """Two panels: validation loss against step for every cell and seed (log y), and each
    cell's final validation loss, every seed a dot and mean ± std a bar.

    comparison: an ``experiments.CellComparison``. floor: the entropy rate (dashed line).
    ladder: dict name -> loss of baselines (e.g. n-gram models), drawn as labelled dotted
    lines where they fall in a panel's range. Runs that diverged are left out.
    """
    fig, (ax1, ax2) = new_figure(2, width=13, height=5.4, width_ratios=[1.6, 1])
    finals = []
    for i, cell in enumerate(comparison.cells):
        color = CELL_COLORS.get(cell, CYCLE[i % len(CYCLE)])
        label = (f"{cell.upper()}, H = {comparison.hidden_sizes[cell]} "
                 f"({comparison.param_counts[cell]:,} parameters)")
        for j, seed in enumerate(comparison.seeds):
            h = comparison.histories.get((cell, seed))
            if h is None or not np.isfinite(comparison.val_losses[i, j]):
                continue
            ax1.plot(h.val_steps, h.val_losses, "o-", color=color, lw=1.5, ms=3.5, alpha=0.8,
                     label=label if j == 0 else None)
        ok = comparison.val_losses[i][np.isfinite(comparison.val_losses[i])]
        finals.extend(ok)
        ax2.plot(np.full(ok.size, i), ok, "o", color=color, alpha=0.6, ms=7,
                 label="one seed" if i == 0 else None)
        if ok.size:
            std = float(np.std(ok, ddof=1)) if ok.size > 1 else 0.0
            ax2.errorbar([i + 0.18], [ok.mean()], yerr=[std], fmt="s", color=color, ms=8,
                         capsize=5, lw=2, label="mean ± std" if i == 0 else None)
    ax1.set_yscale("log")
    if floor is not None:
        ax1.set_ylim(min(ax1.get_ylim()[0], 0.95 * floor), None)
    lo1, hi1 = ax1.get_ylim()
    _ladder_lines(ax1, floor, ladder, lo1, hi1)
    # plain numbers on the log axis (not 5 x 10^-1)
    ticks = [t for t in (0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 4, 6, 8) if lo1 <= t <= hi1]
    ax1.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax1.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax1.set(xlabel="training step", ylabel="validation loss (nats per character, log scale)",
            title=title)
    # legends below the axes: inside, they would cover a curve or a rung's label
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    if finals:
        # zoom on the final losses; the floor and the nearest rungs frame them
        marks = [v for v in [floor, *(ladder or {}).values()] if v is not None]
        below = [v for v in marks if v <= min(finals)]
        above = [v for v in marks if v >= max(finals)]
        lo = max(below) if below else min(finals)
        hi = min(above) if above else max(finals)
        pad = 0.1 * (hi - lo if hi > lo else 1.0)
        ax2.set_ylim(lo - pad, hi + pad)
        _ladder_lines(ax2, floor, ladder, lo - pad, hi + pad, floor_in_legend=False)
    ax2.set_xticks(range(len(comparison.cells)), [c.upper() for c in comparison.cells])
    ax2.set_xlim(-0.5, len(comparison.cells) - 0.5)
    ax2.grid(axis="x", visible=False)
    ax2.set(ylabel="final validation loss (nats per character)",
            title=f"After {_steps(comparison)} steps, {len(comparison.seeds)} seeds")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    return fig


def _steps(comparison):
    """The number of steps the comparison's runs took (the longest run's)."""
    return max((h.steps for h in comparison.histories.values()), default=0)
