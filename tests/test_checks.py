"""The exercises' self-checks: verdicts and hints."""

import numpy as np

from rnn_helpers.checks import NOT_YET, check_array, check_value


def test_unanswered_says_so(capsys):
    assert check_value("loss", None, 1.0) is False
    assert check_array("dW", None, np.zeros(2)) is False
    assert capsys.readouterr().out.count(NOT_YET) == 2


def test_check_value_numbers_and_strings(capsys):
    assert check_value("loss", 2.0000001, 2.0, rtol=1e-6)
    assert not check_value("loss", 2.1, 2.0, hint="sum over time, not mean")
    assert check_value("char", "a", "a")
    assert not check_value("loss", "two", 2.0)
    out = capsys.readouterr().out
    assert "Correct: loss is right." in out and "sum over time, not mean" in out


def test_wrong_types_get_a_hint_instead_of_an_exception(capsys):
    assert not check_value("the decoded word", np.array([1, 2]), "ab", hint="use decode")
    assert "Expected a str, got ndarray of shape (2,)" in capsys.readouterr().out
    assert not check_value("the shape", 400, (8, 50, 34))
    assert "Expected a tuple, got int" in capsys.readouterr().out
    assert not check_value("loss", "abc", 1.0)
    assert "Expected a number, got str" in capsys.readouterr().out
    assert not check_array("dW", "abc", np.zeros(2))
    assert "Expected an array of numbers, got str" in capsys.readouterr().out
    assert check_value("count", np.int64(3), 3)
    assert check_value("is nan", np.bool_(True), True)
    assert not check_value("is nan", 1, True)
    assert "Expected True or False, got int" in capsys.readouterr().out


def test_check_array_reports_shape_first(capsys):
    assert not check_array("dW", np.zeros((2, 3)), np.zeros((3, 2)), hint="transpose?")
    assert "shape is (2, 3), expected (3, 2)" in capsys.readouterr().out
    assert check_array("dW", [1.0, 2.0], np.array([1.0, 2.0]))
    assert not check_array("dW", [1.0, 2.1], np.array([1.0, 2.0]), hint="tanh derivative?")
    assert "tanh derivative?" in capsys.readouterr().out
