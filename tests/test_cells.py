"""The cell registry (rnn_helpers.cells): names, detection from shapes, states, and that each
entry's functions compute its cell, against a plain loop written from the equations."""

import numpy as np
import pytest
from cases import make_model, reference_row_loss, reference_step, reference_zero_state

from rnn_helpers import PARAM_NAMES, init_params
from rnn_helpers.cells import CELLS, Cell, cell_of, check_params, get_cell, map_state
from rnn_helpers.functional import _softmax_loss
from rnn_helpers.gru import init_gru_params
from rnn_helpers.lstm import init_lstm_params

INITS = {"rnn": init_params, "lstm": init_lstm_params, "gru": init_gru_params}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def test_names_and_lookup():
    assert CELLS == ("rnn", "lstm", "gru")
    for name in CELLS:
        cell = get_cell(name)
        assert isinstance(cell, Cell) and cell.name == name and cell.gates == GATES[name]
        assert get_cell(cell) is cell
    assert [get_cell(n).label for n in CELLS] == ["an RNN", "an LSTM", "a GRU"]
    for bad in ("LSTM", "transformer", None, 4):
        with pytest.raises(ValueError, match="cell must be one of rnn, lstm, gru"):
            get_cell(bad)


@pytest.mark.parametrize("H", [1, 3, 4, 12])
@pytest.mark.parametrize("name", CELLS)
def test_the_cell_is_read_from_the_shape_of_W(name, H):
    params = INITS[name](5, H, seed=0)
    assert cell_of(params) == name
    cell, K, H_, dtype = check_params(params)
    assert (cell.name, K, H_, dtype) == (name, 5, H, np.float64)
    assert check_params(params, name)[0] is cell


@pytest.mark.parametrize(("name", "other"), [("rnn", "lstm"), ("lstm", "gru"), ("gru", "rnn")])
def test_an_explicit_cell_that_is_not_the_params_is_named(name, other):
    params = INITS[name](5, 3, seed=0)
    with pytest.raises(ValueError, match=f"params are {get_cell(name).label}'s .*not "
                                         f"{get_cell(other).label}'s"):
        check_params(params, other)


def test_malformed_params_are_named():
    lstm = init_lstm_params(5, 3, seed=0)
    with pytest.raises(ValueError, match=r"params\['b'\] has shape \(11,\)"):
        check_params({**lstm, "b": np.zeros(11)})
    with pytest.raises(ValueError, match=r"params\['V'\]"):
        check_params({**lstm, "V": np.zeros((5, 4))})
    with pytest.raises(TypeError, match="float"):
        check_params({**lstm, "c": np.zeros(5, np.float32)})
    with pytest.raises(ValueError, match="missing c"):
        check_params({k: v for k, v in lstm.items() if k != "c"})
    # a W that shows no cell (5H x H) is reported as an RNN's would be
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(15, 3\)"):
        check_params({**lstm, "W": np.zeros((15, 3))})
    with pytest.raises(TypeError, match="dict"):
        check_params([lstm])


@pytest.mark.parametrize("name", CELLS)
def test_zero_state_and_check_state(name):
    cell = get_cell(name)
    one, batch = cell.zero_state(4, np.float32), cell.zero_state(4, np.float32, 3)
    parts = (one, batch) if name != "lstm" else (*one, *batch)
    assert all(p.dtype == np.float32 and not p.any() for p in parts)
    if name == "lstm":
        assert isinstance(one, tuple) and len(one) == 2 and one[0].shape == (4,)
        assert batch[1].shape == (3, 4)
        with pytest.raises(ValueError, match=r"pair \(h, s\)"):
            cell.check_state(np.zeros(4), (4,))
        with pytest.raises(ValueError, match=r"s has shape \(5,\), expected \(4,\)"):
            cell.check_state((np.zeros(4), np.zeros(5)), (4,))
        assert all(isinstance(p, np.ndarray) for p in cell.check_state([[0.0] * 4] * 2, (4,)))
    else:
        assert one.shape == (4,) and batch.shape == (3, 4)
        with pytest.raises(ValueError, match=r"h has shape \(5,\), expected \(4,\)"):
            cell.check_state(np.zeros(5), (4,), "h")


def test_map_state_maps_every_part():
    assert map_state(lambda a: a + 1, np.zeros(2)).tolist() == [1, 1]
    h, s = map_state(lambda a: 2 * a, (np.ones(2), np.full(2, 3.0)))
    assert h.tolist() == [2, 2] and s.tolist() == [6, 6]


@pytest.mark.parametrize("name", CELLS)
def test_step_and_forward_compute_the_cell_of_the_equations(name):
    """Each entry's step and forward against a plain loop written in the test (cases.py)."""
    cell, p = get_cell(name), make_model(name, 6, 4, bias=0.3)
    xs = np.array([0, 3, 3, 5, 1, 2, 4])
    state = ref = reference_zero_state(name, 4)
    logits, _ = cell.forward(p, xs)
    for t, ix in enumerate(xs):
        ref, o_ref = reference_step(name, p, ref, ix)
        state, o = cell.step(p, state, ix)
        np.testing.assert_allclose(o, o_ref, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(logits[t], o_ref, rtol=1e-12, atol=1e-14)
    for a, b in zip(map_state(lambda x: (x,), state), map_state(lambda x: (x,), ref),
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", CELLS)
def test_the_training_internals_agree_with_the_public_functions(name):
    """batch_forward / batch_backward / last_state (train's hot path) against the
    reference loss and the public loss_and_grads, on a batch from a nonzero state."""
    cell, p = get_cell(name), make_model(name, 6, 4, bias=0.3)
    rng = np.random.default_rng(1)
    X, Y = rng.integers(0, 6, (3, 5)), rng.integers(0, 6, (3, 5))
    state = map_state(lambda z: rng.uniform(-0.5, 0.5, z.shape), cell.zero_state(4, batch_size=3))
    work = {}  # shared by forward and backward, as in train
    logits, cache = cell.batch_forward(p, X, state, work)
    loss, do = _softmax_loss(cache["o"], Y.T, 3, work)
    rows = [reference_row_loss(name, p, X[b], Y[b], map_state(lambda z, b=b: z[b], state))
            for b in range(3)]
    assert loss == pytest.approx(sum(r[0] for r in rows) / 3, rel=1e-12)
    np.testing.assert_allclose(logits, cache["o"].reshape(5, 3, 6).transpose(1, 0, 2))
    last = map_state(lambda z: z, cell.last_state(cache))
    for b in range(3):
        got = map_state(lambda z, b=b: z[b], last)
        for g, r in zip(got if name == "lstm" else (got,),
                        rows[b][1] if name == "lstm" else (rows[b][1],), strict=True):
            np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-14)
    grads = cell.batch_backward(do, cache, work)
    loss2, grads2, _ = cell.loss_and_grads(p, X, Y, state)
    assert loss2 == loss
    for k in PARAM_NAMES:
        np.testing.assert_allclose(grads[k], grads2[k], rtol=1e-13, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_training_steps_equal_torch(name):
    """Three SGD steps of train (state carried across windows, no clipping) against
    torch.nn.LSTM / nn.GRU on the mapped weights (one-hot inputs, bias_hh = 0), float64."""
    torch = pytest.importorskip("torch", reason="torch is not installed: this cross-check "
                                                "runs only where it is (never a dependency)")
    from rnn_helpers import SGD, train, training_windows

    K, H, B, T, steps, lr = 6, 5, 3, 7, 3, 0.5
    data = np.random.default_rng(0).integers(0, K, 500)
    p = make_model(name, K, H, seed=2, bias=0.3)
    rnn_cls = torch.nn.LSTM if name == "lstm" else torch.nn.GRU
    net = rnn_cls(K, H, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(p["U"]))
        net.weight_hh_l0.copy_(torch.from_numpy(p["W"]))
        net.bias_ih_l0.copy_(torch.from_numpy(p["b"]))
        net.bias_hh_l0.zero_()
    net.bias_hh_l0.requires_grad_(False)  # it stays 0: this package has no such bias
    V = torch.tensor(p["V"], requires_grad=True)
    c = torch.tensor(p["c"], requires_grad=True)
    history = train(p, data, optimizer=SGD(lr), steps=steps, seq_length=T, batch_size=B,
                    clip=None, progress=False, seed=1)
    stream = training_windows(data, B, T, seed=1)
    zeros = torch.zeros(1, B, H, dtype=torch.float64)
    state = (zeros, zeros) if name == "lstm" else zeros
    torch_params = [net.weight_ih_l0, net.weight_hh_l0, net.bias_ih_l0, V, c]
    for i in range(steps):
        X, Y, reset = stream.next()
        assert not reset
        x = torch.nn.functional.one_hot(torch.from_numpy(X.T), K).to(torch.float64)  # (T, B, K)
        out, state = net(x, state)
        logits = out @ V.T + c
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, K),
                                                 torch.from_numpy(Y.T).reshape(-1),
                                                 reduction="sum") / B
        for q in torch_params:
            q.grad = None
        loss.backward()
        with torch.no_grad():
            for q in torch_params:
                q -= lr * q.grad
        state = tuple(s.detach() for s in state) if name == "lstm" else state.detach()
        assert history.losses[i] == pytest.approx(loss.item() / T, rel=1e-12)
    for k, q in zip(("U", "W", "b", "V", "c"), torch_params, strict=True):
        np.testing.assert_allclose(p[k], q.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
    h_torch = state[0] if name == "lstm" else state
    h_ours = history.hidden[0] if name == "lstm" else history.hidden
    np.testing.assert_allclose(h_ours, h_torch[0].numpy(), rtol=1e-10, atol=1e-12)
    if name == "lstm":
        np.testing.assert_allclose(history.hidden[1], state[1][0].numpy(), rtol=1e-10,
                                   atol=1e-12)
