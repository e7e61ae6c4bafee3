"""Interactive pieces for the notebooks: small pure functions (tested with plain pytest) plus
thin ipywidgets wiring. Only notebooks import this module.

Rules that keep the notebooks testable with strict nbval: a widget never prints; figures are
updated through a display handle (``LiveFigure``), so re-running a notebook produces the same
stored outputs; every widget's result also appears as a static figure in the notebook.
"""

import matplotlib.pyplot as plt
from IPython.display import display

__all__ = ["LiveFigure"]


class LiveFigure:
    """A figure shown once and redrawn in place: ``show()`` then ``update(fig)``.

    Uses ``display(fig, display_id=True)``: updates replace the same output area instead of
    appending new outputs, and nothing is printed.
    """

    def __init__(self):
        self.handle = None

    def show(self, fig):
        """Display ``fig`` (the first time) and close it so it is not shown twice."""
        self.handle = display(fig, display_id=True)
        plt.close(fig)

    def update(self, fig):
        """Replace the displayed figure with ``fig``."""
        if self.handle is None:
            self.show(fig)
        else:
            self.handle.update(fig)
            plt.close(fig)
