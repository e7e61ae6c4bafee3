"""`make student`: the notebooks without their solutions, everything else intact."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from student_version import main, strip_solutions  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("0*.ipynb"))


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


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
def test_student_version_of_every_notebook(tmp_path):
    assert main([str(tmp_path)]) == 0
    for path in NOTEBOOKS:
        original = nbformat.read(path, as_version=4)
        student = nbformat.read(tmp_path / path.name, as_version=4)
        text = "".join(c.source for c in student.cells)
        assert "<details>" in "".join(c.source for c in original.cells)
        assert "<details>" not in text and "Solution" not in text
        code = [c.source for c in original.cells if c.cell_type == "code"]
        assert code == [c.source for c in student.cells if c.cell_type == "code"]
