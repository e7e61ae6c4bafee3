"""Diagnostics of gradient flow through time: spectral radius and Jacobian products.

dL_T/dh_t is dL_T/dh_T carried back through the Jacobians dh_s/dh_{s-1} = diag(1 - h_s^2) W;
its norm against T - t shows gradients exploding or vanishing.
"""

import numpy as np

from .functional import softmax
from .rnn import rnn_forward

__all__ = ["spectral_radius", "with_spectral_radius", "last_step_grad_norms"]


def spectral_radius(W):
    """The largest |eigenvalue| of the square matrix W (H, H), as a float."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def with_spectral_radius(params, rho):
    """A copy of params whose W (H, H) is rescaled to spectral radius ``rho``."""
    new = {k: v.copy() for k, v in params.items()}
    new["W"] *= rho / spectral_radius(params["W"])
    return new


def last_step_grad_norms(params, inputs, targets, *, max_norm=None):
    """||dL_T/dh_t|| for t = 0..T, L_T the loss at the last step only: (T + 1,) float64.

    inputs, targets: int (T,). The gradient starts at h_T as V^T (y_hat_T - onehot(y_T))
    and goes back one step at a time, dL/dh_{t-1} = W^T (diag(1 - h_t^2) dL/dh_t): the
    product of the Jacobians dh_t/dh_{t-1} = diag(1 - h_t^2) W. max_norm: if set, each
    dL/dh_t is rescaled to norm <= max_norm before it goes further back (per-step clipping).
    """
    if np.ndim(inputs) != 1:
        raise ValueError("last_step_grad_norms takes one sequence: inputs of shape (T,)")
    logits, cache = rnn_forward(params, inputs)
    hs, W = cache["hs"][:, 0], params["W"]  # hs: (T + 1, H), hs[0] = h_0
    T = len(inputs)
    do = softmax(logits[-1]).astype(np.float64)
    do[targets[-1]] -= 1.0  # dL_T/do_T
    g = params["V"].T @ do
    norms = np.empty(T + 1)
    for t in range(T, -1, -1):
        n = np.linalg.norm(g)
        if max_norm is not None and n > max_norm:
            g, n = g * (max_norm / n), float(max_norm)
        norms[t] = n
        if t > 0:
            g = W.T @ ((1.0 - hs[t] ** 2) * g)
    return norms
