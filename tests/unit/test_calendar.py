from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain.calendar import CHINA, Clock, WorkCalendar

calendar = WorkCalendar()


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA)


def end_of(day: date) -> datetime:
    return at(day + timedelta(days=1), 0)


@pytest.mark.parametrize("day, working", [
    (date(2026, 2, 14), True),    # Saturday, make-up working day before the Spring Festival
    (date(2026, 2, 16), False),   # Spring Festival holiday (Monday)
    (date(2026, 2, 23), False),   # last day of the Spring Festival holiday (Monday)
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday, make-up working day after it
    (date(2026, 10, 1), False),   # National Day
    (date(2026, 10, 7), False),
    (date(2026, 10, 10), True),   # Saturday, make-up working day after National Day
    (date(2026, 11, 21), False),  # an ordinary Saturday
])
def test_2026_statutory_holidays_and_make_up_days(day, working):
    assert calendar.is_working_day(day) is working


def test_a_deadline_over_the_spring_festival_skips_the_holiday():
    # Friday 13 Feb + 2 working days: Sat 14 (make-up) is one, then the holiday, then Tue 24.
    assert calendar.add_working_days(at(date(2026, 2, 13)), 2) == end_of(date(2026, 2, 24))


def test_a_deadline_over_national_day_counts_the_make_up_saturday():
    # Wed 30 Sep + 5 working days: Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13 October.
    assert calendar.add_working_days(at(date(2026, 9, 30)), 1) == end_of(date(2026, 10, 8))
    assert calendar.add_working_days(at(date(2026, 9, 30)), 5) == end_of(date(2026, 10, 13))


def test_an_ordinary_week_skips_the_weekend():
    assert calendar.add_working_days(at(date(2026, 11, 20)), 1) == end_of(date(2026, 11, 23))


def test_years_the_package_does_not_know_fall_back_to_weekends_and_the_holiday_table():
    table = WorkCalendar.with_overrides(holidays=[date(2027, 1, 1)], workdays=[date(2027, 1, 9)])
    assert table.is_working_day(date(2027, 1, 1)) is False   # holiday from the table
    assert table.is_working_day(date(2027, 1, 9)) is True    # make-up Saturday from the table
    assert table.is_working_day(date(2027, 1, 10)) is False  # Sunday
    assert table.add_working_days(at(date(2026, 12, 31)), 1) == end_of(date(2027, 1, 4))


def test_times_are_read_in_china_time():
    # 23:30 UTC on Friday is already Saturday 07:30 in Shanghai.
    from zoneinfo import ZoneInfo
    late_friday_utc = datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert calendar.add_working_days(late_friday_utc, 1) == end_of(date(2026, 11, 23))


def test_an_extension_counts_after_the_last_day_the_deadline_covers():
    due = end_of(date(2026, 12, 2))  # Wednesday 24:00
    assert calendar.extend(due, at(date(2026, 11, 25)), 3) == end_of(date(2026, 12, 7))  # Thu, Fri, Mon
    # a deadline passed already: the days count from today
    assert calendar.extend(due, at(date(2026, 12, 4)), 1) == end_of(date(2026, 12, 7))
    assert calendar.extend(None, at(date(2026, 12, 4)), 1) == end_of(date(2026, 12, 7))


def test_the_compressed_clock_makes_a_working_day_last_a_few_seconds():
    clock = Clock(workday_seconds=3)
    start = at(date(2026, 11, 21))
    assert clock.due(start, 5) == start + timedelta(seconds=15)


def test_timeouts_are_whole_positive_seconds():
    clock = Clock()
    now = at(date(2026, 11, 23))
    assert clock.seconds_until(now + timedelta(seconds=10.2), now) == 11
    assert clock.seconds_until(now - timedelta(hours=1), now) == 1


def test_tiers_come_from_the_category_unless_the_kind_overrides_it():
    from chalicelib.domain.policy import Policy
    policy = Policy(kind_tiers={"consultation": "simple"})
    assert policy.tier_days("general", "complaint") == 5
    assert policy.tier_days("general", "consultation") == 2
    assert policy.tier_days("complex", "complaint") == 15


def test_the_1_3_5_7_15_scheme_is_just_another_table():
    from chalicelib.domain.policy import Policy
    policy = Policy.from_data({"tiers": {"t1": 1, "t3": 3, "t5": 5, "t7": 7, "t15": 15}})
    assert [policy.tier_days(t, "help") for t in ("t1", "t3", "t5", "t7", "t15")] == [1, 3, 5, 7, 15]


def test_the_policys_holiday_table_is_the_fallback_calendar():
    from chalicelib.domain.policy import Policy
    table = Policy.from_data({"holidays": ["2027-01-01"], "workdays": ["2027-01-09"]}).calendar()
    assert not table.is_working_day(date(2027, 1, 1)) and table.is_working_day(date(2027, 1, 9))
