"""Command line: ``python -m rnn_helpers train``, ``sample`` and ``doctor``.

    python -m rnn_helpers train [--cell rnn|lstm|gru] [--corpus default|tinyshakespeare|PATH]
                                [--hidden 128] [--steps 3000] [--out rnn.npz] ...
    python -m rnn_helpers sample rnn.npz [--temperature 0.8] [--prime TEXT] [--length 400]
    python -m rnn_helpers doctor      (is this environment the one the notebooks need?)
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from .cells import CELLS, get_cell
from .checkpoint import load_checkpoint, save_checkpoint
from .data import CharVocab, default_corpus_info, load_corpus, train_val_split
from .optim import SGD, Adagrad, Adam, Momentum
from .sampling import sample_text
from .train import train

OPTIMIZERS = {"adam": Adam, "adagrad": Adagrad, "sgd": SGD, "momentum": Momentum}
DEFAULT_LR = {"adam": 3e-3, "adagrad": 0.1, "sgd": 0.5, "momentum": 0.05}


def _positive(kind):
    """An argparse type: a positive int or float."""
    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def build_parser():
    """The argument parser with the train and sample subcommands."""
    parser = argparse.ArgumentParser(prog="python -m rnn_helpers",
                                     description="Train or sample a character-level RNN, "
                                                 "LSTM or GRU, or check this environment.")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a character-level model and save a checkpoint")
    t.add_argument("--cell", choices=CELLS, default="rnn", help="the recurrent cell")
    t.add_argument("--corpus", default="default", help="default, tinyshakespeare or a text file")
    t.add_argument("--hidden", type=_positive(int), default=128, help="hidden size H")
    t.add_argument("--steps", type=_positive(int), default=3000, help="training steps")
    t.add_argument("--seq-length", type=_positive(int), default=32, help="BPTT length T")
    t.add_argument("--batch-size", type=_positive(int), default=32, help="rows per batch B")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    t.add_argument("--lr", type=_positive(float), help="learning rate (default per optimizer)")
    t.add_argument("--clip", type=_positive(float), default=5.0, help="element-wise clip bound")
    t.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--sample-every", type=int, default=1000, help="print a sample every N steps")
    t.add_argument("--out", help="checkpoint path (default: CELL.npz, e.g. rnn.npz)")
    t.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    s = sub.add_parser("sample", help="generate text from a checkpoint")
    s.add_argument("checkpoint")
    s.add_argument("--temperature", type=_positive(float), default=0.8)
    s.add_argument("--prime", default="", help="text to start from")
    s.add_argument("--length", type=_positive(int), default=400)
    s.add_argument("--top-k", type=_positive(int))
    s.add_argument("--seed", type=int, default=0)
    sub.add_parser("doctor", help="check Python, the pinned packages, the widgets' front end, "
                                  "the corpus and BLAS; exit status = number of problems")
    return parser


def cmd_train(args, out=None):
    """Train on a corpus, print progress, losses and samples, save a checkpoint."""
    out = sys.stdout if out is None else out
    cell = get_cell(args.cell)
    path = args.out if args.out is not None else f"{cell.name}.npz"
    folder = Path(path).resolve().parent
    if not folder.is_dir():  # fail now, not after the whole training run
        raise FileNotFoundError(f"cannot write the checkpoint {path}: no folder {folder}")
    text = load_corpus(args.corpus)
    vocab = CharVocab.from_text(text)
    train_data, val_data = train_val_split(vocab.encode(text), 0.1)
    params = cell.init(len(vocab), args.hidden, seed=args.seed, dtype=np.dtype(args.dtype))
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = OPTIMIZERS[args.optimizer](lr)
    print(f"corpus {args.corpus}: {len(text):,} characters, {len(vocab)} distinct; "
          f"{cell.name.upper()}, H={args.hidden}, T={args.seq_length}, B={args.batch_size}, "
          f"{optimizer}", file=out)

    def report(step, history):
        if args.sample_every > 0 and (step + 1) % args.sample_every == 0:
            sample = sample_text(params, vocab, 160, temperature=0.8, rng=args.seed, cell=cell)
            _write(f"step {step + 1}: loss {history.smooth[-1]:.3f} nats/char\n{sample}\n", out)

    start = time.perf_counter()
    history = train(params, train_data, optimizer=optimizer, steps=args.steps,
                    seq_length=args.seq_length, batch_size=args.batch_size, clip=args.clip,
                    seed=args.seed, progress=not args.no_progress, callback=report,
                    val_data=val_data, eval_every=max(1, args.steps // 5), cell=cell)
    seconds = time.perf_counter() - start
    val = history.val_losses[-1]
    print(f"trained {args.steps} steps in {seconds:.1f} s "
          f"({history.chars_per_second:,.0f} characters/s)", file=out)
    print(f"validation loss: {val:.4f} nats/char ({val / np.log(2):.4f} bits/char)", file=out)
    meta = {"corpus": args.corpus, "steps": args.steps, "val_loss": val,
            "seq_length": args.seq_length, "batch_size": args.batch_size, "lr": lr,
            "optimizer": args.optimizer, "seed": args.seed}
    if args.corpus == "default":
        rate = default_corpus_info()["entropy_rate_nats_per_char"]
        print(f"entropy rate of the corpus (the best possible loss): {rate:.4f} nats/char; "
              f"gap {val - rate:.4f} nats/char", file=out)
        meta["entropy_rate"] = rate
    path = save_checkpoint(path, params, vocab, **meta)
    print(f"saved {path}", file=out)
    return history


def cmd_sample(args, out=None):
    """Print text generated from a checkpoint."""
    out = sys.stdout if out is None else out
    params, vocab, _ = load_checkpoint(args.checkpoint)
    text = sample_text(params, vocab, args.length, prime=args.prime,
                       temperature=args.temperature, top_k=args.top_k, rng=args.seed)
    print(args.prime + text, file=out)


def _write(text, out):
    """Print without breaking a progress bar."""
    from tqdm.auto import tqdm

    tqdm.write(text.rstrip("\n"), file=out)


def main(argv=None):
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        from .doctor import main as doctor

        return doctor()
    try:
        if args.command == "train":
            cmd_train(args)
        else:
            cmd_sample(args)
    except (ValueError, TypeError, FileNotFoundError, ConnectionError, FloatingPointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
