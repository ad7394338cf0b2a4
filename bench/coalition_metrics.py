"""The coalition benchmark's figures, as plain functions of what happened (tested in
tests/unit/test_coalition_metrics.py): how unequal the accepted work is, the least unequal it
could have been, percentiles, and the most offers one member held waiting at once."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime


def gini(values: Sequence[float]) -> float:
    """Gini coefficient: 0 when everyone has the same, towards 1 when one has everything.
    Mean absolute difference over all ordered pairs, divided by twice the mean."""
    if not values:
        raise ValueError("the Gini of nobody is undefined")
    if any(value < 0 for value in values):
        raise ValueError("the Gini coefficient needs amounts that are not negative")
    total = sum(values)
    if total == 0:
        return 0.0
    ordered = sorted(values)
    count = len(ordered)
    # Sorted form of the pairwise sum: sum_i (2i - n - 1) x_i, i from 1.
    weighted = sum((2 * rank - count - 1) * value for rank, value in enumerate(ordered, start=1))
    return weighted / (count * total)


def least_gini(units: int, people: int) -> float:
    """The lowest Gini possible when ``units`` whole units of work go to ``people``: as even as
    whole units allow. With fewer units than people it cannot go below 1 - units/people."""
    if people <= 0:
        raise ValueError("there must be at least one person to share the work among")
    each, extra = divmod(units, people)
    return gini([each + 1] * extra + [each] * (people - extra))


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between the two nearest ranks (as numpy's default)."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= share <= 1:
        raise ValueError(f"a percentile's share is between 0 and 1, not {share}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def most_held_at_once(spans: Iterable[tuple[datetime, datetime]]) -> int:
    """The most of these [start, end) spans that overlap at any moment: for one member's offers,
    from sent to answered (or expired, or withdrawn), the most they held waiting at once."""
    held_spans = [(start, end) for start, end in spans if end > start]
    moments = sorted(
        [(start, 1) for start, _ in held_spans] + [(end, -1) for _, end in held_spans],
        key=lambda moment: (moment[0], moment[1]),  # an offer ending as another starts is not held with it
    )
    held = most = 0
    for _, change in moments:
        held += change
        most = max(most, held)
    return most
