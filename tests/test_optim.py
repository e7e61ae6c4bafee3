"""Tests for rnn_helpers.optim: each update rule against the formula written out here.

Formulas (g_t the gradient at step t, all element-wise):
    SGD       p -= lr g
    Momentum  v = beta v + g;            p -= lr v
    Adagrad   m += g^2;                  p -= lr g / sqrt(m + eps)      (min-char-rnn)
    Adam      Kingma & Ba (2015), Algorithm 1:
              m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
              m_hat = m / (1 - b1^t); v_hat = v / (1 - b2^t)
              p -= lr m_hat / (sqrt(v_hat) + eps)
"""

import math

import numpy as np
import pytest

from rnn_helpers import SGD, Adagrad, Adam, Momentum, clip_grad_norm, clip_gradients

SHAPES = {"U": (4, 3), "W": (4, 4), "b": (4,)}


def _params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=s).astype(dtype) for k, s in SHAPES.items()}


def _copy(d):
    return {k: v.copy() for k, v in d.items()}


def _grads(seed, dtype=np.float64):
    return _params(100 + seed, dtype)


# --- hand-written reference updates ---------------------------------------------------


def _ref_sgd(p, gs, lr):
    p = _copy(p)
    for g in gs:
        for k in p:
            p[k] = p[k] - lr * g[k]
    return p


def _ref_momentum(p, gs, lr, beta):
    p = _copy(p)
    v = {k: np.zeros_like(x) for k, x in p.items()}
    for g in gs:
        for k in p:
            v[k] = beta * v[k] + g[k]
            p[k] = p[k] - lr * v[k]
    return p


def _ref_adagrad(p, gs, lr, eps):
    p = _copy(p)
    m = {k: np.zeros_like(x) for k, x in p.items()}
    for g in gs:
        for k in p:
            m[k] = m[k] + g[k] ** 2
            p[k] = p[k] - lr * g[k] / np.sqrt(m[k] + eps)
    return p


def _ref_adam(p, gs, lr, b1, b2, eps):
    p = _copy(p)
    m = {k: np.zeros_like(x) for k, x in p.items()}
    v = {k: np.zeros_like(x) for k, x in p.items()}
    for t, g in enumerate(gs, start=1):
        for k in p:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
            m_hat = m[k] / (1 - b1**t)
            v_hat = v[k] / (1 - b2**t)
            p[k] = p[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


CASES = [
    ("sgd", lambda: SGD(0.1), lambda p, gs: _ref_sgd(p, gs, 0.1)),
    ("momentum", lambda: Momentum(0.05, beta=0.8), lambda p, gs: _ref_momentum(p, gs, 0.05, 0.8)),
    ("adagrad", lambda: Adagrad(0.3, eps=1e-6), lambda p, gs: _ref_adagrad(p, gs, 0.3, 1e-6)),
    # eps tiny so that where eps is added (Algorithm 1 or its "eps-hat" variant) cannot
    # matter: this checks the moment estimates and the bias correction to 1e-12
    ("adam", lambda: Adam(0.01, beta1=0.9, beta2=0.99, eps=1e-300),
     lambda p, gs: _ref_adam(p, gs, 0.01, 0.9, 0.99, 1e-300)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "make", "ref"), CASES, ids=IDS)
@pytest.mark.parametrize("nsteps", [1, 2, 5])
def test_update_matches_the_formula(name, make, ref, nsteps):
    p0 = _params()
    gs = [_grads(i) for i in range(nsteps)]
    params = _copy(p0)
    opt = make()
    for g in gs:
        opt.step(params, g)
    expected = ref(p0, gs)
    for k in params:
        np.testing.assert_allclose(params[k], expected[k], rtol=1e-12, atol=1e-14, err_msg=k)


@pytest.mark.parametrize(("name", "make", "ref"), CASES, ids=IDS)
def test_update_is_in_place(name, make, ref):
    params = _params()
    before = dict(params)  # the same array objects
    old = _copy(params)
    make().step(params, _grads(0))
    assert set(params) == set(before)
    for k in params:
        assert params[k] is before[k], f"{k} was replaced, not updated in place"
        assert not np.array_equal(params[k], old[k]), f"{k} did not change"


@pytest.mark.parametrize(("name", "make", "ref"), CASES, ids=IDS)
@pytest.mark.parametrize("gdtype", [np.float32, np.float64])
def test_float32_params_stay_float32(name, make, ref, gdtype):
    p0 = _params(dtype=np.float32)
    gs = [_grads(i, gdtype) for i in range(3)]
    params = _copy(p0)
    opt = make()
    for g in gs:
        opt.step(params, g)
    expected = ref({k: v.astype(np.float64) for k, v in p0.items()},
                   [{k: v.astype(np.float64) for k, v in g.items()} for g in gs])
    for k in params:
        assert params[k].dtype == np.float32
        np.testing.assert_allclose(params[k], expected[k], rtol=2e-5, atol=2e-6, err_msg=k)


def test_adam_first_step_moves_each_entry_by_about_lr():
    """With bias correction the first Adam step is lr * sign(g) (for |g| >> eps)."""
    p = {"w": np.zeros(5)}
    g = {"w": np.array([3.0, -0.2, 0.05, -50.0, 0.7])}
    Adam(0.01).step(p, g)
    np.testing.assert_allclose(p["w"], -0.01 * np.sign(g["w"]), rtol=1e-4)


def test_adam_matches_algorithm_1_with_default_eps():
    p0 = {"w": np.zeros(6)}
    gs = [{"w": np.array([1e-8, -3e-8, 1e-7, 1e-6, 0.5, -2.0]) * s} for s in (1.0, 0.5, 2.0)]
    params = _copy(p0)
    opt = Adam(0.1)
    for g in gs:
        opt.step(params, g)
    expected = _ref_adam(p0, gs, 0.1, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(params["w"], expected["w"], rtol=1e-9)


# --- argument checks ------------------------------------------------------------------

OPTIMIZERS = [SGD, Momentum, Adagrad, Adam]


@pytest.mark.parametrize("cls", OPTIMIZERS)
@pytest.mark.parametrize("lr", [0, 0.0, -0.1, float("nan"), float("inf"), -float("inf")])
def test_bad_learning_rate_value(cls, lr):
    with pytest.raises(ValueError, match="lr"):
        cls(lr)


@pytest.mark.parametrize("cls", OPTIMIZERS)
@pytest.mark.parametrize("lr", ["0.1", None, [0.1], True])
def test_bad_learning_rate_type(cls, lr):
    with pytest.raises(TypeError, match="lr"):
        cls(lr)


@pytest.mark.parametrize(("cls", "kw"), [(Momentum, "beta"), (Adam, "beta1"), (Adam, "beta2")])
@pytest.mark.parametrize("value", [1.0, -0.1, 1.5, float("nan")])
def test_bad_decay_rates(cls, kw, value):
    with pytest.raises(ValueError, match=kw):
        cls(0.1, **{kw: value})


@pytest.mark.parametrize("cls", [Adagrad, Adam])
@pytest.mark.parametrize("eps", [0, -1e-8, float("nan")])
def test_bad_eps(cls, eps):
    with pytest.raises(ValueError, match="eps"):
        cls(0.1, eps=eps)


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_grads_with_missing_or_extra_key(cls):
    params = _params()
    old = _copy(params)
    g = _grads(0)
    del g["W"]
    with pytest.raises(ValueError, match="W"):
        cls(0.1).step(params, g)
    g = _grads(0)
    g["extra"] = np.zeros(3)
    with pytest.raises(ValueError):
        cls(0.1).step(params, g)
    for k in params:  # a rejected step changes nothing
        np.testing.assert_array_equal(params[k], old[k])


@pytest.mark.parametrize("cls", OPTIMIZERS)
@pytest.mark.parametrize("shape", [(4, 4), (1, 4), (4, 1), ()])
def test_grads_with_wrong_shape(cls, shape):
    params = _params()
    old = _copy(params)
    g = _grads(0)
    g["b"] = np.ones(shape)  # params["b"] is (4,): broadcastable shapes are refused too
    with pytest.raises(ValueError, match="b"):
        cls(0.1).step(params, g)
    for k in params:
        np.testing.assert_array_equal(params[k], old[k])


# --- clipping ---------------------------------------------------------------------------


def _big_grads(seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(-10, 10, size=s) for k, s in SHAPES.items()}


def _norm(g):
    return float(np.sqrt(sum(np.sum(x.astype(np.float64) ** 2) for x in g.values())))


def test_clip_gradients_in_place_and_bounded():
    grads = _big_grads()
    orig = _copy(grads)
    objs = dict(grads)
    norm = clip_gradients(grads, 5.0)
    assert norm == pytest.approx(_norm(orig), rel=1e-12)
    for k in grads:
        assert grads[k] is objs[k]
        assert np.abs(grads[k]).max() <= 5.0
        expected = np.where(orig[k] > 5, 5.0, np.where(orig[k] < -5, -5.0, orig[k]))
        np.testing.assert_array_equal(grads[k], expected)
    assert any((np.abs(v) > 5).any() for v in orig.values())  # the test clipped something


def test_clip_gradients_default_bound_is_5():
    grads = {"a": np.array([-7.0, 2.0, 9.0])}
    clip_gradients(grads)
    np.testing.assert_array_equal(grads["a"], [-5.0, 2.0, 5.0])


def test_clip_grad_norm_rescales_to_max_norm_keeping_direction():
    grads = _big_grads(1)
    orig = _copy(grads)
    objs = dict(grads)
    n0 = _norm(orig)
    returned = clip_grad_norm(grads, 3.0)
    assert returned == pytest.approx(n0, rel=1e-12)
    assert abs(_norm(grads) - 3.0) <= 1e-12
    flat0 = np.concatenate([orig[k].ravel() for k in sorted(orig)])
    flat1 = np.concatenate([grads[k].ravel() for k in sorted(grads)])
    np.testing.assert_allclose(flat1, flat0 * (3.0 / n0), rtol=1e-12)  # same direction
    assert flat0 @ flat1 / (np.linalg.norm(flat0) * np.linalg.norm(flat1)) == pytest.approx(1)
    for k in grads:
        assert grads[k] is objs[k]


def test_clip_grad_norm_under_the_bound_changes_nothing():
    grads = _big_grads(2)
    orig = _copy(grads)
    n0 = _norm(orig)
    returned = clip_grad_norm(grads, n0 * 1.5)
    assert returned == pytest.approx(n0, rel=1e-12)
    for k in grads:
        np.testing.assert_array_equal(grads[k], orig[k])


@pytest.mark.parametrize("fn", [clip_gradients, clip_grad_norm])
@pytest.mark.parametrize("bound", [0, 0.0, -1.0, float("nan")])
def test_clip_bad_bounds(fn, bound):
    grads = _big_grads()
    orig = _copy(grads)
    with pytest.raises(ValueError):
        fn(grads, bound)
    for k in grads:
        np.testing.assert_array_equal(grads[k], orig[k])


def test_clip_grad_norm_float32():
    grads = {k: v.astype(np.float32) for k, v in _big_grads(3).items()}
    clip_grad_norm(grads, 2.0)
    for v in grads.values():
        assert v.dtype == np.float32
    assert _norm(grads) == pytest.approx(2.0, rel=1e-6)


def test_clip_grad_norm_huge_finite_gradients():
    grads = {"a": np.array([1e200, 1e200]), "b": np.array([0.0])}
    norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(math.sqrt(2) * 1e200, rel=1e-12)
    np.testing.assert_allclose(grads["a"], [1 / math.sqrt(2)] * 2, rtol=1e-12)


# --- convergence ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "make"), [
    ("adagrad", lambda: Adagrad(0.5)),
    ("momentum", lambda: Momentum(0.02, 0.9)),
    ("adam", lambda: Adam(0.05)),
    ("sgd", lambda: SGD(0.15)),
])
def test_minimises_a_quadratic(name, make):
    """f(x) = 1/2 sum d_i (x_i - a_i)^2, an ill-conditioned bowl with minimum at a."""
    a = np.array([1.0, -2.0, 3.0, 0.5])
    d = np.array([1.0, 10.0, 0.5, 4.0])
    x = {"x": np.zeros(4)}
    opt = make()

    def f(v):
        return 0.5 * float(np.sum(d * (v - a) ** 2))

    f0 = f(x["x"])
    for _ in range(1000):
        opt.step(x, {"x": d * (x["x"] - a)})
    assert f(x["x"]) < 1e-6 * f0
    np.testing.assert_allclose(x["x"], a, atol=2e-3)
