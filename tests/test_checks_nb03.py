"""Notebook 03's checks: a right answer passes, each classic mistake is named, nothing leaks.

The wrong answers are written here the way a learner would write them, independently of
the variants in rnn_helpers.checks.nb03."""

import re
import time

import numpy as np
import pytest
from exercises import (
    assert_all_differ,
    check_cells,
    expected_and_mistakes,
    solution_namespace,
    stub,
)

from rnn_helpers import checks
from rnn_helpers.checks import NOT_DONE, NOT_YET, nb03


def verdict(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # one line per check
    return out


# --- stable softmax ----------------------------------------------------------------------

def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_moveaxis(z, axis=-1):  # another right answer: move the axis last, then back
    zl = np.moveaxis(z, axis, -1)
    e = np.exp(zl - np.max(zl, axis=-1)[..., None])
    return np.moveaxis(e / np.sum(e, axis=-1)[..., None], -1, axis)


def softmax_no_shift(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_global_max(z, axis=-1):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_1d_only(z, axis=-1):
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_global_sum(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / np.sum(e)


def softmax_ignores_axis(z, axis=-1):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_axis_0(z, axis=-1):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_max_wrong_axis(z, axis=-1):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_sum_wrong_axis(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_max_last(z, axis=-1):
    e = np.exp(z - np.max(z, -1, keepdims=True))
    return e / np.sum(e, axis, keepdims=True)


def softmax_sum_last(z, axis=-1):
    e = np.exp(z - np.max(z, axis, keepdims=True))
    return e / np.sum(e, -1, keepdims=True)


def softmax_no_keepdims(z, axis=-1):
    e = np.exp(z - z.max(axis=axis))
    return e / e.sum(axis=axis)


def softmax_no_keepdims_max(z, axis=-1):
    e = np.exp(z - z.max(axis=axis))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_no_keepdims_sum(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis)


def softmax_forgot_return(z, axis=-1):
    softmax(z, axis)


@pytest.mark.parametrize("fn", [softmax, softmax_moveaxis])
def test_stable_softmax_passes_right_answers(fn, capsys):
    assert checks.check_stable_softmax(fn) is True
    assert verdict(capsys) == "✓ stable_softmax matches.\n"


@pytest.mark.parametrize(("fn", "says"), [
    (softmax_no_shift, "there is no max shift"),
    (softmax_global_max, "the max is the largest entry of the whole array"),
    (softmax_1d_only, "that is the 1-D-only version"),
    (softmax_global_sum, "the sum runs over the whole array"),
    (softmax_ignores_axis, "your function ignores `axis`"),
    (softmax_axis_0, "the max and the sum are always taken along axis 0"),
    (softmax_max_wrong_axis, "the max is always taken along axis 0"),
    (softmax_sum_wrong_axis, "the sum is always taken along axis 0"),
    (softmax_max_last, "the max is always taken along the last axis"),
    (softmax_sum_last, "the sum is always taken along the last axis"),
    (softmax_no_keepdims, "the max and the sum lose their axis"),
    (softmax_no_keepdims_max, "the max loses its axis"),
    (softmax_no_keepdims_sum, "the sum loses its axis"),
])
def test_stable_softmax_names_each_mistake(fn, says, capsys):
    assert checks.check_stable_softmax(fn) is False
    out = verdict(capsys)
    assert out.startswith("✗ stable_softmax: ") and says in out, out
    assert not re.search(r"\d\.\d", out)  # no value is printed


def test_stable_softmax_stub_and_missing_return(capsys):
    assert checks.check_stable_softmax(stub) is False
    assert verdict(capsys) == f"… stable_softmax: {NOT_DONE}\n"
    assert checks.check_stable_softmax(softmax_forgot_return) is False
    assert "forget `return`" in verdict(capsys)


def test_stable_softmax_crash_names_the_learners_line(capsys):
    def rows_only(z, axis=-1):
        e = np.exp(z - z.max(axis=axis)[:, None])
        return e / e.sum(axis=axis)[:, None]

    assert checks.check_stable_softmax(rows_only) is False
    out = verdict(capsys)
    assert "your function raised" in out and "z.max(axis=axis)[:, None]" in out


# --- stable log-softmax ------------------------------------------------------------------

def log_softmax(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def log_softmax_lse(z, axis=-1):  # another right answer: z - LSE(z)
    m = np.max(z, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return z - lse


def log_of_softmax(z, axis=-1):
    return np.log(softmax(z, axis))


def log_softmax_no_shift(z, axis=-1):
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def log_softmax_no_m_back(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def log_softmax_global_max(z, axis=-1):
    m = z.max()
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def log_softmax_1d_only(z, axis=-1):
    m = z.max()
    return z - m - np.log(np.exp(z - m).sum())


def log_softmax_ignores_axis(z, axis=-1):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def log_softmax_no_keepdims(z, axis=-1):
    m = z.max(axis=axis)
    return z - m - np.log(np.exp(z - m).sum(axis=axis))


def log_softmax_global_sum(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m)))


def log_softmax_axis_0(z, axis=-1):
    m = z.max(axis=0, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=0, keepdims=True))


def log_softmax_max_axis_0(z, axis=-1):
    m = z.max(axis=0, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def log_softmax_sum_axis_0(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=0, keepdims=True))


def log_softmax_max_last(z, axis=-1):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def log_softmax_sum_last(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def log_softmax_no_keepdims_max(z, axis=-1):
    m = z.max(axis=axis)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def log_softmax_no_keepdims_sum(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis))


@pytest.mark.parametrize("fn", [log_softmax, log_softmax_lse])
def test_log_softmax_passes_right_answers(fn, capsys):
    assert checks.check_log_softmax(fn) is True
    assert verdict(capsys) == "✓ stable_log_softmax matches.\n"


@pytest.mark.parametrize(("fn", "says"), [
    (log_of_softmax, "this is np.log of the softmax"),
    (log_softmax_no_shift, "the log-sum-exp has no max shift"),
    (log_softmax_no_m_back, "the max is not added back"),
    (log_softmax_global_max, "the max is the largest entry of the whole array"),
    (log_softmax_1d_only, "that is the 1-D-only version"),
    (log_softmax_ignores_axis, "your function ignores `axis`"),
    (log_softmax_no_keepdims, "the max and the sum lose their axis"),
    (log_softmax_global_sum, "the sum runs over the whole array"),
    (log_softmax_axis_0, "the max and the sum are always taken along axis 0"),
    (log_softmax_max_axis_0, "the max is always taken along axis 0"),
    (log_softmax_sum_axis_0, "the sum is always taken along axis 0"),
    (log_softmax_max_last, "the max is always taken along the last axis"),
    (log_softmax_sum_last, "the sum is always taken along the last axis"),
    (log_softmax_no_keepdims_max, "the max loses its axis"),
    (log_softmax_no_keepdims_sum, "the sum loses its axis"),
])
def test_log_softmax_names_each_mistake(fn, says, capsys):
    assert checks.check_log_softmax(fn) is False
    out = verdict(capsys)
    assert out.startswith("✗ stable_log_softmax: ") and says in out, out
    assert not re.search(r"\d\.\d", out)  # no value is printed


def test_log_softmax_stub(capsys):
    assert checks.check_log_softmax(stub) is False
    assert verdict(capsys) == f"… stable_log_softmax: {NOT_DONE}\n"


def test_every_softmax_mistake_differs_from_the_others():
    from rnn_helpers.checks.core import _difference
    cases = nb03._cases()
    for fn, table, log in ((softmax, nb03._SOFTMAX_ONLY + nb03._SHARED, False),
                           (log_softmax, nb03._LOG_ONLY + nb03._SHARED, True)):
        values = [nb03._run(fn, *cases)] + [m.value for m in nb03._mistakes(cases, table, log)]
        for i, a in enumerate(values):
            for b in values[i + 1:]:
                assert _difference(a, b, 1e-6, 1e-10) is not None


def test_softmax_checks_are_fast(capsys):
    start = time.perf_counter()
    checks.check_stable_softmax(softmax_no_keepdims_sum)
    checks.check_log_softmax(log_softmax_no_keepdims)
    assert time.perf_counter() - start < 0.5


# --- the predict-then-check exercises ----------------------------------------------------

def test_nan_at_800(capsys):
    assert checks.check_nan_at_800(True)
    assert checks.check_nan_at_800(np.True_)
    assert capsys.readouterr().out == "✓ your prediction matches.\n" * 2
    assert not checks.check_nan_at_800(False)
    assert "compare 800 with ln(max float64)" in verdict(capsys)
    assert not checks.check_nan_at_800("True")
    assert "expected a bool, got str" in verdict(capsys)
    assert not checks.check_nan_at_800(None)
    assert NOT_YET in verdict(capsys)


Z = np.array([[1000.0, -2.0],  # the notebook's z: the scores of a step in a column
              [999.0, -2.0],
              [990.0, -2.0]])


def lse_columns(z):
    m = z.max(axis=0)
    return m + np.log(np.exp(z - m).sum(axis=0))


def test_lse(capsys):
    assert checks.check_lse(lse_columns(Z), Z)
    m = Z.max(axis=0, keepdims=True)  # another right way
    assert checks.check_lse((m + np.log(np.sum(np.exp(Z - m), axis=0, keepdims=True)))[0], Z)
    assert capsys.readouterr().out == "✓ log-sum-exp matches.\n" * 2
    assert checks.check_lse(None, Z) is False
    assert NOT_YET in verdict(capsys)


def lse_no_shift(z):
    return np.log(np.exp(z).sum(axis=0))


def lse_global_max(z):
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m), axis=0))


def lse_last_axis(z):
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[:, 0]


def lse_whole(z):
    m = z.max()
    return m + np.log(np.exp(z - m).sum())


@pytest.mark.parametrize(("answer", "says"), [
    (lse_no_shift, "you got inf"),
    (lse_global_max, "you got -inf: you subtracted the max of the whole array"),
    (lse_last_axis, "you took the LSE along the last axis"),
    (lse_whole, "that is one LSE of the whole array"),
    (lambda z: np.log(np.exp(z - z.max(axis=0)).sum(axis=0)), "the max is not added back"),
    (lambda z: z.max(axis=0), "that is the max of each column itself"),
    (lambda z: z.max(axis=0) + np.log10(np.exp(z - z.max(axis=0)).sum(axis=0)), "np.log10"),
    (lambda z: z.max(axis=0) + np.log2(np.exp(z - z.max(axis=0)).sum(axis=0)), "np.log2"),
    (lambda z: z.max(axis=0) + np.exp(z - z.max(axis=0)).sum(axis=0), "the log is missing"),
])
def test_lse_names_each_mistake(answer, says, capsys):
    with np.errstate(all="ignore"):
        value = answer(Z.copy())
    assert checks.check_lse(value, Z) is False
    out = verdict(capsys)
    assert says in out and not re.search(r"\d\.\d", out)  # no decimal number leaks


def test_lse_other_answers_do_not_leak(capsys):
    assert checks.check_lse(np.array([1000.0, -1.0]), Z) is False
    out = verdict(capsys)
    assert "entries differ" in out or "is not the expected" in out
    assert not re.search(r"\d\.\d", out)


def test_float16_limit(capsys):
    assert checks.check_float16_limit(np.log(float(np.finfo(np.float16).max)))
    assert verdict(capsys) == "✓ largest safe float16 logit matches.\n"


@pytest.mark.parametrize(("answer", "says"), [
    (65504.0, "the largest float16 itself"),
    (np.log2(65504.0), "np.log2"),
    (np.log10(65504.0), "np.log10"),
    (88.72, "float32's limit"),
    (709.78, "float64's limit"),
])
def test_float16_limit_names_each_mistake(answer, says, capsys):
    assert checks.check_float16_limit(answer) is False
    out = verdict(capsys)
    assert says in out and not re.search(r"\d\.\d", out)  # no decimal number leaks


# --- the notebook ------------------------------------------------------------------------

def test_notebook_check_cells_hold_only_check_calls_and_its_solutions_pass(capsys):
    path = "notebooks/03_softmax_stability.ipynb"
    assert check_cells(path) == [
        "_ = checks.check_stable_softmax(stable_softmax)",
        "_ = checks.check_log_softmax(stable_log_softmax)",
        "_ = checks.check_nan_at_800(nan_at_800)",
        "_ = checks.check_lse(lse_of_z, z)",
        "_ = checks.check_float16_limit(float16_limit)",
    ]
    solutions = solution_namespace(path)
    assert checks.check_stable_softmax(solutions["stable_softmax"])
    assert checks.check_log_softmax(solutions["stable_log_softmax"])
    assert capsys.readouterr().out == ("✓ stable_softmax matches.\n"
                                       "✓ stable_log_softmax matches.\n")


@pytest.mark.parametrize("name, args, n_mistakes", [  # the notebook's own arguments
    ("check_nan_at_800", (), 1),
    ("check_lse", (Z,), 9),
    ("check_float16_limit", (), 5),
])
def test_every_prediction_mistake_differs_from_the_answer_and_the_others(
        monkeypatch, name, args, n_mistakes):
    seen = expected_and_mistakes(monkeypatch, nb03, getattr(nb03, name), *args)
    assert len(seen["mistakes"]) == n_mistakes
    assert_all_differ(seen)
