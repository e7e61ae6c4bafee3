"""The machinery of the exercises' checks: run the learner's code, compare, diagnose.

A check computes the expected answer with the package, never prints it, and on a mismatch
computes the usual wrong answers ("variants": the same computation with one classic mistake)
and names the one the learner's answer matches. Otherwise it says which part, shape or entry
differs. It prints one line and returns True or False; it never raises, so a notebook always
runs on (an nbgrader test cell asserts the returned value).

Unfinished work is not an error: an answer left at ``None`` or a function that still raises
its ``NotImplementedError`` stub is reported as "not done yet".
"""

import copy
import traceback

import numpy as np

__all__ = ["NOT_YET", "NOT_DONE", "Mistake", "check_value", "check_array", "check_function",
           "call_learner", "report"]

NOT_YET = "Not answered yet: replace the None above with your answer and run the cell again."
NOT_DONE = ("not done yet: replace the `raise NotImplementedError(...)` line with your code "
            "and run the cell again.")
PASS, FAIL = "✓", "✗"


class Mistake:
    """A classic wrong answer: its value, and the sentence that names the mistake."""

    def __init__(self, says, value):
        self.says = says
        self.value = value

    def __repr__(self):
        return f"Mistake({self.says!r})"


def report(ok, name, detail=""):
    """Print the one-line verdict for ``name``; return ok."""
    if ok:
        print(f"{PASS} {name} matches.")
    else:
        print(f"{FAIL} {name}: {detail}".rstrip())
    return bool(ok)


class _Unfinished(Exception):
    """The learner's function raised its stub, or returned nothing yet."""


class _Crashed(Exception):
    """The learner's function raised an exception: carry a one-line description."""


def call_learner(fn, *args, **kwargs):
    """Call the learner's ``fn`` on deep copies of the arguments; return its result.

    Raises _Unfinished for a NotImplementedError (the stub) and _Crashed, with the
    exception and the line of the learner's code where it happened, for anything else.
    Copies keep the check's own inputs safe from a function that writes into them.
    """
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    except NotImplementedError as e:
        raise _Unfinished() from e
    except Exception as e:  # the learner's bug, reported rather than raised
        raise _Crashed(_describe_exception(e)) from e


def _describe_exception(e):
    """'ValueError: ... (line 7 of your cell)' from the innermost frame in the learner's code."""
    where = ""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if "rnn_helpers" not in frame.filename and "numpy" not in frame.filename:
            where = f" (line {frame.lineno} of your code: `{(frame.line or '').strip()}`)"
            break
    return f"{type(e).__name__}: {e}{where}"


def check_function(name, fn, args=(), kwargs=None, *, expected, mistakes=(), hint="",
                   rtol=1e-6, atol=1e-10, after=None):
    """Run the learner's ``fn(*args, **kwargs)`` and compare its result with ``expected``.

    mistakes: Mistake objects, each a classic wrong result (same structure as expected);
    the first one the result matches is named. after(result): an optional extra test on a
    correct result, returning an error sentence or None (e.g. "the input was modified").
    """
    if fn is None:
        print(f"{FAIL} {name}: {NOT_YET}")
        return False
    if not callable(fn):
        return report(False, name, f"expected a function, got {_kind(fn)}.")
    try:
        got = call_learner(fn, *args, **(kwargs or {}))
    except _Unfinished:
        print(f"… {name}: {NOT_DONE}")
        return False
    except _Crashed as e:
        return report(False, name, f"your function raised {e}. {hint}".strip())
    if got is None:
        return report(False, name, "your function returned None: did you forget `return`?")
    return _compare(name, got, expected, mistakes, hint, rtol, atol, after)


def check_value(name, got, expected, *, mistakes=(), hint="", rtol=1e-6, atol=0.0):
    """Compare an answer (a number, a string, a tuple, ...) with the expected one."""
    if got is None:
        print(f"{FAIL} {name}: {NOT_YET}")
        return False
    return _compare(name, got, expected, mistakes, hint, rtol, atol, None)


def check_array(name, got, expected, *, mistakes=(), hint="", rtol=1e-6, atol=1e-10):
    """Compare an array answer with the expected one: first its shape, then its entries."""
    return check_value(name, got, np.asarray(expected), mistakes=mistakes, hint=hint,
                       rtol=rtol, atol=atol)


def _compare(name, got, expected, mistakes, hint, rtol, atol, after):
    """The verdict for a result: match, a named mistake, or what differs."""
    problem = _difference(got, expected, rtol, atol)
    if problem is None:
        extra = after(got) if after is not None else None
        return report(extra is None, name, extra or "")
    for m in mistakes:
        if _difference(got, m.value, rtol, atol) is None:
            return report(False, name, m.says)
    # several mistakes at once: name the one that explains the first part that differs
    part = _first_differing_part(got, expected, rtol, atol)
    if part is not None:
        for m in mistakes:
            if _matches_part(got, m.value, part, rtol, atol):
                return report(False, name, f"{problem} It looks like this: {m.says}")
    return report(False, name, f"{problem} {hint}".strip())


def _difference(got, expected, rtol, atol, where=""):
    """None if got matches expected; else one sentence saying what differs (no values)."""
    label = f"{where}: " if where else ""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{label}expected a dict with keys {sorted(expected)}, got {_kind(got)}."
        missing = sorted(set(expected) - set(got))
        if missing:
            return f"{label}is missing the key(s) {missing}."
        for key in expected:
            d = _difference(got[key], expected[key], rtol, atol, f"{where}.{key}" if where else key)
            if d:
                return d
        return None
    if isinstance(expected, tuple | list) and not _is_numeric_sequence(expected):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return (f"{label}expected {len(expected)} results (a tuple), got "
                    f"{_kind(got)}.")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            d = _difference(g, e, rtol, atol, f"{where or 'result'}[{i}]")
            if d:
                return d
        return None
    if isinstance(expected, str | bool | np.bool_):
        if type(got) is not type(expected) and not isinstance(got, bool | np.bool_):
            return f"{label}expected a {_kind(expected)}, got {_kind(got)}."
        return None if got == expected else f"{label}is not the expected {_kind(expected)}."
    return _array_difference(got, np.asarray(expected), rtol, atol, label)


def _array_difference(got, expected, rtol, atol, label):
    """Shape first, then non-finite entries, then how many entries differ and where."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"{label}expected numbers, got {_kind(got)}."
    if got.shape != expected.shape:
        return f"{label}has shape {got.shape}, expected {expected.shape}."
    with np.errstate(all="ignore"):
        bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        return f"{label}contains nan or inf where every entry should be finite."
    if got.ndim == 0:
        return f"{label}is not the expected value."
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    first = first[0] if len(first) == 1 else first
    return f"{label}{int(bad.sum())} of {bad.size} entries differ (the first at index {first})."


def _is_numeric_sequence(x):
    """True for a flat list/tuple of numbers (compared as an array, not part by part)."""
    return all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in x)


def _leaves(x, path=()):
    """Flatten nested dicts/tuples of arrays into {path: leaf}."""
    if isinstance(x, dict):
        return {p: v for k in x for p, v in _leaves(x[k], path + (k,)).items()}
    if isinstance(x, tuple | list) and not _is_numeric_sequence(x):
        return {p: v for i, e in enumerate(x) for p, v in _leaves(e, path + (i,)).items()}
    return {path: x}


def _first_differing_part(got, expected, rtol, atol):
    """The path of the first leaf of got that differs from expected (None if not nested)."""
    if not isinstance(expected, dict | tuple | list) or _is_numeric_sequence(expected):
        return None
    got_leaves = _leaves(got)
    for path, e in _leaves(expected).items():
        if path in got_leaves and _difference(got_leaves[path], e, rtol, atol) is not None:
            return path
    return None


def _matches_part(got, value, path, rtol, atol):
    """True if got and value agree at the leaf ``path``."""
    g, v = _leaves(got).get(path), _leaves(value).get(path)
    return g is not None and v is not None and _difference(g, v, rtol, atol) is None


def _kind(value):
    """A short name for the type of ``value``: 'str', 'ndarray of shape (3,)', ..."""
    if isinstance(value, np.ndarray):
        return f"ndarray of shape {value.shape}"
    return type(value).__name__


