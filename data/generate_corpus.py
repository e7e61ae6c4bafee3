"""Generate the default corpus: ``data/corpus.txt`` and its metadata ``data/corpus.json``.

    python data/generate_corpus.py           # (re)write both files
    python data/generate_corpus.py --check   # exit 1 if the files on disk differ

The text comes from ``rnn_helpers.grammar.DEFAULT_GRAMMAR`` with ``CORPUS_SEED`` and
``CORPUS_CHARS``, so it is the same byte for byte on every machine. ``grammar.py`` is
loaded by file path: the script needs neither an installed package nor the rest of it.
"""

import argparse
import hashlib
import importlib.util
import json
import math
import os
import sys
import tempfile
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
GRAMMAR_PY = DATA_DIR.parent / "rnn_helpers" / "grammar.py"
TEXT_FILE = "corpus.txt"
META_FILE = "corpus.json"
DIGITS = 10  # floats in corpus.json are rounded so --check ignores last-bit differences


def load_grammar_module():
    """Import ``rnn_helpers/grammar.py`` on its own, by file path."""
    spec = importlib.util.spec_from_file_location("_corpus_grammar", GRAMMAR_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses looks the module up while building the class
    spec.loader.exec_module(module)
    return module


def build() -> dict[str, str]:
    """Return ``{file name: exact content}`` for the corpus text and its metadata."""
    g = load_grammar_module()
    grammar = g.DEFAULT_GRAMMAR
    text = grammar.generate(g.CORPUS_CHARS, g.CORPUS_SEED)
    rate = grammar.entropy_rate()
    meta = {
        "name": "default",
        "file": TEXT_FILE,
        "generator": "data/generate_corpus.py",
        "seed": g.CORPUS_SEED,
        "n_chars": len(text),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entropy_rate_nats_per_char": round(rate, DIGITS),
        "entropy_rate_bits_per_char": round(rate / math.log(2), DIGITS),
        "nll_nats_per_char": round(grammar.nll(text) / len(text), DIGITS),
        "vocab_size": len(set(text)),
    }
    return {TEXT_FILE: text, META_FILE: json.dumps(meta, indent=2) + "\n"}


def write_atomic(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` as UTF-8 with "\\n" line ends, via a temp file + rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        os.chmod(tmp, 0o644)  # mkstemp creates 0o600; a data file should be world-readable
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def stale_files(files: dict[str, str], directory: Path) -> list[str]:
    """Return the names of the files in ``directory`` whose bytes differ from ``files``."""
    stale = []
    for name, content in files.items():
        path = directory / name
        if not path.is_file() or path.read_bytes() != content.encode("utf-8"):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Write the corpus files, or with ``--check`` report whether they are up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the files on disk differ")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = stale_files(files, DATA_DIR)
        for name in stale:
            print(f"data/{name} is out of date: run python data/generate_corpus.py",
                  file=sys.stderr)
        return 1 if stale else 0
    for name, content in files.items():
        write_atomic(DATA_DIR / name, content)
        print(f"wrote data/{name} ({len(content.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
