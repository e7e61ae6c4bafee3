"""Softmax, log-softmax and the cross-entropy loss, numerically stable for any finite input.

The naive ``exp(z) / sum(exp(z))`` overflows to ``inf / inf = nan`` once an entry of ``z``
passes about 709 (float64) or 88 (float32). Subtracting the row maximum first changes
nothing mathematically (the factor ``exp(-max)`` cancels) and makes every exponent <= 0.
"""

import numpy as np

__all__ = ["softmax", "log_softmax", "softmax_loss"]


def _as_float_array(z):
    """Return ``z`` as a floating array (float dtypes kept, ints promoted to float64)."""
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        if not (np.issubdtype(z.dtype, np.integer) or z.dtype == bool):
            raise TypeError(f"logits must be numbers, got dtype {z.dtype}")
        z = z.astype(np.float64)
    if z.size == 0:
        raise ValueError("logits are empty")
    return z


def _check_logits(z, axis):
    """Raise ValueError for nan, +inf, or a slice that is -inf everywhere."""
    if np.isnan(z).any():
        raise ValueError("logits contain nan")
    if np.isposinf(z).any():
        raise ValueError("logits contain +inf; softmax is undefined there")
    if np.isneginf(z).all(axis=axis).any():
        raise ValueError("every logit of a slice is -inf; softmax is undefined there")


def _shifted(z, axis):
    """``z - max(z)``: every entry <= 0, so ``exp`` cannot overflow."""
    # For spans wider than the float range (e.g. +-1e308) the difference rounds to -inf,
    # which is the correctly rounded result: exp(-inf) = 0 exactly.
    with np.errstate(over="ignore"):
        return z - z.max(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """Log of the softmax along ``axis``, by log-sum-exp; same shape and float dtype as ``z``.

    z: any shape, finite (-inf allowed where a slice has a finite entry).
    """
    z = _as_float_array(z)
    _check_logits(z, axis)
    s = _shifted(z, axis)
    with np.errstate(under="ignore"):
        # the sum is >= 1 (the max contributes exp(0)), so the log never meets 0
        return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def softmax(z, axis=-1):
    """Probabilities ``exp(z) / sum(exp(z))`` along ``axis``, computed without overflow.

    z: any shape, finite (-inf allowed where a slice has a finite entry). Returns the same
    shape and float dtype; each slice along ``axis`` sums to 1.
    """
    z = _as_float_array(z)
    _check_logits(z, axis)
    with np.errstate(under="ignore"):
        e = np.exp(_shifted(z, axis))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_loss(logits, targets):
    """Cross-entropy summed over time and averaged over the batch, and its gradient.

    logits:  (T, K) or (B, T, K) float, unnormalised scores o_t.
    targets: (T,) or (B, T) int, the index of the correct next character.
    Returns (loss, dlogits): loss = (1/B) sum_b sum_t -log y_hat[b, t, targets[b, t]] as a
    Python float, dlogits = (y_hat - onehot(targets)) / B with the shape of ``logits``.
    """
    logits = np.asarray(logits)
    targets = np.asarray(targets)
    if logits.ndim not in (2, 3) or targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"logits {logits.shape} and targets {targets.shape} do not match: "
            "expected (T, K) with (T,), or (B, T, K) with (B, T)"
        )
    return _softmax_loss(logits, targets)


def buffer(work, name, shape, dtype):
    """An uninitialised array: new, or reused from the dict ``work`` if it has one that fits.

    The training loop passes the same ``work`` dict to every step, so the large
    intermediate arrays are allocated once instead of at every step (fresh large arrays
    cost page faults: about a quarter of a step's time at B = 32, H = 100).
    """
    if work is None:
        return np.empty(shape, dtype)
    buf = work.get(name)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = work[name] = np.empty(shape, dtype)
    return buf


def _softmax_loss(logits, targets, batch=None, work=None):
    """softmax_loss without input checks, for the training hot path.

    batch: the B to average over (default: logits.shape[0] for 3-D logits, else 1), so
    time-major (T * B, K) logits can be passed as they are. work: see ``buffer``.
    """
    K = logits.shape[-1]
    B = batch if batch is not None else (logits.shape[0] if logits.ndim == 3 else 1)
    z = logits.reshape(-1, K)
    picks = np.arange(0, z.size, K) + targets.reshape(-1)  # flat index of each target
    s = buffer(work, "shifted", z.shape, z.dtype)
    with np.errstate(over="ignore"):  # see _shifted: a span beyond the float range gives -inf
        np.subtract(z, z.max(axis=-1, keepdims=True), out=s)
    e = buffer(work, "exp", z.shape, z.dtype)
    with np.errstate(under="ignore"):
        np.exp(s, out=e)
    total = e.sum(axis=-1)
    loss = float(np.log(total).sum() - s.reshape(-1)[picks].sum()) / B
    e *= (1.0 / (B * total))[:, None]  # y_hat / B
    e.reshape(-1)[picks] -= 1.0 / B  # (y_hat - onehot(y)) / B, without the one-hot matrix
    return loss, e.reshape(logits.shape)
