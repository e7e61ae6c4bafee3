"""Tests for rnn_helpers.data: the vocabulary, splits, batch streams and the shipped corpus.

Expected values come from the definitions (sorted unique characters, contiguous splits,
windows shifted by one), computed here independently of the package's code.
"""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from rnn_helpers import BatchStream, CharVocab, default_corpus_info, load_corpus, train_val_split

ROOT = Path(__file__).resolve().parent.parent
CORPUS_JSON = ROOT / "data" / "corpus.json"
CORPUS_TXT = ROOT / "data" / "corpus.txt"

TEXT = "Hello, world!\nÉté à Paris: ça va?\t~"


# --- CharVocab -------------------------------------------------------------------------


def test_from_text_is_sorted_unique_characters():
    v = CharVocab.from_text(TEXT)
    expected = sorted(set(TEXT))
    assert v.chars == expected
    assert len(v) == len(expected)
    codes = [ord(ch) for ch in v.chars]
    assert all(a < b for a, b in zip(codes, codes[1:], strict=False))  # strictly increasing


def test_from_text_ignores_order_and_repetition():
    assert CharVocab.from_text("cabbac") == CharVocab.from_text("abc")
    assert CharVocab.from_text("cabbac").chars == ["a", "b", "c"]


def test_encode_gives_the_sorted_position_of_each_character():
    v = CharVocab.from_text(TEXT)
    order = sorted(set(TEXT))
    ixs = v.encode(TEXT)
    assert isinstance(ixs, np.ndarray)
    assert ixs.shape == (len(TEXT),)
    assert np.issubdtype(ixs.dtype, np.integer)
    assert ixs.tolist() == [order.index(ch) for ch in TEXT]


def test_encode_decode_round_trip():
    v = CharVocab.from_text(TEXT)
    rng = np.random.default_rng(0)
    s = "".join(rng.choice(list(TEXT), size=500))
    assert v.decode(v.encode(s)) == s
    assert v.decode(v.encode(TEXT)) == TEXT
    # decode also takes a plain list of ints, and every index maps back to its character
    assert v.decode(list(range(len(v)))) == "".join(sorted(set(TEXT)))


def test_empty_string_round_trip():
    v = CharVocab.from_text("ab")
    assert v.encode("").shape == (0,)
    assert v.decode([]) == ""
    assert v.decode(np.array([], dtype=np.int64)) == ""


@pytest.mark.parametrize("ch", ["z", "é", "\r", "😀"])
def test_unknown_character_raises_valueerror_naming_it(ch):
    v = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match=re.escape(repr(ch))):
        v.encode("ab" + ch + "c")


def test_unknown_character_message_gives_its_position():
    v = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match="position 3"):
        v.encode("abcx")


def test_empty_text_raises():
    with pytest.raises(ValueError):
        CharVocab.from_text("")


def test_non_string_text_raises():
    with pytest.raises(TypeError):
        CharVocab.from_text(["a", "b"])
    with pytest.raises(TypeError):
        CharVocab.from_text("ab").encode(b"ab")


@pytest.mark.parametrize("bad", [[3], [-1], [0, 1, 99], np.array([5], dtype=np.uint8)])
def test_decode_out_of_range_raises(bad):
    v = CharVocab.from_text("abc")
    with pytest.raises(ValueError, match="outside"):
        v.decode(bad)


@pytest.mark.parametrize("bad", [[1.0], [0.5], ["a"], [True], np.array([1.0, 2.0])])
def test_decode_non_integer_raises(bad):
    v = CharVocab.from_text("abc")
    with pytest.raises(TypeError):
        v.decode(bad)


def test_decode_two_dimensional_raises():
    v = CharVocab.from_text("abc")
    with pytest.raises(ValueError):
        v.decode([[0, 1], [1, 2]])


def test_vocab_rejects_duplicates_and_non_characters():
    with pytest.raises(ValueError):
        CharVocab(["a", "a"])
    with pytest.raises(TypeError):
        CharVocab(["ab"])
    with pytest.raises(ValueError):
        CharVocab([])


# --- train_val_split --------------------------------------------------------------------


def test_split_is_contiguous_with_validation_last():
    data = np.arange(100)
    train, val = train_val_split(data, 0.1)
    np.testing.assert_array_equal(train, np.arange(90))
    np.testing.assert_array_equal(val, np.arange(90, 100))
    np.testing.assert_array_equal(np.concatenate([train, val]), data)


@pytest.mark.parametrize(("n", "frac"), [(1000, 0.25), (1000, 0.1), (37, 0.5), (50, 0.9)])
def test_split_sizes(n, frac):
    data = np.arange(n)
    train, val = train_val_split(data, frac)
    assert len(train) + len(val) == n
    assert abs(len(val) - n * frac) <= 0.5  # rounded to the nearest character
    np.testing.assert_array_equal(np.concatenate([train, val]), data)


@pytest.mark.parametrize("frac", [0, 1, -0.1, 1.5, float("nan")])
def test_split_bad_fraction(frac):
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split(np.arange(100), frac)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_split_too_short(n):
    with pytest.raises(ValueError):
        train_val_split(np.arange(n), 0.1)


def test_split_rejects_2d():
    with pytest.raises(ValueError):
        train_val_split(np.zeros((10, 10), dtype=int), 0.1)


# --- BatchStream ----------------------------------------------------------------------
# With data = arange(N) every value equals its position in the corpus, so the windows'
# provenance can be read off directly.


def _windows(stream, n):
    return [stream.next() for _ in range(n)]


@pytest.mark.parametrize(("N", "B", "T"), [(1001, 4, 10), (500, 3, 7), (64, 1, 16), (97, 5, 3)])
def test_batch_windows_shapes_and_shifted_targets(N, B, T):
    data = np.arange(N)
    for X, Y, _ in _windows(BatchStream(data, B, T), 40):
        assert X.shape == (B, T)
        assert Y.shape == (B, T)
        # targets are the next characters of the corpus
        np.testing.assert_array_equal(Y, X + 1)
        # each row is a contiguous piece of the corpus
        np.testing.assert_array_equal(np.diff(X, axis=1), np.ones((B, T - 1), dtype=int))
        assert X.min() >= 0 and Y.max() < N


@pytest.mark.parametrize(("N", "B", "T"), [(1001, 4, 10), (500, 3, 7), (97, 5, 3)])
def test_batch_rows_continue_their_own_stretch_and_reset_on_wrap(N, B, T):
    data = np.arange(N)
    wins = _windows(BatchStream(data, B, T), 200)
    resets = [r for _, _, r in wins]
    assert resets[0]  # the start of the stream: the carried state is zero
    assert sum(resets) >= 2, "the stream should wrap within 200 windows for these sizes"
    for k in range(1, len(wins)):
        prev, cur = wins[k - 1][0], wins[k][0]
        continues = cur[:, 0] == prev[:, -1] + 1
        # either every row continues its stretch (no reset) or all wrap together (reset)
        if wins[k][2]:
            assert not continues.any()
            np.testing.assert_array_equal(cur, wins[0][0])  # back to the start
        else:
            assert continues.all(), f"window {k} does not follow window {k - 1}"


def test_batch_rows_read_disjoint_stretches_covering_the_corpus():
    N, B, T = 1001, 4, 10
    wins = _windows(BatchStream(np.arange(N), B, T), 500)
    first_wrap = next(k for k in range(1, len(wins)) if wins[k][2])
    seen = np.concatenate([w[0] for w in wins[:first_wrap]], axis=1)  # (B, windows * T)
    # each row reads an increasing contiguous run
    np.testing.assert_array_equal(np.diff(seen, axis=1), np.ones_like(seen[:, 1:]))
    # rows do not overlap and come in corpus order
    for b in range(B - 1):
        assert seen[b, -1] < seen[b + 1, 0]
    # one pass uses nearly the whole corpus: at most B * (T + 1) characters left out
    assert seen.size >= N - B * (T + 1)


def test_batch_offset_starts_further_in_without_reset():
    data = np.arange(1001)
    base = _windows(BatchStream(data, 4, 10), 5)
    X, Y, reset = BatchStream(data, 4, 10, offset=3).next()
    np.testing.assert_array_equal(X, base[3][0])
    np.testing.assert_array_equal(Y, base[3][1])
    assert not reset


def test_batch_stream_on_encoded_text():
    text = load_corpus("default")[:3000]
    v = CharVocab.from_text(text)
    data = v.encode(text)
    X, Y, _ = BatchStream(data, 2, 20).next()
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])  # shifted by one
    assert v.decode(X[0]) == text[:20]
    assert v.decode(Y[0]) == text[1:21]


def test_batch_exactly_enough_data():
    B, T = 4, 10
    stream = BatchStream(np.arange(B * T + 1), B, T)
    X, Y, reset = stream.next()
    assert X.shape == (B, T) and reset
    assert stream.next()[2]  # a single window per pass: every window is a wrap


@pytest.mark.parametrize(("N", "B", "T"), [(40, 4, 10), (10, 4, 5), (1, 1, 1), (0, 1, 1)])
def test_batch_corpus_too_short(N, B, T):
    with pytest.raises(ValueError, match="too short"):
        BatchStream(np.arange(N), B, T)


@pytest.mark.parametrize(("B", "T"), [(0, 5), (-1, 5), (2, 0), (2, -3), (2.5, 5), (2, 5.0)])
def test_batch_bad_sizes(B, T):
    with pytest.raises(ValueError):
        BatchStream(np.arange(1000), B, T)


def test_batch_bad_data():
    with pytest.raises(ValueError):
        BatchStream(np.arange(100.0), 2, 5)
    with pytest.raises(ValueError):
        BatchStream(np.arange(100).reshape(10, 10), 2, 5)


def test_batch_rejects_bool_sizes():
    with pytest.raises(ValueError):
        BatchStream(np.arange(100), True, 5)


# --- corpora ----------------------------------------------------------------------------


def test_default_corpus_matches_its_recorded_hash():
    info = json.loads(CORPUS_JSON.read_text(encoding="utf-8"))
    text = load_corpus("default")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == info["sha256"]
    assert hashlib.sha256(CORPUS_TXT.read_bytes()).hexdigest() == info["sha256"]
    assert len(text) == info["n_chars"]
    assert len(set(text)) == info["vocab_size"]
    assert load_corpus() == text  # "default" is the default
    assert default_corpus_info() == info


def test_load_corpus_from_a_path(tmp_path):
    content = "line one\nligne deux é\n"
    p = tmp_path / "c.txt"
    p.write_bytes(content.encode("utf-8"))
    assert load_corpus(str(p)) == content
    assert load_corpus(p) == content


def test_load_corpus_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_corpus(str(tmp_path / "nope.txt"))
    with pytest.raises(FileNotFoundError):
        load_corpus(str(tmp_path))  # a directory is not a corpus file


def test_load_corpus_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_corpus(str(p))
