"""The checks' machinery (rnn_helpers.checks.core): verdicts, diagnoses, unfinished work.

The notebooks' own checks are tested per notebook in test_checks_nbXX.py."""

import numpy as np

from rnn_helpers import checks
from rnn_helpers.checks import NOT_DONE, NOT_YET, Mistake, check_array, check_function, check_value


def stub(*args):
    raise NotImplementedError("your code here")


def test_unanswered_and_unfinished_say_so(capsys):
    assert check_value("loss", None, 1.0) is False
    assert check_array("dW", None, np.zeros(2)) is False
    assert check_function("the loop", None, expected=1.0) is False
    assert capsys.readouterr().out.count(NOT_YET) == 3
    assert check_function("the loop", stub, (1,), expected=1.0) is False
    assert capsys.readouterr().out == f"… the loop: {NOT_DONE}\n"


def test_a_match_prints_one_short_line(capsys):
    assert check_value("loss", 2.0000001, 2.0, rtol=1e-6)
    assert check_value("char", "a", "a")
    assert check_function("softmax", lambda z: z / 2, (np.ones(3),), expected=np.full(3, 0.5))
    assert capsys.readouterr().out == "✓ loss matches.\n✓ char matches.\n✓ softmax matches.\n"


def test_a_named_mistake_is_diagnosed_without_the_answer(capsys):
    expected = 75.123456
    mistakes = [Mistake("you averaged over time instead of summing.", expected / 25)]
    assert not check_value("the loss", expected / 25, expected, mistakes=mistakes)
    out = capsys.readouterr().out
    assert out == "✗ the loss: you averaged over time instead of summing.\n"
    assert not check_value("the loss", 1.0, expected, mistakes=mistakes, hint="Sum -log p.")
    out = capsys.readouterr().out
    assert "is not the expected value. Sum -log p." in out and "75.1" not in out


def test_arrays_report_shape_then_entries_never_values(capsys):
    assert not check_array("dW", np.zeros((2, 3)), np.zeros((3, 2)), hint="transpose?")
    assert "dW: has shape (2, 3), expected (3, 2). transpose?" in capsys.readouterr().out
    expected = np.array([[1.5, 2.5], [3.5, 4.25]])
    got = expected.copy()
    got[1, 0] = 0.0
    assert not check_array("dW", got, expected)
    out = capsys.readouterr().out
    assert "1 of 4 entries differ (the first at index (1, 0))" in out
    assert "3.5" not in out and "4.25" not in out
    assert not check_array("y_hat", [np.nan, 1.0], [0.5, 0.5])
    assert "contains nan or inf" in capsys.readouterr().out


def test_nested_results_name_the_part_and_the_mistake_behind_it(capsys):
    expected = ({"dW": np.ones((2, 2)), "dU": np.ones(3)}, np.ones(2))
    overwrite = Mistake("dU: assigned instead of added.", ({"dW": np.ones((2, 2)),
                                                            "dU": np.zeros(3)}, np.ones(2)))
    got = ({"dW": np.ones((2, 2)), "dU": np.zeros(3)}, np.ones(2))
    assert not check_function("backward", lambda: got, expected=expected, mistakes=[overwrite])
    assert capsys.readouterr().out == "✗ backward: dU: assigned instead of added.\n"
    # two mistakes at once: the first differing part is named, with the mistake behind it
    two = ({"dW": np.ones((2, 2)), "dU": np.zeros(3)}, np.zeros(2))
    assert not check_function("backward", lambda: two, expected=expected, mistakes=[overwrite])
    out = capsys.readouterr().out
    assert "dU: 3 of 3 entries differ" in out and "It looks like this: dU: assigned" in out
    assert not check_function("backward", lambda: ({"dW": 1}, 2, 3), expected=expected)
    assert "expected 2 results (a tuple), got tuple" in capsys.readouterr().out
    assert not check_function("backward", lambda: ({"dW": 1}, np.ones(2)), expected=expected)
    assert "is missing the key(s) ['dU']" in capsys.readouterr().out


def test_the_learners_errors_are_reported_not_raised(capsys):
    def crash(x):
        return x[5]

    assert not check_function("the loop", crash, ([1, 2],), expected=1.0)
    out = capsys.readouterr().out
    assert out.startswith("✗ the loop: your function raised IndexError: list index out of range")
    assert "`return x[5]`" in out  # the learner's line
    assert not check_function("the loop", lambda: None, expected=1.0)
    assert "returned None: did you forget `return`?" in capsys.readouterr().out
    assert not check_function("the loop", 3, expected=1.0)
    assert "expected a function, got int" in capsys.readouterr().out


def test_the_learners_function_gets_copies():
    x = np.ones(3)

    def clobber(a):
        a[:] = 0
        return a.sum()

    check_function("sum", clobber, (x,), expected=0.0)
    assert x.sum() == 3


def test_wrong_types_get_a_hint_instead_of_an_exception(capsys):
    assert not check_value("the decoded word", np.array([1, 2]), "ab")
    assert "expected a str, got ndarray of shape (2,)" in capsys.readouterr().out
    assert not check_value("the shape", 400, (8, 50, 34))
    assert capsys.readouterr().out == "✗ the shape: is not the expected tuple.\n"
    assert not check_value("the shape", (8, 50, 7), (8, 50, 34))  # not which entry is wrong
    assert capsys.readouterr().out == "✗ the shape: is not the expected tuple.\n"
    assert not check_value("the shape", (8, 50), (8, 50, 34))  # nor how many entries
    assert capsys.readouterr().out == "✗ the shape: is not the expected tuple.\n"
    assert check_value("the shape", [8, 50, 34], (8, 50, 34))
    assert check_value("a character", np.array(list("abc"))[1], "b")  # np.str_ is a str
    assert not check_value("the loss", "88.159", 88.159)  # a number, not its text
    assert "expected numbers, got str" in capsys.readouterr().out
    assert not check_value("loss", "abc", 1.0)
    assert "expected numbers, got str" in capsys.readouterr().out
    assert check_value("count", np.int64(3), 3)
    assert check_value("is nan", np.bool_(True), True)
    assert not check_value("is nan", 1, True)
    assert "expected a bool, got int" in capsys.readouterr().out


def test_after_tests_a_correct_result_further(capsys):
    assert not check_function("clip", lambda: 1.0, expected=1.0,
                              after=lambda got: "the gradients were not clipped in place.")
    assert "✗ clip: the gradients were not clipped in place." in capsys.readouterr().out


def test_check_names_are_unique_across_notebook_modules():
    from rnn_helpers.checks import core, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08

    modules = [core, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08]
    names = [n for m in modules for n in m.__all__]
    assert len(names) == len(set(names))
    assert all(hasattr(checks, n) for n in names)


def test_calling_the_packages_own_answer_is_named_not_passed(capsys):
    import rnn_helpers as rh

    z = np.array([[1.0, 2.0], [3.0, 5.0]])

    def delegates(z):
        return rh.softmax(z)

    def delegates_and_hides_it(z):
        try:
            return rh.softmax(z)
        except Exception:  # a learner's catch-all must not hide the delegation
            return np.zeros_like(z)

    for fn in (delegates, delegates_and_hides_it):
        assert not check_function("softmax", fn, (z,), expected=rh.softmax(z),
                                  forbid=[rh.softmax])
        out = capsys.readouterr().out
        assert out == ("✗ softmax: your function calls rh.softmax, the package's own version: "
                       "write it yourself, in plain NumPy (the notebook uses the package's "
                       "after this exercise).\n")
    assert rh.softmax(z).shape == (2, 2)  # put back afterwards
    import rnn_helpers.functional as functional

    assert functional.softmax is rh.softmax
    # a class too, and reaching for its attributes
    assert not check_function("encode", lambda t: rh.CharVocab.from_text(t).encode(t), ("ab",),
                              expected=np.array([0, 1]), forbid=[rh.CharVocab])
    assert "your function calls rh.CharVocab.from_text" in capsys.readouterr().out
    # calling something else of the package is fine
    assert check_function("softmax", lambda z: np.exp(rh.log_softmax(z)), (z,),
                          expected=rh.softmax(z), forbid=[rh.softmax])
