"""Checks for notebook 07's exercises (see checks.core for how a check works)."""

import numpy as np

from ..diagnostics import jacobian_product, last_step_grad_norms, spectral_radius
from ..functional import softmax
from ..rnn import init_params, rnn_forward
from .core import (
    Mistake,
    _Crashed,
    _Delegated,
    _Unfinished,
    call_learner,
    check_function,
    check_value,
    report,
)

__all__ = ["check_jacobian_product", "check_ratio_20_steps", "check_rho_rotation",
           "check_explodes", "check_growth_without_tanh", "check_growth_with_tanh"]


# --- the Jacobian product dh_t/dh_k ------------------------------------------------------

def _jacobian_inputs():
    """A non-symmetric W (4, 4), hidden states hs (T + 1, 4) of a real forward pass with a
    non-zero h_0, T = 6, and k = 1, t = 5: four factors, so orders and transposes differ."""
    rng = np.random.default_rng(7)
    params = init_params(5, 4, seed=7)
    params["W"] = rng.normal(0.0, 0.8, (4, 4))           # large enough to saturate a little
    params["U"] = rng.normal(0.0, 0.8, (4, 5))
    h0 = rng.uniform(-0.9, 0.9, 4)
    inputs = np.array([1, 3, 1, 4, 0, 3])
    _, cache = rnn_forward(params, inputs, h0)
    return params["W"], cache["hs"][:, 0].copy(), 1, 5


def _jacobian_variant(W, hs, k, t, *, factor="rows", deriv="right", order="left",
                      first=1, last=0, transpose_result=False):
    """The product with one classic mistake: factor = 'rows' (diag(d) W, right), 'WT'
    (diag(d) W^T), 'cols' (W diag(d)) or 'W' (no tanh derivative); deriv = how d is
    computed from h; order = 'left' (new factors on the left, right) or 'right';
    j runs over range(k + first, t + 1 + last); transpose_result returns J^T."""
    derivs = {"right": lambda h: 1.0 - h ** 2, "no_square": lambda h: 1.0 - h,
              "square_all": lambda h: (1.0 - h) ** 2, "tanh_again": lambda h: 1.0 - np.tanh(h) ** 2}
    J = np.eye(len(W))
    for j in range(k + first, t + 1 + last):
        d = derivs[deriv](hs[j])
        F = {"rows": np.diag(d) @ W, "WT": np.diag(d) @ W.T, "cols": W @ np.diag(d),
             "W": W}[factor]
        J = F @ J if order == "left" else J @ F
    return J.T if transpose_result else J


def _jacobian_shifted(W, hs, k, t):
    """Factor j uses h_{j-1}: diag(1 - h_{j-1}^2) W for j = k + 1 .. t."""
    J = np.eye(len(W))
    for j in range(k + 1, t + 1):
        J = np.diag(1.0 - hs[j - 1] ** 2) @ W @ J
    return J


def _not_the_package(fn, forbid):
    """fn, unless it is one of ``forbid`` itself (``jacobian_product =
    rh.jacobian_product``): then a function that reports that call."""
    if not any(fn is f for f in forbid):
        return fn

    def delegated(*args, **kwargs):
        raise _Delegated(fn.__name__)
    return delegated


def check_jacobian_product(fn):
    """The learner's ``jacobian_product(W, hs, k, t)`` -> dh_t/dh_k (H, H)."""
    W, hs, k, t = _jacobian_inputs()
    forbid = [jacobian_product, _jacobian_variant]
    fn = _not_the_package(fn, forbid)
    v = _jacobian_variant
    mistakes = [
        Mistake("the product uses W^T where the Jacobian dh_j/dh_{j-1} has W (W^T belongs to "
                "the backward pass, which carries gradients).", v(W, hs, k, t, factor="WT")),
        Mistake("this is the transpose of dh_t/dh_k: the matrix the gradient goes back "
                "through. The forward Jacobian is diag(1 - h_t^2) W ... diag(1 - h_{k+1}^2) W.",
                v(W, hs, k, t, transpose_result=True)),
        Mistake("the factors are multiplied in the reverse order: the newest factor, the one "
                "with the larger j, goes on the left of the product so far.",
                v(W, hs, k, t, order="right")),
        Mistake("the tanh derivative is missing: each factor is diag(1 - h_j^2) W, not W "
                "alone.", v(W, hs, k, t, factor="W")),
        Mistake("the product has one factor too many: it runs over j = k + 1, ..., t, so h_k's "
                "own derivative does not appear.", v(W, hs, k, t, first=0)),
        Mistake("the product has one factor too few: j runs up to t included, so the last "
                "factor is diag(1 - h_t^2) W.", v(W, hs, k, t, last=-1)),
        Mistake("factor j takes the tanh derivative one step early, at h_{j-1}: "
                "dh_j/dh_{j-1} = diag(1 - h_j^2) W uses h_j, which is hs[j].",
                _jacobian_shifted(W, hs, k, t)),
        Mistake("the tanh derivative is written 1 - h_j: it is 1 - h_j^2.",
                v(W, hs, k, t, deriv="no_square")),
        Mistake("the tanh derivative is written (1 - h_j)^2: it is 1 - h_j^2, only h_j is "
                "squared.", v(W, hs, k, t, deriv="square_all")),
        Mistake("tanh is applied to h_j again: h_j already is tanh(a_j), so the derivative at "
                "a_j is 1 - h_j^2.", v(W, hs, k, t, deriv="tanh_again")),
        Mistake("the tanh derivative scales the columns of W (W diag(1 - h_j^2)); "
                "diag(1 - h_j^2) W scales its rows. Multiplying a vector d by a matrix "
                "elementwise, d * W, scales the columns.", v(W, hs, k, t, factor="cols")),
    ]

    def identity_when_k_equals_t(_):
        try:
            J = call_learner(fn, W, hs, 3, 3, forbid=forbid)
        except (_Unfinished, _Crashed) as e:
            return f"with k = t your function raised {e or 'an error'}: the product is empty."
        if np.shape(J) != W.shape or not np.allclose(J, np.eye(len(W)), atol=1e-12):
            return "with k = t the product is empty: dh_t/dh_t is the identity."
        return None

    return check_function(
        "jacobian_product", fn, (W, hs, k, t), expected=jacobian_product(W, hs, k, t),
        mistakes=mistakes, after=identity_when_k_equals_t, forbid=forbid,
        hint="dh_t/dh_k = diag(1 - h_t^2) W ... diag(1 - h_{k+1}^2) W: t - k factors, with "
             "hs[j] = h_j (hs[0] = h_0).")


# --- Exercise 1: a linear RNN with W = 0.9 I ----------------------------------------------

def check_ratio_20_steps(answer):
    """||dL_T/dh_{T-20}|| / ||dL_T/dh_T|| for the linear RNN with W = 0.9 I."""
    W, g = 0.9 * np.eye(3), np.array([1.0, -2.0, 0.5])
    back = np.linalg.matrix_power(W.T, 20) @ g
    ratio = np.linalg.norm(back) / np.linalg.norm(g)
    return check_value("ratio_20_steps", answer, ratio, mistakes=[
        Mistake("0.9 is multiplied by 20: each step back multiplies the gradient by 0.9, so "
                "the factors multiply, 20 of them.", 0.9 * 20),
        Mistake("that is 19 steps back, one too few.", ratio / 0.9),
        Mistake("that is 21 steps back, one too many.", ratio * 0.9),
        Mistake("this is the inverse ratio, ||dL_T/dh_T|| / ||dL_T/dh_{T-20}||: put the "
                "gradient 20 steps back on top.", 1 / ratio),
        Mistake("this is the logarithm of the ratio, not the ratio.", np.log(ratio)),
    ], hint="Each step back multiplies the gradient by W^T = 0.9 I.")


# --- Exercise 2: the spectral radius of a rotation-like W ---------------------------------

def check_rho_rotation(answer, W_rotation):
    """rho_rotation = the spectral radius of W_rotation."""
    W = np.asarray(W_rotation, dtype=float)
    eig = np.linalg.eigvals(W)
    if answer is not None and np.iscomplexobj(answer):
        return report(False, "rho_rotation", "this is complex: the spectral radius is the "
                      "largest absolute value of the eigenvalues, a real number (np.abs).")
    if answer is not None and np.ndim(answer) == 1 and np.size(answer) == len(eig):
        return report(False, "rho_rotation", f"this is {len(eig)} numbers: the spectral "
                      "radius is the largest absolute value among the eigenvalues, one number.")
    return check_value("rho_rotation", answer, spectral_radius(W), mistakes=[
        Mistake("this is the largest real part of the eigenvalues: they are complex, so take "
                "their absolute value (np.abs) before the maximum.", np.max(eig.real)),
        Mistake("this is the largest entry of W_rotation (or an eigenvalue's imaginary part), "
                "not the largest absolute value of its eigenvalues.", np.max(np.abs(W))),
        Mistake("this is the squared absolute value |lambda|^2: take the square root.",
                np.max(np.abs(eig)) ** 2),
    ], hint="Use np.linalg.eigvals, then the largest absolute value.")


def check_explodes(answer, W_rotation):
    """explodes = True if a linear RNN with W_rotation makes gradients explode."""
    if answer is not None and not isinstance(answer, bool | np.bool_):
        return report(False, "explodes", "set it to True or False.")
    expected = spectral_radius(np.asarray(W_rotation)) > 1
    return check_value("explodes", answer, expected, mistakes=[
        Mistake("that is what the real parts of the eigenvalues suggest; the spectral radius "
                "decides: compare it with 1.", not expected),
    ], hint="Compare the spectral radius with 1: above 1 W^k grows, below 1 it shrinks.")


# --- Exercise 3: how much does saturation slow the explosion? -----------------------------

def _growth(norm_from, norm_to, steps=50):
    return (norm_to / norm_from) ** (1.0 / steps)


def check_growth_without_tanh(answer, p3, g_T):
    """(||(W^T)^50 g_T|| / ||g_T||)^(1/50) for W = p3['W']."""
    W, g_T = np.asarray(p3["W"]), np.asarray(g_T)
    start = np.linalg.norm(g_T)
    back = [g_T]
    for _ in range(51):
        back.append(W.T @ back[-1])
    by_W = g_T
    for _ in range(50):
        by_W = W @ by_W
    n = [np.linalg.norm(g) for g in back]
    return check_value("growth_without_tanh", answer, _growth(start, n[50]), mistakes=[
        Mistake("this is the spectral radius of W: the limit over many steps. Compute the "
                "factor over these 50 steps from g_T.", spectral_radius(W)),
        Mistake("the 50th root is missing: this is the growth over all 50 steps, not per "
                "step.", n[50] / start),
        Mistake("this is the inverse: put the gradient 50 steps back on top of the ratio.",
                1 / _growth(start, n[50])),
        Mistake("that is 49 steps back, one too few.", _growth(start, n[49], 49)),
        Mistake("that is 51 steps back, one too many.", _growth(start, n[51], 51)),
        Mistake("the gradient goes back through W^T, not W.", _growth(start, np.linalg.norm(by_W))),
    ], hint="Multiply g_T by W^T 50 times, with no tanh factor, then take the 50th root of "
            "the ratio of the norms.")


def check_growth_with_tanh(answer, p3, x2, y2):
    """(||dL_T/dh_{T-50}|| / ||dL_T/dh_T||)^(1/50) for p3 on x2, y2 (T = 60)."""
    n = last_step_grad_norms(p3, np.asarray(x2), np.asarray(y2))   # index = t
    T = len(n) - 1
    W = np.asarray(p3["W"])
    g = np.asarray(p3["V"]).T @ _last_step_dlogits(p3, x2, y2)
    for _ in range(50):
        g = W.T @ g
    return check_value("growth_with_tanh", answer, _growth(n[T], n[T - 50]), mistakes=[
        Mistake("this is the growth without the tanh factors: the real gradient also "
                "multiplies by diag(1 - h_t^2) at every step.",
                _growth(n[T], np.linalg.norm(g))),
        Mistake("the 50th root is missing: this is the growth over all 50 steps, not per "
                "step.", n[T - 50] / n[T]),
        Mistake("this is the inverse: put ||g_{T-50}|| on top of the ratio.",
                _growth(n[T - 50], n[T])),
        Mistake("the norms are indexed by t, not by the distance T - t: g_T is the last "
                "entry.", _growth(n[0], n[50])),
        Mistake("this goes back to g_0, 60 steps: g_{T-50} is entry T - 50.",
                _growth(n[T], n[0])),
        Mistake("that is 49 steps back, one too few.", _growth(n[T], n[T - 49], 49)),
        Mistake("that is 51 steps back, one too many.", _growth(n[T], n[T - 51], 51)),
        Mistake("the entries are one off: the array has T + 1 entries, g_0 to g_T, so g_T is "
                "entry T and g_{T-50} entry T - 50.", _growth(n[T - 1], n[T - 51])),
    ], hint="rh.last_step_grad_norms(p3, x2, y2) is indexed by t, from 0 to T: divide the "
            "entry of g_{T-50} by that of g_T, then take the 50th root.")



def _last_step_dlogits(params, inputs, targets):
    """dL_T/do_T = y_hat_T - onehot(y_T) for one sequence: (K,)."""
    logits, _ = rnn_forward(params, np.asarray(inputs))
    d = softmax(logits[-1])
    d[np.asarray(targets)[-1]] -= 1.0
    return d
