"""Notebook 08's figures: the recall task over cells, the gradient along time, forget gates.
Every number drawn is checked against the data handed in (the plots only draw)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnn_helpers import plots, tasks


@pytest.fixture(autouse=True)
def _close_figures():
    plots.use_style()
    yield
    plt.close("all")


@pytest.fixture
def results():
    """RecallResults of three cell arms over lags 3, 6, 11, 3 seeds and two budgets."""
    rng = np.random.default_rng(0)
    arms = ("RNN", "LSTM", "GRU")
    acc = {a: rng.uniform(0, 1, (2, 3, 3)) for a in arms}
    ratio_init = {a: 10.0 ** rng.uniform(-6, 0, (3, 3)) for a in arms}
    ratio_trained = {a: 10.0 ** rng.uniform(-6, 0, (3, 3)) for a in arms}
    return tasks.RecallResults(np.array([2, 5, 10]), arms, (0, 1, 2), (200, 500), acc,
                               ratio_init, ratio_trained)


def _legend_texts(fig):
    (legend,) = fig.legends
    return [t.get_text() for t in legend.get_texts()], legend


@pytest.mark.parametrize("budget, b", [(None, 1), (200, 0)])
def test_recall_cells_figure_accuracy_per_arm_and_the_ratio_at_initialisation(results, budget,
                                                                                b):
    fig = plots.recall_cells_figure(results, 0.25, names={"RNN": "plain RNN"}, budget=budget)
    ax1, ax2 = fig.axes
    np.testing.assert_array_equal(ax1.get_xticks(), [3, 6, 11])
    means = [np.asarray(line.get_ydata(), float) for line in ax1.lines
             if line.get_linestyle() == "-" and len(line.get_ydata()) == 3]
    assert len(means) == 3  # one line per arm, at the chosen budget only
    for line, arm in zip(means, results.arms, strict=True):
        np.testing.assert_allclose(line, results.accuracy[arm][b].mean(axis=1))
    tops = np.concatenate([np.asarray(c.get_segments())[:, :, 1].max(axis=1)
                           for c in ax1.collections])
    np.testing.assert_allclose(sorted(tops), sorted(np.concatenate(
        [results.accuracy[a][b].max(axis=1) for a in results.arms])))
    dots = [line for line in ax1.lines if line.get_linestyle() == "None"
            and line.get_marker() == "o"]
    assert len(dots) == 3 and all(len(d.get_ydata()) == 9 for d in dots)
    assert ax2.get_yscale() == "log"
    centres = [line for line in ax2.lines if line.get_linestyle() == "-"]
    for line, arm in zip(centres, results.arms, strict=True):
        np.testing.assert_allclose(line.get_ydata(),
                                   np.exp(np.log(results.ratio_init[arm]).mean(axis=1)))
    texts, legend = _legend_texts(fig)
    assert texts[:3] == ["plain RNN", "LSTM", "GRU"]
    assert "chance (0.25)" in texts
    assert any(f"after {results.budgets[b]} steps" in t for t in texts)
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 11
    with pytest.raises(ValueError, match="budget 300"):
        plots.recall_cells_figure(results, 0.25, budget=300)


def test_state_grad_figure_draws_each_arm_against_the_distance_relative_to_t_T():
    norms = {"RNN": np.array([1e-6, 1e-4, 1e-2, 0.5]), "LSTM": np.array([0.02, 0.05, 0.3, 2.0])}
    fig = plots.state_grad_figure(norms, title="at initialisation")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_title() == "at initialisation"
    assert "distance" in ax.get_xlabel()
    for line, (label, n) in zip(ax.lines, norms.items(), strict=True):
        assert line.get_label() == label
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2, 3])
        np.testing.assert_allclose(line.get_ydata(), n[::-1] / n[-1])
    _, axes = plt.subplots(1, 2)
    assert plots.state_grad_figure(norms, ax=axes[1]) is axes[1].figure
    assert len(axes[1].lines) == 2 and not axes[0].lines


def test_forget_gate_figure_heatmap_scale_mean_and_character_labels():
    rng = np.random.default_rng(1)
    f = rng.uniform(0.2, 0.9, (5, 3))
    fig = plots.forget_gate_figure(f, "A xy?")
    ax1, ax2 = fig.axes[:2]
    (im,) = ax1.get_images()
    np.testing.assert_array_equal(im.get_array(), f.T)  # units on y, steps on x
    assert im.get_clim() == (0.0, 1.0)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), f.mean(axis=1))
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["A", "␣", "x", "y", "?"]
    assert ax1.get_ylabel() == "unit"
    with pytest.raises(ValueError, match="T characters"):
        plots.forget_gate_figure(f, "A xy")
    with pytest.raises(ValueError, match=r"\(T, H\)"):
        plots.forget_gate_figure(f[0], "A")
    _, axes = plt.subplots(2, 1)
    assert plots.forget_gate_figure(f, "A xy?", ax=axes, title="f") is axes[0].figure
    assert axes[0].get_title() == "f"
