"""Small seeded models and data shared by the tests, and the three cells written from their
equations.

``make_model`` / ``make_case`` are the one way the tests build a seeded model of any cell.
``reference_step`` and what is built on it are the one copy of the cells' equations in the
tests: independent of rnn_helpers' code (one-hot vectors, matrix products, a loop over time,
sigma as 1 / (1 + exp(-x))), so that the package's batched, tuned code is compared with
something written differently.
"""

import numpy as np

from rnn_helpers import PARAM_NAMES
from rnn_helpers.cells import get_cell


def make_model(cell="rnn", K=7, H=5, *, seed=0, scale=1.0, bias=0.1, dtype=np.float64,
               rng=None):
    """A seeded model of ``cell`` ("rnn" | "lstm" | "gru"): dict U, W, b, V, c of ``dtype``.

    The cell's own initialisation (seeded with ``seed``), every parameter times ``scale``
    (large values saturate the units and gates), then b and c shifted by uniform draws in
    [-bias, bias] from ``rng`` (default: a generator seeded with ``seed``), so that no
    gradient is accidentally symmetric.
    """
    rng = np.random.default_rng(seed) if rng is None else rng
    params = get_cell(cell).init(K, H, seed=seed, dtype=dtype)
    for p in params.values():
        p *= scale
    params["b"] += rng.uniform(-bias, bias, params["b"].shape).astype(dtype)
    params["c"] += rng.uniform(-bias, bias, K).astype(dtype)
    return params


def make_case(cell="rnn", K=7, H=5, T=10, B=None, *, scale=1.0, state=False, seed=0,
              bias=0.1, dtype=np.float64):
    """A seeded model (``make_model``), int inputs and targets (T,) or (B, T), and a state.

    state=False gives None (zeros); True a random state of the inputs' batch shape, (H,) or
    (B, H) per part: h uniform in [-0.9, 0.9], and for the LSTM the pair (h, s) with s
    uniform in [-2, 2] (the cell state is not bounded by 1). Everything is drawn from one
    generator seeded with ``seed``.
    """
    rng = np.random.default_rng(seed)
    params = make_model(cell, K, H, seed=seed, scale=scale, bias=bias, dtype=dtype, rng=rng)
    shape = (T,) if B is None else (B, T)
    inputs = rng.integers(0, K, size=shape)
    targets = rng.integers(0, K, size=shape)
    start = None
    if state:
        s_shape = (H,) if B is None else (B, H)
        start = rng.uniform(-0.9, 0.9, size=s_shape)
        if cell == "lstm":
            start = (start, rng.uniform(-2, 2, size=s_shape))
    return params, inputs, targets, start


def reference_forward_backward(params, inputs, targets, h0=None, tanh_derivative=True):
    """min-char-rnn written out: one-hot columns, a loop over time, float64. Independent code.

    tanh_derivative=False plants the classic bug (forgetting diag(1 - h^2)).
    Returns (loss, grads, h_last, dh0).
    """
    U, W, V, b, c = (params[k].astype(np.float64) for k in PARAM_NAMES)
    H, K = U.shape
    hs = {-1: np.zeros(H) if h0 is None else np.asarray(h0, np.float64)}
    ps, xs, loss = {}, {}, 0.0
    for t, ix in enumerate(inputs):
        xs[t] = np.zeros(K)
        xs[t][ix] = 1.0
        hs[t] = np.tanh(U @ xs[t] + W @ hs[t - 1] + b)
        o = V @ hs[t] + c
        ps[t] = np.exp(o - o.max()) / np.exp(o - o.max()).sum()
        loss -= np.log(ps[t][targets[t]])
    g = {k: np.zeros_like(params[k], dtype=np.float64) for k in PARAM_NAMES}
    dh_next = np.zeros(H)
    for t in reversed(range(len(inputs))):
        do = ps[t].copy()
        do[targets[t]] -= 1
        g["V"] += np.outer(do, hs[t])
        g["c"] += do
        dh = V.T @ do + dh_next
        da = (1 - hs[t] ** 2) * dh if tanh_derivative else dh
        g["b"] += da
        g["U"] += np.outer(da, xs[t])
        g["W"] += np.outer(da, hs[t - 1])
        dh_next = W.T @ da
    return loss, g, hs[len(inputs) - 1], dh_next


# --- the three cells written from their equations: one sequence, one-hot x, a loop ----------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def reference_step(cell, params, state, ix, *, gates=False):
    """One step of "rnn" | "lstm" | "gru" from its equations (float64, one-hot x_t).

    state: h (H,), or (h, s) for the LSTM. Returns (state, logits (K,)), and with
    gates=True also a dict of the step's gate activations (i, f, g, o for the LSTM; r, z,
    n for the GRU; empty for the RNN). The gates are stacked in PyTorch's order.
    """
    U, W, b, V, c = (np.asarray(params[k], np.float64) for k in ("U", "W", "b", "V", "c"))
    K, H = V.shape
    x = np.zeros(K)
    x[ix] = 1.0
    if cell == "rnn":
        h = np.tanh(U @ x + W @ state + b)
        new, acts = h, {}
    elif cell == "lstm":
        h_prev, s_prev = state
        a = U @ x + W @ h_prev + b
        i, f, o = _sigmoid(a[:H]), _sigmoid(a[H:2 * H]), _sigmoid(a[3 * H:])
        g = np.tanh(a[2 * H:3 * H])
        s = f * s_prev + i * g
        h = o * np.tanh(s)
        new, acts = (h, s), {"i": i, "f": f, "g": g, "o": o}
    elif cell == "gru":
        ax, ah = U @ x + b, W @ state
        r = _sigmoid(ax[:H] + ah[:H])
        z = _sigmoid(ax[H:2 * H] + ah[H:2 * H])
        n = np.tanh(ax[2 * H:] + r * ah[2 * H:])
        h = (1 - z) * n + z * state
        new, acts = h, {"r": r, "z": z, "n": n}
    else:
        raise ValueError(cell)
    return (new, V @ h + c, acts) if gates else (new, V @ h + c)


def reference_zero_state(cell, H):
    """The zero state of one sequence: h, or (h, s) for the LSTM."""
    return (np.zeros(H), np.zeros(H)) if cell == "lstm" else np.zeros(H)


def reference_row_loss(cell, params, xs, ys, state):
    """sum_t -log softmax(o_t)[y_t] over one row from ``state``; returns (loss, final state)."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        state, o = reference_step(cell, params, state, x)
        m = o.max()
        total += m + np.log(np.exp(o - m).sum()) - o[y]
    return float(total), state


def reference_forward(cell, params, inputs, state=None):
    """The logits and the final state of ``cell`` over (T,) or (B, T) inputs, row by row.

    state: None (zeros), or a state of the inputs' batch shape ((H,) or (B, H) per part).
    Returns logits (T, K) or (B, T, K) and the final state with the initial state's shape.
    """
    H = params["V"].shape[1]
    X = np.atleast_2d(inputs)
    single = np.ndim(inputs) == 1

    def row_state(b):
        if state is None:
            return reference_zero_state(cell, H)
        if cell == "lstm":
            return tuple(np.reshape(part, (len(X), H))[b] for part in state)
        return np.reshape(state, (len(X), H))[b]

    logits, finals = [], []
    for b, row in enumerate(X):
        st, out = row_state(b), []
        for ix in row:
            st, o = reference_step(cell, params, st, ix)
            out.append(o)
        logits.append(out)
        finals.append(st)
    logits = np.array(logits)
    if cell == "lstm":
        final = tuple(np.array([f[k] for f in finals]) for k in range(2))
        return (logits[0], tuple(f[0] for f in final)) if single else (logits, final)
    final = np.array(finals)
    return (logits[0], final[0]) if single else (logits, final)
