"""`python -m rnn_helpers doctor`: a healthy environment passes, each kind of problem is named."""

import subprocess
import sys
from pathlib import Path

import rnn_helpers as rh
from rnn_helpers import doctor

ROOT = Path(__file__).resolve().parent.parent


def run_doctor(env_path=None):
    """Run the doctor in a fresh interpreter; PYTHONPATH=env_path shadows distributions."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(env_path)} if env_path else None
    return subprocess.run([sys.executable, "-m", "rnn_helpers", "doctor"], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_this_environment_is_healthy():
    result = run_doctor()
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"rnn_helpers {rh.__version__} in ")
    assert lines[-1] == "no problems found"
    for name, pinned in doctor.pinned_requirements().items():
        assert f"✓ {name}: {pinned} (pinned {pinned})" in lines
    assert any(line.startswith("✓ widgets front end: ipywidgets ") for line in lines)
    assert any(line.startswith("✓ BLAS: openblas") for line in lines)


def test_a_mismatched_version_is_reported_and_fails(tmp_path):
    # a distribution found first on sys.path is what importlib.metadata reports
    fake = tmp_path / "matplotlib-3.9.0.dist-info"
    fake.mkdir()
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: matplotlib\nVersion: 3.9.0\n")
    result = run_doctor(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    pinned = doctor.pinned_requirements()["matplotlib"]
    assert (f"✗ matplotlib: 3.9.0 is installed, the notebooks were made with {pinned}"
            in result.stdout)
    assert result.stdout.splitlines()[-1] == "1 problem(s) found"


def test_the_pins_are_the_packages_dependencies():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert doctor.pinned_requirements() == dict(d.split("==") for d in deps)


def test_pins_missing_and_mismatched():
    found = doctor.pin_findings({"numpy": "2.4.6", "tqdm": "4.70.1", "foo": "1.0"},
                                {"numpy": "2.4.6", "tqdm": "4.60.0"}.get)
    assert [f.ok for f in found] == [True, False, False]
    assert found[1].line().startswith("✗ tqdm: 4.60.0 is installed, the notebooks were made "
                                      "with 4.70.1")
    assert "not installed (pinned 1.0)" in found[2].line()
    colab = doctor.pin_findings({"numpy": "2.4.6"}, {"numpy": "2.0.2"}.get, on_colab=True)
    assert colab[0].ok and "2.0.2, Colab's own" in colab[0].detail


def test_widget_front_end_mismatch_and_absence():
    versions = {"ipywidgets": "8.1.9", "jupyterlab_widgets": "1.1.0"}
    requires = {"ipywidgets": ["jupyterlab_widgets~=3.0.17", "pytest; extra == 'test'"]}
    lab = {doctor.WIDGET_MANAGER: "jupyterlab_widgets"}
    bad = doctor.widget_findings(versions.get, requires.get, lab)
    assert [f.ok for f in bad] == [False]
    assert ("needs jupyterlab_widgets~=3.0.17, found 1.1.0: widgets will not display"
            in bad[0].detail)
    missing = doctor.widget_findings({**versions, "jupyterlab_widgets": "3.0.17"}.get,
                                     requires.get, {})
    assert [f.ok for f in missing] == [False]
    assert "extension is not installed" in missing[0].detail
    good = doctor.widget_findings({**versions, "jupyterlab_widgets": "3.0.17"}.get,
                                  requires.get, lab)
    assert [f.ok for f in good] == [True]
    colab = doctor.widget_findings({"ipywidgets": "7.7.1"}.get, requires.get, {}, on_colab=True)
    assert colab[0].ok and "Colab provides the front end" in colab[0].detail
    assert not doctor.widget_findings({}.get, requires.get, lab)[0].ok


def test_python_corpus_and_blas(tmp_path):
    assert doctor.python_finding((3, 11, 7), ">=3.11").ok
    old = doctor.python_finding((3, 10, 12), ">=3.11")
    assert not old.ok and "3.10.12 is too old" in old.detail
    assert doctor.corpus_finding(ROOT / "data" / "corpus.txt").ok
    assert not doctor.corpus_finding(tmp_path / "corpus.txt").ok
    assert not doctor.blas_finding([]).ok
    blas = doctor.blas_finding([{"user_api": "blas", "internal_api": "openblas",
                                 "version": "0.3.31", "architecture": "Haswell",
                                 "num_threads": 1}])
    assert blas.ok and "openblas 0.3.31, kernel Haswell, 1 thread(s)" in blas.detail
