"""`make html`: every notebook as a static page with its figures, and an index in order."""

import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import build_html  # noqa: E402

NOTEBOOKS = build_html.notebooks()
pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")


def _no_network(*args, **kwargs):
    raise AssertionError("the HTML build tried to open a network connection")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once, with the network cut off: nothing may be downloaded."""
    out = tmp_path_factory.mktemp("html")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "create_connection", _no_network)
        assert build_html.main([str(out)]) == 0
    return out


def test_index_links_every_page_in_learning_path_order(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>rnn-from-scratch</title>" in index
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', index)
    assert [href for href, _ in links] == [p.stem + ".html" for p in NOTEBOOKS]
    for (_, text), path in zip(links, NOTEBOOKS, strict=True):
        assert text == build_html.title_of(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_page_has_its_figures_and_exercises_and_no_errors(site, path):
    nb = nbformat.read(path, as_version=4)
    page = (site / (path.stem + ".html")).read_text(encoding="utf-8")
    title = build_html.title_of(nb)
    assert title and f"<title>{title}</title>" in page
    pngs = build_html.count_outputs(nb, "image/png")
    assert pngs >= 1
    assert build_html.count_images(page) >= pngs
    assert build_html.count_errors(nb) == 0
    assert "output_error" not in page and "Traceback" not in page
    details = sum(c.source.count("<details>") for c in nb.cells if c.cell_type == "markdown")
    assert details >= 1 and page.count("<details>") >= details
    # widgets: a note instead of their text fallback, no progress bar stuck at 0%
    if build_html.count_outputs(nb, build_html.WIDGET):
        assert "interactive panel" in page
    assert "children=(" not in page and not re.search(r"\b0%\|", page)


def test_error_output_is_marked_and_fails_the_build(tmp_path, monkeypatch, capsys):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01. Broken\n\n**What you will build:** nothing."),
        nbformat.v4.new_code_cell("1 / 0", outputs=[nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero",
            traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"])]),
    ])
    body, _ = build_html.exporter().from_notebook_node(nb)
    assert 'class="output_error"' in body and "ZeroDivisionError" in body
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nbformat.write(nb, nbdir / "01_broken.ipynb")
    monkeypatch.setattr(build_html, "NOTEBOOKS", nbdir)
    assert build_html.main([str(tmp_path / "out")]) == 1
    assert "01_broken.ipynb" in capsys.readouterr().err
    assert "01. Broken" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
