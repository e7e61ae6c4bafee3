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


def test_tiny_params_are_min_char_rnn_normals():
    p = widgets.tiny_params(K, H, seed=2)
    assert {name: a.shape for name, a in p.items()} == {
        name: a.shape for name, a in init_params(K, H).items()}
    for name in ("U", "W", "V"):
        assert 0.005 < p[name].std() < 0.02
    assert not p["b"].any() and not p["c"].any()
    np.testing.assert_array_equal(p["W"], widgets.tiny_params(K, H, seed=2)["W"])


def test_init_regimes_tiny_default_large():
    regimes = widgets.init_regimes(K, H, seed=4)
    assert list(regimes) == ["tiny: 0.01 * randn", "default: uniform ±1/sqrt(n)",
                             "large: uniform ±5/sqrt(n)"]
    tiny, default, large = regimes.values()
    np.testing.assert_array_equal(default["U"], init_params(K, H, seed=4)["U"])
    np.testing.assert_allclose(large["W"], 5.0 * default["W"])
    assert tiny["W"].std() < default["W"].std() < large["W"].std()


def test_activation_histogram_fractions_and_saturation():
    h = np.array([[-1.0, -0.99, 0.0, 0.1], [0.5, 0.96, 0.94, 0.2]])
    r = widgets.activation_histogram(h, bins=4)
    np.testing.assert_allclose(r["edges"], [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(r["fraction"], [2 / 8, 0, 3 / 8, 3 / 8])
    assert r["saturated"] == pytest.approx(3 / 8)  # -1, -0.99 and 0.96
    assert r["threshold"] == 0.95
    assert r["std"] == pytest.approx(h.std())


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
    assert axes[0].get_title() == "a\nstd 0.49, |h| > 0.95: 50.0%"
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == [
        "saturated: |h| > 0.95"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    grid = plots.activation_histograms([r] * 4, list("abcd"), ncols=3)
    assert sum(ax.axison for ax in grid.axes) == 4  # the sixth panel of 2 x 3 is hidden
    with pytest.raises(ValueError):
        plots.activation_histograms([r], ["a", "b"])


def test_init_scale_title():
    assert widgets.init_scale_title(0.1, 16) == "uniform ±0.1/sqrt(n), H = 16"


def test_init_scale_runs_and_table():
    ix = np.tile(np.arange(K), 10)
    runs = widgets.init_scale_runs((0.1, 10.0), (4, 8), ix, vocab_size=K)
    assert sorted(runs) == [(0.1, 4), (0.1, 8), (10.0, 4), (10.0, 8)]
    single = widgets.init_scale_histogram(0.1, 8, ix, vocab_size=K)
    np.testing.assert_array_equal(runs[0.1, 8]["fraction"], single["fraction"])
    assert runs[0.1, 8]["std"] == single["std"]
    lines = widgets.init_scale_table(runs).splitlines()
    assert len(lines) == 2 + 2  # two header lines, one line per scale
    assert "std of h" in lines[0] and "fraction |h| > 0.95" in lines[0]
    assert lines[1].split() == ["scale"] + ["H", "=", "4", "H", "=", "8"] * 2
    assert lines[2].split()[:3] == ["0.1", f"{runs[0.1, 4]['std']:.3f}",
                                    f"{runs[0.1, 8]['std']:.3f}"]
    assert lines[3].split()[-1] == f"{runs[10.0, 8]['saturated']:.1%}"
    assert all(line == line.rstrip() for line in lines)


def test_lag1_autocorrelation_persistent_alternating_and_constant_units():
    t = np.arange(40)
    h = np.stack([np.sin(t / 6), (-1.0) ** t, np.full(40, 0.3)], axis=1)  # (T, H) = (40, 3)
    rho = widgets.lag1_autocorrelation(h)
    assert rho.shape == (3,)
    assert rho[0] > 0.8  # slow: keeps its value
    assert rho[1] == pytest.approx(-39 / 40)  # flips sign at every step
    assert rho[2] == 0.0  # constant: defined as 0
    with pytest.raises(ValueError, match="T >= 2"):
        widgets.lag1_autocorrelation(np.zeros(5))


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
    ix = np.tile(np.arange(K), 5)
    scale, size = widgets.init_scale_explorer(ix, vocab_size=K).children
    assert size.options == widgets.HIDDEN_SIZES
    scale.value = 10.0
    size.value = 16
    capsys.readouterr()  # outside a kernel, display() prints reprs
