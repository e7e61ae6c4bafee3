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
    if isinstance(expected, int | float | np.number) and not isinstance(expected, bool):
        try:
            ok = bool(np.isclose(float(got), float(expected), rtol=rtol, atol=atol))
        except (TypeError, ValueError):
            ok = False
    else:
        ok = got == expected
    return _report(ok, name, hint)


def check_array(name, got, expected, *, hint="", rtol=1e-6, atol=1e-10):
    """Compare an array with the expected one: first its shape, then its values."""
    if got is None:
        print(NOT_YET)
        return False
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return _report(False, name, f"Its shape is {got.shape}, expected {expected.shape}. {hint}")
    ok = bool(np.allclose(got, expected, rtol=rtol, atol=atol))
    return _report(ok, name, hint)
