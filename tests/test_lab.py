"""`make lab` serves JupyterLab on loopback, with the notebooks at its root."""

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from processes import stop_process_group

ROOT = Path(__file__).resolve().parent.parent


def _get_when_up(url, seconds=30):
    """GET url, retrying while the server is still starting (it logs its URL a bit early)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                assert resp.status == 200
                return resp.read()
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "jupyter").exists(), reason="needs make setup")
def test_make_lab_serves_jupyterlab_on_loopback():
    env = dict(os.environ, BROWSER="true")  # `true` as the browser: nothing opens
    proc = subprocess.Popen(
        ["make", "-s", "lab", "LAB_ARGS=--no-browser --ServerApp.port=0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        url, log, deadline = None, [], time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            log.append(line)
            m = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", line)
            url = m and m.groups()
        assert url, "no URL with a token printed:\n" + "".join(log[-20:])
        base, token = url
        page = _get_when_up(f"{base}/lab?token={token}")
        assert b"JupyterLab" in page
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=10) as resp:
            names = {item["name"] for item in json.load(resp)["content"]}
        assert any(re.fullmatch(r"01_.*\.ipynb", n) for n in names), names
    finally:
        stop_process_group(proc)
