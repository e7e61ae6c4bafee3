"""Notebook 08's "Try it" widget: the recall task for one cell, trained on a button press.
The numbers it draws are checked against ``tasks.recall_run`` run on its own."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnn_helpers import plots, tasks, widgets

pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def _close_figures():
    plots.use_style()
    yield
    plt.close("all")


def _check_drawn(fig, run):
    """The figure's accuracy and gradient curves are ``run``'s."""
    ax1, ax2 = fig.axes[:2]
    np.testing.assert_array_equal(ax1.lines[0].get_xdata(), run.steps)
    np.testing.assert_array_equal(ax1.lines[0].get_ydata(), run.accuracy)
    assert ax1.lines[1].get_ydata()[0] == 1 / len(tasks.RECALL_SYMBOLS)  # chance
    start, end = ax2.lines[:2]
    np.testing.assert_allclose(start.get_ydata(), run.grad_start[::-1] / run.grad_start[-1])
    np.testing.assert_allclose(end.get_ydata(), run.grad_end[::-1] / run.grad_end[-1])
    assert ax2.get_yscale() == "log"


def test_recall_settings_keep_only_the_knob_of_the_cell():
    assert widgets.recall_settings("rnn", forget_bias=3.0, init="identity") == {
        "cell": "rnn", "init": "identity"}
    assert widgets.recall_settings("lstm", forget_bias=3.0, init="identity") == {
        "cell": "lstm", "forget_bias": 3.0}
    assert widgets.recall_settings("gru", forget_bias=3.0, init="identity") == {"cell": "gru"}
    assert widgets.describe_recall({"cell": "lstm", "forget_bias": 1.0}, 21, 300, 0) == (
        "LSTM, forget bias 1, lag 21, 300 steps, seed 0")
    assert widgets.describe_recall({"cell": "rnn", "init": "orthogonal"}, 6, 50, 2) == (
        "RNN, orthogonal W, lag 6, 50 steps, seed 2")


def test_recall_view_draws_what_recall_run_measures():
    fig = widgets.recall_view(cell="gru", lag=6, steps=6, seed=1, forget_bias=2.0)
    run = tasks.recall_run(5, cell="gru", steps=6, seed=1, lr=widgets.RECALL_LR)
    _check_drawn(fig, run)
    assert fig.get_suptitle() == "GRU, lag 6, 6 steps, seed 1"
    assert fig.axes[0].get_xlim() == (0, 6)


def test_recall_explorer_greys_out_knobs_and_trains_on_a_press(displayed):
    first = tasks.recall_run(5, cell="lstm", steps=4, seed=0)
    c = widgets.recall_explorer(cell="lstm", lag=6, steps=4, run=first)
    assert len(displayed) == 1
    _check_drawn(displayed[0], first)
    assert "Showing: LSTM, forget bias 1, lag 6, 4 steps, seed 0" in c["status"].value
    assert not c["forget_bias"].disabled and c["init"].disabled
    c["cell"].value = "rnn"
    assert c["forget_bias"].disabled and not c["init"].disabled
    assert not c["lag"].continuous_update and not c["forget_bias"].continuous_update
    c["init"].value = "orthogonal"
    c["lag"].value = 11
    assert len(displayed) == 1  # knobs alone do not train
    c["button"].click()
    assert len(displayed) == 2
    run = tasks.recall_run(10, cell="rnn", init="orthogonal", steps=4, seed=0,
                           lr=widgets.RECALL_LR)
    _check_drawn(displayed[1], run)
    assert c["progress"].value == 4 and not c["button"].disabled
    assert "RNN, orthogonal W, lag 11" in c["status"].value


def test_recall_explorer_without_a_run_draws_on_the_first_press(displayed):
    c = widgets.recall_explorer(cell="gru", lag=6, steps=3, forget_bias=1.0)
    assert displayed == [] and c["forget_bias"].disabled and c["init"].disabled
    c["button"].click()
    assert len(displayed) == 1
    _check_drawn(displayed[0], tasks.recall_run(5, cell="gru", steps=3, seed=0,
                                                lr=widgets.RECALL_LR))


def test_recall_explorer_trains_the_seed_the_slider_shows(displayed):
    c = widgets.recall_explorer(cell="lstm", lag=6, steps=3)
    assert c["seed"].value == 0 and not c["seed"].continuous_update
    c["seed"].value = 4
    c["button"].click()
    _check_drawn(displayed[0], tasks.recall_run(5, cell="lstm", forget_bias=1.0, steps=3, seed=4,
                                                lr=widgets.RECALL_LR))
    assert "seed 4" in c["status"].value
