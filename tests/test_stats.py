"""rnn_helpers.stats: the spread over seeds and a printout whose digits the spread justifies."""

import math

import numpy as np
import pytest

from rnn_helpers import stats


def test_spread_matches_numpy():
    x = [0.0384, 0.0378, 0.0377]
    s = stats.spread(x)
    assert s.mean == pytest.approx(np.mean(x))
    assert s.std == pytest.approx(np.std(x, ddof=1))
    assert (s.min, s.max, s.n) == (min(x), max(x), 3)
    assert stats.spread([2.5]).std == 0.0
    with pytest.raises(ValueError):
        stats.spread([])
    with pytest.raises(ValueError):
        stats.spread([1.0, float("nan")])


@pytest.mark.parametrize("std", [3e-1, 9.4e-2, 3.6e-4, 5e-4, 1.2e-5, 7e-6, 2.0, 45.0])
def test_decimals_reach_the_first_significant_digit_of_the_std(std):
    d = stats.decimals_for(std)
    first = -math.floor(math.log10(std))  # the place of the std's first significant digit
    assert d == max(0, first)
    assert float(f"{std:.{d}f}") > 0  # a non-zero std never prints as zero


def test_decimals_cap_and_zero_std():
    assert stats.decimals_for(1e-9) == 6  # the default cap
    assert stats.decimals_for(1e-9, finest=2) == 2
    assert stats.decimals_for(0.0) == 3
    assert stats.decimals_for(0.0, finest=1) == 1
    for bad in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError):
            stats.decimals_for(bad)


def test_format_spread_never_prints_a_zero_std_for_a_non_zero_one():
    x = [0.0384, 0.0378, 0.0377]  # std 0.00038: the review's "0.038 ± 0.000"
    out = stats.format_spread(x)
    mean, _, rest = out.partition(" ± ")
    std = rest.split()[0]
    assert std != "0" and float(std) > 0
    half = 0.5 * 10.0 ** -len(mean.split(".")[1])  # half a unit of the last printed digit
    assert float(std) == pytest.approx(np.std(x, ddof=1), abs=half)
    assert out.endswith("(3 seeds)")
    assert stats.format_spread([21.3, 20.1, 22.9], unit="%") == "21 ± 1 % (3 seeds)"


def test_format_spread_bounds_a_std_below_the_shown_precision():
    s = stats.Spread(mean=0.5, std=3e-9, min=0.5, max=0.5, n=3)
    assert stats.format_spread(s) == "0.500000 (std < 1e-06, 3 seeds)"
    assert stats.format_spread(s, decimals=2, unit="%") == "0.50 % (std < 0.01, 3 seeds)"
    assert stats.format_spread([1.0, 1.0]) == "1.000 ± 0.000 (2 seeds)"  # an exact zero
    assert stats.format_spread([4.0]) == "4.000 (1 seed)"  # one seed: no spread to show
