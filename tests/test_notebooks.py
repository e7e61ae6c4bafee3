"""The notebooks as committed: executed top to bottom, no errors, and the series' structure.

nbval (``make nbval``) re-runs them and compares outputs; these checks catch what nbval
does not: a notebook saved half-run, out of order, with an error, or missing its parts.
"""

import json
import re
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
