"""Smoke test for notebook 08's comparison of cells on the corpus (plots.cell_losses_figure):
it draws what the comparison holds, and only that."""

import numpy as np

from rnn_helpers import History, plots
from rnn_helpers.experiments import CellComparison


def _comparison(finals):
    cells, seeds = ["rnn", "lstm", "gru"], [0, 1]
    histories = {}
    for i, c in enumerate(cells):
        for j, s in enumerate(seeds):
            h = History(seed=s)
            h.val_steps, h.val_losses = [0, 10, 20, 30], [3.5, 2.0, 1.0, finals[i][j]]
            h.record(1.0, 1.0, 10)
            histories[c, s] = h
    return CellComparison(cells, seeds, {"rnn": 64, "lstm": 30, "gru": 34},
                          {"rnn": 8546, "lstm": 8854, "gru": 8228}, dict.fromkeys(cells, 0.01),
                          np.array(finals, float), histories)


def test_cell_losses_figure_draws_every_seed_the_floor_and_the_ladder():
    res = _comparison([[0.52, 0.53], [0.54, 0.55], [0.51, np.inf]])  # one GRU run diverged
    ladder = {"bigram": 1.716, "trigram": 0.879, "4-gram": 0.670}
    fig = plots.cell_losses_figure(res, floor=0.456, ladder=ladder, title="Cells")
    ax1, ax2 = fig.axes
    assert ax1.get_title() == "Cells" and ax1.get_yscale() == "log"
    curves = [line for line in ax1.lines if len(line.get_xdata()) == 4]
    assert len(curves) == 5  # 3 cells x 2 seeds, minus the diverged run
    labels = ax1.get_legend_handles_labels()[1]
    assert "RNN, H = 64 (8,546 parameters)" in labels
    assert any(label.startswith("entropy rate 0.456") for label in labels)
    texts = [t.get_text() for t in ax1.texts]
    assert {"bigram 1.716", "trigram 0.879", "4-gram 0.670"} <= set(texts)
    # right panel: one dot per finite final loss, zoomed between the floor and the 4-gram
    dots = np.concatenate([line.get_ydata() for line in ax2.lines if line.get_marker() == "o"])
    assert sorted(dots) == [0.51, 0.52, 0.53, 0.54, 0.55]
    lo, hi = ax2.get_ylim()
    assert lo < 0.456 and 0.670 < hi < 0.879
    assert [t.get_text() for t in ax2.texts] == ["entropy rate 0.456 (best possible)",
                                                 "4-gram 0.670"]
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["RNN", "LSTM", "GRU"]


def test_cell_losses_figure_without_floor_or_ladder():
    fig = plots.cell_losses_figure(_comparison([[0.5, 0.6], [0.55, 0.58], [0.52, 0.57]]))
    assert len(fig.axes) == 2 and not fig.axes[0].texts
