"""`make student`: the notebooks without their solutions, everything else intact, and they run."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from course import check_names  # noqa: E402
from student_version import (  # noqa: E402
    BEGIN,
    STUB,
    clear_solution_regions,
    main,
    strip_solutions,
)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
SOLVED = '''\
def double(x):
    """2 x."""
    # Hint: multiply.
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION'''


def test_strip_solutions_removes_only_details_blocks():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("### Exercise 1\nPredict first."),
        nbformat.v4.new_code_cell("answer_1 = None"),
        nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>\n\nx = 1\n</details>"),
        nbformat.v4.new_markdown_cell("Text.\n<details><summary>Hint</summary>h</details>\nMore."),
    ])
    assert strip_solutions(nb) == 2
    assert [c.source for c in nb.cells] == [
        "### Exercise 1\nPredict first.", "answer_1 = None", "Text.\nMore."]


def test_solution_regions_become_the_stub_and_their_outputs_go():
    out = nbformat.v4.new_output("stream", text="✓ double matches.\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(SOLVED, execution_count=1),
        nbformat.v4.new_code_cell("_ = checks.check_double(double)", execution_count=2,
                                  outputs=[out]),
        nbformat.v4.new_code_cell("print(1)", execution_count=3, outputs=[out]),
    ])
    assert strip_solutions(nb) == 1
    assert nb.cells[0].source == (
        'def double(x):\n    """2 x."""\n    # Hint: multiply.\n    # YOUR CODE HERE\n'
        '    raise NotImplementedError("your code here")')
    assert [c.outputs for c in nb.cells] == [[], [], [out]]
    assert nb.cells[1].execution_count is None and nb.cells[2].execution_count == 3


@pytest.mark.parametrize("source", [
    "def f():\n    ### BEGIN SOLUTION\n    return 1",
    "def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION",
    "def f():\n    return 1\n    ### END SOLUTION",
])
def test_an_unclosed_or_nested_region_raises(source):
    with pytest.raises(ValueError):
        clear_solution_regions(source)


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
def test_student_version_of_every_notebook(tmp_path):
    assert main([str(tmp_path)]) == 0
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        student = nbformat.read(tmp_path / path.name, as_version=4)
        text = "".join(c.source for c in student.cells)
        assert "<details>" in "".join(c.source for c in original.cells)
        assert "<details>" not in text and "Solution" not in text and BEGIN not in text
        # the code is the instructor's, each solution region replaced by the stub
        code = [clear_solution_regions(c.source)[0] for c in original.cells
                if c.cell_type == "code"]
        assert code == [c.source for c in student.cells if c.cell_type == "code"]
        regions = sum(c.source.count(BEGIN) for c in original.cells if c.cell_type == "code")
        assert text.count(STUB.split("\n")[1]) == regions


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_version_runs_top_to_bottom(path, tmp_path):
    """Untouched, the notebook runs without an error (from notebooks/, as a learner's
    would), and every implement-it check says "not done yet", once per check."""
    import nbclient

    assert main([str(tmp_path)]) == 0
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()  # raises CellExecutionError on any error
    after_solution = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        names = check_names(cell.source)
        if after_solution and names:
            said = "".join(o.get("text", "") for o in cell.outputs)
            assert said.count("not done yet") == len(names), (
                f"{path.name}: {cell.source!r} printed {said!r}")
        after_solution = STUB.split("\n")[1] in cell.source


def test_outputs_that_used_the_learners_function_are_cleared():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def f(x):\n    # Hint: h.\n    ### BEGIN SOLUTION\n"
                                  "    return 2 * x\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("print(f(3))"),
        nbformat.v4.new_code_cell("print(3)"),
    ])
    for cell in nb.cells:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="6\n")]
    strip_solutions(nb)
    assert [len(c.outputs) for c in nb.cells] == [0, 0, 1]
