"""Fixtures shared by the tests of the notebooks' plots and widgets."""

import matplotlib

matplotlib.use("Agg")  # no display: figures are drawn off screen

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnn_helpers import widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test opened, so figures do not pile up across tests."""
    yield
    plt.close("all")


@pytest.fixture
def displayed(monkeypatch):
    """Capture what the widgets display: a list of the figures shown or updated, in order."""
    shown = []

    class Handle:
        def update(self, fig):
            shown.append(fig)

    def fake_display(obj, display_id=False):
        if display_id:
            shown.append(obj)
            return Handle()
        return None

    monkeypatch.setattr(widgets, "display", fake_display)
    return shown
