"""The GRU: parameters, forward pass and backpropagation through time.

    r_t = sigma(U_r x_t + W_r h_{t-1} + b_r)              reset gate
    z_t = sigma(U_z x_t + W_z h_{t-1} + b_z)              update gate
    n_t = tanh (U_n x_t + b_n + r_t * (W_n h_{t-1}))      candidate
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                 hidden state
    logits_t = V h_t + c                                  V: (K, H)  c: (K,)

The three gates are stacked in PyTorch's order r, z, n: U (3H, K), W (3H, H), b (3H,), rows
[0, H) for r, [H, 2H) for z, [2H, 3H) for n. So the weights map one to one onto
``torch.nn.GRU`` (weight_ih = U acting on one-hot inputs, weight_hh = W, bias_ih = b,
bias_hh = 0; torch's b_hn sits inside r * (...), which is why it must be zero here). A GRU
is an LSTM without a separate cell state: z_t both keeps (z) and writes (1 - z), and h_t is
the only state.

Conventions are the RNN's and the LSTM's (see ``rnn.py``, ``lstm.py``): inputs (T,) or
(B, T), time-major internals, ``U x_t`` a column lookup, one matmul call per step for the
three gates' W_k h_{t-1}, gates stored gate-major (3, T, B, H) so that each gate of each step
is a contiguous (B, H) block, and one tanh for both sigmoid gates (sigma(x) =
(1 + tanh(x / 2)) / 2, their rows halved in the lookup table and in W).

To read the equations in code, read ``gru_step``: one step, written line for line like the
equations above (it is what sampling runs). The batched ``_forward`` and ``_backward`` compute
the same thing tuned for speed (buffers reused in place, per-step views made once, the
sigmoid trick): ``tests/test_gated_cells.py`` checks that they agree.
"""

import numpy as np

from .functional import buffer
from .gated import (
    _check_params,
    _final_state,
    _init_params,
    _scatter_add_columns,
    _sigmoid_halving,
    sigmoid,
)
from .overlap import backward_factors, prepare_backward, second_thread, wait_for
from .rnn import (
    _check_targets,
    _dlogits_time_major,
    _output_grads,
    _state_array,
    _time_major_loss,
    check_indices,
)

__all__ = ["init_gru_params", "gru_forward", "gru_backward", "gru_loss_and_grads", "gru_step"]

GATES = "rzn"  # PyTorch's order of the stacked gates


def init_gru_params(vocab_size, hidden_size, *, seed=None, dtype=np.float64):
    """Fresh GRU parameters: a dict U (3H, K), W (3H, H), b (3H,), V (K, H), c (K,).

    K = vocab_size, H = hidden_size; gates stacked r, z, n. U and W uniform in
    [-1/sqrt(H), 1/sqrt(H)] as torch.nn.GRU does for all its weights; V uniform
    +-1/sqrt(H) as the RNN's; b and c zero. All of ``dtype``; the same seed gives the same
    parameters.
    """
    return _init_params(vocab_size, hidden_size, 3, seed=seed, dtype=dtype)


def gru_forward(params, inputs, state=None):
    """Run the GRU over a sequence or a batch of sequences.

    params: dict U (3H, K), W (3H, H), b (3H,), V (K, H), c (K,).
    inputs: int (T,) or (B, T), character indices in [0, K).
    state:  h0, (H,) or (B, H) matching ``inputs``; None means zeros.
    Returns (logits, cache): logits V h_t + c of shape (T, K) or (B, T, K), in the params'
    dtype; cache holds what ``gru_backward`` needs (time-major: "hs" (T + 1, B, H) with
    h_0..h_T, "gates" (3, T, B, H) the activated r, z, n: e.g. the update gate of sequence
    b at step t is ``cache["gates"][1, t, b]``).
    """
    K, H, dtype = _check_params(params, 3, "GRU")
    inputs = check_indices(inputs, K)
    batched = inputs.ndim == 2
    X = inputs if batched else inputs[None, :]
    B, _ = X.shape
    logits, cache = _forward(params, X, _state_array(state, "h0", B, H, dtype, batched))
    cache["batched"] = batched
    return (logits if batched else logits[0]), cache


def _forward(params, X, h0, work=None):
    """Forward pass on (B, T) indices from h0 (B, H).

    Returns logits (B, T, K) and a time-major cache; its "o" holds the same logits as
    (T * B, K). work: see ``functional.buffer``.
    """
    wait_for(work)  # a call still reading the buffers this pass is about to write
    U, W, b, V, c = (params[k] for k in ("U", "W", "b", "V", "c"))
    B, T = X.shape
    H = W.shape[1]
    K = U.shape[1]
    dtype = W.dtype
    ix = X.T  # (T, B): time-major
    half = _sigmoid_halving(GATES, dtype)[:, None, None]  # (3, 1, 1): 0.5 for r and z
    # per gate k: table[k] = (U_k + b_k)^T (K, H) and WT[k] = W_k^T (H, H), r and z halved
    table = (U + b[:, None]).reshape(3, H, K).transpose(0, 2, 1).copy()  # C order
    table *= half
    # a C-ordered copy, never a view of W (it is scaled in place): contiguous is faster
    WT = W.reshape(3, H, H).transpose(0, 2, 1).copy()
    WT *= half
    gates = buffer(work, "gates", (3, T, B, H), dtype)  # pre-activations, then activations
    # U_k x_t + b_k for every gate and step at once, a row lookup ("clip": ix is checked,
    # and take with out= is 3x faster that way)
    np.take(table, ix, axis=1, out=gates, mode="clip")
    hw = buffer(work, "hw", (T, 3, B, H), dtype)  # W_k h_{t-1}; W_n h is kept for backward
    hs = buffer(work, "hs", (T + 1, B, H), dtype)  # h_0 .. h_T
    hs[0] = h0
    rn = np.empty((B, H), dtype)  # r_t * (W_n h_{t-1})
    # per-step views, made once (indexing inside the loop costs time): h_steps[t] is hs[t],
    # rz_steps[t] the (2, B, H) gates r and z of step t, hw_rz_steps[t] their W_k h_{t-1},
    # r_steps[t] (B, H) its r_t, hw_n_steps[t] its W_n h_{t-1}, ...
    h_steps = list(hs)
    rz_steps, hw_rz_steps = list(gates[:2].transpose(1, 0, 2, 3)), list(hw[:, :2])
    r_steps, z_steps, n_steps = (list(gates[k]) for k in range(3))
    hw_n_steps = list(hw[:, 2])
    for t in range(T):
        np.matmul(h_steps[t], WT, out=hw[t])  # one call: three (B, H) x (H, H) products
        rz = rz_steps[t]  # U_k x_t + b_k for r and z, made their activations in place
        rz += hw_rz_steps[t]
        np.tanh(rz, out=rz)
        rz *= 0.5  # r, z = (1 + tanh(a / 2)) / 2
        rz += 0.5
        n = n_steps[t]  # n_t = tanh(U_n x_t + b_n + r_t * (W_n h_{t-1})), in place
        np.multiply(r_steps[t], hw_n_steps[t], out=rn)
        n += rn
        np.tanh(n, out=n)
        h = h_steps[t + 1]  # h_t = n_t + z_t * (h_{t-1} - n_t)
        np.subtract(h_steps[t], n, out=h)
        h *= z_steps[t]
        h += n
    cache = {"params": params, "ix": ix, "hs": hs, "gates": gates, "hw": hw}
    # on the second thread while this one computes the logits (and the loop the loss)
    prepare_backward(cache, work, _local_factors, (T * B, H, K, 3, dtype))
    out = cache["o"] = buffer(work, "o", (T * B, K), dtype)
    np.matmul(hs[1:].reshape(T * B, H), V.T, out=out)
    out += c
    logits = out.reshape(T, B, K).transpose(1, 0, 2)
    return logits, cache


def gru_backward(dlogits, cache):
    """Backpropagation through time for the GRU.

    dlogits: dL/dlogits, shape (T, K) or (B, T, K) like the logits.
    cache:   from ``gru_forward``.
    Returns (grads, dh0): grads a dict with the keys and shapes of params; dh0 = dL/dh_0,
    (H,) or (B, H) like h0.
    """
    grads, dh0 = _backward(_dlogits_time_major(dlogits, cache), cache)
    return grads, (dh0 if cache["batched"] else dh0[0])


def _backward(dout, cache, work=None):
    """BPTT from dL/dlogits time-major (T * B, K); returns (grads, dh0 (B, H)).

    Backward of one step, in the reverse order of the forward (dh_t is the total dL/dh_t:
    from the logits at t and from step t + 1; a: the pre-activations):
        da_n      = dh_t * (1 - z_t) * (1 - n_t^2)
        da_z      = dh_t * (h_{t-1} - n_t) * z_t (1 - z_t)
        da_r      = da_n * (W_n h_{t-1}) * r_t (1 - r_t)
        dh_{t-1} <- dh_t * z_t + W^T [da_r, da_z, r_t * da_n]
    U and b receive [da_r, da_z, da_n]; W receives [da_r, da_z, r_t * da_n] (r multiplies
    W_n h, not U_n x + b_n). Every factor after dh_t or da_n depends only on the forward
    pass: they are computed for all steps before the loop. work: see ``functional.buffer``.
    """
    params, ix, hs, gates, hw = (cache[k] for k in ("params", "ix", "hs", "gates", "hw"))
    U, W, V = params["U"], params["W"], params["V"]
    T, B = ix.shape
    H = W.shape[1]
    K = U.shape[1]
    dtype = W.dtype
    dout = dout.astype(dtype, copy=False)
    ones = np.ones(T * B, dtype)  # sums over positions as products: faster than .sum(0)
    # the output layer's gradients do not depend on the recurrence: a second thread
    # computes them while this one runs the loop (see overlap.py)
    run = second_thread(work, T * B, H, K, 3, dtype)
    output_grads = run(_output_grads, dout, hs[1:].reshape(T * B, H), ones)
    dh = buffer(work, "dh", (T, B, H), dtype)  # dL/dh_t through the logits; + h_{t+1}'s below
    np.matmul(dout, V, out=dh.reshape(T * B, H))
    dn_dh, dz_dh, dr_dn = backward_factors(cache, work, _local_factors)
    r, z = gates[0], gates[1]
    daw = buffer(work, "daw", (3, T, B, H), dtype)  # [da_r, da_z, r * da_n]: W's side
    dax = buffer(work, "dax", (3, T, B, H), dtype)  # [da_r, da_z, da_n]: U's and b's side
    W3 = W.reshape(3, H, H)  # W_k: the rows of gate k
    dh_prev = np.zeros((B, H), dtype)  # dL/dh_{t-1} through step t
    dh_k = np.empty((3, B, H), dtype)  # W_k^T daw_k per gate, summed into dh_prev
    through_z = np.empty((B, H), dtype)
    # per-step views, made once (indexing inside the loop costs time): daw_steps[t] is the
    # (3, B, H) [da_r, da_z, r * da_n] of step t; da_r_steps[t], da_z_steps[t],
    # r_da_n_steps[t] and da_n_steps[t] (B, H) its parts; r_steps[t], z_steps[t] its gates
    daw_steps = list(daw.transpose(1, 0, 2, 3))
    da_r_steps, da_z_steps, r_da_n_steps = (list(a) for a in daw)
    da_n_steps, r_steps, z_steps = list(dax[2]), list(r), list(z)
    # dW_k = daw_k^T h_{t-1} summed over the positions, in two halves: the later steps' half
    # is final once the loop has passed them, and the second thread computes it meanwhile
    daw3, h_prev = daw.reshape(3, T * B, H), hs[:-1].reshape(T * B, H)
    half = max(T // 2, 1)
    for t in range(T - 1, -1, -1):
        if t == half - 1:
            dW_late = run(np.matmul, daw3[:, half * B:].transpose(0, 2, 1), h_prev[half * B:])
        dh_t = dh[t]
        dh_t += dh_prev
        da_n = da_n_steps[t]
        np.multiply(dh_t, dn_dh[t], out=da_n)
        np.multiply(dh_t, dz_dh[t], out=da_z_steps[t])
        np.multiply(da_n, dr_dn[t], out=da_r_steps[t])
        np.multiply(da_n, r_steps[t], out=r_da_n_steps[t])
        # row form of W_k^T daw_k, one call for the three gates
        np.matmul(daw_steps[t], W3, out=dh_k)
        np.add.reduce(dh_k, axis=0, out=dh_prev)
        np.multiply(dh_t, z_steps[t], out=through_z)
        dh_prev += through_z
    dW_early = run(np.matmul, daw3[:, :half * B].transpose(0, 2, 1), h_prev[:half * B])
    dax[:2] = daw[:2]
    dax3 = dax.reshape(3, T * B, H)
    db = np.matmul(ones, dax3).reshape(3 * H)
    dU = _scatter_add_columns(ix.reshape(-1), dax3, K, work)  # meanwhile, in this thread
    dW = dW_early.result()  # (3, H, H)
    dW += dW_late.result()
    dV, dc = output_grads.result()
    grads = {"U": dU, "W": dW.reshape(3 * H, H), "V": dV, "b": db, "c": dc}
    return grads, dh_prev


def _local_factors(cache, work=None):
    """The factors of the backward's products that depend only on the forward pass.

    Returns (dn_dh, dz_dh, dr_dn), each (T, B, H): da_n / dh_t, da_z / dh_t and da_r / da_n.
    """
    hs, gates, hw = cache["hs"], cache["gates"], cache["hw"]
    r, z, n = gates
    T, B, H = n.shape
    dtype = n.dtype
    dn_dh = buffer(work, "dn_dh", (T, B, H), dtype)  # da_n / dh_t = (1 - z_t) (1 - n_t^2)
    np.square(n, out=dn_dh)
    np.subtract(1.0, dn_dh, out=dn_dh)
    tmp = buffer(work, "tmp", (T, B, H), dtype)
    np.subtract(1.0, z, out=tmp)
    dn_dh *= tmp
    dz_dh = buffer(work, "dz_dh", (T, B, H), dtype)  # da_z / dh_t = (h_{t-1} - n_t) z_t (1 - z_t)
    np.subtract(hs[:-1], n, out=dz_dh)
    dz_dh *= z
    dz_dh *= tmp
    dr_dn = buffer(work, "dr_dn", (T, B, H), dtype)  # da_r / da_n = (W_n h_{t-1}) r_t (1 - r_t)
    np.subtract(1.0, r, out=dr_dn)
    dr_dn *= r
    dr_dn *= hw[:, 2]
    return dn_dh, dz_dh, dr_dn


def gru_loss_and_grads(params, inputs, targets, state=None):
    """Loss and gradients of the GRU for one sequence (T,) or a batch (B, T).

    targets: int, same shape as ``inputs``: the next character at each position.
    state: h0, (H,) or (B, H), or None for zeros.
    Returns (loss, grads, h_T): loss = sum over time of -log y_hat_t[targets_t], averaged
    over the batch (a Python float); grads like params; h_T with the shape of h0.
    """
    _, cache = gru_forward(params, inputs, state)
    loss, dout = _time_major_loss(cache, _check_targets(targets, cache))
    grads, _ = _backward(dout, cache)
    return loss, grads, _final_state(cache)


def gru_step(params, h, ix):
    """One GRU step, for sampling: feed character ``ix`` from hidden state h.

    The one-step version that reads like the module's equations (the batched ``_forward``
    computes the same, tuned for speed).
    params: the GRU's dict. h: (H,) (or (B, H) with ix (B,)). ix: int character index in
    [0, K) (or (B,) of them). Returns (h_t, logits_t), logits (K,) (or (B, K)). No input
    checks: ``sample`` validates once, then calls this for every character.
    """
    H = params["W"].shape[1]
    ax = params["U"].T[ix] + params["b"]  # (3H,) or (B, 3H): r, z, n
    ah = h @ params["W"].T
    r = sigmoid(ax[..., :H] + ah[..., :H])
    z = sigmoid(ax[..., H:2 * H] + ah[..., H:2 * H])
    n = np.tanh(ax[..., 2 * H:] + r * ah[..., 2 * H:])
    h = (1 - z) * n + z * h
    return h, h @ params["V"].T + params["c"]
