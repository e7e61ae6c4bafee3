"""rnn_helpers: a character-level RNN from scratch in NumPy, the engine of the notebooks.

Importing it limits NumPy's BLAS to one thread (undo with ``threadpoolctl``): the matrices of
a character RNN are tiny, so threads cost more than they save (measured: 300 training steps
at H = 128 took 1.2 s with one thread and 19 s with two on a busy 2-core machine), and the
thread count changes the last bits of matrix products, which would make the notebooks'
stored outputs depend on the machine that ran them. A large training step also runs a few
independent products on a second thread of its own (``overlap.py``): the same NumPy calls
as on one thread (BLAS still single-threaded), so the results are the same bit for bit.
"""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it from here

from threadpoolctl import threadpool_limits as _threadpool_limits

from .baselines import ngram_loss
from .cells import CELLS, Cell, cell_of, get_cell, map_state
from .checkpoint import load_checkpoint, save_checkpoint
from .data import (
    DATA_DIR,
    TINYSHAKESPEARE,
    BatchStream,
    CharVocab,
    default_corpus_info,
    download,
    download_tinyshakespeare,
    load_corpus,
    train_val_split,
)
from .diagnostics import (
    blew_up,
    global_clip_scale,
    jacobian_product,
    last_step_grad_norms,
    last_step_param_grad_norm,
    saturation_stats,
    spectral_radius,
    state_grad_norms,
    with_spectral_radius,
)
from .functional import log_softmax, softmax, softmax_loss
from .gated import sigmoid
from .gradcheck import (
    PLANTED_BUGS,
    RULE_OF_THUMB,
    STENCIL_ORDERS,
    GradCheckReport,
    against_bar,
    check_hidden_state_grads,
    default_atol,
    grad_check,
    grad_check_report,
    gradient_sample,
    loss_and_grads_with_bug,
    numerical_gradient,
    passes_entrywise,
    relative_error,
    stencil_errors,
)
from .gru import gru_backward, gru_forward, gru_loss_and_grads, gru_step, init_gru_params
from .lstm import (
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_gates,
    lstm_loss_and_grads,
    lstm_step,
    lstm_step_backward,
)
from .optim import SGD, Adagrad, Adam, Momentum, clip_grad_norm, clip_gradients, grad_norm
from .rnn import (
    PARAM_NAMES,
    hidden_state_grads,
    hidden_states,
    init_params,
    loss_and_grads,
    rnn_backward,
    rnn_forward,
    rnn_step,
)
from .sampling import next_char_probs, sample, sample_text
from .stats import Spread, format_spread, spread
from .tasks import (
    RECALL_CHARS,
    RecallResults,
    RecallRun,
    recall_accuracy,
    recall_answers,
    recall_experiment,
    recall_gradient_ratio,
    recall_run,
    recall_start,
    recall_task,
    state_grad_profile,
    train_recall,
)
from .train import History, evaluate, train, training_windows

_threadpool_limits(limits=1, user_api="blas")
