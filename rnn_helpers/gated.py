"""What the LSTM and the GRU share: initialisation, parameter and state checks, the sigmoid,
the gradient of the stacked lookup, and the final state of a cache.

Both cells stack G gates (4 for the LSTM: i, f, g, o; 3 for the GRU: r, z, n) in the rows of
U (G H, K), W (G H, H) and b (G H,), in PyTorch's order; V (K, H) and c (K,) are the RNN's.
Only ``sigmoid`` is meant for readers; the rest serves ``lstm.py``, ``gru.py`` and
``cells.py``.
"""

import numpy as np

from .functional import buffer
from .rnn import PARAM_NAMES, _check_shapes, _positive_int

__all__ = ["sigmoid"]


def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)), as (1 + tanh(x / 2)) / 2: no overflow."""
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def _sigmoid_halving(gates, dtype):
    """Per-gate factors (len(gates),) of ``dtype``: 0.5 for a sigmoid gate, 1 for a tanh one.

    gates: the gate letters in order, e.g. "ifgo"; g and n are the tanh gates. Scaling the
    pre-activations by these factors, one tanh gives tanh(a / 2) on the sigmoid gates; then
    multiplying by the factors again and adding 1 minus them gives every gate's activation,
    since sigma(a) = (1 + tanh(a / 2)) / 2.
    """
    return np.array([1.0 if g in "gn" else 0.5 for g in gates], dtype)


def _init_params(vocab_size, hidden_size, gates, *, seed=None, dtype=np.float64):
    """Parameters of a gated cell with ``gates`` stacked gates, PyTorch's initialisation.

    U (gates * H, K), W (gates * H, H): uniform in [-1/sqrt(H), 1/sqrt(H)] for both, as
    torch.nn.LSTM and nn.GRU initialise every weight (their bound uses H even for the input
    weights; the RNN's U uses 1/sqrt(K)). V (K, H): uniform +-1/sqrt(H), as the RNN's.
    b (gates * H,) and c (K,): zero. Drawn from one generator in the order U, W, V.
    """
    K = _positive_int(vocab_size, "vocab_size")
    H = _positive_int(hidden_size, "hidden_size")
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    rng = np.random.default_rng(seed)
    r = 1.0 / np.sqrt(H)
    return {
        "U": rng.uniform(-r, r, size=(gates * H, K)).astype(dtype),
        "W": rng.uniform(-r, r, size=(gates * H, H)).astype(dtype),
        "V": rng.uniform(-r, r, size=(K, H)).astype(dtype),
        "b": np.zeros(gates * H, dtype),
        "c": np.zeros(K, dtype),
    }


def _check_params(params, gates, cell):
    """Validate a gated cell's parameter dict; return (K, H, dtype).

    gates: the number of stacked gates (4 for the LSTM, 3 for the GRU); cell: its name for
    the messages. Raises ValueError or TypeError naming the bad parameter.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)} (needs {', '.join(PARAM_NAMES)})")
    W = params["W"]
    if (not isinstance(W, np.ndarray) or W.ndim != 2 or W.shape[1] == 0
            or W.shape[0] != gates * W.shape[1]):
        got = W.shape if isinstance(W, np.ndarray) else type(W).__name__
        raise ValueError(f"params['W'] has shape {got}, expected ({gates}H, H) for the "
                         f"{cell}'s {gates} stacked gates")
    H = W.shape[1]
    dtype = W.dtype
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"params['W'] must be floating point, got {dtype}")
    U = params["U"]
    if not isinstance(U, np.ndarray) or U.ndim != 2 or U.shape[0] != gates * H:
        got = U.shape if isinstance(U, np.ndarray) else type(U).__name__
        raise ValueError(f"params['U'] has shape {got}, expected ({gates * H}, K) (H={H})")
    K = U.shape[1]
    expected = {"U": (gates * H, K), "W": (gates * H, H), "b": (gates * H,), "V": (K, H),
                "c": (K,)}
    _check_shapes(params, expected, dtype, "W", H, K)
    return K, H, dtype


def _scatter_add_columns(ix, rows, K, work=None):
    """dU = sum over positions n of rows[:, n] placed in column ix[n]: (G, N, H) -> (G H, K).

    The gradient of the lookup U[:, ix] for G stacked gates, ix (N,) and rows (G, N, H)
    gate-major: the same sums as ``rnn._scatter_add_columns``, by sorting the positions by
    character and reducing each character's run of (G H,) rows in one call (about twice as
    fast as reduceat). work: see ``functional.buffer``.
    """
    G, N, H = rows.shape
    # a stable sort keeps each character's positions in order, so the sums are the same on
    # every machine; on a small integer type numpy sorts in linear time (radix sort)
    order = np.argsort(ix.astype(np.uint8 if K <= 256 else np.int32), kind="stable")
    counts = np.bincount(ix, minlength=K)
    by_char = buffer(work, "by_char", (N, G, H), rows.dtype)  # position-major, sorted
    np.take(rows.transpose(1, 0, 2), order, axis=0, out=by_char, mode="clip")
    by_char = by_char.reshape(N, G * H)
    dU = np.zeros((K, G * H), rows.dtype)  # transposed: each character's sum is a row
    start = 0
    for k, end in enumerate(np.cumsum(counts).tolist()):
        if end > start:
            np.add.reduce(by_char[start:end], axis=0, out=dU[k])
        start = end
    return np.ascontiguousarray(dU.T)


def _final_state(cache):
    """The final state from a cache, copied, with the initial state's shape ((H,) or (B, H)).

    h_T for the GRU; (h_T, s_T) for the LSTM, whose cache also holds "ss".
    """
    parts = [cache["hs"][-1].copy()]
    if "ss" in cache:
        parts.append(cache["ss"][-1].copy())
    if not cache["batched"]:
        parts = [p[0] for p in parts]
    return tuple(parts) if len(parts) == 2 else parts[0]
