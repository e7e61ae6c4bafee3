"""Figures for the notebooks, one module per notebook, on one style.

``plots.style`` holds the style (projector-friendly fonts, a colour-blind-safe palette) and what
several notebooks draw; ``data`` draws notebook 01's figures, ``forward`` 02's, ``softmax`` 03's,
``loss`` 04's, ``bptt`` 05's, ``training`` 06's (and 08's comparison of cells), ``gradients``
07's and ``gated`` 08's. Every name is also importable from ``plots`` itself
(``plots.eps_vcurve``).

Plots only draw: every number they show comes from a tested maths module. Only notebooks (and
``widgets``) import this package; the maths never does. Every function returns the matplotlib
Figure it drew, so a notebook can show it, save it, or hand it to a live display
(``widgets.LiveFigure``).
"""

from .bptt import eps_vcurve, gradcheck_scatter, hidden_grad_figure
from .data import batch_layout, batch_windows, char_frequencies
from .forward import activation_histograms, hidden_heatmaps, unrolled_rnn
from .gated import (
    forget_gate_figure,
    recall_cells_figure,
    recall_run_figure,
    state_grad_figure,
)
from .gradients import (
    GRAD_NORM_LABEL,
    clipping_figure,
    gradient_norms_figure,
    jacobian_norms_figure,
    recall_figure,
    saturation_figure,
)
from .loss import char_surprise_figure, loss_ladder, surprise_figure, window_loss_figure
from .softmax import (
    NAN_BAR,
    NAN_ROW,
    overflow_figure,
    precision_figure,
    softmax_legend_handles,
    softmax_pair_bars,
    softmax_scale_figure,
    softmax_scale_grid,
)
from .style import CHAR_LABELS, COLORS, CYCLE, char_label, loss_curves, new_figure, use_style
from .training import (
    CELL_COLORS,
    cell_losses_figure,
    clipping_arrows,
    compare_losses,
    grad_norm_curves,
    loss_and_gap,
    lr_sweep_figure,
    next_char_bars,
)
