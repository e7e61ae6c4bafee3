"""Reproduce the evidence notebook 08 quotes from runs too long for the notebook.

    python tools/gated_evidence.py            # all three parts, about 10 minutes on 2 cores
    python tools/gated_evidence.py --quick    # a smoke run of the same code, a few seconds

Notebook 08 runs one setting of each experiment; its text leans on three wider runs, which
this script repeats with the package's own functions (the numbers it prints are the ones the
notebook's prose quotes, measured on the machine that wrote it):
1. the recall task at other learning rates: Adam at 0.003, 0.01 and 0.02, 300 and 1000 steps,
   lags 21 and 41, seeds 0 to 2, the four arms of section 5;
2. the recall task over more seeds: the LSTM and the GRU at 0.02, seeds 0 to 13, after 300 and
   500 steps;
3. the learning-rate grid of section 6: the three cells at equal parameter counts on the
   default corpus, Adam at 0.005, 0.01, 0.02 and 0.03, 400 steps, seeds 0 to 2.
These trainings are chaotic (notebook 07): on another CPU a few runs may land on the other
side of the 90% line, so read the counts as rough rates.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import rnn_helpers as rh  # noqa: E402
from rnn_helpers import experiments  # noqa: E402

ARMS = {"RNN": {"cell": "rnn"}, "RNN, orthogonal": {"cell": "rnn", "init": "orthogonal"},
        "LSTM": {"cell": "lstm", "forget_bias": 1.0}, "GRU": {"cell": "gru"}}
GATED = {arm: ARMS[arm] for arm in ("LSTM", "GRU")}


def solved_counts(res, budget):
    """'lag 21: 2/3, lag 41: 0/3' for each arm of a RecallResults, after ``budget`` steps."""
    lines = []
    for arm in res.arms:
        solved = res.solved(arm, budget)
        best = res.accuracy[arm][res.budgets.index(budget)].max(axis=1)
        counts = ", ".join(f"lag {lag}: {solved[i].sum()}/{solved.shape[1]} (best {best[i]:.2f})"
                           for i, lag in enumerate(res.lags))
        lines.append(f"  {arm:16s} {counts}")
    return "\n".join(lines)


def rates_part(ks, seeds, budgets, rates, **kwargs):
    """Part 1: the four arms at each learning rate."""
    for lr in rates:
        res = rh.recall_experiment(ks, arms=ARMS, seeds=seeds, budgets=budgets, lr=lr, **kwargs)
        for budget in budgets:
            print(f"Adam at {lr}, after {budget} steps: solved seeds (best accuracy)")
            print(solved_counts(res, budget))


def seeds_part(ks, seeds, budgets, **kwargs):
    """Part 2: the gated cells over more seeds at 0.02."""
    res = rh.recall_experiment(ks, arms=GATED, seeds=seeds, budgets=budgets, lr=0.02, **kwargs)
    for budget in budgets:
        print(f"Adam at 0.02, seeds {seeds[0]}-{seeds[-1]}, after {budget} steps: solved seeds")
        print(solved_counts(res, budget))


def corpus_part(rates, seeds, steps, n_params_of_rnn=96):
    """Part 3: the three cells on the default corpus at equal parameter counts, per rate."""
    text = rh.load_corpus()
    vocab = rh.CharVocab.from_text(text)
    train_data, val_data = rh.train_val_split(vocab.encode(text), val_fraction=0.1)
    K = len(vocab)
    n_params = experiments.param_count("rnn", K, n_params_of_rnn)
    sizes = {cell: experiments.matched_hidden_size(cell, K, n_params) for cell in rh.CELLS}
    print(f"default corpus, H = {sizes}, {steps} steps, seeds {list(seeds)}: validation loss")
    for lr in rates:
        cmp = experiments.compare_cells(train_data, val_data, K, rh.CELLS, seeds=seeds,
                                        hidden_size=sizes, lr=lr, steps=steps, progress=False)
        row = "; ".join(f"{cell.upper()} {rh.format_spread(cmp.losses(cell), decimals=3)}"
                        for cell in cmp.cells)
        print(f"  Adam at {lr}: {row}")


FULL = {"rates": ((20, 40), (0, 1, 2), (300, 1000), (0.003, 0.01, 0.02)),
        "seeds": ((20, 40), tuple(range(14)), (300, 500)),
        "corpus": ((0.005, 0.01, 0.02, 0.03), (0, 1, 2), 400), "small": {}, "rnn_H": 96}
QUICK = {"rates": ((3,), (0,), (2, 4), (0.02,)), "seeds": ((3,), (0, 1), (2, 4)),
         "corpus": ((0.02,), (0,), 3), "small": {"hidden": 4, "n_test": 20, "n_ratio": 2},
         "rnn_H": 8}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with tiny settings")
    args = parser.parse_args(argv)
    run = QUICK if args.quick else FULL
    print("1. The recall task at other learning rates (section 5)")
    rates_part(*run["rates"], **run["small"])
    print("2. The recall task over more seeds (section 5)")
    seeds_part(*run["seeds"], **run["small"])
    print("3. The learning-rate grid on the default corpus (section 6)")
    corpus_part(*run["corpus"], n_params_of_rnn=run["rnn_H"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
