"""The LSTM and the GRU against torch.nn.LSTM / nn.GRU, without torch: results stored by
tools/make_torch_reference.py in tests/data/torch_gated_reference.npz.

torch is never a dependency, so the live comparisons in test_gated_cells.py skip in
CI. This file keeps PyTorch's gate order (LSTM i, f, g, o; GRU r, z, n, with torch's
n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) and bias_hh = 0), its forward pass and its
gradients checked everywhere. Regenerate the file with
``/work/torchenv/bin/python tools/make_torch_reference.py`` (any Python with torch).
"""

from pathlib import Path

import numpy as np
import pytest
from cases import reference_forward

from rnn_helpers import PARAM_NAMES, softmax_loss
from rnn_helpers.gru import gru_backward, gru_forward, gru_loss_and_grads, gru_step
from rnn_helpers.lstm import lstm_backward, lstm_forward, lstm_loss_and_grads, lstm_step

PATH = Path(__file__).parent / "data" / "torch_gated_reference.npz"
FUNCTIONS = {
    "lstm": (lstm_forward, lstm_backward, lstm_loss_and_grads, lstm_step),
    "gru": (gru_forward, gru_backward, gru_loss_and_grads, gru_step),
}
# torch and this package both compute in float64, in different orders: they agree to a few
# ulps of values of order 1 (measured: below 1e-15); 1e-12 leaves room for another CPU
ATOL = 1e-12


def unpack(cell):
    """The stored arrays of ``cell`` as a dict name -> array (see the tool's docstring).

    The file holds, per cell, one flat float64 vector, the "name d1xd2..." list of the
    arrays packed in it, and the (2, B, T) int tokens (inputs, targets).
    """
    with np.load(PATH, allow_pickle=False) as f:
        flat, fields, tokens = f[cell], f[f"{cell}_fields"], f[f"{cell}_tokens"]
    out, start = {}, 0
    for field in fields:
        name, _, dims = str(field).partition(" ")
        shape = tuple(int(d) for d in dims.split("x")) if dims else ()
        size = int(np.prod(shape))
        out[name] = flat[start:start + size].reshape(shape)
        start += size
    assert start == flat.size, "the fields do not cover the stored vector"
    out["inputs"], out["targets"] = tokens.astype(np.int64)
    return out


def _state(ref, cell):
    return (ref["h0"], ref["s0"]) if cell == "lstm" else ref["h0"]


def test_the_file_is_small_and_says_where_it_comes_from():
    assert PATH.stat().st_size < 8_000
    with np.load(PATH, allow_pickle=False) as f:
        assert sorted(f.files) == ["gru", "gru_fields", "gru_tokens", "lstm", "lstm_fields",
                                   "lstm_tokens", "versions"]
        assert str(f["versions"][0]).startswith("torch ")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_stored_case_exercises_every_gate(cell):
    """Not a degenerate case: gates spread over (0, 1), every gradient nonzero except dU's
    column of the character that never occurs (exactly 0 in torch too)."""
    ref = unpack(cell)
    G, K = {"lstm": 4, "gru": 3}[cell], ref["V"].shape[0]
    assert ref["U"].shape == (G * ref["W"].shape[1], K) and ref["logits"].dtype == np.float64
    _, cache = FUNCTIONS[cell][0]({k: ref[k] for k in PARAM_NAMES}, ref["inputs"],
                                  _state(ref, cell))
    sigmoid_gates = cache["gates"][[0, 1, 3] if cell == "lstm" else [0, 1]]
    assert sigmoid_gates.min() < 0.2 and sigmoid_gates.max() > 0.8
    assert not np.isin(K - 1, ref["inputs"]) and not ref["dU"][:, K - 1].any()
    assert np.all(ref["dU"][:, :K - 1] != 0)
    for k in ("dW", "db", "dV", "dc", "dh0"):
        assert np.all(ref[k] != 0), k


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_forward_loss_and_final_state_equal_torch(cell):
    ref = unpack(cell)
    forward, _, loss_and_grads, _ = FUNCTIONS[cell]
    params = {k: ref[k] for k in PARAM_NAMES}
    state = _state(ref, cell)
    logits, _ = forward(params, ref["inputs"], state)
    np.testing.assert_allclose(logits, ref["logits"], rtol=0, atol=ATOL)
    loss, _, final = loss_and_grads(params, ref["inputs"], ref["targets"], state)
    assert loss == pytest.approx(float(ref["loss"]), rel=1e-13)
    finals = final if cell == "lstm" else (final,)
    for got, name in zip(finals, ("hT", "sT"), strict=False):
        np.testing.assert_allclose(got, ref[name], rtol=0, atol=ATOL, err_msg=name)
    # the tests' own loop from the equations (tests/cases.py) agrees with torch as well
    loop_logits, _ = reference_forward(cell, params, ref["inputs"], state)
    np.testing.assert_allclose(loop_logits, ref["logits"], rtol=0, atol=ATOL)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_one_sequence_and_the_step_function_equal_torch(cell):
    """Each row of the batch alone, from its own state: the single-sequence path and the
    one-step function that sampling uses."""
    ref = unpack(cell)
    forward, _, _, step = FUNCTIONS[cell]
    params = {k: ref[k] for k in PARAM_NAMES}
    for b in range(len(ref["inputs"])):
        state = (ref["h0"][b], ref["s0"][b]) if cell == "lstm" else ref["h0"][b]
        logits, _ = forward(params, ref["inputs"][b], state)
        np.testing.assert_allclose(logits, ref["logits"][b], rtol=0, atol=ATOL)
        for t, ix in enumerate(ref["inputs"][b]):
            state, o = step(params, state, int(ix))
            np.testing.assert_allclose(o, ref["logits"][b, t], rtol=0, atol=ATOL)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradients_and_dstate_equal_torch_autograd(cell):
    ref = unpack(cell)
    forward, backward, loss_and_grads, _ = FUNCTIONS[cell]
    params = {k: ref[k] for k in PARAM_NAMES}
    state = _state(ref, cell)
    _, grads, _ = loss_and_grads(params, ref["inputs"], ref["targets"], state)
    for k in PARAM_NAMES:
        np.testing.assert_allclose(grads[k], ref[f"d{k}"], rtol=0, atol=ATOL, err_msg=k)
    logits, cache = forward(params, ref["inputs"], state)
    _, dstate = backward(softmax_loss(logits, ref["targets"])[1], cache)
    dparts = dstate if cell == "lstm" else (dstate,)
    for got, name in zip(dparts, ("dh0", "ds0"), strict=False):
        np.testing.assert_allclose(got, ref[name], rtol=0, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_wrong_gate_order_would_be_caught(cell):
    """The check has teeth: swapping two gates' blocks of rows (say the LSTM's i and f, or
    the GRU's r and z) in U, W and b changes the logits far beyond the tolerance."""
    ref = unpack(cell)
    H = ref["W"].shape[1]
    params = {k: ref[k].copy() for k in PARAM_NAMES}
    for k in ("U", "W", "b"):
        params[k][:H], params[k][H:2 * H] = ref[k][H:2 * H], ref[k][:H]
    logits, _ = FUNCTIONS[cell][0](params, ref["inputs"], _state(ref, cell))
    assert np.abs(logits - ref["logits"]).max() > 1e-3
