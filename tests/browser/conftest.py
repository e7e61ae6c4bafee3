"""Real-browser tests: JupyterLab and Notebook 7 driven by Playwright in Debian's Chromium.

The tests run when Chromium is present (``/usr/bin/chromium``, or ``$CHROMIUM``) and are
skipped, with the reason and how to enable them, when it is not. ``RNN_REQUIRE_BROWSER_TESTS=1``
(set by ``.ci/run``) turns that skip into a failure, so CI always runs them.

A session-wide fixture serves a copy of ``notebooks/`` (running a notebook in the browser
must not rewrite the committed outputs) with ``jupyter lab`` on 127.0.0.1, a random port and
a random token. Screenshots go to ``build/screenshots/`` (or ``$RNN_SCREENSHOTS``): they are
for people to look at, not compared pixel by pixel.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from processes import stop_process_group

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("RNN_REQUIRE_BROWSER_TESTS", "") not in ("", "0")
SCREENSHOTS = Path(os.environ.get("RNN_SCREENSHOTS", ROOT / "build" / "screenshots"))
HOW_TO_ENABLE = ("install Chromium (Debian: `sudo apt-get install chromium`; Ubuntu's package "
                 "is a snap, which cannot use Playwright's profile folder) or point $CHROMIUM "
                 "at a Chromium or Chrome binary, then run `make test` again")
# Chromium as root needs --no-sandbox; the rest keep it off the (closed) network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def missing_requirement():
    """Why the browser tests cannot run here (a sentence), or None if they can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}"
    return None  # (the playwright package is a pinned dev dependency: `make setup` has it)


@pytest.fixture(autouse=True, scope="session")
def _browser_requirements():
    """Skip every browser test, saying why and how to enable them, or fail when required."""
    reason = missing_requirement()
    if reason is None:
        from playwright.sync_api import expect

        expect.set_options(timeout=30_000)  # the default 5 s is short for a busy kernel
        # This run's pictures only: an old FAILED_*.png must not sit beside a green run.
        for pattern in ("jupyterlab_*.png", "notebook7_*.png", "FAILED_*.png"):
            for old in SCREENSHOTS.glob(pattern):
                old.unlink()
        return
    if REQUIRED:
        pytest.fail(f"browser tests are required (RNN_REQUIRE_BROWSER_TESTS is set) but "
                    f"cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; to run them, {HOW_TO_ENABLE}")


_saved = []  # the screenshots this run saved, for the summary


def pytest_terminal_summary(terminalreporter):
    reason = missing_requirement()
    if reason and not REQUIRED:
        terminalreporter.write_sep("!", f"BROWSER TESTS SKIPPED: {reason}")
        terminalreporter.write_line(f"To run them, {HOW_TO_ENABLE}.")
    if _saved:
        terminalreporter.write_sep("-", f"screenshots for people to look at: {SCREENSHOTS}")
        for path in _saved:
            terminalreporter.write_line(f"  {path.name}")


def free_port():
    """A TCP port that is free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, proc, log, seconds=90):
    """GET url until it answers 200; the server logs its URL slightly before it listens."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"jupyter lab did not answer at {url}:\n{log.read_text()}")
        time.sleep(0.5)


class JupyterServer:
    """A running ``jupyter lab``: its base URL and token, and URL builders for both UIs."""

    def __init__(self, base, token):
        self.base, self.token = base, token
        self.workspaces = 0

    def lab(self, notebook):
        """The JupyterLab URL that opens ``notebook`` (a file name in notebooks/) alone.

        Each call names a new workspace, so no tab of an earlier test is restored beside it.
        """
        self.workspaces += 1
        return (f"{self.base}/lab/workspaces/test-{self.workspaces}/tree/{notebook}"
                f"?token={self.token}")

    def classic(self, notebook):
        """The Notebook 7 URL that opens ``notebook``."""
        return f"{self.base}/notebooks/{notebook}?token={self.token}"


@pytest.fixture(scope="session")
def jupyter(tmp_path_factory):
    """``jupyter lab`` serving a copy of notebooks/ on 127.0.0.1 (random port and token)."""
    home = tmp_path_factory.mktemp("jupyter")
    root = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_*"))
    # No "get notified about Jupyter news?" toast over the widgets, no update checks.
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Own config, data and runtime folders: no user settings or workspaces leak in. And the
    # learner's JupyterLab of `make lab`: nbgrader's extensions off (tools/learner-jupyter/).
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_CONFIG_PATH=str(ROOT / "tools" / "learner-jupyter"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               BROWSER="true")
    log = home / "server.log"
    for attempt in range(3):  # another process may take the free port before the server does
        port, token = free_port(), secrets.token_hex(24)
        proc = start_jupyter(root, port, token, env, log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/api/status?token={token}", proc, log)
            break
        except (RuntimeError, TimeoutError):
            stop_process_group(proc)
            if attempt == 2 or "already in use" not in log.read_text():
                raise
    try:
        yield JupyterServer(base, token)
    finally:
        # On SIGTERM the server shuts its kernels down (they run in sessions of their own).
        stop_process_group(proc)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, SCREENSHOTS / "jupyter-server.log")  # beside them, for a failed run


def start_jupyter(root, port, token, env, log):
    """Start ``jupyter lab`` serving ``root`` on 127.0.0.1:port; its output goes to ``log``."""
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--JupyterNotebookApp.expose_app_in_browser=True",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    with open(log, "w") as out:
        return subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Debian Chromium under Playwright (no browser download), fresh profile."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report  # for the page fixture: screenshot a failed test
    return report


@pytest.fixture
def page(browser, request):
    """A fresh tab; closed after the test (with a screenshot of it if the test failed)."""
    tab = browser.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"FAILED_{request.node.name}.png"
        tab.screenshot(path=str(path), full_page=True)
        _saved.append(path)
    # Stop every kernel on the server (tests run one at a time): the next test starts its own.
    tab.evaluate("() => window.jupyterapp && window.jupyterapp.serviceManager.sessions"
                 ".shutdownAll()")
    tab.close()


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page, name, locator=None): save a PNG under SCREENSHOTS; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name, locator=None):
        path = SCREENSHOTS / f"{name}.png"
        (locator or page).screenshot(path=str(path))
        _saved.append(path)
        return path

    return save
