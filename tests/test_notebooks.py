"""The notebooks as committed: executed top to bottom, no errors, and the series' structure.

nbval (``make nbval``) re-runs them and compares outputs; these checks catch what nbval
does not: a notebook saved half-run, out of order, with an error, or missing its parts.
"""

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_in_order_without_errors(path):
    cells = code_cells(load(path))
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: not executed top to bottom in a fresh kernel (run `make notebooks`)"
    )
    for i, c in enumerate(cells):
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name}: cell {i + 1} stored an error"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_structure_title_goals_summary_exercises(path):
    nb = load(path)
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), f"{path.name}: the first cell must be the title"
    text = markdown(nb)
    for heading in ("Summary", "Exercises"):
        assert re.search(rf"^##+ .*{heading}", text, re.M), f"{path.name}: no '{heading}' section"
    assert "<details>" in text, f"{path.name}: exercises need collapsed solutions"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_discipline(path):
    nb = load(path)
    cells = code_cells(nb)
    ignored = sum("NBVAL_IGNORE_OUTPUT" in "".join(c["source"]) for c in cells)
    assert ignored <= max(1, len(cells) // 10), f"{path.name}: {ignored} cells ignore output"
    for c in cells:
        last = "".join(c["source"]).rstrip().splitlines()[-1]
        assert not last.rstrip().endswith(";"), f"{path.name}: trailing ';' in {last!r}"
    assert "widgets" not in nb["metadata"], f"{path.name}: widget state stored in metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_a_figure(path):
    outputs = [o for c in code_cells(load(path)) for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no figure"


# ---- the exercises: one source for the instructor, `make student` and `make course` ------

sys.path.insert(0, str(ROOT / "tools"))
from course import check_names, solution_functions  # noqa: E402
from student_version import BEGIN  # noqa: E402


def sources(nb):
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_an_implement_it_exercise(path):
    assert any(kind == "code" and BEGIN in src for kind, src in sources(load(path))), (
        f"{path.name}: no solution region (### BEGIN SOLUTION): no implement-it exercise")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solution_cells_follow_the_convention(path):
    """A solution cell defines only functions, each region inside one, a `# Hint:` line
    directly above each BEGIN SOLUTION, and the next cell that is not a solution cell is a
    check cell (only `_ = checks.check_<name>(...)` lines)."""
    cells = sources(load(path))
    for i, (kind, src) in enumerate(cells):
        if kind != "code" or BEGIN not in src:
            continue
        solution_functions(src)  # raises unless only functions, regions inside them
        lines = src.split("\n")
        for j, line in enumerate(lines):
            if BEGIN in line:
                above = lines[j - 1] if j else ""
                indent = line[: len(line) - len(line.lstrip())]
                assert above.startswith(indent + "# Hint: "), (
                    f"{path.name}: no `# Hint: ...` line directly above {BEGIN} in:\n{src}")
        following = next((c for c in cells[i + 1:] if BEGIN not in c[1]), (None, ""))
        assert following[0] == "code" and check_names(following[1]), (
            f"{path.name}: the cell after the solution cell is not a check cell:\n"
            f"{following[1]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_checks_call_the_learners_functions(path):
    """After an exercise the notebook goes on with the package's version: only check cells
    use a function a solution cell defines (in the student version it raises), and they
    pass it to the check rather than call it; or a cell runs it under
    ``try: ... except NotImplementedError:`` (06's capstone)."""
    learners = set()
    for kind, src in sources(load(path)):
        if kind != "code":
            continue
        if BEGIN in src:
            learners |= set(solution_functions(src))
            continue
        nodes = list(ast.walk(ast.parse(src)))
        if check_names(src):  # a check gets the function itself, and calls it safely
            used = {n.func.id for n in nodes if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name)}
        else:
            # a capstone may run the learner's code under `try: ... except NotImplementedError:`
            guarded = set()
            for t in (n for n in nodes if isinstance(n, ast.Try)):
                caught = {h.id for x in t.handlers if x.type is not None
                          for h in ast.walk(x.type) if isinstance(h, ast.Name)}
                if caught & {"NotImplementedError", "Exception"}:
                    guarded |= {id(n) for b in t.body for n in ast.walk(b)}
            used = {n.id for n in nodes if isinstance(n, ast.Name) and id(n) not in guarded}
        assert not used & learners, (
            f"{path.name}: {sorted(used & learners)} (the learner's) used in:\n{src}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_check_called_exists(path):
    from rnn_helpers import checks

    for kind, src in sources(load(path)):
        for name in re.findall(r"\bchecks\.(\w+)\(", src) if kind == "code" else []:
            assert name.startswith("check_") and callable(getattr(checks, name, None)), (
                f"{path.name}: checks.{name} does not exist in rnn_helpers.checks")
