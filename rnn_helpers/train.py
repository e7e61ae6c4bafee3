"""The training loop: batches, forward, backward, clipping, an optimiser step, and a history.

Each step takes the next (B, T) window of every row of the corpus (see ``BatchStream``),
starting from the hidden state the previous window ended with: the network sees the text
as one long sequence, but gradients flow back only T steps (truncated BPTT).

Every cell trains the same way (see ``cells``): the RNN and the GRU carry h from window to
window, the LSTM the pair (h, s).
"""

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from .cells import check_params, map_state
from .data import BatchStream
from .functional import _softmax_loss
from .optim import clip_grad_norm, clip_gradients, grad_norm
from .rnn import check_indices

__all__ = ["History", "train", "evaluate", "training_windows"]


@dataclass
class History:
    """What happened during training, step by step.

    losses: loss per character at each step (the batch's mean over its T*B predictions).
    smooth: an exponential moving average of losses (bias-corrected, so it starts at the
    first loss). grad_norms: the global gradient norm before clipping. val_steps and
    val_losses: validation loss per character, measured after those steps. hidden: the
    state the last window ended with, (B, H) (the LSTM's: the pair (h, s)), and cell: the
    name of the cell that produced it ("rnn" | "lstm" | "gru"); a continued run of the same
    cell starts from that state, a run of another cell from zeros.
    """

    losses: list = field(default_factory=list)
    smooth: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    val_steps: list = field(default_factory=list)
    val_losses: list = field(default_factory=list)
    seed: int = 0
    chars: int = 0
    seconds: float = 0.0
    beta: float = 0.99
    hidden: np.ndarray | tuple | None = field(default=None, repr=False)  # carried on
    cell: str | None = None  # whose state ``hidden`` is

    def record(self, loss, norm, chars):
        """Append one step's loss per character, gradient norm and character count."""
        self.losses.append(loss)
        self.grad_norms.append(norm)
        n = len(self.losses)
        prev = self.smooth[-1] * (1 - self.beta ** (n - 1)) if n > 1 else 0.0
        self.smooth.append((self.beta * prev + (1 - self.beta) * loss) / (1 - self.beta**n))
        self.chars += chars

    def recent_loss(self, n=50):
        """Mean training loss per character over the last ``n`` steps.

        A better "final loss" than ``smooth[-1]``, whose moving average lags about
        1 / (1 - beta) = 100 steps behind: too far for a run of a few hundred steps.
        """
        if not self.losses:
            raise ValueError("no training steps recorded yet")
        return float(np.mean(self.losses[-n:]))

    @property
    def steps(self):
        """Number of training steps recorded."""
        return len(self.losses)

    @property
    def chars_per_second(self):
        """Training throughput over the recorded steps."""
        return self.chars / self.seconds if self.seconds > 0 else float("nan")


def evaluate(params, data, *, seq_length=100, batch_size=16, cell=None):
    """Mean loss per character (nats) of the model on a 1-D encoded text.

    The text is cut into ``batch_size`` contiguous rows read in windows of ``seq_length``
    with the hidden state carried across windows (the LSTM's (h, s)), so every character
    but the first of each row is predicted from all the text before it in its row.
    params: an RNN's, LSTM's or GRU's; cell: "rnn" | "lstm" | "gru", or None to read it
    from the params' shapes.
    """
    cell, K, H, dtype = check_params(params, cell)
    data = check_indices(data, K, "data")
    if data.ndim != 1 or len(data) < 2:
        raise ValueError("data must be a 1-D encoded text of at least 2 characters")
    _check_positive_int(seq_length=seq_length, batch_size=batch_size)
    B = max(1, min(batch_size, (len(data) - 1) // 2))
    n = (len(data) - 1) // B
    X = data[: B * n].reshape(B, n)
    Y = data[1 : B * n + 1].reshape(B, n)
    h = cell.zero_state(H, dtype, B)
    total = 0.0
    for a in range(0, n, seq_length):
        logits, cache = cell.batch_forward(params, X[:, a:a + seq_length], h)
        total += _softmax_loss(logits, Y[:, a:a + seq_length])[0] * B
        h = cell.last_state(cache)
    return total / (B * n)


def _check_positive_int(**values):
    """Raise ValueError naming the first value that is not a positive integer."""
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


def _check_train_args(params, data, steps, seq_length, batch_size, optimizer, clip, clip_norm,
                      cell):
    """Validate train()'s arguments; returns the checked data and the Cell."""
    cell, K, _, _ = check_params(params, cell)
    data = check_indices(data, K, "data")
    if data.ndim != 1:
        raise ValueError(f"data must be a 1-D encoded corpus, got shape {data.shape}")
    _check_positive_int(steps=steps, seq_length=seq_length, batch_size=batch_size)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError("optimizer must have a .step(params, grads) method, e.g. Adagrad(0.1)")
    for name, v in (("clip", clip), ("clip_norm", clip_norm)):
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and v > 0
        if v is not None and not ok:
            raise ValueError(f"{name} must be a positive number or None, got {v!r}")
    return data, cell


def train(params, data, *, optimizer, steps, seq_length, batch_size=1, clip=5.0,
          clip_norm=None, seed=0, progress=True, callback=None, val_data=None,
          eval_every=None, history=None, cell=None):
    """Train params in place on an encoded corpus; return the History.

    params: an RNN's, LSTM's or GRU's (cell: "rnn" | "lstm" | "gru", or None to read it
    from their shapes). data: 1-D int array, the encoded training text. optimizer: e.g.
    Adagrad(0.1).
    steps: number of updates, each on a (batch_size, seq_length) window.
    clip: element-wise clipping bound (min-char-rnn), None for none; clip_norm: global-norm
    clipping bound, None for none. seed: chooses where in the text the rows start.
    progress: show a progress bar. callback(step, history): called after every step
    (for live plots). val_data: encoded validation text, evaluated every ``eval_every``
    steps (default: 10 times per run) and at the end. history: a History to continue
    (from the windows where it stopped, and from its state when the same cell made it).
    Raises FloatingPointError naming the step if the loss or a gradient is not finite.
    """
    data, cell = _check_train_args(params, data, steps, seq_length, batch_size, optimizer,
                                   clip, clip_norm, cell)
    if val_data is not None:
        val_data = check_indices(val_data, params["V"].shape[0], "val_data")
        if eval_every is None:
            eval_every = max(1, steps // 10)
        _check_positive_int(eval_every=eval_every)
    history = history if history is not None else History(seed=seed)
    first = history.steps
    stream = training_windows(data, batch_size, seq_length, history.seed, skip=first)
    h = _carried_state(history, batch_size, params, cell)
    bar = _progress_bar(steps, progress)
    work = {}  # the steps' large intermediate arrays, allocated once (see functional.buffer)
    start = time.perf_counter()
    for i in range(steps):
        step = first + i
        X, Y, reset = stream.next()
        if reset:
            h = map_state(np.zeros_like, h)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # a diverging run is reported below, by step, instead of by numpy warnings
            _, cache = cell.batch_forward(params, X, h, work)
            # time-major logits and targets: no transposed copies on the hot path
            loss, do = _softmax_loss(cache["o"], Y.T, batch_size, work)
            grads = cell.batch_backward(do, cache, work)
            norm = _clip(grads, clip, clip_norm)
            h = cell.last_state(cache)
            if math.isfinite(loss) and math.isfinite(norm):
                optimizer.step(params, grads)
        _check_finite(step, loss, norm, params, bar)
        history.hidden = map_state(np.copy, h)  # h is a view into a reused buffer
        history.cell = cell.name
        history.record(loss / seq_length, norm, X.size)
        if val_data is not None and ((i + 1) % eval_every == 0 or i + 1 == steps):
            history.seconds += time.perf_counter() - start
            history.val_steps.append(step + 1)
            history.val_losses.append(evaluate(params, val_data, seq_length=seq_length,
                                               cell=cell))
            start = time.perf_counter()
        _update_bar(bar, history, i, steps)
        if callback is not None:
            callback(step, history)
    history.seconds += time.perf_counter() - start
    bar.close()
    return history


def training_windows(data, batch_size, seq_length, seed=0, *, skip=0):
    """The BatchStream of (B, T) windows that ``train(..., seed=seed)`` reads, in its order.

    The seed picks the window the rows start at; skip: windows already used (a continued
    run resumes where it stopped). ``.next()`` gives (inputs, targets, reset) per step.
    """
    offset = int(np.random.default_rng(seed).integers(2**31)) + skip
    return BatchStream(data, batch_size, seq_length, offset=offset)


def _carried_state(history, batch_size, params, cell):
    """The state a continued run starts from: the history's, or zeros.

    The history's state is used only when the same cell produced it and every part has the
    shape (batch_size, H) and the dtype of params: a GRU continuing an RNN's run (the same
    (B, H) shape) starts from zeros, as does a run with another batch size or dtype.
    """
    H, dtype = params["V"].shape[1], params["V"].dtype
    zeros = cell.zero_state(H, dtype, batch_size)
    state = history.hidden
    if state is None or history.cell != cell.name:
        return zeros
    parts = state if isinstance(state, tuple) else (state,)
    if len(parts) != len(cell.state_parts):
        return zeros
    for part in parts:
        if not isinstance(part, np.ndarray):
            return zeros
        if part.shape != (batch_size, H) or part.dtype != dtype:
            return zeros
    return state


def _check_finite(step, loss, norm, params, bar):
    """Raise FloatingPointError naming the step if training has diverged."""
    problem = None
    if not math.isfinite(loss):
        problem = f"the loss is {loss}"
    elif not math.isfinite(norm):
        problem = f"the gradient norm is {norm}"
    elif not all(np.isfinite(p).all() for p in params.values()):
        problem = "the update made the parameters non-finite"
    if problem:
        bar.close()
        raise FloatingPointError(
            f"training diverged at step {step}: {problem}; "
            "try a smaller learning rate or clipping"
        )


def _clip(grads, clip, clip_norm):
    """Apply the requested clipping; return the gradient norm before any clipping."""
    norm = None
    if clip_norm is not None:
        norm = clip_grad_norm(grads, clip_norm)
    if clip is not None:
        before = clip_gradients(grads, clip)
        norm = before if norm is None else norm
    return grad_norm(grads) if norm is None else norm


def _progress_bar(steps, progress):
    """A tqdm.auto bar (a widget in Jupyter, text in a terminal), or a no-op one."""
    from tqdm.auto import tqdm

    return tqdm(total=steps, disable=not progress, desc="training", unit="step", leave=True)


def _update_bar(bar, history, i, steps):
    """Advance the bar; refresh its loss display about 100 times per run."""
    bar.update(1)
    if not bar.disable and (i % max(1, steps // 100) == 0 or i + 1 == steps):
        post = {"loss": f"{history.smooth[-1]:.3f}"}
        if history.val_losses:
            post["val"] = f"{history.val_losses[-1]:.3f}"
        bar.set_postfix(post, refresh=False)
