"""Saving and loading a trained model: parameters, vocabulary and metadata in one .npz file.

Any cell: the file records its kind ("rnn", "lstm" or "gru"); a file without one, as
written before the gated cells existed, holds an RNN.

The file holds only plain arrays (no pickled objects), so it loads with
``allow_pickle=False``: opening a checkpoint can never run code. Writes go to a temporary
file beside the target and are renamed into place, so a crash mid-write leaves the old
checkpoint intact, never half a file.
"""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .cells import CELLS, check_params
from .data import CharVocab
from .rnn import PARAM_NAMES

__all__ = ["save_checkpoint", "load_checkpoint", "FORMAT_VERSION"]

FORMAT_VERSION = 1


def save_checkpoint(path, params, vocab, **meta):
    """Write params, vocab and JSON-serialisable metadata to ``path`` (.npz), atomically.

    params: an RNN's, LSTM's or GRU's; the file records which (read from their shapes).
    Returns the path written. Raises ValueError if params do not match the vocabulary or the
    metadata is not JSON-serialisable.
    """
    cell, K, _, _ = check_params(params)
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}")
    if len(vocab) != K:
        raise ValueError(f"params are for {K} characters but the vocabulary has {len(vocab)}")
    try:
        meta_json = json.dumps(meta, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"checkpoint metadata must be JSON-serialisable: {e}") from None
    arrays = {f"param_{k}": params[k] for k in PARAM_NAMES}
    arrays["vocab"] = np.array([ord(ch) for ch in vocab.chars], dtype=np.uint32)
    arrays["meta"] = np.frombuffer(meta_json.encode("utf-8"), dtype=np.uint8)
    arrays["cell"] = np.frombuffer(cell.name.encode("ascii"), dtype=np.uint8)
    arrays["format_version"] = np.array(FORMAT_VERSION)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                               prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # a file object: savez would otherwise append ".npz"
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def load_checkpoint(path):
    """Read a checkpoint written by ``save_checkpoint``: returns (params, vocab, meta).

    params are the saved cell's (``cells.cell_of(params)`` tells which); meta is the
    metadata as saved. Raises FileNotFoundError for a missing file and ValueError, naming
    the problem, for a file that is not a checkpoint, is corrupt, holds pickled objects,
    or is inconsistent.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    if not zipfile.is_zipfile(path):  # else np.load would try .npy or pickle formats
        raise ValueError(f"{path} is corrupt or not a checkpoint (.npz): not a zip archive")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except ValueError as e:
        if "pickle" in str(e):
            raise ValueError(f"{path} holds pickled objects; checkpoints never do") from None
        raise ValueError(f"{path} is not a valid checkpoint: {e}") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as e:
        raise ValueError(f"{path} is corrupt or not a checkpoint (.npz): {e}") from None
    return _unpack(arrays, path)


def _unpack(arrays, path):
    """Turn the loaded arrays into (params, vocab, meta), checking each piece."""
    needed = [f"param_{k}" for k in PARAM_NAMES] + ["vocab", "meta", "format_version"]
    missing = [k for k in needed if k not in arrays]
    if missing:
        raise ValueError(f"{path} is not a checkpoint: it lacks {', '.join(missing)}")
    fv = arrays["format_version"]
    if fv.shape != () or not np.issubdtype(fv.dtype, np.integer):
        raise ValueError(f"{path} is corrupt: format_version is not an integer")
    version = int(fv)
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path} has checkpoint format {version}; this code reads {FORMAT_VERSION}"
        )
    try:
        vocab = CharVocab([chr(c) for c in arrays["vocab"].tolist()])
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"{path} has a corrupt vocabulary or metadata: {e}") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{path} has corrupt metadata: a JSON object was expected")
    cell = _cell_kind(arrays, path)
    params = {k: arrays[f"param_{k}"] for k in PARAM_NAMES}
    try:
        _, K, _, _ = check_params(params, cell)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{path} has inconsistent parameters: {e}") from None
    if K != len(vocab):
        raise ValueError(f"{path}: parameters are for {K} characters, vocabulary has {len(vocab)}")
    return params, vocab, meta


def _cell_kind(arrays, path):
    """The recorded cell kind; "rnn" for a file that records none (written before LSTM/GRU)."""
    if "cell" not in arrays:
        return "rnn"
    raw = arrays["cell"]
    kind = raw.tobytes().decode("ascii", "replace") if raw.dtype == np.uint8 else None
    if raw.ndim != 1 or kind not in CELLS:
        raise ValueError(f"{path} is corrupt: its cell kind is not one of {', '.join(CELLS)}")
    return kind
