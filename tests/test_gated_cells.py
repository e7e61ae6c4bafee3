"""The LSTM and the GRU: initialisation, forward pass against a plain loop, BPTT against finite
differences, bad input, float32, and (where torch is installed) torch.nn.LSTM / nn.GRU on
mapped weights.

Every shared test runs for both cells through the table CELLS; what only one cell has (the
LSTM's forget bias and its state pair, the GRU's reset gate, which may need the round-off
floor) is said in the table or tested alone at the end of its section.

The references are independent of rnn_helpers.lstm and .gru: a per-sequence, per-step loop
over one-hot column vectors with sigma(x) = 1 / (1 + exp(-x)) (tests/cases.py, the tests' one
copy of the equations), centred differences of the loss, torch's own LSTM and GRU with
autograd where torch is installed, and its stored results where it is not
(tests/test_torch_reference.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

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
from rnn_helpers.gru import gru_backward, gru_forward, gru_loss_and_grads, gru_step, init_gru_params
from rnn_helpers.lstm import (
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_loss_and_grads,
    lstm_step,
)


@dataclass(frozen=True)
class Gated:
    """One gated cell under test: its public functions and what differs between the cells."""

    name: str
    init: Callable
    forward: Callable
    backward: Callable
    loss_and_grads: Callable
    step: Callable
    gates: int  # blocks of H rows in U, W and b
    state: tuple  # the names of the state's parts: ("h0", "s0") for the LSTM's pair
    torch: str  # the torch.nn module with the same weights
    init_b: tuple  # b at initialisation, per gate block
    saturating_scale: float  # make_case's scale that saturates many gates
    saturating_gates: int  # the leading gates the saturation check counts
    floor_gate: int | None  # the gate whose rows may need the round-off floor (see SMALL)
    min_checked: int  # entries the realistic-size check must reach

    @property
    def pair(self):
        return len(self.state) == 2

    @property
    def label(self):
        return self.name.upper()


CELLS = {
    "lstm": Gated("lstm", init_lstm_params, lstm_forward, lstm_backward, lstm_loss_and_grads,
                  lstm_step, gates=4, state=("h0", "s0"), torch="LSTM", init_b=(0, 1, 0, 0),
                  saturating_scale=3.0, saturating_gates=4, floor_gate=None, min_checked=1400),
    "gru": Gated("gru", init_gru_params, gru_forward, gru_backward, gru_loss_and_grads,
                 gru_step, gates=3, state=("h0",), torch="GRU", init_b=(0, 0, 0),
                 saturating_scale=6.0, saturating_gates=2, floor_gate=0, min_checked=1200),
}


@pytest.fixture(params=list(CELLS))
def cell(request):
    return CELLS[request.param]


def case(cell, **kwargs):
    """A seeded model (tests/cases.py), inputs, targets and a state or None; biases in
    [-0.3, 0.3] so that the gates differ from one another."""
    return make_case(cell.name, bias=0.3, **kwargs)


def parts(cell, state):
    """The parts of a state as a tuple: (h,), or (h, s) for the LSTM."""
    if not cell.pair:
        return (state,)
    assert isinstance(state, tuple) and len(state) == 2, "the LSTM's state is a pair (h, s)"
    return state


def join(cell, state_parts):
    """The cell's state from its parts: h, or the pair (h, s)."""
    return tuple(state_parts) if cell.pair else state_parts[0]


def assert_state_close(cell, a, b, atol_h, atol_s, rtol=0):
    """States a and b agree: h within atol_h, and the LSTM's s within atol_s."""
    atols = (atol_h, atol_s)[:len(cell.state)]
    for p, q, atol in zip(parts(cell, a), parts(cell, b), atols, strict=True):
        np.testing.assert_allclose(p, q, rtol=rtol, atol=atol)


def loss_of(cell, params, inputs, targets, state):
    """A closure: the loss of the cell's forward pass for the current params and state."""
    def f():
        return softmax_loss(cell.forward(params, inputs, state)[0], targets)[0]
    return f


def torch_reason(cell):
    return (f"torch is not installed: the comparison with torch.nn.{cell.torch} runs only "
            "where it is (torch is never a dependency)")


# ------------------------------------------------------------------------ initialisation


def test_init_shapes_ranges_and_determinism(cell):
    K, H, G = 11, 6, cell.gates
    p = cell.init(K, H, seed=3)
    shapes = {"U": (G * H, K), "W": (G * H, H), "b": (G * H,), "V": (K, H), "c": (K,)}
    assert {k: v.shape for k, v in p.items()} == shapes
    for name in ("U", "W", "V"):  # PyTorch's bound 1/sqrt(H) for every weight
        assert np.abs(p[name]).max() <= 1 / np.sqrt(H)
        assert np.abs(p[name]).max() > 0.8 / np.sqrt(H)  # and it fills the range
    np.testing.assert_array_equal(p["b"], np.repeat(cell.init_b, H))
    assert not p["c"].any()
    q = cell.init(K, H, seed=3)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W"], cell.init(K, H, seed=4)["W"])
    assert all(v.dtype == np.float32 for v in cell.init(K, H, dtype=np.float32).values())


def test_init_draws_U_W_V_in_order_from_one_generator(cell):
    K, H, seed, G = 7, 5, 11, cell.gates
    rng = np.random.default_rng(seed)
    r = 1 / np.sqrt(H)
    expected = {"U": rng.uniform(-r, r, (G * H, K)), "W": rng.uniform(-r, r, (G * H, H)),
                "V": rng.uniform(-r, r, (K, H))}
    p = cell.init(K, H, seed=seed)
    for name, value in expected.items():
        np.testing.assert_array_equal(p[name], value)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((0, 5), {}, ValueError, "vocab_size must be positive"),
        ((5, -1), {}, ValueError, "hidden_size must be positive"),
        ((5, 0), {}, ValueError, "hidden_size must be positive"),
        ((5.0, 3), {}, TypeError, "vocab_size must be an integer"),
        ((5, 3.0), {}, TypeError, "hidden_size must be an integer"),
        ((5, 3), {"dtype": np.int32}, TypeError, "floating"),
        ((5, 3), {"dtype": np.int64}, TypeError, "floating"),
    ],
)
def test_init_rejects_bad_arguments(cell, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        cell.init(*args, **kwargs)


def test_lstm_forget_bias_fills_the_forget_gate_rows():
    K, H = 11, 6
    f32 = init_lstm_params(K, H, seed=3, dtype=np.float32, forget_bias=2.5)
    assert all(v.dtype == np.float32 for v in f32.values())
    # rows [H, 2H) in the order i, f, g, o
    np.testing.assert_array_equal(f32["b"], np.repeat([0, 2.5, 0, 0], H))
    assert not init_lstm_params(K, H, forget_bias=0.0)["b"].any()


@pytest.mark.parametrize(
    "forget_bias, error, match",
    [(np.nan, ValueError, "forget_bias must be finite"),
     ("1", TypeError, "forget_bias must be a number")],
)
def test_lstm_init_rejects_a_bad_forget_bias(forget_bias, error, match):
    with pytest.raises(error, match=match):
        init_lstm_params(5, 3, forget_bias=forget_bias)


# --------------------------------------------------------------------------- forward pass


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("state", [False, True])
def test_forward_equals_a_plain_loop(cell, batched, state):
    params, x, _, s0 = case(cell, K=9, H=6, T=12, B=4 if batched else None, scale=2.0,
                            state=state)
    logits, _ = cell.forward(params, x, s0)
    expected, end = reference_forward(cell.name, params, x, s0)
    assert logits.shape == ((4, 12, 9) if batched else (12, 9))
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-13)
    _, _, last = cell.loss_and_grads(params, x, x, s0)
    assert all(p.shape == ((4, 6) if batched else (6,)) for p in parts(cell, last))
    assert_state_close(cell, last, end, 1e-14, 1e-13)


def test_loss_is_summed_over_time_and_averaged_over_the_batch(cell):
    params, x, y, s0 = case(cell, K=8, H=5, T=9, B=3, state=True)
    loss, _, _ = cell.loss_and_grads(params, x, y, s0)
    logits, _ = reference_forward(cell.name, params, x, s0)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(logp, y[..., None], -1).sum() / 3
    assert loss == pytest.approx(expected, rel=1e-13)


def test_carried_state_equals_one_long_sequence(cell):
    params, x, y, s0 = case(cell, K=8, H=6, T=20, B=3, state=True)
    full, _ = cell.forward(params, x, s0)
    loss_full, _, end_full = cell.loss_and_grads(params, x, y, s0)
    loss_a, _, mid = cell.loss_and_grads(params, x[:, :7], y[:, :7], s0)
    loss_b, _, end = cell.loss_and_grads(params, x[:, 7:], y[:, 7:], mid)
    second, _ = cell.forward(params, x[:, 7:], mid)
    np.testing.assert_allclose(second, full[:, 7:], rtol=0, atol=1e-13)
    assert loss_a + loss_b == pytest.approx(loss_full, rel=1e-13)
    assert_state_close(cell, end, end_full, 1e-14, 1e-14)
    # a single sequence too, with its (H,) state
    _, _, mid1 = cell.loss_and_grads(params, x[0, :7], y[0, :7])
    second1, _ = cell.forward(params, x[0, 7:], mid1)
    np.testing.assert_allclose(second1, cell.forward(params, x[0])[0][7:], rtol=0, atol=1e-13)


def test_batch_equals_the_per_sequence_loop(cell):
    params, x, y, s0 = case(cell, K=8, H=7, T=11, B=5, scale=1.5, state=True)
    loss, grads, end = cell.loss_and_grads(params, x, y, s0)
    singles = [cell.loss_and_grads(params, x[b], y[b], join(cell, [p[b] for p in
                                                                   parts(cell, s0)]))
               for b in range(5)]
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), abs=1e-12)
    for k in PARAM_NAMES:
        mean = np.mean([s[1][k] for s in singles], axis=0)
        np.testing.assert_allclose(grads[k], mean, rtol=0, atol=1e-13, err_msg=k)
    stacked = [np.stack(rows) for rows in zip(*(parts(cell, s[2]) for s in singles),
                                              strict=True)]
    assert_state_close(cell, end, join(cell, stacked), 1e-14, 1e-14)


@pytest.mark.parametrize("H", [5, 1])  # H = 1: every (H, H) block is trivially contiguous
def test_the_caller_s_state_and_params_are_not_changed(cell, H):
    params, x, y, s0 = case(cell, H=H, B=2, state=True)
    before = ({k: v.copy() for k, v in params.items()}, [p.copy() for p in parts(cell, s0)])
    cell.loss_and_grads(params, x, y, s0)
    assert all(np.array_equal(params[k], before[0][k]) for k in params)
    assert all(np.array_equal(p, q) for p, q in zip(parts(cell, s0), before[1], strict=True))


@pytest.mark.parametrize("batched", [False, True])
def test_step_equals_the_forward_pass(cell, batched):
    params, x, _, s0 = case(cell, K=9, H=6, T=8, B=3 if batched else None, scale=2.0,
                            state=True)
    logits, _ = cell.forward(params, x, s0)
    state = s0
    for t in range(8):
        state, o = cell.step(params, state, x[..., t])
        np.testing.assert_allclose(o, logits[..., t, :], rtol=0, atol=1e-13)
    _, _, end = cell.loss_and_grads(params, x, x, s0)
    assert_state_close(cell, state, end, 1e-14, 1e-13)


def test_float32_is_kept_and_agrees_with_float64(cell):
    p64, x, y, s0 = case(cell, K=10, H=8, T=12, B=3, state=True)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    loss32, g32, end32 = cell.loss_and_grads(p32, x, y, s0)
    loss64, g64, end64 = cell.loss_and_grads(p64, x, y, s0)
    logits32, cache = cell.forward(p32, x, s0)
    assert logits32.dtype == np.float32
    assert all(p.dtype == np.float32 for p in parts(cell, end32))
    assert all(g32[k].dtype == np.float32 for k in PARAM_NAMES)
    _, dstate = cell.backward(softmax_loss(logits32, y)[1], cache)
    assert all(d.dtype == np.float32 for d in parts(cell, dstate))
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for k in PARAM_NAMES:
        scale = np.abs(g64[k]).max()
        np.testing.assert_allclose(g32[k], g64[k], rtol=0, atol=1e-5 * scale, err_msg=k)
    assert_state_close(cell, end32, end64, 1e-6, 1e-5, rtol=1e-7)


def test_saturated_gates_stay_finite(cell):
    # huge pre-activations: sigma and tanh saturate to exactly 0 or 1 without overflow warnings
    params, x, y, _ = case(cell, K=6, H=4, T=30, scale=200.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grads, state = cell.loss_and_grads(params, x, y)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
    assert all(np.isfinite(p).all() for p in parts(cell, state))


# ------------------------------------------------------------------------- gradient checks

# Small models: the five-point stencil with h = 5e-4 (truncation ~h^4), and the package's rule
# for every entry, |a - n| <= atol + rtol |n| with rtol = 1e-7 and atol = default_atol(L, h),
# the centred difference's round-off (16 eps_machine |L| / h: 1e-11 to 3.4e-10 here). Every
# entry also has a relative error |a - n| / (|a| + |n|) below 1e-7, grad_check's measure,
# except in the GRU's reset-gate rows of U, W and b (floor_gate): the reset gate acts only
# through r * (W_n h), so some of its gradients are tiny, and round-off in the loss is then a
# large share of them. Measured on these models, on the four BLAS kernel / SIMD combinations
# of tools/foreign_cpu.py's docs: the worst relative error is 6.4e-8 to 7.1e-8 for the LSTM
# (here: an entry of U of 4.5e-5 in "batched", |a - n| = 5.7e-12, round-off), 4.2e-8 to
# 6.6e-8 for the GRU outside its reset-gate rows, and 1.0e-6 to 3.7e-6 inside them (here 10
# entries over 1e-7 |n|, |a| = 2.0e-6 to 4.7e-5, |a - n| = 1.2e-12 to 9.9e-12). Here no
# |a - n| exceeds 0.22 of the floor.
SMALL = {"eps": 5e-4, "order": 4}
RTOL = 1e-7


def assert_matches(cell, name, analytic, numeric, loss):
    """The entrywise rule with rtol 1e-7 everywhere, and relative errors below 1e-7 outside
    the rows of the cell's floor_gate."""
    ok = passes_entrywise(analytic, numeric, default_atol(loss, SMALL["eps"]), RTOL)
    rel = relative_error(analytic, numeric)
    assert ok.all(), (f"{name}: {np.sum(~ok)} of {ok.size} entries fail "
                      f"(worst relative error {rel[~ok].max():.2e})")
    if name in ("U", "W", "b") and cell.floor_gate is not None:
        H = len(rel) // cell.gates
        rel = np.delete(rel, slice(cell.floor_gate * H, (cell.floor_gate + 1) * H), axis=0)
    worst = rel.max()
    assert worst < RULE_OF_THUMB, f"{name}: relative error {worst:.2e}"


SMALL_CASES = {
    "single": dict(K=7, H=5, T=10),
    "batched": dict(K=7, H=5, T=10, B=3),
    "single_with_state": dict(K=6, H=4, T=12, state=True),
    "batched_with_state": dict(K=7, H=5, T=8, B=2, state=True, seed=1),
    "saturated": dict(K=8, H=6, T=12, B=2, state=True, seed=2),  # scale: saturating_scale
    "one_unit": dict(K=5, H=1, T=8, B=2, state=True, seed=3),
    "one_step": dict(K=5, H=3, T=1, state=True, seed=4),
}


@pytest.mark.parametrize("name", SMALL_CASES)
def test_small_models_every_gradient_and_dstate_pass_at_1e_7(cell, name):
    scale = cell.saturating_scale if name == "saturated" else 1.0
    params, x, y, state = case(cell, scale=scale, **SMALL_CASES[name])
    if state is None:  # dstate is checked at a zero state: give the check arrays to perturb
        H = params["W"].shape[1]
        shape = (H,) if np.ndim(x) == 1 else (len(x), H)
        state = join(cell, [np.zeros(shape) for _ in cell.state])
    if name == "saturated":  # really saturated: many gates near 0 or 1
        _, cache = cell.forward(params, x, state)
        g = cache["gates"][:cell.saturating_gates]
        assert np.mean((g < 0.05) | (g > 0.95)) > 0.2
    loss, grads, _ = cell.loss_and_grads(params, x, y, state)
    logits, cache = cell.forward(params, x, state)
    _, dstate = cell.backward(softmax_loss(logits, y)[1], cache)
    f = loss_of(cell, params, x, y, state)
    assert f() == pytest.approx(loss, rel=1e-14)
    for k in PARAM_NAMES:
        assert_matches(cell, k, grads[k], numerical_gradient(f, params[k], **SMALL), loss)
    state = [np.array(p, np.float64) for p in parts(cell, state)]
    f = loss_of(cell, params, x, y, join(cell, state))
    for part, d, p in zip(cell.state, parts(cell, dstate), state, strict=True):
        assert_matches(cell, "d" + part, d, numerical_gradient(f, p, **SMALL), loss)


def test_backward_of_any_upstream_gradient(cell):
    # the backward pass is a vector-Jacobian product: check it for random dL/dlogits, not
    # only for the softmax loss's, with L = sum(G * logits)
    params, x, _, state = case(cell, K=6, H=4, T=7, B=2, state=True, seed=5)
    G = np.random.default_rng(9).normal(size=(2, 7, 6))
    logits, cache = cell.forward(params, x, state)
    grads, dstate = cell.backward(G, cache)
    state = [np.array(p) for p in parts(cell, state)]

    def f():
        return float(np.sum(G * cell.forward(params, x, join(cell, state))[0]))

    for k, v, a in [*((k, params[k], grads[k]) for k in PARAM_NAMES),
                    *zip(cell.state, state, parts(cell, dstate), strict=True)]:
        assert_matches(cell, k, a, numerical_gradient(f, v, **SMALL), f())


def test_realistic_size_entrywise_with_the_round_off_floor(cell):
    """K = 65, H = 64, T = 25, B = 2, a non-zero state, classic two-point differences.

    Entries are sampled (300 per weight matrix, favouring the largest gradients, and every
    entry of b, c and the state): each must pass |a - n| <= atol + rtol |n| with atol the
    finite difference's round-off.
    """
    K, H, T, B = 65, 64, 25, 2
    rng = np.random.default_rng(0)
    params = cell.init(K, H, seed=0)
    params["W"] *= 2.0  # larger recurrent weights: gradients that travel far back in time
    x, y = rng.integers(0, K, (B, T)), rng.integers(0, K, (B, T))
    state = [rng.uniform(-0.9, 0.9, (B, H))]
    if cell.pair:  # the cell state is not bounded by 1
        state.append(rng.uniform(-2, 2, (B, H)))
    loss, grads, _ = cell.loss_and_grads(params, x, y, join(cell, state))
    logits, cache = cell.forward(params, x, join(cell, state))
    _, dstate = cell.backward(softmax_loss(logits, y)[1], cache)
    eps = 1e-5
    atol, rtol = default_atol(loss, eps), 1e-6
    f = loss_of(cell, params, x, y, join(cell, state))
    checked = 0
    for name, x_arr, a in [*((k, params[k], grads[k]) for k in PARAM_NAMES),
                           *zip(cell.state, state, parts(cell, dstate), strict=True)]:
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
    assert checked > cell.min_checked


# ---------------------------------------------------------------------------- bad input

# h0 is the state's h (the LSTM gets the pair (h0, zeros(5))); {G} and {NAME} in a message
# stand for the cell's gate count and name.
BAD_INPUTS = [
    (None, np.array([0, 7]), None, ValueError, r"index 7, outside the vocabulary \[0, 7\)"),
    (None, np.array([-1, 2]), None, ValueError, "index -1"),
    (None, np.array([0.0, 1.0]), None, TypeError, "integer"),
    (None, np.array([0.5, 1.0]), None, TypeError, "integer"),
    (None, np.array([], dtype=int), None, ValueError, "empty"),
    (None, np.zeros((1, 2, 3), int), None, ValueError, r"\(T,\) or \(B, T\)"),
    (None, [0, 1], np.zeros(4), ValueError, r"h0 has shape \(4,\)"),
    (None, [[0, 1]], np.zeros(5), ValueError, r"expected \(1, 5\)"),
    (None, [0, 1], np.full(5, np.nan), ValueError, "h0 contains nan or inf"),
    (None, [0, 1], np.zeros(5, complex), TypeError, "h0 must be a real"),
    (None, [0, 1], np.array(["a"] * 5), TypeError, "h0 must be a real"),
    (lambda p: p.pop("W"), [0], None, ValueError, "missing W"),
    (lambda p: p.pop("b"), [0], None, ValueError, "missing b"),
    (lambda p: p.update(W=np.zeros((5, 5))), [0], None, ValueError,
     r"params\['W'\] has shape \(5, 5\), expected \({G}H, H\) for the {NAME}"),
    (lambda p: p.update(U=np.zeros((16, 7))), [0], None, ValueError, r"params\['U'\]"),
    # U's rows right, its K not V's
    (lambda p: p.update(U=np.zeros((len(p["W"]), 6))), [0], None, ValueError, r"params\['V'\]"),
    (lambda p: p.update(V=np.zeros((7, 4))), [0], None, ValueError, r"params\['V'\]"),
    (lambda p: p.update(b=np.zeros(5)), [0], None, ValueError, r"params\['b'\]"),
    (lambda p: p.update(b=np.zeros(len(p["b"]) + 5)), [0], None, ValueError, r"params\['b'\]"),
    (lambda p: p.update(c=p["c"].astype(np.float32)), [0], None, TypeError, "float32"),
    (lambda p: p.update(W=p["W"].astype(np.float32)), [0], None, TypeError, "float32"),
]


@pytest.mark.parametrize("mutate, inputs, h0, error, match", BAD_INPUTS)
def test_bad_inputs_raise_naming_the_problem(cell, mutate, inputs, h0, error, match):
    params = case(cell)[0]
    if mutate:
        mutate(params)
    state = None if h0 is None else join(cell, [h0, np.zeros(5)][:len(cell.state)])
    with pytest.raises(error, match=match.format(G=cell.gates, NAME=cell.label)):
        cell.forward(params, inputs, state)


@pytest.mark.parametrize(
    "state, match",
    [
        ((np.zeros(5), np.zeros(4)), r"s0 has shape \(4,\)"),
        (np.zeros(5), r"state must be a pair \(h0, s0\)"),
        ((np.zeros(5),), "of length 1"),
        ((np.zeros(5), np.full(5, np.inf)), "s0 contains nan or inf"),
    ],
)
def test_lstm_rejects_a_malformed_state_pair(state, match):
    with pytest.raises(ValueError, match=match):
        lstm_forward(case(CELLS["lstm"])[0], [0, 1], state)


def test_gru_rejects_the_lstm_s_state_and_W():
    params = case(CELLS["gru"])[0]
    with pytest.raises(ValueError, match=r"h0 has shape \(2, 5\)"):
        gru_forward(params, [0, 1], (np.zeros(5), np.zeros(5)))
    params["W"] = np.zeros((20, 5))  # 4H rows
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(20, 5\), expected "
                                         r"\(3H, H\) for the GRU"):
        gru_forward(params, [0])


def test_other_cells_params_are_rejected(cell):
    other = CELLS["gru" if cell.name == "lstm" else "lstm"]
    match = f"for the {cell.label}'s {cell.gates} stacked gates"
    for params in (init_params(7, 5), other.init(7, 5)):
        with pytest.raises(ValueError, match=match):
            cell.forward(params, [0, 1])
    with pytest.raises(TypeError, match="dict"):
        cell.forward([1, 2], [0])


@pytest.mark.parametrize("B", [None, 2])
def test_bad_targets_and_dlogits(cell, B):
    params, x, y, _ = case(cell, T=5, B=B)
    with pytest.raises(ValueError, match="targets have shape"):
        cell.loss_and_grads(params, x, y[..., :4])
    for bad in (9, -3):
        with pytest.raises(ValueError, match=f"targets has index {bad}"):
            cell.loss_and_grads(params, x, np.full(x.shape, bad))
    _, cache = cell.forward(params, x)
    wrong, expected = ((4, 7), r"\(5, 7\)") if B is None else ((5, 7), r"\(2, 5, 7\)")
    with pytest.raises(ValueError, match=rf"dlogits has shape \({wrong[0]}, 7\), expected "
                                         + expected):
        cell.backward(np.zeros(wrong), cache)


# ---------------------------------------------------------------------------------- torch


def torch_run(torch, cell, params, x, state, batch_first):
    """torch.nn.LSTM or nn.GRU (float64) with our weights: U acts on one-hot inputs,
    bias_hh = 0.

    Returns logits (B, T, K), the final state's parts and the torch leaves (module, V, c and
    the initial state's parts) for autograd.
    """
    K, H = params["V"].shape
    net = getattr(torch.nn, cell.torch)(K, H, batch_first=batch_first, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(params["U"]))
        net.weight_hh_l0.copy_(torch.from_numpy(params["W"]))
        net.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        net.bias_hh_l0.zero_()
    X = torch.nn.functional.one_hot(torch.from_numpy(np.asarray(x)), K).double()  # (B, T, K)
    if not batch_first:
        X = X.transpose(0, 1)  # (T, B, K)
    B = X.shape[0] if batch_first else X.shape[1]
    start = [torch.tensor(np.reshape(p, (1, B, H)), requires_grad=True)
             for p in parts(cell, state)]
    V = torch.tensor(params["V"], requires_grad=True)
    c = torch.tensor(params["c"], requires_grad=True)
    hs, end = net(X, join(cell, start))
    if not batch_first:
        hs = hs.transpose(0, 1)
    return hs @ V.T + c, [p[0] for p in parts(cell, end)], (net, V, c, *start)


@pytest.mark.parametrize("batch_first", [True, False])
def test_forward_and_final_state_equal_torch(cell, batch_first):
    torch = pytest.importorskip("torch", reason=torch_reason(cell))
    params, x, _, state = case(cell, K=9, H=6, T=15, B=4, scale=2.0, state=True)
    logits, _ = cell.forward(params, x, state)
    end = cell.loss_and_grads(params, x, x, state)[2]
    t_logits, t_end, _ = torch_run(torch, cell, params, x, state, batch_first)
    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=0, atol=1e-10)
    for p, t in zip(parts(cell, end), t_end, strict=True):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=0, atol=1e-10)


def test_default_init_equals_torch_on_mapped_weights_for_a_single_sequence(cell):
    torch = pytest.importorskip("torch", reason=torch_reason(cell))
    params = cell.init(12, 8, seed=0)
    x = np.random.default_rng(0).integers(0, 12, 20)
    logits, _ = cell.forward(params, x)
    zeros = join(cell, [np.zeros(8) for _ in cell.state])
    t_logits, _, _ = torch_run(torch, cell, params, x[None], zeros, True)
    np.testing.assert_allclose(logits, t_logits[0].detach().numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("batch_first", [True, False])
def test_gradients_equal_torch_autograd(cell, batch_first):
    torch = pytest.importorskip("torch", reason=torch_reason(cell))
    params, x, y, state = case(cell, K=9, H=6, T=15, B=4, scale=2.0, state=True, seed=3)
    loss, grads, _ = cell.loss_and_grads(params, x, y, state)
    logits, cache = cell.forward(params, x, state)
    _, dstate = cell.backward(softmax_loss(logits, y)[1], cache)
    t_logits, _, (net, V, c, *t_state) = torch_run(torch, cell, params, x, state, batch_first)
    t_loss = torch.nn.functional.cross_entropy(
        t_logits.reshape(-1, 9), torch.from_numpy(y).reshape(-1), reduction="sum") / 4
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    torch_grads = {"U": net.weight_ih_l0.grad, "W": net.weight_hh_l0.grad,
                   "b": net.bias_ih_l0.grad, "V": V.grad, "c": c.grad}
    for k, g in torch_grads.items():
        np.testing.assert_allclose(grads[k], g.numpy(), rtol=0, atol=1e-10, err_msg=k)
    for d, t in zip(parts(cell, dstate), t_state, strict=True):
        np.testing.assert_allclose(d, t.grad[0].numpy(), rtol=0, atol=1e-10)
