"""The notebooks' widgets render and respond in a real browser, in JupyterLab and Notebook 7."""

import pytest
from jupyter_ui import (
    drag_slider,
    figure_source,
    open_notebook,
    record_figures,
    recorded,
    run_all,
    slider,
    type_into_readout,
    wait_for_new_figure,
    widget_cell,
    widget_views,
)
from playwright.sync_api import expect

NB06 = "06_training_and_sampling.ipynb"
NB07 = "07_exploding_vanishing_gradients.ipynb"
NB08 = "08_gated_cells.ipynb"
NB01 = "01_characters_and_data.ipynb"
# The notebooks without an interaction test of their own below: their widgets must draw.
OTHERS = ["01_characters_and_data.ipynb", "02_forward_pass.ipynb", "03_softmax_stability.ipynb",
          "04_loss.ipynb", "05_backprop_through_time.ipynb"]


def assert_every_widget_drawn(page):
    """Every widget view that the notebook's outputs hold is drawn, none broken."""
    cells = widget_views(page)
    assert cells, "no widget in this notebook"
    for cell in cells:
        assert cell["drawn"] == cell["views"] and not cell["broken"], cell


@pytest.mark.parametrize("notebook", OTHERS, ids=lambda name: name[:2])
def test_jupyterlab_runs_the_notebook_and_draws_every_widget(jupyter, page, notebook):
    open_notebook(page, jupyter.lab(notebook))
    run_all(page)
    assert_every_widget_drawn(page)


def test_the_widget_check_sees_widgets_that_are_not_drawn(jupyter, page):
    # Opened but not run: the stored outputs name widgets no kernel has created.
    open_notebook(page, jupyter.lab("02_forward_pass.ipynb"))
    cells = widget_views(page, seconds=5)
    assert cells and all(c["drawn"] < c["views"] for c in cells), cells


def test_jupyterlab_06_training_panel_trains_live(jupyter, page, screenshot):
    assert open_notebook(page, jupyter.lab(NB06)) == "python3"
    run_all(page)
    assert_every_widget_drawn(page)
    panel = widget_cell(page, "hidden size")
    sample = panel.locator(".widget-html:has(.widget-label:text-is('sample')) pre")
    status = panel.locator(".widget-html").filter(has_text="Sampling from").first
    # text_content, not inner_text: JupyterLab 4 skips rendering cells out of view
    # (content-visibility), and their inner text is then empty
    before_plot, before_sample = figure_source(panel), sample.text_content()
    expect(status).to_contain_text("the model of section 4")

    type_into_readout(panel, "hidden size", 32)
    assert slider(panel, "hidden size").locator(".widget-readout").inner_text() == "32"
    record_figures(panel)  # every figure the live plot shows, with the status line then
    panel.locator("button", has_text="Train").click()
    status.filter(has_text="Sampling from your model").wait_for(timeout=120_000)

    # Live: the plot was redrawn again and again while the status still said "Training".
    during = {src for src, text in recorded(page)
              if text.startswith("Training") and src != before_plot}
    assert len(during) >= 5, f"only {len(during)} loss plots were drawn during training"
    assert "H=32" in status.text_content() and "Final loss" in status.text_content()
    wait_for_new_figure(panel, before_plot)
    # The sampler uses a fixed seed: a different text means a different model, not luck.
    expect(sample).not_to_have_text(before_sample)
    screenshot(page, "jupyterlab_06_after_training", panel)

    # The temperature knob resamples from the new model without training again.
    trained_sample, trained_plot = sample.text_content(), figure_source(panel)
    assert float(drag_slider(page, panel, "temperature", -0.7)) < 0.3  # log slider: 10^-0.7
    expect(sample).not_to_have_text(trained_sample)
    assert figure_source(panel) == trained_plot
    screenshot(page, "jupyterlab_06_cold_sample", panel.locator(".widget-vbox").last)


def test_jupyterlab_07_spectral_radius_slider_redraws(jupyter, page, screenshot):
    open_notebook(page, jupyter.lab(NB07))
    run_all(page)
    assert_every_widget_drawn(page)
    explorer = widget_cell(page, "spectral radius")
    readout = slider(explorer, "spectral radius").locator(".widget-readout")
    before_value, before_plot = readout.inner_text(), figure_source(explorer)
    assert float(before_value) == 2.5
    screenshot(page, "jupyterlab_07_before_slider", explorer)
    # From exploding (2.5) to just below the edge of stability.
    after_value = drag_slider(page, explorer, "spectral radius", 0.9)
    assert abs(float(after_value) - 0.9) <= 0.1, after_value
    wait_for_new_figure(explorer, before_plot)
    screenshot(page, "jupyterlab_07_after_slider", explorer)


def test_jupyterlab_08_recall_explorer_trains_the_chosen_cell(jupyter, page, screenshot):
    open_notebook(page, jupyter.lab(NB08))
    run_all(page)
    assert_every_widget_drawn(page)
    explorer = widget_cell(page, "forget bias (LSTM)")
    status = explorer.locator(".widget-html").filter(has_text="Showing").first
    before = figure_source(explorer)
    assert before, "the static run's figure is not shown before any press"
    expect(status).to_contain_text("LSTM, forget bias 1, lag 41")
    explorer.locator("button", has_text="GRU").click()
    type_into_readout(explorer, "lag k + 1", 11)
    explorer.locator("button", has_text="Train").click()
    status.filter(has_text="GRU, lag 11").wait_for(timeout=120_000)
    wait_for_new_figure(explorer, before)
    screenshot(page, "jupyterlab_08_after_training_a_gru", explorer)


def test_notebook7_01_widgets_render_and_respond(jupyter, page, screenshot):
    open_notebook(page, jupyter.classic(NB01))
    assert page.evaluate("window.jupyterapp.name") == "Jupyter Notebook"  # not JupyterLab
    run_all(page)
    assert_every_widget_drawn(page)
    explorer = widget_cell(page, "B (rows)")
    assert slider(explorer, "T (length)").is_visible()
    before = figure_source(explorer)
    type_into_readout(explorer, "B (rows)", 2)
    wait_for_new_figure(explorer, before)
    screenshot(page, "notebook7_01_after_slider", explorer)
    screenshot(page, "notebook7_01_window")  # the whole window: Notebook 7's own interface
