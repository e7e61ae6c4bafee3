"""Characters and data: the vocabulary, the corpora, train/validation splits and batches.

The model predicts the next character, so a window of T + 1 characters gives T inputs and
T targets (the same window shifted by one). Batches are B rows that each read their own
contiguous stretch of the corpus, window after window, so the hidden state at the end of
one window is the right starting state for the row's next window ("carry-over").
"""

import hashlib
import http.client
import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

__all__ = [
    "CharVocab",
    "DATA_DIR",
    "TINYSHAKESPEARE",
    "load_corpus",
    "default_corpus_info",
    "download",
    "download_tinyshakespeare",
    "train_val_split",
    "BatchStream",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

TINYSHAKESPEARE = {
    "url": "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    "size": 1_115_394,
    "sha256": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    "filename": "tinyshakespeare.txt",
}


class CharVocab:
    """The sorted set of characters of a text, with index <-> character maps."""

    def __init__(self, chars):
        chars = list(chars)
        if not chars:
            raise ValueError("a vocabulary needs at least one character")
        if any(not isinstance(ch, str) or len(ch) != 1 for ch in chars):
            raise TypeError("a vocabulary is made of single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("a vocabulary's characters must be distinct")
        self.chars = chars
        self.index = {ch: i for i, ch in enumerate(chars)}

    @classmethod
    def from_text(cls, text):
        """The vocabulary of ``text``: its distinct characters, sorted by code point."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("cannot build a vocabulary from an empty text")
        return cls(sorted(set(text)))

    def __len__(self):
        return len(self.chars)

    def __repr__(self):
        return f"CharVocab({len(self)} characters: {''.join(self.chars)!r})"

    def __eq__(self, other):
        return isinstance(other, CharVocab) and self.chars == other.chars

    def encode(self, text):
        """Character indices of ``text``: an int64 array (len(text),). Unknown chars raise."""
        if not isinstance(text, str):
            raise TypeError(f"encode takes a str, got {type(text).__name__}")
        try:
            return np.fromiter((self.index[ch] for ch in text), np.int64, len(text))
        except KeyError as e:
            ch = e.args[0]
            pos = text.index(ch)
            raise ValueError(
                f"unknown character {ch!r} (U+{ord(ch):04X}) at position {pos}: "
                "not in the vocabulary"
            ) from None

    def decode(self, ixs):
        """The text of a sequence of indices (a list or an int array of shape (T,))."""
        ixs = np.asarray(ixs)
        if ixs.ndim != 1:
            raise ValueError(f"decode takes a 1-D sequence of indices, got shape {ixs.shape}")
        if ixs.size and (ixs.dtype == bool or not np.issubdtype(ixs.dtype, np.integer)):
            raise TypeError(f"decode takes integer indices, got dtype {ixs.dtype}")
        bad = ixs[(ixs < 0) | (ixs >= len(self))] if ixs.size else ixs
        if bad.size:
            raise ValueError(f"index {bad[0]} is outside the vocabulary [0, {len(self)})")
        return "".join(self.chars[i] for i in ixs.tolist())


def default_corpus_info():
    """The default corpus's metadata (data/corpus.json): size, sha256, entropy rate, ..."""
    return json.loads((DATA_DIR / "corpus.json").read_text(encoding="utf-8"))


def load_corpus(name="default", *, cache_dir=None):
    """The text of a corpus: "default" (shipped), "tinyshakespeare" (downloaded once), or a path."""
    if name == "default":
        path = DATA_DIR / "corpus.txt"
    elif name == "tinyshakespeare":
        path = download_tinyshakespeare(cache_dir=cache_dir)
    else:
        path = Path(name)
        if not path.is_file():
            raise FileNotFoundError(
                f"no corpus file at {path} (use 'default', 'tinyshakespeare' or a text file)"
            )
    text = path.read_text(encoding="utf-8")
    if not text:
        raise ValueError(f"the corpus {path.name} is empty")
    return text


def _sha256(path):
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url, dest, sha256, *, timeout=30):
    """Download ``url`` to ``dest`` atomically and verify its sha256; return dest.

    A file already at ``dest`` with the right hash is reused without any network access.
    The data go to a temporary file beside ``dest``, renamed into place only once the hash
    matches, so an interrupted or corrupt download never leaves a file that looks valid.
    Raises ConnectionError when the server cannot be reached, ValueError on a hash mismatch.
    """
    dest = Path(dest)
    sha256 = sha256.lower()
    if dest.is_file() and _sha256(dest) == sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(url, out, timeout)
        got = _sha256(tmp)
        if got != sha256:
            raise ValueError(
                f"download of {url} is corrupt: sha256 {got}, expected {sha256}; nothing was kept"
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def _fetch(url, out, timeout):
    """Stream ``url`` into the open binary file ``out``; network failures -> ConnectionError."""
    got, expected = 0, None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            expected = resp.headers.get("Content-Length")
            for chunk in iter(lambda: resp.read(1 << 16), b""):
                out.write(chunk)
                got += len(chunk)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        raise ConnectionError(
            f"could not download {url} ({getattr(e, 'reason', e)}). Are you offline? "
            "Download the file by hand and pass its path to load_corpus instead."
        ) from e
    if expected is not None and got != int(expected):
        raise ConnectionError(
            f"download of {url} was interrupted: received {got} of {expected} bytes; "
            "nothing was kept. Try again."
        )


def download_tinyshakespeare(*, cache_dir=None, url=None):
    """Path to tiny Shakespeare (1.1 MB), downloaded and hash-checked on first use.

    cache_dir: where to keep it (default data/cache/). url: a mirror; the hash still applies.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else DATA_DIR / "cache"
    spec = TINYSHAKESPEARE
    return download(url or spec["url"], cache_dir / spec["filename"], spec["sha256"])


def train_val_split(data, val_fraction=0.1):
    """Split a 1-D corpus into (train, val): the last ``val_fraction`` is validation.

    A contiguous split (not a random one) keeps validation text unseen as a whole: random
    windows would overlap the training text.
    """
    data = np.asarray(data)
    if data.ndim != 1:
        raise ValueError(f"data must be 1-D (an encoded corpus), got shape {data.shape}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    n_val = int(round(len(data) * val_fraction))
    if n_val < 2 or len(data) - n_val < 2:
        raise ValueError(f"a corpus of {len(data)} characters is too short to split")
    return data[:-n_val], data[-n_val:]


class BatchStream:
    """Consecutive (B, T) windows of a corpus: row b reads its own contiguous stretch.

    The corpus is cut into B equal stretches; step after step, row b gets the next T
    inputs of stretch b and the same characters shifted by one as targets. So the hidden
    state a row ends a window with is the right start for its next window. ``next()``
    returns (inputs, targets, reset): reset is True when the stretches wrap round to
    their start, where the carried hidden state must be zeroed.
    """

    def __init__(self, data, batch_size, seq_length, *, offset=0):
        data = np.asarray(data)
        if data.ndim != 1 or not np.issubdtype(data.dtype, np.integer):
            raise ValueError("data must be a 1-D integer array (an encoded corpus)")
        for name, v in (("batch_size", batch_size), ("seq_length", seq_length)):
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v <= 0:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        stretch = (len(data) - 1) // batch_size  # each row needs T + 1 characters per window
        if stretch < seq_length:
            raise ValueError(
                f"corpus too short: {len(data)} characters cannot fill {batch_size} rows "
                f"of {seq_length + 1}"
            )
        self.batch_size, self.seq_length = int(batch_size), int(seq_length)
        starts = np.arange(batch_size) * stretch
        self._windows = stretch // seq_length  # windows per pass over the stretches
        # (B, stretch + 1) view: row b is data[starts[b] : starts[b] + stretch + 1]
        self._rows = data[starts[:, None] + np.arange(stretch + 1)[None, :]]
        self._pos = int(offset) % self._windows

    def next(self):
        """The next window: inputs (B, T), targets (B, T), and whether the state resets."""
        reset = self._pos == 0
        a = self._pos * self.seq_length
        window = self._rows[:, a:a + self.seq_length + 1]
        self._pos = (self._pos + 1) % self._windows
        return window[:, :-1], window[:, 1:], reset
