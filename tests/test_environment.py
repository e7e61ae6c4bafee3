"""Binder's environment.yml and the pip path (pyproject.toml) pin the same versions."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    """name -> version of environment.yml's conda dependencies (a flat list: no YAML lib)."""
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


def test_environment_yml_uses_conda_forge_and_python_3_11():
    pins, channels = conda_pins()
    assert channels == ["conda-forge"]
    # repo2docker reads the Python version from a `python=X.Y` line
    assert pins["python"] == "3.11"


def test_environment_yml_pins_match_pyproject():
    pins, _ = conda_pins()
    pip = pip_pins()
    shared = {k: v for k, v in pins.items() if k not in ("python", "pip")}
    assert shared, "environment.yml lists no packages"
    for name, version in shared.items():
        assert name in pip, f"{name} is in environment.yml but not pinned in pyproject.toml"
        assert version == pip[name], f"{name}: environment.yml {version}, pyproject {pip[name]}"
    runtime = {"numpy", "matplotlib", "ipywidgets", "tqdm", "threadpoolctl", "jupyterlab"}
    assert runtime <= set(shared), f"Binder lacks {runtime - set(shared)}"
