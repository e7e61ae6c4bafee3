"""Write a student version of the notebooks, without the exercises' solutions.

    python tools/student_version.py [OUT_DIR]      (default build/student; `make student`)

Every collapsed ``<details> ... </details>`` block (the solutions) is removed from the
markdown cells; a markdown cell left empty is dropped. Everything else, outputs included,
stays as it is, so the student version reads like the original.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
DETAILS = re.compile(r"<details>.*?</details>\s*", re.S)


def strip_solutions(nb):
    """Remove <details> blocks from markdown cells in place; return how many were removed."""
    removed, kept = 0, []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source, n = DETAILS.subn("", cell.source)
            removed += n
            if not cell.source.strip():
                continue
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
