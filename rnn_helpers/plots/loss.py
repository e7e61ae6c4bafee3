"""Notebook 04, the loss: window losses, surprises, the baseline ladder."""

import numpy as np

from .style import COLORS, char_label, new_figure


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
