"""rnn_helpers.probes: persistence, saturation, input sizes and the memory ablation of a
trained RNN's hidden state (notebook 02)."""

import re
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


def copy_task_rnn(k):
    """A hand-made RNN (H = 2k) whose state holds the current character in units 0..k-1
    and, through W, the previous one in units k..2k-1; V and c are zero (useless)."""
    params = {"U": np.zeros((2 * k, k)), "W": np.zeros((2 * k, 2 * k)), "b": np.zeros(2 * k),
              "V": np.zeros((k, 2 * k)), "c": np.zeros(k)}
    params["U"][:k] = 3.0 * np.eye(k)  # h_t[:k] = tanh(3) one-hot(x_t)
    params["W"][k:, :k] = 3.0 * np.eye(k)  # h_t[k:] = tanh(3 tanh(3)) one-hot(x_{t-1})
    return params


def refit_accuracy_by_hand(params, Xf, Yf, Xt, Yt, k):
    """Independent of probes: states by a step loop, least squares with np.linalg.lstsq."""
    def states(X):
        out = []
        for row in X:
            h = np.zeros(len(params["b"]))
            for i in row:
                h = np.tanh(params["U"][:, i] + params["W"] @ h + params["b"])
                out.append(h)
        return np.array(out)

    def design(X):
        S = states(X)
        return np.hstack([S, np.ones((len(S), 1))])

    coef = np.linalg.lstsq(design(Xf), np.eye(k)[Yf.ravel()], rcond=None)[0]
    return np.mean(np.argmax(design(Xt) @ coef, axis=1) == Yt.ravel())


def test_memory_ablation_on_a_task_that_needs_memory():
    k = 6
    params = copy_task_rnn(k)
    rng = np.random.default_rng(4)
    Xf, Xt = rng.integers(0, k, (20, 40)), rng.integers(0, k, (10, 40))
    # Target: the previous character (y_t = x_{t-1}); the first step's target is random.
    Yf = np.concatenate([rng.integers(0, k, (20, 1)), Xf[:, :-1]], axis=1)
    Yt = np.concatenate([rng.integers(0, k, (10, 1)), Xt[:, :-1]], axis=1)
    out = probes.memory_ablation(params, Xf, Yf, Xt, Yt)
    assert set(out) == {"trained", "refit", "no_memory"}
    # V = 0, c = 0: every logit is equal and argmax picks character 0.
    assert out["trained"] == pytest.approx(np.mean(Yt == 0))
    assert out["refit"] >= 39 / 40 - 0.02  # all but (some of) the first steps are right
    assert out["refit"] == pytest.approx(refit_accuracy_by_hand(params, Xf, Yf, Xt, Yt, k))
    # W = 0: the state holds only x_t, independent of x_{t-1}: about chance, 1/k.
    assert abs(out["no_memory"] - 1 / k) < 0.06
    no_w = {**params, "W": np.zeros_like(params["W"])}
    assert out["no_memory"] == pytest.approx(refit_accuracy_by_hand(no_w, Xf, Yf, Xt, Yt, k))
    assert params["W"].any()  # the ablation does not zero the caller's W in place


def test_memory_ablation_arms_coincide_when_w_is_zero():
    params = init_params(K, H, seed=2)
    rng = np.random.default_rng(3)
    Xf, Yf = rng.integers(0, K, (6, 20)), rng.integers(0, K, (6, 20))
    Xt, Yt = rng.integers(0, K, (3, 20)), rng.integers(0, K, (3, 20))
    out = probes.memory_ablation(params, Xf, Yf, Xt, Yt)
    assert out["trained"] == probes.accuracy(rnn_forward(params, Xt)[0], Yt)
    no_w = {**params, "W": np.zeros((H, H))}
    same = probes.memory_ablation(no_w, Xf, Yf, Xt, Yt)
    assert same["refit"] == same["no_memory"]  # W is already zero: the arms coincide


def test_saturation_summary_pools_units_and_spreads_over_models():
    rng = np.random.default_rng(5)
    hs = [np.tanh(rng.normal(0, scale, (50, 4))) for scale in (1.0, 2.0, 3.0)]
    profiles = [probes.saturation_profile(h) for h in hs]
    m = probes.saturation_summary(profiles)
    sat = [np.mean(np.abs(h) > 0.95) for h in hs]
    assert m["saturated"].mean == pytest.approx(np.mean(sat))
    assert m["saturated"].std == pytest.approx(np.std(sat, ddof=1))
    per_unit = np.concatenate([(np.abs(h) > 0.95).mean(axis=0) for h in hs])
    assert m["unit_range"] == pytest.approx((per_unit.min(), per_unit.max()))
    assert m["hidden_size"] == 4
    assert m["stuck"] == [round(4 * p["stuck"]) for p in profiles]
    grads = [np.mean(1 - h[np.abs(h) > 0.95] ** 2) for h in hs]
    assert m["tanh_grad_saturated"].mean == pytest.approx(np.mean(grads))
    with pytest.raises(ValueError):
        probes.saturation_summary([])


def test_saturation_table_one_column_per_arm():
    h = np.array([[0.99, 0.2], [0.1, -0.97], [0.5, 0.3], [0.96, 0.0]])  # (4 steps, H = 2)
    m = probes.saturation_summary([probes.saturation_profile(h), probes.saturation_profile(-h)])
    lines = probes.saturation_table({"arm one": m, "arm two": m}).splitlines()
    assert lines[0].split() == ["arm", "one", "arm", "two"]
    assert len(lines) == 7 and all(line == line.rstrip() for line in lines)
    cells = [re.split(r"\s{2,}", line) for line in lines[1:]]  # label, arm one, arm two
    assert all(len(c) == 3 and c[1] == c[2] for c in cells)
    row = {c[0]: c[1] for c in cells}
    assert row["values with |h| > 0.95"] == "37.500 ± 0.000 %"  # 3 of 8, exactly, twice
    assert row["one unit's share of saturated values"] == "25 to 50 %"
    assert row["units saturated for some inputs, not all"] == "2, 2 of 2"
    assert row["units at the same sign for every input"] == "0, 0 of 2"
