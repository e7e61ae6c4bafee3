"""Tests for notebook 06's figures (plots.py) and its training panel (widgets.py).

The pure functions are called with set values and checked against what they must produce;
the panel is driven as a learner would (set a slider, press Train) with a stand-in for the
live figure, so no display is needed.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnn_helpers import (
    SGD,
    CharVocab,
    History,
    experiments,
    init_params,
    load_corpus,
    plots,
    widgets,
)


@pytest.fixture(scope="module")
def corpus():
    text = load_corpus("default")[:20_000]
    vocab = CharVocab.from_text(text)
    return vocab, vocab.encode(text)


def _history(losses, norms=None):
    h = History()
    for i, loss in enumerate(losses):
        h.record(loss, norms[i] if norms is not None else 1.0, 10)
    return h


class FakeLive:
    """Stands in for widgets.LiveFigure: records the curves of each figure, then closes it."""

    def __init__(self):
        self.figures = []  # per figure: the y data of each line of its first axes

    def show(self, fig):
        self.figures.append([line.get_ydata() for line in fig.axes[0].lines])
        plt.close(fig)

    update = show


# --- plots ---------------------------------------------------------------------------


def test_compare_losses_one_line_per_run_plus_floor():
    runs = {"SGD": _history([3.0, 2.0, 1.5]), "Adam": _history([3.0, 1.0, 0.8])}
    fig = plots.compare_losses(runs, floor=0.5, title="Optimisers", logy=True)
    ax = fig.axes[0]
    assert ax.get_title() == "Optimisers"
    assert ax.get_xlabel() == "training step" and "nats" in ax.get_ylabel()
    assert len(ax.lines) == 5 and ax.get_yscale() == "log"  # smoothed + per-step, per run
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["SGD", "Adam"]
    np.testing.assert_allclose(ax.lines[2].get_ydata(), runs["Adam"].smooth)
    np.testing.assert_allclose(ax.lines[3].get_ydata(), runs["Adam"].losses)
    assert ax.lines[3].get_color() == ax.lines[2].get_color()  # a run's two curves match


def test_compare_losses_without_raw_curves():
    runs = {"SGD": _history([3.0, 2.0, 1.5]), "Adam": _history([3.0, 1.0, 0.8])}
    assert len(plots.compare_losses(runs, raw=False).axes[0].lines) == 2


def test_loss_curves_per_step_line_is_visible_under_the_smoothed_one():
    ax = plots.loss_curves(_history([3.0, 2.0, 1.0]), floor=0.5).axes[0]
    raw, smooth = ax.lines[0], ax.lines[1]
    np.testing.assert_allclose(raw.get_ydata(), [3.0, 2.0, 1.0])
    assert raw.get_alpha() >= 0.7 and smooth.get_linewidth() > raw.get_linewidth()


def test_grad_norm_curves_log_scale_and_threshold():
    runs = {"none": _history([1, 1], [10.0, 1e4]), "norm": _history([1, 1], [5.0, 6.0])}
    fig = plots.grad_norm_curves(runs, threshold=5.0)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [10.0, 1e4])
    assert "5" in ax.get_legend().get_texts()[-1].get_text()


def test_grad_norm_curves_several_thresholds():
    runs = {"norm": _history([1, 1], [5.0, 6.0])}
    ax = plots.grad_norm_curves(runs, threshold=[5.0, 20.0]).axes[0]
    assert len(ax.lines) == 3
    np.testing.assert_allclose([ax.lines[1].get_ydata()[0], ax.lines[2].get_ydata()[0]], [5, 20])
    assert ax.lines[1].get_linestyle() != ax.lines[2].get_linestyle()
    assert "kappa" in ax.get_legend().get_texts()[-1].get_text()


def test_clipping_arrows_draws_three_arrows_and_both_bounds():
    g = np.array([4.0, 1.0])
    fig = plots.clipping_arrows(g, np.clip(g, -2, 2), g * 2 / np.linalg.norm(g), 2.0)
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # the square and the circle
    assert len([t for t in ax.texts if t.arrow_patch is not None]) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("(2.00, 1.00)" in s for s in labels)  # the element-wise clipped vector
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert "kappa" in ax.get_title() and "c =" not in ax.get_title()
    # g lies under the norm-clipped arrow: drawn wider, so both stay visible
    widths = [t.arrow_patch.get_linewidth() for t in ax.texts if t.arrow_patch is not None]
    assert widths[0] > 2 * widths[2]


def test_next_char_bars_ranks_by_first_distribution_and_adds_other():
    chars = ["\n", " ", "a", "b"]
    probs = [np.array([0.1, 0.6, 0.2, 0.1]), np.array([0.25, 0.25, 0.25, 0.25])]
    fig = plots.next_char_bars(probs, chars, [0.5, 2.0], top=2)
    ax0, ax1 = fig.axes
    assert [t.get_text() for t in ax0.get_xticklabels()] == ["␣", "a", "other"]
    np.testing.assert_allclose([p.get_height() for p in ax0.patches], [0.6, 0.2, 0.2])
    np.testing.assert_allclose([p.get_height() for p in ax1.patches], [0.25, 0.25, 0.5])
    assert ax1.get_title() == "temperature 2" and ax0.get_ylabel() == "probability"


def test_loss_and_gap_plots_the_distance_to_the_floor():
    h = _history([3.0, 2.0, 1.0])
    h.val_steps, h.val_losses = [3], [1.2]
    fig = plots.loss_and_gap(h, 0.5)
    ax1, ax2 = fig.axes
    assert ax2.get_yscale() == "log" and len(ax2.lines) == 2
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), np.array(h.smooth) - 0.5)
    np.testing.assert_allclose(ax2.lines[1].get_ydata(), [0.7])
    assert ax1.get_legend() is not None and ax2.get_legend() is not None


def test_loss_and_gap_drops_points_at_or_below_the_floor():
    fig = plots.loss_and_gap(_history([1.0, 0.1, 0.1]), 0.5)
    assert np.all(fig.axes[1].lines[0].get_ydata() > 0)


# --- widgets: pure functions ---------------------------------------------------------


def test_describe_config():
    c = experiments.train_config(hidden_size=32, lr=0.1, optimizer="Adagrad", steps=10)
    assert "Adagrad lr=0.1, H=32" in widgets.describe_config(c)
    assert "norm clip 0.8/char" in widgets.describe_config(c)
    assert widgets.describe_config(experiments.train_config(seed=3)).endswith("seed 3")
    assert "no clipping" in widgets.describe_config(experiments.train_config(clipping="none"))


def test_run_training_is_deterministic_and_follows_the_config(corpus):
    vocab, data = corpus
    c = experiments.train_config(hidden_size=16, steps=20, seq_length=10, clipping="element-wise",
                             clip_value=1.0, dtype="float64")
    seen = []
    p1, h1 = experiments.train_from_config(c, data, len(vocab),
                                           callback=lambda s, h: seen.append(s))
    p2, h2 = experiments.train_from_config(c, data, len(vocab))
    assert seen == list(range(20)) and h1.steps == 20
    assert h1.losses == h2.losses
    assert p1["W"].shape == (16, 16) and p1["W"].dtype == np.float64
    assert h1.losses[0] == pytest.approx(math.log(len(vocab)), abs=0.1)  # starts near log K


def test_run_training_clipping_mode_matters(corpus):
    vocab, data = corpus
    runs = {}
    for mode in ("none", "norm"):
        c = experiments.train_config(hidden_size=16, steps=5, seq_length=10, optimizer="SGD",
                                 lr=0.05, clipping=mode, clip_value=0.01, dtype="float64")
        runs[mode] = experiments.train_from_config(c, data, len(vocab))[1].losses
    assert runs["none"][0] == runs["norm"][0] and runs["none"][1:] != runs["norm"][1:]


def test_run_verdict():
    assert "worse than guessing" in widgets.run_verdict(12.0, 34, 0.456)
    assert "worse than guessing" in widgets.run_verdict(float("nan"), 34, 0.456)
    assert widgets.run_verdict(0.556, 34, 0.456).startswith("0.100 nats per character above")


def test_loss_figure_with_config_adds_the_gradient_norm_per_character():
    h = _history([3.5, 2.0, 1.5, 1.4], norms=[10.0, 30.0, 12.0, 50.0])
    config = experiments.train_config(seq_length=25, clip_value=0.8)
    fig = widgets.loss_figure(h, 0.456, steps=10, title="live", config=config)
    ax, ax2 = fig.axes
    assert ax.get_xlim() == ax2.get_xlim() == (0, 10) and ax2.get_yscale() == "log"
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), [0.4, 1.2, 0.48, 2.0])  # ||g|| / T
    np.testing.assert_allclose(ax2.lines[1].get_ydata()[0], 0.8)  # the bound per character
    assert "clipped on 50% of the steps" in ax2.get_title()  # 30 and 50 exceed 0.8 x 25
    assert "bound per character 0.8" in ax2.get_legend_handles_labels()[1][1]
    none = widgets.loss_figure(h, 0.456, config=experiments.train_config(clipping="none"))
    assert len(none.axes[1].lines) == 1 and "clipped" not in none.axes[1].get_title()
    # element-wise clipping fires on single entries: no norm bound, no fraction from norms
    ew = widgets.loss_figure(h, 0.456, config=experiments.train_config(
        clipping="element-wise", seq_length=25, clip_value=0.8))
    assert len(ew.axes[1].lines) == 1 and "clipped on" not in ew.axes[1].get_title()
    assert "element-wise" in ew.axes[1].get_title()
    plt.close("all")


def test_run_report_gives_the_verdict_validation_and_clipped_steps():
    h = _history([1.0] * 60, norms=[10.0] * 45 + [30.0] * 15)
    h.val_steps, h.val_losses = [60], [1.25]
    text = widgets.run_report(h, experiments.train_config(clip_value=0.8), 34, 0.5)
    assert text.startswith("Final loss 1.000 (mean of the last 50 steps): 0.500 nats")
    assert "validation loss 1.250" in text and "clipped on 25% of the steps" in text
    ew = widgets.run_report(h, experiments.train_config(clipping="element-wise", clip_value=0.8),
                            34, 0.5)
    assert "clipped" not in ew and ew.startswith("Final loss 1.000")


def test_lr_sweep_figure_error_bars_and_diverged_marks():
    from rnn_helpers.experiments import Grid
    sweeps = {"SGD": Grid([0.1, 0.3], [0, 1, 2], np.array([[1.0, 1.2, 1.1], [9.0, 8.0, 7.0]]),
                          34),
              "Adam": Grid([0.01], [0, 1, 2], np.array([[0.6, 0.7, 0.8]]), 34)}
    fig = plots.lr_sweep_figure(sweeps, log_k=math.log(34), floor=0.456, title="sweep")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_title() == "sweep" and ax.get_xlabel()
    np.testing.assert_allclose(ax.lines[0].get_ydata()[0], 1.1)  # SGD's mean at 0.1
    assert np.isnan(ax.lines[0].get_ydata()[1])  # no mean where a seed diverged
    marks = [ln for ln in ax.lines if ln.get_marker() == "x"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 0.3
    np.testing.assert_allclose(marks[0].get_ydata(), [math.log(34)])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"SGD (mean ± std)", "Adam (mean ± std)"} <= set(labels)


def test_loss_figure_fixed_axes_and_floor():
    fig = widgets.loss_figure(_history([3.5, 2.0]), 0.456, steps=100, title="live")
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 100) and ax.get_ylim()[0] == 0
    assert ax.get_title() == "live" and len(ax.lines) == 3  # raw, smoothed, floor
    assert any("0.456" in t.get_text() for t in ax.get_legend().get_texts())


def test_live_loss_callback_redraws_every_few_steps_and_at_the_end():
    live, bar = FakeLive(), type("Bar", (), {"value": 0})()
    cb = widgets.live_loss_callback(live, 0.5, 10, every=4, progress=bar)
    h = History()
    for step in range(10):
        h.record(1.0, 1.0, 1)
        cb(step, h)
    assert len(live.figures) == 3  # after steps 4, 8 and 10
    assert bar.value == 10
    assert len(live.figures[-1][1]) == 10  # the smoothed curve, all 10 steps


def test_sample_preview_is_reproducible_and_starts_with_the_prime(corpus):
    vocab, _ = corpus
    p = init_params(len(vocab), 8, seed=0)
    a = widgets.sample_preview(p, vocab, temperature=0.7, prime="The ", n=30, seed=1)
    assert a == widgets.sample_preview(p, vocab, temperature=0.7, prime="The ", n=30, seed=1)
    assert a.startswith("The ") and len(a) == 34


# --- widgets: the panel, driven like a learner would ---------------------------------


def test_panel_train_button_updates_plot_status_and_sample(corpus):
    vocab, data = corpus
    live = FakeLive()
    panel = widgets.TrainingPanel(data, vocab, 0.456, params=init_params(len(vocab), 8, seed=3),
                                  live=live)
    descriptions = {panel.hidden.description, panel.lr.description, panel.optimizer.description,
                    panel.seq_length.description, panel.clipping.description,
                    panel.clip_value.description, panel.steps.description,
                    panel.button.description, panel.temperature.description,
                    panel.seed.description}
    assert {"hidden size", "learning rate", "optimizer", "Train", "temperature",
            "seed", "clip value per char"} <= descriptions
    before = panel.sample.value
    panel.hidden.value, panel.steps.value, panel.seq_length.value = 16, 50, 10
    panel.button.click()
    assert len(live.figures) >= 2  # redrawn during and after training
    assert panel.history.steps == 50 and panel.params["W"].shape == (16, 16)
    assert panel.sample.value != before and "Final loss" in panel.status.value
    assert f"{panel.history.recent_loss(50):.3f}" in panel.status.value  # not the lagging smooth
    assert "clipped on" in panel.status.value and "seed 0" in panel.status.value
    assert not panel.button.disabled and panel.bar.value == 50
    sample_t1 = panel.sample.value
    panel.temperature.value = 0.1
    assert panel.sample.value != sample_t1


def test_panel_figure_pins_the_x_axis_like_the_static_figure(corpus):
    vocab, data = corpus
    config = experiments.train_config(hidden_size=8, steps=30, seq_length=10)
    _, history = experiments.train_from_config(config, data, len(vocab))
    panel = widgets.TrainingPanel(data, vocab, 0.456, history=history, config=config,
                                  live=FakeLive())
    static = widgets.loss_figure(history, 0.456, steps=config["steps"])
    assert panel.figure().axes[0].get_xlim() == static.axes[0].get_xlim() == (0, 30)
    assert panel.figure().axes[0].get_ylim() == static.axes[0].get_ylim()


def test_panel_reports_a_run_worse_than_guessing(corpus):
    vocab, data = corpus
    panel = widgets.TrainingPanel(data, vocab, 0.456, live=FakeLive())
    assert "no model" in panel.sample.value
    panel.hidden.value, panel.steps.value, panel.seq_length.value = 16, 50, 10
    panel.optimizer.value, panel.lr.value, panel.clipping.value = "SGD", 10.0, "none"
    panel.button.click()
    assert "worse than guessing" in panel.status.value


def test_panel_reports_a_diverged_run_and_keeps_the_old_model(corpus, monkeypatch):
    vocab, data = corpus

    def diverge(*args, **kwargs):
        raise FloatingPointError("training diverged at step 3: the loss is inf")

    monkeypatch.setattr(experiments, "train_from_config", diverge)
    panel = widgets.TrainingPanel(data, vocab, 0.456, live=FakeLive())
    panel.button.click()
    assert "Diverged" in panel.status.value and "step 3" in panel.status.value
    assert panel.params is None and not panel.button.disabled


def test_panel_rate_and_clip_sliders_offer_round_values_and_start_at_the_config(corpus):
    vocab, data = corpus
    config = experiments.train_config(lr=3e-3, clip_value=0.8, steps=50, seed=2)
    panel = widgets.TrainingPanel(data, vocab, 0.456, config=config, live=FakeLive())
    assert panel.current_config() == config  # Train untouched = the run shown above it
    assert [label for label, _ in panel.lr.options][:3] == ["0.0001", "0.0003", "0.001"]
    assert "0.8" in [label for label, _ in panel.clip_value.options]
    odd = experiments.train_config(lr=2e-3, clip_value=7.0)
    panel = widgets.TrainingPanel(data, vocab, 0.456, config=odd, live=FakeLive())
    assert (panel.lr.value, panel.clip_value.value) == (2e-3, 7.0)
    values = [v for _, v in panel.lr.options]
    assert values == sorted(values) and 2e-3 in values


def test_slider_options_are_sorted_labelled_and_include_the_current_value():
    assert widgets.slider_options((1.0, 0.1), 0.5) == [("0.1", 0.1), ("0.5", 0.5), ("1", 1.0)]
    assert widgets.slider_options((1.0, 0.1), 1) == [("0.1", 0.1), ("1", 1.0)]


def test_panel_holds_the_knobs_while_training_and_frees_them_after(corpus, monkeypatch):
    vocab, data = corpus
    seen = {}
    real = experiments.train_from_config

    def spy(config, *args, **kwargs):
        seen["disabled"] = (panel.button.disabled, panel.temperature.disabled)
        seen["status"] = panel.status.value
        return real(config, *args, **kwargs)

    monkeypatch.setattr(experiments, "train_from_config", spy)
    panel = widgets.TrainingPanel(data, vocab, 0.456, live=FakeLive())
    panel.hidden.value, panel.steps.value, panel.seq_length.value = 16, 50, 10
    panel.button.click()
    assert seen["disabled"] == (True, True) and seen["status"].startswith("Training: ")
    assert not panel.button.disabled and not panel.temperature.disabled


def test_run_training_smooths_over_about_a_twentieth_of_the_run(corpus):
    vocab, data = corpus
    _, history = experiments.train_from_config(experiments.train_config(hidden_size=8, steps=100,
                                                           seq_length=10), data, len(vocab))
    assert history.beta == pytest.approx(0.8)  # a 5-step average, not 100 steps of lag
    _, long = experiments.train_from_config(experiments.train_config(hidden_size=8, steps=4000,
                                                        seq_length=5, batch_size=1),
                                   data[:5000], len(vocab))
    assert long.beta == 0.99


def test_panel_seed_and_validation(corpus):
    vocab, data = corpus
    panel = widgets.TrainingPanel(data[:15_000], vocab, 0.456, val_data=data[15_000:],
                                  live=FakeLive())
    panel.hidden.value, panel.steps.value, panel.seq_length.value = 16, 50, 10
    panel.button.click()
    first = panel.history.losses
    assert len(panel.history.val_losses) == 10 and "validation loss" in panel.status.value
    panel.seed.value = 1
    panel.button.click()
    assert panel.history.losses != first and panel.config["seed"] == 1


def test_panel_steps_on_the_per_character_gradient_at_every_length(corpus, monkeypatch):
    # What the panel hands train(): clip at value x T and an optimiser that divides by T.
    vocab, data = corpus
    calls = []
    real = experiments.train

    def spy(params, data, **kwargs):
        calls.append(kwargs)
        return real(params, data, **kwargs)

    monkeypatch.setattr(experiments, "train", spy)
    panel = widgets.TrainingPanel(data, vocab, 0.456, live=FakeLive())
    panel.hidden.value, panel.steps.value = 16, 50
    panel.optimizer.value, panel.lr.value, panel.clip_value.value = "SGD", 1.0, 0.5
    for T in (10, 40):
        panel.seq_length.value = T
        panel.button.click()
        kw = calls[-1]
        assert kw["seq_length"] == T and kw["clip_norm"] == pytest.approx(0.5 * T)
        assert kw["clip"] is None
        opt = kw["optimizer"]
        assert isinstance(opt, experiments.PerCharacter) and opt.seq_length == T
        assert isinstance(opt.optimizer, SGD) and opt.optimizer.lr == 1.0


def test_panel_clip_per_character_fires_on_some_steps_at_t_10_and_40(corpus):
    # A bound near the median gradient norm per character: at both lengths the clip fires on
    # some steps, not on none or all; the same bound on the summed gradient (value x 10 at
    # every T) fires on nearly every step at T = 40.
    vocab, data = corpus
    runs = {}
    for T in (10, 40):
        c = experiments.train_config(hidden_size=16, steps=40, seq_length=T, batch_size=8,
                                     optimizer="SGD", lr=0.5, clip_value=10.0)
        runs[T] = np.array(experiments.train_from_config(c, data, len(vocab))[1].grad_norms)
    bound = float(np.median(np.concatenate([runs[10] / 10, runs[40] / 40])))
    for T, norms in runs.items():
        config = experiments.train_config(seq_length=T, clipping="norm", clip_value=bound)
        h = _history([1.0] * len(norms), norms=list(norms))
        fraction = experiments.panel_clipped_fraction(h, config)
        assert fraction == np.mean(norms / T > bound)
        assert 0.1 < fraction < 0.9
    assert np.mean(runs[40] > bound * 10) > 0.95


def test_compare_losses_legend_below_sits_under_the_axes():
    runs = {"A": _history([3.0, 2.0]), "B": _history([3.0, 1.0]), "C": _history([3.0, 1.5])}
    fig, ax = plots.new_figure(layout="constrained")
    plots.compare_losses(runs, floor=0.5, ax=ax, legend_loc="below")
    fig.canvas.draw()
    legend, box = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.y1 < box.y0  # entirely under the plotting area: covers no curve
    plt.close(fig)
