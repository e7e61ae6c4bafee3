"""The recall task's training loop, its gradient ratio and the experiment over arms and seeds,
for the RNN (notebook 07) and the three cells (08)."""

import numpy as np
import pytest
from cases import reference_forward, reference_step

import rnn_helpers.cells as rh_cells
from rnn_helpers import (
    Adam,
    clip_grad_norm,
    diagnostics,
    gru_backward,
    gru_forward,
    init_gru_params,
    init_lstm_params,
    init_params,
    loss_and_grads,
    lstm_backward,
    lstm_forward,
    lstm_gates,
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


# --- every cell (notebook 08) ------------------------------------------------------------------


def test_recall_start_is_each_cells_init_and_refuses_settings_of_other_cells():
    for init in ("uniform", "orthogonal", "identity"):
        p = tasks.recall_start("rnn", 8, seed=3, init=init)
        for name, v in init_params(K, 8, seed=3, init=init).items():
            np.testing.assert_array_equal(p[name], v)
    p = tasks.recall_start("lstm", 8, seed=3, forget_bias=2.5)
    for name, v in init_lstm_params(K, 8, seed=3, forget_bias=2.5).items():
        np.testing.assert_array_equal(p[name], v)
    assert np.all(p["b"][8:16] == 2.5)
    for name, v in init_gru_params(K, 8, seed=3).items():
        np.testing.assert_array_equal(tasks.recall_start("gru", 8, seed=3)[name], v)
    for cell in ("lstm", "gru"):
        with pytest.raises(ValueError, match="init='orthogonal'"):
            tasks.recall_start(cell, init="orthogonal")
    for cell in ("rnn", "gru"):
        with pytest.raises(ValueError, match="forget_bias"):
            tasks.recall_start(cell, forget_bias=0.0)
    with pytest.raises(ValueError, match="cell must be one of"):
        tasks.recall_start("transformer")
    with pytest.raises(ValueError, match="forget_bias"):
        train_recall(2, cell="gru", steps=1, forget_bias=2.0)


def _old_train_recall(k, *, hidden, steps, seed, init="uniform", lr=0.003, batch_size=32,
                      clip_norm=5.0):
    """A copy of notebook 07's loop (before the cells): the RNN's own functions only."""
    rng = np.random.default_rng(seed)
    params = init_params(K, hidden, seed=seed, init=init)
    opt = Adam(lr)
    for _ in range(steps):
        X, Y = recall_task(batch_size, k, rng)
        _, grads, _ = loss_and_grads(params, X, Y)
        clip_grad_norm(grads, clip_norm)
        opt.step(params, grads)
    return params


def test_train_recall_of_the_rnn_is_notebook_07s_loop_bit_for_bit():
    for init in ("uniform", "orthogonal"):
        new = train_recall(4, cell="rnn", hidden=8, steps=20, seed=2, init=init)
        old = _old_train_recall(4, hidden=8, steps=20, seed=2, init=init)
        for name in old:
            np.testing.assert_array_equal(new[name], old[name])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_train_recall_gives_the_sums_of_loss_and_grads_bit_for_bit(cell):
    """train_recall runs train's hot path (reused buffers); the public loss_and_grads must
    give the same training, bit for bit."""
    new = train_recall(6, cell=cell, hidden=12, steps=15, seed=3, lr=0.02)
    rng = np.random.default_rng(3)
    params = tasks.recall_start(cell, 12, seed=3)
    opt = Adam(0.02)
    for _ in range(15):
        X, Y = recall_task(32, 6, rng)
        _, grads, _ = rh_cells.get_cell(cell).loss_and_grads(params, X, Y)
        clip_grad_norm(grads, 5.0)
        opt.step(params, grads)
    for name in params:
        np.testing.assert_array_equal(new[name], params[name])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_train_recall_of_a_gated_cell_is_deterministic_and_moves_the_weights(cell):
    seen = []
    a = train_recall(3, cell=cell, hidden=6, steps=4, seed=1,
                     callback=lambda step, p: seen.append(step))
    b = train_recall(3, cell=cell, hidden=6, steps=4, seed=1)
    assert seen == [1, 2, 3, 4]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    start = tasks.recall_start(cell, 6, seed=1)
    assert a["W"].shape == start["W"].shape and not np.array_equal(a["W"], start["W"])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_gated_cell_learns_lag_3(cell):
    # measured: 200 steps at lr 0.01 give accuracy 1.0 on seeds 0-5 for both cells
    params = train_recall(2, cell=cell, hidden=16, steps=200, lr=0.01, seed=0)
    X, Y = recall_task(200, 2, np.random.default_rng(9))
    assert recall_accuracy(params, X, Y) >= 0.9


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_recall_accuracy_is_the_argmax_of_each_cells_last_logits(cell):
    params = tasks.recall_start(cell, 5, seed=4)
    params["c"][:4] += np.array([0.0, 0.02, -0.01, 0.01])  # some symbols win, some do not
    X, Y = recall_task(60, 3, np.random.default_rng(2))
    logits, _ = reference_forward(cell, params, X)
    expected = np.mean(logits[:, -1].argmax(axis=-1) == Y[:, -1])
    assert recall_accuracy(params, X, Y) == expected


def _gated_ratio_by_bptt(cell, params, x, y):
    """||dL_T/dstate_1|| / ||dL_T/dh_T|| by the cell's own BPTT over x[1:] from state_1."""
    forward, backward = {"lstm": (lstm_forward, lstm_backward),
                         "gru": (gru_forward, gru_backward)}[cell]
    H = params["V"].shape[1]
    state = (np.zeros(H), np.zeros(H)) if cell == "lstm" else np.zeros(H)
    state1, _ = reference_step(cell, params, state, x[0])
    logits, cache = forward(params, x[1:], state1)
    dlogits = np.zeros_like(logits)
    dlogits[-1] = softmax(logits[-1])
    dlogits[-1, y[-1]] -= 1
    _, dstate = backward(dlogits, cache)
    d1 = np.concatenate(dstate) if cell == "lstm" else dstate
    return np.linalg.norm(d1) / np.linalg.norm(params["V"].T @ dlogits[-1])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_recall_gradient_ratio_of_a_gated_cell_is_the_geometric_mean_of_bptt_ratios(cell):
    params = tasks.recall_start(cell, 6, seed=2)
    X, Y = recall_task(4, 5, np.random.default_rng(3))
    logs = [np.log(_gated_ratio_by_bptt(cell, params, x, y)) for x, y in zip(X, Y, strict=True)]
    assert recall_gradient_ratio(params, X, Y) == pytest.approx(np.exp(np.mean(logs)),
                                                                rel=1e-9)


def test_recall_gradient_ratio_of_the_rnn_is_notebook_07s_bit_for_bit():
    params = init_params(K, 8, seed=2, init="orthogonal")
    X, Y = recall_task(5, 4, np.random.default_rng(3))
    # notebook 07's code: last_step_grad_norms per sequence, n[1] / n[-1], geometric mean
    ratios = [n[1] / n[-1] for n in (diagnostics.last_step_grad_norms(params, x, y)
                                     for x, y in zip(X, Y, strict=True))]
    assert recall_gradient_ratio(params, X, Y) == float(tasks.geometric_mean(ratios))


def test_recall_experiment_arms_of_rnn_inits_equal_the_inits_path():
    kw = {"seeds": (0, 1), "budgets": (3, 6), "n_test": 30, "n_ratio": 3, "hidden": 6}
    by_init = recall_experiment((1, 4), inits=("uniform", "orthogonal"), **kw)
    by_arm = recall_experiment((1, 4), arms={"uniform": {"cell": "rnn"},
                                             "orthogonal": {"init": "orthogonal"}}, **kw)
    assert by_init.inits == by_init.arms == by_arm.arms == ("uniform", "orthogonal")
    for arm in by_init.arms:
        for field in ("accuracy", "ratio_init", "ratio_trained"):
            np.testing.assert_array_equal(getattr(by_arm, field)[arm],
                                          getattr(by_init, field)[arm])
    assert by_init.settings == {"uniform": {"init": "uniform"},
                                "orthogonal": {"init": "orthogonal"}}


def test_recall_experiment_over_cells_matches_single_runs_and_times_each_run():
    arms = {"LSTM": {"cell": "lstm", "forget_bias": 2.0}, "GRU": {"cell": "gru"}}
    res = recall_experiment((2, 5), arms=arms, seeds=(0, 3), budgets=(2, 4), n_test=30,
                            n_ratio=2, hidden=5)
    assert res.arms == ("LSTM", "GRU") and res.settings == arms
    for a, k in enumerate((2, 5)):
        X, Y = recall_task(30, k, np.random.default_rng(100))
        for b, seed in enumerate((0, 3)):
            for label, arm in arms.items():
                for j, steps in enumerate((2, 4)):
                    p = train_recall(k, hidden=5, steps=steps, seed=seed, **arm)
                    assert res.accuracy[label][j, a, b] == recall_accuracy(p, X, Y)
                assert res.ratio_trained[label][a, b] == recall_gradient_ratio(p, X[:2], Y[:2])
                kept = res.params[label][a][b]  # the run's final parameters, kept
                assert kept.keys() == p.keys()
                assert all(np.array_equal(kept[name], p[name]) for name in p)
                p0 = tasks.recall_start(hidden=5, seed=seed, **arm)
                assert res.ratio_init[label][a, b] == recall_gradient_ratio(p0, X[:2], Y[:2])
    for label in arms:
        assert res.seconds[label].shape == (2, 2) and np.all(res.seconds[label] > 0)
        assert res.arm_seconds(label) == pytest.approx(res.seconds[label].sum())


@pytest.mark.parametrize("arms, kwargs, match", [
    ({"x": {"cell": "lstm", "init": "identity"}}, {}, "init='identity'"),
    ({"x": {"cell": "gru", "forget_bias": 3.0}}, {}, "forget_bias"),
    ({"x": {"cell": "lstm", "lr": 0.1}}, {}, "keys among"),
    ({"x": "lstm"}, {}, "keys among"),
    ({}, {}, "non-empty"),
    ({"x": {"cell": "lstm"}}, {"inits": ("orthogonal",)}, "not both"),
    ({"x": {"cell": "lstm"}}, {"cell": "gru"}, "belong in each arm"),
])
def test_recall_experiment_rejects_bad_arms(arms, kwargs, match):
    with pytest.raises(ValueError, match=match):
        recall_experiment((1,), arms=arms, budgets=(1,), **kwargs)


def test_state_grad_profile_is_the_geometric_mean_of_normalised_norms():
    params = tasks.recall_start("lstm", 6, seed=1)
    X, Y = recall_task(3, 4, np.random.default_rng(5))
    rows = [diagnostics.state_grad_norms(params, x, y) for x, y in zip(X, Y, strict=True)]
    profile = tasks.state_grad_profile(params, X, Y)
    for t in range(X.shape[1] + 1):
        expected = np.prod([r[t] / r[-1] for r in rows]) ** (1 / 3)
        assert profile[t] == pytest.approx(expected, rel=1e-12)
    assert profile[-1] == 1.0
    assert profile[1] == pytest.approx(recall_gradient_ratio(params, X, Y), rel=1e-12)


def test_recall_run_measures_accuracy_along_the_way_and_the_gradient_at_both_ends():
    seen = []
    run = tasks.recall_run(3, cell="gru", steps=10, every=4, seed=2, n_test=40, n_grad=3,
                           hidden=6, progress=seen.append)
    assert run.lag == 4 and run.settings["cell"] == "gru" and run.settings["hidden"] == 6
    np.testing.assert_array_equal(run.steps, [0, 4, 8, 10])
    assert seen == [4, 8, 10]
    X, Y = recall_task(40, 3, np.random.default_rng(100))
    for step, acc in zip(run.steps, run.accuracy, strict=True):
        p = train_recall(3, cell="gru", hidden=6, steps=int(step), seed=2)
        assert acc == recall_accuracy(p, X, Y)
    start = tasks.recall_start("gru", 6, seed=2)
    np.testing.assert_array_equal(run.grad_start, tasks.state_grad_profile(start, X[:3], Y[:3]))
    np.testing.assert_array_equal(run.grad_end, tasks.state_grad_profile(p, X[:3], Y[:3]))
    assert run.grad_end.shape == (6,)


@pytest.mark.parametrize("batched", [False, True])
def test_lstm_gates_are_the_activated_gates_of_a_plain_loop(batched):
    params = init_lstm_params(5, 4, seed=3)
    params["b"] += np.random.default_rng(0).uniform(-0.5, 0.5, 16)
    rng = np.random.default_rng(1)
    X = rng.integers(0, 5, (3, 6))
    h0, s0 = rng.uniform(-0.9, 0.9, (3, 4)), rng.uniform(-2, 2, (3, 4))
    if batched:
        gates = lstm_gates(params, X, (h0, s0))
    else:
        X, h0, s0 = X[:1], h0[:1], s0[:1]
        gates = {k: v[None] for k, v in lstm_gates(params, X[0], (h0[0], s0[0])).items()}
    for b, xs in enumerate(X):
        state = (h0[b], s0[b])
        for t, ix in enumerate(xs):
            state, _, acts = reference_step("lstm", params, state, ix, gates=True)
            for name in "ifgo":
                np.testing.assert_allclose(gates[name][b, t], acts[name], rtol=1e-12,
                                           atol=1e-15)
    assert set(gates) == set("ifgo") and gates["f"].shape == (len(X), 6, 4)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_recall_answers_are_the_argmax_at_the_query(cell):
    params = tasks.recall_start(cell, hidden=6, seed=2)
    X, Y = recall_task(40, 4, np.random.default_rng(5))
    answers = tasks.recall_answers(params, X)
    for x, answer in zip(X, answers, strict=True):  # one sequence at a time, by its own forward
        logits, _ = rh_cells.get_cell(cell).forward(params, x)
        assert answer == np.argmax(logits[-1])
    assert recall_accuracy(params, X, Y) == np.mean(answers == Y[:, -1])


def test_recall_experiment_progress_bar_counts_every_training_step(capsys):
    recall_experiment((2,), arms={"GRU": {"cell": "gru"}}, seeds=(0, 1), budgets=(3, 5),
                      n_test=10, n_ratio=2, hidden=4, progress=True)
    err = capsys.readouterr().err
    assert "10/10" in err  # 1 lag x 1 arm x 2 seeds x 5 steps
