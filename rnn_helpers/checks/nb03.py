"""Checks for notebook 03's exercises (see checks.core for how a check works).

The softmax and the log-softmax are checked on three arrays built here, float64:
- a (4, 4) array along the default axis, with a row of huge logits (a missing max shift
  overflows), a row far below the array's largest logit (the max of the whole array, instead
  of the row's, underflows it to 0 / 0) and a row with one entry far below the others (its
  probability rounds to 0, so log(softmax) gives -inf). It is square, so a max or a sum that
  lost its dimension (no keepdims) broadcasts without an error, wrongly;
- a (3, 5) array along axis 0 (columns are the distributions): ignoring ``axis`` shows;
- a (3, 3, 3) array along axis 1, the middle one: "any axis".
Each wrong variant below is the same computation with one classic mistake.
"""

import numpy as np

from ..functional import log_softmax, softmax
from ..numerics import naive_softmax
from .core import Mistake, check_array, check_function, check_value

__all__ = ["check_stable_softmax", "check_log_softmax", "check_nan_at_800", "check_lse",
           "check_float16_limit"]


def _cases():
    """The check's inputs: a list of (z, axis); axis None means the default."""
    rng = np.random.default_rng(1403)
    square = np.array([[1000.0, 998.0, 990.0, 0.0],          # huge: exp overflows
                       [-1000.0, -1001.0, -1003.0, -1010.0],  # far below the array's max
                       [0.5, -800.0, 1.0, 2.0],               # one probability below float64
                       [0.3, -0.2, 0.9, -1.1]])                # moderate
    columns = rng.normal(0, 2, (3, 5))
    columns[:, 1] += 900.0  # a huge column
    cube = rng.normal(0, 2, (3, 3, 3))
    return [(square, None), (columns, 0), (cube, 1)]


def _run(fn, *cases):
    """fn on every case, as a tuple: ``fn(z)`` when axis is None, else ``fn(z, axis=axis)``.

    None if fn returns None (the check then asks whether a ``return`` is missing)."""
    results = tuple(fn(z) if axis is None else fn(z, axis=axis) for z, axis in cases)
    return None if any(r is None for r in results) else results


def _variant(z, axis=-1, *, log=False, shift="axis", max_axis=None, sum_axis=None,
             keep_max=True, keep_sum=True, log_of_softmax=False, add_max_back=True):
    """softmax (or log-softmax with log=True) of z along axis, with at most one mistake.

    shift: "axis" (right), "none" (no max shift), "all" (the max of the whole array).
    max_axis / sum_axis: "all" (the whole array), "first" or "last" (axis 0 or -1, hard-coded
    whatever ``axis`` says), or None (along ``axis``, right).
    keep_max / keep_sum: False drops keepdims. log_of_softmax: np.log of the softmax.
    add_max_back: False forgets the + m of LSE(z) = m + ln sum exp(z - m).
    """
    def where(which):
        return {None: axis, "all": None, "first": 0, "last": -1}[which]

    with np.errstate(all="ignore"):
        if log_of_softmax:
            return np.log(softmax(z, axis=axis))
        m = 0.0
        if shift != "none":
            m_axis = None if shift == "all" else where(max_axis)
            m = z.max(axis=m_axis, keepdims=keep_max and m_axis is not None)
        s = z - m
        total = np.exp(s).sum(axis=where(sum_axis), keepdims=keep_sum and
                              where(sum_axis) is not None)
        if not log:
            return np.exp(s) / total
        return (s if add_max_back else z) - np.log(total)


_SHARED = (
    ({"shift": "all"}, "the max is the largest entry of the whole array, not of each "
                       "slice along `axis`: a row far below it underflows to 0 / 0 = nan. Take "
                       "the max along `axis`."),
    ({"shift": "axis", "max_axis": "all", "sum_axis": "all"},
     "the max and the sum run over the whole array: that is the 1-D-only version, right for "
     "one vector of logits but not for a (T, K) array, where each row is a distribution. Take "
     "both along `axis`."),
    ({"sum_axis": "all"}, "the sum runs over the whole array, not along `axis`: each slice "
                          "must sum to 1 on its own."),
    ({"max_axis": "last", "sum_axis": "last"}, "your function ignores `axis`: it always works "
                                               "along the last axis. Pass `axis` to the max and "
                                               "the sum."),
    ({"max_axis": "first", "sum_axis": "first"}, "the max and the sum are always taken along "
                                                 "axis 0, not along `axis`."),
    ({"max_axis": "first"}, "the max is always taken along axis 0, not along `axis`."),
    ({"max_axis": "last"}, "the max is always taken along the last axis, not along `axis`."),
    ({"sum_axis": "first"}, "the sum is always taken along axis 0, not along `axis`."),
    ({"sum_axis": "last"}, "the sum is always taken along the last axis, not along `axis`."),
    ({"keep_max": False, "keep_sum": False}, "the max and the sum lose their axis "
                                             "(keepdims=True is missing): they no longer line "
                                             "up with z, and on a square array NumPy subtracts "
                                             "and divides the wrong entries without an error."),
    ({"keep_max": False}, "the max loses its axis (keepdims=True is missing): it no longer "
                          "lines up with z, and on a square array NumPy subtracts the wrong "
                          "maxima without an error."),
    ({"keep_sum": False}, "the sum loses its axis (keepdims=True is missing): it no longer "
                          "lines up with z, and on a square array NumPy divides by the wrong "
                          "sums without an error."),
)

_SOFTMAX_ONLY = (
    ({"shift": "none"}, "there is no max shift: exp overflows to inf for large logits, and "
                        "inf / inf is nan. Subtract the max along `axis` before np.exp."),
)

_LOG_ONLY = (
    ({"shift": "none"}, "the log-sum-exp has no max shift: exp overflows to inf for large "
                        "logits. Subtract the max along `axis` before np.exp, and add it back "
                        "after np.log."),
    ({"log_of_softmax": True}, "this is np.log of the softmax: an entry far below its row's "
                               "max has a probability that rounds to 0, and its log is -inf. "
                               "Subtract the log-sum-exp from z instead."),
    ({"add_max_back": False}, "the max is not added back: LSE(z) = m + ln sum_j exp(z_j - m), "
                              "so z - LSE(z) = (z - m) - ln sum_j exp(z_j - m)."),
)


def _mistakes(cases, table, log):
    values = [(_run(lambda z, axis=-1, kw=kw: _variant(z, axis, log=log, **kw), *cases), says)
              for kw, says in table]
    return [Mistake(says, value) for value, says in values]


def check_stable_softmax(fn):
    """Check ``fn(z, axis=-1)``: softmax along ``axis``, stable for any finite logits."""
    cases = _cases()
    expected = _run(softmax, *cases)
    return check_function(
        "stable_softmax", lambda *cs: _run(fn, *cs), cases, expected=expected,
        forbid=[softmax, log_softmax],
        mistakes=_mistakes(cases, _SOFTMAX_ONLY + _SHARED, log=False),
        hint="Subtract the max along `axis` (keepdims=True), exponentiate, and divide by the "
             "sum along `axis` (keepdims=True).")


def check_log_softmax(fn):
    """Check ``fn(z, axis=-1)``: log-softmax along ``axis``, z - LSE(z) with the max trick."""
    cases = _cases()
    expected = _run(log_softmax, *cases)
    return check_function(
        "stable_log_softmax", lambda *cs: _run(fn, *cs), cases, expected=expected,
        forbid=[softmax, log_softmax],
        mistakes=_mistakes(cases, _LOG_ONLY + _SHARED, log=True),
        hint="With m the max along `axis` (keepdims=True): z - m - ln(sum of exp(z - m) "
             "along `axis`, keepdims=True).")


def check_nan_at_800(answer):
    """Exercise: is naive_softmax([800, 0]) nan in float64? (a bool)"""
    expected = bool(np.isnan(naive_softmax(np.array([800.0, 0.0]))).any())
    if isinstance(answer, np.bool_):
        answer = bool(answer)
    mistakes = [Mistake("compare 800 with ln(max float64), the largest safe float64 logit of "
                        "section 3, and follow exp, the sum and the division.", not expected)]
    return check_value("your prediction", answer, expected, mistakes=mistakes,
                       hint="Give True or False (a bool, not a string).")


def check_lse(answer, z):
    """Exercise: LSE along axis 0 of a 2-D ``z``, one per column, with the max trick.

    The notebook's z has a column of huge logits (no max shift overflows) and a column far
    below the array's max (the max of the whole array, instead of the column's, underflows
    it to ln 0 = -inf); it is not square, so the LSE along the last axis has another shape.
    """
    z = np.asarray(z, dtype=np.float64)
    expected = z[0] - log_softmax(z, axis=0)[0]  # log_softmax(z)_0 = z_0 - LSE(z), per column
    m = z.max(axis=0)
    with np.errstate(all="ignore"):
        rest = np.exp(z - m).sum(axis=0)
        whole = z.max() + np.log(np.exp(z - z.max()).sum(axis=0))
        rows = z.max(axis=1) + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
        mistakes = [
            Mistake("you got inf: exp overflows without the max shift (section 5).",
                    np.log(np.exp(z).sum(axis=0))),
            Mistake("you got -inf: you subtracted the max of the whole array, so a column far "
                    "below it underflows to ln 0. Each column needs its own max.", whole),
            Mistake("you took the LSE along the last axis, one per row: here the scores of a "
                    "step run down a column, along axis 0.", rows),
            Mistake("that is one LSE of the whole array: take one per column.",
                    z.max() + np.log(np.exp(z - z.max()).sum())),
            Mistake("the max is not added back after np.log.", np.log(rest)),
            Mistake("that is the max of each column itself: the log-sum-exp is a little above "
                    "it.", m),
            Mistake("np.log10 is the decimal log: the LSE uses the natural log.",
                    m + np.log10(rest)),
            Mistake("np.log2 is the base-2 log: the LSE uses the natural log.",
                    m + np.log2(rest)),
            Mistake("the log is missing: the max comes back after the log of the sum.",
                    m + rest),
        ]
    return check_array("log-sum-exp", answer, expected, mistakes=mistakes,
                       hint="See the equation of section 5, applied to each column.")


def check_float16_limit(answer):
    """Exercise: ln(max float16), the largest logit whose exp is a finite float16."""
    fmax = float(np.finfo(np.float16).max)
    expected = float(np.log(fmax))
    mistakes = [
        Mistake("that is the largest float16 itself: the limit on a logit is its log.", fmax),
        Mistake("np.log2 is the base-2 log: exp uses the natural log, np.log.", np.log2(fmax)),
        Mistake("np.log10 is the decimal log: exp uses the natural log, np.log.",
                np.log10(fmax)),
        Mistake("that is float32's limit: use np.finfo(np.float16).", np.log(
            np.float64(np.finfo(np.float32).max))),
        Mistake("that is float64's limit: use np.finfo(np.float16).", np.log(
            np.finfo(np.float64).max)),
    ]
    return check_value("largest safe float16 logit", answer, expected, mistakes=mistakes,
                       rtol=1e-3,
                       hint="See section 3: the same limit as for float32 and float64.")
