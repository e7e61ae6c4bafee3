"""What the browser tests do in JupyterLab and Notebook 7: open, run all, find widgets.

Both UIs expose their application object (``expose_app_in_browser``) as ``window.jupyterapp``;
"Run All" goes through its command, the same one the Run menu calls. Widgets are then used
with the mouse and keyboard, as a learner would.
"""

import time

# The notebook panel of the current tab, in JupyterLab and in Notebook 7 alike.
_PANEL = "window.jupyterapp.shell.currentWidget"

# page.evaluate has no timeout of its own: a hung cell would stall the run forever.
_TIMEOUT = """(work, seconds, what) => Promise.race([work, new Promise((_, reject) =>
    setTimeout(() => reject(new Error(what + ' did not finish in ' + seconds + ' s')),
               seconds * 1000))])"""

_WAIT_FOR_KERNEL = f"""async () => {{
    const timeout = {_TIMEOUT};
    const panel = {_PANEL};
    await timeout(panel.context.ready.then(() => panel.sessionContext.ready), 120,
                  'starting the kernel');
    return panel.sessionContext.session.kernel.name;
}}"""

_RUN_ALL = f"""async () => {{
    const timeout = {_TIMEOUT};
    return await timeout(window.jupyterapp.commands.execute('notebook:run-all-cells'), 300,
                         'Run All');
}}"""

_ERRORS = f"""() => {{
    const found = [];
    for (const cell of {_PANEL}.content.widgets) {{
        if (cell.model.type !== 'code') continue;
        for (const out of cell.model.outputs.toJSON()) {{
            if (out.output_type === 'error') found.push(out.ename + ': ' + out.evalue);
            if (out.output_type === 'stream' && out.name === 'stderr') found.push(out.text);
        }}
    }}
    return found;
}}"""

_UNRUN = f"""() => {{
    let n = 0;
    for (const cell of {_PANEL}.content.widgets)
        if (cell.model.type === 'code' && cell.model.executionCount === null) n++;
    return n;
}}"""


# Per code cell with widget outputs: how many its model holds and how many are drawn (a
# rendered view is an output whose root element is a widget), and any widget error text.
_WIDGET_VIEWS = f"""() => {{
    const MIME = 'application/vnd.jupyter.widget-view+json';
    const cells = [];
    {_PANEL}.content.widgets.forEach((cell, index) => {{
        if (cell.model.type !== 'code') return;
        const views = cell.model.outputs.toJSON().filter(o => o.data && o.data[MIME]).length;
        if (!views) return;
        const drawn = [...cell.node.querySelectorAll('.jp-OutputArea-output')]
            .filter(out => out.firstElementChild
                           && out.firstElementChild.classList.contains('jupyter-widgets'));
        const text = drawn.map(out => out.textContent).join(' ');
        cells.push({{index, views, drawn: drawn.length,
                    broken: /Error displaying widget|Loading widget/.test(text)}});
    }});
    return cells;
}}"""


def widget_views(page, seconds=30):
    """[{index, views, drawn, broken}] for each code cell with widgets, once all are drawn.

    Waits up to ``seconds`` for the views to be drawn, then returns what is there.
    """
    deadline = time.monotonic() + seconds
    while True:
        cells = page.evaluate(_WIDGET_VIEWS)
        done = all(c["drawn"] == c["views"] and not c["broken"] for c in cells)
        if done or time.monotonic() > deadline:
            return cells
        page.wait_for_timeout(250)


def open_notebook(page, url):
    """Go to url (a notebook in either UI) and wait until its kernel is ready."""
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="attached")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext")
    return page.evaluate(_WAIT_FOR_KERNEL)


def run_all(page):
    """Run every cell (Run > Run All Cells) and wait until they are done.

    Asserts that every code cell ran and that none raised or wrote to stderr.
    """
    assert page.evaluate(_RUN_ALL) is True, page.evaluate(_ERRORS)
    assert page.evaluate(_ERRORS) == []
    assert page.evaluate(_UNRUN) == 0


def widget_cell(page, label):
    """The cell whose output holds a widget described by ``label`` (e.g. "hidden size")."""
    cell = page.locator(".jp-Cell").filter(
        has=page.locator(f".widget-label:text-is('{label}')"))
    cell.first.wait_for()
    cell.scroll_into_view_if_needed()
    return cell


def figure_source(cell):
    """The data URL of the (single) figure a widget cell displays."""
    img = cell.locator(".jp-OutputArea-output img")
    assert img.count() == 1, f"expected one figure in the widget cell, found {img.count()}"
    return img.get_attribute("src")


def wait_for_new_figure(cell, old, seconds=60):
    """Wait until the widget cell shows a figure other than ``old``; return its data URL.

    (An update replaces the output, so the ``<img>`` element itself is new: poll, don't watch.)
    """
    deadline = time.monotonic() + seconds
    while (src := figure_source(cell)) == old:
        assert time.monotonic() < deadline, f"the figure did not change in {seconds} s"
        cell.page.wait_for_timeout(200)
    return src


def record_figures(cell, status=r"^(Training|Sampling|Diverged)"):
    """Start recording the figures the cell's output shows; read them with ``recorded``.

    With each new figure it notes the text of the cell's HTML widget that matches the regex
    ``status`` (e.g. "Training: ..."), so a test can tell the frames drawn during a run.
    """
    cell.locator(".jp-OutputArea").first.evaluate("""(area, pattern) => {
        const status = new RegExp(pattern);
        window.__figures = [];
        const note = () => {
            const img = area.querySelector('img');
            const text = [...area.querySelectorAll('.widget-html-content')]
                .map(el => el.textContent).find(t => status.test(t)) || '';
            const last = window.__figures.at(-1);
            if (img && !(last && last[0] === img.src && last[1] === text))
                window.__figures.push([img.src, text]);
        };
        new MutationObserver(note).observe(area, {childList: true, subtree: true,
                                                  characterData: true, attributes: true});
    }""", status)


def recorded(page):
    """The (figure data URL, status text) pairs recorded since ``record_figures``, in order."""
    return [tuple(pair) for pair in page.evaluate("window.__figures")]


def slider(cell, label):
    """The ipywidgets slider described by ``label`` in ``cell``."""
    return cell.locator(".widget-slider").filter(
        has=cell.page.locator(f".widget-label:text-is('{label}')"))


def type_into_readout(cell, label, value):
    """Set a slider by typing into its readout (click it, type, press Enter)."""
    readout = slider(cell, label).locator(".widget-readout")
    readout.click()
    readout.press("Control+A")
    readout.type(str(value))
    readout.press("Enter")


def drag_slider(page, cell, label, value):
    """Drag a slider's handle with the mouse to about ``value``; return the readout it shows.

    ``value`` is in the slider's own units: the exponent, for a log slider. The range is
    read from the handle's ARIA attributes; the handle is pressed at its centre and released
    over the point of the track that stands for ``value``.
    """
    widget = slider(cell, label)
    handle, track = widget.locator(".noUi-handle"), widget.locator(".noUi-base")
    low, high = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax"))
    box, bar = handle.bounding_box(), track.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(bar["x"] + bar["width"] * (value - low) / (high - low), y, steps=10)
    page.mouse.up()
    return widget.locator(".widget-readout").inner_text()
