"""Small seeded models and data shared by the tests."""

import numpy as np

from rnn_helpers import PARAM_NAMES, init_params


def make_case(K=7, H=5, T=10, B=None, scale=1.0, h0=False, seed=0, dtype=np.float64):
    """A seeded model and data: params (scaled by ``scale``), inputs, targets, h0 or None."""
    rng = np.random.default_rng(seed)
    params = init_params(K, H, seed=seed, dtype=dtype)
    for p in params.values():
        p *= scale
    params["b"] += rng.uniform(-0.1, 0.1, H).astype(dtype)
    params["c"] += rng.uniform(-0.1, 0.1, K).astype(dtype)
    shape = (T,) if B is None else (B, T)
    inputs = rng.integers(0, K, size=shape)
    targets = rng.integers(0, K, size=shape)
    h = rng.uniform(-0.9, 0.9, size=(H,) if B is None else (B, H)) if h0 else None
    return params, inputs, targets, h


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
