"""Round numbers for a value axis: a tick step of 1, 2 or 5 × 10^n, and the span of whole steps
that holds a set of values, so that an axis is labelled 0, 5, 10 or 100,000, 120,000 rather
than with the data's own odd extremes.
"""

from __future__ import annotations

import math


def nice_step(span: float, intervals: int = 6) -> float:
    """A round tick step (1, 2 or 5 × 10^n) cutting `span` into at most about `intervals` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / intervals
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw * (1 - 1e-9):
            return float(factor * power)
    return float(10 * power)


def nice_range(low: float, high: float, intervals: int = 2) -> tuple[float, float]:
    """The smallest span of whole round steps (see `nice_step`) from at most `low` to at least
    `high`; a single value gets a step on each side. Both ends are multiples of the step, so
    they read as round numbers ("100,000", "120,000")."""
    if high < low:
        low, high = high, low
    if high == low:  # one value: a step each side, not below 0 when the value is not
        step = nice_step(abs(low) or 1.0, 2)
        return _tidy(low - step if low - step >= 0 or low < 0 else 0.0), _tidy(high + step)
    step = nice_step(high - low, intervals)
    while True:
        start, stop = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
        if round((stop - start) / step) <= intervals + 1:
            return _tidy(start), _tidy(stop)
        step = nice_step(step * 1.01, 1)  # the next round step up


def _tidy(value: float) -> float:
    """A multiple of a decimal step without float dust (0.30000000000000004 → 0.3)."""
    return float(f"{value:.10g}") + 0.0  # + 0.0: no -0.0
