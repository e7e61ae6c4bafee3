"""Notebook 07's helpers: spectral radius, the last step's gradient through Jacobian products
(checked against finite differences and BPTT), the recall task, the figures and the widget."""

import numpy as np
import pytest

from rnn_helpers import (
    History,
    diagnostics,
    init_params,
    numerical_gradient,
    plots,
    rnn_backward,
    rnn_forward,
    softmax,
    softmax_loss,
    tasks,
    widgets,
)


@pytest.fixture
def small():
    """A small float64 RNN (K=5, H=4) and one sequence of T=7."""
    rng = np.random.default_rng(3)
    params = init_params(5, 4, seed=1)
    return params, rng.integers(0, 5, 7), rng.integers(0, 5, 7)


def test_spectral_radius_is_the_largest_absolute_eigenvalue():
    assert diagnostics.spectral_radius(np.diag([0.5, -2.0, 1.0])) == pytest.approx(2.0)
    # eigenvalues 0.3 +- 1.1i: the real part would say 0.3
    W = np.array([[0.3, -1.1], [1.1, 0.3]])
    assert diagnostics.spectral_radius(W) == pytest.approx(np.hypot(0.3, 1.1))


@pytest.mark.parametrize("rho", [0.5, 1.0, 3.0])
def test_with_spectral_radius_rescales_W_only_and_copies(small, rho):
    params, _, _ = small
    before = {k: v.copy() for k, v in params.items()}
    p = diagnostics.with_spectral_radius(params, rho)
    assert diagnostics.spectral_radius(p["W"]) == pytest.approx(rho)
    np.testing.assert_allclose(p["W"] / params["W"], rho / diagnostics.spectral_radius(params["W"]))
    for k in ("U", "V", "b", "c"):
        np.testing.assert_array_equal(p[k], params[k])
        assert p[k] is not params[k]
    for k, v in before.items():  # the original is untouched
        np.testing.assert_array_equal(params[k], v)


def _last_step_loss(params, inputs, targets, h0):
    """-log y_hat_T[y_T] of the last step only, starting from h0 (written out here)."""
    logits, _ = rnn_forward(params, inputs, h0)
    return softmax_loss(logits[-1:], targets[-1:])[0]


@pytest.mark.parametrize("rho", [0.5, 2.5])
def test_last_step_grad_norms_match_finite_differences_at_every_t(small, rho):
    params, x, y = small
    params = diagnostics.with_spectral_radius(params, rho)
    T, H = len(x), params["W"].shape[0]
    norms = diagnostics.last_step_grad_norms(params, x, y)
    assert norms.shape == (T + 1,)
    for t in range(T + 1):
        # dL_T/dh_t = the gradient w.r.t. the initial state of the rest of the sequence
        if t == 0:
            h_t = np.zeros(H)
        else:
            _, cache = rnn_forward(params, x[:t])
            h_t = cache["hs"][-1, 0].copy()
        if t < T:
            num = numerical_gradient(lambda h=h_t, t=t: _last_step_loss(params, x[t:], y[t:], h),
                                     h_t)
        else:  # nothing left to run: L_T depends on h_T through the output layer only
            do = softmax(params["V"] @ h_t + params["c"])
            do[y[-1]] -= 1
            num = params["V"].T @ do
        assert norms[t] == pytest.approx(np.linalg.norm(num), rel=1e-6)


@pytest.mark.parametrize("k, t", [(0, 7), (2, 5), (3, 4)])
def test_jacobian_product_matches_finite_differences_of_the_recurrence(small, k, t):
    """dh_t/dh_k by centred differences: perturb h_k, run steps k+1..t, read h_t."""
    params, x, _ = small
    params = diagnostics.with_spectral_radius(params, 2.0)     # non-symmetric, saturating
    rng = np.random.default_rng(5)
    _, cache = rnn_forward(params, x, rng.uniform(-0.8, 0.8, 4))
    hs = cache["hs"][:, 0]
    eps, numeric = 1e-6, np.empty((4, 4))
    for i in range(4):
        e = np.zeros(4)
        e[i] = eps
        plus = rnn_forward(params, x[k:t], hs[k] + e)[1]["hs"][-1, 0]
        minus = rnn_forward(params, x[k:t], hs[k] - e)[1]["hs"][-1, 0]
        numeric[:, i] = (plus - minus) / (2 * eps)
    J = diagnostics.jacobian_product(params["W"], hs, k, t)
    assert J.shape == (4, 4)
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)


def test_jacobian_product_empty_product_and_range(small):
    params, x, _ = small
    _, cache = rnn_forward(params, x)
    hs = cache["hs"][:, 0]
    np.testing.assert_array_equal(diagnostics.jacobian_product(params["W"], hs, 3, 3), np.eye(4))
    for k, t in [(4, 3), (-1, 2), (0, len(x) + 1)]:
        with pytest.raises(ValueError, match="0 <= k <= t"):
            diagnostics.jacobian_product(params["W"], hs, k, t)


def test_last_step_grad_norms_at_t0_match_bptt_dh0(small):
    params, x, y = small
    params = diagnostics.with_spectral_radius(params, 1.7)
    logits, cache = rnn_forward(params, x)
    dlogits = np.zeros_like(logits)
    dlogits[-1] = softmax(logits[-1])
    dlogits[-1, y[-1]] -= 1
    _, dh0 = rnn_backward(dlogits, cache)
    assert diagnostics.last_step_grad_norms(params, x, y)[0] == pytest.approx(
        np.linalg.norm(dh0), rel=1e-12)


def test_per_step_clipping_caps_every_norm_and_is_a_no_op_when_large():
    params = diagnostics.with_spectral_radius(init_params(5, 16, seed=2), 3.0)
    x, y = np.random.default_rng(4).integers(0, 5, (2, 30))
    free = diagnostics.last_step_grad_norms(params, x, y)
    assert free[0] > free[-1]  # radius 3 from a zero start: it grows going back
    cap = free.max() / 4
    clipped = diagnostics.last_step_grad_norms(params, x, y, max_norm=cap)
    assert np.all(clipped <= cap * (1 + 1e-12))
    assert np.all(clipped <= free * (1 + 1e-12))
    np.testing.assert_allclose(
        diagnostics.last_step_grad_norms(params, x, y, max_norm=10 * free.max()), free)


def test_last_step_grad_norms_rejects_a_batch(small):
    params, x, y = small
    with pytest.raises(ValueError, match="one sequence"):
        diagnostics.last_step_grad_norms(params, np.stack([x, x]), np.stack([y, y]))


def test_recall_task_layout():
    X, Y = tasks.recall_task(50, 6, np.random.default_rng(0))
    assert X.shape == Y.shape == (50, 8)
    symbols, distractors = tasks.RECALL_SYMBOLS, tasks.RECALL_DISTRACTORS
    assert np.all(np.isin(X[:, 0], list(symbols)))
    assert np.all(np.isin(X[:, 1:-1], list(distractors)))
    assert np.all(X[:, -1] == tasks.RECALL_QUERY)
    assert np.all(Y[:, :-1] == tasks.RECALL_BLANK)
    np.testing.assert_array_equal(Y[:, -1], X[:, 0])
    assert len(set(X[:, 0])) == len(symbols)  # 50 draws hit every symbol
    assert tasks.RECALL_CHARS[tasks.RECALL_QUERY] == "?"
    assert tasks.RECALL_CHARS[tasks.RECALL_BLANK] == "_"
    X2, _ = tasks.recall_task(50, 6, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)


def test_recall_accuracy_of_a_constant_predictor():
    K = len(tasks.RECALL_CHARS)
    params = init_params(K, 3, seed=0)
    params["V"][:] = 0.0
    params["c"][:] = 0.0
    params["c"][2] = 1.0  # always predicts symbol 2 ('C')
    X, Y = tasks.recall_task(200, 3, np.random.default_rng(1))
    assert tasks.recall_accuracy(params, X, Y) == pytest.approx(np.mean(Y[:, -1] == 2))


def test_jacobian_norms_figure_has_a_line_and_a_guide_per_radius():
    norms = {0.5: 0.5 ** np.arange(11), 2.0: 1.5 ** np.arange(11)}
    fig = plots.jacobian_norms_figure(norms)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 2 * len(norms) + 1  # solid, dotted guide, the legend's proxy
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.5 ** np.arange(11))
    assert "distance" in ax.get_xlabel() and ax.get_title()
    assert len(ax.get_legend().get_texts()) == 3


def test_saturation_figure_panels():
    r = np.array([0.5, 1.0, 2.0, 4.0])
    fig = plots.saturation_figure(r, [0, 0, 0.2, 0.6], [1, 0.95, 0.5, 0.2], [0.5, 0.95, 1.1, 1.3])
    ax1, ax2 = fig.axes
    assert ax1.get_xlabel() == ax2.get_xlabel() == "spectral radius of W"
    assert len(ax1.lines) == 2 and len(ax2.lines) == 3
    assert ax2.get_yscale() == "log" and ax1.get_title() and ax2.get_title()


def _legend_texts(fig):
    """The texts of the figure-level legend; no legend sits inside an axes."""
    assert all(ax.get_legend() is None for ax in fig.axes)
    (legend,) = fig.legends
    return [t.get_text() for t in legend.get_texts()], legend


def test_clipping_figure_draws_every_seed_of_every_arm_and_the_lines():
    plots.use_style()
    runs = {}
    for name, scale in (("a", 1.0), ("b", 100.0)):
        runs[name] = []
        for seed in range(3):
            h = History()
            for i in range(5):
                h.record(scale * (3 - 0.1 * i) + seed, scale * (i + 1), 10)
            runs[name].append(h)
    fig = plots.clipping_figure(runs, max_norm=1.0, log_K=np.log(30))
    ax1, ax2 = fig.axes
    assert len(ax1.lines) == len(ax2.lines) == 2 * 3 + 1  # 3 seeds per arm, one guide line
    assert ax1.get_yscale() == ax2.get_yscale() == "log"
    np.testing.assert_allclose(ax2.lines[4].get_ydata(), runs["b"][1].grad_norms)
    np.testing.assert_allclose(ax1.lines[2].get_ydata(), runs["a"][2].losses)
    assert "gradient norm" in ax2.get_ylabel()
    texts, legend = _legend_texts(fig)
    assert texts[:2] == ["a (3 seeds)", "b (3 seeds)"]
    assert "ln K" in texts[2] and "= 1 (norm)" in texts[3]
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 11
    # a single History still works: one seed
    fig = plots.clipping_figure({"one": runs["a"][0]})
    assert len(fig.axes[0].lines) == 1 and _legend_texts(fig)[0] == ["one (1 seed)"]


def test_recall_figure_shows_means_ranges_and_every_seed():
    plots.use_style()
    lags_k = np.array([2, 5, 10])
    acc = {"uniform": np.array([[[1, 1, 1], [0.5, 0.3, 0.2], [0.25, 0.2, 0.3]],
                                [[1, 1, 1], [1, 0.9, 0.2], [0.3, 0.25, 0.2]]]),
           "orthogonal": np.array([np.full((3, 3), 0.5),
                                   [[1, 1, 1], [1, 1, 1], [0.9, 0.3, 0.2]]])}
    r_init = np.array([[0.1, 0.2, 0.4], [1e-3, 1e-2, 1e-2], [1e-6, 1e-5, 1e-4]])
    res = tasks.RecallResults(lags_k, ("uniform", "orthogonal"), (0, 1, 2), (400, 1000), acc,
                              {i: r_init for i in acc}, {i: np.ones((3, 3)) for i in acc})
    fig = plots.recall_figure(res, 0.25, names={"uniform": "default"}, ratios=False)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert "lag k + 1" in ax.get_xlabel()
    np.testing.assert_array_equal(ax.get_xticks(), lags_k + 1)
    # a line per arm and budget at the mean over seeds, bars from the lowest to the highest
    means = sorted(np.round(np.asarray(line.get_ydata(), float), 12).tolist() for line in ax.lines
                   if len(line.get_ydata()) == 3 and line.get_linestyle() in ("-", ":"))
    expected = sorted(np.round(a.mean(axis=1), 12).tolist() for by_budget in acc.values()
                      for a in by_budget)
    assert means == expected
    bar_tops = np.concatenate([np.asarray(c.get_segments())[:, :, 1].max(axis=1)
                               for c in ax.collections])
    assert bar_tops.max() <= 1.0  # min-max bars never leave [0, 1]
    tops = sorted(np.concatenate([a.max(axis=2).ravel() for a in acc.values()]).tolist())
    np.testing.assert_allclose(sorted(bar_tops.tolist()), tops)
    dots = [line for line in ax.lines if line.get_linestyle() == "None"
            and line.get_marker() in ("o", "s")]  # (the error bars' caps are markers "_")
    assert len(dots) == 4 and all(len(d.get_ydata()) == 9 for d in dots)  # every seed, budget
    texts, legend = _legend_texts(fig)
    assert texts[:2] == ["default", "orthogonal"]
    assert any("after 400 steps" in t for t in texts) and "chance (0.25)" in texts
    assert "each seed (faint)" in texts
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 11
    fig = plots.recall_figure(res, 0.25)
    ax1, ax2 = fig.axes
    assert ax2.get_yscale() == "log"
    centre = [line for line in ax2.lines if line.get_linestyle() == "--"][0]
    np.testing.assert_allclose(centre.get_ydata(), res.ratio_centre("uniform"))
    assert any("gradient ratio at initialisation" in t for t in _legend_texts(fig)[0])


def test_gradient_norm_view_with_and_without_clipping(small):
    params, x, y = small
    fig = widgets.gradient_norm_view(params, x, y, 1.5, 5, False)
    ax = fig.axes[0]
    assert len(ax.lines) == 1 and len(ax.lines[0].get_ydata()) == 6
    assert "spectral radius 1.50" in ax.get_title() and "T = 5" in ax.get_title()
    assert "distance" in ax.get_xlabel()
    p = diagnostics.with_spectral_radius(params, 1.5)
    free = diagnostics.last_step_grad_norms(p, x[:5], y[:5])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.arange(6))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), free[::-1])  # index = T - t
    fig = widgets.gradient_norm_view(params, x, y, 3.0, 7, True, max_norm=0.1)
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # unclipped, global-norm, per-step, the bound
    free, global_, per_step = (line.get_ydata() for line in ax.lines[:3])
    assert np.all(per_step <= 0.1 * (1 + 1e-12))
    scale = global_ / free  # global-norm clipping: one factor for every distance
    np.testing.assert_allclose(scale, scale[0])
    p = diagnostics.with_spectral_radius(params, 3.0)
    assert scale[0] == pytest.approx(diagnostics.global_clip_scale(p, x, y, 0.1))
    assert "global" in ax.get_legend().get_texts()[1].get_text()
    assert "per-step" in ax.get_legend().get_texts()[2].get_text()
    assert ax.get_yscale() == "log"


def test_gradient_norm_explorer_redraws_when_the_radius_moves(displayed, small):
    pytest.importorskip("ipywidgets")
    params, x, y = small
    shown = displayed
    controls = widgets.gradient_norm_explorer(params, x, y, rho=0.5, T=5)
    assert controls["rho"].description == "spectral radius"
    assert "per-step" in controls["clipping"].description
    controls["rho"].value = 2.5
    assert len(shown) == 2
    before, after = (f.axes[0].lines[0].get_ydata() for f in shown)
    assert not np.allclose(before, after)
    assert len(shown[-1].axes[0].lines) == 4  # clipping is on by default
    controls["clipping"].value = False
    assert len(shown) == 3 and len(shown[-1].axes[0].lines) == 1
    controls["T"].value = 7
    assert len(shown[-1].axes[0].lines[0].get_ydata()) == 8
