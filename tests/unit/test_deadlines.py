"""The countdown to a case's current deadline, in working days of the city's calendar."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain.calendar import CHINA, WorkCalendar
from chalicelib.domain.deadlines import HORIZON_DAYS, countdown, last_day, working_days_around
from chalicelib.domain.model import Outcome, Status
from tests.builders import NOW, make_dispatched, make_ticket

calendar = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA)


def end_of(year: int, month: int, day: int) -> datetime:
    return at(year, month, day, 0) + timedelta(days=1)


def dispatched_until(due: datetime):
    ticket = make_dispatched()
    ticket.accept_due = due
    return ticket


def test_a_case_dispatched_on_monday_with_three_working_days_has_three_left():
    ticket = dispatched_until(calendar.add_working_days(NOW, 3))  # end of Thursday 26 November
    figure = countdown(ticket, calendar, NOW, triage_days=1)
    assert figure is not None
    assert (figure.stage, figure.last_day, figure.overdue, figure.left, figure.late) == \
        ("accept", date(2026, 11, 26), False, 3, 0)


def test_on_the_last_day_nothing_is_left_but_it_is_not_late_yet():
    figure = countdown(dispatched_until(end_of(2026, 11, 26)), calendar, at(2026, 11, 26, 23), 1)
    assert figure is not None and (figure.overdue, figure.left, figure.late) == (False, 0, 0)


@pytest.mark.parametrize("now, late", [
    (at(2026, 11, 27, 0), 1),   # midnight: the Friday has begun
    (at(2026, 11, 28), 1),      # Saturday: still one working day (Friday) late
    (at(2026, 11, 30), 2),      # Monday: Friday and Monday
    (at(2026, 12, 4), 6),
])
def test_overdue_counts_the_working_days_since_the_last_day(now, late):
    figure = countdown(dispatched_until(end_of(2026, 11, 26)), calendar, now, 1)
    assert figure is not None and figure.overdue and (figure.left, figure.late) == (0, late)


def test_the_reply_deadline_counts_while_accepted():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.reply_due = end_of(2026, 11, 30)
    figure = countdown(ticket, calendar, NOW, 1)
    assert figure is not None and (figure.stage, figure.left) == ("reply", 5)  # Tue–Fri and Monday


def test_statutory_holidays_are_not_counted_and_make_up_days_are():
    # National Day: 1–7 October 2026 off, Saturday 10 October a make-up working day.
    figure = countdown(dispatched_until(end_of(2026, 9, 30)), calendar, at(2026, 10, 10), 1)
    assert figure is not None and figure.late == 3  # Thursday 8, Friday 9, Saturday 10
    # Spring Festival: from Friday 13 February, Saturday 14 (make-up) and Tuesday 24 are left.
    figure = countdown(dispatched_until(end_of(2026, 2, 24)), calendar, at(2026, 2, 13), 1)
    assert figure is not None and figure.left == 2


def test_the_citys_own_holiday_table_applies_where_the_package_knows_no_year():
    city = WorkCalendar.with_overrides(holidays=[date(2027, 1, 1), date(2027, 1, 4)], workdays=[date(2027, 1, 9)])
    ticket = dispatched_until(end_of(2026, 12, 31))
    figure = countdown(ticket, city, at(2027, 1, 11), 1)
    # Friday 1 and Monday 4 are holidays; Tue 5 – Fri 8, Saturday 9 (make-up) and Monday 11 count.
    assert figure is not None and figure.late == 6


def test_a_case_waiting_for_triage_counts_down_to_the_triage_deadline():
    ticket = make_ticket()
    ticket.screen(NOW)
    figure = countdown(ticket, calendar, NOW, triage_days=1)
    assert figure is not None and (figure.stage, figure.due, figure.left) == ("triage", end_of(2026, 11, 24), 1)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.REPLIED, Status.CLOSED, Status.MERGED,
                                    Status.INVALID, Status.REOPENED])
def test_cases_not_waiting_on_a_deadline_have_no_countdown(status):
    ticket = make_dispatched()
    ticket.status = status
    assert countdown(ticket, calendar, NOW, 1) is None


def test_a_replied_case_has_no_countdown_even_with_its_deadlines_kept():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    assert ticket.reply_due is not None and countdown(ticket, calendar, NOW, 1) is None


def test_a_deadline_at_midnight_covers_the_day_before():
    assert last_day(end_of(2026, 11, 26)) == date(2026, 11, 26)
    assert last_day(at(2026, 11, 26, 15)) == date(2026, 11, 26)


def test_the_working_days_a_page_script_needs_start_at_the_render_day_and_reach_past_the_deadline():
    days = working_days_around(calendar, date(2026, 11, 23), date(2026, 11, 26))
    assert days[0] == date(2026, 11, 23) and date(2026, 11, 28) not in days
    assert date(2026, 11, 26) + timedelta(days=HORIZON_DAYS - 3) < days[-1] <= \
        date(2026, 11, 26) + timedelta(days=HORIZON_DAYS)
