"""Tests for rnn_helpers.grammar and the shipped default corpus in data/.

The checks are independent of the implementation: brute-force prefix and reachability
checks, hand-computed probabilities and entropy rates, and a Monte Carlo estimate.
"""

import hashlib
import importlib.util
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_helpers.grammar import CORPUS_CHARS, CORPUS_SEED, DEFAULT_GRAMMAR, Grammar

G = DEFAULT_GRAMMAR
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TOKEN_RE = re.compile(r"([A-Za-z]+)( |, |\.\n)")  # a word plus its separator


def reachable(edges, source):
    """Nodes reachable from ``source`` (breadth-first search)."""
    seen, queue = {source}, [source]
    for node in queue:
        for nxt in edges[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


@pytest.fixture(scope="module")
def sample():
    """A long sample, 1.5 M characters (about 44,000 sentences)."""
    return G.generate(1_500_000, seed=12345)


# --- the automaton --------------------------------------------------------------------


@pytest.mark.parametrize("state", list(G.states))
def test_probabilities_sum_to_one(state):
    probs = [p for _, p, _ in G.states[state]]
    assert all(p > 0 for p in probs)
    assert math.fsum(probs) == pytest.approx(1.0, abs=1e-12)


def test_no_token_is_too_rare():
    # Rarer tokens would barely appear in a 300k-character corpus.
    assert min(p for tr in G.states.values() for _, p, _ in tr) >= 0.01


@pytest.mark.parametrize("state", list(G.states))
def test_tokens_are_prefix_free(state):
    tokens = [tok for tok, _, _ in G.states[state]]
    assert len(set(tokens)) == len(tokens)
    for a in tokens:
        for b in tokens:
            assert a == b or not b.startswith(a), (state, a, b)


def test_next_states_exist_and_chain_is_irreducible():
    edges = {s: [t for _, _, t in tr] for s, tr in G.states.items()}
    assert G.start in G.states
    assert all(t in G.states for targets in edges.values() for t in targets)
    for state in G.states:  # strongly connected: every state reaches every state
        assert reachable(edges, state) == set(G.states), state


def test_tokens_are_words_with_separators():
    for state, transitions in G.states.items():
        for token, _, next_state in transitions:
            word, sep = TOKEN_RE.fullmatch(token).groups()
            assert (sep == ".\n") == (next_state == G.start), token  # one sentence per line
            assert word[0].isupper() == (state == G.start), token  # capital only at the start
            assert word[1:] == word[1:].lower()


def test_language_size():
    tokens = [tok for tr in G.states.values() for tok, _, _ in tr]
    words = {TOKEN_RE.fullmatch(tok).group(1) for tok in tokens}
    chars = set("".join(tokens))
    assert 60 <= len(words) <= 100
    assert 30 <= len(chars) <= 45


def test_stationary_is_a_fixed_point():
    pi = G.stationary()
    assert math.fsum(pi.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(v > 0 for v in pi.values())
    flow = dict.fromkeys(G.states, 0.0)
    for s, transitions in G.states.items():
        for _, p, t in transitions:
            flow[t] += pi[s] * p
    for s in G.states:
        assert flow[s] == pytest.approx(pi[s], abs=1e-12)


# --- generate -------------------------------------------------------------------------


def test_generate_is_deterministic():
    a = G.generate(5000, seed=1)
    assert a == G.generate(5000, seed=1)
    assert a != G.generate(5000, seed=2)
    assert G.generate(5000, seed=np.int64(1)) == a


@pytest.mark.parametrize("n_chars", [1, 100, 5000])
def test_generate_returns_whole_sentences(n_chars):
    text = G.generate(n_chars, seed=3)
    assert len(text) >= n_chars
    assert text.endswith("\n") and text[0].isupper()
    lines = text.splitlines(keepends=True)
    assert len(text) - len(lines[-1]) < n_chars  # stops at the first sentence end after n_chars


def test_mean_sentence_length(sample):
    lines = sample.splitlines()
    assert 6 <= len(sample.split()) / len(lines) <= 12


@pytest.mark.parametrize(
    ("n_chars", "seed", "error", "name"),
    [
        (0, 1, ValueError, "n_chars"),
        (-5, 1, ValueError, "n_chars"),
        (10.0, 1, TypeError, "n_chars"),
        (True, 1, TypeError, "n_chars"),
        ("10", 1, TypeError, "n_chars"),
        (10, -1, ValueError, "seed"),  # random.Random would alias -1 with 1
        (10, 1.5, TypeError, "seed"),
        (10, None, TypeError, "seed"),
    ],
)
def test_generate_validates_arguments(n_chars, seed, error, name):
    with pytest.raises(error, match=name):
        G.generate(n_chars, seed)


# --- parse and nll --------------------------------------------------------------------


def check_derivation(text, path):
    """The path starts at ``start``, follows the transitions and spells ``text``."""
    nxt = {s: {tok: t for tok, _, t in tr} for s, tr in G.states.items()}
    state = G.start
    for s, token in path:
        assert s == state
        state = nxt[s][token]
    assert "".join(token for _, token in path) == text


def test_parse_round_trips(sample):
    text = sample[:50_000]
    text = text[: text.rindex("\n") + 1]
    check_derivation(text, G.parse(text))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**40), n_chars=st.integers(1, 400))
def test_parse_round_trips_any_seed(seed, n_chars):
    text = G.generate(n_chars, seed)
    check_derivation(text, G.parse(text))


def test_parse_accepts_partial_sentence_at_token_boundary():
    assert G.parse("") == []
    assert G.parse("The cat ") == [("sentence", "The "), ("subject/any", "cat ")]


@pytest.mark.parametrize(
    ("text", "position", "state"),
    [
        ("The cat sleeps.\nThe zebra sleeps.\n", 20, "subject/any"),  # unknown word
        ("The dog chases a cat.\nA dog sleep.\n", 28, "verb/sg"),  # singular subject, plural verb
        ("Two cats sleeps.\n", 9, "verb/pl"),  # plural subject, singular verb
        ("A cats sleep.\n", 2, "subject/sg"),  # "a" takes a singular noun
        ("the cat sleeps.\n", 0, "sentence"),  # must start at a sentence start
        ("The cat sleeps", 8, "verb/sg"),  # must end at a token boundary
    ],
)
def test_parse_rejects_text_outside_the_language(text, position, state):
    with pytest.raises(ValueError, match=rf"character {position}\b.*{re.escape(repr(state))}"):
        G.parse(text)


def test_parse_rejects_non_str():
    with pytest.raises(TypeError):
        G.parse(b"The cat sleeps.\n")


def test_nll_by_hand():
    # Weights from the word lists: determiners sum to 21 ("the" 8); nouns sum to 20
    # ("cat" 4) and "the" leaves the number open (singular nouns 0.45); intransitive
    # verbs get 0.5 and sum to 14.5 ("sleeps" 4), and ".\n" ends one with probability 0.55.
    p = (8 / 21) * (0.45 * 4 / 20) * (0.5 * 4 / 14.5 * 0.55)
    assert G.nll("The cat sleeps.\n") == pytest.approx(-math.log(p), rel=1e-12)


def test_nll_is_the_sum_over_the_derivation(sample):
    text = sample[: sample.index("\n", 100_000) + 1]
    prob = {(s, tok): p for s, tr in G.states.items() for tok, p, _ in tr}
    brute = math.fsum(-math.log(prob[step]) for step in G.parse(text))
    assert G.nll(text) == pytest.approx(brute, rel=1e-12)


# --- entropy rate ---------------------------------------------------------------------


def test_entropy_rate_matches_monte_carlo(sample):
    # Each line is one sentence, an i.i.d. renewal cycle from the start state, so
    # rate = E[nll(sentence)] / E[len(sentence)]. The ratio estimator R is asymptotically
    # normal with standard error sqrt(sum r_i^2 * n/(n-1)) / sum len_i, r_i = nll_i - R len_i
    # (delta method). |R - rate| < 4 SE fails by chance with probability ~6e-5 (and the
    # seed is fixed, so the test is deterministic).
    lines = sample.splitlines(keepends=True)
    nll = np.array([G.nll(line) for line in lines])
    length = np.array([len(line) for line in lines], dtype=float)
    R = nll.sum() / length.sum()
    n = len(lines)
    se = math.sqrt(((nll - R * length) ** 2).sum() * n / (n - 1)) / length.sum()
    assert se < 0.003  # the sample is long enough for the comparison to mean something
    assert abs(R - G.entropy_rate()) < 4 * se


def test_entropy_rate_one_state():
    fair_coin = Grammar({"s": (("a", 0.5, "s"), ("b", 0.5, "s"))}, start="s")
    assert fair_coin.entropy_rate() == pytest.approx(math.log(2), rel=1e-12)


def test_entropy_rate_two_states_by_hand():
    # S emits "x " (2 chars, p 1/4, stay) or "yy\n" (3 chars, p 3/4, go to T);
    # T always emits "z\n" (2 chars, no information) and returns to S.
    # Balance: pi_T = 3/4 pi_S, so pi = (4/7, 3/7).
    # Per step: entropy 4/7 * H(1/4) nats; characters 4/7 * 11/4 + 3/7 * 2 = 17/7.
    tiny = Grammar(
        {"S": (("x ", 0.25, "S"), ("yy\n", 0.75, "T")), "T": (("z\n", 1.0, "S"),)},
        start="S",
    )
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert tiny.stationary() == pytest.approx({"S": 4 / 7, "T": 3 / 7}, abs=1e-12)
    assert tiny.entropy_rate() == pytest.approx(4 * h / 17, rel=1e-12)
    assert tiny.nll("x x yy\nz\n") == pytest.approx(-2 * math.log(0.25) - math.log(0.75))


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ({"s": (("a", 0.5, "s"), ("b", 0.4, "s"))}, "sum to"),
        ({"s": (("a", 0.5, "s"), ("ab", 0.5, "s"))}, "prefix"),
        ({"s": (("a", 0.5, "s"), ("a", 0.5, "s"))}, "prefix"),
        ({"s": (("a", 1.0, "t"),)}, "unknown state"),
        ({"s": (("a", 1.0, "s"),), "t": (("b", 1.0, "s"),)}, "not reachable"),
        ({"s": (("a", 1.0, "t"),), "t": (("b", 1.0, "t"),)}, "not able to return"),
        ({"t": (("a", 1.0, "t"),)}, "start state"),
        ({"s": (("", 1.0, "s"),)}, "non-empty"),
    ],
)
def test_grammar_rejects_invalid_automata(states, message):
    with pytest.raises(ValueError, match=message):
        Grammar(states, start="s")


# --- the shipped corpus ---------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_text():
    return G.generate(CORPUS_CHARS, CORPUS_SEED)


@pytest.fixture(scope="module")
def corpus_meta():
    return json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))


def test_shipped_corpus_is_what_the_generator_writes(corpus_text, corpus_meta):
    raw = (DATA / "corpus.txt").read_bytes()
    assert len(raw) >= 200_000
    assert raw == corpus_text.encode("utf-8")  # fails on a CRLF checkout: keep the file LF
    assert hashlib.sha256(raw).hexdigest() == corpus_meta["sha256"]


def test_shipped_metadata(corpus_text, corpus_meta):
    assert corpus_meta["name"] == "default"
    assert corpus_meta["file"] == "corpus.txt"
    assert corpus_meta["generator"] == "data/generate_corpus.py"
    assert corpus_meta["seed"] == CORPUS_SEED
    assert corpus_meta["n_chars"] == len(corpus_text) >= CORPUS_CHARS
    assert corpus_meta["vocab_size"] == len(set(corpus_text))
    rate = G.entropy_rate()
    assert corpus_meta["entropy_rate_nats_per_char"] == pytest.approx(rate, abs=1e-9)
    assert corpus_meta["entropy_rate_bits_per_char"] == pytest.approx(rate / math.log(2), abs=1e-9)
    nll = G.nll(corpus_text) / len(corpus_text)
    assert corpus_meta["nll_nats_per_char"] == pytest.approx(nll, abs=1e-9)


def test_readme_quotes_the_measured_numbers(corpus_meta):
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert corpus_meta["sha256"] in readme
    assert f"{corpus_meta['entropy_rate_nats_per_char']:.4f}" in readme
    assert f"{corpus_meta['n_chars']:,}" in readme


def test_generator_check_mode(tmp_path):
    script = DATA / "generate_corpus.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    spec = importlib.util.spec_from_file_location("generate_corpus", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = {"corpus.txt": "The cat sleeps.\n", "corpus.json": "{}\n"}
    for name, content in files.items():
        module.write_atomic(tmp_path / name, content)
    assert module.stale_files(files, tmp_path) == []
    (tmp_path / "corpus.txt").write_bytes(b"The cat sleeps.\r\n")
    assert module.stale_files(files, tmp_path) == ["corpus.txt"]
