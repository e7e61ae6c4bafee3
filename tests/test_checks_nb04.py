"""Notebook 04's checks: a right answer passes, each classic mistake is named, no answer leaks.

The wrong implementations below are written the way a learner would write them, not with the
check module's own variants."""

import re
from pathlib import Path

import numpy as np
import pytest
from exercises import expected_and_mistakes, notebook_code, solution_namespace, stub

from rnn_helpers import checks, log_softmax
from rnn_helpers.checks import NOT_DONE, NOT_YET, nb04
from rnn_helpers.checks.core import _difference


def verdict(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"a check prints one line, got {out!r}"
    return out


def digits_of(x, n=4):
    """The first n significant digits of x, as they would appear in a printed value."""
    return re.sub(r"[^0-9]", "", f"{abs(x):.{n - 1}e}")[:n]


# --- the batch loss and its gradient ---

def loss_right(logits, targets):
    B, T, K = logits.shape
    log_y_hat = log_softmax(logits, axis=-1)
    onehot = np.eye(K)[targets]
    loss = -(onehot * log_y_hat).sum() / B
    return loss, (np.exp(log_y_hat) - onehot) / B


def loss_right_loops(logits, targets):  # another right way: shift by the max, index the target
    B, T, K = logits.shape
    loss, dlogits = 0.0, np.zeros_like(logits)
    for b in range(B):
        for t in range(T):
            z = logits[b, t] - logits[b, t].max()
            p = np.exp(z) / np.exp(z).sum()
            loss += -np.log(p[targets[b, t]])
            dlogits[b, t] = p
            dlogits[b, t, targets[b, t]] -= 1
    return loss / B, dlogits / B


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _pick(a, targets):
    B, T = targets.shape
    return a[np.arange(B)[:, None], np.arange(T)[None, :], targets]


def loss_mean_over_time(logits, targets):
    B = logits.shape[0]
    p = _softmax(logits)
    loss = np.mean(-np.log(_pick(p, targets)), axis=1).mean()
    d = p.copy()
    d[np.arange(B)[:, None], np.arange(logits.shape[1]), targets] -= 1
    return loss, d / B


def loss_sum_over_batch(logits, targets):
    loss, d = loss_right(logits, targets)
    return -np.log(_pick(_softmax(logits), targets)).sum(), d


def loss_of_logits(logits, targets):
    B = logits.shape[0]
    _, d = loss_right(logits, targets)
    return -np.log(_pick(logits, targets)).sum() / B, d


def loss_no_minus(logits, targets):
    B = logits.shape[0]
    _, d = loss_right(logits, targets)
    return np.log(_pick(_softmax(logits), targets)).sum() / B, d


def _with_softmax(softmax_fn):
    def fn(logits, targets):
        B, T, K = logits.shape
        p = softmax_fn(logits)
        onehot = np.eye(K)[targets]
        return -np.log(_pick(p, targets)).sum() / B, (p - onehot) / B
    return fn


def _softmax_time(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_batch(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _softmax_1d(z):  # notebook 03's 1-D softmax, applied to a 3-D array
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def grad_without_onehot(logits, targets):
    loss, _ = loss_right(logits, targets)
    return loss, _softmax(logits) / logits.shape[0]


def grad_without_b(logits, targets):
    loss, _ = loss_right(logits, targets)
    return loss, _softmax(logits) - np.eye(logits.shape[-1])[targets]


def grad_of_the_mean_over_time(logits, targets):
    B, T, K = logits.shape
    loss, _ = loss_right(logits, targets)
    return loss, (_softmax(logits) - np.eye(K)[targets]) / (B * T)


def grad_wrong_sign(logits, targets):
    loss, d = loss_right(logits, targets)
    return loss, -d


def loss_unstable(logits, targets):  # right maths, but exp overflows for large logits
    B, T, K = logits.shape
    e = np.exp(logits)
    p = e / e.sum(axis=-1, keepdims=True)
    onehot = np.eye(K)[targets]
    return -np.log(_pick(p, targets)).sum() / B, (p - onehot) / B


def loss_global_shift(logits, targets):  # notebook 03's classic: one max for the whole array
    B, T, K = logits.shape
    z = logits - logits.max()
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    onehot = np.eye(K)[targets]
    return -np.log(_pick(p, targets)).sum() / B, (p - onehot) / B


def loss_global_shift_log_softmax(logits, targets):  # the same, through a log-softmax
    B, T, K = logits.shape
    z = logits - np.max(logits)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    onehot = np.eye(K)[targets]
    return -(onehot * log_p).sum() / B, (np.exp(log_p) - onehot) / B


NAME = "the batch loss and its gradient"


@pytest.mark.parametrize("fn", [loss_right, loss_right_loops])
def test_a_right_loss_passes(fn, capsys):
    assert checks.check_softmax_loss(fn) is True
    assert verdict(capsys) == f"✓ {NAME} matches.\n"


@pytest.mark.parametrize("fn, says", [
    (loss_mean_over_time, "your loss is averaged over time"),
    (loss_sum_over_batch, "your loss sums over the batch"),
    (loss_of_logits, "your loss takes -log of the logits themselves"),
    (loss_no_minus, "your loss is negative"),
    (_with_softmax(_softmax_time), "your softmax normalises along the wrong axis"),
    (_with_softmax(_softmax_batch), "your softmax normalises along the wrong axis"),
    (_with_softmax(_softmax_1d), "your softmax normalises the whole array at once"),
    (grad_without_onehot, "dlogits lacks the one-hot"),
    (grad_without_b, "dlogits is not divided by B"),
    (grad_of_the_mean_over_time, "dlogits is divided by T too"),
    (grad_wrong_sign, "dlogits has the wrong sign"),
    (loss_unstable, "right for moderate logits, but not when one step's logits all sit near "
                    "-1000"),
    (loss_global_shift, "right for moderate logits, but not when one step's logits all sit "
                        "near -1000"),
    (loss_global_shift_log_softmax, "right for moderate logits, but not when one step's "
                                    "logits all sit near -1000"),
])
def test_each_loss_mistake_is_named(fn, says, capsys):
    assert checks.check_softmax_loss(fn) is False
    out = verdict(capsys)
    assert out.startswith(f"✗ {NAME}: {says}"), out


def test_two_mistakes_at_once_name_the_first_differing_part(capsys):
    def both(logits, targets):  # mean over time, and no 1/B in the gradient
        loss, _ = loss_mean_over_time(logits, targets)
        return loss, _softmax(logits) - np.eye(logits.shape[-1])[targets]

    assert checks.check_softmax_loss(both) is False
    out = verdict(capsys)
    assert "result[0]" in out and "your loss is averaged over time" in out


def test_the_loss_check_never_prints_the_answer(capsys):
    from rnn_helpers.checks.nb04 import _loss_inputs

    expected, _ = loss_right(*_loss_inputs())
    checks.check_softmax_loss(lambda logits, targets: (0.0, np.zeros_like(logits)))
    out = verdict(capsys)
    assert "is not the expected value" in out and digits_of(expected) not in out


def test_the_loss_stub_is_not_done_yet(capsys):
    assert checks.check_softmax_loss(stub) is False
    assert verdict(capsys) == f"… {NAME}: {NOT_DONE}\n"


def test_a_crash_is_reported_with_the_learners_line(capsys):
    def crashes(logits, targets):
        return logits[targets], 0  # an IndexError: targets index the first axis

    assert checks.check_softmax_loss(crashes) is False
    assert "your function raised IndexError" in verdict(capsys)


# --- exercise 1: the uniform model ---

def test_uniform_loss(capsys):
    assert checks.check_uniform_loss(40 * np.log(27), 40, 27) is True
    assert verdict(capsys) == "✓ the uniform model's loss matches.\n"
    assert checks.check_uniform_loss(None, 40, 27) is False
    assert NOT_YET in verdict(capsys)


@pytest.mark.parametrize("answer, says", [
    (np.log(27), "that is the loss of one character"),
    (40 * np.log2(27), "you used log2"),
    (40 * np.log10(27), "you used log10"),
    (40 * np.log(1 / 27), "your loss is negative"),
    (40 / 27, "is not the expected value"),
])
def test_uniform_loss_mistakes(answer, says, capsys):
    assert checks.check_uniform_loss(answer, 40, 27) is False
    out = verdict(capsys)
    assert says in out and not re.search(r"\d\.\d", out)  # no decimal number leaks


# --- exercise 2: from perplexity back to the loss ---

def test_loss_and_bits_of_a_perplexity(capsys):
    assert checks.check_loss_of_perplexity(np.log(3), 3) is True
    assert checks.check_bits_of_perplexity(np.log(3) / np.log(2), 3) is True
    assert capsys.readouterr().out == ("✓ the loss in nats matches.\n"
                                       "✓ the loss in bits matches.\n")
    assert checks.check_loss_of_perplexity(None, 3) is False
    assert NOT_YET in verdict(capsys)


@pytest.mark.parametrize("answer, says", [
    (np.log2(3), "that is the loss in bits"),
    (np.log10(3), "you used log10"),
    (np.exp(3), "you raised e to the perplexity"),
    (1 / 3, "that is the probability of a typical character"),
    (np.log(1 / 3), "your loss is negative"),
    (3, "that is the perplexity itself"),
    (1.1, "is not the expected value"),  # a hand-rounded ln 3
])
def test_loss_of_perplexity_mistakes(answer, says, capsys):
    assert checks.check_loss_of_perplexity(answer, 3) is False
    out = verdict(capsys)
    assert says in out and not re.search(r"\d\.\d", out)


@pytest.mark.parametrize("answer, says", [
    (np.log(3), "that is the loss in nats"),
    (np.log(3) * np.log(2), "you multiplied the nats by ln 2"),
    (np.log(3) / np.log(10), "you used log10"),
    (2 ** 3, "you raised 2 to the perplexity"),
    (np.log2(np.log(3)), "you took log2 of the loss in nats"),
    (-np.log2(3), "your loss is negative"),
    (1.6, "is not the expected value"),
])
def test_bits_of_perplexity_mistakes(answer, says, capsys):
    assert checks.check_bits_of_perplexity(answer, 3) is False
    out = verdict(capsys)
    assert says in out and not re.search(r"\d\.\d", out)


# --- exercise 3: the unigram entropy ---

S = "abracadabra"
COUNTS = np.array([5, 2, 1, 1, 2])  # a, b, c, d, r
H = float(-(COUNTS / 11 * np.log(COUNTS / 11)).sum())


def test_unigram_entropy(capsys):
    from collections import Counter

    p = np.array(list(Counter(S).values())) / len(S)
    assert checks.check_unigram_entropy(-(p * np.log(p)).sum(), S) is True
    assert verdict(capsys) == "✓ the unigram entropy matches.\n"


@pytest.mark.parametrize("answer, says", [
    (-(COUNTS / 11 * np.log2(COUNTS / 11)).sum(), "your entropy is in bits"),
    ((COUNTS / 11 * np.log(COUNTS / 11)).sum(), "your entropy is negative"),
    (np.log(5), "that is ln 5"),
    (-sum(S.count(c) / 11 * np.log(S.count(c) / 11) for c in S), "you summed over every position"),
    (-(COUNTS / 5 * np.log(COUNTS / 5)).sum(), "your frequencies do not sum to 1"),
    (-(COUNTS * np.log(COUNTS)).sum(), "you used the counts instead of the frequencies"),
])
def test_unigram_entropy_mistakes(answer, says, capsys):
    assert checks.check_unigram_entropy(answer, S) is False
    out = verdict(capsys)
    assert says in out and digits_of(H) not in out


# --- the notebook ------------------------------------------------------------------------

PATH = "notebooks/04_loss.ipynb"


def test_notebook_check_cells_hold_only_check_calls_and_its_solution_passes(capsys):
    assert [s for s in notebook_code(PATH) if "checks.check_" in s] == [
        "_ = checks.check_softmax_loss(softmax_loss)",
        "_ = checks.check_uniform_loss(uniform_loss, T=T_window, K=K_vocab)",
        "_ = checks.check_loss_of_perplexity(nats_per_char, perplexity=3)\n"
        "_ = checks.check_bits_of_perplexity(bits_per_char, perplexity=3)",
        "_ = checks.check_unigram_entropy(unigram_entropy, s)",
    ]
    assert checks.check_softmax_loss(solution_namespace(PATH)["softmax_loss"])
    assert verdict(capsys) == f"✓ {NAME} matches.\n"


def test_the_notebook_never_prints_an_exercise_answer():
    """The outputs of the notebook hold none of the predict-then-check answers."""
    import nbformat
    root = Path(__file__).resolve().parent.parent
    nb = nbformat.read(root / PATH, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "T ln K" in text  # the outputs are there
    for answer in (40 * np.log(27), np.log(3), np.log2(3)):
        for decimals in (3, 4):
            assert f"{answer:.{decimals}f}" not in text, answer


@pytest.mark.parametrize("check, args, n_mistakes", [  # the notebook's own arguments
    (nb04.check_uniform_loss, {"T": 40, "K": 27}, 4),
    (nb04.check_loss_of_perplexity, {"perplexity": 3}, 6),
    (nb04.check_bits_of_perplexity, {"perplexity": 3}, 6),
    (nb04.check_unigram_entropy, {"s": "abracadabra"}, 6),
])
def test_every_prediction_mistake_differs_from_the_answer_and_the_others(
        monkeypatch, check, args, n_mistakes):
    seen = expected_and_mistakes(monkeypatch, nb04, check, **args)
    assert len(seen["mistakes"]) == n_mistakes
    rtol = seen["options"].get("rtol", 1e-6)
    values = [seen["expected"]] + [m.value for m in seen["mistakes"]]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert _difference(a, b, rtol, 0.0) is not None, (a, b)
