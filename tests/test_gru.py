"""The GRU: initialisation, forward pass against a plain loop, BPTT against finite
differences, bad input, float32, and (where torch is installed) torch.nn.GRU on mapped
weights.

The references here are independent of rnn_helpers.gru: a per-sequence, per-step loop over
one-hot column vectors with sigma(x) = 1 / (1 + exp(-x)) (tests/cases.py, the tests' one copy
of the equations), centred differences of the loss, torch's own GRU with autograd where torch
is installed, and its stored results where it is not (tests/test_torch_reference.py).
"""

from functools import partial

import numpy as np
import pytest
from cases import make_case, reference_forward

from rnn_helpers import (
    PARAM_NAMES,
    default_atol,
    init_params,
    numerical_gradient,
    passes_entrywise,
    relative_error,
    softmax_loss,
)
from rnn_helpers.gru import gru_backward, gru_forward, gru_loss_and_grads, gru_step, init_gru_params
from rnn_helpers.lstm import init_lstm_params

TORCH_REASON = ("torch is not installed: the comparison with torch.nn.GRU runs only where it "
                "is (torch is never a dependency)")

# A seeded GRU (tests/cases.py), inputs, targets and a state h0 or None; biases in
# [-0.3, 0.3] so that the gates differ from one another; scale=6 saturates them.
gru_case = partial(make_case, "gru", bias=0.3)
reference = partial(reference_forward, "gru")  # the plain loop, independent of gru.py


def loss_of(params, inputs, targets, h0):
    """A closure: the loss of gru_forward for the current values of params and h0."""
    def f():
        return softmax_loss(gru_forward(params, inputs, h0)[0], targets)[0]
    return f


# ------------------------------------------------------------------------ initialisation


def test_init_shapes_ranges_and_determinism():
    K, H = 11, 6
    p = init_gru_params(K, H, seed=3)
    shapes = {"U": (3 * H, K), "W": (3 * H, H), "b": (3 * H,), "V": (K, H), "c": (K,)}
    assert {k: v.shape for k, v in p.items()} == shapes
    for name in ("U", "W", "V"):  # PyTorch's bound 1/sqrt(H) for every weight
        assert np.abs(p[name]).max() <= 1 / np.sqrt(H)
        assert np.abs(p[name]).max() > 0.8 / np.sqrt(H)
    assert not p["b"].any() and not p["c"].any()
    q = init_gru_params(K, H, seed=3)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W"], init_gru_params(K, H, seed=4)["W"])
    assert all(v.dtype == np.float32 for v in init_gru_params(K, H, dtype=np.float32).values())


def test_init_draws_U_W_V_in_order_from_one_generator():
    K, H, seed = 7, 5, 11
    rng = np.random.default_rng(seed)
    r = 1 / np.sqrt(H)
    expected = {"U": rng.uniform(-r, r, (3 * H, K)), "W": rng.uniform(-r, r, (3 * H, H)),
                "V": rng.uniform(-r, r, (K, H))}
    p = init_gru_params(K, H, seed=seed)
    for name, value in expected.items():
        np.testing.assert_array_equal(p[name], value)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((0, 5), {}, ValueError, "vocab_size must be positive"),
        ((5, 0), {}, ValueError, "hidden_size must be positive"),
        ((5, 3.0), {}, TypeError, "hidden_size must be an integer"),
        ((5, 3), {"dtype": np.int64}, TypeError, "floating"),
    ],
)
def test_init_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        init_gru_params(*args, **kwargs)


# --------------------------------------------------------------------------- forward pass


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("state", [False, True])
def test_forward_equals_a_plain_loop(batched, state):
    params, x, _, h0 = gru_case(K=9, H=6, T=12, B=4 if batched else None, scale=2.0,
                                 state=state)
    logits, _ = gru_forward(params, x, h0)
    expected, hT = reference(params, x, h0)
    assert logits.shape == ((4, 12, 9) if batched else (12, 9))
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-13)
    _, _, h_last = gru_loss_and_grads(params, x, x, h0)
    assert h_last.shape == ((4, 6) if batched else (6,))
    np.testing.assert_allclose(h_last, hT, rtol=0, atol=1e-14)


def test_loss_is_summed_over_time_and_averaged_over_the_batch():
    params, x, y, h0 = gru_case(K=8, H=5, T=9, B=3, state=True)
    loss, _, _ = gru_loss_and_grads(params, x, y, h0)
    logits, _ = reference(params, x, h0)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(logp, y[..., None], -1).sum() / 3
    assert loss == pytest.approx(expected, rel=1e-13)


def test_carried_state_equals_one_long_sequence():
    params, x, y, h0 = gru_case(K=8, H=6, T=20, B=3, state=True)
    full, _ = gru_forward(params, x, h0)
    loss_full, _, end_full = gru_loss_and_grads(params, x, y, h0)
    loss_a, _, mid = gru_loss_and_grads(params, x[:, :7], y[:, :7], h0)
    loss_b, _, end = gru_loss_and_grads(params, x[:, 7:], y[:, 7:], mid)
    second, _ = gru_forward(params, x[:, 7:], mid)
    np.testing.assert_allclose(second, full[:, 7:], rtol=0, atol=1e-13)
    assert loss_a + loss_b == pytest.approx(loss_full, rel=1e-13)
    np.testing.assert_allclose(end, end_full, rtol=0, atol=1e-14)
    _, _, mid1 = gru_loss_and_grads(params, x[0, :7], y[0, :7])
    second1, _ = gru_forward(params, x[0, 7:], mid1)
    np.testing.assert_allclose(second1, gru_forward(params, x[0])[0][7:], rtol=0, atol=1e-13)


def test_batch_equals_the_per_sequence_loop():
    params, x, y, h0 = gru_case(K=8, H=7, T=11, B=5, scale=1.5, state=True)
    loss, grads, hT = gru_loss_and_grads(params, x, y, h0)
    singles = [gru_loss_and_grads(params, x[b], y[b], h0[b]) for b in range(5)]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), abs=1e-12)
    for k in PARAM_NAMES:
        mean = np.mean([s[1][k] for s in singles], axis=0)
        np.testing.assert_allclose(grads[k], mean, rtol=0, atol=1e-13, err_msg=k)
    np.testing.assert_allclose(hT, np.stack([s[2] for s in singles]), rtol=0, atol=1e-14)


@pytest.mark.parametrize("H", [5, 1])  # H = 1: every (H, H) block is trivially contiguous
def test_the_caller_s_state_and_params_are_not_changed(H):
    params, x, y, h0 = gru_case(H=H, B=2, state=True)
    before = ({k: v.copy() for k, v in params.items()}, h0.copy())
    gru_loss_and_grads(params, x, y, h0)
    assert all(np.array_equal(params[k], before[0][k]) for k in params)
    assert np.array_equal(h0, before[1])


@pytest.mark.parametrize("batched", [False, True])
def test_step_equals_the_forward_pass(batched):
    params, x, _, h0 = gru_case(K=9, H=6, T=8, B=3 if batched else None, scale=2.0,
                                 state=True)
    logits, _ = gru_forward(params, x, h0)
    h = h0
    for t in range(8):
        h, o = gru_step(params, h, x[..., t])
        np.testing.assert_allclose(o, logits[..., t, :], rtol=0, atol=1e-13)
    np.testing.assert_allclose(h, gru_loss_and_grads(params, x, x, h0)[2], rtol=0, atol=1e-14)


def test_float32_is_kept_and_agrees_with_float64():
    p64, x, y, h0 = gru_case(K=10, H=8, T=12, B=3, state=True)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    loss32, g32, h32 = gru_loss_and_grads(p32, x, y, h0)
    loss64, g64, h64 = gru_loss_and_grads(p64, x, y, h0)
    logits32, cache = gru_forward(p32, x, h0)
    assert logits32.dtype == np.float32 and h32.dtype == np.float32
    assert all(g32[k].dtype == np.float32 for k in PARAM_NAMES)
    _, dh0 = gru_backward(softmax_loss(logits32, y)[1], cache)
    assert dh0.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for k in PARAM_NAMES:
        scale = np.abs(g64[k]).max()
        np.testing.assert_allclose(g32[k], g64[k], rtol=0, atol=1e-5 * scale, err_msg=k)
    np.testing.assert_allclose(h32, h64, atol=1e-6)


def test_saturated_gates_stay_finite():
    params, x, y, _ = gru_case(K=6, H=4, T=30, scale=200.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grads, h = gru_loss_and_grads(params, x, y)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
    assert np.isfinite(h).all()


# ------------------------------------------------------------------------- gradient checks

# Small models: the five-point stencil with h = 5e-4 (truncation ~h^4), and the package's rule
# for every entry, |a - n| <= atol + rtol |n| with rtol = 1e-7 and atol = default_atol(L, h),
# the centred difference's round-off (16 eps_machine |L| / h: 1e-11 to 3.4e-10 here). The GRU
# needs that floor: the reset gate acts only through r * (W_n h), so some of its gradients are
# tiny, and round-off in the loss is then a large share of them. Measured on these models:
# 10 entries have |a - n| > 1e-7 |n| (3 in "single", 3 in "batched", 2 in
# "batched_with_state", 2 in "saturated"), all in the reset gate's rows of U, W and b, with
# |a| = 2.0e-6 to 4.7e-5 and |a - n| = 1.2e-12 to 9.9e-12; the worst relative error is 1.4e-6,
# an entry of U of 2.0e-6 in "saturated" with |a - n| = 5.6e-12. No |a - n| anywhere exceeds
# 0.22 of the floor. (The LSTM needs no floor: tests/test_lstm.py.)
SMALL = {"eps": 5e-4, "order": 4}
RTOL = 1e-7


def assert_matches(name, analytic, numeric, loss):
    """The package's entrywise rule: |a - n| <= default_atol(L, h) + 1e-7 |n| everywhere."""
    ok = passes_entrywise(analytic, numeric, default_atol(loss, SMALL["eps"]), RTOL)
    if not ok.all():
        worst = relative_error(analytic, numeric)[~ok].max()
        raise AssertionError(f"{name}: {np.sum(~ok)} of {ok.size} entries fail "
                             f"(worst relative error {worst:.2e})")


SMALL_CASES = {
    "single": dict(K=7, H=5, T=10),
    "batched": dict(K=7, H=5, T=10, B=3),
    "single_with_state": dict(K=6, H=4, T=12, state=True),
    "batched_with_state": dict(K=7, H=5, T=8, B=2, state=True, seed=1),
    "saturated": dict(K=8, H=6, T=12, B=2, scale=6.0, state=True, seed=2),
    "one_unit": dict(K=5, H=1, T=8, B=2, state=True, seed=3),
    "one_step": dict(K=5, H=3, T=1, state=True, seed=4),
}


@pytest.mark.parametrize("name", SMALL_CASES)
def test_small_models_every_gradient_and_dh0_pass_at_1e_7(name):
    params, x, y, h0 = gru_case(**SMALL_CASES[name])
    if h0 is None:  # dh0 is checked at a zero state: give the check an array to perturb
        H = params["W"].shape[1]
        h0 = np.zeros((H,) if np.ndim(x) == 1 else (len(x), H))
    if name == "saturated":  # really saturated: many gates near 0 or 1
        _, cache = gru_forward(params, x, h0)
        g = cache["gates"][:2]  # r and z
        assert np.mean((g < 0.05) | (g > 0.95)) > 0.2
    loss, grads, _ = gru_loss_and_grads(params, x, y, h0)
    logits, cache = gru_forward(params, x, h0)
    _, dh0 = gru_backward(softmax_loss(logits, y)[1], cache)
    f = loss_of(params, x, y, h0)
    assert f() == pytest.approx(loss, rel=1e-14)
    for k in PARAM_NAMES:
        assert_matches(k, grads[k], numerical_gradient(f, params[k], **SMALL), loss)
    assert_matches("dh0", dh0, numerical_gradient(f, h0, **SMALL), loss)


def test_backward_of_any_upstream_gradient():
    # gru_backward is a vector-Jacobian product: check it for random dL/dlogits, with
    # L = sum(G * logits)
    params, x, _, h0 = gru_case(K=6, H=4, T=7, B=2, state=True, seed=5)
    G = np.random.default_rng(9).normal(size=(2, 7, 6))
    logits, cache = gru_forward(params, x, h0)
    grads, dh0 = gru_backward(G, cache)

    def f():
        return float(np.sum(G * gru_forward(params, x, h0)[0]))

    for k, v, a in [*((k, params[k], grads[k]) for k in PARAM_NAMES), ("h0", h0, dh0)]:
        assert_matches(k, a, numerical_gradient(f, v, **SMALL), f())


def test_realistic_size_entrywise_with_the_round_off_floor():
    """K = 65, H = 64, T = 25, B = 2, a non-zero h0, classic two-point differences.

    Entries are sampled (300 per weight matrix, favouring the largest gradients, and every
    entry of b, c and h0): each must pass |a - n| <= atol + rtol |n| with atol the finite
    difference's round-off.
    """
    K, H, T, B = 65, 64, 25, 2
    rng = np.random.default_rng(0)
    params = init_gru_params(K, H, seed=0)
    params["W"] *= 2.0  # larger recurrent weights: gradients that travel far back in time
    x, y = rng.integers(0, K, (B, T)), rng.integers(0, K, (B, T))
    h0 = rng.uniform(-0.9, 0.9, (B, H))
    loss, grads, _ = gru_loss_and_grads(params, x, y, h0)
    logits, cache = gru_forward(params, x, h0)
    _, dh0 = gru_backward(softmax_loss(logits, y)[1], cache)
    eps = 1e-5
    atol, rtol = default_atol(loss, eps), 1e-6
    f = loss_of(params, x, y, h0)
    checked = 0
    for name, x_arr, a in [*((k, params[k], grads[k]) for k in PARAM_NAMES), ("h0", h0, dh0)]:
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
    assert checked > 1200


# ---------------------------------------------------------------------------- bad input


def _params():
    return gru_case()[0]


@pytest.mark.parametrize(
    "mutate, inputs, h0, error, match",
    [
        (None, np.array([0, 7]), None, ValueError, r"index 7, outside the vocabulary \[0, 7\)"),
        (None, np.array([-1, 2]), None, ValueError, "index -1"),
        (None, np.array([0.5, 1.0]), None, TypeError, "integer"),
        (None, np.array([], dtype=int), None, ValueError, "empty"),
        (None, np.zeros((1, 2, 3), int), None, ValueError, r"\(T,\) or \(B, T\)"),
        (None, [0, 1], np.zeros(4), ValueError, r"h0 has shape \(4,\)"),
        (None, [[0, 1]], np.zeros(5), ValueError, r"expected \(1, 5\)"),
        (None, [0, 1], (np.zeros(5), np.zeros(5)), ValueError, r"h0 has shape \(2, 5\)"),
        (None, [0, 1], np.full(5, np.nan), ValueError, "h0 contains nan or inf"),
        (None, [0, 1], np.array(["a"] * 5), TypeError, "h0 must be a real"),
        (lambda p: p.pop("b"), [0], None, ValueError, "missing b"),
        (lambda p: p.update(W=np.zeros((20, 5))), [0], None, ValueError,
         r"params\['W'\] has shape \(20, 5\), expected \(3H, H\) for the GRU"),
        (lambda p: p.update(U=np.zeros((15, 6))), [0], None, ValueError, r"params\['V'\]"),
        (lambda p: p.update(b=np.zeros(20)), [0], None, ValueError, r"params\['b'\]"),
        (lambda p: p.update(W=p["W"].astype(np.float32)), [0], None, TypeError, "float32"),
    ],
)
def test_bad_inputs_raise_naming_the_problem(mutate, inputs, h0, error, match):
    params = _params()
    if mutate:
        mutate(params)
    with pytest.raises(error, match=match):
        gru_forward(params, inputs, h0)


def test_other_cells_params_are_rejected():
    with pytest.raises(ValueError, match="for the GRU's 3 stacked gates"):
        gru_forward(init_params(7, 5), [0, 1])
    with pytest.raises(ValueError, match="for the GRU's 3 stacked gates"):
        gru_forward(init_lstm_params(7, 5), [0, 1])


def test_bad_targets_and_dlogits():
    params, x, y, _ = gru_case(T=5, B=2)
    with pytest.raises(ValueError, match="targets have shape"):
        gru_loss_and_grads(params, x, y[:, :4])
    with pytest.raises(ValueError, match="targets has index -3"):
        gru_loss_and_grads(params, x, np.full((2, 5), -3))
    _, cache = gru_forward(params, x)
    with pytest.raises(ValueError, match=r"dlogits has shape \(5, 7\), expected \(2, 5, 7\)"):
        gru_backward(np.zeros((5, 7)), cache)


# ---------------------------------------------------------------------------------- torch


def torch_run(torch, params, x, h0, batch_first):
    """torch.nn.GRU (float64) with our weights: U acts on one-hot inputs, bias_hh = 0.

    Returns logits (B, T, K), the final h and the torch leaves (module, V, c, h0).
    """
    K, H = params["V"].shape
    gru = torch.nn.GRU(K, H, batch_first=batch_first, dtype=torch.float64)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(params["U"]))
        gru.weight_hh_l0.copy_(torch.from_numpy(params["W"]))
        gru.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        gru.bias_hh_l0.zero_()
    X = torch.nn.functional.one_hot(torch.from_numpy(np.asarray(x)), K).double()  # (B, T, K)
    if not batch_first:
        X = X.transpose(0, 1)
    B = X.shape[0] if batch_first else X.shape[1]
    h0 = torch.tensor(np.reshape(h0, (1, B, H)), requires_grad=True)
    V = torch.tensor(params["V"], requires_grad=True)
    c = torch.tensor(params["c"], requires_grad=True)
    hs, hT = gru(X, h0)
    if not batch_first:
        hs = hs.transpose(0, 1)
    return hs @ V.T + c, hT[0], (gru, V, c, h0)


@pytest.mark.parametrize("batch_first", [True, False])
def test_forward_and_final_state_equal_torch_nn_gru(batch_first):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    params, x, _, h0 = gru_case(K=9, H=6, T=15, B=4, scale=2.0, state=True)
    logits, _ = gru_forward(params, x, h0)
    hT = gru_loss_and_grads(params, x, x, h0)[2]
    t_logits, t_h, _ = torch_run(torch, params, x, h0, batch_first)
    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(hT, t_h.detach().numpy(), rtol=0, atol=1e-10)


def test_default_init_equals_torch_on_mapped_weights_for_a_single_sequence():
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    params = init_gru_params(12, 8, seed=0)
    x = np.random.default_rng(0).integers(0, 12, 20)
    logits, _ = gru_forward(params, x)
    t_logits, _, _ = torch_run(torch, params, x[None], np.zeros(8), True)
    np.testing.assert_allclose(logits, t_logits[0].detach().numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("batch_first", [True, False])
def test_gradients_equal_torch_autograd(batch_first):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    params, x, y, h0 = gru_case(K=9, H=6, T=15, B=4, scale=2.0, state=True, seed=3)
    loss, grads, _ = gru_loss_and_grads(params, x, y, h0)
    logits, cache = gru_forward(params, x, h0)
    _, dh0 = gru_backward(softmax_loss(logits, y)[1], cache)
    t_logits, _, (gru, V, c, t_h0) = torch_run(torch, params, x, h0, batch_first)
    t_loss = torch.nn.functional.cross_entropy(
        t_logits.reshape(-1, 9), torch.from_numpy(y).reshape(-1), reduction="sum") / 4
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    torch_grads = {"U": gru.weight_ih_l0.grad, "W": gru.weight_hh_l0.grad,
                   "b": gru.bias_ih_l0.grad, "V": V.grad, "c": c.grad}
    for k, g in torch_grads.items():
        np.testing.assert_allclose(grads[k], g.numpy(), rtol=0, atol=1e-10, err_msg=k)
    np.testing.assert_allclose(dh0, t_h0.grad[0].numpy(), rtol=0, atol=1e-10)
