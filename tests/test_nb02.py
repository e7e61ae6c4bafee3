"""Notebook 02's helpers: hidden states, and the figures and widget of the initialisation scale.

The maths (scaled initialisations, histograms, the sweep, the probes of a trained model) is
tested in test_initialization.py and test_probes.py."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnn_helpers import (  # noqa: E402
    hidden_states,
    init_params,
    initialization,
    plots,
    rnn_step,
    widgets,
)

K, H = 7, 5


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_hidden_states_match_a_step_by_step_loop():
    params = init_params(K, H, seed=1)
    ix = np.array([0, 3, 6, 2, 2, 5])
    h0 = np.linspace(-0.5, 0.5, H)
    h, expected = h0, []
    for i in ix:
        h, _ = rnn_step(params, h, i)
        expected.append(h)
    np.testing.assert_allclose(hidden_states(params, ix, h0), expected, rtol=1e-12)


def test_hidden_states_of_a_batch_are_batch_first():
    params = init_params(K, H, seed=1)
    X = np.array([[0, 1, 2], [3, 4, 5]])
    hs = hidden_states(params, X)
    assert hs.shape == (2, 3, H)
    np.testing.assert_allclose(hs[1], hidden_states(params, X[1]))


def test_activation_histograms_one_panel_per_result():
    r = initialization.activation_histogram(np.array([0.0, 0.98]), bins=10)
    fig = plots.activation_histograms([r, r, r], ["a", "b", "c"], suptitle="s")
    axes = [ax for ax in fig.axes if ax.axison]
    assert len(axes) == 3
    assert axes[0].get_title() == "a\nstd 0.49, |h| > 0.95: 50.0%"  # std 0.49 exactly
    legend = fig.legends[0]  # one legend for all panels, outside them
    assert [t.get_text() for t in legend.get_texts()] == ["saturated: |h| > 0.95"]
    assert legend.get_texts()[0].get_fontsize() >= 11
    assert all(ax.get_legend() is None for ax in axes)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    grid = plots.activation_histograms([r] * 4, list("abcd"), ncols=3)
    assert sum(ax.axison for ax in grid.axes) == 4  # the sixth panel of 2 x 3 is hidden
    with pytest.raises(ValueError):
        plots.activation_histograms([r], ["a", "b"])


def test_init_scale_title():
    assert widgets.init_scale_title(0.1, 16) == "uniform ±0.1/sqrt(n), H = 16"


def test_hidden_heatmaps_label_characters():
    text = "a b\n"
    h = np.zeros((4, H))
    fig = plots.hidden_heatmaps([h, h], text, ["one", "two"])
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == ["one", "two"]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["a", "␣", "b", "\\n"]
    assert axes[0].images[0].get_array().shape == (H, 4)  # hidden units x characters
    with pytest.raises(ValueError, match="T = 4"):
        plots.hidden_heatmaps([np.zeros((3, H))], text, ["bad"])


def test_hidden_heatmaps_sort_units_by_order():
    h = np.tile(np.arange(H, dtype=float) / H, (3, 1))  # unit j has value j / H at every step
    order = np.arange(H)[::-1]
    fig = plots.hidden_heatmaps([h, h], "abc", ["one", "two"], order=order, ylabel="sorted")
    for ax in [ax for ax in fig.axes if ax.get_title()]:
        image = np.asarray(ax.images[0].get_array())
        np.testing.assert_allclose(image[:, 0], order / H)  # row i shows unit order[i]
        assert ax.get_ylabel() == "sorted"


def test_unrolled_rnn_labels_shared_weights():
    fig = plots.unrolled_rnn(4, inputs="The ", targets="he c")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for w in ("U", "W", "V"):
        assert texts.count(w) == 4
    for t in range(1, 5):
        assert f"$h_{t}$" in texts and f"$x_{t}$" in texts and f"$o_{t}$" in texts
    assert "T = 4" in fig.axes[0].get_title()


def test_init_scale_explorer_updates_without_error(capsys):
    ix = np.tile(np.arange(K), (2, 5))  # a batch (2, 35), as in the notebook
    scale, size = widgets.init_scale_explorer(ix, vocab_size=K).children
    assert size.options == widgets.HIDDEN_SIZES
    scale.value = 10.0
    size.value = 16
    capsys.readouterr()  # outside a kernel, display() prints reprs
