"""tools/gated_evidence.py, the runs behind notebook 08's offline numbers: its smoke run."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import gated_evidence  # noqa: E402

import rnn_helpers as rh  # noqa: E402


def test_quick_run_prints_every_part_with_the_package_s_own_results(capsys):
    assert gated_evidence.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for heading in ("1. The recall task at other learning rates",
                    "2. The recall task over more seeds",
                    "3. The learning-rate grid on the default corpus"):
        assert heading in out
    # part 2's GRU line is recall_experiment's own count, recomputed here
    res = rh.recall_experiment((3,), arms={"GRU": {"cell": "gru"}}, seeds=(0, 1), budgets=(2, 4),
                               lr=0.02, hidden=4, n_test=20, n_ratio=2)
    best = res.accuracy["GRU"][1].max(axis=1)[0]
    solved = res.solved("GRU", 4).sum()
    part2 = out[out.index("2. The recall"):out.index("3. The learning")]
    after_4 = part2[part2.index("after 4 steps"):]
    assert f"GRU              lag 4: {solved}/2 (best {best:.2f})" in after_4
    assert np.isfinite(best)
