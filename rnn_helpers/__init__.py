"""rnn_helpers: a character-level RNN from scratch in NumPy, the engine of the notebooks."""

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
from .functional import log_softmax, softmax, softmax_loss
from .gradcheck import (
    GradCheckReport,
    check_hidden_state_grads,
    grad_check,
    grad_check_report,
    numerical_gradient,
    relative_error,
)
from .optim import SGD, Adagrad, Adam, Momentum, clip_grad_norm, clip_gradients, grad_norm
from .rnn import (
    PARAM_NAMES,
    hidden_state_grads,
    init_params,
    loss_and_grads,
    rnn_backward,
    rnn_forward,
)
from .sampling import next_char_probs, rnn_step, sample, sample_text
from .train import History, evaluate, train
