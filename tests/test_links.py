"""One address for the repository: every badge, clone command and Colab setup cell derives from
pyproject.toml's [project.urls] Repository and the release tag v<__version__>."""

import re
import sys
from pathlib import Path

import nbformat

import rnn_helpers as rh

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import links  # noqa: E402

ROOT = links.ROOT


def test_nothing_disagrees_with_pyproject():
    assert links.stale() == [], "run `make links` (tools/links.py) and commit the result"


def test_the_version_is_defined_once():
    assert links.version() == rh.__version__
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"]  # read from rnn_helpers.__version__
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "rnn_helpers.__version__"}


def test_every_link_to_github_is_the_repository():
    url = links.repository()
    slug = url.removeprefix("https://github.com/")
    texts = [(ROOT / "README.md").read_text()]
    texts += [c.source for p in links.NOTEBOOKS for c in nbformat.read(p, as_version=4).cells]
    for text in texts:
        for found in re.findall(r"(?:github\.com|mybinder\.org/v2/gh|colab\.research\.google"
                                r"\.com/github)/([\w.-]+/[\w.-]+)", text):
            found = found.removesuffix(".git")
            assert found == slug or found.startswith("karpathy/"), found  # min-char-rnn's gist
    readme = texts[0]
    assert f"git clone {url}.git" in readme
    for path in links.NOTEBOOKS:
        assert links.colab_url(path.name) in readme and links.binder_url(path.name) in readme


def test_each_notebook_opens_with_its_badges_and_the_setup_cell():
    for path in links.NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert links.badges(path.name) in nb.cells[0].source
        assert nb.cells[1].source == links.setup_cell()
        assert f"/blob/{links.release_tag()}/notebooks/{path.name}" in nb.cells[0].source


def test_the_setup_cell_does_nothing_outside_colab():
    scope = {}
    exec(links.setup_cell(), scope)  # noqa: S102  (here google.colab cannot be imported)
    assert "REPO" not in scope and not (Path.cwd() / "rnn-from-scratch").exists()


def test_links_are_rewritten_from_a_changed_address(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01. T\n\nGoals."),
                                         nbformat.v4.new_code_cell("import numpy")])
    monkeypatch.setattr(links, "repository", lambda: "https://github.com/someone/fork")
    assert links.update_notebook(nb, "01_t.ipynb")
    assert nb.cells[0].source.startswith("# 01. T\n\n[![Open in Colab]")
    assert "someone/fork/blob/" in nb.cells[0].source and "Goals." in nb.cells[0].source
    assert 'REPO, TAG = "https://github.com/someone/fork"' in nb.cells[1].source
    assert nb.cells[2].source == "import numpy"
    assert not links.update_notebook(nb, "01_t.ipynb")  # idempotent
