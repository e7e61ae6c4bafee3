"""Notebook 07's exercise checks: a correct answer passes, each classic mistake is named, the
stub is "not done yet", and no check prints the expected answer.

The wrong answers here are written the way a learner would write them, independently of the
variants the checks compute.
"""

import re

import numpy as np
import pytest
from exercises import digits_of, verdict

import rnn_helpers as rh
from rnn_helpers import checks

NOT_DONE = "not done yet"


# --- the Jacobian product dh_t/dh_k ------------------------------------------------------

def jacobian_right(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = np.diag(1 - hs[j] ** 2) @ W @ J
    return J


def jacobian_right_from_the_top(W, hs, k, t):
    """Correct too: start at the newest factor and put each older one on the right."""
    J = np.eye(len(W))
    for j in range(t, k, -1):
        J = J @ ((1 - hs[j] ** 2)[:, None] * W)
    return J


def jacobian_WT(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = np.diag(1 - hs[j] ** 2) @ W.T @ J
    return J


def jacobian_backward_product(W, hs, k, t):
    """The backward pass's matrix W^T diag(1 - h_{k+1}^2) ... W^T diag(1 - h_t^2)."""
    J = np.eye(W.shape[0])
    for j in range(t, k, -1):
        J = W.T @ np.diag(1 - hs[j] ** 2) @ J
    return J


def jacobian_reversed(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = J @ np.diag(1 - hs[j] ** 2) @ W
    return J


def jacobian_no_tanh(W, hs, k, t):
    J = np.eye(W.shape[0])
    for _ in range(k + 1, t + 1):
        J = W @ J
    return J


def jacobian_includes_k(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k, t + 1):
        J = np.diag(1 - hs[j] ** 2) @ W @ J
    return J


def jacobian_stops_early(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t):
        J = np.diag(1 - hs[j] ** 2) @ W @ J
    return J


def jacobian_shifted(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k, t):
        J = np.diag(1 - hs[j] ** 2) @ W @ J
    return J


def jacobian_not_squared(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = np.diag(1 - hs[j]) @ W @ J
    return J


def jacobian_square_of_difference(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = np.diag((1 - hs[j]) ** 2) @ W @ J
    return J


def jacobian_tanh_again(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = np.diag(1 - np.tanh(hs[j]) ** 2) @ W @ J
    return J


def jacobian_columns(W, hs, k, t):
    J = np.eye(W.shape[0])
    for j in range(k + 1, t + 1):
        J = ((1 - hs[j] ** 2) * W) @ J
    return J


def jacobian_stub(W, hs, k, t):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("fn", [jacobian_right, jacobian_right_from_the_top])
def test_check_jacobian_product_passes_a_correct_product(capsys, fn):
    verdict(capsys, checks.check_jacobian_product(fn), True, "✓ jacobian_product matches.")


@pytest.mark.parametrize("fn, says", [
    (jacobian_WT, "uses W^T where the Jacobian"),
    (jacobian_backward_product, "the transpose of dh_t/dh_k"),
    (jacobian_reversed, "reverse order"),
    (jacobian_no_tanh, "the tanh derivative is missing"),
    (jacobian_includes_k, "one factor too many"),
    (jacobian_stops_early, "one factor too few"),
    (jacobian_shifted, "one step early"),
    (jacobian_not_squared, "written 1 - h_j: it is 1 - h_j^2"),
    (jacobian_square_of_difference, "written (1 - h_j)^2"),
    (jacobian_tanh_again, "tanh is applied to h_j again"),
    (jacobian_columns, "scales the columns of W"),
])
def test_check_jacobian_product_names_each_mistake(capsys, fn, says):
    verdict(capsys, checks.check_jacobian_product(fn), False, "✗ jacobian_product: ", says)


def test_check_jacobian_product_calling_the_package_is_named_not_passed(capsys):
    from rnn_helpers.checks import nb07

    def delegates(W, hs, k, t):
        return rh.jacobian_product(W, hs, k, t)

    def with_the_checks_variant(W, hs, k, t):
        return nb07._jacobian_variant(W, hs, k, t)

    for fn, name in ((delegates, "jacobian_product"), (rh.jacobian_product, "jacobian_product"),
                     (with_the_checks_variant, "_jacobian_variant")):
        verdict(capsys, checks.check_jacobian_product(fn), False,
                f"rh.{name}, the package's own version")
    verdict(capsys, checks.check_jacobian_product(jacobian_right), True, "✓")  # put back


def test_check_jacobian_product_stub_crash_none_and_empty_product(capsys):
    verdict(capsys, checks.check_jacobian_product(jacobian_stub), False, NOT_DONE)

    def crashes(W, hs, k, t):
        return hs[t] @ W @ np.eye(3)

    verdict(capsys, checks.check_jacobian_product(crashes), False, "your function raised",
            "ValueError")

    def no_return(W, hs, k, t):
        np.eye(len(W))

    verdict(capsys, checks.check_jacobian_product(no_return), False, "forget `return`")

    def starts_with_a_factor(W, hs, k, t):
        J = np.diag(1 - hs[k + 1] ** 2) @ W
        for j in range(k + 2, t + 1):
            J = np.diag(1 - hs[j] ** 2) @ W @ J
        return J

    verdict(capsys, checks.check_jacobian_product(starts_with_a_factor), False,
            "with k = t the product is empty")


def test_check_jacobian_product_prints_no_entry_of_the_answer(capsys):
    from rnn_helpers.checks import nb07

    W, hs, k, t = nb07._jacobian_inputs()
    expected = jacobian_right(W, hs, k, t)
    for fn in (jacobian_right, jacobian_WT, jacobian_no_tanh, jacobian_includes_k,
               lambda W, hs, k, t: np.zeros_like(W)):
        checks.check_jacobian_product(fn)
        out = capsys.readouterr().out
        for e in expected.ravel():
            assert f"{e:.4f}"[:-1] not in out, out


def test_the_check_inputs_make_every_mistake_distinct():
    from rnn_helpers.checks import nb07

    W, hs, k, t = nb07._jacobian_inputs()
    assert t - k >= 3 and not np.allclose(W, W.T) and np.abs(hs[0]).min() > 0
    fns = [jacobian_right, jacobian_WT, jacobian_backward_product, jacobian_reversed,
           jacobian_no_tanh, jacobian_includes_k, jacobian_stops_early, jacobian_shifted,
           jacobian_not_squared, jacobian_square_of_difference, jacobian_tanh_again,
           jacobian_columns]
    results = [f(W, hs, k, t) for f in fns]
    for i in range(len(results)):
        for j in range(i):
            assert not np.allclose(results[i], results[j], rtol=1e-3), (fns[i], fns[j])


def test_the_reference_and_the_package_match_finite_differences():
    """dh_t/dh_k, column by column, by centred differences of the recurrence itself."""
    rng = np.random.default_rng(11)
    params = rh.init_params(6, 5, seed=2)
    params["W"] = rng.normal(0.0, 0.7, (5, 5))
    inputs = rng.integers(0, 6, 8)
    _, cache = rh.rnn_forward(params, inputs, rng.uniform(-0.5, 0.5, 5))
    hs = cache["hs"][:, 0]
    k, t, eps = 2, 7, 1e-6
    numeric = np.empty((5, 5))
    for i in range(5):
        e = np.zeros(5)
        e[i] = eps
        plus = rh.rnn_forward(params, inputs[k:t], hs[k] + e)[1]["hs"][-1, 0]
        minus = rh.rnn_forward(params, inputs[k:t], hs[k] - e)[1]["hs"][-1, 0]
        numeric[:, i] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(jacobian_right(params["W"], hs, k, t), numeric, rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(rh.jacobian_product(params["W"], hs, k, t), numeric, rtol=1e-6,
                               atol=1e-9)


# --- Exercise 1: ratio_20_steps -----------------------------------------------------------

def test_check_ratio_20_steps(capsys):
    right = 0.9 ** 20
    verdict(capsys, checks.check_ratio_20_steps(right), True, "✓ ratio_20_steps matches.")
    g = np.ones(3)
    for _ in range(20):
        g = (0.9 * np.eye(3)).T @ g
    verdict(capsys, checks.check_ratio_20_steps(np.linalg.norm(g) / np.linalg.norm(np.ones(3))),
            True)
    for wrong, says in [(0.9 * 20, "multiplied by 20"), (0.9 ** 19, "19 steps"),
                        (0.9 ** 21, "21 steps"), (1 / 0.9 ** 20, "inverse ratio"),
                        (20 * np.log(0.9), "logarithm"), (0.5, "Each step back multiplies")]:
        out = verdict(capsys, checks.check_ratio_20_steps(wrong), False, says)
        assert digits_of(right) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_ratio_20_steps(None), False, "Not answered yet")


# --- Exercise 2: rho_rotation and explodes ------------------------------------------------

W_ROTATION = np.array([[0.3, -1.1], [1.1, 0.3]])


def test_check_rho_rotation(capsys):
    eig = np.linalg.eigvals(W_ROTATION)
    right = np.hypot(0.3, 1.1)
    verdict(capsys, checks.check_rho_rotation(np.max(np.abs(eig)), W_ROTATION), True,
            "✓ rho_rotation matches.")
    for wrong, says in [(np.max(eig.real), "largest real part"),
                        (np.max(W_ROTATION), "largest entry of W_rotation"),
                        (np.max(eig.imag), "largest entry of W_rotation"),
                        (np.max(eig.real ** 2 + eig.imag ** 2), "square root"),
                        (eig[0], "this is complex"),
                        (np.abs(eig), "this is 2 numbers"),
                        (2.0, "np.linalg.eigvals")]:
        out = verdict(capsys, checks.check_rho_rotation(wrong, W_ROTATION), False, says)
        assert digits_of(right) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_rho_rotation(None, W_ROTATION), False, "Not answered yet")


def test_check_explodes(capsys):
    rho = np.max(np.abs(np.linalg.eigvals(W_ROTATION)))
    verdict(capsys, checks.check_explodes(bool(rho > 1), W_ROTATION), True,
            "✓ explodes matches.")
    verdict(capsys, checks.check_explodes(rho > 1, W_ROTATION), True)     # a NumPy bool
    verdict(capsys, checks.check_explodes(False, W_ROTATION), False, "real parts")
    verdict(capsys, checks.check_explodes(1, W_ROTATION), False, "True or False")
    verdict(capsys, checks.check_explodes("yes", W_ROTATION), False, "True or False")
    verdict(capsys, checks.check_explodes(None, W_ROTATION), False, "Not answered yet")
    # a vanishing W: the check follows the matrix it is given
    verdict(capsys, checks.check_explodes(False, 0.5 * W_ROTATION), True)


# --- Exercise 3: growth with and without tanh ---------------------------------------------

@pytest.fixture(scope="module")
def saturated():
    """The notebook's setting: the default corpus, H = 64, W at spectral radius 3, T = 60."""
    text = rh.load_corpus()
    vocab = rh.CharVocab.from_text(text)
    data = vocab.encode(text)
    K = len(vocab)
    p3 = rh.with_spectral_radius(rh.init_params(K, 64, seed=0), 3.0)
    x2, y2 = data[:60], data[1:61]
    logits3, _ = rh.rnn_forward(p3, x2)
    g_T = p3["V"].T @ (rh.softmax(logits3[-1]) - np.eye(K)[y2[-1]])
    return p3, x2, y2, g_T


def test_check_growth_without_tanh(capsys, saturated):
    p3, _, _, g_T = saturated
    gs = [g_T]
    for _ in range(51):
        gs.append(p3["W"].T @ gs[-1])
    n = [np.linalg.norm(g) for g in gs]
    right = (n[50] / n[0]) ** (1 / 50)
    verdict(capsys, checks.check_growth_without_tanh(right, p3, g_T), True,
            "✓ growth_without_tanh matches.")
    power = np.linalg.matrix_power(p3["W"].T, 50) @ g_T        # another correct way
    verdict(capsys, checks.check_growth_without_tanh(
        (np.linalg.norm(power) / np.linalg.norm(g_T)) ** 0.02, p3, g_T), True)
    g = g_T.copy()
    for _ in range(50):
        g = p3["W"] @ g
    for wrong, says in [(3.0, "spectral radius"), (n[50] / n[0], "50th root is missing"),
                        ((n[0] / n[50]) ** (1 / 50), "the inverse"),
                        ((n[49] / n[0]) ** (1 / 49), "49 steps"),
                        ((n[51] / n[0]) ** (1 / 51), "51 steps"),
                        ((np.linalg.norm(g) / n[0]) ** (1 / 50), "through W^T, not W"),
                        (1.0, "Multiply g_T by W^T 50 times")]:
        out = verdict(capsys, checks.check_growth_without_tanh(wrong, p3, g_T), False, says)
        assert digits_of(right) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_growth_without_tanh(None, p3, g_T), False, "Not answered")


def test_check_growth_with_tanh(capsys, saturated):
    p3, x2, y2, g_T = saturated
    n3 = rh.last_step_grad_norms(p3, x2, y2)
    right = (n3[10] / n3[60]) ** (1 / 50)
    verdict(capsys, checks.check_growth_with_tanh(right, p3, x2, y2), True,
            "✓ growth_with_tanh matches.")
    g = g_T.copy()                                             # by hand, with the tanh factors
    hs = np.vstack([np.zeros(64), rh.hidden_states(p3, x2)])
    for t in range(60, 10, -1):
        g = p3["W"].T @ ((1 - hs[t] ** 2) * g)
    verdict(capsys, checks.check_growth_with_tanh(
        (np.linalg.norm(g) / np.linalg.norm(g_T)) ** (1 / 50), p3, x2, y2), True)
    no_tanh = g_T.copy()
    for _ in range(50):
        no_tanh = p3["W"].T @ no_tanh
    for wrong, says in [((np.linalg.norm(no_tanh) / n3[60]) ** (1 / 50), "without the tanh"),
                        (n3[10] / n3[60], "50th root is missing"),
                        ((n3[60] / n3[10]) ** (1 / 50), "the inverse"),
                        ((n3[50] / n3[0]) ** (1 / 50), "indexed by t, not by the distance"),
                        ((n3[0] / n3[60]) ** (1 / 50), "back to g_0"),
                        ((n3[11] / n3[60]) ** (1 / 49), "49 steps"),
                        ((n3[9] / n3[60]) ** (1 / 51), "51 steps"),
                        ((n3[9] / n3[59]) ** (1 / 50), "one off"),
                        (3.0, "is indexed by t")]:
        out = verdict(capsys, checks.check_growth_with_tanh(wrong, p3, x2, y2), False, says)
        assert digits_of(right) not in re.sub(r"[^0-9]", "", out)
    verdict(capsys, checks.check_growth_with_tanh(None, p3, x2, y2), False, "Not answered")
