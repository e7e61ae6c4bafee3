"""Without Chromium the browser tests are skipped, saying so; when required, they fail."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_browser_tests(**env):
    """pytest tests/browser in a subprocess with ``env`` added: (exit code, output)."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "tests/browser", "-p",
                           "no:cacheprovider"], cwd=ROOT, env=dict(os.environ, **env),
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_without_chromium_they_are_skipped_with_how_to_enable_them():
    code, out = run_browser_tests(CHROMIUM="/nonexistent/chromium", RNN_REQUIRE_BROWSER_TESTS="")
    assert code == 0, out
    assert "BROWSER TESTS SKIPPED: no Chromium at /nonexistent/chromium" in out
    assert "apt-get install chromium" in out
    assert " passed" not in out and " skipped" in out


def test_when_required_a_missing_chromium_fails_the_run():
    code, out = run_browser_tests(CHROMIUM="/nonexistent/chromium", RNN_REQUIRE_BROWSER_TESTS="1")
    assert code != 0
    assert "browser tests are required" in out
    assert "SKIPPED" not in out
