"""Results over several seeds: the mean, the spread, and a printout that claims no more digits
than the spread justifies.

A training run's final loss depends on its seed. A claim like "Adam ends lower than SGD" is a
claim about the distribution of such numbers, so the notebooks run each arm over a few seeds and
report the mean and the spread (the sample standard deviation, and the range).
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Spread", "spread", "format_spread", "format_mean_std", "decimals_for"]


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


def decimals_for(std, *, finest=6):
    """Decimal places that show a number whose uncertainty is ``std``: as many as reach the
    first significant digit of the std (never negative, never more than ``finest``).

    So a non-zero std never prints as zero unless it is below 10**-finest (``format_spread``
    then prints it as a bound). A zero std (one seed, or identical values) gets 3 places, or
    ``finest`` if that is fewer.
    """
    if not math.isfinite(std) or std < 0:
        raise ValueError(f"std must be finite and non-negative, got {std}")
    if std == 0:
        return min(3, finest)
    return int(min(finest, max(0, -math.floor(math.log10(std)))))


def format_mean_std(mean, std, decimals, *, sep=" ± "):
    """'mean ± std' at ``decimals`` places; a non-zero std too small to show at that precision
    prints as a bound ('0.50 (std < 0.01)'), never as zero."""
    shown = f"{std:.{decimals}f}"
    if std > 0 and float(shown) == 0:
        return f"{mean:.{decimals}f} (std < {10.0 ** -decimals:g})"
    return f"{mean:.{decimals}f}{sep}{shown}"


def format_spread(values, *, decimals=None, unit=""):
    """'mean ± std (n seeds)' with as many decimals as the std justifies (``decimals_for``).

    ``values``: one number per seed, or a ``Spread``. ``decimals`` overrides the automatic
    choice (for a table whose rows should line up).
    """
    s = values if isinstance(values, Spread) else spread(values)
    d = decimals_for(s.std) if decimals is None else decimals
    unit = f" {unit}" if unit else ""
    mean, shown = f"{s.mean:.{d}f}", f"{s.std:.{d}f}"
    if s.n == 1:  # no spread was measured: print none
        return f"{mean}{unit} (1 seed)"
    if s.std > 0 and float(shown) == 0:
        return f"{mean}{unit} (std < {10.0 ** -d:g}, {s.n} seeds)"
    return f"{mean} ± {shown}{unit} ({s.n} seeds)"
