"""Checks for notebook 01's exercises (see checks.core for how a check works).

The implement-it exercise: the k-th (B, T) window of the batch stream. The expected answer
comes from ``BatchStream``; each ``_window_*`` function is the same window with one classic
mistake. The predict-then-check exercises take the learner's answer and the notebook's
objects, and compute the expected answer here, out of the learner's sight.
"""

import numpy as np

from ..data import BatchStream, CharVocab
from ..train import training_windows
from .core import Mistake, check_function, check_value

__all__ = ["check_encode", "check_decode", "check_batch_window", "check_decoded_word",
           "check_steps_per_pass", "check_target_of_input"]


# --- encode and decode: a vocabulary with characters the text lacks ('r', 'w'), so indices
# taken from the text's own characters differ; repeated characters; newline and space ---
_CHARS = list("\n .acdeghorstw")
_TEXT = "the dog sees the cat.\n"
_IXS = CharVocab(_CHARS).encode("a red dog wags.\n")


def check_encode(fn):
    """The learner's ``fn(text, chars) -> int array (len(text),)`` of vocabulary indices."""
    chars, text = list(_CHARS), _TEXT
    expected = CharVocab(chars).encode(text)
    own = sorted(set(text))
    first_seen = list(dict.fromkeys(text))
    return check_function("encode", fn, (text, chars), expected=expected, forbid=[CharVocab],
                          mistakes=[
        Mistake("your indices start at 1: the first character of the vocabulary has index 0.",
                expected + 1),
        Mistake("those are the characters' code points (ord): the index is the position in "
                "the vocabulary chars.", np.array([ord(ch) for ch in text])),
        Mistake("your indices come from the characters of this text: use the vocabulary "
                "chars, which may hold characters the text lacks.",
                np.array([own.index(ch) for ch in text])),
        Mistake("your indices follow the order in which characters first appear in the text: "
                "use the positions in the sorted vocabulary chars.",
                np.array([first_seen.index(ch) for ch in text])),
        Mistake("you return one-hot vectors: return the indices, one int per character.",
                np.eye(len(chars))[expected]),
    ], hint="Look each character up in chars: its index is its position there.")


def check_decode(fn):
    """The learner's ``fn(ixs, chars) -> str``, the characters of the indices ``ixs``."""
    chars, ixs = list(_CHARS), _IXS.copy()
    expected = CharVocab(chars).decode(ixs)
    K = len(chars)
    return check_function("decode", fn, (ixs, chars), expected=expected, forbid=[CharVocab],
                          mistakes=[
        Mistake("you return a list of characters: join them into one str.", list(expected)),
        Mistake("each character is one place too early in the vocabulary: indices count "
                "from 0, like positions in chars.", "".join(chars[i - 1] for i in ixs)),
        Mistake("each character is one place too late in the vocabulary: indices count "
                "from 0, like positions in chars.", "".join(chars[(i + 1) % K] for i in ixs)),
        Mistake("those are the characters with these code points (chr): the index is a "
                "position in the vocabulary chars.", "".join(chr(i) for i in ixs)),
    ], hint="decode undoes encode: an index is a position in the vocabulary (section 3); "
            "the result is one str.")


# --- the (B, T) window: a corpus whose characters are all distinct, so every mistake shows ---
# N is a multiple of B, so a stretch of N // B (the forgotten +1) differs from (N - 1) // B;
# k >= 1, so a window that does not advance by T, or a target before its input, shows.
_N, _B, _T, _K = 60, 3, 4, 2


def _window_data():
    return np.random.default_rng(1).permutation(_N) + 100  # distinct, not their own positions


def _window(data, B, T, k, *, stretch=None, step=None, shift=1):
    """Row b reads data[b * stretch + k * step + t] as inputs, shift characters on as targets."""
    stretch = (len(data) - 1) // B if stretch is None else stretch
    step = T if step is None else step
    starts = np.arange(B)[:, None] * stretch + k * step + np.arange(T)[None, :]
    return data[starts], data[starts + shift]


def _window_interleaved(data, B, T, k):
    """The corpus reshaped (-1, B) and transposed: row b reads every B-th character.

    (The same as the k-th chunk of B * T characters reshaped (T, B) and transposed.)
    """
    n = (len(data) - 1) // B * B
    rows_x, rows_y = data[:n].reshape(-1, B).T, data[1:n + 1].reshape(-1, B).T
    return rows_x[:, k * T:(k + 1) * T], rows_y[:, k * T:(k + 1) * T]


def _window_blocks(data, B, T, k):
    """The k-th chunk of B * T characters cut into B rows: rows do not read their own stretch."""
    chunk = data[k * B * T:(k + 1) * B * T + 1]
    return chunk[:-1].reshape(B, T), chunk[1:].reshape(B, T)


def check_batch_window(fn):
    """The learner's ``fn(data, batch_size, seq_length, k) -> (inputs, targets)``, both (B, T)."""
    data, B, T, k = _window_data(), _B, _T, _K
    X, Y, _ = BatchStream(data, B, T, offset=k).next()
    stretch = (len(data) - 1) // B
    mistakes = [
        Mistake("your targets equal your inputs: the target of each input is the character "
                "that follows it in the text.", (X, X)),
        Mistake("your targets are the characters before the inputs: the target comes one "
                "position after its input, not before.", _window(data, B, T, k, shift=-1)),
        Mistake("you return the targets first: return (inputs, targets).", (Y, X)),
        Mistake("consecutive characters land in different rows (a reshape that fills the "
                "columns first): each row must read its own stretch from left to right.",
                _window_interleaved(data, B, T, k)),
        Mistake("your rows read neighbouring pieces of the same chunk of B * T characters, so "
                "a row's next window does not continue where it stopped: cut the corpus into "
                "B stretches, one per row, first.", _window_blocks(data, B, T, k)),
        Mistake("your stretches are one character too long: the last target of a row needs "
                "one character beyond its inputs, so B stretches share N - 1 characters, "
                "not N.", _window(data, B, T, k, stretch=len(data) // B)),
        Mistake("your windows advance by one character: window k starts k windows of T "
                "characters into the row's stretch.", _window(data, B, T, k, step=1)),
        Mistake("your windows advance by T + 1 characters and skip one: the next window "
                "starts T characters on, at the last target of the window before.",
                _window(data, B, T, k, step=T + 1)),
    ]
    assert stretch >= (k + 1) * T + 1  # every variant above stays inside the corpus
    return check_function(
        "the k-th window", fn, (data, B, T, k), expected=(X, Y), mistakes=mistakes,
        forbid=[BatchStream, training_windows],
        hint="Row b starts at b times the stretch length, window k a further k * T "
             "characters on; the targets are the inputs moved one character on.")


# --- the predict-then-check exercises ---

def check_decoded_word(answer, mystery, vocab):
    """Exercise 1: ``answer`` is ``mystery`` decoded with ``vocab`` (a str)."""
    chars, K = vocab.chars, len(vocab)
    shifted = {d: "".join(chars[(i + d) % K] for i in mystery) for d in (-1, 1)}
    expected = vocab.decode(mystery)
    return check_value("the decoded word", answer, expected, mistakes=[
        Mistake("each of your letters sits one place too early in the vocabulary: indices "
                "count from 0 ('\\n' is 0 and ' ' is 1).", shifted[-1]),
        Mistake("each of your letters sits one place too late in the vocabulary: indices "
                "count from 0 ('\\n' is 0 and ' ' is 1).", shifted[1]),
        Mistake("your word is backwards: the first index is the first letter.", expected[::-1]),
    ], hint="Each index is a position in the sorted vocabulary printed in section 3.")


def check_steps_per_pass(answer, data, batch_size, seq_length):
    """Exercise 2: the number of (B, T) steps one pass of BatchStream takes over ``data``."""
    stream = BatchStream(data, batch_size, seq_length)
    stream.next()
    steps = 1
    while not stream.next()[2]:  # count until the stream wraps round to its first window
        steps += 1
    N, B, T = len(data), batch_size, seq_length
    return check_value("the number of steps per pass", answer, steps, mistakes=[
        Mistake("you divided without rounding down: a pass reads only whole windows, and "
                "the tail shorter than T is skipped.", (N - 1) / B / T),
        Mistake("you used all N characters: one is kept for the last target, so the rows "
                "share N - 1.", N // B // T),
        Mistake("you forgot the B rows: they read side by side, so one step reads B windows "
                "at once.", (N - 1) // T),
        Mistake("that is the number of characters per row: a step reads T of them.",
                (N - 1) // B),
        Mistake("you counted windows of T + 1 characters: consecutive windows share one "
                "character (the last target is the next first input), so they are T apart.",
                (N - 1) // B // (T + 1)),
    ], hint="See the formula of section 6, with N the length of the training text.")


def check_target_of_input(answer, text, batch_size, seq_length, k, row, t):
    """Exercise 3: the target of input (row, t) of window k of the stream (a str of length 1).

    The stream is BatchStream over the encoded ``text`` with ``batch_size`` rows of
    ``seq_length``; window k counts from 0. The answer is the character after that input.
    """
    S, T = (len(text) - 1) // batch_size, seq_length
    p = row * S + k * T + t  # the input's position in the text
    mistakes = [
        Mistake("that is the input itself: its target is the character after it.", text[p]),
        Mistake("that is the character before the input: the target comes after it.",
                text[p - 1]),
        Mistake("that is one character too far on: the target is the very next character.",
                text[p + 2]),
        Mistake(f"that is the target in window {k + 1}: windows count from 0, like rows.",
                text[p + T + 1]),
    ]
    if k > 0:
        mistakes.append(Mistake(f"that is the target in window {k - 1}: a row's window {k} "
                                f"starts {k} windows of T characters into its stretch.",
                                text[p - T + 1]))
    if row > 0:
        mistakes.append(Mistake("you read the row above: rows count from 0, like positions.",
                                text[p - S + 1]))
    return check_value(f"the target of input ({row}, {t}) of window {k}", answer, text[p + 1],
                       mistakes=mistakes,
                       hint="See sections 5 and 6: where row b's stretch starts, where its "
                            "window k starts, and which character is a target.")
