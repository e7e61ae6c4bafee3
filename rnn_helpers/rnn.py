"""The vanilla RNN: parameters, forward pass and backpropagation through time.

    h_t   = tanh(U x_t + W h_{t-1} + b)      U: (H, K)  W: (H, H)  b: (H,)
    o_t   = V h_t + c                        V: (K, H)  c: (K,)
    y_hat = softmax(o_t)

x_t is one-hot, so ``U x_t`` is the column ``U[:, x_t]`` (a lookup, never a matrix product),
and its gradient is a scatter-add into those columns. Single sequences (T,) and batches
(B, T) share one code path: a single sequence is a batch of one. Internally arrays are
time-major, (T, B, ...), so the sequential loop touches contiguous memory. Everything that
does not depend on the recurrence (the lookup, the output layer, dV, dc, dW, dU, db) is
computed for all T*B positions at once; only ``W h_{t-1}`` and its backward are sequential.
"""

import numpy as np

from .functional import _softmax_loss, buffer
from .overlap import second_thread

__all__ = [
    "PARAM_NAMES",
    "init_params",
    "rnn_forward",
    "rnn_backward",
    "loss_and_grads",
    "hidden_states",
    "hidden_state_grads",
    "rnn_step",
]

PARAM_NAMES = ("U", "W", "V", "b", "c")


def _positive_int(value, name):
    """Return ``value`` as an int, raising if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return int(value)


INITS = ("uniform", "orthogonal", "identity")


def init_params(vocab_size, hidden_size, *, seed=None, dtype=np.float64, init="uniform"):
    """Fresh parameters, uniform in [-1/sqrt(n), 1/sqrt(n)] with n the fan-in; b, c zero.

    Returns a dict: U (H, K), W (H, H), V (K, H), b (H,), c (K,), all of ``dtype``,
    with K = vocab_size and H = hidden_size. The same seed gives the same parameters.

    init chooses the recurrent matrix W (H, H); U, V, b, c are the same for every choice:
    - "uniform": uniform like the others (spectral radius about 0.6 for large H);
    - "orthogonal": a random orthogonal matrix (Saxe, McClelland & Ganguli 2014), the Q of
      the QR decomposition of a standard Gaussian matrix, with the columns' signs fixed so
      that diag(R) > 0 (then Q is uniformly distributed); every eigenvalue has modulus 1;
    - "identity": the identity matrix (Le, Jaitly & Hinton 2015).
    """
    K = _positive_int(vocab_size, "vocab_size")
    H = _positive_int(hidden_size, "hidden_size")
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    rng = np.random.default_rng(seed)

    def uniform(shape, fan_in):
        r = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-r, r, size=shape).astype(dtype)

    params = {
        "U": uniform((H, K), K),
        "W": uniform((H, H), H),  # drawn for every init, so U and V do not depend on it
        "V": uniform((K, H), H),
        "b": np.zeros(H, dtype),
        "c": np.zeros(K, dtype),
    }
    if init == "orthogonal":
        params["W"] = random_orthogonal(H, rng).astype(dtype)
    elif init == "identity":
        params["W"] = np.eye(H, dtype=dtype)
    return params


def random_orthogonal(n, rng):
    """A random orthogonal (n, n) float64 matrix, uniformly distributed (Haar measure).

    Q of the QR decomposition of an (n, n) standard Gaussian matrix, each column multiplied by
    the sign of R's diagonal entry: without that fix, Q would not be uniformly distributed.
    """
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def check_params(params):
    """Validate a parameter dict; return (K, H, dtype). Raises naming the bad parameter."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)} (needs {', '.join(PARAM_NAMES)})")
    if not isinstance(params["U"], np.ndarray) or params["U"].ndim != 2:
        raise ValueError("params['U'] must be a 2-D array of shape (H, K)")
    H, K = params["U"].shape
    dtype = params["U"].dtype
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"params['U'] must be floating point, got {dtype}")
    expected = {"U": (H, K), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}
    _check_shapes(params, expected, dtype, "U", H, K)
    return K, H, dtype


def check_indices(ix, K, name="inputs"):
    """Validate an int array of shape (T,) or (B, T) with entries in [0, K); return it."""
    ix = np.asarray(ix)
    if ix.dtype == bool or not np.issubdtype(ix.dtype, np.integer):
        raise TypeError(f"{name} must be integer character indices, got dtype {ix.dtype}")
    if ix.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (T,) or (B, T), got {ix.shape}")
    if ix.size == 0:
        raise ValueError(f"{name} is empty: a sequence needs at least one character")
    lo, hi = ix.min(), ix.max()
    if lo < 0 or hi >= K:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{name} has index {bad}, outside the vocabulary [0, {K})")
    return ix


def _state_array(x, name, B, H, dtype, batched):
    """One state array (h0 or s0) as (B, H) of ``dtype``; zeros when None.

    x: (H,) for one sequence, (B, H) for a batch (``batched``). Raises ValueError naming
    ``name`` for a wrong shape or a non-finite entry, TypeError for a non-real array.
    """
    if x is None:
        return np.zeros((B, H), dtype)
    x = np.asarray(x)
    expected = (B, H) if batched else (H,)
    if x.shape != expected:
        raise ValueError(f"{name} has shape {x.shape}, expected {expected}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"{name} must be a real (float) array, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains nan or inf")
    return x.astype(dtype, copy=False).reshape(B, H)


def rnn_forward(params, inputs, h0=None):
    """Run the RNN over a sequence or a batch of sequences.

    params: dict U (H, K), W (H, H), V (K, H), b (H,), c (K,).
    inputs: int (T,) or (B, T), character indices in [0, K).
    h0:     (H,) or (B, H) matching ``inputs``; None means zeros.
    Returns (logits, cache): logits o_t of shape (T, K) or (B, T, K), in the params' dtype;
    cache holds what ``rnn_backward`` needs.
    """
    K, H, dtype = check_params(params)
    inputs = check_indices(inputs, K)
    batched = inputs.ndim == 2
    X = inputs if batched else inputs[None, :]
    B, T = X.shape
    h0 = _state_array(h0, "h0", B, H, dtype, batched)
    logits, cache = _forward(params, X, h0)
    cache["batched"] = batched
    return (logits if batched else logits[0]), cache


def _forward(params, X, h0, work=None):
    """Forward pass on (B, T) indices; logits (B, T, K) and a time-major cache.

    The cache holds o, the same logits time-major as (T * B, K). work: see ``buffer``.
    """
    U, W, V, b, c = (params[k] for k in PARAM_NAMES)
    B, T = X.shape
    H, K = U.shape
    ix = X.T  # (T, B): time-major
    hs = buffer(work, "hs", (T + 1, B, H), U.dtype)
    hs[0] = h0
    a = buffer(work, "a", (T, B, H), U.dtype)
    np.take(U.T + b, ix, axis=0, out=a)  # U x_t + b for all t at once: a column lookup
    WT = np.ascontiguousarray(W.T)  # contiguous: each small product below runs ~2x faster
    h = list(hs)  # views h[0] .. h[T], made once: indexing inside the loop costs time
    for t, a_t in enumerate(a):
        np.matmul(h[t], WT, out=h[t + 1])
        h[t + 1] += a_t
        np.tanh(h[t + 1], out=h[t + 1])
    o = buffer(work, "o", (T * B, K), U.dtype)
    np.matmul(hs[1:].reshape(T * B, H), V.T, out=o)
    o += c
    logits = o.reshape(T, B, K).transpose(1, 0, 2)
    return logits, {"params": params, "ix": ix, "hs": hs, "o": o}


def rnn_backward(dlogits, cache):
    """Backpropagation through time.

    dlogits: dL/do_t, shape (T, K) or (B, T, K) like the logits.
    cache:   from ``rnn_forward``.
    Returns (grads, dh0): grads a dict with the keys and shapes of params; dh0 = dL/dh_0,
    shape (H,) or (B, H) like h0.
    """
    grads, dh0, _ = _backward(_dlogits_time_major(dlogits, cache), cache)
    return grads, (dh0 if cache["batched"] else dh0[0])


def _dlogits_time_major(dlogits, cache):
    """dlogits checked against the forward pass's logits ((T, K) or (B, T, K)), time-major:
    (T * B, K), the layout of the cache's o. Shared by the three cells' backward passes."""
    dlogits = np.asarray(dlogits)
    T, B = cache["ix"].shape
    K = cache["params"]["V"].shape[0]
    expected = (B, T, K) if cache["batched"] else (T, K)
    if dlogits.shape != expected:
        raise ValueError(f"dlogits has shape {dlogits.shape}, expected {expected}")
    return _time_major(dlogits.reshape(B, T, K))


def _check_shapes(params, expected, dtype, ref, H, K):
    """Raise naming the first parameter whose shape is not ``expected[name]`` or whose dtype
    is not ``dtype`` (that of ``params[ref]``)."""
    for name, shape in expected.items():
        p = params[name]
        if not isinstance(p, np.ndarray) or p.shape != shape:
            got = p.shape if isinstance(p, np.ndarray) else type(p).__name__
            raise ValueError(f"params['{name}'] has shape {got}, expected {shape} (H={H}, K={K})")
        if p.dtype != dtype:
            raise TypeError(f"params['{name}'] is {p.dtype} but params['{ref}'] is {dtype}")


def _time_major(dlogits):
    """(B, T, K) -> (T * B, K), the layout of the cache's o."""
    B, T, K = dlogits.shape
    return dlogits.transpose(1, 0, 2).reshape(T * B, K)


def _backward(do, cache, work=None):
    """BPTT from dL/do time-major (T * B, K); returns (grads, dh0 (B, H), dh (T, B, H)).

    dh[t] is the total dL/dh_t: from the output o_t and from the next step h_{t+1}.
    work: see ``buffer``.
    """
    params, ix, hs = cache["params"], cache["ix"], cache["hs"]
    U, W, V = params["U"], params["W"], params["V"]
    T, B = ix.shape
    H, K = U.shape
    dtype = U.dtype
    do = do.astype(dtype, copy=False)
    h = hs[1:].reshape(T * B, H)
    ones = np.ones(T * B, dtype)  # sums over positions as products: ~5x faster than .sum(0)
    # the output layer's gradients do not depend on the recurrence: a second thread
    # computes them while this one runs the loop (see overlap.py)
    run = second_thread(work, T * B, H, K, 1, dtype)
    output_grads = run(_output_grads, do, h, ones)
    dh = buffer(work, "dh", (T, B, H), dtype)  # dL/dh_t through o_t; the loop adds h_{t+1}'s
    np.matmul(do, V, out=dh.reshape(T * B, H))
    da = buffer(work, "da", (T, B, H), dtype)
    np.square(hs[1:], out=da)
    np.subtract(1.0, da, out=da)  # diag(1 - h_t^2), the derivative of tanh; times dh_t below
    dnext = np.zeros((B, H), dtype)
    for dh_t, da_t in zip(dh[::-1], da[::-1], strict=True):  # t = T-1 down to 0
        dh_t += dnext
        da_t *= dh_t
        np.matmul(da_t, W, out=dnext)  # dL/dh_{t-1} through h_t, row form of W^T da_t
    da2 = da.reshape(T * B, H)
    dW = run(np.matmul, da2.T, hs[:-1].reshape(T * B, H))  # while this thread does dU
    db = ones @ da2
    dU = _scatter_add_columns(ix.reshape(-1), da2, K, work)
    dV, dc = output_grads.result()
    grads = {"U": dU, "W": dW.result(), "V": dV, "b": db, "c": dc}
    return grads, dnext, dh


def _output_grads(do, h, ones):
    """(dV, dc) of the output layer o = h V^T + c, for the three cells: do (N, K), h (N, H),
    ones (N,)."""
    return do.T @ h, ones @ do


def rnn_step(params, h, ix):
    """One step: h_t = tanh(U[:, ix] + W h + b), o_t = V h_t + c. Returns (h_t (H,), o_t (K,)).

    The one-step version that reads like the equations, for sampling: no input checks
    (``sample`` validates once, then calls this for every character).
    """
    h = np.tanh(params["U"][:, ix] + params["W"] @ h + params["b"])
    return h, params["V"] @ h + params["c"]


def hidden_states(params, inputs, h0=None):
    """The hidden states h_1..h_T: (T, H) for inputs (T,), or (B, T, H) for (B, T)."""
    _, cache = rnn_forward(params, inputs, h0)
    hs = cache["hs"][1:]  # (T, B, H), time-major; hs[0] is h_0
    return hs[:, 0].copy() if not cache["batched"] else hs.transpose(1, 0, 2).copy()


def _scatter_add_columns(ix, rows, K, work=None):
    """dU = sum over positions n of rows[n] placed in column ix[n]: (N,) x (N, H) -> (H, K).

    The gradient of the lookup U[:, ix]. Same result as ``np.add.at(dU.T, ix, rows)``, but
    by sorting the positions by character and summing each run at once (several times
    faster than add.at, which updates one row at a time).
    """
    order = np.argsort(ix, kind="stable")
    sorted_ix = ix[order]
    starts = np.flatnonzero(sorted_ix[1:] != sorted_ix[:-1]) + 1
    starts = np.concatenate(([0], starts))  # where each character's run begins
    by_char = buffer(work, "by_char", rows.shape, rows.dtype)
    np.take(rows, order, axis=0, out=by_char)
    dU = np.zeros((rows.shape[1], K), rows.dtype)
    dU[:, sorted_ix[starts]] = np.add.reduceat(by_char, starts, axis=0).T
    return dU


def loss_and_grads(params, inputs, targets, h0=None):
    """Loss and gradients for one sequence (T,) or a batch (B, T).

    targets: int, same shape as ``inputs``: the next character at each position.
    Returns (loss, grads, h_last): loss = sum over time of -log y_hat_t[targets_t], averaged
    over the batch (a Python float); grads like params; h_last = h_T with the shape of h0.
    """
    _, cache = rnn_forward(params, inputs, h0)
    loss, do = _time_major_loss(cache, _check_targets(targets, cache))
    grads, _, _ = _backward(do, cache)
    return loss, grads, _last_state(cache)


def _time_major_loss(cache, targets):
    """Loss and dL/do from the cache's time-major logits: the same arithmetic as ``train``."""
    T, B = cache["ix"].shape
    return _softmax_loss(cache["o"], targets.reshape(B, T).T, B)


def _check_targets(targets, cache):
    """Validate targets against the inputs recorded in the cache."""
    K = cache["params"]["V"].shape[0]
    targets = check_indices(targets, K, "targets")
    T, B = cache["ix"].shape
    expected = (B, T) if cache["batched"] else (T,)
    if targets.shape != expected:
        raise ValueError(f"targets have shape {targets.shape}, but inputs have {expected}")
    return targets


def _last_state(cache):
    """h_T with the shape of h0: (H,) or (B, H)."""
    h_last = cache["hs"][-1].copy()
    return h_last if cache["batched"] else h_last[0]


def hidden_state_grads(params, inputs, targets, h0=None):
    """The total gradient dL/dh_t at every time step, as BPTT computes it.

    Returns an array (T, H) or (B, T, H) like the inputs: the gradient reaching h_t from its
    own output o_t and from all later steps through h_{t+1}.
    """
    _, cache = rnn_forward(params, inputs, h0)
    _, do = _time_major_loss(cache, _check_targets(targets, cache))
    _, _, dh = _backward(do, cache)
    dh = dh.transpose(1, 0, 2)
    return dh if cache["batched"] else dh[0]
