"""Notebook 07's numbers: the last step's parameter gradient, the global-clip factor, the
saturation statistics and the blow-up verdict, each against an independent computation; and
08's gradient along time for every cell (``state_grad_norms``) against finite differences."""

import numpy as np
import pytest
from cases import make_case, reference_step

from rnn_helpers import (
    clip_grad_norm,
    diagnostics,
    init_params,
    loss_and_grads,
    rnn_backward,
    rnn_forward,
    softmax,
)


@pytest.fixture
def small():
    """A small float64 RNN (K=5, H=4) at spectral radius 1.7 and one sequence of T=7."""
    rng = np.random.default_rng(3)
    params = diagnostics.with_spectral_radius(init_params(5, 4, seed=1), 1.7)
    return params, rng.integers(0, 5, 7), rng.integers(0, 5, 7)


def _last_term_grads(params, x, y):
    """dL_T/dparams: the losses of steps 1..T-1 do not depend on the last character, so
    L_T = L(x) - L(x[:-1]) and its gradient is the difference of the two full gradients."""
    _, full, _ = loss_and_grads(params, x, y)
    _, prefix, _ = loss_and_grads(params, x[:-1], y[:-1])
    return {k: full[k] - prefix[k] for k in full}


def test_last_step_param_grad_norm_is_the_gradient_of_the_last_term(small):
    params, x, y = small
    g = _last_term_grads(params, x, y)
    expected = np.sqrt(sum(np.sum(v ** 2) for v in g.values()))
    assert diagnostics.last_step_param_grad_norm(params, x, y) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("kappa", [1e-3, 0.1, 1e6])
def test_global_clip_scale_is_what_clip_grad_norm_does_to_the_last_term(small, kappa):
    params, x, y = small
    g = _last_term_grads(params, x, y)
    before = {k: v.copy() for k, v in g.items()}
    clip_grad_norm(g, kappa)
    ratio = g["W"].ravel() @ before["W"].ravel() / (before["W"].ravel() @ before["W"].ravel())
    scale = diagnostics.global_clip_scale(params, x, y, kappa)
    assert scale == pytest.approx(ratio, rel=1e-9)
    assert 0 < scale <= 1
    if kappa == 1e6:
        assert scale == 1.0


def _explicit_states_and_norms(params, x, y):
    """h_1..h_T by the recurrence and ||dL_T/dh_t|| (t = 0..T) by explicit Jacobian matrices."""
    U, W, V, b, c = (params[k] for k in ("U", "W", "V", "b", "c"))
    H = W.shape[0]
    hs = [np.zeros(H)]
    for ix in x:
        hs.append(np.tanh(U[:, ix] + W @ hs[-1] + b))
    p = softmax(V @ hs[-1] + c)
    p[y[-1]] -= 1
    g = V.T @ p
    norms, P = [np.linalg.norm(g)], np.eye(H)
    for s in range(len(x), 0, -1):
        P = W.T @ np.diag(1 - hs[s] ** 2) @ P
        norms.append(np.linalg.norm(P @ g))
    return np.array(hs[1:]), np.array(norms[::-1])


@pytest.mark.parametrize("rho", [0.5, 3.0])
def test_saturation_stats_against_an_explicit_computation(rho):
    rng = np.random.default_rng(0)
    params = diagnostics.with_spectral_radius(init_params(6, 16, seed=4), rho)
    x, y = rng.integers(0, 6, 30), rng.integers(0, 6, 30)
    h, norms = _explicit_states_and_norms(params, x, y)
    s = diagnostics.saturation_stats(params, x, y, distance=20, threshold=0.9)
    assert s["saturated"] == pytest.approx(np.mean(np.abs(h) > 0.9))
    assert s["tanh_grad"] == pytest.approx(np.mean(1 - h ** 2), rel=1e-12)
    assert s["factor"] == pytest.approx((norms[10] / norms[30]) ** (1 / 20), rel=1e-9)
    if rho == 0.5:
        assert s["saturated"] == 0.0 and s["factor"] < 0.5


def test_saturation_stats_rejects_a_distance_beyond_the_sequence(small):
    params, x, y = small
    with pytest.raises(ValueError, match="distance"):
        diagnostics.saturation_stats(params, x, y, distance=len(x) + 1)


def test_global_clip_scale_is_min_1_kappa_over_norm(small):
    # ||g|| from rnn_backward's parameter gradients of the last step's loss alone
    params, x, y = small
    logits, cache = rnn_forward(params, x)
    dlogits = np.zeros_like(logits)
    dlogits[-1] = softmax(logits[-1])
    dlogits[-1, y[-1]] -= 1
    grads, _ = rnn_backward(dlogits, cache)
    norm = np.sqrt(sum(np.sum(v ** 2) for v in grads.values()))
    assert diagnostics.global_clip_scale(params, x, y, norm / 2) == pytest.approx(0.5)
    assert diagnostics.global_clip_scale(params, x, y, norm / 10) == pytest.approx(0.1)
    assert diagnostics.global_clip_scale(params, x, y, 3 * norm) == 1.0  # never scales up


@pytest.mark.parametrize("losses, limit, expected", [
    ([3.5, 3.0, 2.0], 7.0, False),
    ([3.5, 12.0, 2.0], 7.0, True),
    ([3.5, 7.0], 7.0, False),          # "above", not "at"
    ([3.5, np.nan, 2.0], 7.0, True),
    ([3.5, np.inf], 7.0, True),
])
def test_blew_up(losses, limit, expected):
    assert diagnostics.blew_up(losses, limit) is expected


def test_saturated_fraction_counts_values_beyond_the_threshold():
    h = np.array([[0.0, 0.96, -0.99], [0.95, -0.2, 1.0]])  # |h| > 0.95: 0.96, -0.99, 1.0
    assert diagnostics.saturated_fraction(h) == 0.5
    assert diagnostics.saturated_fraction(h, threshold=0.98) == pytest.approx(2 / 6)


# --- state_grad_norms: the gradient along time for every cell ---------------------------------


def _suffix_loss(cell, params, x, y, t, state):
    """L_T from state_t: run steps t + 1..T (x[t:]) from ``state`` with the tests' own copy
    of the equations, then -log softmax at the last step (t = T: straight from h_T)."""
    h = state[0] if cell == "lstm" else state
    logits = params["V"] @ h + params["c"]
    for ix in x[t:]:
        state, logits = reference_step(cell, params, state, ix)
    m = logits.max()
    return m + np.log(np.exp(logits - m).sum()) - logits[y[-1]]


def _states(cell, params, x):
    """state_0 .. state_T of one sequence from zeros, by the tests' own loop."""
    H = params["V"].shape[1]
    state = (np.zeros(H), np.zeros(H)) if cell == "lstm" else np.zeros(H)
    states = [state]
    for ix in x:
        state, _ = reference_step(cell, params, state, ix)
        states.append(state)
    return states


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_grad_norms_match_finite_differences_of_the_suffix(cell):
    params, x, y, _ = make_case(cell, K=6, H=4, T=6, scale=2.0, seed=4)
    norms = diagnostics.state_grad_norms(params, x, y)
    assert norms.shape == (7,)
    eps = 1e-6
    for t, state in enumerate(_states(cell, params, x)):
        parts = [np.array(p) for p in (state if cell == "lstm" else (state,))]
        grad = []
        for p in parts:  # perturb every entry of h_t (and s_t), the rest of the state fixed
            for j in range(len(p)):
                old = p[j]
                p[j] = old + eps
                up = _suffix_loss(cell, params, x, y, t, tuple(parts) if cell == "lstm"
                                  else parts[0])
                p[j] = old - eps
                down = _suffix_loss(cell, params, x, y, t, tuple(parts) if cell == "lstm"
                                    else parts[0])
                p[j] = old
                grad.append((up - down) / (2 * eps))
        assert norms[t] == pytest.approx(np.linalg.norm(grad), rel=1e-7), t


def test_state_grad_norms_of_the_rnn_are_last_step_grad_norms(small):
    params, x, y = small
    np.testing.assert_array_equal(diagnostics.state_grad_norms(params, x, y),
                                  diagnostics.last_step_grad_norms(params, x, y))


def test_state_grad_norms_end_at_the_output_gradient_for_every_cell():
    for cell in ("rnn", "lstm", "gru"):
        params, x, y, _ = make_case(cell, K=6, H=4, T=5, seed=1)
        h_T = _states(cell, params, x)[-1]
        h_T = h_T[0] if cell == "lstm" else h_T
        o = params["V"] @ h_T + params["c"]
        p = np.exp(o - o.max()) / np.exp(o - o.max()).sum()
        p[y[-1]] -= 1
        assert diagnostics.state_grad_norms(params, x, y)[-1] == pytest.approx(
            np.linalg.norm(params["V"].T @ p), rel=1e-12)


def test_state_grad_norms_reject_a_batch_or_mismatched_targets():
    params, x, y, _ = make_case("lstm", K=6, H=4, T=5)
    with pytest.raises(ValueError, match="one sequence"):
        diagnostics.state_grad_norms(params, np.stack([x, x]), np.stack([y, y]))
    with pytest.raises(ValueError, match="one sequence"):
        diagnostics.state_grad_norms(params, x, y[:-1])
