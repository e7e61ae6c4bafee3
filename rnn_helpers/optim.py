"""Optimisers and gradient clipping. Every update is in place, in the parameters' dtype.

Each optimiser keeps its state (velocity, squared-gradient sums, ...) per parameter name,
created on the first ``step``. The learning rate is checked up front: a nan or negative
rate would otherwise corrupt the parameters silently.
"""

import math

import numpy as np

__all__ = ["SGD", "Momentum", "Adagrad", "Adam", "clip_gradients", "clip_grad_norm", "grad_norm"]


def _check_rate(value, name="lr"):
    """A positive finite float, or ValueError naming the problem."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return float(value)


def _check_fraction(value, name):
    """A number in [0, 1), for decay rates such as momentum's beta."""
    if not (isinstance(value, int | float | np.floating) and 0 <= value < 1):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def _check_step(params, grads):
    """Grads must have the params' keys and shapes."""
    if set(grads) != set(params):
        raise ValueError(f"grads have keys {sorted(grads)}, params have {sorted(params)}")
    for k, p in params.items():
        if np.shape(grads[k]) != p.shape:
            raise ValueError(f"grads['{k}'] has shape {np.shape(grads[k])}, expected {p.shape}")


def _state(store, name, p):
    """The optimiser state array for parameter ``name`` (zeros like p the first time)."""
    state = store.get(name)
    if state is None:  # not setdefault: that would allocate zeros at every step
        state = store[name] = np.zeros_like(p)
    return state


class SGD:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr):
        self.lr = _check_rate(lr)

    def step(self, params, grads):
        """Update params in place from grads (same keys and shapes)."""
        _check_step(params, grads)
        for k, p in params.items():
            p -= self.lr * grads[k]

    def __repr__(self):
        return f"SGD(lr={self.lr:g})"


class Momentum:
    """Heavy-ball momentum: v = beta v + g; p -= lr v."""

    def __init__(self, lr, beta=0.9):
        self.lr = _check_rate(lr)
        self.beta = _check_fraction(beta, "beta")
        self.v = {}

    def step(self, params, grads):
        """Update params in place from grads (same keys and shapes)."""
        _check_step(params, grads)
        for k, p in params.items():
            v = _state(self.v, k, p)
            v *= self.beta
            v += grads[k]
            p -= self.lr * v

    def __repr__(self):
        return f"Momentum(lr={self.lr:g}, beta={self.beta:g})"


class Adagrad:
    """Adagrad, as in min-char-rnn: m += g^2; p -= lr g / sqrt(m + eps)."""

    def __init__(self, lr, eps=1e-8):
        self.lr = _check_rate(lr)
        self.eps = _check_rate(eps, "eps")
        self.m = {}

    def step(self, params, grads):
        """Update params in place from grads (same keys and shapes)."""
        _check_step(params, grads)
        for k, p in params.items():
            g = grads[k]
            m = _state(self.m, k, p)
            update = np.multiply(g, g)
            m += update
            np.add(m, self.eps, out=update)
            np.sqrt(update, out=update)
            np.divide(g, update, out=update)
            update *= self.lr
            p -= update

    def __repr__(self):
        return f"Adagrad(lr={self.lr:g})"


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = _check_rate(lr)
        self.beta1 = _check_fraction(beta1, "beta1")
        self.beta2 = _check_fraction(beta2, "beta2")
        self.eps = _check_rate(eps, "eps")
        self.m, self.v, self.t = {}, {}, 0

    def step(self, params, grads):
        """Update params in place from grads (same keys and shapes)."""
        _check_step(params, grads)
        self.t += 1
        # bias correction: m and v start at 0, so early averages are too small by these factors
        bc1 = 1 - self.beta1**self.t
        bc2 = 1 - self.beta2**self.t
        for k, p in params.items():
            g = grads[k]
            m = _state(self.m, k, p)
            v = _state(self.v, k, p)
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * (g * g)
            p -= (self.lr / bc1) * m / (np.sqrt(v / bc2) + self.eps)

    def __repr__(self):
        return f"Adam(lr={self.lr:g})"


def grad_norm(grads):
    """The global L2 norm of all gradients together, sqrt(sum of squares), as a float.

    Computed in float64; if the squares overflow (entries beyond ~1e154), the gradients are
    first divided by their largest magnitude, so a huge but finite gradient has a finite norm.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = sum(float(np.vdot(g, g)) for g in grads.values())
        if math.isfinite(total):
            return math.sqrt(total)
        # float32 squares overflow from about 1e19: redo in float64, scaled by the largest entry
        gs = [np.asarray(g, np.float64) for g in grads.values()]
        scale = max(float(np.abs(g).max()) for g in gs)
        if not math.isfinite(scale):
            return scale  # inf or nan entries: the norm is not finite
        return scale * math.sqrt(sum(float(np.vdot(g / scale, g / scale)) for g in gs))


def clip_gradients(grads, max_value=5.0):
    """Clip every entry to [-max_value, max_value] in place (min-char-rnn's clipping).

    Returns the global norm before clipping. Element-wise clipping changes the gradient's
    direction; ``clip_grad_norm`` only shortens it.
    """
    max_value = _check_rate(max_value, "max_value")
    norm = grad_norm(grads)
    for g in grads.values():  # np.minimum/maximum: np.clip's Python wrapper costs more here
        np.minimum(g, max_value, out=g)
        np.maximum(g, -max_value, out=g)
    return norm


def clip_grad_norm(grads, max_norm):
    """Rescale all gradients in place so their global norm is at most ``max_norm``.

    Returns the norm before clipping. The direction of the full gradient is kept.
    """
    max_norm = _check_rate(max_norm, "max_norm")
    norm = grad_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= scale
    return norm
