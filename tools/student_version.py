"""Write the student version of the notebooks: no solutions, every exercise a stub.

    python tools/student_version.py [OUT_DIR]      (default build/student; `make student`)

One source, nbgrader's convention: in a code cell, the lines from ``### BEGIN SOLUTION`` to
``### END SOLUTION`` are the instructor's solution. Here they become STUB (indented like the
marker), exactly as ``nbgrader generate_assignment`` writes them with the ClearSolutions
stub that tools/course.py configures. The check that follows reports "not done yet", and the
notebook runs on with the package's version. Collapsed ``<details>`` blocks (the solutions of
the predict-then-check exercises) are removed from markdown cells. The outputs of the cells
that held a solution, run a check, or use a function a solution defines (06's capstone run)
are cleared: they showed the instructor's answers. Every other output stays, so the student
version reads like the original.
"""

import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
DETAILS = re.compile(r"<details>.*?</details>\s*", re.S)
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = '# YOUR CODE HERE\nraise NotImplementedError("your code here")'
CHECK_CALL = re.compile(r"^\s*(_ = )?checks\.\w+\(", re.M)


def clear_solution_regions(source):
    """Replace each BEGIN/END SOLUTION region of a code cell's source by STUB; return
    (new source, number of regions). Raises ValueError on an unclosed or nested region."""
    out, inside, n = [], False, 0
    for line in source.split("\n"):
        if BEGIN in line:
            if inside:
                raise ValueError(f"nested {BEGIN} in:\n{source}")
            inside, n = True, n + 1
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub for stub in STUB.split("\n")]
        elif END in line:
            if not inside:
                raise ValueError(f"{END} without {BEGIN} in:\n{source}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END} in:\n{source}")
    return "\n".join(out), n


def is_check_cell(cell):
    """True for a code cell that calls an exercise check (checks.<name>(...))."""
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source))


def _names(source):
    """(the functions a cell defines, the names it reads); empty if it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return defined, used


def strip_solutions(nb):
    """Make ``nb`` the student version in place; return how many solutions were removed."""
    removed, kept, learners = 0, [], set()  # learners: the functions the learner writes
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, n = DETAILS.subn("", cell.source)
            removed += n
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code":
            cell.source, n = clear_solution_regions(cell.source)
            removed += n
            defined, used = _names(cell.source)
            if n:
                learners |= defined
            if n or is_check_cell(cell) or used & learners:
                cell.outputs, cell.execution_count = [], None
        kept.append(cell)
    nb.cells = kept
    return removed


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else ROOT / "build" / "student"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        n = strip_solutions(nb)
        nbformat.write(nb, out / path.name)
        print(f"{path.name}: {n} solutions removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
