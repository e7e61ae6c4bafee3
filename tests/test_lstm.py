"""The LSTM: initialisation, forward pass against a plain loop, BPTT against finite
differences, bad input, float32, and (where torch is installed) torch.nn.LSTM on mapped
weights.

The references here are independent of rnn_helpers.lstm: a per-sequence, per-step loop over
one-hot column vectors with sigma(x) = 1 / (1 + exp(-x)) (tests/cases.py, the tests' one copy
of the equations), centred differences of the loss, torch's own LSTM with autograd where torch
is installed, and its stored results where it is not (tests/test_torch_reference.py).
"""

from functools import partial

import numpy as np
import pytest
from cases import make_case, reference_forward

from rnn_helpers import (
    PARAM_NAMES,
    RULE_OF_THUMB,
    default_atol,
    init_params,
    numerical_gradient,
    passes_entrywise,
    relative_error,
    softmax_loss,
)
from rnn_helpers.gru import init_gru_params
from rnn_helpers.lstm import (
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_loss_and_grads,
    lstm_step,
)

TORCH_REASON = ("torch is not installed: the comparison with torch.nn.LSTM runs only where it "
                "is (torch is never a dependency)")

# A seeded LSTM (tests/cases.py), inputs, targets and a state (h0, s0) or None; biases in
# [-0.3, 0.3] so that the gates differ from one another; scale=3 saturates them.
lstm_case = partial(make_case, "lstm", bias=0.3)
reference = partial(reference_forward, "lstm")  # the plain loop, independent of lstm.py


def loss_of(params, inputs, targets, state):
    """A closure: the loss of lstm_forward for the current values of params and state."""
    def f():
        return softmax_loss(lstm_forward(params, inputs, state)[0], targets)[0]
    return f


# ------------------------------------------------------------------------ initialisation


def test_init_shapes_ranges_forget_bias_and_determinism():
    K, H = 11, 6
    p = init_lstm_params(K, H, seed=3)
    shapes = {"U": (4 * H, K), "W": (4 * H, H), "b": (4 * H,), "V": (K, H), "c": (K,)}
    assert {k: v.shape for k, v in p.items()} == shapes
    for name in ("U", "W", "V"):  # PyTorch's bound 1/sqrt(H) for every weight
        assert np.abs(p[name]).max() <= 1 / np.sqrt(H)
        assert np.abs(p[name]).max() > 0.8 / np.sqrt(H)  # and it fills the range
    expected_b = np.zeros(4 * H)
    expected_b[H:2 * H] = 1.0  # the forget gate's bias, rows [H, 2H) in the order i, f, g, o
    np.testing.assert_array_equal(p["b"], expected_b)
    assert not p["c"].any()
    q = init_lstm_params(K, H, seed=3)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W"], init_lstm_params(K, H, seed=4)["W"])
    f32 = init_lstm_params(K, H, seed=3, dtype=np.float32, forget_bias=2.5)
    assert all(v.dtype == np.float32 for v in f32.values())
    assert np.all(f32["b"][H:2 * H] == 2.5) and not f32["b"][:H].any()
    assert not init_lstm_params(K, H, forget_bias=0.0)["b"].any()


def test_init_draws_U_W_V_in_order_from_one_generator():
    K, H, seed = 7, 5, 11
    rng = np.random.default_rng(seed)
    r = 1 / np.sqrt(H)
    expected = {"U": rng.uniform(-r, r, (4 * H, K)), "W": rng.uniform(-r, r, (4 * H, H)),
                "V": rng.uniform(-r, r, (K, H))}
    p = init_lstm_params(K, H, seed=seed)
    for name, value in expected.items():
        np.testing.assert_array_equal(p[name], value)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((0, 5), {}, ValueError, "vocab_size must be positive"),
        ((5, -1), {}, ValueError, "hidden_size must be positive"),
        ((5.0, 3), {}, TypeError, "vocab_size must be an integer"),
        ((5, 3), {"dtype": np.int32}, TypeError, "floating"),
        ((5, 3), {"forget_bias": np.nan}, ValueError, "forget_bias must be finite"),
        ((5, 3), {"forget_bias": "1"}, TypeError, "forget_bias must be a number"),
    ],
)
def test_init_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        init_lstm_params(*args, **kwargs)


# --------------------------------------------------------------------------- forward pass


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("state", [False, True])
def test_forward_equals_a_plain_loop(batched, state):
    params, x, _, s0 = lstm_case(K=9, H=6, T=12, B=4 if batched else None, scale=2.0,
                                 state=state)
    logits, cache = lstm_forward(params, x, s0)
    expected, (hT, sT) = reference(params, x, s0)
    assert logits.shape == ((4, 12, 9) if batched else (12, 9))
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-13)
    _, _, (h_last, s_last) = lstm_loss_and_grads(params, x, x, s0)
    assert h_last.shape == s_last.shape == ((4, 6) if batched else (6,))
    np.testing.assert_allclose(h_last, hT, rtol=0, atol=1e-14)
    np.testing.assert_allclose(s_last, sT, rtol=0, atol=1e-13)


def test_loss_is_summed_over_time_and_averaged_over_the_batch():
    params, x, y, s0 = lstm_case(K=8, H=5, T=9, B=3, state=True)
    loss, _, _ = lstm_loss_and_grads(params, x, y, s0)
    logits, _ = reference(params, x, s0)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(logp, y[..., None], -1).sum() / 3
    assert loss == pytest.approx(expected, rel=1e-13)


def test_carried_state_equals_one_long_sequence():
    params, x, y, s0 = lstm_case(K=8, H=6, T=20, B=3, state=True)
    full, _ = lstm_forward(params, x, s0)
    loss_full, _, end_full = lstm_loss_and_grads(params, x, y, s0)
    loss_a, _, mid = lstm_loss_and_grads(params, x[:, :7], y[:, :7], s0)
    loss_b, _, end = lstm_loss_and_grads(params, x[:, 7:], y[:, 7:], mid)
    second, _ = lstm_forward(params, x[:, 7:], mid)
    np.testing.assert_allclose(second, full[:, 7:], rtol=0, atol=1e-13)
    assert loss_a + loss_b == pytest.approx(loss_full, rel=1e-13)
    for a, b in zip(end, end_full, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    # a single sequence too, with its (H,) state
    _, _, mid1 = lstm_loss_and_grads(params, x[0, :7], y[0, :7])
    second1, _ = lstm_forward(params, x[0, 7:], mid1)
    np.testing.assert_allclose(second1, lstm_forward(params, x[0])[0][7:], rtol=0, atol=1e-13)


def test_batch_equals_the_per_sequence_loop():
    params, x, y, s0 = lstm_case(K=8, H=7, T=11, B=5, scale=1.5, state=True)
    loss, grads, (hT, sT) = lstm_loss_and_grads(params, x, y, s0)
    singles = [lstm_loss_and_grads(params, x[b], y[b], (s0[0][b], s0[1][b])) for b in range(5)]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), abs=1e-12)
    for k in PARAM_NAMES:
        mean = np.mean([s[1][k] for s in singles], axis=0)
        np.testing.assert_allclose(grads[k], mean, rtol=0, atol=1e-13, err_msg=k)
    np.testing.assert_allclose(hT, np.stack([s[2][0] for s in singles]), rtol=0, atol=1e-14)
    np.testing.assert_allclose(sT, np.stack([s[2][1] for s in singles]), rtol=0, atol=1e-14)


@pytest.mark.parametrize("H", [5, 1])  # H = 1: every (H, H) block is trivially contiguous
def test_the_caller_s_state_and_params_are_not_changed(H):
    params, x, y, s0 = lstm_case(H=H, B=2, state=True)
    before = ({k: v.copy() for k, v in params.items()}, s0[0].copy(), s0[1].copy())
    lstm_loss_and_grads(params, x, y, s0)
    assert all(np.array_equal(params[k], before[0][k]) for k in params)
    assert np.array_equal(s0[0], before[1]) and np.array_equal(s0[1], before[2])


@pytest.mark.parametrize("batched", [False, True])
def test_step_equals_the_forward_pass(batched):
    params, x, _, s0 = lstm_case(K=9, H=6, T=8, B=3 if batched else None, scale=2.0,
                                 state=True)
    logits, _ = lstm_forward(params, x, s0)
    state = s0
    for t in range(8):
        state, o = lstm_step(params, state, x[..., t])
        np.testing.assert_allclose(o, logits[..., t, :], rtol=0, atol=1e-13)
    _, _, end = lstm_loss_and_grads(params, x, x, s0)
    np.testing.assert_allclose(state[0], end[0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(state[1], end[1], rtol=0, atol=1e-13)


def test_float32_is_kept_and_agrees_with_float64():
    p64, x, y, s0 = lstm_case(K=10, H=8, T=12, B=3, state=True)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    loss32, g32, (h32, s32) = lstm_loss_and_grads(p32, x, y, s0)
    loss64, g64, (h64, s64) = lstm_loss_and_grads(p64, x, y, s0)
    logits32, cache = lstm_forward(p32, x, s0)
    assert logits32.dtype == np.float32 and h32.dtype == s32.dtype == np.float32
    assert all(g32[k].dtype == np.float32 for k in PARAM_NAMES)
    _, dlogits = softmax_loss(logits32, y)
    _, (dh0, ds0) = lstm_backward(dlogits, cache)
    assert dh0.dtype == ds0.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for k in PARAM_NAMES:
        scale = np.abs(g64[k]).max()
        np.testing.assert_allclose(g32[k], g64[k], rtol=0, atol=1e-5 * scale, err_msg=k)
    np.testing.assert_allclose(h32, h64, atol=1e-6)
    np.testing.assert_allclose(s32, s64, atol=1e-5)


def test_saturated_gates_stay_finite():
    # huge pre-activations: sigma and tanh saturate to exactly 0 or 1 without overflow warnings
    params, x, y, _ = lstm_case(K=6, H=4, T=30, scale=200.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grads, state = lstm_loss_and_grads(params, x, y)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
    assert np.isfinite(state[1]).all()


# ------------------------------------------------------------------------- gradient checks

# Small models: the five-point stencil with h = 5e-4 (truncation ~h^4), and the package's rule
# for every entry, |a - n| <= atol + rtol |n| with rtol = 1e-7 and atol = default_atol(L, h),
# the centred difference's round-off (16 eps_machine |L| / h: 1e-11 to 2e-10 here). The LSTM
# does not need that floor on these models: every entry also has a relative error
# |a - n| / (|a| + |n|) below 1e-7, grad_check's measure, so both are asserted. (Measured:
# worst 6.4e-8, an entry of U of 4.5e-5 in "batched" with |a - n| = 5.7e-12, round-off,
# which against |n| alone is 1.3e-7; no |a - n| exceeds 0.16 of the floor. The GRU's
# smallest reset-gate entries do need the floor: see tests/test_gru.py.)
SMALL = {"eps": 5e-4, "order": 4}
RTOL = 1e-7


def assert_matches(name, analytic, numeric, loss):
    """The package's entrywise rule with rtol 1e-7, and relative errors below 1e-7."""
    ok = passes_entrywise(analytic, numeric, default_atol(loss, SMALL["eps"]), RTOL)
    assert ok.all(), f"{name}: {np.sum(~ok)} of {ok.size} entries fail"
    worst = relative_error(analytic, numeric).max()
    assert worst < RULE_OF_THUMB, f"{name}: relative error {worst:.2e}"


SMALL_CASES = {
    "single": dict(K=7, H=5, T=10),
    "batched": dict(K=7, H=5, T=10, B=3),
    "single_with_state": dict(K=6, H=4, T=12, state=True),
    "batched_with_state": dict(K=7, H=5, T=8, B=2, state=True, seed=1),
    "saturated": dict(K=8, H=6, T=12, B=2, scale=3.0, state=True, seed=2),
    "one_unit": dict(K=5, H=1, T=8, B=2, state=True, seed=3),
    "one_step": dict(K=5, H=3, T=1, state=True, seed=4),
}


@pytest.mark.parametrize("name", SMALL_CASES)
def test_small_models_every_gradient_and_dstate_pass_at_1e_7(name):
    params, x, y, state = lstm_case(**SMALL_CASES[name])
    if state is None:  # dstate is checked at a zero state: give the check arrays to perturb
        H = params["W"].shape[1]
        shape = (H,) if np.ndim(x) == 1 else (len(x), H)
        state = (np.zeros(shape), np.zeros(shape))
    if name == "saturated":  # really saturated: many gates near 0 or 1
        _, cache = lstm_forward(params, x, state)
        g = cache["gates"]
        assert np.mean((g < 0.05) | (g > 0.95)) > 0.2
    loss, grads, _ = lstm_loss_and_grads(params, x, y, state)
    logits, cache = lstm_forward(params, x, state)
    _, dlogits = softmax_loss(logits, y)
    _, dstate = lstm_backward(dlogits, cache)
    f = loss_of(params, x, y, state)
    assert f() == pytest.approx(loss, rel=1e-14)
    for k in PARAM_NAMES:
        assert_matches(k, grads[k], numerical_gradient(f, params[k], **SMALL), loss)
    h0, s0 = (np.array(a, np.float64) for a in state)
    f = loss_of(params, x, y, (h0, s0))
    assert_matches("dh0", dstate[0], numerical_gradient(f, h0, **SMALL), loss)
    assert_matches("ds0", dstate[1], numerical_gradient(f, s0, **SMALL), loss)


def test_backward_of_any_upstream_gradient():
    # lstm_backward is a vector-Jacobian product: check it for random dL/dlogits, not only
    # for the softmax loss's, with L = sum(G * logits)
    params, x, _, state = lstm_case(K=6, H=4, T=7, B=2, state=True, seed=5)
    G = np.random.default_rng(9).normal(size=(2, 7, 6))
    logits, cache = lstm_forward(params, x, state)
    grads, (dh0, ds0) = lstm_backward(G, cache)
    h0, s0 = (np.array(a) for a in state)

    def f():
        return float(np.sum(G * lstm_forward(params, x, (h0, s0))[0]))

    for k, v in [*((k, params[k]) for k in PARAM_NAMES), ("h0", h0), ("s0", s0)]:
        a = grads[k] if k in grads else (dh0 if k == "h0" else ds0)
        assert_matches(k, a, numerical_gradient(f, v, **SMALL), f())


def test_realistic_size_entrywise_with_the_round_off_floor():
    """K = 65, H = 64, T = 25, B = 2, a non-zero state, classic two-point differences.

    Entries are sampled (300 per weight matrix, favouring the largest gradients, and every
    entry of b, c and the state): each must pass |a - n| <= atol + rtol |n| with atol the
    finite difference's round-off.
    """
    K, H, T, B = 65, 64, 25, 2
    rng = np.random.default_rng(0)
    params = init_lstm_params(K, H, seed=0)
    params["W"] *= 2.0  # larger recurrent weights: gradients that travel far back in time
    x, y = rng.integers(0, K, (B, T)), rng.integers(0, K, (B, T))
    state = (rng.uniform(-0.9, 0.9, (B, H)), rng.uniform(-2, 2, (B, H)))
    loss, grads, _ = lstm_loss_and_grads(params, x, y, state)
    logits, cache = lstm_forward(params, x, state)
    _, dstate = lstm_backward(softmax_loss(logits, y)[1], cache)
    eps = 1e-5
    atol, rtol = default_atol(loss, eps), 1e-6
    h0, s0 = (np.array(a) for a in state)
    f = loss_of(params, x, y, (h0, s0))
    checked = 0
    for name, x_arr, a in [*((k, params[k], grads[k]) for k in PARAM_NAMES),
                           ("h0", h0, dstate[0]), ("s0", s0, dstate[1])]:
        if a.size > 1000:  # the largest 100 and 200 random entries
            flat = np.abs(a).ravel()
            pick = set(np.argsort(flat)[-100:].tolist())
            pick |= set(rng.choice(a.size, 200, replace=False).tolist())
            idx = [np.unravel_index(i, a.shape) for i in sorted(pick)]
        else:
            idx = list(np.ndindex(a.shape))
        n = numerical_gradient(f, x_arr, eps, indices=idx)
        sel = tuple(np.array(idx).T)
        ok = passes_entrywise(a[sel], n[sel], atol, rtol)
        assert ok.all(), f"{name}: {np.sum(~ok)} of {ok.size} entries fail"
        checked += ok.size
    assert checked > 1400


# ---------------------------------------------------------------------------- bad input


def _params():
    return lstm_case()[0]


@pytest.mark.parametrize(
    "mutate, inputs, state, error, match",
    [
        (None, np.array([0, 7]), None, ValueError, r"index 7, outside the vocabulary \[0, 7\)"),
        (None, np.array([-1, 2]), None, ValueError, "index -1"),
        (None, np.array([0.0, 1.0]), None, TypeError, "integer"),
        (None, np.array([], dtype=int), None, ValueError, "empty"),
        (None, np.zeros((1, 2, 3), int), None, ValueError, r"\(T,\) or \(B, T\)"),
        (None, [0, 1], (np.zeros(4), np.zeros(5)), ValueError, r"h0 has shape \(4,\)"),
        (None, [0, 1], (np.zeros(5), np.zeros(4)), ValueError, r"s0 has shape \(4,\)"),
        (None, [[0, 1]], (np.zeros(5), np.zeros(5)), ValueError, r"expected \(1, 5\)"),
        (None, [0, 1], np.zeros(5), ValueError, r"state must be a pair \(h0, s0\)"),
        (None, [0, 1], (np.zeros(5),), ValueError, "of length 1"),
        (None, [0, 1], (np.zeros(5), np.full(5, np.inf)), ValueError, "s0 contains nan or inf"),
        (None, [0, 1], (np.zeros(5, complex), np.zeros(5)), TypeError, "h0 must be a real"),
        (lambda p: p.pop("W"), [0], None, ValueError, "missing W"),
        (lambda p: p.update(W=np.zeros((5, 5))), [0], None, ValueError,
         r"params\['W'\] has shape \(5, 5\), expected \(4H, H\) for the LSTM"),
        (lambda p: p.update(U=np.zeros((16, 7))), [0], None, ValueError, r"params\['U'\]"),
        (lambda p: p.update(V=np.zeros((7, 4))), [0], None, ValueError, r"params\['V'\]"),
        (lambda p: p.update(b=np.zeros(5)), [0], None, ValueError, r"params\['b'\]"),
        (lambda p: p.update(c=p["c"].astype(np.float32)), [0], None, TypeError, "float32"),
    ],
)
def test_bad_inputs_raise_naming_the_problem(mutate, inputs, state, error, match):
    params = _params()
    if mutate:
        mutate(params)
    with pytest.raises(error, match=match):
        lstm_forward(params, inputs, state)


def test_other_cells_params_are_rejected():
    with pytest.raises(ValueError, match="for the LSTM's 4 stacked gates"):
        lstm_forward(init_params(7, 5), [0, 1])
    with pytest.raises(ValueError, match="for the LSTM's 4 stacked gates"):
        lstm_forward(init_gru_params(7, 5), [0, 1])
    with pytest.raises(TypeError, match="dict"):
        lstm_forward([1, 2], [0])


def test_bad_targets_and_dlogits():
    params, x, y, _ = lstm_case(T=5)
    with pytest.raises(ValueError, match="targets have shape"):
        lstm_loss_and_grads(params, x, y[:4])
    with pytest.raises(ValueError, match="targets has index 9"):
        lstm_loss_and_grads(params, x, np.full(5, 9))
    _, cache = lstm_forward(params, x)
    with pytest.raises(ValueError, match=r"dlogits has shape \(4, 7\), expected \(5, 7\)"):
        lstm_backward(np.zeros((4, 7)), cache)


# ---------------------------------------------------------------------------------- torch


def torch_lstm(torch, params, batch_first):
    """torch.nn.LSTM (float64) with our weights: U acts on one-hot inputs, bias_hh = 0."""
    K, H = params["V"].shape
    lstm = torch.nn.LSTM(K, H, batch_first=batch_first, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(params["U"]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(params["W"]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        lstm.bias_hh_l0.zero_()
    return lstm


def torch_run(torch, params, x, state, batch_first):
    """Logits, final (h, s) and the torch leaves (module, V, c, h0, s0) for autograd."""
    K, H = params["V"].shape
    lstm = torch_lstm(torch, params, batch_first)
    X = torch.nn.functional.one_hot(torch.from_numpy(np.asarray(x)), K).double()  # (B, T, K)
    if not batch_first:
        X = X.transpose(0, 1)  # (T, B, K)
    B = X.shape[0] if batch_first else X.shape[1]
    h0, s0 = (torch.tensor(np.reshape(a, (1, B, H)), requires_grad=True) for a in state)
    V = torch.tensor(params["V"], requires_grad=True)
    c = torch.tensor(params["c"], requires_grad=True)
    hs, (hT, sT) = lstm(X, (h0, s0))
    if not batch_first:
        hs = hs.transpose(0, 1)
    logits = hs @ V.T + c  # (B, T, K)
    return logits, (hT[0], sT[0]), (lstm, V, c, h0, s0)


@pytest.mark.parametrize("batch_first", [True, False])
def test_forward_and_final_state_equal_torch_nn_lstm(batch_first):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    params, x, _, state = lstm_case(K=9, H=6, T=15, B=4, scale=2.0, state=True)
    logits, (hT, sT) = lstm_forward(params, x, state)[0], lstm_loss_and_grads(
        params, x, x, state)[2]
    t_logits, (t_h, t_s), _ = torch_run(torch, params, x, state, batch_first)
    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(hT, t_h.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(sT, t_s.detach().numpy(), rtol=0, atol=1e-10)


def test_default_init_equals_torch_on_mapped_weights_for_a_single_sequence():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    params = init_lstm_params(12, 8, seed=0)
    x = np.random.default_rng(0).integers(0, 12, 20)
    logits, _ = lstm_forward(params, x)
    t_logits, _, _ = torch_run(torch, params, x[None], (np.zeros(8), np.zeros(8)), True)
    np.testing.assert_allclose(logits, t_logits[0].detach().numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("batch_first", [True, False])
def test_gradients_equal_torch_autograd(batch_first):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    params, x, y, state = lstm_case(K=9, H=6, T=15, B=4, scale=2.0, state=True, seed=3)
    loss, grads, _ = lstm_loss_and_grads(params, x, y, state)
    logits, cache = lstm_forward(params, x, state)
    _, (dh0, ds0) = lstm_backward(softmax_loss(logits, y)[1], cache)
    t_logits, _, (lstm, V, c, h0, s0) = torch_run(torch, params, x, state, batch_first)
    t_loss = torch.nn.functional.cross_entropy(
        t_logits.reshape(-1, 9), torch.from_numpy(y).reshape(-1), reduction="sum") / 4
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    torch_grads = {"U": lstm.weight_ih_l0.grad, "W": lstm.weight_hh_l0.grad,
                   "b": lstm.bias_ih_l0.grad, "V": V.grad, "c": c.grad}
    for k, g in torch_grads.items():
        np.testing.assert_allclose(grads[k], g.numpy(), rtol=0, atol=1e-10, err_msg=k)
    np.testing.assert_allclose(dh0, h0.grad[0].numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ds0, s0.grad[0].numpy(), rtol=0, atol=1e-10)
