"""Binder builds from the pins CI tests.

repo2docker reads environment.yml, which takes only Python and pip from conda and installs
everything else from PyPI with pyproject.toml's exact pins (the package, editable, with its
`lab` extra): one list of versions, the one `make test` installs. Checked here by
repo2docker's own dry run (the Dockerfile it would build, no Docker needed) and by a pip
resolution of exactly that set, from wheels, for the Python Binder runs.
"""

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# How repo2docker's conda buildpack reads the Python version off a dependency line.
REPO2DOCKER_PYTHON = re.compile(r"python\s*=+\s*([\d\.]*)")
PIN = re.compile(r"([A-Za-z0-9_.-]+)==([0-9][A-Za-z0-9.]*)")


def binder_requirements():
    """What `pip install -e .[lab]` installs besides the project: its pins and the lab extra."""
    return PROJECT["dependencies"] + PROJECT["optional-dependencies"]["lab"]


def test_environment_yml_takes_python_and_pip_from_conda_and_the_rest_from_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert env["dependencies"] == ["python=3.11", "pip", {"pip": ["-e .[lab]"]}]
    found = [m.group(1) for d in env["dependencies"] if isinstance(d, str)
             if (m := REPO2DOCKER_PYTHON.match(d))]
    assert found == ["3.11"], f"repo2docker would read the Python version(s) {found}"
    assert PROJECT["requires-python"] == ">=3.11"


def test_every_requirement_is_pinned_and_make_test_installs_the_binder_set():
    extras = PROJECT["optional-dependencies"]
    for req in PROJECT["dependencies"] + [r for e in extras.values() for r in e]:
        assert PIN.fullmatch(req) or req.startswith("rnn_helpers["), f"{req!r} is not pinned"
    lab = {PIN.fullmatch(r).group(1) for r in extras["lab"]}
    assert lab == {"jupyterlab", "notebook"}  # both UIs a learner may open
    assert "rnn_helpers[lab]" in extras["dev"]  # so CI tests the versions Binder installs
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install .*-e '\.\[dev[,\]]", makefile)


def test_binder_uses_the_root_environment_and_needs_no_build_step():
    # A binder/ or .binder/ folder would hide the root environment.yml from repo2docker.
    for folder in ("binder", ".binder"):
        assert not (ROOT / folder).exists(), f"{folder}/ would replace environment.yml"
    for name in ("postBuild", "start", "requirements.txt", "Dockerfile", "apt.txt", "setup.py"):
        assert not (ROOT / name).exists(), f"{name}: Binder should need environment.yml only"


def test_widgets_need_no_build_step():
    # ipywidgets 8 brings its JupyterLab extension prebuilt (jupyterlab_widgets): no postBuild.
    ext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets"
    assert (ext / "jupyterlab-manager" / "package.json").is_file()


def test_repo2docker_dry_run_installs_the_repository_editable_after_copying_it():
    repo2docker = shutil.which("jupyter-repo2docker", path=str(BIN))
    assert repo2docker, "jupyter-repo2docker is pinned in the dev extra: run `make setup`"
    result = subprocess.run([repo2docker, "--no-build", "--no-run", "--user-id", "1000",
                             "--user-name", "jovyan", str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    # the base environment for Python 3.11 (file names are escaped: "." is -2e, "-" is -2d)
    assert any("environment-2epy-2d3-2e11-2dlinux-2d64-2elock" in line for line in lines)
    copy = [i for i, line in enumerate(lines)
            if re.fullmatch(r"COPY --chown=\S+ src/ \$\{REPO_DIR\}/", line)][0]
    update = [i for i, line in enumerate(lines)
              if re.search(r'env update -p \$\{NB_PYTHON_PREFIX\} --file "environment.yml"', line)]
    assert update and update[0] > copy, "environment.yml (with -e .) must run after the copy"
    # no other installation of the project, and no bare non-editable one that loses data/
    assert not [line for line in lines if re.search(r"pip install\b(?!.*-e)(.*\s)?\.(\s|$)", line)]
    assert not [line for line in lines if "requirements.txt" in line or "setup.py" in line]


def test_pypi_resolves_exactly_what_binder_installs_from_wheels(tmp_path):
    """pip's dry run for CPython 3.11 on manylinux x86-64, wheels only (this needs PyPI)."""
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
           "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
           "--abi", "cp311", "--platform", "manylinux_2_28_x86_64",
           "--platform", "manylinux2014_x86_64", "--platform", "linux_x86_64",
           "--target", str(tmp_path / "target"), "--quiet", "--report", str(report),
           *binder_requirements()]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"pip cannot resolve Binder's set:\n{result.stderr[-3000:]}"
    installed = {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"]
                 for i in json.loads(report.read_text())["install"]}
    for req in binder_requirements():
        name, version = PIN.fullmatch(req).groups()
        assert installed.get(name.lower().replace("_", "-")) == version, req
