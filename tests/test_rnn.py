"""The model: initialisation, forward pass and BPTT against a plain one-hot reference."""

import numpy as np
import pytest
from cases import make_case, reference_forward_backward

from rnn_helpers import (
    PARAM_NAMES,
    hidden_state_grads,
    init_params,
    loss_and_grads,
    rnn_backward,
    rnn_forward,
)
from rnn_helpers.rnn import _scatter_add_columns


def test_init_shapes_ranges_and_determinism():
    p = init_params(11, 6, seed=3)
    shapes = {"U": (6, 11), "W": (6, 6), "V": (11, 6), "b": (6,), "c": (11,)}
    assert {k: v.shape for k, v in p.items()} == shapes
    assert np.abs(p["U"]).max() <= 1 / np.sqrt(11)
    assert np.abs(p["W"]).max() <= 1 / np.sqrt(6) and np.abs(p["V"]).max() <= 1 / np.sqrt(6)
    assert not p["b"].any() and not p["c"].any()
    q = init_params(11, 6, seed=3)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W"], init_params(11, 6, seed=4)["W"])
    assert init_params(4, 3, dtype=np.float32)["W"].dtype == np.float32


def test_default_init_is_uniform_drawn_in_the_order_U_W_V():
    # the contract, written out: one generator, U then W then V, each uniform in +-1/sqrt(fan-in)
    K, H, seed = 7, 5, 11
    rng = np.random.default_rng(seed)
    expected = {"U": rng.uniform(-1 / np.sqrt(K), 1 / np.sqrt(K), (H, K)),
                "W": rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), (H, H)),
                "V": rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), (K, H))}
    for p in (init_params(K, H, seed=seed), init_params(K, H, seed=seed, init="uniform")):
        for name, value in expected.items():
            np.testing.assert_array_equal(p[name], value)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_orthogonal_init_gives_an_orthogonal_W_with_unit_eigenvalues(dtype):
    H = 12
    p = init_params(5, H, seed=2, dtype=dtype, init="orthogonal")
    W = p["W"].astype(np.float64)
    assert p["W"].dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(W.T @ W, np.eye(H), atol=tol)
    np.testing.assert_allclose(W @ W.T, np.eye(H), atol=tol)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(W)), 1.0, atol=10 * tol)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.0, atol=10 * tol)
    # only W differs from the default: U and V are the same draws
    u = init_params(5, H, seed=2, dtype=dtype)
    for name in ("U", "V", "b", "c"):
        np.testing.assert_array_equal(p[name], u[name])
    np.testing.assert_array_equal(W, init_params(5, H, seed=2, init="orthogonal")["W"]
                                  .astype(dtype).astype(np.float64))


def test_orthogonal_init_is_unbiased_thanks_to_the_sign_fix():
    # Haar-distributed Q: each entry has mean 0 and variance 1/n. A plain QR without the sign
    # fix makes W[0, 0] = -|a_11| / ||a_1||, always negative (mean about -0.5 for n = 3,
    # where |a_11| / ||a_1|| is uniform on [0, 1]).
    n, draws = 3, 400
    w = np.array([init_params(2, n, seed=s, init="orthogonal")["W"][0, 0] for s in range(draws)])
    assert abs(w.mean()) < 4 / np.sqrt(3 * draws)
    assert np.mean(w ** 2) == pytest.approx(1 / n, abs=0.05)


def test_identity_init():
    p = init_params(6, 4, seed=0, init="identity", dtype=np.float32)
    np.testing.assert_array_equal(p["W"], np.eye(4))
    assert p["W"].dtype == np.float32
    np.testing.assert_array_equal(p["U"], init_params(6, 4, seed=0, dtype=np.float32)["U"])


@pytest.mark.parametrize("bad", ["orthonormal", "", None, 1])
def test_init_rejects_an_unknown_init_naming_it(bad):
    with pytest.raises(ValueError, match=r"init must be one of uniform, orthogonal, identity"):
        init_params(4, 3, init=bad)
    with pytest.raises(ValueError, match=repr(bad).replace("(", r"\(")):
        init_params(4, 3, init=bad)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((0, 5), {}, ValueError, "vocab_size must be positive"),
        ((5, -1), {}, ValueError, "hidden_size must be positive"),
        ((5.0, 3), {}, TypeError, "vocab_size must be an integer"),
        ((5, 3), {"dtype": np.int32}, TypeError, "floating"),
    ],
)
def test_init_rejects_bad_sizes(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        init_params(*args, **kwargs)


@pytest.mark.parametrize("h0", [False, True])
def test_single_sequence_matches_the_one_hot_reference(h0):
    params, x, y, h = make_case(K=9, H=6, T=12, scale=2.0, state=h0)
    loss, grads, h_last = loss_and_grads(params, x, y, h)
    ref_loss, ref_grads, ref_h, ref_dh0 = reference_forward_backward(params, x, y, h)
    assert loss == pytest.approx(ref_loss, rel=1e-13)
    for k in PARAM_NAMES:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-11, atol=1e-13, err_msg=k)
    np.testing.assert_allclose(h_last, ref_h, rtol=1e-13)
    logits, cache = rnn_forward(params, x, h)
    assert logits.shape == (12, 9)
    dlogits = np.random.default_rng(1).normal(size=logits.shape)
    _, dh0 = rnn_backward(dlogits, cache)
    assert dh0.shape == (6,)


def test_dh0_matches_the_reference():
    params, x, y, h = make_case(T=8, state=True)
    logits, cache = rnn_forward(params, x, h)
    from rnn_helpers import softmax_loss

    _, dlogits = softmax_loss(logits, y)
    _, dh0 = rnn_backward(dlogits, cache)
    np.testing.assert_allclose(dh0, reference_forward_backward(params, x, y, h)[3], atol=1e-14)


def test_batch_equals_the_per_sequence_loop_to_1e_12():
    params, x, y, h = make_case(K=8, H=7, T=11, B=5, scale=1.5, state=True)
    loss, grads, h_last = loss_and_grads(params, x, y, h)
    singles = [loss_and_grads(params, x[i], y[i], h[i]) for i in range(5)]
    # loss is summed over time and averaged over the batch, so are the gradients
    assert loss == pytest.approx(np.mean([s[0] for s in singles]), abs=1e-12)
    for k in PARAM_NAMES:
        mean = np.mean([s[1][k] for s in singles], axis=0)
        np.testing.assert_allclose(grads[k], mean, rtol=0, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(h_last, np.stack([s[2] for s in singles]), rtol=0, atol=1e-12)
    logits, _ = rnn_forward(params, x, h)
    assert logits.shape == (5, 11, 8)
    np.testing.assert_allclose(logits[2], rnn_forward(params, x[2], h[2])[0], atol=1e-12)


def test_float32_is_kept_and_agrees_with_float64():
    p64, x, y, h = make_case(K=10, H=8, T=12, B=3, state=True)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    loss32, g32, h32 = loss_and_grads(p32, x, y, h)
    loss64, g64, h64 = loss_and_grads(p64, x, y, h)
    assert h32.dtype == np.float32 and all(g32[k].dtype == np.float32 for k in PARAM_NAMES)
    assert rnn_forward(p32, x, h)[0].dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for k in PARAM_NAMES:
        scale = np.abs(g64[k]).max()
        np.testing.assert_allclose(g32[k], g64[k], rtol=0, atol=1e-5 * scale, err_msg=k)
    np.testing.assert_allclose(h32, h64, atol=1e-6)


def test_loss_at_initialisation_is_about_T_log_K():
    K, T = 30, 20
    params = init_params(K, 16, seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    loss, _, _ = loss_and_grads(params, x, y)
    # small initial weights give nearly uniform predictions: -log(1/K) per character
    assert loss == pytest.approx(T * np.log(K), rel=0.02)


def test_hidden_state_grads_shapes_and_last_step():
    params, x, y, _ = make_case(T=6, B=2)
    dh = hidden_state_grads(params, x, y)
    assert dh.shape == (2, 6, 5)
    # at the last step only the output path exists: dL/dh_T = V^T (y_hat - y) / B
    logits, _ = rnn_forward(params, x)
    from rnn_helpers import softmax_loss

    _, dlogits = softmax_loss(logits, y)
    np.testing.assert_allclose(dh[:, -1], dlogits[:, -1] @ params["V"], atol=1e-15)


def test_scatter_add_equals_add_at():
    rng = np.random.default_rng(0)
    ix = rng.integers(0, 9, 200)
    rows = rng.normal(size=(200, 4))
    expected = np.zeros((9, 4))
    np.add.at(expected, ix, rows)
    np.testing.assert_allclose(_scatter_add_columns(ix, rows, 9), expected.T, atol=1e-13)


def _params():
    return make_case()[0]


@pytest.mark.parametrize(
    "mutate, inputs, h0, error, match",
    [
        (None, np.array([0, 7]), None, ValueError, r"index 7, outside the vocabulary \[0, 7\)"),
        (None, np.array([-1, 2]), None, ValueError, "index -1"),
        (None, np.array([0.0, 1.0]), None, TypeError, "integer"),
        (None, np.array([True, False]), None, TypeError, "integer"),
        (None, np.array([], dtype=int), None, ValueError, "empty"),
        (None, np.zeros((1, 2, 3), int), None, ValueError, r"\(T,\) or \(B, T\)"),
        (None, np.array([0, 1]), np.zeros(4), ValueError, r"h0 has shape \(4,\)"),
        (None, np.array([[0, 1]]), np.zeros(5), ValueError, r"expected \(1, 5\)"),
        (None, np.array([0, 1]), np.full(5, np.nan), ValueError, "h0 contains nan"),
        (None, np.array([0, 1]), np.zeros(5, complex), TypeError, "h0 must be a real"),
        (lambda p: p.pop("W"), np.array([0]), None, ValueError, "missing W"),
        (lambda p: p.update(V=np.zeros((7, 4))), [0], None, ValueError, "params\\['V'\\]"),
        (lambda p: p.update(b=p["b"].astype(np.float32)), [0], None, TypeError, "float32"),
    ],
)
def test_bad_inputs_raise_naming_the_problem(mutate, inputs, h0, error, match):
    params = _params()
    if mutate:
        mutate(params)
    with pytest.raises(error, match=match):
        rnn_forward(params, inputs, h0)


def test_bad_targets_and_dlogits():
    params, x, y, _ = make_case(T=5)
    with pytest.raises(ValueError, match="targets have shape"):
        loss_and_grads(params, x, y[:4])
    with pytest.raises(ValueError, match="targets has index 9"):
        loss_and_grads(params, x, np.full(5, 9))
    _, cache = rnn_forward(params, x)
    with pytest.raises(ValueError, match="dlogits has shape"):
        rnn_backward(np.zeros((4, 7)), cache)
    with pytest.raises(TypeError, match="dict"):
        rnn_forward([1, 2], x)


def test_importing_the_package_limits_blas_to_one_thread():
    from threadpoolctl import threadpool_info

    import rnn_helpers  # noqa: F401

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)
