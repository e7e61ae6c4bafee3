"""Numeric gradient checks: compare backprop's gradients with centred finite differences.

The check runs in float64 on raw, unclipped gradients. float32 has about 7 significant
digits, so a finite difference ``(L(x + eps) - L(x - eps)) / 2 eps`` keeps almost none of
them; and clipping changes the gradient on purpose, so it would no longer match.

Two measures of agreement:
- the relative error ``|a - n| / max(|a| + |n|, tiny)``: scale-free and the classic report,
  but meaningless where the gradient itself is tiny (both numbers are then round-off);
- the entrywise test ``|a - n| <= atol + rtol |n|``, whose ``atol`` is the finite
  difference's own round-off, about ``eps_machine * |L| / eps``.

Where both gradients are right, ``a - n`` is round-off: its digits change from one CPU (BLAS
kernel, SIMD loops) to another. So a report's table prints where such a number stands against
its bar (``< 1e-7``), not its digits; the digits stay in the report's rows.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import cells
from .functional import _softmax_loss, softmax_loss
from .rnn import (
    PARAM_NAMES,
    _forward,
    check_indices,
    hidden_state_grads,
    hidden_states,
    rnn_forward,
)
from .rnn import loss_and_grads as rnn_loss_and_grads

__all__ = [
    "numerical_gradient",
    "relative_error",
    "grad_check",
    "grad_check_report",
    "GradCheckReport",
    "check_hidden_state_grads",
    "gradient_sample",
    "stencil_errors",
    "STENCIL_ORDERS",
    "RULE_OF_THUMB",
    "against_bar",
    "passes_entrywise",
    "default_atol",
]

TINY = np.finfo(np.float64).tiny
EPS64 = np.finfo(np.float64).eps
# The classic bar for a correct gradient (CS231n). It is quoted for |a - n| / max(|a|, |n|);
# relative_error divides by |a| + |n|, which is between 1 and 2 times larger, so at the bar
# the two measures differ by at most a factor of 2 (see relative_error).
RULE_OF_THUMB = 1e-7
STENCIL_ORDERS = {"two-point (order 2)": 2, "four-point (order 4)": 4}


def relative_error(analytic, numeric):
    """Entrywise ``|a - n| / max(|a| + |n|, tiny)``: 0 where both are exactly 0, never nan.

    The denominator |a| + |n| (the DESIGN contract) lies between max(|a|, |n|) and twice it,
    so this error is between half of and equal to the ``|a - n| / max(|a|, |n|)`` for which
    the 1e-7 rule of thumb is usually quoted.
    """
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), TINY)


def against_bar(error, bar):
    """Text for an error that should be round-off: ``'< bar'`` when it is below ``bar``, else
    its value (then it is no longer round-off, and its digits mean something).

    Round-off differs in its last bits from one CPU to another (BLAS kernel, SIMD loops), so
    printing its digits would make a notebook's output depend on the machine.
    """
    if not (math.isfinite(bar) and bar > 0):
        raise ValueError(f"bar must be a positive number, got {bar}")
    if error >= bar:
        return f"{error:.1e}"
    short = f"{bar:.0e}"  # 1e-09 for a power of ten; a bar like 2.5e-08 keeps its digits
    return f"< {short}" if float(short) == bar else f"< {bar:g}"


def passes_entrywise(analytic, numeric, atol, rtol):
    """Entrywise test ``|a - n| <= atol + rtol |n|`` (the rule of ``np.isclose``): bool array.

    atol is the finite difference's round-off (``default_atol``): it judges tiny entries by
    their absolute difference, where a relative error means nothing.
    """
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    return np.abs(a - n) <= atol + rtol * np.abs(n)


def numerical_gradient(f, x, eps=1e-5, *, order=2, indices=None):
    """Centred differences of the scalar ``f()`` with respect to the array ``x``.

    f: callable of no arguments that reads ``x`` (changed in place, then restored exactly).
    x: float array; eps > 0 the step h. order 2 is the classic (f(x+h) - f(x-h)) / 2h, with
    truncation error ~h^2; order 4 is the five-point stencil
    (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h, with truncation error ~h^4, which
    allows a larger h and so less round-off. indices: optional iterable of index tuples to
    evaluate (the others stay 0). Returns a float64 array of x's shape.
    """
    if not (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)):
        raise TypeError("x must be a floating NumPy array (it is perturbed in place)")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite number, got {eps}")
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order}")
    grad = np.zeros(x.shape, np.float64)
    for idx in np.ndindex(x.shape) if indices is None else indices:
        old = x[idx]

        def diff(step, old=old, idx=idx):
            x[idx] = old + step
            f_plus = float(f())
            x[idx] = old - step
            f_minus = float(f())
            x[idx] = old  # restore the exact original value, not old + h - h
            return f_plus - f_minus

        if order == 2:
            grad[idx] = diff(eps) / (2 * eps)
        else:
            grad[idx] = (8 * diff(eps) - diff(2 * eps)) / (12 * eps)
    return grad


def _float64_copy(params, cell=None, *, any_dict=False):
    """A float64 copy of params: checks in float32 would measure round-off, not bugs.

    params are checked as the parameters of ``cell`` (None: the cell their shapes show).
    any_dict: also accept a dict of floating arrays with other names (a model of one's own,
    checked with one's own ``loss_and_grads``); its keys are then kept in their order.
    """
    if any_dict and cell is None and isinstance(params, dict) and set(params) != set(PARAM_NAMES):
        if not params:
            raise ValueError("params is empty: there is no gradient to check")
        for k, v in params.items():
            if not (isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)):
                raise TypeError(f"params[{k!r}] must be a floating NumPy array")
        return {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    cells.check_params(params, cell)
    return {k: np.array(params[k], dtype=np.float64) for k in PARAM_NAMES}


def _float64_state(state, cell=None):
    """A float64 copy of a state: None, h (array-like) or a pair (h, s).

    cell: the Cell whose state it is. The LSTM's state is a pair: a tuple or list of two
    array-likes (anything else is passed on for its forward pass to reject, naming the
    pair). A one-part cell's state is always one array, so a list of numbers is an RNN's
    h. None (one's own model, checked with one's own ``loss_and_grads``): only a tuple or
    list of NumPy arrays is a state of several parts; anything else, such as h0 as a list
    of numbers, is one array.
    """
    if state is None:
        return None
    if cell is None:
        parts = isinstance(state, tuple | list) and len(state) > 0 and all(
            isinstance(part, np.ndarray) for part in state)
    else:
        parts = len(cell.state_parts) > 1
        if parts and not isinstance(state, tuple | list):
            return state  # not a pair: the cell's forward pass says so
    if parts:
        return tuple(np.array(part, dtype=np.float64) for part in state)
    return np.array(state, dtype=np.float64)


def _sample_indices(analytic, num_checks, rng):
    """Entries to check: all, or ``num_checks`` of them favouring entries with gradient.

    A uniform sample of U's entries mostly hits columns of characters absent from the
    inputs, whose gradient is exactly 0 on both sides and proves nothing. So the sample is
    drawn from nonzero entries, always includes the largest one, and adds one zero entry
    (when there is one) to confirm that zeros are really zeros.
    """
    if num_checks is None:
        return list(np.ndindex(analytic.shape))
    flat = np.abs(analytic).ravel()
    nonzero = np.flatnonzero(flat)
    zero = np.flatnonzero(flat == 0)
    chosen = {int(np.argmax(flat))}
    k = min(num_checks, nonzero.size)
    chosen.update(int(i) for i in rng.choice(nonzero, size=k, replace=False))
    if zero.size:
        chosen.add(int(rng.choice(zero)))
    return [np.unravel_index(i, analytic.shape) for i in sorted(chosen)]


@dataclass
class ParamCheck:
    """One parameter's row of a gradient-check report."""

    name: str
    shape: tuple
    checked: int
    max_abs_analytic: float
    max_abs_numeric: float
    max_abs_diff: float
    max_rel_error: float
    atol: float
    rtol: float
    passed: bool


@dataclass(repr=False)
class GradCheckReport:
    """Per-parameter comparison of analytic and numeric gradients; prints as a table."""

    loss: float
    eps: float
    rows: list

    @property
    def passed(self):
        """True when every checked entry of every parameter passes the entrywise test."""
        return all(r.passed for r in self.rows)

    def max_rel_errors(self):
        """Dict parameter name -> max relative error (what ``grad_check`` returns)."""
        return {r.name: r.max_rel_error for r in self.rows}

    _HEAD = ("param", "shape", "checked", "max|analytic|", "max|numeric|", "max|diff|",
             "max rel err", "pass")

    def _cells(self, r):
        # A passing row's diff and relative error are round-off, whose digits depend on the
        # CPU: print only where they stand against their bars. A failing row's are the bug's
        # size, reproducible: print them.
        if r.passed:
            diff = "<= tol"
            rel = against_bar(r.max_rel_error, RULE_OF_THUMB)
            rel = rel if rel.startswith("<") else f"> {RULE_OF_THUMB:.0e}"
        else:
            diff, rel = f"{r.max_abs_diff:.2e}", f"{r.max_rel_error:.2e}"
        return (r.name, "x".join(map(str, r.shape)), str(r.checked), f"{r.max_abs_analytic:.3e}",
                f"{r.max_abs_numeric:.3e}", diff, rel, "yes" if r.passed else "NO")

    def __str__(self):
        rows = [self._HEAD] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self._HEAD))]
        lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        verdict = "all entries pass" if self.passed else "SOME ENTRIES FAIL"
        r = self.rows[0]
        tol = f"|a - n| <= tol = atol + rtol |n|, rtol = {r.rtol:g}, atol = {r.atol:.1e}"
        return "\n".join(lines + [f"{verdict}: {tol}"])

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{h}</th>" for h in self._HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in self._cells(r)) + "</tr>" for r in self.rows
        )
        caption = str(self).splitlines()[-1]
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>"


def default_atol(loss, eps):
    """The finite difference's round-off: a few ``eps_machine * |L| / eps``."""
    return 16 * EPS64 * max(abs(loss), 1.0) / eps


def _loss_fn(params, inputs, targets, h0, cell=None):
    """A closure computing only the loss (no backward) for the current values in params.

    cell: whose forward pass (default: the RNN's); h0 its initial state.
    """
    forward = cells.get_cell("rnn" if cell is None else cell).forward
    targets = check_indices(targets, params["V"].shape[0], "targets")
    if targets.shape != np.shape(inputs):
        raise ValueError(f"targets have shape {targets.shape}, but inputs have {np.shape(inputs)}")

    def f():
        return _softmax_loss(forward(params, inputs, h0)[0], targets)[0]

    return f


def grad_check_report(params, inputs, targets, h0=None, *, eps=1e-5, order=2, num_checks=None,
                      seed=0, atol=None, rtol=1e-6, analytic=None, loss_and_grads=None,
                      cell=None, check_state=False):
    """Check every parameter's gradient against centred differences, in float64.

    params: the parameters of an RNN, LSTM or GRU (copied to float64; their cell is read
    from their shapes, or given as cell="rnn" | "lstm" | "gru"). inputs, targets: int (T,)
    or (B, T). h0: the initial state, (H,) or (B, H): h0 for the RNN and the GRU, the pair
    (h0, s0) for the LSTM; None means zeros.
    eps, order: the finite-difference step and stencil (see ``numerical_gradient``).
    num_checks: None checks every entry; an int samples that many entries per parameter
    (nonzero-gradient entries first, see ``_sample_indices``). atol defaults to
    ``default_atol(loss, eps)``.
    loss_and_grads: a function shaped like ``loss_and_grads``, (params, inputs, targets,
    state) -> (loss, grads, final state), to check: its gradients against centred
    differences of its own loss. Then params may be any dict of floating arrays (a model
    of one's own). Default: the cell's own, whose numeric side needs only its forward pass.
    analytic: a function shaped like ``loss_and_grads`` whose gradients are checked against
    the numeric gradient of ``loss_and_grads``' loss (or the cell's forward pass): a
    planted bug in the backward pass shows up against the true loss.
    check_state: also check dL/dh0 (and dL/ds0 for the LSTM) from the cell's backward
    pass, as rows "h0" (and "s0"); h0=None is then checked at zeros. Needs the cell's own
    backward: not available with a loss_and_grads of one's own.
    Returns a GradCheckReport (a table in a notebook).
    """
    custom = loss_and_grads is not None
    if check_state and custom:
        raise ValueError("check_state needs the cell's backward pass (loss_and_grads returns "
                         "no dstate): leave loss_and_grads=None and pass cell= instead")
    p64 = _float64_copy(params, cell, any_dict=custom)
    kind = None if custom else cells.check_params(p64, cell)[0]
    state = _float64_state(h0, kind)
    if check_state and state is None:
        H = p64["V"].shape[1]
        state = kind.zero_state(H, np.float64, None if np.ndim(inputs) == 1 else len(inputs))
    if custom:
        def f():
            return float(loss_and_grads(p64, inputs, targets, state)[0])
    else:
        loss_and_grads = kind.loss_and_grads
        f = _loss_fn(p64, inputs, targets, state, kind)
    analytic = loss_and_grads if analytic is None else analytic
    loss, grads, _ = analytic(p64, inputs, targets, state)
    missing = [k for k in p64 if k not in grads]
    if missing:
        raise ValueError(f"the gradients have no {', '.join(missing)}: grads must have the "
                         "keys of params")
    grads = {k: np.array(grads[k], dtype=np.float64) for k in p64}  # safe from later calls
    atol = default_atol(loss, eps) if atol is None else atol
    rng = np.random.default_rng(seed)
    names = PARAM_NAMES if set(p64) == set(PARAM_NAMES) else list(p64)
    checked = [(name, p64[name], grads[name]) for name in names]
    if check_state:
        checked += _state_grads(kind, p64, inputs, targets, state)
    rows = []
    for name, x, a in checked:
        if a.shape != x.shape:
            raise ValueError(f"the gradient of {name} has shape {a.shape}, expected {x.shape}")
        idx = _sample_indices(a, num_checks, rng)
        n = numerical_gradient(f, x, eps, order=order, indices=idx)
        sel = tuple(np.array(idx).T)
        rows.append(_compare(name, a[sel], n[sel], a.shape, atol, rtol))
    return GradCheckReport(loss=loss, eps=eps, rows=rows)


def _state_grads(cell, params, inputs, targets, state):
    """[(name, state part, dL/d part)] from the cell's forward and backward passes.

    name is "h0" (and "s0" for the LSTM); the parts are the arrays of ``state`` itself, so
    that perturbing them changes the loss.
    """
    logits, cache = cell.forward(params, inputs, state)
    _, dlogits = softmax_loss(logits, targets)
    _, dstate = cell.backward(dlogits, cache)
    parts = state if isinstance(state, tuple) else (state,)
    dparts = dstate if isinstance(dstate, tuple) else (dstate,)
    return [(f"{name}0", x, np.asarray(d, np.float64))
            for name, x, d in zip(cell.state_parts, parts, dparts, strict=True)]


def _compare(name, a, n, shape, atol, rtol):
    """One report row from the checked analytic entries ``a`` and numeric entries ``n``."""
    diff = np.abs(a - n)
    return ParamCheck(
        name=name, shape=tuple(shape), checked=int(a.size),
        max_abs_analytic=float(np.abs(a).max()), max_abs_numeric=float(np.abs(n).max()),
        max_abs_diff=float(diff.max()), max_rel_error=float(relative_error(a, n).max()),
        atol=float(atol), rtol=float(rtol), passed=bool(np.all(passes_entrywise(a, n, atol, rtol))),
    )


def grad_check(params, inputs, targets, h0=None, *, eps=1e-5, num_checks=None, seed=0, order=2,
               loss_and_grads=None, cell=None, check_state=False):
    """Max relative error per parameter between backprop and centred differences (float64).

    Returns a dict: parameter name -> max over checked entries of
    ``|a - n| / max(|a| + |n|, tiny)``, with "h0" (and "s0") too when check_state. Any cell
    (RNN, LSTM, GRU) or any ``loss_and_grads``-shaped function: see ``grad_check_report``
    for these arguments and the full table.
    """
    report = grad_check_report(params, inputs, targets, h0, eps=eps, order=order,
                               num_checks=num_checks, seed=seed, loss_and_grads=loss_and_grads,
                               cell=cell, check_state=check_state)
    return report.max_rel_errors()


def check_hidden_state_grads(params, inputs, targets, h0=None, *, eps=1e-5, order=2):
    """BPTT step by step: compare dL/dh_t from backprop with a numeric one, for every t.

    The numeric dL/dh_t perturbs h_t itself and re-runs only what depends on it: the loss at
    step t (through o_t) and the forward pass from t + 1 on. Returns a dict of arrays of
    length T: ``max_abs_diff``, ``max_rel_error``, ``norm`` (the analytic ||dL/dh_t||).
    """
    p64 = _float64_copy(params, "rnn")
    K = p64["V"].shape[0]
    X = np.atleast_2d(check_indices(inputs, K))
    Y = np.atleast_2d(check_indices(targets, K, "targets"))
    h0 = None if h0 is None else np.asarray(h0, np.float64)
    analytic = hidden_state_grads(p64, inputs, targets, h0)
    analytic = analytic.reshape(X.shape + (-1,))  # (B, T, H)
    _, cache = _forward(p64, X, np.zeros((X.shape[0], p64["W"].shape[0])) if h0 is None
                        else h0.reshape(X.shape[0], -1))
    hs = cache["hs"]  # (T + 1, B, H), hs[t + 1] = h_t in the 0-based step numbering
    T = X.shape[1]
    out = {"max_abs_diff": np.zeros(T), "max_rel_error": np.zeros(T), "norm": np.zeros(T)}
    for t in range(T):
        h = hs[t + 1].copy()
        numeric = numerical_gradient(lambda h=h, t=t: _loss_from_step(p64, X, Y, t, h), h, eps,
                                     order=order)
        a = analytic[:, t]
        out["max_abs_diff"][t] = np.abs(a - numeric).max()
        out["max_rel_error"][t] = relative_error(a, numeric).max()
        out["norm"][t] = np.linalg.norm(a)
    return out


def _loss_from_step(params, X, Y, t, h):
    """The part of the loss that depends on h_t = h: steps t..T-1, averaged over the batch."""
    o_t = h @ params["V"].T + params["c"]
    loss, _ = _softmax_loss(o_t[:, None, :], Y[:, t:t + 1])
    if t + 1 < X.shape[1]:
        logits, _ = _forward(params, X[:, t + 1:], h)
        loss += _softmax_loss(logits, Y[:, t + 1:])[0]
    return loss


def _float64_loss(params, inputs, targets, h0):
    """float64 copies of params, their backprop gradients, and a closure for the loss alone."""
    p = _float64_copy(params, "rnn")
    _, grads, _ = rnn_loss_and_grads(p, inputs, targets, h0)

    def loss():
        return _softmax_loss(rnn_forward(p, inputs, h0)[0], targets)[0]

    return p, grads, loss


def gradient_sample(params, inputs, targets, n, *, eps=1e-5, order=2, seed=0, h0=None):
    """Analytic and numeric gradients at up to ``n`` random nonzero entries of each parameter.

    params are copied to float64; the entries are drawn (seeded) among those whose analytic
    gradient is nonzero, parameter after parameter in ``PARAM_NAMES`` order. Returns
    (analytic, numeric): two float64 arrays of the same length, at most 5 n entries.
    """
    p, grads, loss = _float64_loss(params, inputs, targets, h0)
    rng = np.random.default_rng(seed)
    analytic, numeric = [], []
    for name in PARAM_NAMES:
        nonzero = np.flatnonzero(grads[name])
        pick = rng.choice(nonzero, size=min(n, nonzero.size), replace=False)
        idx = [np.unravel_index(j, grads[name].shape) for j in pick]
        num = numerical_gradient(loss, p[name], eps, order=order, indices=idx)
        analytic.append(grads[name].ravel()[pick])
        numeric.append(num.ravel()[pick])
    return np.concatenate(analytic), np.concatenate(numeric)


def stencil_errors(params, inputs, targets, eps_values, *, order=2, h0=None):
    """max |analytic - numeric| over every entry of every parameter, per step: (n,) float64.

    params: the RNN's dict (copied to float64); eps_values: (n,) finite-difference steps;
    order: 2 or 4 (see ``numerical_gradient``). Meant for small models: each step costs
    ``order`` forward passes per parameter entry.
    """
    p, grads, loss = _float64_loss(params, inputs, targets, h0)
    return np.array([
        max(np.abs(numerical_gradient(loss, p[k], eps, order=order) - grads[k]).max()
            for k in PARAM_NAMES)
        for eps in eps_values
    ])


PLANTED_BUGS = ("tanh derivative", "path through h_{t+1}")


def loss_and_grads_with_bug(bug):
    """A ``loss_and_grads`` for one sequence whose backward pass forgets one term (notebook 05).

    bug: "tanh derivative" (da_t = dh_t instead of (1 - h_t^2) * dh_t) or
    "path through h_{t+1}" (dh_t = V^T do_t, without W^T da_{t+1}). The returned function
    takes (params, inputs (T,), targets (T,), h0=None) and returns (loss, grads, h_T), like
    ``loss_and_grads``: the gradient check should catch it.
    """
    if bug not in PLANTED_BUGS:
        raise ValueError(f"unknown bug {bug!r}: choose one of {PLANTED_BUGS}")

    def buggy(params, inputs, targets, h0=None):
        W, V = params["W"], params["V"]
        h0 = np.zeros(W.shape[0], W.dtype) if h0 is None else np.asarray(h0)
        loss, do = softmax_loss(rnn_forward(params, inputs, h0)[0], targets)
        h = hidden_states(params, inputs, h0)                      # h_1 .. h_T
        g = {k: np.zeros_like(params[k]) for k in PARAM_NAMES}
        da_next = np.zeros_like(h0)
        for t in reversed(range(len(inputs))):
            g["V"] += np.outer(do[t], h[t])
            g["c"] += do[t]
            dh = V.T @ do[t] + (W.T @ da_next if bug != "path through h_{t+1}" else 0.0)
            da = dh if bug == "tanh derivative" else (1 - h[t] ** 2) * dh
            g["W"] += np.outer(da, h[t - 1] if t > 0 else h0)
            g["U"][:, inputs[t]] += da
            g["b"] += da
            da_next = da
        return loss, g, h[-1]

    return buggy
