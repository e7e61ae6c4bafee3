"""Execute the notebooks top to bottom, each in a fresh kernel, and store their outputs.

    python tools/execute_notebooks.py [notebooks/01_*.ipynb ...]

Used by `make notebooks` before committing notebooks. For each notebook it reports the run
time and the kernel's peak memory, and it removes the widget state that Jupyter would store
in the notebook metadata (model ids change on every run and would only add noise to diffs).
Exits non-zero if a cell raises or a notebook is over budget.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
MAX_SECONDS = 40  # per notebook, the budget of the notebook issue
LONGER = {"08": 60}  # notebook 08 trains three cells on two tasks: its issue gives it 60 s
MAX_TOTAL_SECONDS = 180  # the whole series
MAX_MEMORY_MB = 1024


def execute(path, timeout=300):
    """Run one notebook in place; return (seconds, peak kernel memory in MB)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps: noise in diffs
    nbformat.write(nb, path)
    # ru_maxrss of children is the largest child so far: only meaningful if it grew
    return seconds, max(peak_kb, before) / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    total, ok = 0.0, True
    for path in paths:
        seconds, mb = execute(path)
        total += seconds
        budget = LONGER.get(path.name[:2], MAX_SECONDS)
        flag = "" if seconds <= budget and mb <= MAX_MEMORY_MB else "  OVER BUDGET"
        ok &= not flag
        print(f"{path.name:45s} {seconds:6.1f} s  peak kernel memory <= {mb:6.0f} MB{flag}")
    over = "  OVER BUDGET" if total > MAX_TOTAL_SECONDS and not args.notebooks else ""
    print(f"{'total':45s} {total:6.1f} s{over}")
    return 0 if ok and not over else 1


if __name__ == "__main__":
    sys.exit(main())
