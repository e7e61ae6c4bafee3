"""The numerical experiments of notebook 03: the naive softmax, where it overflows, and how
many digits a softmax keeps in float32 and float64.

The naive ``exp(z) / sum(exp(z))`` overflows to ``inf / inf = nan`` once a logit passes
ln(max float), 709.78 in float64 and 88.72 in float32. ``functional.softmax`` subtracts the
maximum first, which changes nothing mathematically. Rounding is another matter: a logit of
size s is stored with an error of about eps * s, and softmax turns that into a relative
error of about eps * s in the probabilities, whatever the max trick does.
"""

import numpy as np

from .functional import softmax

__all__ = [
    "SOFTMAX_DEMO_LOGITS",
    "naive_softmax",
    "overflow_limit",
    "overflow_sweep",
    "shift_error",
    "softmax_at_scale",
]

SOFTMAX_DEMO_LOGITS = (1.0, 0.8, 0.3, -0.5, -1.0)  # the 03 widget's logits, times its scale


def naive_softmax(z, dtype=np.float64, axis=-1):
    """exp(z) / sum(exp(z)) along ``axis``, with no max trick; warnings silenced.

    z: any shape, cast to ``dtype``. Overflow gives nan, as the naive formula does.
    """
    z = np.asarray(z, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=axis, keepdims=True)


def overflow_limit(dtype):
    """The largest z with a finite exp(z) in ``dtype``, ln(max float), as a Python float."""
    return float(np.log(np.float64(np.finfo(dtype).max)))


def overflow_sweep(zs, dtype=np.float64):
    """softmax([z, 0])[0] for each z of zs (N,): (naive, stable), each (N,) of ``dtype``."""
    Z = np.stack([np.asarray(zs, dtype), np.zeros(len(zs), dtype)], axis=-1)  # (N, 2)
    return naive_softmax(Z, dtype)[:, 0], softmax(Z)[:, 0]


def shift_error(offsets, base, dtype):
    """Max relative error of softmax(s + base) computed in ``dtype``, for each offset s.

    offsets: (N,), base: (K,). The exact answer is softmax(base) (shift invariance), taken
    in float64. Returns (N,) float64: max_i |p_i - p*_i| / p*_i.
    """
    base = np.asarray(base, np.float64)
    exact = softmax(base)
    Z = (np.asarray(offsets, np.float64)[:, None] + base).astype(dtype)  # (N, K)
    p = softmax(Z).astype(np.float64)
    return np.max(np.abs(p - exact) / exact, axis=-1)


def softmax_at_scale(scale, dtype="float64", base=SOFTMAX_DEMO_LOGITS):
    """Naive and stable softmax of z = scale * base in ``dtype``: (naive, stable), each (K,)."""
    z = (scale * np.asarray(base, np.float64)).astype(dtype)
    return naive_softmax(z, dtype), softmax(z)
