"""Results over several seeds: the mean, the spread, and a printout that claims no more digits
than the spread justifies.

A training run's final loss depends on its seed. A claim like "Adam ends lower than SGD" is a
claim about the distribution of such numbers, so the notebooks run each arm over a few seeds and
report the mean and the spread (the sample standard deviation, and the range).
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Spread", "spread", "format_spread", "decimals_for"]


@dataclass(frozen=True)
class Spread:
    """Summary of one quantity over n seeds: mean, sample std (ddof=1), min and max."""

    mean: float
    std: float
    min: float
    max: float
    n: int

    def __str__(self):
        return format_spread(self)


def spread(values):
    """Summarise a 1-D sequence of finite numbers (one per seed) as a ``Spread``."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"spread needs a non-empty 1-D sequence of numbers, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"spread needs finite numbers, got {x.tolist()}")
    std = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    return Spread(float(np.mean(x)), std, float(np.min(x)), float(np.max(x)), int(x.size))


def decimals_for(std, *, finest=3):
    """Decimal places that show a number whose uncertainty is ``std``: one significant digit of
    the std (never finer than ``finest`` places, never negative)."""
    if not math.isfinite(std) or std < 0:
        raise ValueError(f"std must be finite and non-negative, got {std}")
    if std == 0:
        return finest
    return int(min(finest, max(0, -math.floor(math.log10(std)))))


def format_spread(values, *, decimals=None, unit=""):
    """'mean ± std (n seeds)' with as many decimals as the std justifies.

    ``values``: one number per seed, or a ``Spread``. ``decimals`` overrides the automatic
    choice (for a table whose rows should line up).
    """
    s = values if isinstance(values, Spread) else spread(values)
    d = decimals_for(s.std) if decimals is None else decimals
    unit = f" {unit}" if unit else ""
    seeds = "seed" if s.n == 1 else "seeds"
    return f"{s.mean:.{d}f} ± {s.std:.{d}f}{unit} ({s.n} {seeds})"
