"""Write the notebooks as an nbgrader course: build/course/ (`make course`).

    python tools/course.py [OUT_DIR]      (default build/course)

It writes ``nbgrader_config.py`` (course and assignment ``rnn-from-scratch``, the stub of
tools/student_version.py, a generous execution timeout) and
``source/rnn-from-scratch/NN_*.ipynb``: the instructor's notebooks with nbgrader's cell
metadata (schema 3), one ``grade_id`` per cell:

- a code cell with a ``### BEGIN SOLUTION`` region is a solution cell; the region must sit
  inside a function of a cell that defines only functions;
- the check cell right after it (only ``_ = checks.check_<name>(...)`` statements) becomes an
  autograded test cell: each ``_ = `` becomes ``assert ``; it is worth POINTS[name] (default 1)
  per check it calls;
- the predict-then-check answer cells (``answer_1 = None  # your code here``, then a check
  cell) stay editable and ungraded (their checks print feedback);
- every other cell is locked read-only;
- the ``<details>`` solution blocks are removed from markdown, as in the student version.

Then, in build/course/: ``nbgrader generate_assignment rnn-from-scratch`` writes the
release, and ``nbgrader autograde rnn-from-scratch`` grades what is in submitted/.
"""

import ast
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_version import BEGIN, DETAILS, END, STUB, clear_solution_regions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COURSE_ID = ASSIGNMENT = "rnn-from-scratch"
# Points per check call in a graded cell; the big exercises are worth more.
POINTS = {"check_min_char_rnn": 3, "check_rnn_backward_loop": 3}
# Per cell, in seconds: 06's training cells take seconds here, minutes on a slow machine.
TIMEOUT = 600
CONFIG = f'''\
# nbgrader's configuration for the course (written by tools/course.py: `make course`).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {COURSE_ID!r}
# The same stub and markers as `make student` (tools/student_version.py).
c.ClearSolutions.code_stub = {{"python": {STUB!r}}}
c.ClearSolutions.begin_solution_delimeter = {BEGIN!r}
c.ClearSolutions.end_solution_delimeter = {END!r}
# Seconds per cell when autograding: generous for 06's training cells on a slow machine.
c.Execute.timeout = {TIMEOUT}
'''
ASSERT_PREFIX = re.compile(r"^_ = (?=checks\.check_\w+\()")


def check_names(source):
    """The check names a check cell calls, one per statement, or None if ``source`` is not a
    check cell (statements other than ``_ = checks.check_<name>(...)``, or none)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    names = []
    for stmt in body:
        call = stmt.value if isinstance(stmt, ast.Assign) else None
        if not (isinstance(call, ast.Call) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == "_"
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "checks"
                and call.func.attr.startswith("check_") and stmt.col_offset == 0):
            return None
        names.append(call.func.attr)
    return names or None


def is_answer_cell(source, next_code):
    """True for a predict-then-check answer cell: it sets a name to None for the learner to
    fill in (``answer_1 = None  # your code here``), and the next code cell checks it."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    blanks = [t.id for s in body if isinstance(s, ast.Assign)
              and isinstance(s.value, ast.Constant) and s.value.value is None
              for t in s.targets if isinstance(t, ast.Name)]
    return bool(blanks) and BEGIN not in source and check_names(next_code) is not None


def solution_functions(source):
    """The names of the functions a solution cell defines; raise ValueError unless the cell
    defines only functions and every solution region sits inside one of them."""
    clear_solution_regions(source)  # raises on an unclosed or nested region
    body = ast.parse(source).body
    others = [type(s).__name__ for s in body if not isinstance(s, ast.FunctionDef)]
    if others or not body:
        raise ValueError(f"a solution cell must define only functions (found {others}):\n"
                         f"{source}")
    lines = source.split("\n")
    # a function's lines run to the next definition (its trailing comments included)
    starts = [f.lineno for f in body] + [len(lines) + 1]
    for i, line in enumerate(lines, start=1):
        inside = starts[0] < i and not line[:1].strip()  # after a def, and indented
        if (BEGIN in line or END in line) and not inside:
            raise ValueError(f"a solution region outside a function (line {i}):\n{source}")
    return [f.name for f in body]


def _meta(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def make_course_notebook(nb):
    """Turn the instructor's notebook ``nb`` into nbgrader's source version in place;
    return the number of points its graded cells are worth."""
    kept, ids, total, after_solution = [], set(), 0, False

    def unique(name):
        grade_id, k = name, 1
        while grade_id in ids:
            k += 1
            grade_id = f"{name}-{k}"
        ids.add(grade_id)
        return grade_id

    code = [c for c in nb.cells if c.cell_type == "code"]
    following = {id(c): n.source for c, n in zip(code, code[1:], strict=False)}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = DETAILS.sub("", cell.source)
            if not cell.source.strip():
                continue
        meta, names = None, None
        if cell.cell_type == "code" and (BEGIN in cell.source or END in cell.source):
            functions = solution_functions(cell.source)
            meta = _meta(unique("solution-" + "-".join(functions)), solution=True)
        elif cell.cell_type == "code" and after_solution and (names := check_names(cell.source)):
            points = sum(POINTS.get(n, 1) for n in names)
            total += points
            cell.source = "\n".join(ASSERT_PREFIX.sub("assert ", line)
                                    for line in cell.source.split("\n"))
            meta = _meta(unique("test-" + "-".join(dict.fromkeys(names))), grade=True,
                         locked=True, points=points)
        elif not (cell.cell_type == "code"
                  and is_answer_cell(cell.source, following.get(id(cell), ""))):
            meta = _meta(unique(f"cell-{i:03d}"), locked=True)
        if cell.cell_type == "code":
            after_solution = meta is not None and meta["solution"]
        if meta is not None:
            cell.metadata["nbgrader"] = meta
        kept.append(cell)
    nb.cells = kept
    return total


def write_course(out, notebooks):
    """Write nbgrader_config.py and the source notebooks into ``out``; return {name: points}."""
    source = Path(out) / "source" / ASSIGNMENT
    source.mkdir(parents=True, exist_ok=True)
    for old in source.glob("*.ipynb"):  # a renamed notebook leaves no stale copy
        old.unlink()
    (Path(out) / "nbgrader_config.py").write_text(CONFIG)
    points = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        points[path.name] = make_course_notebook(nb)
        nbformat.write(nb, source / path.name)
    return points


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else ROOT / "build" / "course"
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    points = write_course(out, notebooks)
    for name, n in points.items():
        print(f"{name}: {n} point{'' if n == 1 else 's'}")
    print(f"{sum(points.values())} points in all. The nbgrader course is in {out}: see "
          "README.md, 'For teachers', for the nbgrader commands.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
