"""The coalition benchmark's figures (bench/coalition_metrics.py) on cases worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.coalition_metrics import gini, least_gini, most_held_at_once, percentile


def test_gini_is_zero_for_an_even_spread_and_nothing_at_all():
    assert gini([2, 2, 2, 2]) == 0
    assert gini([0, 0, 0]) == 0


def test_gini_of_one_holding_everything_among_n_is_one_minus_one_over_n():
    assert gini([0, 0, 0, 5]) == pytest.approx(0.75)


def test_gini_matches_the_mean_absolute_difference_definition():
    values = [0, 1, 1, 3, 5]
    pairs = sum(abs(a - b) for a in values for b in values)
    assert gini(values) == pytest.approx(pairs / (2 * len(values) ** 2 * (sum(values) / len(values))))
    assert gini(list(reversed(values))) == pytest.approx(gini(values))  # order does not matter


def test_gini_refuses_nobody_and_negative_amounts():
    with pytest.raises(ValueError):
        gini([])
    with pytest.raises(ValueError):
        gini([1, -1])


def test_least_gini_with_fewer_places_than_people_is_the_share_left_out():
    assert least_gini(82, 147) == pytest.approx(1 - 82 / 147)
    assert least_gini(10, 5) == 0  # two each
    assert least_gini(7, 5) == pytest.approx(gini([2, 2, 1, 1, 1]))
    with pytest.raises(ValueError):
        least_gini(3, 0)


def test_percentile_interpolates_between_ranks():
    assert percentile([4, 1, 3, 2], 0.5) == pytest.approx(2.5)
    assert percentile([1, 2, 3, 4, 5], 0.9) == pytest.approx(4.6)
    assert percentile([7], 0.9) == 7
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1], 1.5)


def at(hours: float) -> datetime:
    return datetime(2027, 2, 1, tzinfo=UTC) + timedelta(hours=hours)


def test_most_held_at_once_counts_overlaps_not_offers():
    assert most_held_at_once([]) == 0
    assert most_held_at_once([(at(0), at(2)), (at(1), at(3)), (at(1.5), at(4))]) == 3
    # One answered as the next arrives: never two at once; an empty span is never held.
    assert most_held_at_once([(at(0), at(1)), (at(1), at(2)), (at(5), at(5))]) == 1
    assert most_held_at_once(iter([(at(0), at(3)), (at(1), at(2))])) == 2  # any iterable, read once
