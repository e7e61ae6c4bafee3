"""The LSTM: parameters, forward pass and backpropagation through time.

    i_t = sigma(U_i x_t + W_i h_{t-1} + b_i)       input gate
    f_t = sigma(U_f x_t + W_f h_{t-1} + b_f)       forget gate
    g_t = tanh (U_g x_t + W_g h_{t-1} + b_g)       candidate
    o_t = sigma(U_o x_t + W_o h_{t-1} + b_o)       output gate
    s_t = f_t * s_{t-1} + i_t * g_t                cell state
    h_t = o_t * tanh(s_t)                          hidden state
    logits_t = V h_t + c                           V: (K, H)  c: (K,)

The four gates are stacked in PyTorch's order i, f, g, o: U (4H, K), W (4H, H), b (4H,), rows
[0, H) for i, [H, 2H) for f, [2H, 3H) for g, [3H, 4H) for o. So the weights map one to one
onto ``torch.nn.LSTM`` (weight_ih = U acting on one-hot inputs, weight_hh = W, bias_ih = b,
bias_hh = 0). The cell state is called s, not c as in most texts, because c is the output
bias here, as in the RNN.

Conventions are the RNN's (see ``rnn.py``): inputs (T,) or (B, T), a single sequence is a
batch of one; internally arrays are time-major, (T, B, ...); ``U x_t`` is the column lookup
``U[:, x_t]``; everything that does not depend on the recurrence is computed for all T * B
positions at once, and each step does one matmul call for the four gates' W_k h_{t-1}. The
gates are stored gate-major, (4, T, B, H), so that every gate of every step is a contiguous
(B, H) block.

One trick for speed: sigma(x) = (1 + tanh(x / 2)) / 2, so the rows of the three sigmoid gates
are halved (exactly: a power of two) in the lookup table and in W, and one tanh over all 4H
pre-activations serves every gate.

To read the equations in code, read ``lstm_step``: one step, written line for line like the
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

__all__ = [
    "init_lstm_params",
    "lstm_forward",
    "lstm_backward",
    "lstm_loss_and_grads",
    "lstm_step",
    "lstm_step_backward",
    "lstm_gates",
]

GATES = "ifgo"  # PyTorch's order of the stacked gates


def init_lstm_params(vocab_size, hidden_size, *, seed=None, dtype=np.float64, forget_bias=1.0):
    """Fresh LSTM parameters: a dict U (4H, K), W (4H, H), b (4H,), V (K, H), c (K,).

    K = vocab_size, H = hidden_size; gates stacked i, f, g, o. U and W uniform in
    [-1/sqrt(H), 1/sqrt(H)] as torch.nn.LSTM does for all its weights; V uniform +-1/sqrt(H)
    as the RNN's; b zero except the forget gate's b_f = forget_bias (default 1: f starts near
    sigma(1) = 0.73, so the cell state, and its gradient, is kept rather than forgotten);
    c zero. All of ``dtype``; the same seed gives the same parameters.
    """
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, int | float | np.number):
        raise TypeError(f"forget_bias must be a number, got {type(forget_bias).__name__}")
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be finite, got {forget_bias}")
    params = _init_params(vocab_size, hidden_size, 4, seed=seed, dtype=dtype)
    H = params["W"].shape[1]
    params["b"][H:2 * H] = forget_bias
    return params


def _lstm_state(state, B, H, dtype, batched):
    """state = (h0, s0) or None, as two (B, H) arrays. Raises naming a malformed state."""
    if state is None:
        return np.zeros((B, H), dtype), np.zeros((B, H), dtype)
    if not isinstance(state, tuple | list) or len(state) != 2:
        raise ValueError("state must be a pair (h0, s0) (hidden and cell state) or None, "
                         f"got {type(state).__name__}"
                         + (f" of length {len(state)}" if isinstance(state, tuple | list) else ""))
    h0, s0 = state
    return (_state_array(h0, "h0", B, H, dtype, batched),
            _state_array(s0, "s0", B, H, dtype, batched))


def lstm_forward(params, inputs, state=None):
    """Run the LSTM over a sequence or a batch of sequences.

    params: dict U (4H, K), W (4H, H), b (4H,), V (K, H), c (K,).
    inputs: int (T,) or (B, T), character indices in [0, K).
    state:  (h0, s0), each (H,) or (B, H) matching ``inputs``; None means zeros.
    Returns (logits, cache): logits V h_t + c of shape (T, K) or (B, T, K), in the params'
    dtype; cache holds what ``lstm_backward`` needs (time-major: "hs" and "ss" (T + 1, B, H)
    with h_0..h_T and s_0..s_T, "gates" (4, T, B, H) the activated i, f, g, o: e.g. the
    forget gate of sequence b at step t is ``cache["gates"][1, t, b]``).
    """
    K, H, dtype = _check_params(params, 4, "LSTM")
    inputs = check_indices(inputs, K)
    batched = inputs.ndim == 2
    X = inputs if batched else inputs[None, :]
    B, _ = X.shape
    logits, cache = _forward(params, X, _lstm_state(state, B, H, dtype, batched))
    cache["batched"] = batched
    return (logits if batched else logits[0]), cache


def _forward(params, X, state, work=None):
    """Forward pass on (B, T) indices from state (h0, s0), each (B, H).

    Returns logits (B, T, K) and a time-major cache; its "o" holds the same logits as
    (T * B, K). The gates are stored gate-major, (4, T, B, H), so that each gate of each
    step is one contiguous (B, H) block (element-wise products on strided slices of a
    (B, 4H) row cost about 3 times more). work: see ``functional.buffer``.
    """
    wait_for(work)  # a call still reading the buffers this pass is about to write
    U, W, b, V, c = (params[k] for k in ("U", "W", "b", "V", "c"))
    B, T = X.shape
    H = W.shape[1]
    K = U.shape[1]
    dtype = W.dtype
    ix = X.T  # (T, B): time-major
    half = _sigmoid_halving(GATES, dtype)[:, None, None]  # (4, 1, 1): 0.5 for i, f, o
    shift = 1 - half  # sigma(a) = tanh(a / 2) / 2 + 1 / 2 on the sigmoid gates; g unchanged
    # per gate k: table[k] = (U_k + b_k)^T (K, H) and WT[k] = W_k^T (H, H), sigmoid gates halved
    table = (U + b[:, None]).reshape(4, H, K).transpose(0, 2, 1).copy()  # C order
    table *= half
    # a C-ordered copy, never a view of W (it is scaled in place): contiguous is faster
    WT = W.reshape(4, H, H).transpose(0, 2, 1).copy()
    WT *= half
    gates = buffer(work, "gates", (4, T, B, H), dtype)  # pre-activations, then activations
    # U_k x_t + b_k for every gate and step at once, a row lookup ("clip": ix is checked,
    # and take with out= is 3x faster that way)
    np.take(table, ix, axis=1, out=gates, mode="clip")
    hs = buffer(work, "hs", (T + 1, B, H), dtype)  # h_0 .. h_T
    ss = buffer(work, "ss", (T + 1, B, H), dtype)  # s_0 .. s_T
    tanh_s = buffer(work, "tanh_s", (T, B, H), dtype)  # tanh(s_1) .. tanh(s_T)
    hs[0], ss[0] = state
    hw = np.empty((4, B, H), dtype)  # W_k h_{t-1} for the four gates
    ig = np.empty((B, H), dtype)  # i_t * g_t
    # per-step views, made once (indexing inside the loop costs time): h_steps[t] is hs[t],
    # gates_steps[t] the (4, B, H) gates of step t, i_steps[t] its input gate (B, H), ...
    h_steps, s_steps = list(hs), list(ss)
    gates_steps = list(gates.transpose(1, 0, 2, 3))
    i_steps, f_steps, g_steps, o_steps = (list(gates[k]) for k in range(4))
    for t in range(T):
        a = gates_steps[t]  # U_k x_t + b_k, made the gates' activations in place
        np.matmul(h_steps[t], WT, out=hw)  # one call: four (B, H) x (H, H) products
        a += hw
        np.tanh(a, out=a)
        a *= half  # i, f, o = (1 + tanh(a / 2)) / 2; g = tanh(a)
        a += shift
        # s_t = f_t * s_{t-1} + i_t * g_t
        np.multiply(f_steps[t], s_steps[t], out=s_steps[t + 1])
        np.multiply(i_steps[t], g_steps[t], out=ig)
        s_steps[t + 1] += ig
        np.tanh(s_steps[t + 1], out=tanh_s[t])  # h_t = o_t * tanh(s_t)
        np.multiply(o_steps[t], tanh_s[t], out=h_steps[t + 1])
    cache = {"params": params, "ix": ix, "hs": hs, "ss": ss, "tanh_s": tanh_s, "gates": gates}
    # on the second thread while this one computes the logits (and the loop the loss)
    prepare_backward(cache, work, _local_factors, (T * B, H, K, 4, dtype))
    out = cache["o"] = buffer(work, "o", (T * B, K), dtype)
    np.matmul(hs[1:].reshape(T * B, H), V.T, out=out)
    out += c
    logits = out.reshape(T, B, K).transpose(1, 0, 2)
    return logits, cache


def lstm_backward(dlogits, cache):
    """Backpropagation through time for the LSTM.

    dlogits: dL/dlogits, shape (T, K) or (B, T, K) like the logits.
    cache:   from ``lstm_forward``.
    Returns (grads, dstate): grads a dict with the keys and shapes of params; dstate =
    (dh0, ds0) = (dL/dh_0, dL/ds_0), each (H,) or (B, H) like the state.
    """
    grads, (dh0, ds0) = _backward(_dlogits_time_major(dlogits, cache), cache)
    if not cache["batched"]:
        dh0, ds0 = dh0[0], ds0[0]
    return grads, (dh0, ds0)


def _backward(dout, cache, work=None):
    """BPTT from dL/dlogits time-major (T * B, K); returns (grads, (dh0, ds0)), each (B, H).

    Backward of one step, in the reverse order of the forward (dh_t is the total dL/dh_t:
    from the logits at t and from step t + 1; ds_t likewise):
        ds_t      = ds_t(from s_{t+1}) + dh_t * o_t * (1 - tanh(s_t)^2)
        da_o      = dh_t * tanh(s_t) * o_t (1 - o_t)          a: the pre-activations
        da_i      = ds_t * g_t * i_t (1 - i_t)
        da_f      = ds_t * s_{t-1} * f_t (1 - f_t)
        da_g      = ds_t * i_t * (1 - g_t^2)
        ds_{t-1} <- ds_t * f_t ;  dh_{t-1} <- sum over gates k of W_k^T da_k
    Every factor after dh_t or ds_t depends only on the forward pass: they are computed for
    all steps before the loop, which then does a few products per step.
    work: see ``functional.buffer``.
    """
    params, ix, hs, gates = cache["params"], cache["ix"], cache["hs"], cache["gates"]
    U, W, V = params["U"], params["W"], params["V"]
    T, B = ix.shape
    H = W.shape[1]
    K = U.shape[1]
    dtype = W.dtype
    dout = dout.astype(dtype, copy=False)
    ones = np.ones(T * B, dtype)  # sums over positions as products: faster than .sum(0)
    # the output layer's gradients do not depend on the recurrence: a second thread
    # computes them while this one runs the loop (see overlap.py)
    run = second_thread(work, T * B, H, K, 4, dtype)
    output_grads = run(_output_grads, dout, hs[1:].reshape(T * B, H), ones)
    dh = buffer(work, "dh", (T, B, H), dtype)  # dL/dh_t through the logits; + h_{t+1}'s below
    np.matmul(dout, V, out=dh.reshape(T * B, H))

    da, ds_dh = backward_factors(cache, work, _local_factors)
    f = gates[1]
    da_o = da[3]

    W4 = W.reshape(4, H, H)  # W_k: the rows of gate k
    ds = np.empty((B, H), dtype)
    ds_prev = np.zeros((B, H), dtype)  # dL/ds_{t-1} through s_t; 0 after the last step
    dh_prev = np.zeros((B, H), dtype)  # dL/dh_{t-1} through step t
    dh_k = np.empty((4, B, H), dtype)  # W_k^T da_k per gate, summed into dh_prev
    # per-step views, made once (indexing inside the loop costs time): da_steps[t] is the
    # (4, B, H) da of step t, da_ifg_steps[t] its first three gates', da_o_steps[t] the
    # output gate's, f_steps[t] the forget gate f_t (B, H)
    da_steps = list(da.transpose(1, 0, 2, 3))
    da_ifg_steps = list(da[:3].transpose(1, 0, 2, 3))
    da_o_steps, f_steps = list(da_o), list(f)
    # dW_k = da_k^T h_{t-1} summed over the positions, in two halves: the later steps' half
    # is final once the loop has passed them, and the second thread computes it meanwhile
    da3, h_prev = da.reshape(4, T * B, H), hs[:-1].reshape(T * B, H)
    half = max(T // 2, 1)
    for t in range(T - 1, -1, -1):
        if t == half - 1:
            dW_late = run(np.matmul, da3[:, half * B:].transpose(0, 2, 1), h_prev[half * B:])
        dh_t = dh[t]
        dh_t += dh_prev
        np.multiply(dh_t, ds_dh[t], out=ds)
        ds += ds_prev
        da_ifg_steps[t] *= ds  # i, f and g: their gradient comes through s_t
        da_o_steps[t] *= dh_t
        np.multiply(ds, f_steps[t], out=ds_prev)
        # row form of W_k^T da_k, one call for the four gates
        np.matmul(da_steps[t], W4, out=dh_k)
        np.add.reduce(dh_k, axis=0, out=dh_prev)
    dW_early = run(np.matmul, da3[:, :half * B].transpose(0, 2, 1), h_prev[:half * B])
    db = np.matmul(ones, da3).reshape(4 * H)
    dU = _scatter_add_columns(ix.reshape(-1), da3, K, work)  # meanwhile, in this thread
    dW = dW_early.result()  # (4, H, H)
    dW += dW_late.result()
    dV, dc = output_grads.result()
    grads = {"U": dU, "W": dW.reshape(4 * H, H), "V": dV, "b": db, "c": dc}
    return grads, (dh_prev, ds_prev)


def _local_factors(cache, work=None):
    """The factors of the backward's products that depend only on the forward pass.

    Returns (da, ds_dh): da (4, T, B, H) holds, per gate, what dL/da becomes once multiplied
    by ds_t (i, f, g) or dh_t (o); ds_dh (T, B, H) = o_t * (1 - tanh(s_t)^2).
    """
    ss, tanh_s, gates = cache["ss"], cache["tanh_s"], cache["gates"]
    T, B, H = tanh_s.shape
    dtype = gates.dtype
    i, f, g, o = gates
    # da: (4, T, B, H) like the gates, first the local factors, made dL/da in the loop
    da = buffer(work, "da", (4, T, B, H), dtype)
    da_i, da_f, da_g, da_o = da
    for k in (slice(0, 2), slice(3, 4)):  # sigma' = sigma (1 - sigma) for i, f and o
        np.subtract(1.0, gates[k], out=da[k])
        da[k] *= gates[k]
    np.square(g, out=da_g)
    np.subtract(1.0, da_g, out=da_g)  # tanh' = 1 - g^2 for g
    da_i *= g  # g_t * i_t (1 - i_t)
    da_f *= ss[:-1]  # s_{t-1} * f_t (1 - f_t)
    da_g *= i  # i_t * (1 - g_t^2)
    da_o *= tanh_s  # tanh(s_t) * o_t (1 - o_t)
    ds_dh = buffer(work, "ds_dh", (T, B, H), dtype)  # ds_t / dh_t = o_t * (1 - tanh(s_t)^2)
    np.square(tanh_s, out=ds_dh)
    np.subtract(1.0, ds_dh, out=ds_dh)
    ds_dh *= o
    return da, ds_dh


def lstm_loss_and_grads(params, inputs, targets, state=None):
    """Loss and gradients of the LSTM for one sequence (T,) or a batch (B, T).

    targets: int, same shape as ``inputs``: the next character at each position.
    state: (h0, s0), each (H,) or (B, H), or None for zeros.
    Returns (loss, grads, (h_T, s_T)): loss = sum over time of -log y_hat_t[targets_t],
    averaged over the batch (a Python float); grads like params; the final state with the
    shape of the initial one.
    """
    _, cache = lstm_forward(params, inputs, state)
    loss, dout = _time_major_loss(cache, _check_targets(targets, cache))
    grads, _ = _backward(dout, cache)
    return loss, grads, _final_state(cache)


def lstm_step(params, state, ix):
    """One LSTM step, for sampling: feed character ``ix`` from state (h, s).

    The one-step version that reads like the module's equations (the batched ``_forward``
    computes the same, tuned for speed).
    params: the LSTM's dict. state: (h, s), each (H,) (or (B, H) with ix (B,)).
    ix: int character index in [0, K) (or (B,) of them). Returns ((h_t, s_t), logits_t),
    logits (K,) (or (B, K)). No input checks: ``sample`` validates once, then calls this
    for every character.
    """
    h, s = state
    H = params["W"].shape[1]
    a = params["U"].T[ix] + h @ params["W"].T + params["b"]  # (4H,) or (B, 4H): i, f, g, o
    i = sigmoid(a[..., :H])
    f = sigmoid(a[..., H:2 * H])
    g = np.tanh(a[..., 2 * H:3 * H])
    o = sigmoid(a[..., 3 * H:])
    s = f * s + i * g
    h = o * np.tanh(s)
    return (h, s), h @ params["V"].T + params["c"]


def lstm_step_backward(W, dh, ds, s_prev, s, gates):
    """One LSTM step backwards: from dL/dh_t and dL/ds_t to the step's pre-activations and
    to the previous state. The readable one-step version of ``_backward``'s loop.

    W: (4H, H), the stacked recurrent weights (gates i, f, g, o).
    dh: (H,), dL/dh_t: everything that reaches h_t (from the logits at t and from step t + 1).
    ds: (H,), dL/ds_t from step t + 1 only, through s_{t+1} (zeros after the last step).
    s_prev, s: (H,), the cell states s_{t-1} and s_t.
    gates: (i, f, g, o), each (H,), the step's gates after their nonlinearity.
    Returns (da, dh_prev, ds_prev): da (4H,) = dL/da_t for the stacked pre-activations
    a_t = U x_t + W h_{t-1} + b (so dU[:, x_t] += da, dW += outer(da, h_{t-1}), db += da);
    dh_prev (H,) = W^T da and ds_prev (H,) = ds_t * f_t, what reaches h_{t-1} and s_{t-1}
    through this step. Every (H,) may be (B, H) for a batch; da is then (B, 4H).
    """
    _check_step_backward(W, dh, ds, s_prev, s, gates)
    i, f, g, o = gates
    tanh_s = np.tanh(s)
    ds_t = ds + dh * o * (1 - tanh_s ** 2)  # s_t reaches the loss through s_{t+1} and h_t
    do = dh * tanh_s
    di = ds_t * g
    dg = ds_t * i
    df = ds_t * s_prev
    ds_prev = ds_t * f  # the additive path: no W and no tanh' between s_t and s_{t-1}
    da = np.concatenate([di * i * (1 - i),  # sigma' = sigma (1 - sigma)
                         df * f * (1 - f),
                         dg * (1 - g ** 2),  # tanh' = 1 - tanh^2
                         do * o * (1 - o)], axis=-1)
    dh_prev = da @ W  # W^T da, in row form so that a batch of rows (B, 4H) works too
    return da, dh_prev, ds_prev


def _check_step_backward(W, dh, ds, s_prev, s, gates):
    """Raise ValueError naming the argument of ``lstm_step_backward`` with a wrong shape."""
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != 4 * W.shape[1]:
        raise ValueError(f"W has shape {W.shape}, expected (4H, H) for the LSTM's 4 gates")
    if len(gates) != 4:
        raise ValueError(f"gates must be the 4 gates (i, f, g, o), got {len(gates)}")
    shape = np.shape(dh)
    if not shape or shape[-1] != W.shape[1] or len(shape) > 2:
        raise ValueError(f"dh has shape {shape}, expected (H,) or (B, H) with H={W.shape[1]}")
    named = {"ds": ds, "s_prev": s_prev, "s": s, "i": gates[0], "f": gates[1], "g": gates[2],
             "o": gates[3]}
    for name, x in named.items():
        if np.shape(x) != shape:
            raise ValueError(f"{name} has shape {np.shape(x)}, expected {shape} like dh")


def lstm_gates(params, inputs, state=None):
    """The LSTM's gate values over a sequence, after their nonlinearities.

    params, inputs (T,) or (B, T), state (h0, s0) or None: as for ``lstm_forward``.
    Returns a dict "i", "f", "g", "o" -> arrays (T, H) for inputs (T,) or (B, T, H) for
    (B, T): e.g. ``lstm_gates(params, x)["f"][t]`` is the forget gate f_t of step t (0-based,
    the step that reads x[t]), each entry in (0, 1) (g, a tanh, in (-1, 1)).
    """
    _, cache = lstm_forward(params, inputs, state)
    gates = cache["gates"].transpose(0, 2, 1, 3)  # (4, T, B, H) -> (4, B, T, H)
    if not cache["batched"]:
        gates = gates[:, 0]
    return {name: gates[k].copy() for k, name in enumerate(GATES)}
