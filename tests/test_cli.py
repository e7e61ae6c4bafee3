"""Tests for the command line, ``python -m rnn_helpers train|sample``.

One real training run and two sampling runs go through a subprocess (exit status, stdout,
the checkpoint on disk); everything else runs in-process through ``main`` or the
subcommands to keep the suite fast.
"""

import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import rnn_helpers.__main__ as cli
from rnn_helpers import CharVocab, evaluate, load_checkpoint

ROOT = Path(__file__).resolve().parent.parent
PRIME = "the "


def _make_corpus(path, n_lines=300, seed=0):
    """A small deterministic text: simple sentences from a few words."""
    rng = np.random.default_rng(seed)
    subjects = ["the cat", "a dog", "the bird", "my friend"]
    verbs = ["sees", "likes", "finds", "follows"]
    objects = ["the ball", "a tree", "the river", "some bread"]
    lines = [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}."
             for _ in range(n_lines)]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def _run(args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run([sys.executable, "-m", "rnn_helpers", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Train once through a subprocess; share the corpus, checkpoint and output."""
    tmp = tmp_path_factory.mktemp("cli")
    corpus = tmp / "corpus.txt"
    text = _make_corpus(corpus)
    out = tmp / "tmp" / "x.npz"
    out.parent.mkdir()
    proc = _run(["train", "--corpus", str(corpus), "--hidden", "16", "--steps", "50",
                 "--batch-size", "4", "--seq-length", "16", "--no-progress",
                 "--sample-every", "25", "--out", str(out)], cwd=tmp)
    return {"tmp": tmp, "corpus": corpus, "text": text, "out": out, "proc": proc}


# --- train through a subprocess -----------------------------------------------------------


def test_train_exits_cleanly_and_writes_a_checkpoint(trained):
    proc = trained["proc"]
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert trained["out"].is_file()
    assert f"saved {trained['out']}" in proc.stdout
    assert sorted(p.name for p in trained["out"].parent.iterdir()) == ["x.npz"]


def test_train_checkpoint_contents(trained):
    params, vocab, meta = load_checkpoint(trained["out"])
    text = trained["text"]
    assert vocab == CharVocab.from_text(text)
    assert params["U"].shape == (16, len(vocab))
    assert params["W"].shape == (16, 16)
    assert params["U"].dtype == np.float32  # the CLI's default dtype
    assert meta["steps"] == 50 and meta["seq_length"] == 16 and meta["batch_size"] == 4
    assert meta["corpus"] == str(trained["corpus"])
    assert "entropy_rate" not in meta  # only known for the default corpus


def test_train_prints_the_validation_loss(trained):
    out = trained["proc"].stdout
    m = re.search(r"validation loss: ([0-9.]+) nats/char \(([0-9.]+) bits/char\)", out)
    assert m, out
    nats, bits = float(m.group(1)), float(m.group(2))
    assert bits == pytest.approx(nats / math.log(2), abs=2e-4)
    params, vocab, meta = load_checkpoint(trained["out"])
    assert meta["val_loss"] == pytest.approx(nats, abs=1e-4)
    # the reported loss is the final model's loss on the last 10% of the corpus
    data = vocab.encode(trained["text"])
    val = data[len(data) - round(0.1 * len(data)):]
    assert evaluate(params, val, seq_length=16) == pytest.approx(meta["val_loss"], rel=1e-6)
    assert nats < math.log(len(vocab))  # it learnt something in 50 steps
    assert "entropy rate" not in out


def test_train_prints_samples(trained):
    out = trained["proc"].stdout
    vocab = set(trained["text"])
    for step, nxt in ((25, r"step 50:"), (50, r"trained 50 steps")):
        m = re.search(rf"step {step}: loss [0-9.]+ nats/char\n(.*?)\n{nxt}", out, re.S)
        assert m, out
        sample = m.group(1)
        assert 100 <= len(sample) <= 160
        assert set(sample) <= vocab


# --- sample through a subprocess ----------------------------------------------------------


def test_sample_starts_with_the_prime_and_is_deterministic(trained):
    args = ["sample", str(trained["out"]), "--prime", PRIME, "--length", "50", "--seed", "1"]
    a = _run(args, cwd=trained["tmp"])
    b = _run(args, cwd=trained["tmp"])
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    text = a.stdout
    assert text.endswith("\n")
    text = text[:-1]
    assert text.startswith(PRIME)
    assert len(text) == len(PRIME) + 50
    assert set(text) <= set(trained["text"])
    # the same as the library call with the CLI's documented default temperature 0.8
    params, vocab, _ = load_checkpoint(trained["out"])
    from rnn_helpers import sample_text

    assert text[len(PRIME):] == sample_text(params, vocab, 50, prime=PRIME, temperature=0.8,
                                            rng=1)


def test_bad_input_in_a_subprocess_has_no_traceback(tmp_path):
    proc = _run(["train", "--corpus", str(tmp_path / "missing.txt"), "--steps", "2",
                 "--no-progress", "--out", str(tmp_path / "m.npz")], cwd=tmp_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "missing.txt" in proc.stderr and "error" in proc.stderr.lower()
    assert list(tmp_path.iterdir()) == []


# --- in-process -------------------------------------------------------------------------------


def _train_in_process(argv):
    """Run the train subcommand as main() would, capturing its output."""
    args = cli.build_parser().parse_args(argv)
    buf = io.StringIO()
    history = cli.cmd_train(args, out=buf)
    return buf.getvalue(), history


def test_train_on_the_default_corpus_reports_the_entropy_rate_and_gap(tmp_path):
    out_path = tmp_path / "d.npz"
    out, history = _train_in_process(
        ["train", "--corpus", "default", "--steps", "20", "--hidden", "16", "--batch-size",
         "8", "--seq-length", "16", "--no-progress", "--sample-every", "0",
         "--out", str(out_path)])
    info = json.loads((ROOT / "data" / "corpus.json").read_text(encoding="utf-8"))
    val = float(re.search(r"validation loss: ([0-9.]+) nats/char", out).group(1))
    m = re.search(r"entropy rate[^:]*: ([0-9.]+) nats/char; gap (-?[0-9.]+) nats/char", out)
    assert m, out
    rate, gap = float(m.group(1)), float(m.group(2))
    assert rate == pytest.approx(info["entropy_rate_nats_per_char"], abs=1e-4)
    assert gap == pytest.approx(val - rate, abs=2e-4)
    assert gap > 0  # 20 steps cannot beat the entropy rate
    _, _, meta = load_checkpoint(out_path)
    assert meta["entropy_rate"] == info["entropy_rate_nats_per_char"]
    assert meta["val_loss"] == history.val_losses[-1]
    assert "step " not in out  # --sample-every 0: no samples


def test_sample_subcommand_in_process(trained):
    args = cli.build_parser().parse_args(
        ["sample", str(trained["out"]), "--prime", PRIME, "--length", "30", "--seed", "4",
         "--temperature", "1e-6"])
    a, b = io.StringIO(), io.StringIO()
    cli.cmd_sample(args, out=a)
    cli.cmd_sample(args, out=b)
    assert a.getvalue() == b.getvalue()
    assert a.getvalue().startswith(PRIME) and len(a.getvalue()) == len(PRIME) + 31


def test_missing_corpus_file(tmp_path, capsys):
    rc = cli.main(["train", "--corpus", str(tmp_path / "nope.txt"), "--steps", "2",
                   "--no-progress", "--out", str(tmp_path / "m.npz")])
    err = capsys.readouterr().err
    assert rc != 0
    assert err.startswith("error:") and "nope.txt" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_checkpoint(tmp_path, capsys):
    rc = cli.main(["sample", str(tmp_path / "none.npz")])
    err = capsys.readouterr().err
    assert rc != 0
    assert "error:" in err and "none.npz" in err


def test_corrupt_checkpoint(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["sample", str(bad)]) != 0
    assert "bad.npz" in capsys.readouterr().err


def test_prime_outside_the_vocabulary(trained, capsys):
    rc = cli.main(["sample", str(trained["out"]), "--prime", "the #", "--length", "5"])
    err = capsys.readouterr().err
    assert rc != 0
    assert "'#'" in err


def test_corpus_too_short(tmp_path, capsys):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("abcabc", encoding="utf-8")
    rc = cli.main(["train", "--corpus", str(tiny), "--steps", "2", "--no-progress",
                   "--out", str(tmp_path / "m.npz")])
    assert rc != 0
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["train", "--hidden", "0"],
    ["train", "--steps", "-5"],
    ["train", "--lr", "0"],
    ["train", "--optimizer", "rmsprop"],
    ["sample", "x.npz", "--temperature", "0"],
    ["sample", "x.npz", "--length", "0"],
    ["sample"],
    [],
], ids=" ".join)
def test_bad_arguments_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "error:" in err


def test_hidden_zero_message(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--hidden", "0"])
    assert "must be positive" in capsys.readouterr().err


# --- known problems ---------------------------------------------------------------------------


def test_main_output_follows_sys_stdout(trained):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cli.main(["sample", str(trained["out"]), "--prime", PRIME, "--length", "10"])
    assert rc == 0
    assert buf.getvalue().startswith(PRIME)


def test_diverging_training_is_a_clean_error(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    _make_corpus(corpus, n_lines=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rc = cli.main(["train", "--corpus", str(corpus), "--hidden", "8", "--steps", "20",
                       "--batch-size", "2", "--seq-length", "8", "--optimizer", "sgd",
                       "--lr", "1e308", "--no-progress", "--out", str(tmp_path / "m.npz")])
    assert rc != 0
    assert "step" in capsys.readouterr().err


def test_unwritable_out_fails_before_training(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "c.txt"
    _make_corpus(corpus, n_lines=100)
    calls = []
    real_train = cli.train

    def spy(*args, **kwargs):
        calls.append(1)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(cli, "train", spy)
    rc = cli.main(["train", "--corpus", str(corpus), "--hidden", "8", "--steps", "2",
                   "--batch-size", "2", "--seq-length", "8", "--no-progress",
                   "--out", str(tmp_path / "no" / "such" / "dir" / "m.npz")])
    assert rc != 0
    assert calls == [], "training ran although the checkpoint could not be written"


# --- the gated cells ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["lstm", "gru"])
def trained_gated(request, tmp_path_factory):
    """A tiny LSTM or GRU trained for a few steps through a subprocess, with the progress
    bar, in a temporary folder and without --out (so it saves CELL.npz there)."""
    cell = request.param
    tmp = tmp_path_factory.mktemp(cell)
    corpus = tmp / "corpus.txt"
    text = _make_corpus(corpus, n_lines=150)
    proc = _run(["train", "--cell", cell, "--corpus", str(corpus), "--hidden", "12",
                 "--steps", "20", "--batch-size", "4", "--seq-length", "12",
                 "--sample-every", "10", "--dtype", "float64"], cwd=tmp)
    return {"cell": cell, "tmp": tmp, "text": text, "out": tmp / f"{cell}.npz", "proc": proc}


def test_train_a_gated_cell(trained_gated):
    from rnn_helpers.cells import cell_of

    proc, cell = trained_gated["proc"], trained_gated["cell"]
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in trained_gated["tmp"].iterdir()) == ["corpus.txt",
                                                                      f"{cell}.npz"]
    assert f"{cell.upper()}, H=12, T=12, B=4" in proc.stdout
    assert re.search(r"training: 100%.*20/20", proc.stderr), proc.stderr  # the progress bar
    params, vocab, meta = load_checkpoint(trained_gated["out"])
    assert cell_of(params) == cell
    gates = {"lstm": 4, "gru": 3}[cell]
    assert params["W"].shape == (gates * 12, 12) and params["U"].shape == (gates * 12, len(vocab))
    assert meta["steps"] == 20
    # the samples printed at steps 10 and 20, and the validation loss of the saved model
    for step, nxt in ((10, r"step 20:"), (20, r"trained 20 steps")):
        m = re.search(rf"step {step}: loss [0-9.]+ nats/char\n(.*?)\n{nxt}", proc.stdout, re.S)
        assert m, proc.stdout
        assert 100 <= len(m.group(1)) <= 160 and set(m.group(1)) <= set(trained_gated["text"])
    val = float(re.search(r"validation loss: ([0-9.]+) nats/char", proc.stdout).group(1))
    data = vocab.encode(trained_gated["text"])
    held_out = data[len(data) - round(0.1 * len(data)):]
    assert evaluate(params, held_out, seq_length=12) == pytest.approx(val, abs=1e-4)
    assert val < math.log(len(vocab))


def test_sample_a_gated_checkpoint(trained_gated):
    from rnn_helpers import sample_text

    args = ["sample", str(trained_gated["out"]), "--prime", PRIME, "--length", "40",
            "--seed", "2"]
    proc = _run(args, cwd=trained_gated["tmp"])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout[:-1]
    assert text.startswith(PRIME) and len(text) == len(PRIME) + 40
    params, vocab, _ = load_checkpoint(trained_gated["out"])
    assert text[len(PRIME):] == sample_text(params, vocab, 40, prime=PRIME, temperature=0.8,
                                            rng=2)


def test_an_unknown_cell_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--cell", "transformer"])
    assert exc.value.code == 2
    assert "invalid choice: 'transformer'" in capsys.readouterr().err
