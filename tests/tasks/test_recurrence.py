"""When a series' occurrences fall: local time kept across daylight-saving changes, the nth weekday
of each month, and an end by date or by count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.tasks.recurrence import moved, occurrences, rule_text, total

TORONTO = "America/Toronto"


def local_times(found, zone=TORONTO):
    return [o.starts_at.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M") for o in found]


def test_a_weekly_series_keeps_its_local_time_when_spring_comes_in_toronto():
    first = datetime(2027, 3, 2, 18, 0)  # clocks go forward on Sunday 14 March 2027
    rule = rule_text("weekly", 1, first, None, 4)
    found = occurrences(rule, first, timedelta(hours=2), TORONTO)

    assert local_times(found) == [
        "Tue 2027-03-02 18:00",
        "Tue 2027-03-09 18:00",
        "Tue 2027-03-16 18:00",
        "Tue 2027-03-23 18:00",
    ]
    assert [o.starts_at.hour for o in found] == [23, 23, 22, 22]  # UTC moves instead
    assert all(o.ends_at - o.starts_at == timedelta(hours=2) for o in found)


def test_a_series_every_two_weeks_keeps_its_local_time_when_autumn_comes():
    first = datetime(2027, 10, 26, 9, 30)  # clocks go back on Sunday 7 November 2027
    rule = rule_text("weekly", 2, first, date(2027, 12, 1), None)
    found = occurrences(rule, first, timedelta(hours=3), TORONTO)

    assert rule == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20271201T235959"
    assert local_times(found) == ["Tue 2027-10-26 09:30", "Tue 2027-11-09 09:30", "Tue 2027-11-23 09:30"]
    assert [o.starts_at.hour for o in found] == [13, 14, 14]


def test_a_monthly_series_repeats_the_nth_weekday_and_the_fifth_means_the_last():
    second_tuesday = datetime(2027, 1, 12, 18, 0)
    assert local_times(
        occurrences(rule_text("monthly", 1, second_tuesday, None, 3), second_tuesday, timedelta(hours=1), TORONTO)
    ) == ["Tue 2027-01-12 18:00", "Tue 2027-02-09 18:00", "Tue 2027-03-09 18:00"]
    fifth_friday = datetime(2027, 1, 29, 12, 0)
    rule = rule_text("monthly", 1, fifth_friday, date(2027, 4, 30), None)
    assert local_times(occurrences(rule, fifth_friday, timedelta(hours=1), TORONTO)) == [
        "Fri 2027-01-29 12:00",
        "Fri 2027-02-26 12:00",
        "Fri 2027-03-26 12:00",
        "Fri 2027-04-30 12:00",
    ]
    assert total(rule, fifth_friday) == 4


def test_occurrences_are_read_from_an_index_up_to_a_horizon():
    first = datetime(2027, 1, 5, 18, 0)
    rule = rule_text("weekly", 1, first, None, 10)
    horizon = datetime(2027, 1, 27, tzinfo=ZoneInfo("UTC"))
    assert [
        o.index for o in occurrences(rule, first, timedelta(hours=1), TORONTO, from_index=1, until_utc=horizon)
    ] == [1, 2, 3]


def test_an_occurrence_moved_to_a_new_time_keeps_its_own_date_in_its_zone():
    starts_at = datetime(2027, 3, 16, 22, 0, tzinfo=ZoneInfo("UTC"))  # 18:00 in Toronto, after the change
    new_start, new_end = moved(starts_at, TORONTO, time(19, 0), timedelta(minutes=90))
    assert new_start.astimezone(ZoneInfo(TORONTO)).strftime("%Y-%m-%d %H:%M") == "2027-03-16 19:00"
    assert new_end - new_start == timedelta(minutes=90)
