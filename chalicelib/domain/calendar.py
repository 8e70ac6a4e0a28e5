"""Working days: Chinese statutory holidays and make-up days, and a compressed demo clock."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")


def china_now() -> datetime:
    return datetime.now(CHINA)


@dataclass(frozen=True)
class WorkCalendar:
    """Is a day a working day? chinesecalendar where it knows the year, else the fallback.

    The fallback is weekends off plus `holidays`, with `workdays` as make-up working days:
    both come from configuration data for years the package does not cover yet.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def with_overrides(cls, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """End (24:00, China time) of the `days`-th working day after the start's date."""
        day = start.astimezone(CHINA).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)

    def extend(self, deadline: datetime | None, now: datetime, days: int) -> datetime:
        """A deadline moved by `days` working days (an approved extension): that many working days
        after the last day it covers (a deadline at 24:00 ends that day, not the next), or after
        today once it has passed."""
        if deadline is None or deadline <= now:
            return self.add_working_days(now, days)
        return self.add_working_days(deadline - timedelta(microseconds=1), days)

    def working_days(self, after: date, through: date) -> list[date]:
        """The working days after `after`, up to and including `through` (none if through <= after)."""
        days, day = [], after
        while day < through:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days.append(day)
        return days


@dataclass(frozen=True)
class Clock:
    """Turns 'n working days from now' into a due time and a timeout in seconds.

    With `workday_seconds` set, one working day lasts that many seconds (tests, demo);
    deadlines are then still computed, never edited by hand.
    """

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    workday_seconds: float | None = None
    # Where "now" comes from: the wall clock, or a test's hand-moved time.
    source: Callable[[], datetime] = china_now

    def now(self) -> datetime:
        return self.source()

    def due(self, start: datetime, working_days: int) -> datetime:
        if self.workday_seconds is not None:
            return start + timedelta(seconds=working_days * self.workday_seconds)
        return self.calendar.add_working_days(start, working_days)

    def extended(self, deadline: datetime | None, working_days: int) -> datetime:
        """The deadline moved by `working_days` from its last day (or from now once passed)."""
        now = self.now()
        if self.workday_seconds is not None:
            return self.due(max(deadline or now, now), working_days)
        return self.calendar.extend(deadline, now, working_days)

    def seconds_until(self, due: datetime, now: datetime | None = None) -> int:
        """Whole seconds left (at least 1: Step Functions needs a positive timeout)."""
        left = (due - (now or self.now())).total_seconds()
        return max(1, int(left + 0.999))
