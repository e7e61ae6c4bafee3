"""Every link to this repository, derived from its one address: pyproject.toml's
[project.urls] Repository, and the release tag v<rnn_helpers.__version__>.

    python tools/links.py           rewrite the README's launch table, each notebook's badges
                                    and its Colab setup cell (`make links`)
    python tools/links.py --check   list what is out of date; exit status 1 if anything is

A fork changes the one line in pyproject.toml and runs `make links`; tests/test_links.py
checks that nothing disagrees. Binder and Colab open the notebooks at the release tag, and
the setup cell fetches the package at that same tag, so a notebook always runs with the
package it was written for. (Releasing: bump ``__version__``, `make links`, commit, and push
the tag v<version>.)
"""

import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BADGE_LINE = re.compile(r"^\[!\[Open in Colab\].*$", re.M)
README_BLOCK = re.compile(r"<!-- launch: begin.*?<!-- launch: end -->", re.S)
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
SETUP_FIRST_LINE = "# Colab only: fetch rnn_helpers and data/ (elsewhere this cell does nothing)."


def repository():
    """The repository's URL, from pyproject.toml (https://github.com/<owner>/<name>)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    url = project["urls"]["Repository"].rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"[project.urls] Repository must be https://github.com/OWNER/NAME: {url}")
    return url


def version():
    """rnn_helpers.__version__, read without importing the package."""
    text = (ROOT / "rnn_helpers" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def release_tag():
    """The git tag the badges and the setup cell point at."""
    return f"v{version()}"


def colab_url(name):
    """Open notebooks/<name> on Colab, at the release tag."""
    slug = repository().removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/{release_tag()}/notebooks/{name}"


def binder_url(name):
    """Open notebooks/<name> in JupyterLab on Binder, at the release tag."""
    slug = repository().removeprefix("https://github.com/")
    return (f"https://mybinder.org/v2/gh/{slug}/{release_tag()}"
            f"?labpath={quote('notebooks/' + name, safe='')}")


def badges(name):
    """The one markdown line of badges for a notebook."""
    return (f"[![Open in Colab]({COLAB_BADGE})]({colab_url(name)}) "
            f"[![Binder]({BINDER_BADGE})]({binder_url(name)})")


def setup_cell():
    """The first code cell of every notebook: on Colab only, fetch the package at the tag.

    Colab has NumPy, Matplotlib, tqdm, threadpoolctl and ipywidgets already: nothing is
    installed, so nothing of Colab's is replaced and no restart is needed."""
    return f'''{SETUP_FIRST_LINE}
try:
    import google.colab
except ImportError:
    pass
else:
    import os, subprocess, sys
    REPO, TAG = "{repository()}", "{release_tag()}"
    if not os.path.isdir("rnn-from-scratch"):
        subprocess.run(["git", "-c", "advice.detachedHead=false", "clone", "--quiet",
                        "--depth", "1", "--branch", TAG, REPO, "rnn-from-scratch"], check=True)
    sys.path.insert(0, os.path.abspath("rnn-from-scratch"))'''


def readme_block():
    """The README's launch table: every notebook on Binder and Colab, and the clone command."""
    rows = ["| notebook | Binder | Colab |", "| --- | --- | --- |"]
    for path in NOTEBOOKS:
        title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        rows.append(f"| [{title}](notebooks/{path.name}) "
                    f"| [![Binder]({BINDER_BADGE})]({binder_url(path.name)}) "
                    f"| [![Open in Colab]({COLAB_BADGE})]({colab_url(path.name)}) |")
    return "\n".join([
        "<!-- launch: begin (written by `make links` from pyproject.toml's Repository) -->",
        *rows, "", "Or on your own machine:", "", "```bash",
        f"git clone {repository()}.git && cd {repository().rsplit('/', 1)[1]}", "make lab",
        "```", "<!-- launch: end -->"])


def update_notebook(nb, name):
    """Give the notebook its badge line (in the title cell) and its setup cell; True if changed."""
    title, before = nb.cells[0], [c.source for c in nb.cells[:2]]
    line = badges(name)
    if BADGE_LINE.search(title.source):
        title.source = BADGE_LINE.sub(line, title.source)
    else:
        first, _, rest = title.source.partition("\n")
        title.source = f"{first}\n\n{line}\n{rest}".rstrip("\n")
    if nb.cells[1].cell_type == "code" and nb.cells[1].source.startswith(SETUP_FIRST_LINE):
        nb.cells[1].source = setup_cell()
    else:
        nb.cells.insert(1, nbformat.v4.new_code_cell(setup_cell()))
    return [c.source for c in nb.cells[:2]] != before


def stale(write=False):
    """The files whose links disagree with pyproject.toml (rewritten if write)."""
    out = []
    readme = ROOT / "README.md"
    text = readme.read_text()
    if not README_BLOCK.search(text):
        raise ValueError("README.md has no '<!-- launch: begin' ... '<!-- launch: end -->' block")
    new = README_BLOCK.sub(lambda _: readme_block(), text)
    if new != text:
        out.append(readme)
        if write:
            readme.write_text(new)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        if update_notebook(nb, path.name):
            out.append(path)
            if write:
                nbformat.write(nb, path)
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    changed = stale(write=not check)
    for path in changed:
        print(f"{'out of date' if check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
