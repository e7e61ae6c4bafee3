"""Notebook 01's checks: a right answer passes, each classic mistake is named, no answer leaks.

The wrong implementations below are written the way a learner would write them, not with the
check module's own variants."""

import re

import numpy as np
import pytest

from rnn_helpers import CharVocab, checks
from rnn_helpers.checks import NOT_DONE, NOT_YET


def verdict(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"a check prints one line, got {out!r}"
    return out


# --- encode and decode ---

def encode_right(text, chars):
    index = {ch: i for i, ch in enumerate(chars)}
    return np.array([index[ch] for ch in text])


def encode_list_index(text, chars):  # another right way, slower
    return [chars.index(ch) for ch in text]


def encode_from_one(text, chars):
    index = {ch: i + 1 for i, ch in enumerate(chars)}
    return np.array([index[ch] for ch in text])


def encode_ord(text, chars):
    return np.array([ord(ch) for ch in text])


def encode_own_vocabulary(text, chars):
    own = sorted(set(text))
    return np.array([own.index(ch) for ch in text])


def encode_first_seen(text, chars):
    index = {}
    for ch in text:
        index.setdefault(ch, len(index))
    return np.array([index[ch] for ch in text])


def encode_one_hot(text, chars):
    x = np.zeros((len(text), len(chars)))
    for t, ch in enumerate(text):
        x[t, chars.index(ch)] = 1
    return x


def decode_right(ixs, chars):
    return "".join(chars[i] for i in ixs)


def decode_list(ixs, chars):
    return [chars[i] for i in ixs]


def decode_from_one(ixs, chars):
    return "".join(chars[i - 1] for i in ixs)


def decode_one_late(ixs, chars):
    return "".join(chars[(i + 1) % len(chars)] for i in ixs)


def decode_chr(ixs, chars):
    return "".join(chr(i) for i in ixs)


@pytest.mark.parametrize("fn", [encode_right, encode_list_index])
def test_a_right_encode_passes(fn, capsys):
    assert checks.check_encode(fn) is True
    assert verdict(capsys) == "✓ encode matches.\n"


@pytest.mark.parametrize("fn, says", [
    (encode_from_one, "your indices start at 1"),
    (encode_ord, "those are the characters' code points"),
    (encode_own_vocabulary, "your indices come from the characters of this text"),
    (encode_first_seen, "your indices follow the order in which characters first appear"),
    (encode_one_hot, "you return one-hot vectors"),
])
def test_each_encode_mistake_is_named(fn, says, capsys):
    assert checks.check_encode(fn) is False
    assert verdict(capsys).startswith(f"✗ encode: {says}")


def test_a_right_decode_passes(capsys):
    assert checks.check_decode(decode_right) is True
    assert verdict(capsys) == "✓ decode matches.\n"


@pytest.mark.parametrize("fn, says", [
    (decode_list, "you return a list of characters"),
    (decode_from_one, "each character is one place too early"),
    (decode_one_late, "each character is one place too late"),
    (decode_chr, "those are the characters with these code points"),
])
def test_each_decode_mistake_is_named(fn, says, capsys):
    assert checks.check_decode(fn) is False
    out = verdict(capsys)
    assert out.startswith(f"✗ decode: {says}") and "dog" not in out


def test_encode_and_decode_stubs_are_not_done_yet(capsys):
    assert checks.check_encode(stub) is False
    assert checks.check_decode(stub) is False
    assert capsys.readouterr().out == f"… encode: {NOT_DONE}\n… decode: {NOT_DONE}\n"


def test_encode_and_decode_never_print_the_answer(capsys):
    checks.check_encode(lambda text, chars: np.zeros(len(text), int))
    checks.check_decode(lambda ixs, chars: "x" * len(ixs))
    out = capsys.readouterr().out
    assert "entries differ" in out and "is not the expected str" in out
    assert "dog" not in out and not re.search(r"\[\d", out)  # no word, no indices


# --- the k-th (B, T) window ---

def window_right(data, batch_size, seq_length, k):
    stretch = (len(data) - 1) // batch_size
    inputs = np.empty((batch_size, seq_length), dtype=data.dtype)
    targets = np.empty((batch_size, seq_length), dtype=data.dtype)
    for b in range(batch_size):
        start = b * stretch + k * seq_length
        inputs[b] = data[start:start + seq_length]
        targets[b] = data[start + 1:start + seq_length + 1]
    return inputs, targets


def window_sliced(data, batch_size, seq_length, k):  # another right way: reshape the stretches
    stretch = (len(data) - 1) // batch_size
    rows = np.stack([data[b * stretch:b * stretch + stretch + 1] for b in range(batch_size)])
    w = rows[:, k * seq_length:k * seq_length + seq_length + 1]
    return w[:, :-1], w[:, 1:]


def window_not_shifted(data, batch_size, seq_length, k):
    x, _ = window_right(data, batch_size, seq_length, k)
    return x, x.copy()


def window_shifted_back(data, batch_size, seq_length, k):
    stretch = (len(data) - 1) // batch_size
    xs, ys = [], []
    for b in range(batch_size):
        start = b * stretch + k * seq_length
        xs.append(data[start:start + seq_length])
        ys.append(data[start - 1:start + seq_length - 1])
    return np.array(xs), np.array(ys)


def window_swapped(data, batch_size, seq_length, k):
    x, y = window_right(data, batch_size, seq_length, k)
    return y, x


def window_interleaved(data, batch_size, seq_length, k):
    n = batch_size * seq_length
    x = data[k * n:(k + 1) * n].reshape(seq_length, batch_size).T
    y = data[k * n + 1:(k + 1) * n + 1].reshape(seq_length, batch_size).T
    return x, y


def window_interleaved_whole(data, batch_size, seq_length, k):
    m = (len(data) - 1) // batch_size
    xs = data[:m * batch_size].reshape(m, batch_size).T
    ys = data[1:m * batch_size + 1].reshape(m, batch_size).T
    cols = slice(k * seq_length, (k + 1) * seq_length)
    return xs[:, cols], ys[:, cols]


def window_blocks(data, batch_size, seq_length, k):
    n = batch_size * seq_length
    return (data[k * n:(k + 1) * n].reshape(batch_size, seq_length),
            data[k * n + 1:(k + 1) * n + 1].reshape(batch_size, seq_length))


def window_stretch_without_plus_one(data, batch_size, seq_length, k):
    stretch = len(data) // batch_size
    starts = [b * stretch + k * seq_length for b in range(batch_size)]
    return (np.array([data[s:s + seq_length] for s in starts]),
            np.array([data[s + 1:s + seq_length + 1] for s in starts]))


def window_advances_by_one(data, batch_size, seq_length, k):
    stretch = (len(data) - 1) // batch_size
    starts = [b * stretch + k for b in range(batch_size)]
    return (np.array([data[s:s + seq_length] for s in starts]),
            np.array([data[s + 1:s + seq_length + 1] for s in starts]))


def window_advances_by_t_plus_one(data, batch_size, seq_length, k):
    stretch = (len(data) - 1) // batch_size
    starts = [b * stretch + k * (seq_length + 1) for b in range(batch_size)]
    return (np.array([data[s:s + seq_length] for s in starts]),
            np.array([data[s + 1:s + seq_length + 1] for s in starts]))


def stub(*args):
    # YOUR CODE HERE
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("fn", [window_right, window_sliced])
def test_a_right_window_passes(fn, capsys):
    assert checks.check_batch_window(fn) is True
    assert verdict(capsys) == "✓ the k-th window matches.\n"


@pytest.mark.parametrize("fn, says", [
    (window_not_shifted, "your targets equal your inputs"),
    (window_shifted_back, "your targets are the characters before the inputs"),
    (window_swapped, "you return the targets first"),
    (window_interleaved, "consecutive characters land in different rows"),
    (window_interleaved_whole, "consecutive characters land in different rows"),
    (window_blocks, "your rows read neighbouring pieces of the same chunk"),
    (window_stretch_without_plus_one, "your stretches are one character too long"),
    (window_advances_by_one, "your windows advance by one character"),
    (window_advances_by_t_plus_one, "your windows advance by T + 1 characters"),
])
def test_each_window_mistake_is_named(fn, says, capsys):
    assert checks.check_batch_window(fn) is False
    out = verdict(capsys)
    assert out.startswith(f"✗ the k-th window: {says}"), out


def test_the_window_check_never_prints_the_window(capsys):
    checks.check_batch_window(lambda d, B, T, k: (np.zeros((B, T), int), np.zeros((B, T), int)))
    out = verdict(capsys)
    assert "entries differ" in out
    assert not re.search(r"\d{3}", out)  # the corpus's characters are 100 to 159


def test_the_window_stub_is_not_done_yet(capsys):
    assert checks.check_batch_window(stub) is False
    assert verdict(capsys) == f"… the k-th window: {NOT_DONE}\n"


# --- exercise 1: decode ---

VOCAB = CharVocab.from_text("\n ,.Tabcdefghijklmnopqrstuvwxyz")
MYSTERY = VOCAB.encode("mouse")


def test_decoded_word(capsys):
    assert checks.check_decoded_word("mouse", MYSTERY, VOCAB) is True
    assert verdict(capsys) == "✓ the decoded word matches.\n"
    assert checks.check_decoded_word(None, MYSTERY, VOCAB) is False
    assert NOT_YET in verdict(capsys)


@pytest.mark.parametrize("answer, says", [
    ("".join(VOCAB.chars[i - 1] for i in MYSTERY), "one place too early"),
    ("".join(VOCAB.chars[i + 1] for i in MYSTERY), "one place too late"),
    ("esuom", "your word is backwards"),
])
def test_decoded_word_mistakes(answer, says, capsys):
    assert checks.check_decoded_word(answer, MYSTERY, VOCAB) is False
    out = verdict(capsys)
    assert says in out and "mouse" not in out


def test_decoded_word_other_answers_do_not_leak(capsys):
    assert checks.check_decoded_word("house", MYSTERY, VOCAB) is False
    out = verdict(capsys)
    assert "is not the expected str" in out and "mouse" not in out


# --- exercise 2: steps per pass ---

DATA = np.arange(1600)  # N - 1 = 1599: 1599 // 32 = 49 per row (1600 // 32 = 50), 49 // 5 = 9


def test_steps_per_pass(capsys):
    assert checks.check_steps_per_pass(9, DATA, 32, 5) is True
    assert verdict(capsys) == "✓ the number of steps per pass matches.\n"


@pytest.mark.parametrize("answer, says", [
    (1599 / 32 / 5, "you divided without rounding down"),
    (1600 // 32 // 5, "you used all N characters"),
    (1599 // 5, "you forgot the B rows"),
    (1599 // 32, "that is the number of characters per row"),
    (1599 // 32 // 6, "you counted windows of T + 1 characters"),
])
def test_steps_per_pass_mistakes(answer, says, capsys):
    assert checks.check_steps_per_pass(answer, DATA, 32, 5) is False
    out = verdict(capsys)
    assert says in out and "9" not in out


# --- exercise 3: the target of X[row, t] ---

TEXT = "".join(chr(ord("a") + i % 26) for i in range(41))  # 4 rows of 10: 'abcdefghij', ...


def test_target_of_input(capsys):
    # row 2 starts at 2 * ((41 - 1) // 4) = 20 ('u'); X[2, 5] = TEXT[25] = 'z'; target TEXT[26]
    assert checks.check_target_of_input("a", TEXT, 4, 2, 5) is True
    assert verdict(capsys) == "✓ the target of X[2, 5] matches.\n"


@pytest.mark.parametrize("answer, says", [
    ("z", "that is the input X[2, 5] itself"),
    ("y", "that is the character before X[2, 5]"),
    ("b", "that is one character too far on"),
    ("q", "you read the row above"),
])
def test_target_of_input_mistakes(answer, says, capsys):
    assert checks.check_target_of_input(answer, TEXT, 4, 2, 5) is False
    out = verdict(capsys)
    assert says in out and "'a'" not in out
