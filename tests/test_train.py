"""Tests for rnn_helpers.train: the training loop, its History, and evaluate().

Reference values are computed here with plain NumPy: the forward pass and per-character
loss written out from the equations, gradients by centred finite differences, the
optimiser update and the smoothed curve from their formulas.
"""

import math
import warnings

import numpy as np
import pytest
from cases import make_model, reference_row_loss, reference_zero_state

from rnn_helpers import (
    SGD,
    Adagrad,
    Adam,
    CharVocab,
    History,
    evaluate,
    init_params,
    load_corpus,
    train,
)


@pytest.fixture(scope="module")
def corpus():
    text = load_corpus("default")[:24_000]
    vocab = CharVocab.from_text(text)
    data = vocab.encode(text)
    return vocab, data[:20_000], data[20_000:]


def _copy(p):
    return {k: v.copy() for k, v in p.items()}


def _row_loss(p, xs, ys, h):
    """Sum over a row of -log softmax(o_t)[y_t], with h_t = tanh(U[:, x] + W h + b)."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        h = np.tanh(p["U"][:, x] + p["W"] @ h + p["b"])
        o = p["V"] @ h + p["c"]
        m = o.max()
        total += m + math.log(np.exp(o - m).sum()) - o[y]
    return total, h


def _window_loss(p, X, Y):
    """The training loss of a (B, T) window from zero states: sum over time, mean over rows."""
    H = p["W"].shape[0]
    return sum(_row_loss(p, X[b], Y[b], np.zeros(H))[0] for b in range(len(X))) / len(X)


def _numeric_grads(f, p, eps=1e-6):
    grads = {}
    for k, x in p.items():
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + eps
            fp = f()
            x[i] = old - eps
            fm = f()
            x[i] = old
            g[i] = (fp - fm) / (2 * eps)
        grads[k] = g
    return grads


def _ema(losses, beta=0.99):
    out, e = [], 0.0
    for n, L in enumerate(losses, start=1):
        e = beta * e + (1 - beta) * L
        out.append(e / (1 - beta**n))
    return out


class NoOp:
    """An 'optimiser' that leaves the parameters alone."""

    def step(self, params, grads):
        pass


# --- learning ---------------------------------------------------------------------------


def test_train_lowers_the_loss_and_returns_a_history(corpus):
    vocab, data, _ = corpus
    K = len(vocab)
    params = init_params(K, 32, seed=0)
    steps, T, B = 300, 25, 4
    hist = train(params, data, optimizer=Adagrad(0.1), steps=steps, seq_length=T,
                 batch_size=B, progress=False)
    assert isinstance(hist, History)
    assert len(hist.losses) == len(hist.grad_norms) == len(hist.smooth) == steps
    assert hist.steps == steps
    assert hist.chars == steps * B * T
    assert abs(hist.losses[0] - math.log(K)) < 0.1  # small initial weights: near uniform
    first, last = np.mean(hist.losses[:20]), np.mean(hist.losses[-20:])
    assert last < first - 0.5, (first, last)
    assert all(math.isfinite(x) and x > 0 for x in hist.losses)
    assert all(math.isfinite(x) and x >= 0 for x in hist.grad_norms)
    np.testing.assert_allclose(hist.smooth, _ema(hist.losses), rtol=1e-12)
    assert hist.smooth[0] == pytest.approx(hist.losses[0], rel=1e-12)  # bias-corrected
    assert hist.seconds > 0 and hist.chars_per_second > 0


def test_same_seed_same_losses_different_seed_different_losses(corpus):
    vocab, data, _ = corpus
    p0 = init_params(len(vocab), 16, seed=1)
    runs = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        runs[name] = train(_copy(p0), data, optimizer=Adam(3e-3), steps=30, seq_length=16,
                           batch_size=2, seed=seed, progress=False).losses
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


# --- the first step, against a hand computation -------------------------------------------


def _tiny_problem():
    K, H, T, B = 5, 4, 6, 3
    rng = np.random.default_rng(11)
    # B * T + 1 characters: one window per pass, row b reads data[b*T : b*T + T + 1]
    data = rng.integers(0, K, B * T + 1)
    X = np.stack([data[b * T: b * T + T] for b in range(B)])
    Y = np.stack([data[b * T + 1: b * T + T + 1] for b in range(B)])
    params = init_params(K, H, seed=12)
    params["b"] = rng.normal(0, 0.1, H)
    params["c"] = rng.normal(0, 0.1, K)
    return params, data, X, Y, T, B


@pytest.mark.parametrize("clip_kind", ["none", "elementwise", "norm"])
def test_first_step_matches_a_hand_computation(clip_kind):
    params, data, X, Y, T, B = _tiny_problem()
    p0 = _copy(params)
    work = _copy(params)
    loss = _window_loss(work, X, Y)
    g = _numeric_grads(lambda: _window_loss(work, X, Y), work)
    gnorm = math.sqrt(sum(float(np.sum(v**2)) for v in g.values()))
    lr = 0.1
    if clip_kind == "none":
        kw, applied = {"clip": None}, g
    elif clip_kind == "elementwise":
        bound = 0.01
        kw = {"clip": bound}
        applied = {k: np.minimum(np.maximum(v, -bound), bound) for k, v in g.items()}
        assert any((np.abs(v) > bound).any() for v in g.values())  # clipping is active
    else:
        kw = {"clip": None, "clip_norm": gnorm / 4}
        applied = {k: v / 4 for k, v in g.items()}
    hist = train(params, data, optimizer=SGD(lr), steps=1, seq_length=T, batch_size=B,
                 progress=False, **kw)
    assert hist.losses[0] == pytest.approx(loss / T, rel=1e-12)  # per character
    assert hist.grad_norms[0] == pytest.approx(gnorm, rel=1e-6)  # before clipping
    for k in params:
        np.testing.assert_allclose(params[k], p0[k] - lr * applied[k], rtol=1e-6, atol=1e-9,
                                   err_msg=k)


# --- validation, callback, dtypes, continuation -----------------------------------------


def test_val_data_is_evaluated_every_eval_every_and_at_the_end(corpus):
    vocab, data, val = corpus
    params = init_params(len(vocab), 16, seed=2)
    hist = train(params, data, optimizer=Adagrad(0.1), steps=50, seq_length=16, batch_size=2,
                 val_data=val, eval_every=20, progress=False)
    assert hist.val_steps == [20, 40, 50]
    assert len(hist.val_losses) == 3
    assert hist.val_losses[-1] == pytest.approx(evaluate(params, val, seq_length=16), rel=1e-12)
    assert all(0 < v < math.log(len(vocab)) + 0.5 for v in hist.val_losses)


def test_val_default_schedule_is_ten_times_per_run(corpus):
    vocab, data, val = corpus
    params = init_params(len(vocab), 8, seed=2)
    hist = train(params, data, optimizer=Adagrad(0.1), steps=30, seq_length=8,
                 val_data=val[:2000], progress=False)
    assert hist.val_steps == list(range(3, 31, 3))


def test_no_val_data_no_val_losses(corpus):
    vocab, data, _ = corpus
    hist = train(init_params(len(vocab), 8, seed=0), data, optimizer=SGD(0.1), steps=5,
                 seq_length=8, progress=False)
    assert hist.val_steps == [] and hist.val_losses == []


def test_callback_once_per_step(corpus):
    vocab, data, _ = corpus
    calls = []

    def cb(step, history):
        calls.append((step, history.steps, history.losses[-1]))

    hist = train(init_params(len(vocab), 8, seed=0), data, optimizer=SGD(0.1), steps=12,
                 seq_length=8, progress=False, callback=cb)
    assert [c[0] for c in calls] == list(range(12))
    assert [c[1] for c in calls] == list(range(1, 13))  # the history is up to date
    assert [c[2] for c in calls] == hist.losses


def test_float32_params_stay_float32(corpus):
    vocab, data, _ = corpus
    params = init_params(len(vocab), 16, seed=0, dtype=np.float32)
    objs = dict(params)
    hist = train(params, data, optimizer=Adagrad(0.1), steps=100, seq_length=16,
                 batch_size=2, progress=False)
    for k, v in params.items():
        assert v is objs[k]
        assert v.dtype == np.float32
        assert np.isfinite(v).all()
    assert np.mean(hist.losses[-10:]) < np.mean(hist.losses[:10])


def test_history_continues(corpus):
    vocab, data, val = corpus
    params = init_params(len(vocab), 8, seed=0)
    opt = Adagrad(0.1)
    steps_seen = []

    def cb(step, history):
        steps_seen.append(step)

    h1 = train(params, data, optimizer=opt, steps=40, seq_length=8, progress=False,
               val_data=val[:1000], eval_every=20, callback=cb)
    h2 = train(params, data, optimizer=opt, steps=30, seq_length=8, progress=False,
               val_data=val[:1000], eval_every=20, callback=cb, history=h1)
    assert h2 is h1
    assert len(h2.losses) == len(h2.grad_norms) == len(h2.smooth) == 70
    assert steps_seen == list(range(70))
    assert h2.val_steps == [20, 40, 60, 70]
    assert h2.chars == 70 * 8
    np.testing.assert_allclose(h2.smooth, _ema(h2.losses), rtol=1e-12)


def test_continued_training_reads_new_windows(corpus):
    """With W = 0 (no recurrence) and a no-op optimiser a step's loss depends only on its
    window, so a run split in two must give the losses of one uninterrupted run."""
    vocab, data, _ = corpus
    params = init_params(len(vocab), 8, seed=1)
    params["W"][:] = 0.0
    kw = {"optimizer": NoOp(), "seq_length": 8, "batch_size": 2, "progress": False}
    whole = train(params, data, steps=10, **kw).losses
    half = train(params, data, steps=5, **kw)
    train(params, data, steps=5, history=half, **kw)
    assert half.losses[:5] == whole[:5]
    np.testing.assert_allclose(half.losses[5:], whole[5:], rtol=1e-12)


# --- blow-ups ---------------------------------------------------------------------------


def test_non_finite_loss_names_the_step(corpus):
    vocab, data, _ = corpus
    params = init_params(len(vocab), 8, seed=0)
    params["V"][0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="step 0"):
        train(params, data, optimizer=SGD(0.1), steps=5, seq_length=8, progress=False)
    params = init_params(len(vocab), 8, seed=0)
    hist = train(params, data, optimizer=SGD(0.1), steps=5, seq_length=8, progress=False)
    params["c"][0] = np.nan
    with pytest.raises(FloatingPointError, match="step 5"):
        train(params, data, optimizer=SGD(0.1), steps=5, seq_length=8, progress=False,
              history=hist)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_huge_learning_rate_without_clipping_raises(corpus):
    vocab, data, _ = corpus
    params = init_params(len(vocab), 16, seed=0)
    with pytest.raises(FloatingPointError, match=r"step \d+"):
        train(params, data, optimizer=SGD(1e308), steps=20, seq_length=16, clip=None,
              progress=False)


@pytest.mark.parametrize("how", ["huge_lr", "inf_param"])
def test_blow_up_raises_floatingpointerror_without_warnings(corpus, how):
    vocab, data, _ = corpus
    params = init_params(len(vocab), 16, seed=0)
    lr = 1e308 if how == "huge_lr" else 0.1
    if how == "inf_param":
        params["c"][0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(FloatingPointError, match=r"step \d+"):
            train(params, data, optimizer=SGD(lr), steps=20, seq_length=16, clip=None,
                  progress=False)


# --- argument checks --------------------------------------------------------------------


@pytest.mark.parametrize("override", [
    {"steps": 0}, {"steps": -3}, {"steps": 2.5}, {"steps": True},
    {"seq_length": -1}, {"seq_length": 0}, {"batch_size": 0},
    {"optimizer": None}, {"optimizer": "adam"},
    {"clip": 0}, {"clip": -1.0}, {"clip": float("nan")}, {"clip": True}, {"clip_norm": 0},
    {"batch_size": 5000},  # the corpus cannot fill that many rows
], ids=str)
def test_bad_arguments(corpus, override):
    vocab, data, _ = corpus
    params = init_params(len(vocab), 8, seed=0)
    saved = _copy(params)
    kw = {"optimizer": SGD(0.1), "steps": 3, "seq_length": 8, "progress": False}
    kw.update(override)
    with pytest.raises((ValueError, TypeError)):
        train(params, data, **kw)
    for k in params:
        np.testing.assert_array_equal(params[k], saved[k])


@pytest.mark.parametrize("bad", ["too_big", "negative", "float", "2d"])
def test_data_outside_the_vocabulary(corpus, bad):
    vocab, data, _ = corpus
    K = len(vocab)
    params = init_params(K, 8, seed=0)
    bad_data = {
        "too_big": np.r_[data[:500], K],
        "negative": np.r_[-1, data[:500]],
        "float": data[:500].astype(float),
        "2d": data[:500].reshape(2, 250),
    }[bad]
    with pytest.raises((ValueError, TypeError)):
        train(params, bad_data, optimizer=SGD(0.1), steps=2, seq_length=8, progress=False)


def test_bad_eval_every(corpus):
    vocab, data, val = corpus
    with pytest.raises(ValueError, match="eval_every"):
        train(init_params(len(vocab), 8, seed=0), data, optimizer=SGD(0.1), steps=3,
              seq_length=8, val_data=val[:500], eval_every=-1, progress=False)


# --- evaluate ---------------------------------------------------------------------------


def _reference_evaluate(p, data, B):
    """Mean loss per character over B contiguous rows, each read from a zero state."""
    n = (len(data) - 1) // B
    H = p["W"].shape[0]
    total = 0.0
    for b in range(B):
        xs = data[b * n: (b + 1) * n]
        ys = data[b * n + 1: (b + 1) * n + 1]
        total += _row_loss(p, xs, ys, np.zeros(H))[0]
    return total / (B * n)


def _random_model(K, H, seed):
    rng = np.random.default_rng(seed)
    return {"U": rng.normal(0, 1, (H, K)), "W": rng.normal(0, 0.5, (H, H)),
            "V": rng.normal(0, 1, (K, H)), "b": rng.normal(0, 0.1, H),
            "c": rng.normal(0, 0.3, K)}


@pytest.mark.parametrize(("N", "B", "T"), [(121, 4, 7), (121, 4, 30), (50, 1, 9), (123, 4, 5),
                                           (301, 16, 100), (2, 1, 1)])
def test_evaluate_matches_a_plain_numpy_forward(N, B, T):
    K, H = 6, 5
    p = _random_model(K, H, seed=N + T)
    data = np.random.default_rng(N).integers(0, K, N)
    expected = _reference_evaluate(p, data, B)
    saved = _copy(p)
    got = evaluate(p, data, seq_length=T, batch_size=B)
    assert abs(got - expected) <= 1e-10
    for k in p:
        np.testing.assert_array_equal(p[k], saved[k])


@pytest.mark.parametrize("K", [2, 7, 34])
def test_evaluate_uniform_model_is_log_k(K):
    p = init_params(K, 5, seed=0)
    p["V"][:] = 0.0
    p["c"][:] = 0.0
    data = np.random.default_rng(K).integers(0, K, 500)
    assert evaluate(p, data, seq_length=13) == pytest.approx(math.log(K), rel=1e-14)


def test_evaluate_bad_data():
    p = init_params(4, 3, seed=0)
    with pytest.raises(ValueError):
        evaluate(p, np.array([1]))
    with pytest.raises(ValueError):
        evaluate(p, np.array([0, 1, 4]))
    with pytest.raises(TypeError):
        evaluate(p, np.array([0.0, 1.0]))


@pytest.mark.parametrize("kw", [{"seq_length": -1}, {"batch_size": 0}, {"batch_size": -4}],
                         ids=str)
def test_evaluate_bad_sizes(kw):
    p = init_params(4, 3, seed=0)
    data = np.random.default_rng(0).integers(0, 4, 100)
    with pytest.raises(ValueError):
        evaluate(p, data, **kw)


def test_recent_loss_is_the_mean_of_the_last_steps():
    from rnn_helpers import History

    h = History()
    for loss in [4.0, 3.0, 2.0, 1.0]:
        h.record(loss, 1.0, 10)
    assert h.recent_loss(2) == pytest.approx(1.5)
    assert h.recent_loss(100) == pytest.approx(2.5)
    assert h.smooth[-1] > h.recent_loss(2)  # the moving average lags behind a falling loss
    with pytest.raises(ValueError, match="no training steps"):
        History().recent_loss()


def test_train_and_loss_and_grads_agree_to_the_last_bit():
    """train's fast path (reused buffers, time-major) does the same arithmetic as the API."""
    from rnn_helpers import SGD, BatchStream, init_params, loss_and_grads

    data = np.random.default_rng(0).integers(0, 10, 5000)
    p = init_params(10, 8, seed=0)
    q = {k: v.copy() for k, v in p.items()}
    history = train(p, data, optimizer=SGD(0.1), steps=5, seq_length=7, batch_size=4,
                    clip=None, progress=False, seed=1)
    stream = BatchStream(data, 4, 7, offset=int(np.random.default_rng(1).integers(2**31)))
    h, opt = None, SGD(0.1)
    for i in range(5):
        X, Y, reset = stream.next()
        loss, grads, h = loss_and_grads(q, X, Y, None if reset else h)
        opt.step(q, grads)
        assert loss / 7 == history.losses[i]
    assert all(np.array_equal(p[k], q[k]) for k in p)


def test_training_windows_are_the_windows_train_reads():
    """One source of batches: train's losses come from training_windows' windows, in order,
    and a continued run resumes at the window given by skip."""
    from rnn_helpers import SGD, init_params, loss_and_grads, training_windows

    data = np.random.default_rng(0).integers(0, 10, 3000)
    p = init_params(10, 8, seed=0)
    q = {k: v.copy() for k, v in p.items()}
    history = train(p, data, optimizer=SGD(0.1), steps=6, seq_length=7, batch_size=4,
                    clip=None, progress=False, seed=3)
    stream, h, opt = training_windows(data, 4, 7, seed=3), None, SGD(0.1)
    for i in range(6):
        X, Y, reset = stream.next()
        loss, grads, h = loss_and_grads(q, X, Y, None if reset else h)
        opt.step(q, grads)
        assert loss / 7 == history.losses[i]
    later = training_windows(data, 4, 7, seed=3, skip=6).next()
    assert all(np.array_equal(a, b) for a, b in zip(stream.next(), later, strict=True))


# --- the gated cells: LSTM and GRU ---------------------------------------------------------

GATED = ("lstm", "gru")


def _state_of_row(state, b):
    """Row b of a batched state: h[b], or (h[b], s[b]) for the LSTM."""
    return tuple(x[b] for x in state) if isinstance(state, tuple) else state[b]


@pytest.mark.parametrize("cell", GATED)
def test_gated_first_step_matches_a_hand_computation(cell):
    """The loss from a loop written from the equations, its gradient by centred
    differences, and one SGD step with norm clipping: train does exactly that."""
    K, H, T, B = 5, 4, 6, 3
    data = np.random.default_rng(11).integers(0, K, B * T + 1)
    X = np.stack([data[b * T: b * T + T] for b in range(B)])
    Y = np.stack([data[b * T + 1: b * T + T + 1] for b in range(B)])
    params = make_model(cell, K, H, seed=12)
    p0, work = _copy(params), _copy(params)

    def window_loss():
        return sum(reference_row_loss(cell, work, X[b], Y[b], reference_zero_state(cell, H))[0]
                   for b in range(B)) / B

    loss = window_loss()
    g = _numeric_grads(window_loss, work)
    gnorm = math.sqrt(sum(float(np.sum(v**2)) for v in g.values()))
    hist = train(params, data, optimizer=SGD(0.1), steps=1, seq_length=T, batch_size=B,
                 clip=None, clip_norm=gnorm / 4, progress=False)
    assert hist.losses[0] == pytest.approx(loss / T, rel=1e-12)
    assert hist.grad_norms[0] == pytest.approx(gnorm, rel=1e-6)
    for k in params:
        np.testing.assert_allclose(params[k], p0[k] - 0.1 * g[k] / 4, rtol=1e-6, atol=1e-9,
                                   err_msg=k)


@pytest.mark.parametrize("cell", GATED)
def test_gated_state_is_carried_across_windows_and_reset_at_the_wrap(cell):
    """With a no-op optimiser, every step's loss equals a loop written from the equations
    that reads each row on from the state its last window ended with (the LSTM's (h, s)),
    from zeros again when the rows wrap round (training_windows' reset)."""
    from rnn_helpers import training_windows

    K, H, T, B, steps = 6, 5, 7, 2, 12
    data = np.random.default_rng(2).integers(0, K, 80)  # 80 // 2 // 7: a wrap every 5 steps
    params = make_model(cell, K, H, seed=3)
    hist = train(params, data, optimizer=NoOp(), steps=steps, seq_length=T, batch_size=B,
                 progress=False, seed=4)
    stream = training_windows(data, B, T, seed=4)
    states, resets = [reference_zero_state(cell, H)] * B, 0
    for i in range(steps):
        X, Y, reset = stream.next()
        if reset:
            states, resets = [reference_zero_state(cell, H)] * B, resets + 1
        rows = [reference_row_loss(cell, params, X[b], Y[b], states[b]) for b in range(B)]
        states = [r[1] for r in rows]
        assert hist.losses[i] == pytest.approx(sum(r[0] for r in rows) / B / T, rel=1e-12), i
    assert resets >= 2
    # the state the run ended with: (B, H) per part, the LSTM's a pair
    assert isinstance(hist.hidden, tuple) == (cell == "lstm")
    for b in range(B):
        for got, ref in zip(*(x if isinstance(x, tuple) else (x,) for x in
                              (_state_of_row(hist.hidden, b), states[b])), strict=True):
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", GATED)
def test_a_continued_gated_run_equals_one_longer_run(cell, corpus):
    """12 steps of Adam in one run, or 5 then 7 continued from the History (the same
    optimiser): the same losses, norms and parameters, to the last bit."""
    vocab, data, val = corpus
    p_whole, p_split = (make_model(cell, len(vocab), 12, seed=5) for _ in range(2))
    kw = {"seq_length": 9, "batch_size": 3, "progress": False, "seed": 2, "clip": 1.0}
    whole = train(p_whole, data[:1500], optimizer=Adam(3e-3), steps=12, **kw)
    opt = Adam(3e-3)
    split = train(p_split, data[:1500], optimizer=opt, steps=5, **kw)
    train(p_split, data[:1500], optimizer=opt, steps=7, history=split, **kw)
    assert split.losses == whole.losses and split.grad_norms == whole.grad_norms
    for k in p_whole:
        np.testing.assert_array_equal(p_split[k], p_whole[k], err_msg=k)
    for a, b in zip(*(x if isinstance(x, tuple) else (x,) for x in (split.hidden, whole.hidden)),
                    strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cell", GATED)
def test_train_and_the_cells_loss_and_grads_agree_to_the_last_bit(cell):
    """train's fast path (reused buffers, time-major) does the same arithmetic as the API."""
    from rnn_helpers import training_windows
    from rnn_helpers.cells import get_cell

    data = np.random.default_rng(0).integers(0, 10, 400)
    p = make_model(cell, 10, 8, seed=0)
    q = _copy(p)
    history = train(p, data, optimizer=SGD(0.1), steps=20, seq_length=7, batch_size=4,
                    clip=None, progress=False, seed=1)
    stream, state, opt = training_windows(data, 4, 7, seed=1), None, SGD(0.1)
    for i in range(20):
        X, Y, reset = stream.next()
        loss, grads, state = get_cell(cell).loss_and_grads(q, X, Y, None if reset else state)
        opt.step(q, grads)
        assert loss / 7 == history.losses[i]
    assert all(np.array_equal(p[k], q[k]) for k in p)


@pytest.mark.parametrize("cell", GATED)
def test_gated_cells_learn_and_stay_in_their_dtype(cell, corpus):
    vocab, data, val = corpus
    params = make_model(cell, len(vocab), 32, seed=0, dtype=np.float32)
    objs = dict(params)
    hist = train(params, data, optimizer=Adam(1e-2), steps=150, seq_length=25, batch_size=4,
                 val_data=val, eval_every=150, progress=False)
    assert abs(hist.losses[0] - math.log(len(vocab))) < 0.15
    assert np.mean(hist.losses[-20:]) < np.mean(hist.losses[:20]) - 0.7
    assert hist.val_losses[0] < math.log(len(vocab)) - 0.7
    for k, v in params.items():
        assert v is objs[k] and v.dtype == np.float32 and np.isfinite(v).all()
    assert all(x.dtype == np.float32 for x in
               (hist.hidden if isinstance(hist.hidden, tuple) else (hist.hidden,)))


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize(("N", "B", "T"), [(121, 4, 7), (50, 1, 9), (123, 4, 5), (2, 1, 1)])
def test_evaluate_gated_matches_a_plain_loop(cell, N, B, T):
    """evaluate carries the state across windows: each row's loss is the loop's over the
    whole row from zeros."""
    K, H = 6, 5
    p = make_model(cell, K, H, seed=N + T)
    for k in ("U", "W"):
        p[k] *= 3  # large weights: a forgotten state would show
    data = np.random.default_rng(N).integers(0, K, N)
    n = (N - 1) // B
    expected = sum(reference_row_loss(cell, p, data[b * n:(b + 1) * n],
                                      data[b * n + 1:(b + 1) * n + 1],
                                      reference_zero_state(cell, H))[0]
                   for b in range(B)) / (B * n)
    saved = _copy(p)
    assert evaluate(p, data, seq_length=T, batch_size=B) == pytest.approx(expected, abs=1e-10)
    assert evaluate(p, data, seq_length=T, batch_size=B, cell=cell) == pytest.approx(expected,
                                                                                   abs=1e-10)
    for k in p:
        np.testing.assert_array_equal(p[k], saved[k])


@pytest.mark.parametrize("cell", GATED)
def test_gated_cell_mismatch_and_blow_up(cell, corpus):
    vocab, data, _ = corpus
    params = make_model(cell, len(vocab), 8)
    other = "gru" if cell == "lstm" else "lstm"
    with pytest.raises(ValueError, match="not a"):
        train(params, data, optimizer=SGD(0.1), steps=2, seq_length=8, progress=False,
              cell=other)
    with pytest.raises(ValueError, match="not an RNN's"):
        evaluate(params, data[:500], cell="rnn")
    params["c"][0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(FloatingPointError, match="step 0"):
            train(params, data, optimizer=SGD(0.1), steps=5, seq_length=8, clip=None,
                  progress=False)


@pytest.mark.parametrize(("first", "then"), [("rnn", "gru"), ("gru", "rnn"), ("rnn", "lstm"),
                                             ("lstm", "gru")])
def test_a_history_of_another_cell_starts_from_zeros(corpus, first, then):
    """A History continued with another cell: the state it ended with belongs to the first
    cell (an RNN's h and a GRU's h even have the same (B, H) shape and dtype), so the new
    cell's first window starts from zeros; its second window carries its own state on."""
    from rnn_helpers import training_windows

    vocab, data, _ = corpus
    K, H, B, T = len(vocab), 8, 2, 8
    kw = {"optimizer": NoOp(), "seq_length": T, "batch_size": B, "progress": False}
    history = train(make_model(first, K, H, seed=1, scale=2.0), data, steps=3, **kw)
    assert history.cell == first
    assert max(np.abs(p).max() for p in
               (history.hidden if isinstance(history.hidden, tuple) else (history.hidden,))) > 0.1
    params = make_model(then, K, H, seed=2)
    train(params, data, steps=2, history=history, **kw)
    assert history.cell == then and history.steps == 5
    stream = training_windows(data, B, T, skip=3)
    states = [reference_zero_state(then, H)] * B
    for step in (3, 4):  # from zeros, then from the state the new cell's window ended with
        X, Y, reset = stream.next()
        assert not reset
        rows = [reference_row_loss(then, params, X[b], Y[b], states[b]) for b in range(B)]
        states = [r[1] for r in rows]
        assert history.losses[step] == pytest.approx(sum(r[0] for r in rows) / B / T,
                                                     rel=1e-12), step
    parts = history.hidden if isinstance(history.hidden, tuple) else (history.hidden,)
    assert len(parts) == (2 if then == "lstm" else 1)
    assert all(p.shape == (B, H) for p in parts)
