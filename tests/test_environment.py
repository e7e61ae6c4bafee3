"""Binder is ready: environment.yml is what repo2docker expects, and it pins the same versions
as the pip path (pyproject.toml) that `make test` installs and CI tests."""

import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import unquote

import yaml

ROOT = Path(__file__).resolve().parent.parent
# How repo2docker's conda buildpack reads the Python version off a dependency line.
REPO2DOCKER_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")


def pip_pins():
    """name -> version for every exact pin in pyproject.toml (dependencies and extras)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values()
                                      for r in extra]
    pins = {}
    for req in reqs:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][A-Za-z0-9.]*)", req)
        assert m, f"pyproject.toml: {req!r} is not pinned with =="
        pins[m.group(1).lower()] = m.group(2)
    return pins


def conda_pins():
    """name -> version of environment.yml's conda dependencies, and its channels.

    Read line by line, the way a person reads the file; the YAML test checks it agrees."""
    pins, channels, section = {}, [], None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            section = line.split(":")[0]
            continue
        m = re.fullmatch(r"  - ([A-Za-z0-9_.-]+)(?:=([^=\s]+))?", line)
        if section == "channels":
            channels.append(line.strip("- ").strip())
        elif section == "dependencies" and m:
            pins[m.group(1).lower()] = m.group(2)
    return pins, channels


def test_environment_yml_parses_as_yaml_with_the_flat_layout_read_here():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert set(env) == {"name", "channels", "dependencies"}
    pins, channels = conda_pins()
    assert env["channels"] == channels
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert [d.split("=")[0] for d in conda] == list(pins)
    assert [d for d in env["dependencies"] if not isinstance(d, str)] == [{"pip": ["-e ."]}]


def test_environment_yml_uses_conda_forge_and_python_3_11():
    pins, channels = conda_pins()
    assert channels == ["conda-forge"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = [m.group(1) for d in env["dependencies"] if isinstance(d, str)
             if (m := REPO2DOCKER_PYTHON.match(d))]
    assert found == ["3.11"], f"repo2docker would read the Python version(s) {found}"
    assert pins["python"] == "3.11"


def test_environment_yml_pins_match_pyproject():
    pins, _ = conda_pins()
    pip = pip_pins()
    shared = {k: v for k, v in pins.items() if k not in ("python", "pip")}
    assert shared, "environment.yml lists no packages"
    for name, version in shared.items():
        assert name in pip, f"{name} is in environment.yml but not pinned in pyproject.toml"
        assert version == pip[name], f"{name}: environment.yml {version}, pyproject {pip[name]}"
    # Everything the notebooks import, and both UIs a learner may open.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {re.split("[=<>]", r)[0].lower() for r in project["dependencies"]}
    runtime |= {"jupyterlab", "notebook"}
    assert runtime <= set(shared), f"Binder lacks {runtime - set(shared)}"


def test_binder_uses_the_root_environment_and_needs_no_build_step():
    # A binder/ or .binder/ folder would hide the root environment.yml from repo2docker.
    for folder in ("binder", ".binder"):
        assert not (ROOT / folder).exists(), f"{folder}/ would replace environment.yml"
    for name in ("postBuild", "start", "requirements.txt", "Dockerfile", "apt.txt"):
        assert not (ROOT / name).exists(), f"{name}: Binder should need environment.yml only"


def test_widgets_need_no_build_step():
    # ipywidgets 8 brings its JupyterLab extension prebuilt (jupyterlab_widgets): no postBuild.
    ext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets"
    assert (ext / "jupyterlab-manager" / "package.json").is_file()


def test_readme_binder_badge_opens_notebook_01_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"https://mybinder\.org/v2/gh/[^/\s]+/rnn-from-scratch/HEAD\?labpath=([^)\s]+)",
                  readme)
    assert m, "no Binder badge link in README.md"
    path = unquote(m.group(1))
    assert re.fullmatch(r"notebooks/01_\w+\.ipynb", path), path
    assert (ROOT / path).is_file(), f"the badge opens {path}, which does not exist"
