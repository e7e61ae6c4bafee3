"""The three recurrent cells behind one interface: "rnn", "lstm" and "gru".

Training, evaluation, sampling, gradient checks and checkpoints do the same things for every
cell; what differs is collected here, one ``Cell`` per kind:
- ``init(vocab_size, hidden_size, *, seed=None, dtype=np.float64)`` -> params;
- ``forward(params, inputs, state=None)`` -> (logits, cache) and
  ``backward(dlogits, cache)`` -> (grads, dstate);
- ``loss_and_grads(params, inputs, targets, state=None)`` -> (loss, grads, final state);
- ``step(params, state, ix)`` -> (state, logits (K,)): one character, for sampling;
- for the training loop's hot path, on checked (B, T) inputs and a (B, H) state:
  ``batch_forward(params, X, state, work)`` -> (logits, cache) with the logits also
  time-major in ``cache["o"]`` (T * B, K); ``batch_backward(do, cache, work)`` -> grads;
  ``last_state(cache)`` -> the final state, views into the cache (copy to keep them).

The state is h for the RNN and the GRU, and the pair (h, s) for the LSTM (s, the cell state,
is not called c: c is the output bias); each part is (H,) for one sequence or (B, H) for a
batch. ``map_state`` applies a function to every part.

Every cell has the same five parameters U, W, b, V, c. The RNN has one block of H rows in U,
W and b; the LSTM stacks 4 (gates i, f, g, o) and the GRU 3 (r, z, n). So a params dict
tells its cell by the shape of W: (H, H), (4H, H) or (3H, H) (``cell_of``).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import gated, gru, lstm, rnn

__all__ = ["CELLS", "Cell", "get_cell", "cell_of", "check_params", "map_state"]

CELLS = ("rnn", "lstm", "gru")


@dataclass(frozen=True)
class Cell:
    """One kind of recurrent cell: its name, gate count and functions (see the module)."""

    name: str
    gates: int  # blocks of H rows in U, W and b: 1, 4 or 3
    state_parts: tuple  # names of the state's parts: ("h",) or ("h", "s")
    init: Callable
    forward: Callable
    backward: Callable
    loss_and_grads: Callable
    step: Callable
    batch_forward: Callable
    batch_backward: Callable
    last_state: Callable

    def zero_state(self, hidden_size, dtype=np.float64, batch_size=None):
        """The zero state: (H,) per part, or (B, H) when batch_size is given."""
        shape = (hidden_size,) if batch_size is None else (batch_size, hidden_size)
        parts = tuple(np.zeros(shape, dtype) for _ in self.state_parts)
        return parts if len(parts) > 1 else parts[0]

    def check_state(self, state, shape, name="state"):
        """Validate a state whose parts should have ``shape``; return it (parts as arrays).

        Raises ValueError naming the problem: an LSTM's state must be a pair (h, s).
        """
        if len(self.state_parts) == 1:
            h = np.asarray(state)
            if h.shape != shape:
                raise ValueError(f"{name} has shape {h.shape}, expected {shape}")
            return h
        if not isinstance(state, tuple | list) or len(state) != len(self.state_parts):
            raise ValueError(f"the {self.name.upper()}'s {name} must be a pair (h, s) of arrays "
                             f"of shape {shape}, got {type(state).__name__}")
        parts = tuple(np.asarray(p) for p in state)
        for part, p in zip(self.state_parts, parts, strict=True):
            if p.shape != shape:
                raise ValueError(f"{name}: {part} has shape {p.shape}, expected {shape}")
        return parts

    @property
    def label(self):
        """The cell's name with its article, for messages: "an RNN", "an LSTM", "a GRU"."""
        return ("a " if self.name == "gru" else "an ") + self.name.upper()

    def __repr__(self):
        return f"Cell({self.name!r})"


def _rnn_init(vocab_size, hidden_size, *, seed=None, dtype=np.float64):
    """The RNN's ``init_params`` with the other cells' arguments (default W)."""
    return rnn.init_params(vocab_size, hidden_size, seed=seed, dtype=dtype)


def _grads_only(backward):
    """A module's ``_backward(do, cache, work)`` -> (grads, ...), returning grads alone."""
    def batch_backward(do, cache, work=None):
        return backward(do, cache, work)[0]
    return batch_backward


def _last_h(cache):
    return cache["hs"][-1]


def _last_h_s(cache):
    return cache["hs"][-1], cache["ss"][-1]


_REGISTRY = {
    "rnn": Cell(name="rnn", gates=1, state_parts=("h",), init=_rnn_init,
                forward=rnn.rnn_forward, backward=rnn.rnn_backward,
                loss_and_grads=rnn.loss_and_grads, step=rnn.rnn_step,
                batch_forward=rnn._forward, batch_backward=_grads_only(rnn._backward),
                last_state=_last_h),
    "lstm": Cell(name="lstm", gates=4, state_parts=("h", "s"), init=lstm.init_lstm_params,
                 forward=lstm.lstm_forward, backward=lstm.lstm_backward,
                 loss_and_grads=lstm.lstm_loss_and_grads, step=lstm.lstm_step,
                 batch_forward=lstm._forward, batch_backward=_grads_only(lstm._backward),
                 last_state=_last_h_s),
    "gru": Cell(name="gru", gates=3, state_parts=("h",), init=gru.init_gru_params,
                forward=gru.gru_forward, backward=gru.gru_backward,
                loss_and_grads=gru.gru_loss_and_grads, step=gru.gru_step,
                batch_forward=gru._forward, batch_backward=_grads_only(gru._backward),
                last_state=_last_h),
}
_BY_GATES = {cell.gates: cell for cell in _REGISTRY.values()}


def get_cell(cell):
    """The Cell for a name "rnn" | "lstm" | "gru" (or a Cell, returned as it is)."""
    if isinstance(cell, Cell):
        return cell
    if not isinstance(cell, str) or cell not in _REGISTRY:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    return _REGISTRY[cell]


def cell_of(params):
    """The name of the cell whose parameters these are, from the shape of W.

    W is (H, H) for the RNN, (4H, H) for the LSTM and (3H, H) for the GRU. Raises
    ValueError when W is none of these.
    """
    return check_params(params)[0].name


def _gates(params):
    """The gate count read from W's shape (gH, H), or None when W does not show one."""
    W = params.get("W") if isinstance(params, dict) else None
    if not isinstance(W, np.ndarray) or W.ndim != 2 or W.shape[1] == 0:
        return None
    g, rest = divmod(W.shape[0], W.shape[1])
    return g if rest == 0 and g in _BY_GATES else None


def check_params(params, cell=None):
    """Validate the parameters of any cell; return (Cell, K, H, dtype).

    cell: "rnn" | "lstm" | "gru", or None to read it from W's shape (an unreadable W is
    reported as an RNN's would be). Raises ValueError naming the bad parameter, or saying
    which cell the parameters belong to when it is not ``cell``.
    """
    expected = None if cell is None else get_cell(cell)
    g = _gates(params)
    found = _BY_GATES[g] if g is not None else (expected or _REGISTRY["rnn"])
    if expected is not None and g is not None and found is not expected:
        raise ValueError(f"params are {found.label}'s (W has shape {params['W'].shape}), "
                         f"not {expected.label}'s")
    if found.gates == 1:
        K, H, dtype = rnn.check_params(params)
        return found, K, H, dtype
    return found, *gated._check_params(params, found.gates, found.name.upper())


def map_state(f, state):
    """``f`` applied to every part of a state: f(h), or (f(h), f(s)) for a pair."""
    if isinstance(state, tuple):
        return tuple(f(part) for part in state)
    return f(state)
