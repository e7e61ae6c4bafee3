"""Notebook 03's figures and widget wiring; the maths they draw is tested in test_numerics.py."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnn_helpers import numerics, plots, widgets


def test_overflow_figure_has_a_panel_per_dtype():
    zs = np.logspace(-1, 3, 50)
    sweeps = {n: numerics.overflow_sweep(zs, n) for n in ("float32", "float64")}
    fig = plots.overflow_figure(zs, sweeps)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["float32", "float64"]
    assert all(ax.get_xscale() == "log" and ax.get_xlabel() for ax in axes)
    assert axes[0].get_ylabel()
    assert "nan" in [t.get_text() for t in axes[0].get_yticklabels()]
    assert all(ax.get_legend() is None for ax in axes)  # one legend, below the panels
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["stable (max trick)", "naive", "naive = nan"]
    with plt.rc_context():
        plots.use_style()  # the notebook's font sizes: the label's extent depends on them
        fig = plots.overflow_figure(np.logspace(-1, 4, 500), {
            n: numerics.overflow_sweep(np.logspace(-1, 4, 500), n) for n in ("float32", "float64")})
        fig.canvas.draw()
    for ax in fig.axes:  # the ln(max) label lies below the curves (at 1 left of the line)
        (label,) = [t for t in ax.texts if t.get_text().startswith("ln(max)")]
        box = label.get_window_extent().transformed(ax.transData.inverted())
        assert ax.get_ylim()[0] < box.y0 and box.y1 < 0.97


def test_precision_figure_is_log_log_with_eps_lines():
    offsets = np.logspace(0, 4, 5)
    errors = {n: numerics.shift_error(offsets, np.zeros(3) + [0, 1, 2], n)
              for n in ("float32", "float64")}
    ax = plots.precision_figure(offsets, errors).axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.get_lines()) == 4


def test_softmax_pair_bars_draw_both_and_mark_nan_bars():
    fig, ax = plt.subplots()
    n_nan = plots.softmax_pair_bars(ax, [np.nan, 0.0, 0.0], [1.0, 0.0, 0.0])
    assert n_nan == 1
    assert [t.get_text() for t in ax.texts] == ["nan"]
    assert len(ax.patches) == 2 + 3 + 1  # finite naive bars, stable bars, one nan bar
    assert len([p for p in ax.patches if p.get_hatch()]) == 1
    assert "nan" in [t.get_text() for t in ax.get_yticklabels()]


@pytest.mark.parametrize(("scale", "dtype", "n_nan"), [
    (1.0, "float32", 0), (100.0, "float32", 1), (100.0, "float64", 0), (1000.0, "float64", 2),
])
def test_softmax_scale_figure_counts_the_nans(scale, dtype, n_nan):
    ax = plots.softmax_scale_figure(scale, dtype).axes[0]
    assert f"naive gives {n_nan} nan" in ax.get_title()
    assert len(ax.texts) == n_nan
    assert ax.get_xlabel() and ax.get_ylabel()
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["naive", "stable (max trick)",
                                                          "naive = nan"]
    nan_key = legend.get_patches()[2]  # hatched and unfilled, with or without a nan bar
    assert nan_key.get_hatch() == "//" and not nan_key.get_fill()


def test_softmax_scale_grid_has_a_panel_per_dtype_and_scale():
    fig = plots.softmax_scale_grid(scales=(1, 100, 1000), dtypes=("float32", "float64"))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["float32, scale 1: 0 nan", "float32, scale 100: 1 nan",
                      "float32, scale 1000: 3 nan", "float64, scale 1: 0 nan",
                      "float64, scale 100: 0 nan", "float64, scale 1000: 2 nan"]
    assert fig.axes[0].get_ylabel() and fig.axes[-1].get_xlabel()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "naive", "stable (max trick)", "naive = nan"]
    assert fig._suptitle.get_text()


def test_live_panel_redraws_on_every_change(displayed):
    ipywidgets = pytest.importorskip("ipywidgets")
    shown = displayed
    calls = []

    def draw(scale, dtype):
        calls.append((scale, dtype))
        return plt.figure()

    scale = ipywidgets.FloatSlider(value=1.0)
    dtype = ipywidgets.Dropdown(options=["float32", "float64"], value="float32")
    widgets.live_panel(draw, scale=scale, dtype=dtype)
    scale.value = 2.0
    dtype.value = "float64"
    assert calls == [(1.0, "float32"), (2.0, "float32"), (2.0, "float64")]
    assert len(shown) == 3
