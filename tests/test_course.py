"""`make course`: the nbgrader course, its cell metadata, and a real nbgrader round trip.

The round trip, on the course written (as `make course` does) into a temporary folder:
``nbgrader generate_assignment``, then two submissions autograded by ``nbgrader autograde``:
the released notebooks untouched score 0 on every graded cell, the released notebooks with
every stub replaced by the instructor's solution score full marks. No solution leaks into
the release. The real course runs all seven notebooks once per submission (about three
minutes on an idle 2-core machine).
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnn_helpers import checks

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course  # noqa: E402
from student_version import (  # noqa: E402
    BEGIN,
    DETAILS,
    END,
    STUB,
    clear_solution_regions,
    strip_solutions,
)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BIN = Path(sys.executable).parent



@pytest.fixture
def nbgrader_required():
    """`make setup` installs nbgrader (the course extra): without it these tests fail, not skip."""
    assert (BIN / "nbgrader").exists(), "nbgrader is not installed: run `make setup`"


needs_nbgrader = pytest.mark.usefixtures("nbgrader_required")

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
SOLUTION = '''\
def double(x):
    """2 x. x: an array of any shape."""
    # Hint: multiply.
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION'''
SOLUTION_2 = '''\
def half(x):
    """x / 2."""
    # Hint: divide.
    ### BEGIN SOLUTION
    return x / 2
    ### END SOLUTION


def triple(x):
    """3 x."""
    # Hint: multiply.
    ### BEGIN SOLUTION
    return 3 * x
    ### END SOLUTION'''
CHECK = '_ = checks.check_function("double", double, (3.0,), expected=6.0)'
CHECK_2 = ('_ = checks.check_function("half", half, (3.0,), expected=1.5)\n'
           '_ = checks.check_function("triple", triple, (1.0,),\n'
           '                          expected=3.0)')


def synthetic_notebook():
    """A small notebook with every kind of cell the course knows."""
    return nbformat.v4.new_notebook(cells=[
        md("# A title\nWhat you build."),
        code("import numpy as np\n\nfrom rnn_helpers import checks"),
        md("### Your turn: `double`\nThe equation: y = 2 x."),
        code(SOLUTION),
        code(CHECK),
        md("The notebook goes on with the package's version."),
        code("print(np.arange(3) * 2)"),
        code(SOLUTION_2),
        code(CHECK_2),
        md("## Exercises\n### Exercise 1\nPredict 2 + 2 first."),
        code("# Your prediction:\nanswer_1 = None"),
        code('_ = checks.check_value("answer 1", answer_1, 4)'),
        md("<details><summary>Solution</summary>\n\nanswer_1 = 2 + 2 gives 4.\n</details>"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})


def test_course_notebook_metadata_per_cell_kind(monkeypatch):
    monkeypatch.setattr(course, "POINTS", {"check_function": 3})
    nb = synthetic_notebook()
    assert course.make_course_notebook(nb) == 3 + 2 * 3
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert len(nb.cells) == 12  # the <details> cell is gone
    for i in (0, 1, 2, 5, 6, 9, 11):  # markdown, the main flow, the predict-then-check check
        assert meta[i]["locked"] and not meta[i]["solution"] and not meta[i]["grade"]
    for i in (3, 7):
        assert meta[i]["solution"] and not meta[i]["locked"] and not meta[i]["grade"]
    assert meta[3]["grade_id"] == "solution-double"
    assert meta[7]["grade_id"] == "solution-half-triple"
    assert meta[4] == {"grade": True, "grade_id": "test-check_function", "locked": True,
                       "points": 3, "schema_version": 3, "solution": False, "task": False}
    assert meta[8]["points"] == 6 and meta[8]["grade_id"] == "test-check_function-2"
    assert meta[10] is None  # the answer cell stays editable and ungraded
    ids = [m["grade_id"] for m in meta if m]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    assert all(m["schema_version"] == 3 for m in meta if m)
    assert nb.cells[3].source == SOLUTION  # the course's source keeps the solution


def test_check_cells_after_a_solution_become_asserts():
    nb = synthetic_notebook()
    course.make_course_notebook(nb)
    assert nb.cells[4].source == CHECK.replace("_ = ", "assert ", 1)
    assert nb.cells[8].source.split("\n") == [
        'assert checks.check_function("half", half, (3.0,), expected=1.5)',
        'assert checks.check_function("triple", triple, (1.0,),',
        "                          expected=3.0)"]
    # the predict-then-check check is not graded and keeps its `_ = `
    assert nb.cells[11].source == '_ = checks.check_value("answer 1", answer_1, 4)'


def test_details_blocks_are_removed_from_markdown():
    nb = synthetic_notebook()
    nb.cells[9].source += "\n<details><summary>Hint</summary>\nTwo twos.\n</details>\nAfter."
    course.make_course_notebook(nb)
    text = "\n".join(c.source for c in nb.cells)
    assert "<details>" not in text and "Two twos" not in text and "gives 4" not in text
    assert nb.cells[9].source.endswith("Predict 2 + 2 first.\nAfter.")


@pytest.mark.parametrize("source, says", [
    ("x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION", "only functions"),
    ("def f():\n    pass\n### BEGIN SOLUTION\n### END SOLUTION", "outside a function"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n### END SOLUTION", "outside a function"),
    ("def f():\n    return 1\n\n\nf()\n# ### BEGIN SOLUTION\n# ### END SOLUTION",
     "only functions"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION", "nested"),
    ("def f():\n    ### END SOLUTION\n    return 1", "without"),
])
def test_a_misplaced_or_broken_region_raises(source, says):
    nb = synthetic_notebook()
    nb.cells[3].source = source
    with pytest.raises(ValueError, match=says):
        course.make_course_notebook(nb)


def test_config_carries_the_student_versions_stub_and_markers(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    assert course.main([str(tmp_path)]) == 0  # what `make course` runs
    c = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert c.CourseDirectory.course_id == "rnn-from-scratch"
    assert c.ClearSolutions.code_stub == {"python": STUB}
    assert (c.ClearSolutions.begin_solution_delimeter, c.ClearSolutions.end_solution_delimeter) \
        == (BEGIN, END)
    assert c.Execute.timeout >= 300  # 06 trains for ~30 s here; a slow machine needs margin
    written = sorted(p.name for p in (tmp_path / "source" / "rnn-from-scratch").glob("*"))
    assert written == [p.name for p in NOTEBOOKS]


# ---- the nbgrader round trip -------------------------------------------------------------

def run_nbgrader(course_dir, *args):
    """Run ``nbgrader *args`` in course_dir (nbgrader calls `alembic`: .venv/bin on PATH)."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(course_dir / ".jupyter"))
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course_dir, env=env,
                          capture_output=True, text=True, timeout=3600)
    # (a kernel's own shutdown noise on stderr is not nbgrader's: "[<App> | ERROR]" is)
    assert proc.returncode == 0 and not re.search(r"App \| ERROR\]", proc.stderr), (
        proc.stdout + proc.stderr)
    return proc.stderr


def solution_regions(source):
    """The lines inside each BEGIN/END SOLUTION region of source: a list of line lists."""
    regions, inside = [], False
    for line in source.split("\n"):
        if BEGIN in line:
            regions.append([])
            inside = True
        elif END in line:
            inside = False
        elif inside:
            regions[-1].append(line)
    return regions


def fill_stubs(released, regions):
    """The released source with each stub (as ClearSolutions writes it) replaced by the
    next region's lines."""
    lines, out, stub, regions = released.split("\n"), [], STUB.split("\n"), list(regions)
    i = 0
    while i < len(lines):
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        if [line[len(indent):] for line in lines[i:i + len(stub)]] == stub:
            out += regions.pop(0)
            i += len(stub)
        else:
            out.append(lines[i])
            i += 1
    assert not regions, "fewer stubs in the release than regions in the source"
    return "\n".join(out)


def round_trip(course_dir):
    """generate_assignment, two submissions, autograde; return {student: {notebook: [(id,
    score, max score)]}} and the release folder."""
    from nbgrader.api import Gradebook

    run_nbgrader(course_dir, "generate_assignment", course.ASSIGNMENT)
    release = course_dir / "release" / course.ASSIGNMENT
    source = course_dir / "source" / course.ASSIGNMENT
    names = sorted(p.name for p in source.glob("*.ipynb"))
    assert sorted(p.name for p in release.glob("*.ipynb")) == names
    for student in ("untouched", "solved"):
        folder = course_dir / "submitted" / student / course.ASSIGNMENT
        folder.mkdir(parents=True)
        for name in names:
            nb = nbformat.read(release / name, as_version=4)
            if student == "solved":
                solutions = {c.metadata["nbgrader"]["grade_id"]: c.source
                             for c in nbformat.read(source / name, as_version=4).cells
                             if c.metadata.get("nbgrader", {}).get("solution")}
                for cell in nb.cells:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    if cell.metadata.get("nbgrader", {}).get("solution"):
                        cell.source = fill_stubs(cell.source,
                                                 solution_regions(solutions[grade_id]))
            nbformat.write(nb, folder / name)
    run_nbgrader(course_dir, "autograde", course.ASSIGNMENT)
    scores = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for student in ("untouched", "solved"):
            scores[student] = {}
            for name in names:
                sub = gb.find_submission_notebook(Path(name).stem, course.ASSIGNMENT, student)
                scores[student][name] = [(g.name, g.score, g.max_score) for g in sub.grades]
    return scores, release


def notebook_text(path):
    """Every cell's source and outputs of the notebook at path, as one string."""
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source + "".join(map(str, c.get("outputs", []))) for c in nb.cells)


def secret_lines(instructor):
    """The lines of every solution region and <details> block of the instructor's notebooks
    that appear nowhere else in them: none of them may reach the release."""
    secret, elsewhere = set(), []
    for path in instructor:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                secret |= {x.strip() for r in solution_regions(cell.source) for x in r}
                elsewhere.append(clear_solution_regions(cell.source)[0])
            else:
                for block in DETAILS.findall(cell.source):
                    secret |= {x.strip() for x in block.split("\n")}
                elsewhere.append(DETAILS.sub("", cell.source))
    return {x for x in secret if len(x) > 3 and not any(x in e for e in elsewhere)}


def assert_round_trip(course_dir, instructor):
    scores, release = round_trip(course_dir)
    for name, grades in scores["untouched"].items():
        assert grades, f"{name}: no graded cell"
        for grade_id, score, _ in grades:
            assert score == 0, f"{name}: {grade_id} scores {score} untouched"
    for name, grades in scores["solved"].items():
        for grade_id, score, max_score in grades:
            assert score == max_score > 0, f"{name}: {grade_id} scores {score} of {max_score}"
    released = "\n".join(notebook_text(p) for p in sorted(release.glob("*.ipynb")))
    secret = secret_lines(instructor)
    assert secret, "no solution text to look for"
    leaked = sorted(x for x in secret if x in released)
    assert not leaked, f"solution text in the release: {leaked}"
    return scores, release


@needs_nbgrader
def test_round_trip_on_a_synthetic_course(tmp_path):
    nb = synthetic_notebook()
    (tmp_path / "instructor").mkdir()
    for i in (1, 2):
        nbformat.write(nb, tmp_path / "instructor" / f"0{i}_synthetic.ipynb")
    instructor = sorted((tmp_path / "instructor").glob("*.ipynb"))
    course_dir = tmp_path / "course"
    course.write_course(course_dir, instructor)
    assert {"y = 2 * x", "return 3 * x", "answer_1 = 2 + 2 gives 4."} <= secret_lines(instructor)
    scores, release = assert_round_trip(course_dir, instructor)
    assert scores["solved"]["01_synthetic.ipynb"] == [
        ("test-check_function", 1.0, 1.0), ("test-check_function-2", 2.0, 2.0)]
    released = nbformat.read(release / "01_synthetic.ipynb", as_version=4)
    assert 'raise NotImplementedError("your code here")' in released.cells[3].source
    assert "y = 2 * x" not in released.cells[3].source


@needs_nbgrader
@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
def test_round_trip_on_the_course(tmp_path):
    """The real course: every notebook has graded cells; 0 untouched, full marks solved,
    no leak; the release's code is the student version's (`make student`) code."""
    course_dir = tmp_path / "course"
    points = course.write_course(course_dir, NOTEBOOKS)
    scores, release = assert_round_trip(course_dir, NOTEBOOKS)
    assert all(points.values()), f"notebooks without a graded cell: {points}"
    for path in NOTEBOOKS:  # nbgrader graded every test cell of the source, for its points
        source = nbformat.read(course_dir / "source" / course.ASSIGNMENT / path.name, 4)
        tests = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("grade")]
        for kind in ("untouched", "solved"):
            assert sorted(g for g, _, _ in scores[kind][path.name]) == sorted(tests), path.name
        assert sum(m for _, _, m in scores["solved"][path.name]) == points[path.name]
    for path in NOTEBOOKS:
        student = nbformat.read(path, as_version=4)
        strip_solutions(student)
        released = nbformat.read(release / path.name, as_version=4)
        assert [re.sub(r"^assert (?=checks\.check_)", "_ = ", c.source, flags=re.M)
                for c in released.cells if c.cell_type == "code"] == [
            c.source for c in student.cells if c.cell_type == "code"]


def test_the_learners_lab_turns_every_nbgrader_extension_off():
    """`make lab` and the browser tests use tools/learner-jupyter/: it names every server
    extension nbgrader enables and its JupyterLab extension."""
    import json

    config = ROOT / "tools" / "learner-jupyter"
    off = json.loads((config / "jupyter_server_config.json").read_text())
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyter/nbgrader": True}
    enabled = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json"
    assert enabled.exists(), "nbgrader is not installed: run `make setup`"
    on = json.loads(enabled.read_text())["ServerApp"]["jpserver_extensions"]
    assert off["ServerApp"]["jpserver_extensions"] == dict.fromkeys(on, False)
    assert "learner-jupyter" in (ROOT / "Makefile").read_text().split("\nlab:")[0]
    assert "learner-jupyter" in (ROOT / "tests" / "browser" / "conftest.py").read_text()


def test_course_module_parses_check_cells_strictly():
    assert course.check_names('_ = checks.check_a(f)\n_ = checks.check_b(g, 1)') == [
        "check_a", "check_b"]
    for source in ("checks.check_a(f)", "_ = checks.check_a(f)\nx = 1", "x = checks.check_a(f)",
                   "", "_ = other.check_a(f)", "_ = checks.value(f)", "if True:\n    pass"):
        assert course.check_names(source) is None, source
    check = "_ = checks.check_x(x, g)"
    assert course.is_answer_cell("# predict\nanswer_1 = None\nanswer_2 = None", check)
    assert course.is_answer_cell("g = np.ones(3)\nx = None  # your code here", check)
    assert not course.is_answer_cell("x = None", "print(x)")  # no check follows
    assert not course.is_answer_cell("x = 1", check)
    assert set(course.POINTS) <= set(dir(checks)), "POINTS names a check that does not exist"
    assert ast.parse(course.CONFIG)  # the config is valid Python
