"""Notebook 04's helpers: the n-gram baselines, the per-character surprise and the figures."""

import numpy as np
import pytest

from rnn_helpers import baselines, plots
from rnn_helpers.grammar import DEFAULT_GRAMMAR, Grammar


def test_ngram_indices_read_the_ngram_in_base_K():
    np.testing.assert_array_equal(baselines.ngram_indices([0, 1, 2, 1], 2, 3), [1, 5, 7])
    np.testing.assert_array_equal(baselines.ngram_indices([2, 0, 1], 3, 3), [2 * 9 + 0 * 3 + 1])
    np.testing.assert_array_equal(baselines.ngram_indices([2, 0, 1], 1, 3), [2, 0, 1])


def test_ngram_log_probs_are_add_alpha_counts():
    train = np.array([0, 1, 0, 1, 1])  # bigrams: 01, 10, 01, 11
    logp = baselines.ngram_log_probs(train, 2, 2, alpha=1.0)
    assert logp.shape == (2, 2)
    # after 0: counts (0, 2) + 1 -> (1, 3) / 4; after 1: counts (1, 1) + 1 -> (2, 2) / 4
    np.testing.assert_allclose(np.exp(logp), [[0.25, 0.75], [0.5, 0.5]])


def test_ngram_loss_unigram_matches_a_hand_computation():
    rng = np.random.default_rng(0)
    train, val = rng.integers(0, 5, 200), rng.integers(0, 5, 50)
    p = (np.bincount(train, minlength=5) + 1) / (len(train) + 5)
    assert baselines.ngram_loss(train, val, 1, 5) == pytest.approx(-np.log(p[val]).mean())


def test_ngram_loss_on_a_periodic_text():
    text = np.tile([0, 1, 2], 100)
    # unigram: the three symbols are equally frequent -> ln 3
    assert baselines.ngram_loss(text, text, 1, 3, alpha=1e-9) == pytest.approx(np.log(3))
    # bigram: the next symbol is determined -> loss near 0
    assert baselines.ngram_loss(text, text, 2, 3, alpha=1e-9) < 1e-6


def test_loss_ladder_draws_one_labelled_bar_per_model_and_the_floor():
    fig = plots.loss_ladder(["a", "b", "c"], [3.0, 2.0, 1.0], floor=0.5)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert [ticks[y] for y in sorted(ticks, reverse=True)] == ["a", "b", "c"]  # a on top
    assert [t.get_text() for t in ax.texts] == ["3.000", "2.000", "1.000"]
    assert "0.500" in ax.get_legend().get_texts()[0].get_text()
    assert ax.get_xlabel() == "loss (nats per character)" and ax.get_title()


def test_window_loss_figure_marks_T_ln_K_and_the_mean():
    ax = plots.window_loss_figure(np.array([1.0, 2.0, 3.0]), T=2, K=4).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"T ln K = {2 * np.log(4):.2f}", "mean = 2.00"]
    assert ax.get_xlabel() and ax.get_ylabel() and "3 windows" in ax.get_title()


def test_surprise_figure_title_has_no_negative_zero_or_exponent():
    assert plots.surprise_figure(1.0).axes[0].get_title() == (
        "p = 1: loss 0.00 nats = 0.00 bits, perplexity 1.0")
    assert "perplexity 1,000.0" in plots.surprise_figure(0.001).axes[0].get_title()


def test_surprise_figure_reads_out_loss_bits_and_perplexity():
    fig = plots.surprise_figure(0.5, K=4)
    ax = fig.axes[0]
    assert ax.get_title() == "p = 0.5: loss 0.69 nats = 1.00 bits, perplexity 2.0"
    assert ax.get_xscale() == "log"
    point = ax.get_lines()[-1]
    np.testing.assert_allclose(point.get_xydata(), [[0.5, np.log(2)]])
    assert len(ax.get_lines()) == 4  # curve, halvings, uniform line, point
    halvings = ax.get_lines()[1].get_xydata()
    np.testing.assert_allclose(np.diff(halvings[:, 1]), np.log(2))  # + ln 2 per halving
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.child_axes[0].get_ylabel() == "loss (bits)"


TOY = Grammar(states={  # "ab " or "ac " (p = 0.5 each, settled at the 2nd character), then "d "
    "s": (("ab ", 0.25, "t"), ("ac ", 0.25, "t"), ("x ", 0.5, "t")),
    "t": (("d ", 1.0, "s"),),
}, start="s")


def test_char_surprises_spread_each_choice_over_the_characters_that_settle_it():
    got = TOY.char_surprises("ab d x d ")
    # "ab ": 'a' halves the mass (ln 2), 'b' halves it again (ln 2), ' ' is certain
    np.testing.assert_allclose(got, [np.log(2), np.log(2), 0, 0, 0, np.log(2), 0, 0, 0],
                               atol=1e-12)


def test_char_surprises_sum_to_the_sentence_nll_chain_rule():
    text = "The black cat sees a dog near the river.\nSome birds sing.\n"
    got = DEFAULT_GRAMMAR.char_surprises(text)
    assert got.shape == (len(text),)
    assert (got >= -1e-12).all()
    assert got.sum() == pytest.approx(DEFAULT_GRAMMAR.nll(text), rel=1e-12)


def test_char_surprise_figure_labels_each_choice_with_its_total():
    tokens = [t for _, t in TOY.parse("ab d ")]
    ax = plots.char_surprise_figure(tokens, TOY.char_surprises("ab d ")).axes[0]
    assert len(ax.patches) == 5  # one bar per character
    assert [t.get_text() for t in ax.texts] == [f"{2 * np.log(2):.2f}", "0.00"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "␣", "d", "␣"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
