"""Tests for rnn_helpers.checkpoint: round trips, atomic writes and clear errors."""

import os
import zipfile

import numpy as np
import pytest
from cases import make_model

import rnn_helpers.checkpoint as ckpt_module
from rnn_helpers import PARAM_NAMES, CharVocab, init_params, load_checkpoint, save_checkpoint

VOCAB = CharVocab.from_text("abc é\n😀Z")
META = {"corpus": "default", "steps": 300, "val_loss": 1.2345678901234567, "lr": 3e-3,
        "note": "ça marche", "hidden": [1, 2, 3], "nested": {"a": None, "b": True}}


def _params(dtype=np.float64, K=None, H=6, seed=0):
    K = len(VOCAB) if K is None else K
    p = init_params(K, H, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed)
    p["b"] = rng.normal(size=H).astype(dtype)  # nonzero, so their round trip is tested
    p["c"] = rng.normal(size=K).astype(dtype)
    return p


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def _arrays(path):
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip(tmp_path, dtype):
    params = _params(dtype)
    path = tmp_path / "model.npz"
    returned = save_checkpoint(path, params, VOCAB, **META)
    assert os.fspath(returned) == os.fspath(path)
    assert _files(tmp_path) == ["model.npz"]  # no temporary file left behind
    p2, v2, meta = load_checkpoint(path)
    assert set(p2) == set(PARAM_NAMES)
    for k in PARAM_NAMES:
        assert p2[k].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(p2[k], params[k])
    assert v2 == VOCAB
    assert v2.chars == VOCAB.chars  # incl. 'é', '\n' and a character outside the BMP
    assert v2.decode(v2.encode("é\n😀")) == "é\n😀"
    assert meta == META
    assert meta["val_loss"] == META["val_loss"]  # floats survive exactly


def test_round_trip_str_path_and_empty_meta(tmp_path):
    params = _params()
    path = str(tmp_path / "m.npz")
    save_checkpoint(path, params, VOCAB)
    _, _, meta = load_checkpoint(path)
    assert meta == {}


def test_overwrite_replaces_the_checkpoint(tmp_path):
    path = tmp_path / "m.npz"
    save_checkpoint(path, _params(seed=1), VOCAB, version=1)
    new = _params(seed=2)
    save_checkpoint(path, new, VOCAB, version=2)
    p, _, meta = load_checkpoint(path)
    assert meta == {"version": 2}
    np.testing.assert_array_equal(p["W"], new["W"])
    assert _files(tmp_path) == ["m.npz"]


def test_file_holds_only_plain_arrays(tmp_path):
    """The file loads with allow_pickle=False outright: no object arrays inside."""
    path = tmp_path / "m.npz"
    save_checkpoint(path, _params(), VOCAB, **META)
    with np.load(path, allow_pickle=False) as z:
        for k in z.files:
            assert z[k].dtype != object


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_write_is_atomic(tmp_path, monkeypatch, exc):
    path = tmp_path / "m.npz"
    old = _params(seed=1)
    save_checkpoint(path, old, VOCAB, version=1)
    before = path.read_bytes()
    real_savez = np.savez

    def failing_savez(file, **arrays):
        real_savez(file, **{k: arrays[k] for k in list(arrays)[:2]})  # part of the data
        raise exc

    monkeypatch.setattr(ckpt_module.np, "savez", failing_savez)
    with pytest.raises(type(exc)):
        save_checkpoint(path, _params(seed=2), VOCAB, version=2)
    monkeypatch.undo()
    assert path.read_bytes() == before  # the previous checkpoint is untouched
    assert _files(tmp_path) == ["m.npz"]  # and no temporary file is left
    p, _, meta = load_checkpoint(path)
    assert meta == {"version": 1}
    np.testing.assert_array_equal(p["U"], old["U"])


def test_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    def failing_savez(file, **arrays):
        file.write(b"PK\x03\x04 partial")
        raise OSError("disk full")

    monkeypatch.setattr(ckpt_module.np, "savez", failing_savez)
    with pytest.raises(OSError):
        save_checkpoint(tmp_path / "m.npz", _params(), VOCAB)
    monkeypatch.undo()
    assert _files(tmp_path) == []


# --- load errors ----------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "nope.npz")
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path)  # a directory


def _good_file(tmp_path):
    path = tmp_path / "m.npz"
    save_checkpoint(path, _params(), VOCAB, **META)
    return path


@pytest.mark.parametrize("cut", [0, 10, 100, "half", -20])
def test_truncated_file(tmp_path, cut):
    path = _good_file(tmp_path)
    data = path.read_bytes()
    n = {"half": len(data) // 2}.get(cut, cut)
    path.write_bytes(data[:n])
    with pytest.raises(ValueError, match="corrupt|not a checkpoint"):
        load_checkpoint(path)


@pytest.mark.parametrize("member", ["param_W.npy", "param_c.npy", "vocab.npy", "meta.npy"])
def test_damaged_member_data(tmp_path, member):
    """Flip bytes in the middle of one stored array: the zip CRC check must catch it."""
    path = _good_file(tmp_path)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    i = start + info.compress_size // 2
    data[i:i + 4] = bytes(b ^ 0xFF for b in data[i:i + 4])
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt|not a checkpoint|not a valid"):
        load_checkpoint(path)


@pytest.mark.parametrize("content", ["text", "random"])
def test_not_a_zip_file_raises_valueerror(tmp_path, content):
    path = tmp_path / "m.npz"
    if content == "text":
        path.write_text("this is not a checkpoint\n" * 20, encoding="utf-8")
    else:
        path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ValueError):
        load_checkpoint(path)


@pytest.mark.parametrize("content", ["text", "random", "3 bytes of a zip header"])
def test_not_a_zip_file_message(tmp_path, content):
    path = tmp_path / "m.npz"
    if content == "text":
        path.write_text("this is not a checkpoint\n" * 20, encoding="utf-8")
    elif content == "random":
        path.write_bytes(np.random.default_rng(0).bytes(2000))
    else:
        path.write_bytes(b"PK\x03")
    with pytest.raises(ValueError, match="corrupt|not a checkpoint"):
        load_checkpoint(path)


def test_npy_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "m.npz"
    with open(path, "wb") as f:
        np.save(f, np.arange(10))
    with pytest.raises(ValueError, match="corrupt|not a checkpoint"):
        load_checkpoint(path)


def test_object_array_needs_pickle(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["extra"] = np.array([{"code": "runs on load"}], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="pickle"):
        load_checkpoint(path)


def test_object_array_param_needs_pickle(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["param_c"] = np.array(list(arrays["param_c"]), dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="pickle"):
        load_checkpoint(path)


@pytest.mark.parametrize("key", ["param_W", "param_c", "vocab", "meta", "format_version"])
def test_missing_key(tmp_path, key):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    del arrays[key]
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=key):
        load_checkpoint(path)


def test_other_npz_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, x=np.arange(3))
    with pytest.raises(ValueError, match="not a checkpoint"):
        load_checkpoint(path)


def test_vocabulary_size_mismatch(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["vocab"] = np.append(arrays["vocab"], np.uint32(ord("q")))  # K + 1 characters
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="characters"):
        load_checkpoint(path)


def test_inconsistent_parameter_shapes(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["param_W"] = arrays["param_W"][:, :-1]
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="W"):
        load_checkpoint(path)


def test_mixed_parameter_dtypes(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["param_V"] = arrays["param_V"].astype(np.float32)
    np.savez(path, **arrays)
    with pytest.raises(ValueError):
        load_checkpoint(path)


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b""])
def test_meta_not_json(tmp_path, raw):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["meta"] = np.frombuffer(raw, dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="metadata"):
        load_checkpoint(path)


def test_bad_vocabulary_codes(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["vocab"] = arrays["vocab"].copy()
    arrays["vocab"][0] = 0x110000  # not a Unicode code point
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="vocabulary"):
        load_checkpoint(path)


def test_other_format_version(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["format_version"] = np.array(ckpt_module.FORMAT_VERSION + 1)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="format"):
        load_checkpoint(path)


def test_malformed_format_version(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["format_version"] = np.array([1, 1])
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="format"):
        load_checkpoint(path)


def test_meta_must_be_an_object(tmp_path):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["meta"] = np.frombuffer(b"[1, 2, 3]", dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="metadata"):
        load_checkpoint(path)


# --- save errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("meta", [{"x": {1, 2}}, {"x": np.arange(3)}, {"x": float("nan")},
                                  {"x": object()}], ids=["set", "array", "nan", "object"])
def test_meta_not_json_serialisable_on_save(tmp_path, meta):
    with pytest.raises(ValueError, match="JSON"):
        save_checkpoint(tmp_path / "m.npz", _params(), VOCAB, **meta)
    assert _files(tmp_path) == []


def test_params_not_matching_the_vocabulary_on_save(tmp_path):
    with pytest.raises(ValueError, match="characters"):
        save_checkpoint(tmp_path / "m.npz", _params(K=len(VOCAB) + 1), VOCAB)
    assert _files(tmp_path) == []


def test_bad_params_or_vocab_on_save(tmp_path):
    p = _params()
    del p["b"]
    with pytest.raises(ValueError):
        save_checkpoint(tmp_path / "m.npz", p, VOCAB)
    with pytest.raises(TypeError):
        save_checkpoint(tmp_path / "m.npz", _params(), "abc é\n😀Z")
    assert _files(tmp_path) == []


# --- every cell ---------------------------------------------------------------------------


def _cell_params(cell, dtype=np.float64):
    """A seeded model of ``cell`` with nonzero b and c: their round trip counts too."""
    return make_model(cell, len(VOCAB), 5, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_round_trip_per_cell(tmp_path, cell, dtype):
    """The same model back: its cell, every parameter bit for bit, and so the same text."""
    from rnn_helpers import sample_text
    from rnn_helpers.cells import cell_of

    params = _cell_params(cell, dtype)
    path = save_checkpoint(tmp_path / f"{cell}.npz", params, VOCAB, **META)
    assert _files(tmp_path) == [f"{cell}.npz"]
    assert _arrays(path)["cell"].tobytes().decode("ascii") == cell  # the kind is recorded
    p2, v2, meta = load_checkpoint(path)
    assert cell_of(p2) == cell
    assert set(p2) == set(PARAM_NAMES)
    for k in PARAM_NAMES:
        assert p2[k].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(p2[k], params[k])
    assert v2 == VOCAB and meta == META
    assert sample_text(p2, v2, 40, prime="ab", rng=3) == sample_text(params, VOCAB, 40,
                                                                     prime="ab", rng=3)


def test_a_file_without_a_cell_kind_is_an_rnn(tmp_path):
    """Checkpoints written before the gated cells record no kind: they load as RNNs."""
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    del arrays["cell"]
    np.savez(path, **arrays)
    p, _, meta = load_checkpoint(path)
    assert meta == META and p["W"].shape == (6, 6)
    np.testing.assert_array_equal(p["U"], _params()["U"])
    lstm = tmp_path / "lstm.npz"
    save_checkpoint(lstm, _cell_params("lstm"), VOCAB)
    arrays = _arrays(lstm)
    del arrays["cell"]
    np.savez(lstm, **arrays)
    with pytest.raises(ValueError, match="inconsistent parameters.*LSTM's"):
        load_checkpoint(lstm)


@pytest.mark.parametrize(("saved", "recorded"), [("lstm", "gru"), ("gru", "rnn"),
                                                 ("rnn", "lstm")])
def test_a_cell_kind_that_is_not_the_parameters(tmp_path, saved, recorded):
    path = tmp_path / "m.npz"
    save_checkpoint(path, _cell_params(saved), VOCAB)
    arrays = _arrays(path)
    arrays["cell"] = np.frombuffer(recorded.encode(), np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="inconsistent parameters"):
        load_checkpoint(path)


@pytest.mark.parametrize("kind", [b"transformer", b"LSTM", b"", b"\xff"], ids=repr)
def test_an_unknown_cell_kind(tmp_path, kind):
    path = _good_file(tmp_path)
    arrays = _arrays(path)
    arrays["cell"] = np.frombuffer(kind, np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="cell kind"):
        load_checkpoint(path)
    arrays["cell"] = np.array([1.5])
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="cell kind"):
        load_checkpoint(path)
