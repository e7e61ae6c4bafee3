"""Helpers shared by the tests of the exercises' checks (tests/test_checks_nbXX.py)."""

import re
from pathlib import Path

import nbformat
import numpy as np

from rnn_helpers.checks.core import _difference

ROOT = Path(__file__).resolve().parent.parent


def verdict(capsys, ok, expect_ok, *phrases):
    """A check's printout: one line, the expected verdict, and every phrase in it."""
    out = capsys.readouterr().out
    assert ok is expect_ok, out
    assert len(out.strip().splitlines()) == 1, out
    for phrase in phrases:
        assert phrase in out, out
    return out


def digits_of(x, n=4):
    """The leading significant digits of a number, as they would be printed."""
    return re.sub(r"[^0-9]", "", f"{abs(x):.{n}e}")[:n]


def stub(*args, **kwargs):
    """What the student version holds in place of a solution."""
    raise NotImplementedError("your code here")


def notebook_code(path):
    """The sources of the code cells of a notebook (path relative to the repository)."""
    nb = nbformat.read(ROOT / path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def check_cells(path):
    """The sources of the notebook's cells that call a check."""
    return [s for s in notebook_code(path) if "checks.check_" in s]


def solution_namespace(path):
    """The notebook's solution cells (the ones with ### BEGIN SOLUTION), run in one namespace."""
    import rnn_helpers as rh

    namespace = {"np": np, "rh": rh}
    for source in notebook_code(path):
        if "### BEGIN SOLUTION" in source:
            exec(source, namespace)  # noqa: S102  (the project's own notebook)
    return namespace


def expected_and_mistakes(monkeypatch, module, check, *args, **kwargs):
    """The expected answer and the Mistakes a predict-then-check ``check`` of ``module``
    compares an answer with (captured instead of compared)."""
    seen = {}

    def capture(name, got, expected, *, mistakes=(), **options):
        seen.update(expected=expected, mistakes=list(mistakes), options=options)
        return True

    for name in ("check_value", "check_array"):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, capture)
    check(None, *args, **kwargs)
    return seen


def assert_all_differ(seen):
    """Every Mistake differs from the expected answer and from every other Mistake."""
    rtol = seen["options"].get("rtol", 1e-6)
    atol = seen["options"].get("atol", 0.0)
    values = [seen["expected"]] + [m.value for m in seen["mistakes"]]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert _difference(a, b, rtol, atol) is not None, (a, b)
