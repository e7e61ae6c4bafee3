"""Notebook 01's checks: a right answer passes, each classic mistake is named, no answer leaks.

The wrong implementations below are written the way a learner would write them, not with the
check module's own variants."""

import re

import numpy as np
import pytest
from exercises import (
    assert_all_differ,
    expected_and_mistakes,
    notebook_code,
    solution_namespace,
    stub,
)

from rnn_helpers import CharVocab, checks
from rnn_helpers.checks import NOT_DONE, NOT_YET, nb01


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


# --- exercise 3: the target of an input of window k ---

TEXT = "".join(chr(0x3b1 + i) for i in range(81))  # 81 distinct characters: 4 rows of 20
# row 1 starts at (81 - 1) // 4 = 20; window 1 of T = 6 starts 6 on: X[1, 5] is TEXT[31]
ARGS = (TEXT, 4, 6, 1, 1, 5)


def test_target_of_input(capsys):
    assert checks.check_target_of_input(TEXT[32], *ARGS) is True
    assert verdict(capsys) == "✓ the target of input (1, 5) of window 1 matches.\n"
    assert checks.check_target_of_input(None, *ARGS) is False
    assert NOT_YET in verdict(capsys)


@pytest.mark.parametrize("position, says", [
    (31, "that is the input itself"),
    (30, "that is the character before the input"),
    (33, "that is one character too far on"),
    (38, "that is the target in window 2"),
    (26, "that is the target in window 0"),
    (12, "you read the row above"),
])
def test_target_of_input_mistakes(position, says, capsys):
    assert checks.check_target_of_input(TEXT[position], *ARGS) is False
    out = verdict(capsys)
    assert says in out and TEXT[32] not in out


def test_target_of_input_other_answers_do_not_leak(capsys):
    assert checks.check_target_of_input(TEXT[0], *ARGS) is False
    out = verdict(capsys)
    assert "is not the expected str" in out and TEXT[32] not in out


# --- the notebook ------------------------------------------------------------------------

PATH = "notebooks/01_characters_and_data.ipynb"


def test_notebook_check_cells_hold_only_check_calls_and_its_solutions_pass(capsys):
    assert [s for s in notebook_code(PATH) if "checks.check_" in s] == [
        "_ = checks.check_encode(encode)\n_ = checks.check_decode(decode)",
        "_ = checks.check_batch_window(batch_window)",
        "_ = checks.check_decoded_word(answer_1, mystery, vocab)",
        "_ = checks.check_steps_per_pass(answer_2, train, batch_size=5, seq_length=26)",
        "_ = checks.check_target_of_input(answer_3, text, batch_size=4, seq_length=16, k=1, "
        "row=1, t=15)",
    ]
    solutions = solution_namespace(PATH)
    assert checks.check_encode(solutions["encode"])
    assert checks.check_decode(solutions["decode"])
    assert checks.check_batch_window(solutions["batch_window"])
    assert capsys.readouterr().out == ("✓ encode matches.\n✓ decode matches.\n"
                                       "✓ the k-th window matches.\n")


def test_every_prediction_mistake_differs_from_the_answer_and_the_others(monkeypatch):
    # the notebook's own arguments (the check cells above)
    import rnn_helpers as rh
    text = rh.load_corpus()
    vocab = CharVocab.from_text(text)
    data = vocab.encode(text)
    train, _ = rh.train_val_split(data, val_fraction=0.1)
    mystery = np.array([21, 23, 28, 26, 13])
    cases = [
        (nb01.check_decoded_word, (mystery, vocab), {}, 3),
        (nb01.check_steps_per_pass, (train,), {"batch_size": 5, "seq_length": 26}, 5),
        (nb01.check_target_of_input, (text,),
         {"batch_size": 4, "seq_length": 16, "k": 1, "row": 1, "t": 15}, 6),
    ]
    for check, args, kwargs, n_mistakes in cases:
        seen = expected_and_mistakes(monkeypatch, nb01, check, *args, **kwargs)
        assert len(seen["mistakes"]) == n_mistakes
        assert_all_differ(seen)
