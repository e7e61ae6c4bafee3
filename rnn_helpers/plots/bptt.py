"""Notebook 05, backpropagation through time: gradient checks and finite differences."""

import numpy as np

from ..gradcheck import RULE_OF_THUMB, passes_entrywise, relative_error
from .style import COLORS, CYCLE, new_figure


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


def gradcheck_scatter(analytic, numeric, *, atol, rtol=1e-6,
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
    ok = passes_entrywise(a, n, atol, rtol)
    x = np.maximum(np.abs(a), np.abs(n))
    fig, ax = new_figure(width=7.5, height=4.6)
    ax.scatter(x[ok], rel[ok], s=14, alpha=0.6, color=COLORS["blue"],
               label=f"passes |a - n| <= atol + rtol |n| ({ok.sum()} entries)")
    ax.scatter(x[~ok], rel[~ok], s=30, marker="x", color=COLORS["red"],
               label=f"fails the entrywise test ({(~ok).sum()} entries)")
    grid = np.logspace(np.log10(x.min()), np.log10(x.max()), 100)
    ax.plot(grid, (atol + rtol * grid) / (2 * grid), "-", color=COLORS["black"], lw=1.5,
            label=f"test boundary (atol = {atol:.1e})")
    ax.axhline(RULE_OF_THUMB, color=COLORS["orange"], ls="--", lw=1.5,
               label=f"rule of thumb: relative error {RULE_OF_THUMB:.0e}")
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
