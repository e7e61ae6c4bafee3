"""lstm_step_backward, the readable one-step backward of the LSTM: looped over a sequence it
gives lstm_backward's gradients, and each of its outputs matches centred differences.

The forward steps come from tests/cases.py (the tests' one copy of the equations, independent
of rnn_helpers.lstm); the finite differences are written here.
"""

import numpy as np
import pytest
from cases import make_case, reference_step

from rnn_helpers import (
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    numerical_gradient,
    softmax_loss,
)


def loop_backward(params, inputs, targets, state):
    """BPTT as a loop of lstm_step_backward over reference forward steps.

    Returns (grads, (dh0, ds0)) with the gradients summed over the steps by hand."""
    H = params["W"].shape[1]
    h, s = state
    steps = []
    for ix in inputs:
        (h_new, s_new), logits, gates = reference_step("lstm", params, (h, s), ix, gates=True)
        steps.append((ix, h, s, h_new, s_new, logits, gates))
        h, s = h_new, s_new
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_next, ds_next = np.zeros(H), np.zeros(H)
    for t in reversed(range(len(inputs))):
        ix, h_prev, s_prev, h, s, logits, gates = steps[t]
        p = np.exp(logits - logits.max())
        do = p / p.sum()
        do[targets[t]] -= 1.0  # dL/dlogits_t
        grads["V"] += np.outer(do, h)
        grads["c"] += do
        dh = params["V"].T @ do + dh_next
        gate_tuple = tuple(gates[k] for k in "ifgo")
        da, dh_next, ds_next = lstm_step_backward(params["W"], dh, ds_next, s_prev, s,
                                                  gate_tuple)
        grads["U"][:, ix] += da
        grads["W"] += np.outer(da, h_prev)
        grads["b"] += da
    return grads, (dh_next, ds_next)


@pytest.mark.parametrize("scale", [1.0, 3.0])  # 3: saturated gates
def test_a_loop_of_steps_gives_lstm_backward(scale):
    params, inputs, targets, state = make_case("lstm", K=7, H=5, T=9, scale=scale, bias=0.3,
                                               state=True, seed=4)
    logits, cache = lstm_forward(params, inputs, state)
    _, dlogits = softmax_loss(logits, targets)
    grads, (dh0, ds0) = lstm_backward(dlogits, cache)
    loop_grads, (loop_dh0, loop_ds0) = loop_backward(params, inputs, targets, state)
    for k in grads:
        np.testing.assert_allclose(loop_grads[k], grads[k], rtol=1e-12, atol=1e-14, err_msg=k)
    np.testing.assert_allclose(loop_dh0, dh0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(loop_ds0, ds0, rtol=1e-12, atol=1e-14)


def _step_case(seed=1, H=4, K=6):
    """A step: params, a character, a state (h_prev, s_prev), and upstream dh, ds."""
    params, _, _, _ = make_case("lstm", K=K, H=H, T=1, scale=2.0, bias=0.5, seed=seed)
    rng = np.random.default_rng(seed)
    h_prev, s_prev = rng.uniform(-0.9, 0.9, H), rng.uniform(-2.0, 2.0, H)
    dh, ds = rng.normal(size=H), rng.normal(size=H)
    return params, 3, h_prev, s_prev, dh, ds


def _rel(a, n):
    return np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-300))


def test_each_output_matches_centred_differences():
    params, ix, h_prev, s_prev, dh, ds = _step_case()
    U, W, b = params["U"], params["W"], params["b"]
    H = W.shape[1]
    (h, s), _, gates = reference_step("lstm", params, (h_prev, s_prev), ix, gates=True)
    da, dh_prev, ds_prev = lstm_step_backward(W, dh, ds, s_prev, s,
                                              tuple(gates[k] for k in "ifgo"))
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731

    def from_a(a, s_prev):
        """The step's F = dh . h_t + ds . s_t from the pre-activations a (4H,)."""
        i, f, g, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
        s = f * s_prev + i * g
        return float(dh @ (o * np.tanh(s)) + ds @ s)

    a = U[:, ix] + W @ h_prev + b
    num_da = numerical_gradient(lambda: from_a(a, s_prev), a, 1e-6)
    num_dh_prev = numerical_gradient(lambda: from_a(U[:, ix] + W @ h_prev + b, s_prev), h_prev,
                                     1e-6)
    num_ds_prev = numerical_gradient(lambda: from_a(U[:, ix] + W @ h_prev + b, s_prev), s_prev,
                                     1e-6)
    assert _rel(da, num_da) < 1e-7
    assert _rel(dh_prev, num_dh_prev) < 1e-7
    assert _rel(ds_prev, num_ds_prev) < 1e-7


def test_a_batch_of_rows_is_each_row_on_its_own():
    rows = [_step_case(seed=s) for s in (1, 2, 3)]
    W = rows[0][0]["W"]
    per_row, batch_in = [], {k: [] for k in ("dh", "ds", "s_prev", "s", "gates")}
    for params, ix, h_prev, s_prev, dh, ds in rows:
        params = dict(params, W=W)
        (h, s), _, gates = reference_step("lstm", params, (h_prev, s_prev), ix, gates=True)
        gates = tuple(gates[k] for k in "ifgo")
        per_row.append(lstm_step_backward(W, dh, ds, s_prev, s, gates))
        for k, v in zip(batch_in, (dh, ds, s_prev, s, np.array(gates)), strict=True):
            batch_in[k].append(v)
    dh, ds, s_prev, s, gates = (np.array(v) for v in batch_in.values())
    da, dh_prev, ds_prev = lstm_step_backward(W, dh, ds, s_prev, s, tuple(gates.transpose(1, 0, 2)))
    assert da.shape == (3, 16) and dh_prev.shape == ds_prev.shape == (3, 4)
    for r, (da_r, dh_r, ds_r) in enumerate(per_row):
        np.testing.assert_allclose(da[r], da_r, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(dh_prev[r], dh_r, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(ds_prev[r], ds_r, rtol=1e-14, atol=1e-15)


def test_bad_shapes_are_named():
    H = 3
    W, v = np.zeros((4 * H, H)), np.zeros(H)
    gates = (v, v, v, v)
    with pytest.raises(ValueError, match=r"W has shape \(3, 3\)"):
        lstm_step_backward(np.zeros((H, H)), v, v, v, v, gates)
    with pytest.raises(ValueError, match="the 4 gates"):
        lstm_step_backward(W, v, v, v, v, gates[:3])
    with pytest.raises(ValueError, match=r"dh has shape \(4,\)"):
        lstm_step_backward(W, np.zeros(4), v, v, v, gates)
    with pytest.raises(ValueError, match=r"s_prev has shape \(2,\)"):
        lstm_step_backward(W, v, v, np.zeros(2), v, gates)
    with pytest.raises(ValueError, match=r"\bg has shape \(3, 1\)"):
        lstm_step_backward(W, v, v, v, v, (v, v, np.zeros((H, 1)), v))
