"""Tests for rnn_helpers.sampling: sample, sample_text and next_char_probs.

The argmax path at low temperature is computed here with plain NumPy, the distribution at
temperature 1 is checked by a chi-square goodness-of-fit test, and the entropy of the
tempered distribution is checked to grow with the temperature (a Hypothesis property).
"""

import math
import warnings

import numpy as np
import pytest
from cases import make_model, reference_step, reference_zero_state
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_helpers import CharVocab, next_char_probs, sample, sample_text

K, H = 6, 8


def _params(K=K, H=H, seed=0, scale=1.5, dtype=np.float64):
    """Random parameters, large enough that the logits' top two are well separated."""
    rng = np.random.default_rng(seed)
    p = {
        "U": rng.normal(0, scale, (H, K)),
        "W": rng.normal(0, scale / math.sqrt(H), (H, H)),
        "V": rng.normal(0, scale * 2, (K, H)),
        "b": rng.normal(0, 0.1, H),
        "c": rng.normal(0, 0.5, K),
    }
    return {k: v.astype(dtype) for k, v in p.items()}


def _argmax_path(p, h, ix, n):
    """Greedy decoding with plain NumPy; also returns the smallest top-1/top-2 logit gap."""
    out, gap = [], np.inf
    for _ in range(n):
        h = np.tanh(p["U"][:, ix] + p["W"] @ h + p["b"])
        o = p["V"] @ h + p["c"]
        top2 = np.sort(o)[-2:]
        gap = min(gap, top2[1] - top2[0])
        ix = int(np.argmax(o))
        out.append(ix)
    return out, gap


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def _entropy(p):
    q = p[p > 0]
    return float(-np.sum(q * np.log(q)))


def _chi2_sf_even_df(x, df):
    """P(X > x) for X ~ chi-square with an even number of degrees of freedom (closed form)."""
    assert df % 2 == 0
    k = df // 2
    return math.exp(-x / 2) * sum((x / 2) ** i / math.factorial(i) for i in range(k))


def _chi2_quantile_even_df(alpha, df):
    """The x with P(X > x) = alpha, by bisection on the closed-form survival function."""
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _chi2_sf_even_df(mid, df) > alpha else (lo, mid)
    return (lo + hi) / 2


def test_chi2_quantile_helper_matches_tables():
    # published table values: chi2_{0.999}(4) = 18.467, chi2_{0.95}(2) = 5.991
    assert _chi2_quantile_even_df(0.001, 4) == pytest.approx(18.467, abs=1e-3)
    assert _chi2_quantile_even_df(0.05, 2) == pytest.approx(5.991, abs=1e-3)


# --- sample -----------------------------------------------------------------------------


def test_sample_returns_n_ints_in_range():
    p = _params()
    out = sample(p, np.zeros(H), 2, 300, rng=0)
    assert isinstance(out, list) and len(out) == 300
    assert all(type(i) is int and 0 <= i < K for i in out)
    assert len(set(out)) > 1  # temperature 1 with these logits is not degenerate


def test_sample_zero_characters():
    assert sample(_params(), np.zeros(H), 0, 0, rng=0) == []


def test_sample_is_deterministic_for_a_seed():
    p = _params()
    h = np.zeros(H)
    a = sample(p, h, 1, 200, rng=42)
    assert sample(p, h, 1, 200, rng=42) == a
    g1 = sample(p, h, 1, 200, rng=np.random.default_rng(42))
    g2 = sample(p, h, 1, 200, rng=np.random.default_rng(42))
    assert g1 == g2
    assert g1 == a  # an int seed means default_rng(seed)
    assert sample(p, h, 1, 200, rng=43) != a


def test_sample_does_not_modify_h_or_params():
    p = _params()
    saved = {k: v.copy() for k, v in p.items()}
    h = np.full(H, 0.25)
    sample(p, h, 0, 50, rng=0)
    np.testing.assert_array_equal(h, np.full(H, 0.25))
    for k in p:
        np.testing.assert_array_equal(p[k], saved[k])


@pytest.mark.parametrize("temperature", [1e-6, 1e-300])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_low_temperature_is_the_argmax_path(temperature, seed):
    p = _params(seed=seed)
    h0 = np.random.default_rng(seed).uniform(-0.5, 0.5, H)
    expected, gap = _argmax_path(p, h0.copy(), 3, 60)
    assert gap > 1e-3, "test setup: near-ties would make the argmax ill-defined"
    for rng_seed in (0, 1):
        got = sample(p, h0, 3, 60, temperature=temperature, rng=rng_seed)
        assert got == expected


def test_low_temperature_float32_params():
    p = _params(seed=4)
    expected, gap = _argmax_path(p, np.zeros(H), 0, 40)
    assert gap > 1e-2
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    assert sample(p32, np.zeros(H, np.float32), 0, 40, temperature=1e-6, rng=0) == expected


def _constant_output_params(c):
    """A model whose output is c whatever the input: V = 0."""
    p = _params(K=len(c))
    p["V"][:] = 0.0
    p["c"] = np.asarray(c, dtype=np.float64)
    return p


@pytest.mark.parametrize("temperature", [1.0, 2.0, 0.5])
def test_samples_follow_the_tempered_distribution(temperature):
    """Chi-square goodness of fit at significance level alpha = 0.001 (df = K - 1 = 4).

    The rng is seeded, so the test is deterministic; with a correct sampler a seed fails
    with probability 0.001, while a sampler that draws from the wrong distribution (e.g.
    ignoring the temperature, or off by one) gives a statistic in the hundreds.
    """
    c = np.array([1.2, 0.4, 0.0, -0.5, -1.0])
    p = _constant_output_params(c)
    n = 20_000
    draws = sample(p, np.zeros(H), 0, n, temperature=temperature, rng=2024)
    counts = np.bincount(draws, minlength=len(c))
    expected = n * _softmax(c / temperature)
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    bound = _chi2_quantile_even_df(0.001, len(c) - 1)
    assert chi2 < bound, f"chi2 = {chi2:.1f} >= {bound:.2f}: counts {counts}, expected {expected}"


def test_sampling_ignores_characters_outside_top_k():
    c = np.array([0.0, 2.0, -1.0, 1.9, 0.5])
    p = _constant_output_params(c)
    draws = sample(p, np.zeros(H), 0, 5000, top_k=2, rng=3)
    assert set(draws) == {1, 3}
    share = draws.count(1) / len(draws)
    assert share == pytest.approx(1 / (1 + math.exp(-0.1)), abs=0.03)


# --- next_char_probs ---------------------------------------------------------------------


def test_next_char_probs_is_the_tempered_softmax():
    o = np.array([2.0, -1.0, 0.5, 3.0])
    for T in (0.3, 1.0, 4.0):
        np.testing.assert_allclose(next_char_probs(o, T), _softmax(o / T), rtol=1e-12)
    assert next_char_probs(o).dtype == np.float64
    assert next_char_probs(o.astype(np.float32)).sum() == pytest.approx(1.0, abs=1e-12)


logit_lists = st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
                       min_size=2, max_size=20)
temperatures = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, database=None)
@given(logit_lists, temperatures, temperatures)
def test_entropy_increases_with_temperature(logits, t1, t2):
    """H(softmax(o / T)) is non-decreasing in T: dH/dT = Var_p(o) / T^3 >= 0."""
    t1, t2 = sorted((t1, t2))
    o = np.array(logits)
    p1, p2 = next_char_probs(o, t1), next_char_probs(o, t2)
    for q in (p1, p2):
        assert np.all(q >= 0) and q.sum() == pytest.approx(1.0, abs=1e-12)
    assert _entropy(p1) <= _entropy(p2) + 1e-9


def test_entropy_limits():
    o = np.array([0.3, -2.0, 1.7, 1.0])
    assert _entropy(next_char_probs(o, 1e-300)) == 0.0
    assert _entropy(next_char_probs(o, 1e12)) == pytest.approx(math.log(len(o)), abs=1e-9)


@pytest.mark.parametrize("k", range(1, 11))
def test_top_k_keeps_exactly_the_k_largest(k):
    o = np.random.default_rng(k).permutation(np.linspace(-3, 3, 10))  # distinct logits
    p = next_char_probs(o, 1.0, top_k=k)
    kept = set(np.flatnonzero(p).tolist())
    largest = set(sorted(range(10), key=lambda i: o[i])[-k:])
    assert kept == largest
    idx = sorted(largest)
    expected = np.zeros(10)
    expected[idx] = _softmax(o[idx])  # renormalised over the kept characters
    np.testing.assert_allclose(p, expected, rtol=1e-12, atol=0)


def test_top_k_larger_than_vocabulary_keeps_all():
    o = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(next_char_probs(o, 1.0, top_k=10), _softmax(o), rtol=1e-12)


@pytest.mark.parametrize("k", [0, -1, 1.5, "2"])
def test_bad_top_k(k):
    with pytest.raises(ValueError, match="top_k"):
        next_char_probs(np.array([0.1, 0.2, 0.3]), 1.0, top_k=k)


def test_top_k_rejects_bool():
    with pytest.raises((TypeError, ValueError)):
        next_char_probs(np.array([0.1, 0.2, 0.3]), 1.0, top_k=True)


def test_next_char_probs_extreme_finite_logits_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = next_char_probs(np.array([1e308, -1e308, 0.0]), 1.0)
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])


def test_next_char_probs_rejects_nan_logits():
    with pytest.raises(ValueError):
        next_char_probs(np.array([0.0, np.nan, 1.0]), 1.0)


# --- argument errors ---------------------------------------------------------------------


@pytest.mark.parametrize("t", [0, 0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature_value(t):
    with pytest.raises(ValueError, match="temperature"):
        sample(_params(), np.zeros(H), 0, 5, temperature=t, rng=0)
    with pytest.raises(ValueError, match="temperature"):
        next_char_probs(np.zeros(3), t)


@pytest.mark.parametrize("t", [True, False, "1.0", None])
def test_bad_temperature_type(t):
    with pytest.raises(TypeError, match="temperature"):
        sample(_params(), np.zeros(H), 0, 5, temperature=t, rng=0)
    with pytest.raises(TypeError, match="temperature"):
        next_char_probs(np.zeros(3), t)


def test_bad_n():
    with pytest.raises(ValueError, match="n"):
        sample(_params(), np.zeros(H), 0, -1, rng=0)
    with pytest.raises(TypeError):
        sample(_params(), np.zeros(H), 0, 2.5, rng=0)
    with pytest.raises(TypeError):
        sample(_params(), np.zeros(H), 0, True, rng=0)


@pytest.mark.parametrize("ix", [-1, K, K + 10])
def test_seed_ix_out_of_range(ix):
    with pytest.raises(ValueError, match="seed_ix"):
        sample(_params(), np.zeros(H), ix, 5, rng=0)


@pytest.mark.parametrize("ix", [1.0, "a"])
def test_seed_ix_not_an_integer(ix):
    with pytest.raises(TypeError):
        sample(_params(), np.zeros(H), ix, 5, rng=0)


@pytest.mark.parametrize("shape", [(H + 1,), (1, H), (H, 1), ()])
def test_h_of_wrong_shape(shape):
    with pytest.raises(ValueError, match="h"):
        sample(_params(), np.zeros(shape), 0, 5, rng=0)


# --- sample_text ---------------------------------------------------------------------------


VOCAB = CharVocab.from_text("ab cd\nef")


def _text_params(seed=5):
    return _params(K=len(VOCAB), seed=seed)


def test_sample_text_with_prime():
    p = _text_params()
    out = sample_text(p, VOCAB, 80, prime="ab c", rng=7)
    assert isinstance(out, str) and len(out) == 80
    assert set(out) <= set(VOCAB.chars)
    assert sample_text(p, VOCAB, 80, prime="ab c", rng=7) == out
    assert sample_text(p, VOCAB, 0, prime="ab c", rng=7) == ""


def test_sample_text_reads_the_whole_prime():
    """At low temperature the continuation is the argmax path after feeding every prime char."""
    p = _text_params(seed=6)
    prime = "fed cab"
    h = np.zeros(p["W"].shape[0])
    ixs = [VOCAB.chars.index(ch) for ch in prime]
    for ix in ixs[:-1]:
        h = np.tanh(p["U"][:, ix] + p["W"] @ h + p["b"])
    expected, gap = _argmax_path(p, h, ixs[-1], 30)
    assert gap > 1e-3
    got = sample_text(p, VOCAB, 30, prime=prime, temperature=1e-6, rng=0)
    assert got == "".join(VOCAB.chars[i] for i in expected)


def test_sample_text_without_prime_starts_from_a_newline():
    p = _text_params(seed=7)
    expected, gap = _argmax_path(p, np.zeros(p["W"].shape[0]), VOCAB.chars.index("\n"), 25)
    assert gap > 1e-3
    got = sample_text(p, VOCAB, 25, temperature=1e-6, rng=0)
    assert got == "".join(VOCAB.chars[i] for i in expected)


def test_sample_text_prime_outside_the_vocabulary():
    with pytest.raises(ValueError, match="'z'"):
        sample_text(_text_params(), VOCAB, 10, prime="abz", rng=0)


# --- the gated cells: LSTM and GRU ---------------------------------------------------------


def _gated_params(cell, K=K, H=H, seed=0, scale=6.0):
    """A seeded LSTM or GRU (tests/cases.py), weights ``scale`` times their initialisation:
    the default is large enough that the top two logits are well separated."""
    return make_model(cell, K, H, seed=seed, scale=scale, bias=0.5)


def _reference_path(cell, p, state, ix, n, draw):
    """n characters from a loop written from the cell's equations (tests/cases.py);
    draw(logits) picks the next one. Also returns the smallest top-1/top-2 logit gap."""
    out, gap = [], np.inf
    for _ in range(n):
        state, o = reference_step(cell, p, state, ix)
        top2 = np.sort(o)[-2:]
        gap = min(gap, top2[1] - top2[0])
        ix = draw(o)
        out.append(ix)
    return out, gap


def _state(cell, rng):
    """A random state of one sequence: h, or (h, s) for the LSTM."""
    if cell == "lstm":
        return rng.uniform(-0.5, 0.5, H), rng.uniform(-1, 1, H)
    return rng.uniform(-0.5, 0.5, H)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_low_temperature_is_the_argmax_path(cell, seed):
    p = _gated_params(cell, seed=seed)
    state = _state(cell, np.random.default_rng(seed))
    expected, gap = _reference_path(cell, p, state, 2, 40, lambda o: int(np.argmax(o)))
    assert gap > 1e-3
    assert sample(p, state, 2, 40, temperature=1e-6, rng=seed) == expected


@pytest.mark.parametrize("temperature", [1.0, 0.7])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_samples_are_the_documented_draws(cell, temperature):
    """One uniform u per character from the rng, and the first index whose cumulative
    tempered probability exceeds u (inverse CDF): the same characters as a loop written
    from the equations that draws that way."""
    p = _gated_params(cell, seed=4, scale=2.0)
    state = _state(cell, np.random.default_rng(5))
    rng = np.random.default_rng(6)

    def draw(o):
        return int(np.searchsorted(np.cumsum(_softmax(o / temperature)), rng.random(), "right"))

    expected, _ = _reference_path(cell, p, state, 1, 300, draw)
    got = sample(p, state, 1, 300, temperature=temperature, rng=np.random.default_rng(6))
    assert got == expected
    assert len(set(got)) >= K - 1  # not a degenerate path: (almost) every character


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_sample_leaves_its_arguments_alone(cell):
    p = _gated_params(cell)
    state = _state(cell, np.random.default_rng(0))
    saved_p = {k: v.copy() for k, v in p.items()}
    saved_state = tuple(np.copy(x) for x in (state if cell == "lstm" else (state,)))
    first = sample(p, state, 0, 30, rng=1)
    assert sample(p, state, 0, 30, rng=1) == first
    for k in p:
        np.testing.assert_array_equal(p[k], saved_p[k])
    for x, saved in zip(state if cell == "lstm" else (state,), saved_state, strict=True):
        np.testing.assert_array_equal(x, saved)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_float32_sampling(cell):
    p32 = {k: v.astype(np.float32) for k, v in _gated_params(cell, seed=2).items()}
    state = (np.zeros(H, np.float32),) * 2 if cell == "lstm" else np.zeros(H, np.float32)
    p64 = {k: v.astype(np.float64) for k, v in p32.items()}
    expected, gap = _reference_path(cell, p64, (np.zeros(H),) * 2 if cell == "lstm"
                                    else np.zeros(H), 3, 20, lambda o: int(np.argmax(o)))
    assert gap > 1e-3  # far above float32's round-off in the logits
    assert sample(p32, state, 3, 20, temperature=1e-6, rng=0) == expected


def test_the_lstm_state_must_be_a_pair_of_the_right_shape():
    p = _gated_params("lstm")
    with pytest.raises(ValueError, match=r"pair \(h, s\)"):
        sample(p, np.zeros(H), 0, 5, rng=0)
    with pytest.raises(ValueError, match=rf"s has shape \({H + 1},\), expected \({H},\)"):
        sample(p, (np.zeros(H), np.zeros(H + 1)), 0, 5, rng=0)
    with pytest.raises(ValueError, match="h has shape"):
        sample(_gated_params("gru"), (np.zeros(H), np.zeros(H)), 0, 5, rng=0)
    with pytest.raises(ValueError, match="not a GRU's"):
        sample(p, (np.zeros(H), np.zeros(H)), 0, 5, rng=0, cell="gru")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_sample_text_reads_the_whole_prime(cell):
    """At low temperature: the argmax path after a loop has fed every prime character;
    without a prime, from zeros and a newline."""
    p = _gated_params(cell, K=len(VOCAB), seed=6)
    prime = "fed cab"
    state = reference_zero_state(cell, H)
    ixs = [VOCAB.chars.index(ch) for ch in prime]
    for ix in ixs[:-1]:
        state, _ = reference_step(cell, p, state, ix)
    expected, gap = _reference_path(cell, p, state, ixs[-1], 30, lambda o: int(np.argmax(o)))
    assert gap > 1e-3
    got = sample_text(p, VOCAB, 30, prime=prime, temperature=1e-6, rng=0)
    assert got == "".join(VOCAB.chars[i] for i in expected)
    expected, gap = _reference_path(cell, p, reference_zero_state(cell, H),
                                    VOCAB.chars.index("\n"), 25, lambda o: int(np.argmax(o)))
    assert gap > 1e-3
    got = sample_text(p, VOCAB, 25, temperature=1e-6, rng=0, cell=cell)
    assert got == "".join(VOCAB.chars[i] for i in expected)
