"""The machinery of the exercises' checks: run the learner's code, compare, diagnose.

A check computes the expected answer with the package, never prints it, and on a mismatch
computes the usual wrong answers ("variants": the same computation with one classic mistake)
and names the one the learner's answer matches. Otherwise it says which part, shape or entry
differs. It prints one line and returns True or False; it never raises, so a notebook always
runs on (an nbgrader test cell asserts the returned value).

Unfinished work is not an error: an answer left at ``None`` or a function that still raises
its ``NotImplementedError`` stub is reported as "not done yet".
"""

import contextlib
import copy
import sys
import traceback

import numpy as np

__all__ = ["NOT_YET", "NOT_DONE", "Mistake", "check_value", "check_array", "check_function",
           "call_learner", "run_learner", "report"]

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


class _Refused(_Crashed):
    """The learner's function called the package's answer: carry the sentence that says so."""


class _Delegated(BaseException):  # not an Exception: a learner's `except Exception` passes it on
    """The learner's function called the package's own answer."""


def call_learner(fn, *args, forbid=(), **kwargs):
    """Call the learner's ``fn`` on deep copies of the arguments; return its result.

    Raises _Unfinished for a NotImplementedError (the stub), _Crashed with the exception
    and the line of the learner's code where it happened for anything else, and _Crashed
    naming the function if ``fn`` calls one of ``forbid`` (the package's versions of what the
    exercise asks for). Copies keep the check's inputs safe from a function that writes
    into them.
    """
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        with np.errstate(all="ignore"), _forbidden(forbid):
            return fn(*args, **kwargs)
    except NotImplementedError as e:
        raise _Unfinished() from e
    except _Delegated as e:
        raise _Refused(f"your function calls rh.{e.args[0]}, the package's own version: write "
                       "it yourself, in plain NumPy (the notebook uses the package's after "
                       "this exercise).") from None
    except Exception as e:  # the learner's bug, reported rather than raised
        raise _Crashed(_describe_exception(e)) from e


class _Blocked:
    """Stands in for a forbidden function or class: calling it, or reaching for one of its
    attributes (``CharVocab.from_text``), raises _Delegated."""

    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise _Delegated(self._name)

    def __getattr__(self, attr):
        raise _Delegated(f"{self._name}.{attr}")


@contextlib.contextmanager
def _forbidden(functions):
    """While the learner's code runs, calling any of ``functions`` raises _Delegated.

    They are replaced wherever a name refers to them: in the package's modules and in the
    notebook's namespace (``from rnn_helpers import rnn_backward``), then put back."""
    found = []
    modules = [m for name, m in list(sys.modules.items())
               if name == "__main__" or name == "rnn_helpers" or name.startswith("rnn_helpers.")]
    for module in modules:
        for attr, value in list(vars(module).items()):
            if any(value is f for f in functions):
                found.append((module, attr, value))

    try:
        for module, attr, value in found:
            setattr(module, attr, _Blocked(value.__name__))
        yield
    finally:
        for module, attr, value in found:
            setattr(module, attr, value)


def _describe_exception(e):
    """'ValueError: ... (line 7 of your cell)' from the innermost frame in the learner's code."""
    where = ""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if "rnn_helpers" not in frame.filename and "numpy" not in frame.filename:
            where = f" (line {frame.lineno} of your code: `{(frame.line or '').strip()}`)"
            break
    return f"{type(e).__name__}: {e}{where}"


def check_function(name, fn, args=(), kwargs=None, *, expected, mistakes=(), hint="",
                   rtol=1e-6, atol=1e-10, after=None, forbid=()):
    """Run the learner's ``fn(*args, **kwargs)`` and compare its result with ``expected``.

    mistakes: Mistake objects, each a classic wrong result (same structure as expected);
    the first one the result matches is named. after(result): an optional extra test on a
    correct result, returning an error sentence or None (e.g. "the input was modified").
    forbid: the package's functions (or classes) that compute the answer: calling one from
    ``fn`` is reported instead of passing.
    """
    if fn is None:
        print(f"{FAIL} {name}: {NOT_YET}")
        return False
    if not callable(fn):
        return report(False, name, f"expected a function, got {_kind(fn)}.")
    got = run_learner(name, fn, *args, forbid=forbid, hint=hint, **(kwargs or {}))
    if got is NO_RESULT:
        return False
    return _compare(name, got, expected, mistakes, hint, rtol, atol, after)


NO_RESULT = object()  # run_learner's answer when there is no result to compare


def run_learner(name, fn, *args, forbid=(), hint="", not_done=NOT_DONE, **kwargs):
    """call_learner, with the verdict printed when there is no result to compare.

    Returns fn's result, or NO_RESULT after printing why there is none: not done yet (the
    stub; ``not_done`` says it), a call of a ``forbid`` function, a crash (with ``hint``),
    or None returned."""
    try:
        got = call_learner(fn, *args, forbid=forbid, **kwargs)
    except _Unfinished:
        print(f"… {name}: {not_done}")
        return NO_RESULT
    except _Refused as e:
        report(False, name, str(e))
        return NO_RESULT
    except _Crashed as e:
        report(False, name, f"your function raised {e}. {hint}".strip())
        return NO_RESULT
    if got is None:
        report(False, name, "your function returned None: did you forget `return`?")
        return NO_RESULT
    return got


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
    for kind in (str, bool | np.bool_):  # np.str_ is a str, np.bool_ a bool
        if isinstance(expected, kind):
            if not isinstance(got, kind):
                return f"{label}expected a {_kind(expected)}, got {_kind(got)}."
            return None if got == expected else f"{label}is not the expected {_kind(expected)}."
    if isinstance(got, str | bytes):
        return f"{label}expected numbers, got {_kind(got)}."
    if isinstance(expected, tuple):
        # a few numbers (a shape, say): which of them differ would give the answer away
        d = _array_difference(got, np.asarray(expected), rtol, atol, label)
        return d and f"{label}is not the expected {_kind(expected)}."
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
    if isinstance(value, bool | np.bool_):  # np.bool_ and np.str_ are a bool and a str to a learner
        return "bool"
    return "str" if isinstance(value, str) else type(value).__name__


