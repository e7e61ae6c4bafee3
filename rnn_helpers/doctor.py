"""``python -m rnn_helpers doctor``: is this environment the one the notebooks were made in?

It prints Python, this package and every pinned dependency against its pin, whether the
widgets' front-end extension is installed and matches ipywidgets, whether the default corpus
is found, and the BLAS library, kernel and thread count. Each problem gets one line saying
what is wrong and what to do; the exit status is the number of problems (0: healthy).

Every finding is computed by a small function of plain inputs, so tests can feed it a broken
environment without breaking their own.
"""

import importlib.metadata as metadata
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finding", "diagnose", "main"]

PROJECT = "rnn_helpers"
PIN = re.compile(r"([A-Za-z0-9_.-]+)==([0-9][A-Za-z0-9.]*)$")
WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"
SETUP_FIX = "run `make setup` (or `pip install -e .`) in the repository"


@dataclass
class Finding:
    """One line of the report: what was checked, whether it is fine, and the detail."""

    name: str
    ok: bool
    detail: str

    def line(self):
        """'✓ numpy 2.4.6 (pinned 2.4.6)' or '✗ numpy 2.3.0: ...'."""
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


def installed_version(name):
    """The installed version of distribution ``name``, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def pinned_requirements():
    """The exact pins (name -> version) this package depends on.

    From the installed package's metadata, or, when the repository is only on sys.path (as
    on Colab), from the pyproject.toml beside the package."""
    try:
        reqs = metadata.requires(PROJECT) or []
    except metadata.PackageNotFoundError:
        import tomllib

        path = Path(__file__).resolve().parent.parent / "pyproject.toml"
        reqs = tomllib.loads(path.read_text())["project"]["dependencies"]
    pins = {}
    for req in reqs:
        m = PIN.match(req.split(";")[0].strip())
        if m and "extra ==" not in req:
            pins[m.group(1)] = m.group(2)
    return pins


def python_finding(version, requires=">=3.11"):
    """Is the running Python new enough? version: a (major, minor, micro) tuple."""
    need = tuple(int(x) for x in requires.lstrip(">=").split("."))
    text = ".".join(str(v) for v in version)
    if tuple(version[: len(need)]) >= need:
        return Finding("python", True, f"{text} (needs {requires})")
    return Finding("python", False, f"{text} is too old: the package needs Python {requires}.")


def pin_findings(pins, version_of, *, on_colab=False):
    """One finding per pinned dependency: installed at exactly the pinned version?

    On Colab the notebooks run with Colab's own versions by design (installing the pins would
    force a restart): a difference is reported, not counted as a problem."""
    out = []
    for name, pinned in pins.items():
        got = version_of(name)
        if got is not None and got != pinned and on_colab:
            out.append(Finding(name, True, f"{got}, Colab's own (the notebooks were made with "
                                           f"{pinned}: last digits may differ)"))
        elif got == pinned:
            out.append(Finding(name, True, f"{got} (pinned {pinned})"))
        elif got is None:
            out.append(Finding(name, False, f"not installed (pinned {pinned}): {SETUP_FIX}."))
        else:
            out.append(Finding(name, False, f"{got} is installed, the notebooks were made with "
                                            f"{pinned}: outputs and widgets may differ; "
                                            f"{SETUP_FIX}."))
    return out


def widget_findings(version_of, requires_of, labextensions, *, on_colab=False):
    """Is the widgets' front end installed and does it match ipywidgets?

    version_of(name) and requires_of(name): installed version and requirements of a
    distribution. labextensions: {extension name: the distribution that installed it}.
    A mismatch here is what a learner sees as "Error displaying widget: model not found" or
    a text such as "IntSlider(...)" instead of a slider."""
    ipywidgets = version_of("ipywidgets")
    if ipywidgets is None:
        return [Finding("widgets", False, f"ipywidgets is not installed: {SETUP_FIX}.")]
    if on_colab:
        return [Finding("widgets", True, f"ipywidgets {ipywidgets}; Colab provides the front end")]
    from packaging.requirements import Requirement

    findings = []
    for req in map(Requirement, requires_of("ipywidgets") or []):
        if req.name.replace("-", "_") != "jupyterlab_widgets" or req.marker:
            continue
        got = version_of("jupyterlab_widgets")
        if got is None or got not in req.specifier:
            findings.append(Finding(
                "widgets front end", False,
                f"ipywidgets {ipywidgets} needs jupyterlab_widgets{req.specifier}, found "
                f"{got or 'none'}: widgets will not display; install both from the same pins "
                f"({SETUP_FIX}) and restart JupyterLab."))
    if WIDGET_MANAGER not in labextensions:
        findings.append(Finding(
            "widgets front end", False,
            f"JupyterLab's {WIDGET_MANAGER} extension is not installed in this environment: "
            f"widgets will not display; {SETUP_FIX} and start JupyterLab from the same "
            "environment (`make lab`)."))
    if not findings:
        findings.append(Finding("widgets front end", True,
                                f"ipywidgets {ipywidgets} with jupyterlab_widgets "
                                f"{version_of('jupyterlab_widgets')}"))
    return findings


def find_labextensions():
    """{extension name: the Python distribution that installed it} in Jupyter's data paths."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return {}
    found = {}
    for root in map(Path, jupyter_path("labextensions")):
        for install in root.glob("**/install.json"):
            name = install.parent.relative_to(root).as_posix()
            found.setdefault(name, json.loads(install.read_text()).get("packageName"))
    return found


def corpus_finding(path):
    """Is the default corpus where the notebooks look for it?"""
    if path.is_file() and path.stat().st_size > 0:
        return Finding("corpus", True, f"{path}")
    return Finding("corpus", False, f"{path} is missing: the package must be used from a clone of "
                                    "the repository (an editable install, `pip install -e .`), "
                                    "not a copy installed without data/.")


def blas_finding(info):
    """The BLAS NumPy uses, its kernel and threads (threadpoolctl.threadpool_info())."""
    blas = [i for i in info if i.get("user_api") == "blas"]
    if not blas:
        return Finding("BLAS", False, "NumPy reports no BLAS library: is NumPy installed from "
                                      "its wheels?")
    b = blas[0]
    kernel = b.get("architecture") or "unknown kernel"
    return Finding("BLAS", True, f"{b.get('internal_api')} {b.get('version')}, kernel {kernel}, "
                                 f"{b.get('num_threads')} thread(s) (rnn_helpers uses 1: see its "
                                 "docstring)")


def on_colab():
    """True inside Google Colab."""
    return "google.colab" in sys.modules or installed_version("google-colab") is not None


def diagnose():
    """Every finding for this environment."""
    import numpy as np  # noqa: F401  (loads the BLAS threadpoolctl reports)
    from threadpoolctl import threadpool_info

    from .data import DATA_DIR

    pins, colab = pinned_requirements(), on_colab()
    findings = [python_finding(sys.version_info[:3], _requires_python())]
    findings += pin_findings(pins, installed_version, on_colab=colab)
    findings += widget_findings(installed_version, _requires, find_labextensions(),
                                on_colab=colab)
    findings.append(corpus_finding(DATA_DIR / "corpus.txt"))
    findings.append(blas_finding(threadpool_info()))
    return findings


def _requires_python():
    """The package's Requires-Python (">=3.11" when it is not installed)."""
    try:
        return metadata.metadata(PROJECT)["Requires-Python"] or ">=3.11"
    except metadata.PackageNotFoundError:
        return ">=3.11"


def _requires(name):
    """The requirement strings of an installed distribution (None if not installed)."""
    try:
        return metadata.requires(name)
    except metadata.PackageNotFoundError:
        return None


def main(out=None):
    """Print the report; return the number of problems (the exit status)."""
    from . import __version__

    out = sys.stdout if out is None else out
    print(f"rnn_helpers {__version__} in {sys.prefix}", file=out)
    findings = diagnose()
    for f in findings:
        print(f.line(), file=out)
    problems = sum(not f.ok for f in findings)
    print("no problems found" if not problems else f"{problems} problem(s) found", file=out)
    return min(problems, 100)
