"""rnn_helpers.probes: persistence, saturation, input sizes and the memory ablation of a
trained RNN's hidden state (notebook 02)."""

from collections import Counter

import numpy as np
import pytest

from rnn_helpers import init_params, probes, rnn_forward, rnn_step

K, H = 7, 5


def test_lag1_autocorrelation_persistent_alternating_and_constant_units():
    t = np.arange(40)
    h = np.stack([np.sin(t / 6), (-1.0) ** t, np.full(40, 0.3)], axis=1)  # (T, H) = (40, 3)
    rho = probes.lag1_autocorrelation(h)
    assert rho.shape == (3,)
    assert rho[0] > 0.8  # slow: keeps its value
    assert rho[1] == pytest.approx(-39 / 40)  # flips sign at every step
    assert rho[2] == 0.0  # constant: defined as 0
    with pytest.raises(ValueError, match="T >= 2"):
        probes.lag1_autocorrelation(np.zeros(5))


def test_lag1_autocorrelation_pools_the_rows_of_a_batch():
    h = np.random.default_rng(0).standard_normal((3, 6, 2))
    d = h - h.reshape(-1, 2).mean(axis=0)
    pairs = [(d[b, t], d[b, t + 1]) for b in range(3) for t in range(5)]
    cov = sum(a * c for a, c in pairs)
    np.testing.assert_allclose(probes.lag1_autocorrelation(h), cov / (d**2).sum(axis=(0, 1)))


def test_saturation_profile_counts_switching_and_stuck_units():
    h = np.array([[0.99, 0.2, 0.97, -0.99],
                  [0.98, 0.96, -0.96, -0.98],
                  [0.97, 0.1, 0.5, -0.97]])  # unit 0 stuck at +1, unit 3 stuck at -1
    s = probes.saturation_profile(h)
    np.testing.assert_allclose(s["per_unit"], [1, 1 / 3, 2 / 3, 1])
    assert s["saturated"] == pytest.approx(9 / 12)
    assert s["stuck"] == pytest.approx(2 / 4)
    assert s["switching"] == pytest.approx(2 / 4)
    sat = np.abs(h) > 0.95
    assert s["tanh_grad_saturated"] == pytest.approx(np.mean(1 - h[sat] ** 2))
    assert s["tanh_grad_other"] == pytest.approx(np.mean(1 - h[~sat] ** 2))


def test_input_sizes_match_a_step_by_step_loop():
    params = init_params(K, H, seed=1)
    X = np.array([[0, 3, 6, 2], [1, 1, 5, 4]])
    past, now = [], []
    for row in X:
        h = np.zeros(H)
        for i in row:
            past.append(np.linalg.norm(params["W"] @ h))
            now.append(np.linalg.norm(params["U"][:, i]))
            h, _ = rnn_step(params, h, i)
    assert probes.input_sizes(params, X) == pytest.approx((np.mean(past), np.mean(now)))


def test_accuracy_counts_argmax_hits():
    logits = np.array([[0.1, 2.0, 0.0], [3.0, 0.0, 1.0]])
    assert probes.accuracy(logits, [1, 2]) == 0.5


def test_fit_readout_recovers_an_exact_linear_map():
    rng = np.random.default_rng(0)
    h = rng.standard_normal((4, 50, H))
    targets = rng.integers(0, K, size=(4, 50))
    V, c = probes.fit_readout(h, targets, K)
    assert V.shape == (K, H) and c.shape == (K,)
    # The residual of least squares is orthogonal to the regressors [h, 1].
    A = np.hstack([h.reshape(-1, H), np.ones((200, 1))])
    residual = np.eye(K)[targets.reshape(-1)] - (h.reshape(-1, H) @ V.T + c)
    np.testing.assert_allclose(A.T @ residual, 0, atol=1e-10)


def test_memoryless_accuracy_is_the_most_frequent_successor_rule():
    train = np.array([0, 1, 0, 1, 0, 2, 1, 2, 1, 2, 2, 0])
    inputs = np.array([[0, 1, 2], [2, 0, 1]])
    targets = np.array([[1, 2, 0], [2, 1, 0]])
    succ = {a: Counter(b for x, b in zip(train[:-1], train[1:], strict=True) if x == a)
            for a in range(3)}
    best = {a: min(c, key=lambda b: (-c[b], b)) for a, c in succ.items()}
    expected = np.mean([best[a] == b for a, b in zip(inputs.ravel(), targets.ravel(),
                                                      strict=True)])
    assert probes.memoryless_accuracy(train, inputs, targets, 3) == pytest.approx(expected)


def test_memory_ablation_arms():
    params = init_params(K, H, seed=2)
    rng = np.random.default_rng(3)
    Xf, Yf = rng.integers(0, K, (6, 20)), rng.integers(0, K, (6, 20))
    Xt, Yt = rng.integers(0, K, (3, 20)), rng.integers(0, K, (3, 20))
    out = probes.memory_ablation(params, Xf, Yf, Xt, Yt)
    assert set(out) == {"trained", "refit", "no_memory"}
    assert out["trained"] == probes.accuracy(rnn_forward(params, Xt)[0], Yt)
    no_w = {**params, "W": np.zeros((H, H))}
    same = probes.memory_ablation(no_w, Xf, Yf, Xt, Yt)
    assert same["refit"] == same["no_memory"]  # W is already zero: the arms coincide
