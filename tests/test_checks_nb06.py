"""Tests for notebook 06's exercise checks (rnn_helpers/checks/nb06.py).

Every answer here is written the way a learner would write it, independently of the checks'
own code: a correct one passes, each classic mistake is named by its sentence, the stub
reports "not done yet", and no check prints the expected answer.
"""

import numpy as np
import pytest

import rnn_helpers as rh
from rnn_helpers import checks, experiments
from rnn_helpers.checks import nb06


def _stub(*args, **kwargs):
    raise NotImplementedError("your code here")


def _verdict(capsys, ok, expected_ok, *says):
    out = capsys.readouterr().out
    assert ok is expected_ok, out
    assert out.count("\n") == 1, out  # one line
    for s in says:
        assert s in out, out
    return out


# --- Adam ----------------------------------------------------------------------------------


def make_adam(mistake=None):
    """adam_update as a learner writes it, with at most one mistake."""

    def adam_update(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        if mistake == "not carried":
            m = (1 - beta1) * g
            v = (1 - beta2) * g * g
        elif mistake == "no (1 - beta)":
            m = beta1 * m + g
            v = beta2 * v + g * g
        else:
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * (g if mistake == "v from g" else np.square(g))
        if mistake == "no correction":
            m_hat, v_hat = m, v
        else:
            n = {"t + 1": t + 1, "t - 1": t - 1}.get(mistake, t)
            m_hat = m / (1 - beta1**n)
            v_hat = v / (1 - beta2**n)
        if mistake == "eps inside":
            update = lr * m_hat / np.sqrt(v_hat + eps)
        elif mistake == "eps ignored":
            update = lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        else:
            update = lr * m_hat / (np.sqrt(v_hat) + eps)
        p = p + update if mistake == "sign" else p - update
        if mistake == "hats carried":
            return p, m_hat, v_hat
        return p, m, v

    return adam_update


def adam_in_place(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """A correct learner's version that updates the arrays in place and returns them."""
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g**2
    p -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return p, m, v


@pytest.mark.parametrize("fn", [make_adam(), adam_in_place], ids=["new arrays", "in place"])
def test_adam_correct_passes(capsys, fn):
    _verdict(capsys, checks.check_adam_update(fn), True, "✓ adam_update matches.")


@pytest.mark.parametrize("mistake, says", [
    ("no correction", "there is no bias correction"),
    ("t + 1", "off by one: t is 1 at the first step"),
    ("t - 1", "off by one (beta**(t - 1)"),
    ("eps inside", "eps is inside the square root"),
    ("eps ignored", "eps is not the one passed in"),
    ("v from g", "v averages g, not g**2"),
    ("no (1 - beta)", "without the factors (1 - beta1)"),
    ("not carried", "m and v start from zero at every step"),
    ("hats carried", "you return the bias-corrected m_hat and v_hat"),
    ("sign", "the step goes uphill"),
])
def test_adam_mistakes_are_named(capsys, mistake, says):
    _verdict(capsys, checks.check_adam_update(make_adam(mistake)), False, "✗ adam_update", says)


def test_adam_calling_the_package_is_named_not_passed(capsys):
    def with_the_class(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        opt = rh.Adam(lr, eps=eps)
        opt.m, opt.v, opt.t = {"p": m}, {"p": v}, t - 1
        params = {"p": p.copy()}
        opt.step(params, {"p": g})
        return params["p"], opt.m["p"], opt.v["p"]

    def with_the_checks_variant(*args):
        return nb06._adam_variant()(*args)

    for fn, name in ((with_the_class, "Adam"), (with_the_checks_variant, "_adam_variant")):
        _verdict(capsys, checks.check_adam_update(fn), False,
                 f"rh.{name}, the package's own version")
    _verdict(capsys, checks.check_adam_update(make_adam()), True, "✓")  # put back afterwards


def test_adam_stub_none_and_wrong_shape(capsys):
    _verdict(capsys, checks.check_adam_update(_stub), False, "not done yet")
    _verdict(capsys, checks.check_adam_update(None), False, "Not answered yet")
    _verdict(capsys, checks.check_adam_update(lambda p, g, m, v, t, lr, *a: None), False,
             "returned None")
    _verdict(capsys, checks.check_adam_update(lambda p, g, m, v, t, lr, *a: p - lr * g), False,
             "expected 3 results")


def test_adam_check_never_prints_numbers(capsys):
    checks.check_adam_update(make_adam("t + 1"))
    checks.check_adam_update(lambda p, g, m, v, t, lr, *a: (p * 1.5, m, v))
    out = capsys.readouterr().out
    ps, _, _ = nb06._adam_expected(*nb06._adam_inputs())
    assert f"{ps[0, 0, 0]:.3f}" not in out and "[[" not in out


# --- the sampler ---------------------------------------------------------------------------


def make_sampler(mistake=None, draw="choice"):
    """sample_chars as a learner writes it, with at most one mistake."""

    def sample_chars(params, h, seed_ix, n, temperature, rng):
        U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
        K = len(c)
        x = seed_ix
        h_start = h.copy()
        ixs = [seed_ix] if mistake == "seed in output" else []
        for _ in range(n):
            if mistake == "h not carried":
                h_t = np.tanh(U[:, x] + W.dot(h_start) + b)
            elif mistake == "h zeros":
                h_t = np.tanh(U[:, x] + b)
            else:
                h_t = np.tanh(U[:, x] + W.dot(h) + b)
            h = h_t
            o = V.dot(h) + c
            if mistake == "multiplied":
                o = o * temperature
            elif mistake != "no temperature":
                o = o / temperature
            p = np.exp(o - np.max(o))
            p = p / np.sum(p)
            if mistake == "argmax":
                ix = int(p.argmax())
            elif draw == "choice":
                ix = int(rng.choice(K, p=p))
            else:  # the inverse CDF by hand
                ix = int(np.sum(np.cumsum(p) <= rng.random()))
            ixs.append(ix)
            if mistake != "not fed back":
                x = ix
        return ixs

    return sample_chars


@pytest.mark.parametrize("draw", ["choice", "inverse cdf"])
def test_sampler_correct_passes(capsys, draw):
    _verdict(capsys, checks.check_sample_chars(make_sampler(draw=draw)), True,
             "✓ sample_chars matches.")


def test_sampler_returning_an_array_passes(capsys):
    fn = make_sampler()
    _verdict(capsys, checks.check_sample_chars(lambda *a: np.array(fn(*a))), True, "✓")


@pytest.mark.parametrize("mistake, says", [
    ("multiplied", "multiplied by the temperature"),
    ("no temperature", "the temperature is not used"),
    ("argmax", "you take the most likely character"),
    ("not fed back", "every step feeds the seed character"),
    ("h not carried", "every step starts from the h you were given"),
    ("h zeros", "every step starts from zeros"),
    ("seed in output", "the list starts with the seed character"),
])
def test_sampler_mistakes_are_named(capsys, mistake, says):
    _verdict(capsys, checks.check_sample_chars(make_sampler(mistake)), False, "✗ sample_chars",
             says)


def test_sampler_with_the_packages_softmax_passes(capsys):
    def sample_chars(params, h, seed_ix, n, temperature, rng):
        ix, out = seed_ix, []
        for _ in range(n):
            h = np.tanh(params["U"][:, ix] + params["W"] @ h + params["b"])
            p = rh.softmax((params["V"] @ h + params["c"]) / temperature)
            ix = int(rng.choice(len(p), p=p))
            out.append(ix)
        return out

    _verdict(capsys, checks.check_sample_chars(sample_chars), True, "✓ sample_chars matches.")


def test_sampler_calling_the_package_is_named_not_passed(capsys):
    def with_sample(params, h, seed_ix, n, temperature, rng):
        return rh.sample(params, h, seed_ix, n, temperature=temperature, rng=rng)

    def with_the_checks_variant(params, h, seed_ix, n, temperature, rng):
        return nb06._sample_variant(params, h, seed_ix, n, temperature, rng)

    for fn, name in ((with_sample, "sample"), (with_the_checks_variant, "_sample_variant")):
        _verdict(capsys, checks.check_sample_chars(fn), False,
                 f"rh.{name}, the package's own version")
    _verdict(capsys, checks.check_sample_chars(make_sampler()), True, "✓")


def test_sampler_stub_and_wrong_length(capsys):
    _verdict(capsys, checks.check_sample_chars(_stub), False, "not done yet")
    fn = make_sampler()
    out = _verdict(capsys, checks.check_sample_chars(lambda *a: fn(*a)[:-1]), False,
                   "has shape (29,), expected (30,)")
    expected = nb06.sample(*nb06._sample_inputs(), nb06._SIX, nb06._SN, temperature=nb06._STAU,
                           rng=np.random.default_rng(nb06._SSEED))
    assert str(expected[:5])[1:-1] not in out


# --- the capstone: a min-char-rnn training step --------------------------------------------


def make_step(mistake=None, adam=None):
    """A min-char-rnn step as a learner writes it (loops over time and batch), with at most
    one mistake; it uses a correct Adam written here (or ``adam``)."""
    adam = adam or make_adam()

    def train_step(params, m, v, X, Y, h, t, lr):
        U, W, V, b, c = (params[k] for k in ("U", "W", "V", "b", "c"))
        B, T = X.shape
        hs = [np.zeros_like(h) if mistake == "h0 ignored" else h]
        ps, loss = [], 0.0
        for s in range(T):
            Wh = hs[-1] @ W if mistake == "forward uses W" else hs[-1] @ W.T
            a = np.stack([U[:, X[i, s]] for i in range(B)]) + Wh + b
            hs.append(np.tanh(a))
            o = hs[-1] @ V.T + c
            e = np.exp(o - o.max(axis=1, keepdims=True))
            ps.append(e / e.sum(axis=1, keepdims=True))
            loss += -sum(np.log(ps[-1][i, Y[i, s]]) for i in range(B))
        loss = {"mean over time": loss / (B * T), "sum over batch": loss,
                "mean time, sum batch": loss / T, "doubled loss": 2 * loss / B,
                }.get(mistake, loss / B)
        dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
        db, dc = np.zeros_like(b), np.zeros_like(c)
        dh_next = np.zeros_like(h)
        for s in reversed(range(T)):
            do = ps[s].copy()
            for i in range(B):
                do[i, Y[i, s]] -= 1
            if mistake != "no 1/B":
                do /= B
            if mistake == "mean over time grads":
                do /= T
            dV += do.T @ hs[s + 1]
            dc += do.sum(axis=0)
            dh = do @ V + dh_next
            da = (1 - hs[s + 1] ** 2) * dh
            dW += da.T @ (hs[s + 1] if mistake == "dW uses h_t" else hs[s])
            if mistake == "fancy dU":
                dU[:, X[:, s]] += da.T
            else:
                for i in range(B):
                    dU[:, X[i, s]] += da[i]
            db += da.sum(axis=0)
            dh_next = da @ W
        grads = {"U": dU, "W": dW, "V": dV, "b": db, "c": dc}
        if mistake == "norm clip":
            rh.clip_grad_norm(grads, 5.0)
        elif mistake != "no clip":
            for k in grads:
                grads[k] = np.clip(grads[k], -5, 5)
        for k in params:
            tk = 1 if mistake == "t fixed" else t
            new_p, new_m, new_v = adam(params[k], grads[k], m[k], v[k], tk, lr)
            if mistake != "params not stored":
                params[k] = new_p
            if mistake != "m v not stored":
                m[k], v[k] = new_m, new_v
        h_T = {"return h": h, "return h_T-1": hs[-2]}.get(mistake, hs[-1])
        return loss, grads, h_T

    return train_step


def test_min_char_rnn_correct_passes(capsys):
    _verdict(capsys, checks.check_min_char_rnn(make_step()), True, "✓ min_char_rnn matches.")


def test_min_char_rnn_in_place_updates_pass(capsys):
    step = make_step()

    def in_place(params, m, v, X, Y, h, t, lr):  # writes into the arrays, not the dicts
        old = {k: p for k, p in params.items()}
        olds = ({k: a for k, a in m.items()}, {k: a for k, a in v.items()})
        loss, grads, h_T = step(params, m, v, X, Y, h, t, lr)
        for d, before in ((params, old), (m, olds[0]), (v, olds[1])):
            for k in d:
                before[k][...] = d[k]
                d[k] = before[k]
        return loss, grads, h_T

    _verdict(capsys, checks.check_min_char_rnn(in_place), True, "✓")


@pytest.mark.parametrize("mistake, says", [
    ("mean over time", "At step 1: the loss is averaged over time"),
    ("sum over batch", "At step 1: the loss is summed over the batch"),
    ("mean time, sum batch", "averaged over time and summed over the batch"),
    ("h0 ignored", "At step 2: your forward loop starts from zeros"),
    ("no clip", "At step 1: the gradients are not clipped"),
    ("no 1/B", "B times too large"),
    ("mean over time grads", "T times too small"),
    ("dW uses h_t", "the gradients of W differ"),
    ("forward uses W", "At step 1: the loss differs from rh.loss_and_grads"),
    ("doubled loss", "At step 1: the loss differs from rh.loss_and_grads"),
    ("norm clip", "At step 1: the gradients are rescaled as a whole, clipped by their norm"),
    ("fancy dU", "At step 1: dU misses some rows of da_s"),
    ("return h", "the h you return is the h you were given"),
    ("return h_T-1", "the h you return is not h_T"),
    ("params not stored", "the parameters did not change"),
    ("m v not stored", "m and v did not change"),
    ("t fixed", "At step 2: the update differs from Adam's"),
])
def test_min_char_rnn_mistakes_name_the_step_and_piece(capsys, mistake, says):
    out = _verdict(capsys, checks.check_min_char_rnn(make_step(mistake)), False,
                   "✗ min_char_rnn", says)
    assert "step" in out


def test_min_char_rnn_names_the_first_step_that_differs(capsys):
    checks.check_min_char_rnn(make_step("t fixed"))  # step 2's update: step 3's loss differs
    assert "for the first 2 of 40 steps. At step 2: the update" in capsys.readouterr().out
    checks.check_min_char_rnn(make_step("sum over batch"))
    assert "from the first step" in capsys.readouterr().out


def test_min_char_rnn_stub_none_crash_and_bad_results(capsys):
    _verdict(capsys, checks.check_min_char_rnn(_stub), False,
             "train_step (or a function it calls, e.g. adam_update) is not done yet")
    _verdict(capsys, checks.check_min_char_rnn(make_step(adam=_stub)), False,
             "train_step (or a function it calls, e.g. adam_update) is not done yet")
    _verdict(capsys, checks.check_min_char_rnn(None), False, "Not answered yet")
    _verdict(capsys, checks.check_min_char_rnn(lambda *a: None), False, "returned None")
    _verdict(capsys, checks.check_min_char_rnn(lambda *a: 1.0), False, "expected 3 results")

    def crashes(params, m, v, X, Y, h, t, lr):
        return params["U"] @ params["U"]  # shapes do not match

    _verdict(capsys, checks.check_min_char_rnn(crashes), False, "ValueError", "line")


def test_min_char_rnn_calling_the_package_is_named_not_passed(capsys):
    adam = make_adam()

    def with_loss_and_grads(params, m, v, X, Y, h, t, lr):
        loss, grads, h_T = rh.loss_and_grads(params, X, Y, h)
        for k in params:
            grads[k] = np.clip(grads[k], -5, 5)
            params[k], m[k], v[k] = adam(params[k], grads[k], m[k], v[k], t, lr)
        return loss, grads, h_T

    step = make_step()

    def with_the_packages_clip(params, m, v, X, Y, h, t, lr):
        rh.clip_gradients({"U": np.zeros(1)}, 5.0)
        return step(params, m, v, X, Y, h, t, lr)

    def with_the_packages_adam(params, m, v, X, Y, h, t, lr):
        rh.Adam(lr)
        return step(params, m, v, X, Y, h, t, lr)

    for fn, name in ((with_loss_and_grads, "loss_and_grads"),
                     (with_the_packages_clip, "clip_gradients"),
                     (with_the_packages_adam, "Adam")):
        _verdict(capsys, checks.check_min_char_rnn(fn), False,
                 f"rh.{name}, the package's own version")
    _verdict(capsys, checks.check_min_char_rnn(step), True, "✓")  # put back afterwards


def test_min_char_rnn_with_the_packages_softmax_passes(capsys):
    step = make_step()
    calls = []

    def with_softmax(params, m, v, X, Y, h, t, lr):
        calls.append(rh.softmax(np.zeros(3)))  # an allowed helper
        return step(params, m, v, X, Y, h, t, lr)

    _verdict(capsys, checks.check_min_char_rnn(with_softmax), True, "✓")
    assert calls


def test_min_char_rnn_is_fast():
    import time

    start = time.perf_counter()
    checks.check_min_char_rnn(make_step())
    assert time.perf_counter() - start < 5


# --- predict-then-check exercises ----------------------------------------------------------


def _grid(losses, K=34):
    return experiments.Grid(labels=[0.01, 0.1], seeds=[0, 1], losses=np.array(losses),
                            vocab_size=K)


@pytest.fixture
def sweeps():
    return {"SGD": _grid([[2.0, 2.2], [1.0, 1.2]]), "Adam": _grid([[0.5, 0.7], [9.0, 9.0]]),
            "Adagrad": _grid([[1.5, 1.5], [0.9, 0.8]])}


def test_default_ranking(capsys, sweeps):
    rates = {"SGD": 0.1, "Adam": 0.1, "Adagrad": 0.01}
    best = ["Adagrad", "SGD", "Adam"]
    expected = ["SGD", "Adagrad", "Adam"]  # 1.1, 1.5, diverged (9 > ln 34)
    _verdict(capsys, checks.check_default_ranking(expected, sweeps, rates, best), True, "✓")
    _verdict(capsys, checks.check_default_ranking(tuple(expected), sweeps, rates, best), True)
    _verdict(capsys, checks.check_default_ranking(best, sweeps, rates, best), False,
             "best-against-best order")
    _verdict(capsys, checks.check_default_ranking(expected[::-1], sweeps, rates, best), False,
             "wrong way round")
    out = _verdict(capsys, checks.check_default_ranking(["SGD", "Adam", "Adagrad"], sweeps,
                                                        rates, best), False, "default rate")
    assert "Adagrad', 'Adam" not in out
    _verdict(capsys, checks.check_default_ranking(None, sweeps, rates, best), False,
             "Not answered yet")


G, KAPPA = np.array([3.0, -0.5, 12.0, -7.0]), 5.0


def test_clipped_elementwise(capsys):
    ok = checks.check_clipped_elementwise(np.clip(G, -KAPPA, KAPPA), G, KAPPA)
    _verdict(capsys, ok, True, "✓ clipped_elementwise")
    for answer, says in [(np.where(G > KAPPA, KAPPA, G), "Only the upper side"),
                         (np.array([3.0, 0.5, 5.0, 5.0]), "The signs are lost"),
                         (G / np.linalg.norm(G) * KAPPA, "clipped by the norm")]:
        out = _verdict(capsys, checks.check_clipped_elementwise(answer, G, KAPPA), False, says)
        assert "-0.5, 5" not in out and "-5" not in out


def test_clipped_length(capsys):
    clipped = np.array([3.0, -0.5, 5.0, -5.0])
    length = float(np.sqrt(np.sum(clipped**2)))
    _verdict(capsys, checks.check_clipped_length(length, G, KAPPA), True, "✓ clipped_length")
    for answer, says in [(float(np.sqrt(np.sum(G**2))), "That is the length of g"),
                         (5.0, "That is kappa"), (13.5, "sum of the absolute values"),
                         (float(np.sum(clipped**2)), "take its square root")]:
        out = _verdict(capsys, checks.check_clipped_length(answer, G, KAPPA), False, says)
        assert f"{length:.2f}" not in out and f"{length:.1f}" not in out
    _verdict(capsys, checks.check_clipped_length(7.0, G, KAPPA), False, "square root")


def test_clipped_by_norm(capsys):
    norm = np.sqrt(np.sum(G**2))
    _verdict(capsys, checks.check_clipped_by_norm(G * KAPPA / norm, G, KAPPA), True, "✓")
    for answer, says in [(G / norm, "of length 1"), (G * norm / KAPPA, "upside down"),
                         (np.clip(G, -5, 5), "element-wise clipped g"),
                         (G * KAPPA / np.abs(G).sum(), "sum of absolute values")]:
        out = _verdict(capsys, checks.check_clipped_by_norm(answer, G, KAPPA), False, says)
        assert f"{(G * KAPPA / norm)[2]:.3f}" not in out


@pytest.fixture(scope="module")
def small_model():
    from rnn_helpers import CharVocab, init_params, load_corpus

    vocab = CharVocab.from_text(load_corpus())
    params = init_params(len(vocab), 16, seed=3)
    params = {k: 3 * p for k, p in params.items()}  # sharper logits: a less uniform path
    return params, vocab


def _learner_greedy(params, vocab, n=40, twice=False):
    h = np.zeros(16)
    for ch in "The " + (" " if twice else ""):
        x = vocab.index[ch]
        h = np.tanh(params["U"][:, x] + params["W"] @ h + params["b"])
    text = ""
    for _ in range(n):
        x = int(np.argmax(params["V"] @ h + params["c"]))
        text += vocab.chars[x]
        h = np.tanh(params["U"][:, x] + params["W"] @ h + params["b"])
    return text


def test_greedy_text(capsys, small_model):
    params, vocab = small_model
    text = _learner_greedy(params, vocab)
    _verdict(capsys, checks.check_greedy_text(text, params, vocab), True, "✓ greedy_text")
    _verdict(capsys, checks.check_greedy_text("The " + text, params, vocab), False,
             "starts with the prime")
    _verdict(capsys, checks.check_greedy_text(("The " + text)[:40], params, vocab), False,
             "starts with the prime")
    twice = _learner_greedy(params, vocab, twice=True)
    if twice != text:
        _verdict(capsys, checks.check_greedy_text(twice, params, vocab), False, "fed twice")
    out = _verdict(capsys, checks.check_greedy_text(text[:30], params, vocab), False,
                   "exactly 40 characters")
    assert text[:10] not in out
    out = _verdict(capsys, checks.check_greedy_text("x" * 40, params, vocab), False,
                   "argmax")
    assert text[:10] not in out
