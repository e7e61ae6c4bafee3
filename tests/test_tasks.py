"""The recall task's training loop, its gradient ratio and the experiment over arms and seeds."""

import numpy as np
import pytest

from rnn_helpers import (
    init_params,
    recall_accuracy,
    recall_experiment,
    recall_gradient_ratio,
    recall_task,
    rnn_backward,
    rnn_forward,
    softmax,
    tasks,
    train_recall,
)

K = len(tasks.RECALL_CHARS)


def test_train_recall_starts_from_init_params_and_is_deterministic():
    for init in ("uniform", "orthogonal", "identity"):
        start = train_recall(3, hidden=8, steps=0, seed=5, init=init)  # no update at all
        expected = init_params(K, 8, seed=5, init=init)
        for name in expected:
            np.testing.assert_array_equal(start[name], expected[name])
    a = train_recall(3, hidden=8, steps=5, seed=1)
    b = train_recall(3, hidden=8, steps=5, seed=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W"], init_params(K, 8, seed=1)["W"])


def test_train_recall_calls_back_after_every_step_and_learns_a_short_lag():
    seen = []
    params = train_recall(1, hidden=16, steps=300, seed=0,
                          callback=lambda step, p: seen.append(step))
    assert seen == list(range(1, 301))
    X, Y = recall_task(200, 1, np.random.default_rng(9))
    assert recall_accuracy(params, X, Y) >= 0.9  # lag 2 is easy: a stable, learned run


def _ratio_by_bptt(params, x, y):
    """||dL_T/dh_1|| / ||dL_T/dh_T||: dL_T/dh_1 is dh0 of BPTT over x[1:] started at h_1."""
    _, cache = rnn_forward(params, x[:1])
    h1 = cache["hs"][-1, 0]
    logits, cache = rnn_forward(params, x[1:], h1)
    dlogits = np.zeros_like(logits)
    dlogits[-1] = softmax(logits[-1])
    dlogits[-1, y[-1]] -= 1
    _, dh1 = rnn_backward(dlogits, cache)
    g_T = params["V"].T @ dlogits[-1]
    return np.linalg.norm(dh1) / np.linalg.norm(g_T)


def test_recall_gradient_ratio_is_the_geometric_mean_of_bptt_ratios():
    params = init_params(K, 8, seed=2, init="orthogonal")
    X, Y = recall_task(5, 4, np.random.default_rng(3))
    logs = [np.log(_ratio_by_bptt(params, x, y)) for x, y in zip(X, Y, strict=True)]
    expected = np.exp(np.mean(logs))
    assert recall_gradient_ratio(params, X, Y) == pytest.approx(expected, rel=1e-10)


def test_recall_experiment_matches_single_runs():
    ks, seeds, budgets = (1, 3), (0, 1), (2, 5)
    res = recall_experiment(ks, inits=("uniform", "identity"), seeds=seeds, budgets=budgets,
                            n_test=40, n_ratio=3, hidden=8)
    np.testing.assert_array_equal(res.lags, [2, 4])
    assert res.accuracy["identity"].shape == (2, 2, 2)
    assert res.ratio_init["uniform"].shape == res.ratio_trained["uniform"].shape == (2, 2)
    for a, k in enumerate(ks):
        X, Y = recall_task(40, k, np.random.default_rng(100))
        for b, seed in enumerate(seeds):
            for j, steps in enumerate(budgets):
                p = train_recall(k, hidden=8, steps=steps, seed=seed, init="identity")
                assert res.accuracy["identity"][j, a, b] == recall_accuracy(p, X, Y)
            assert res.ratio_trained["identity"][a, b] == pytest.approx(
                recall_gradient_ratio(p, X[:3], Y[:3]))
            p0 = init_params(K, 8, seed=seed, init="uniform")
            assert res.ratio_init["uniform"][a, b] == pytest.approx(
                recall_gradient_ratio(p0, X[:3], Y[:3]))
    solved = res.solved("identity", 5, threshold=0.5)
    np.testing.assert_array_equal(solved, res.accuracy["identity"][1] >= 0.5)


@pytest.mark.parametrize("budgets", [(5, 2), (0, 3), (3, 3)])
def test_recall_experiment_rejects_bad_budgets(budgets):
    with pytest.raises(ValueError, match="budgets"):
        recall_experiment((1,), budgets=budgets)


def test_seed_range_is_mean_min_max_over_seeds():
    values = np.array([[1.0, 1.0, 0.25], [0.5, 0.3, 0.4]])
    r = tasks.seed_range(values)
    np.testing.assert_allclose(r.mean, [0.75, 0.4])
    np.testing.assert_allclose(r.low, [0.25, 0.3])
    np.testing.assert_allclose(r.high, [1.0, 0.5])
    with pytest.raises(ValueError, match="n_seeds"):
        tasks.seed_range([0.5, 0.3])


def test_geometric_mean_is_the_root_of_the_product():
    assert tasks.geometric_mean([1e-6, 1e-2]) == pytest.approx(1e-4, rel=1e-12)
    np.testing.assert_allclose(tasks.geometric_mean([[2.0, 8.0], [1.0, 27.0]], axis=1),
                               [4.0, np.sqrt(27.0)])
    with pytest.raises(ValueError, match="positive"):
        tasks.geometric_mean([1.0, 0.0])


def test_recall_results_summaries_match_a_direct_computation():
    rng = np.random.default_rng(0)
    acc = {"identity": rng.uniform(0.2, 1.0, (2, 3, 4))}
    ratio_init, ratio_trained = 10.0 ** rng.uniform(-6, 0, (2, 3, 4))
    res = tasks.RecallResults(np.array([1, 4, 9]), ("identity",), (0, 1, 2, 3), (400, 1000),
                              acc, {"identity": ratio_init}, {"identity": ratio_trained})
    s = res.accuracy_summary("identity", 1000)
    for a in range(3):
        row = acc["identity"][1, a]
        assert s.mean[a] == pytest.approx(sum(row) / 4)
        assert (s.low[a], s.high[a]) == (min(row), max(row))
    for trained, ratio in ((False, ratio_init), (True, ratio_trained)):
        centre = res.ratio_centre("identity", trained=trained)
        for a in range(3):
            assert centre[a] == pytest.approx(np.prod(ratio[a]) ** (1 / 4), rel=1e-10)
