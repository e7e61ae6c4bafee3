"""Self-checks for the notebooks' exercises: a clear verdict, and a hint saying what is wrong.

An exercise leaves a variable at ``None`` until the learner fills it in; the check then says
so instead of failing. Checks print one line and return True or False; they never raise, so
a notebook always runs to the end.
"""

import numpy as np

__all__ = ["check_value", "check_array"]

NOT_YET = "Not answered yet: replace the None above with your answer and run the cell again."


def _report(ok, name, hint):
    """Print the verdict line; return ok."""
    if ok:
        print(f"Correct: {name} is right.")
    else:
        print(f"Not quite: {name} is off. {hint}")
    return ok


def check_value(name, got, expected, *, hint="", rtol=1e-6, atol=0.0):
    """Compare a number (or a string, or any value with ==) with the expected one."""
    if got is None:
        print(NOT_YET)
        return False
    if isinstance(expected, bool | np.bool_):
        if not isinstance(got, bool | np.bool_):
            return _report(False, name, f"Expected True or False, got {_kind(got)}. {hint}")
        return _report(bool(got) == bool(expected), name, hint)
    if isinstance(expected, int | float | np.number):
        try:
            ok = bool(np.isclose(float(got), float(expected), rtol=rtol, atol=atol))
        except (TypeError, ValueError):
            return _report(False, name, f"Expected a number, got {_kind(got)}. {hint}")
    elif type(got) is not type(expected) and not _both_numeric(got, expected):
        return _report(False, name, f"Expected a {_kind(expected)}, got {_kind(got)}. {hint}")
    else:
        try:
            ok = bool(got == expected)
        except (TypeError, ValueError):  # e.g. comparing arrays elementwise
            ok = False
    return _report(ok, name, hint)


def _kind(value):
    """A short name for the type of ``value``: 'str', 'ndarray of shape (3,)', ..."""
    if isinstance(value, np.ndarray):
        return f"ndarray of shape {value.shape}"
    return type(value).__name__


def _both_numeric(a, b):
    """True for two numbers of different types (int and np.int64, say)."""
    return all(isinstance(v, int | float | np.number) for v in (a, b))


def check_array(name, got, expected, *, hint="", rtol=1e-6, atol=1e-10):
    """Compare an array with the expected one: first its shape, then its values."""
    if got is None:
        print(NOT_YET)
        return False
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return _report(False, name, f"Expected an array of numbers, got {_kind(got)}. {hint}")
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return _report(False, name, f"Its shape is {got.shape}, expected {expected.shape}. {hint}")
    ok = bool(np.allclose(got, expected, rtol=rtol, atol=atol))
    return _report(ok, name, hint)
