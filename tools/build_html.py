"""Render the stored notebooks to a static HTML site, with an index in learning-path order.

    python tools/build_html.py [OUT_DIR]      (default build/html; `make html`)

The notebooks are not re-executed: their stored outputs (`make notebooks`) are rendered as
they are, with nbconvert's JupyterLab template. Figures are embedded in the pages as PNG data
URIs, so each page is one self-contained file. Nothing is downloaded while building; the
pages load MathJax and require.js from a CDN when they are viewed (without a network, the
maths shows as TeX source). Widgets need a running kernel: in a static page a panel becomes a
short note (every result it shows is also a static figure above it) and a progress bar is
left out.

Prints one line per page (its name and how many PNG figures it holds). Exits non-zero if a
notebook holds an error output (the page is still written, with the error marked
`output_error`).
"""

import html
import re
import sys
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TITLE = "rnn-from-scratch"
INTRO = ("Build a character-level recurrent neural network from scratch in NumPy, step by "
         "step: seven notebooks, each teaching one idea and building on the previous one.")

# The lab template gives error outputs the same markup as stderr; mark them, like the
# classic template does, so that a page with an error can be recognised.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block error -%}
<div class="output_error">
{{ super() }}
</div>
{%- endblock error %}
"""


def notebooks():
    """The notebooks of the learning path, in order (sorted by their NN_ prefix)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title_of(nb):
    """The `# ` heading of the first markdown cell (None if there is none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^# +(.+?)\s*$", cell.source, re.M)
            return m.group(1) if m else None
    return None


def goals_of(nb):
    """The "What you will build:" sentence of the first markdown cell, on one line."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"\*\*What you will build:\*\*(.*?)(?=\*\*|\n\n|$)", cell.source, re.S)
            return " ".join(m.group(1).split()) if m else None
    return None


WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("<p><em>An interactive panel is here in the notebook: run it in JupyterLab or on "
               "Binder to use it (the figures above show what it shows).</em></p>")
# nbconvert adds attributes (alt=...) before src, so match the whole tag
PNG_IMG = re.compile(r'<img\b[^>]*\bsrc="data:image/png;base64,')


def static_widgets(nb):
    """Replace widget outputs (dead in a static page) in place; return how many there were.

    A panel's text fallback (`HBox(children=(IntSlider(...` ) becomes a short note; a progress
    bar's (`training:   0%|`, its first state, not its last) is dropped.
    """
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            if WIDGET in out.get("data", {}):
                n += 1
                if not re.match(r"[A-Z]\w*\(", out.data.get("text/plain", "")):
                    continue
                out.data = {"text/html": WIDGET_NOTE}
            kept.append(out)
        cell.outputs = kept
    return n


def count_images(page):
    """How many PNG data-URI images an HTML page holds."""
    return len(PNG_IMG.findall(page))


def count_outputs(nb, mime="image/png"):
    """How many outputs of the notebook hold `mime` data."""
    return sum(mime in out.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


def count_errors(nb):
    return sum(out.output_type == "error"
               for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


def exporter():
    return HTMLExporter(template_name="lab", template_file="rnn_page.html.j2",
                        extra_loaders=[DictLoader({"rnn_page.html.j2": TEMPLATE})])


def inline_code(text):
    """Escape text for HTML, turning `code` spans into <code> elements."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def index_page(entries):
    """index.html: the title, one line of intro, the pages in learning-path order."""
    items = []
    for page, title, goals in entries:
        item = f'<a href="{html.escape(page)}">{html.escape(title)}</a>'
        if goals:
            item += f"<br>\n    <span class=\"goals\">You will build {inline_code(goals)}</span>"
        items.append(f"  <li>{item}</li>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{TITLE}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; }}
li {{ margin-bottom: 0.8em; }}
.goals {{ color: #555; }}
</style>
</head>
<body>
<h1>{TITLE}</h1>
<p>{html.escape(INTRO)}</p>
<ol>
{chr(10).join(items)}
</ol>
</body>
</html>
"""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else ROOT / "build" / "html"
    out.mkdir(parents=True, exist_ok=True)
    exp = exporter()
    entries, failed = [], []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        title = title_of(nb) or path.stem
        nb.metadata["title"] = title  # the page's <title>
        static_widgets(nb)
        body, _ = exp.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        page = path.stem + ".html"
        (out / page).write_text(body, encoding="utf-8")
        entries.append((page, title, goals_of(nb)))
        errors = count_errors(nb)
        images = count_images(body)
        print(f"{page}: {images} PNG images" + (f", {errors} ERROR OUTPUTS" if errors else ""))
        if errors:
            failed.append(path.name)
    (out / "index.html").write_text(index_page(entries), encoding="utf-8")
    print(f"{out / 'index.html'}: {len(entries)} pages")
    if failed:
        print("error outputs in: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
