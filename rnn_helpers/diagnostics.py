"""Diagnostics of gradient flow through time: spectral radius and Jacobian products.

dL_T/dh_t is dL_T/dh_T carried back through the Jacobians dh_s/dh_{s-1} = diag(1 - h_s^2) W;
its norm against T - t shows gradients exploding or vanishing. ``state_grad_norms`` does the
same for every cell (the LSTM's state is the pair (h_t, s_t)).
"""

import numpy as np

from .cells import cell_of, get_cell
from .functional import softmax
from .optim import grad_norm
from .rnn import check_indices, rnn_backward, rnn_forward

__all__ = ["spectral_radius", "with_spectral_radius", "jacobian_product", "last_step_grad_norms",
           "last_step_param_grad_norm", "state_grad_norms", "global_clip_scale",
           "saturation_stats", "blew_up", "SATURATION", "saturated_fraction"]

SATURATION = 0.95  # |h| above this counts as saturated: tanh' = 1 - h^2 < 0.0975 there


def spectral_radius(W):
    """The largest |eigenvalue| of the square matrix W (H, H), as a float."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def with_spectral_radius(params, rho):
    """A copy of params whose W (H, H) is rescaled to spectral radius ``rho``."""
    new = {k: v.copy() for k, v in params.items()}
    new["W"] *= rho / spectral_radius(params["W"])
    return new


def jacobian_product(W, hs, k, t):
    """dh_t/dh_k = diag(1 - h_t^2) W ... diag(1 - h_{k+1}^2) W, an (H, H) array.

    W: (H, H); hs: (T + 1, H), the hidden states with hs[j] = h_j and hs[0] = h_0;
    0 <= k <= t <= T. Each factor diag(1 - h_j^2) W = dh_j/dh_{j-1} goes on the left of the
    product so far; k = t gives the identity (the empty product).
    """
    if not 0 <= k <= t < len(hs):
        raise ValueError(f"need 0 <= k <= t <= T = {len(hs) - 1}, got k = {k}, t = {t}")
    J = np.eye(len(W), dtype=np.result_type(W, hs))
    for j in range(k + 1, t + 1):
        J = (1.0 - hs[j] ** 2)[:, None] * (W @ J)
    return J


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


def _rnn_state_vjp(params, cache, t, dh):
    """dL/dh_{t-1} from dL/dh_t (H,) through step t: W^T (diag(1 - h_t^2) dL/dh_t)."""
    return params["W"].T @ ((1.0 - cache["hs"][t, 0] ** 2) * dh)


def _lstm_state_vjp(params, cache, t, dstate):
    """d(h_{t-1}, s_{t-1}) from dL/d(h_t, s_t) through step t, each (H,).

    s_t is an input of the later steps of its own and also feeds h_t = o_t tanh(s_t): the
    total ds_t adds the path through h_t. Then s_{t-1} gets ds_t f_t (the additive path) and
    h_{t-1} gets W^T da, da the gradients of the four gates' pre-activations.
    """
    dh, ds = dstate
    i, f, g, o = cache["gates"][:, t - 1, 0]
    tanh_s = np.tanh(cache["ss"][t, 0])
    ds = ds + dh * o * (1.0 - tanh_s ** 2)
    da = np.concatenate([ds * g * i * (1.0 - i),                     # input gate
                         ds * cache["ss"][t - 1, 0] * f * (1.0 - f),  # forget gate
                         ds * i * (1.0 - g ** 2),                     # candidate
                         dh * tanh_s * o * (1.0 - o)])                # output gate
    return params["W"].T @ da, ds * f


def _gru_state_vjp(params, cache, t, dh):
    """dL/dh_{t-1} from dL/dh_t (H,) through step t: the direct path z_t, then the gates."""
    H = params["W"].shape[1]
    r, z, n = cache["gates"][:, t - 1, 0]
    h_prev = cache["hs"][t - 1, 0]
    da_n = dh * (1.0 - z) * (1.0 - n ** 2)
    da_z = dh * (h_prev - n) * z * (1.0 - z)
    da_r = da_n * (params["W"][2 * H:] @ h_prev) * r * (1.0 - r)  # r multiplies W_n h_{t-1}
    return dh * z + params["W"].T @ np.concatenate([da_r, da_z, r * da_n])


_STATE_VJP = {"rnn": _rnn_state_vjp, "lstm": _lstm_state_vjp, "gru": _gru_state_vjp}


def state_grad_norms(params, inputs, targets):
    """||dL_T/dstate_t|| for t = 0..T, L_T the loss at the last step only: (T + 1,) float64.

    params: any cell's (``cells.cell_of``). inputs, targets: int (T,), one sequence. The
    state is h_t for the RNN and the GRU and the pair (h_t, s_t) for the LSTM (the norm of
    both parts together), each taken as the input of steps t + 1..T. The gradient starts at
    h_T as V^T (y_hat_T - onehot(y_T)) (ds_T = 0) and goes back one step at a time; one
    forward and one backward pass, O(T). For the RNN it equals ``last_step_grad_norms``.
    """
    cell = get_cell(cell_of(params))
    inputs = check_indices(inputs, params["V"].shape[0])
    if inputs.ndim != 1 or np.shape(targets) != inputs.shape:
        raise ValueError("state_grad_norms takes one sequence: inputs and targets of shape (T,), "
                         f"got {inputs.shape} and {np.shape(targets)}")
    logits, cache = cell.forward(params, inputs)
    T = len(inputs)
    do = softmax(logits[-1]).astype(np.float64)
    do[targets[-1]] -= 1.0  # dL_T/do_T
    dh = params["V"].T @ do
    state = (dh, np.zeros_like(dh)) if cell.name == "lstm" else dh
    vjp = _STATE_VJP[cell.name]
    norms = np.empty(T + 1)
    for t in range(T, -1, -1):
        norms[t] = np.linalg.norm(np.concatenate(state) if cell.name == "lstm" else state)
        if t > 0:
            state = vjp(params, cache, t, state)
    return norms


def last_step_param_grad_norm(params, inputs, targets):
    """The global norm of dL_T/d(U, W, V, b, c), L_T the loss at the last step only (a float).

    inputs, targets: int (T,). This is the norm that global-norm clipping (``clip_norm`` in
    ``train``) compares with kappa, here for the one loss term L_T.
    """
    logits, cache = rnn_forward(params, inputs)
    dlogits = np.zeros_like(logits)
    dlogits[-1] = softmax(logits[-1])
    dlogits[-1, targets[len(inputs) - 1]] -= 1.0  # dL_T/do_T; zero at every other step
    grads, _ = rnn_backward(dlogits, cache)
    return grad_norm(grads)


def global_clip_scale(params, inputs, targets, max_norm):
    """The factor min(1, kappa / ||g||) by which global-norm clipping at kappa = ``max_norm``
    rescales g = dL_T/d(U, W, V, b, c), L_T the last step's loss (see
    ``last_step_param_grad_norm``): a float in (0, 1]. Every dL_T/dh_t shrinks by it alike.
    """
    return min(1.0, max_norm / last_step_param_grad_norm(params, inputs, targets))


def saturated_fraction(h, threshold=SATURATION):
    """The fraction of the values of ``h`` (any shape) with |h| > threshold, as a float."""
    return float(np.mean(np.abs(np.asarray(h)) > threshold))


def saturation_stats(params, inputs, targets, *, distance, threshold=SATURATION):
    """How saturated the tanh units are over a sequence, and what that does to the gradient.

    inputs, targets: int (T,), with 0 < distance <= T. Returns a dict of floats:
    ``saturated``, the fraction of the T * H values h_t (t = 1..T) with |h| > threshold;
    ``tanh_grad``, the mean of 1 - h_t^2 over all T * H values; ``factor``, the gradient's
    average growth per step back over ``distance`` steps from the end,
    (||dL_T/dh_{T - distance}|| / ||dL_T/dh_T||)^(1 / distance).
    """
    T = len(inputs)
    if not 0 < distance <= T:
        raise ValueError(f"distance must be in 1..T = {T}, got {distance}")
    _, cache = rnn_forward(params, inputs)
    h = cache["hs"][1:, 0]  # (T, H): h_1 .. h_T
    norms = last_step_grad_norms(params, inputs, targets)  # index = t
    return {
        "saturated": saturated_fraction(h, threshold),
        "tanh_grad": float(np.mean(1.0 - h ** 2)),
        "factor": float((norms[T - distance] / norms[T]) ** (1.0 / distance)),
    }


def blew_up(losses, limit):
    """True if any loss in the sequence is above ``limit`` or not finite (a bool).

    A verdict that survives chaos: a diverging run's loss values differ from one CPU to the
    next after a few steps, but a jump far above ln K (e.g. limit = 2 ln K) shows on all.
    """
    x = np.asarray(losses, dtype=np.float64)
    return bool(np.any(~np.isfinite(x)) or np.any(x > limit))
