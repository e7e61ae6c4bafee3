"""Notebook 02's helpers: hidden states, initialisation scale, histograms and their figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnn_helpers import hidden_states, init_params, plots, rnn_step, widgets  # noqa: E402

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


def test_scaled_params_multiply_the_default_range():
    base = init_params(K, H, seed=3)
    big = widgets.scaled_params(K, H, 5.0, seed=3)
    for name in ("U", "W", "V"):
        np.testing.assert_allclose(big[name], 5.0 * base[name])
    assert np.abs(big["U"]).max() <= 5.0 / np.sqrt(K)
    assert np.abs(big["W"]).max() <= 5.0 / np.sqrt(H)
    assert not big["b"].any() and not big["c"].any()


def test_activation_histogram_fractions_and_saturation():
    h = np.array([[-1.0, -0.99, 0.0, 0.1], [0.5, 0.96, 0.94, 0.2]])
    r = widgets.activation_histogram(h, bins=4)
    np.testing.assert_allclose(r["edges"], [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(r["fraction"], [2 / 8, 0, 3 / 8, 3 / 8])
    assert r["saturated"] == pytest.approx(3 / 8)  # -1, -0.99 and 0.96
    assert r["threshold"] == 0.95


def test_init_scale_histogram_goes_from_quiet_to_saturated():
    ix = np.tile(np.arange(K), 30)
    quiet = widgets.init_scale_histogram(0.01, 32, ix, vocab_size=K)
    loud = widgets.init_scale_histogram(10.0, 32, ix, vocab_size=K)
    centre = np.abs(quiet["edges"][:-1] + quiet["edges"][1:]) / 2 < 0.05
    assert quiet["fraction"][centre].sum() == pytest.approx(1.0)
    assert quiet["saturated"] == 0.0
    assert loud["saturated"] > 0.5


def test_activation_histograms_one_panel_per_result():
    r = widgets.activation_histogram(np.array([0.0, 0.99]), bins=10)
    fig = plots.activation_histograms([r, r, r], ["a", "b", "c"], suptitle="s")
    axes = [ax for ax in fig.axes if ax.axison]
    assert len(axes) == 3
    assert axes[0].get_title() == "a\n|h| > 0.95: 50.0%"
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


def test_unrolled_rnn_labels_shared_weights():
    fig = plots.unrolled_rnn(4, inputs="The ", targets="he c")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for w in ("U", "W", "V"):
        assert texts.count(w) == 4
    for t in range(1, 5):
        assert f"$h_{t}$" in texts and f"$x_{t}$" in texts and f"$o_{t}$" in texts
    assert "T = 4" in fig.axes[0].get_title()


def test_init_scale_explorer_updates_without_error(capsys):
    ix = np.tile(np.arange(K), 5)
    scale, size = widgets.init_scale_explorer(ix, vocab_size=K).children
    assert size.options == widgets.HIDDEN_SIZES
    scale.value = 10.0
    size.value = 16
    capsys.readouterr()  # outside a kernel, display() prints reprs
