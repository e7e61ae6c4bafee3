"""Tests for rnn_helpers.experiments: sweeps and verdicts against direct computations.

Each grid result is compared with a run of ``train`` written out here (same seed, same
settings), and each verdict with the rule it states (loss >= ln K: diverged; A below B on
every seed: separated).
"""

import math

import numpy as np
import pytest

from rnn_helpers import (
    SGD,
    Adagrad,
    Adam,
    BatchStream,
    CharVocab,
    History,
    Momentum,
    evaluate,
    grad_norm,
    init_gru_params,
    init_lstm_params,
    init_params,
    load_corpus,
    loss_and_grads,
    train,
)
from rnn_helpers import experiments as ex


@pytest.fixture(scope="module")
def corpus():
    text = load_corpus("default")[:20_000]
    vocab = CharVocab.from_text(text)
    return len(vocab), vocab.encode(text)


SMALL = dict(hidden_size=8, steps=20, seq_length=10, batch_size=4, last=5)


@pytest.mark.parametrize("name, cls", [("SGD", SGD), ("Momentum", Momentum),
                                       ("Adagrad", Adagrad), ("Adam", Adam)])
def test_make_optimizer(name, cls):
    opt = ex.make_optimizer(name, 0.02)
    assert isinstance(opt, cls) and opt.lr == 0.02


def test_make_optimizer_rejects_unknown_names():
    with pytest.raises(ValueError, match="RMSprop"):
        ex.make_optimizer("RMSprop", 0.1)


def test_is_diverged_and_classify_run():
    K = 34
    assert ex.is_diverged(math.log(K), K) and ex.is_diverged(math.nan, K)
    assert ex.is_diverged(math.inf, K) and not ex.is_diverged(math.log(K) - 1e-9, K)
    v = ex.classify_run(0.556, K, 0.456)
    assert not v.diverged and v.gap == pytest.approx(0.1)
    assert str(v).startswith("0.100 nats per character above the entropy rate 0.456")
    bad = ex.classify_run(12.0, K, 0.456)
    assert bad.diverged and math.isnan(bad.gap) and "worse than guessing" in str(bad)


def test_clipped_fraction_counts_norms_above_the_bound():
    norms = [1.0, 5.0, 5.0001, 30.0]
    assert ex.clipped_fraction(norms, 5.0) == 0.5  # 5.0 itself is not clipped
    with pytest.raises(ValueError):
        ex.clipped_fraction([], 1.0)


def test_fraction_bounds():
    assert ex.fraction_bounds([0.04, 0.08]) == (0.0, pytest.approx(0.1))
    lo, hi = ex.fraction_bounds([0.993, 1.0])
    assert lo == pytest.approx(0.9) and hi == 1.0
    assert ex.fraction_bounds([0.1, 0.2]) == (pytest.approx(0.1), pytest.approx(0.2))


def test_grad_norm_per_char():
    np.testing.assert_allclose(ex.grad_norm_per_char([10.0, 50.0], 25), [0.4, 2.0])


def test_grad_norms_by_length_matches_loss_and_grads(corpus):
    K, data = corpus
    p = init_params(K, 8, seed=2)
    got = ex.grad_norms_by_length(p, data, [5, 20], batch_size=3, windows=2, warmup=1, seed=4)
    offset = int(np.random.default_rng(4).integers(2**31))
    for T in (5, 20):
        stream = BatchStream(data, 3, T, offset=offset)
        h, want = np.zeros((3, 8)), []
        for i in range(3):  # one warm-up window, then two measured, the state carried
            X, Y, _ = stream.next()
            _, grads, h = loss_and_grads(p, X, Y, h)
            if i >= 1:
                want.append(grad_norm(grads))
        np.testing.assert_allclose(got[T], want, rtol=1e-12)


def test_run_grid_matches_train_run_by_hand(corpus):
    K, data = corpus
    arms = {"adam": dict(optimizer="Adam", lr=0.01, clip_norm=5.0),
            "sgd": dict(optimizer="SGD", lr=0.05, clip=1.0)}
    grid = ex.run_grid(data, K, arms, [0, 3], keep=["sgd"], **SMALL)
    assert grid.losses.shape == (2, 2) and grid.labels == ["adam", "sgd"]
    p = init_params(K, 8, seed=3)
    h = train(p, data, optimizer=SGD(0.05), steps=20, seq_length=10, batch_size=4, clip=1.0,
              seed=3, progress=False)
    assert grid.losses[1, 1] == float(np.mean(h.losses[-5:]))
    assert set(grid.histories) == {("sgd", 0), ("sgd", 3)}
    assert grid.histories["sgd", 3].losses == h.losses
    assert not grid.diverged.any() and grid.spread(0).n == 2


def test_run_grid_records_a_raised_divergence_as_inf(corpus, monkeypatch):
    K, data = corpus

    def explode(*args, **kwargs):
        raise FloatingPointError("training diverged at step 2")

    monkeypatch.setattr(ex, "train", explode)
    grid = ex.run_grid(data, K, {"x": dict(optimizer="SGD", lr=1.0)}, [0, 1], **SMALL)
    assert np.all(np.isinf(grid.losses)) and grid.n_diverged(0) == 2
    assert grid.verdict(0) == "diverged on 2 of 2 seeds" and grid.spread(0) is None


def test_lr_sweep_one_row_per_rate(corpus):
    K, data = corpus
    grid = ex.lr_sweep(data, K, "Adam", [1e-3, 1e-2], [0, 1, 2], clip_norm=5.0, **SMALL)
    assert grid.labels == [1e-3, 1e-2] and grid.losses.shape == (2, 3)
    one = ex.run_grid(data, K, {"a": dict(optimizer="Adam", lr=1e-2, clip_norm=5.0)},
                      [0, 1, 2], **SMALL)  # the sweep's row is the arm with that rate
    np.testing.assert_array_equal(grid.losses[1], one.losses[0])
    with pytest.raises(ValueError, match="distinct"):
        ex.lr_sweep(data, K, "SGD", [0.1, 0.1], [0], **SMALL)


def _grid(losses, labels, K=34):
    losses = np.asarray(losses, float)
    return ex.Grid(list(labels), list(range(losses.shape[1])), losses, K)


def test_best_settings_skips_rates_where_any_seed_diverged():
    sweeps = {
        "A": _grid([[1.0, 1.1, 0.9], [0.5, 0.6, 9.0]], [0.1, 0.3]),  # 0.3 diverged once
        "B": _grid([[0.8, 0.7, 0.75], [0.6, 0.65, 0.7]], [0.01, 0.03]),
        "C": _grid([[np.inf, 5.0, 4.0]], [1.0]),  # every rate diverged
    }
    best = ex.best_settings(sweeps)
    assert [(b.name, b.lr, b.index) for b in best] == [("B", 0.03, 1), ("A", 0.1, 0)]
    assert best[0].mean == pytest.approx(0.65)


def test_paired_wins_and_ranking_summary():
    assert ex.paired_wins([1, 2, 3], [2, 2, 4]) == 2
    with pytest.raises(ValueError):
        ex.paired_wins([1, 2], [1, 2, 3])
    best = ex.best_settings({"A": _grid([[0.5, 0.6, 0.7]], [0.1]),
                             "B": _grid([[0.6, 0.7, 0.8]], [0.01]),
                             "C": _grid([[0.61, 0.69, 0.9]], [1.0])})
    text = ex.ranking_summary(best).splitlines()
    assert text[0] == "lowest final loss: A at lr 0.1"
    assert text[1] == "A (lr 0.1) ends below B (lr 0.01) on 3 of 3 seeds"
    assert text[2].endswith("on 2 of 3 seeds: the spread covers the difference")


def test_grid_verdict():
    grid = _grid([[0.734, 0.726, 0.730], [8.0, np.inf, 20.0]], ["norm 20", "none"])
    assert grid.verdict(0) == "trained on 3 of 3 seeds, final loss about 0.7"
    assert grid.verdict(1) == "diverged on 3 of 3 seeds"


def test_history_import_is_the_train_one():
    assert ex.History is History


def test_ranking_at_sorts_by_mean_at_the_given_rates_and_puts_divergence_last():
    sweeps = {"A": _grid([[1.0, 1.0, 1.0], [0.5, 0.5, 0.5]], [0.1, 0.3]),
              "B": _grid([[0.7, 0.8, 0.9], [9.0, 0.1, 0.1]], [0.01, 0.03]),  # 0.03 diverged
              "C": _grid([[0.9, 0.9, 0.9]], [1.0])}
    assert ex.ranking_at(sweeps, {"A": 0.1, "B": 0.01, "C": 1.0}) == ["B", "C", "A"]
    assert ex.ranking_at(sweeps, {"A": 0.3, "B": 0.03, "C": 1.0}) == ["A", "C", "B"]
    with pytest.raises(ValueError, match="not in the sweep"):
        ex.ranking_at(sweeps, {"A": 0.2})


# --- the training panel's maths ---------------------------------------------------------


def _grads(seed=0):
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(size=(3, 3)), "c": rng.normal(size=2)}


def test_per_character_sgd_is_sgd_at_lr_over_t_and_leaves_grads_alone():
    grads = _grads()
    kept = {k: g.copy() for k, g in grads.items()}
    a, b = _grads(1), _grads(1)
    ex.PerCharacter(SGD(2.5), 25).step(a, grads)
    SGD(0.1).step(b, grads)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-14)
        np.testing.assert_array_equal(grads[k], kept[k])
    with pytest.raises(ValueError, match="seq_length"):
        ex.PerCharacter(SGD(0.1), 0)
    assert ex.PerCharacter(Adam(0.01), 4).lr == 0.01


@pytest.mark.parametrize("cls", [Adam, Adagrad])
def test_per_character_barely_changes_scale_free_optimisers(cls):
    a, b = _grads(1), _grads(1)
    wrapped, plain = ex.PerCharacter(cls(0.01), 100), cls(0.01)
    for s in range(3):
        grads = _grads(10 + s)
        wrapped.step(a, grads)
        plain.step(b, grads)
    for k in a:  # only eps (1e-8, added to m ~ g^2 / T^2 ~ 1e-4) sees the gradient's scale
        np.testing.assert_allclose(a[k], b[k], rtol=1e-3)
    moved = {k: np.abs(a[k] - _grads(1)[k]) for k in a}  # the steps themselves are not tiny
    assert min(float(m.max()) for m in moved.values()) > 1e-3


def test_panel_clip_kwargs():
    assert ex.panel_clip_kwargs("none", 5.0) == {"clip": None, "clip_norm": None}
    # the value is per character: the bound on the summed loss's gradient is value x T
    assert ex.panel_clip_kwargs("norm", 0.8, 25) == {"clip": None, "clip_norm": 20.0}
    assert ex.panel_clip_kwargs("element-wise", 0.2, 100) == {"clip": 20.0, "clip_norm": None}
    with pytest.raises(ValueError, match="unknown clipping"):
        ex.panel_clip_kwargs("global", 1.0)


def test_train_config_defaults_and_checks():
    c = ex.train_config(hidden_size=32, lr=0.1, optimizer="Adagrad", steps=10)
    assert c["hidden_size"] == 32 and c["optimizer"] == "Adagrad" and c["steps"] == 10
    assert c["batch_size"] >= 8 and c["dtype"] == "float64" and c["seed"] == 0
    for bad, match in [({"seed": -1}, "seed"), ({"steps": 0}, "steps"),
                       ({"hidden_size": 2.5}, "hidden_size"), ({"optimizer": "RMSprop"}, "RMSprop"),
                       ({"lr": -1.0}, "lr must be positive"), ({"clipping": "global"}, "clipping")]:
        with pytest.raises(ValueError, match=match):
            ex.train_config(**bad)


def test_train_from_config_is_train_on_the_per_character_gradient(corpus):
    K, data = corpus
    c = ex.train_config(hidden_size=8, steps=15, seq_length=10, batch_size=4, optimizer="SGD",
                        lr=0.5, clipping="norm", clip_value=0.3, seed=2)
    seen = []
    p1, h1 = ex.train_from_config(c, data, K, callback=lambda s, h: seen.append(s))
    # by hand: SGD at lr / T on the summed loss's gradient, clipped at value x T
    p2 = init_params(K, 8, seed=2)
    h2 = train(p2, data, optimizer=SGD(0.05), steps=15, seq_length=10, batch_size=4, clip=None,
               clip_norm=3.0, seed=2, progress=False)
    assert seen == list(range(15))
    np.testing.assert_allclose(h1.losses, h2.losses, rtol=1e-10)
    np.testing.assert_allclose(p1["W"], p2["W"], rtol=1e-10)
    assert h1.beta == 0.0  # 15 steps: no smoothing (steps / 20 < 1)


def test_train_from_config_smooths_over_about_a_twentieth_of_the_run(corpus):
    K, data = corpus
    _, h = ex.train_from_config(ex.train_config(hidden_size=8, steps=100, seq_length=10), data, K)
    assert h.beta == pytest.approx(0.8)  # a 5-step average, not 100 steps of lag


def test_run_grid_per_char_arm_is_the_panel_run(corpus):
    K, data = corpus
    arm = {"optimizer": "SGD", "lr": 0.5, "clip_norm": 0.3, "per_char": True, "seq_length": 12}
    grid = ex.run_grid(data, K, {"p": arm}, [1], keep=["p"], hidden_size=8, steps=20,
                       seq_length=5, batch_size=4, last=5)
    c = ex.train_config(hidden_size=8, steps=20, seq_length=12, batch_size=4, optimizer="SGD",
                        lr=0.5, clipping="norm", clip_value=0.3, seed=1)
    _, h = ex.train_from_config(c, data, K)
    assert grid.histories["p", 1].losses == h.losses
    assert grid.histories["p", 1].grad_norms == h.grad_norms


def test_panel_clipped_fraction_only_for_norm_clipping():
    h = History()
    for n in [10.0, 30.0, 12.0, 50.0]:
        h.record(1.0, n, 10)
    norm = ex.train_config(seq_length=25, clip_value=0.8)
    assert ex.panel_clipped_fraction(h, norm) == 0.5  # 30 and 50 exceed 0.8 x 25
    assert ex.panel_clipped_fraction(h, ex.train_config(clipping="element-wise")) is None
    assert ex.panel_clipped_fraction(h, ex.train_config(clipping="none")) is None
    assert ex.panel_clipped_fraction(History(), norm) is None


# --- compare_cells (notebook 08) ----------------------------------------------------------


@pytest.mark.parametrize("cell, init", [("rnn", init_params), ("lstm", init_lstm_params),
                                        ("gru", init_gru_params)])
@pytest.mark.parametrize("K, H", [(5, 3), (34, 64)])
def test_param_count_counts_the_initialised_arrays(cell, init, K, H):
    assert ex.param_count(cell, K, H) == sum(p.size for p in init(K, H, seed=0).values())


def test_param_count_rejects_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size"):
        ex.param_count("rnn", 34, 0)
    with pytest.raises(ValueError, match="cell must be one of"):
        ex.param_count("transformer", 34, 8)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("n_params", [1, 100, 8546, 27_554, 100_000])
def test_matched_hidden_size_is_the_nearest_count_by_search(cell, n_params):
    counts = {H: ex.param_count(cell, 34, H) for H in range(1, 400)}
    best = min(counts, key=lambda H: (abs(counts[H] - n_params), H))  # ties: smaller H
    assert ex.matched_hidden_size(cell, 34, n_params) == best


def test_matched_hidden_size_of_an_rnn_count_is_that_rnn():
    assert ex.matched_hidden_size("rnn", 34, ex.param_count("rnn", 34, 64)) == 64


CELL_SMALL = dict(steps=12, seq_length=8, batch_size=4, eval_every=4, progress=False)


def test_compare_cells_matches_train_run_by_hand(corpus):
    K, data = corpus
    train_data, val_data = data[:15_000], data[15_000:17_000]
    res = ex.compare_cells(train_data, val_data, K, ["rnn", "lstm", "gru"], [0, 2],
                           hidden_size={"rnn": 9, "lstm": 4, "gru": 5},
                           lr={"rnn": 0.01, "lstm": 0.03, "gru": 0.02}, clip_norm=3.0,
                           **CELL_SMALL)
    assert res.cells == ["rnn", "lstm", "gru"] and res.seeds == [0, 2]
    assert res.val_losses.shape == (3, 2)
    for cell, init, H, lr in [("rnn", init_params, 9, 0.01), ("lstm", init_lstm_params, 4, 0.03),
                              ("gru", init_gru_params, 5, 0.02)]:
        p = init(K, H, seed=2)
        h = train(p, train_data, optimizer=Adam(lr), steps=12, seq_length=8, batch_size=4,
                  clip=None, clip_norm=3.0, seed=2, progress=False, val_data=val_data,
                  eval_every=4)
        assert res.histories[cell, 2].losses == h.losses
        assert res.histories[cell, 2].val_steps == [0, 4, 8, 12]
        assert res.histories[cell, 2].val_losses[0] == evaluate(init(K, H, seed=2), val_data,
                                                                seq_length=8)
        assert res.histories[cell, 2].val_losses[1:] == h.val_losses
        assert res.losses(cell)[1] == h.val_losses[-1]
        assert res.losses(cell)[1] == evaluate(p, val_data, seq_length=8)
        for k in p:
            np.testing.assert_array_equal(res.params[cell, 2][k], p[k])
        assert res.param_counts[cell] == sum(x.size for x in p.values())
        assert res.hidden_sizes[cell] == H and res.lrs[cell] == lr
        assert res.seconds[cell] > 0
    assert res.spread("gru").n == 2 and res.diverged("lstm") == 0


def test_compare_cells_one_setting_for_all_cells(corpus):
    K, data = corpus
    res = ex.compare_cells(data[:15_000], data[15_000:16_000], K, ["gru", "rnn"], [1],
                           hidden_size=6, lr=0.02, **CELL_SMALL)
    assert res.hidden_sizes == {"gru": 6, "rnn": 6} and res.lrs == {"gru": 0.02, "rnn": 0.02}
    p = init_gru_params(K, 6, seed=1)
    h = train(p, data[:15_000], optimizer=Adam(0.02), steps=12, seq_length=8, batch_size=4,
              clip=None, clip_norm=50.0, seed=1, progress=False)  # the default guard
    assert res.histories["gru", 1].losses == h.losses


def test_compare_cells_records_a_divergence_as_inf(corpus, monkeypatch):
    K, data = corpus

    def explode(*args, **kwargs):
        raise FloatingPointError("training diverged at step 2")

    monkeypatch.setattr(ex, "train", explode)
    res = ex.compare_cells(data[:15_000], data[15_000:16_000], K, ["lstm"], [0, 1],
                           hidden_size=4, **CELL_SMALL)
    assert np.all(np.isinf(res.val_losses)) and res.diverged("lstm") == 2
    assert res.spread("lstm") is None


def test_compare_cells_rejects_bad_arguments(corpus):
    K, data = corpus
    args = (data[:15_000], data[15_000:16_000], K)
    with pytest.raises(ValueError, match="distinct"):
        ex.compare_cells(*args, ["rnn", "rnn"], [0], **CELL_SMALL)
    with pytest.raises(ValueError, match="cell must be one of"):
        ex.compare_cells(*args, ["rnn", "elman"], [0], **CELL_SMALL)
    with pytest.raises(ValueError, match="hidden_size has no value for gru"):
        ex.compare_cells(*args, ["rnn", "gru"], [0], hidden_size={"rnn": 4}, **CELL_SMALL)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        ex.compare_cells(*args, ["rnn"], [0], hidden_size=0, **CELL_SMALL)
    with pytest.raises(ValueError, match="seeds"):
        ex.compare_cells(*args, ["rnn"], [], **CELL_SMALL)


def _comparison(losses, cells=("rnn", "lstm", "gru")):
    losses = np.asarray(losses, float)
    cells = list(cells)
    return ex.CellComparison(cells, list(range(losses.shape[1])), dict.fromkeys(cells, 8),
                             dict.fromkeys(cells, 100), dict.fromkeys(cells, 0.01), losses)


def test_cell_comparison_verdicts_follow_the_paired_seeds():
    res = _comparison([[0.50, 0.52, 0.51], [0.49, 0.50, 0.50], [0.51, 0.50, 0.52]])
    assert res.wins("lstm", "rnn") == 3 and res.wins("gru", "rnn") == 1
    assert res.verdict("lstm", "rnn") == "LSTM ends below RNN on every seed (3 of 3)"
    assert res.verdict("rnn", "lstm") == "RNN ends above LSTM on every seed (3 of 3)"
    assert res.verdict("gru", "rnn") == ("GRU ends below RNN on 1 of 3 seeds: "
                                         "the spread covers the difference")
    s = res.spread("gru")
    assert s.mean == pytest.approx((0.51 + 0.50 + 0.52) / 3) and s.n == 3
    with pytest.raises(ValueError, match="no cell 'transformer'"):
        res.losses("transformer")
