"""Notebooks 01 and 06 run as Colab runs them.

A throwaway environment stands in for Colab: ipywidgets 7.7 (Colab's) and older NumPy,
Matplotlib, tqdm and threadpoolctl than our pins, as Colab preinstalls them (the setup cell
installs nothing, so these are what the notebooks get), no rnn_helpers, and a stub
`google.colab` module. The
notebooks start in an empty folder, as in Colab's /content; their setup cell clones the
repository (a local copy of this work tree, tagged with the release tag) and imports the
package from it. This needs PyPI for the environment (about 30 s, cached by pip).
"""

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import links  # noqa: E402

ROOT = links.ROOT
COLAB_IPYWIDGETS = "7.7.1"
# Colab's preinstalled versions in 2025, all older than pyproject.toml's pins.
COLAB = [f"ipywidgets=={COLAB_IPYWIDGETS}", "numpy==2.0.2", "matplotlib==3.10.0", "tqdm==4.67.1",
         "threadpoolctl==3.5.0"]
NOTEBOOKS = ["01_characters_and_data.ipynb", "06_training_and_sampling.ipynb"]
RUN = """
import sys, nbformat, nbclient
for name in sys.argv[1:]:
    nb = nbformat.read(name, 4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": "."}}).execute()
    nbformat.write(nb, name)
"""
PROBE = ("import ipywidgets, rnn_helpers\n"
         "print('probe:', ipywidgets.__version__, rnn_helpers.__file__)")
# 06's panel, driven as a learner would: a short run, then the sample of the new model.
PRESS_TRAIN = ("panel.steps.value, panel.hidden.value = 50, 16\n"
               "panel.button.click()\n"
               "print('panel:', panel.status.value)")


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """(python of the Colab-like environment, folder with the stub google.colab)."""
    root = tmp_path_factory.mktemp("colab")
    venv.create(root / "env", with_pip=True)
    python = root / "env" / "bin" / "python"
    reqs = [*COLAB, "ipykernel", "nbclient", "nbformat"]
    result = subprocess.run([python, "-m", "pip", "install", "--quiet",
                             "--disable-pip-version-check", *reqs],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    stub = root / "stub" / "google" / "colab"
    stub.mkdir(parents=True)
    (stub.parent / "__init__.py").write_text("")
    (stub / "__init__.py").write_text('"""A stand-in for Colab\'s module."""\n')
    return python, stub.parent.parent


def tagged_copy_of_this_work_tree(dest):
    """A git repository holding this work tree's tracked files, tagged with the release tag."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(dest)]
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True)
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):  # uncommitted edits too: test what is here
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
        elif (dest / name).exists():
            (dest / name).unlink()
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "--quiet", "--allow-empty", "-m", "work tree"], check=True)
    subprocess.run([*git, "tag", links.release_tag()], check=True)


def test_notebooks_01_and_06_run_on_colab_with_ipywidgets_7(colab, tmp_path):
    python, stub = colab
    tagged_copy_of_this_work_tree(tmp_path / "origin")
    content = tmp_path / "content"
    content.mkdir()
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        setup = nb.cells[1].source
        assert setup == links.setup_cell()
        nb.cells[1].source = setup.replace(f'"{links.repository()}"',
                                           f'"file://{tmp_path / "origin"}"')
        if name.startswith("06"):
            nb.cells.append(nbformat.v4.new_code_cell(PRESS_TRAIN))
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        nbformat.write(nb, content / name)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(stub), "HOME": str(tmp_path)}
    result = subprocess.run([python, "-c", RUN, *NOTEBOOKS], cwd=content, env=env,
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    clone = content / "rnn-from-scratch"
    assert (clone / "data" / "corpus.txt").is_file()
    for name in NOTEBOOKS:
        nb = nbformat.read(content / name, as_version=4)
        assert nb.cells[1].outputs == []  # the setup cell is silent on Colab too
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                  if o.output_type == "error" or o.get("name") == "stderr"
                  and "Traceback" in o.get("text", "")]
        assert not errors, (name, errors)
        probe = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        assert probe.split()[:2] == ["probe:", COLAB_IPYWIDGETS]
        assert Path(probe.split()[2]).is_relative_to(clone)  # the package came from the clone
        if name.startswith("06"):
            status = "".join(o.get("text", "") for o in nb.cells[-2].outputs)
            assert status.startswith("panel: Sampling from your model"), status
