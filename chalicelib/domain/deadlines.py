"""The deadline a case is running against now, and how many working days are left or overdue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .calendar import CHINA, WorkCalendar
from .model import Status, Ticket

# Working days listed past the deadline (or the render day) for a page script that recounts on a
# later day; beyond them the script counts Monday to Friday, as the calendar's own fallback does.
HORIZON_DAYS = 60


@dataclass(frozen=True)
class Countdown:
    """Where a case stands against its current deadline (`due`, an instant; `last_day`, the last
    working day it covers). `left`: working days after today up to the last day (0: due today);
    `late`: working days after the last day up to today, counted once the deadline has passed."""

    stage: str  # "triage", "accept" or "reply"
    due: datetime
    last_day: date
    overdue: bool
    left: int
    late: int


def current_deadline(ticket: Ticket, calendar: WorkCalendar, triage_days: int) -> tuple[str, datetime] | None:
    """(stage, due) of the step the case waits for: the sign-off while dispatched, the reply while
    accepted, the dispatchers' triage while it waits for a department; None otherwise."""
    if ticket.status is Status.DISPATCHED and ticket.accept_due:
        return "accept", ticket.accept_due
    if ticket.status is Status.ACCEPTED and ticket.reply_due:
        return "reply", ticket.reply_due
    if ticket.status in (Status.SCREENED, Status.RETURNED):
        since = next((e.at for e in reversed(ticket.events) if e.kind in ("screened", "returned")), None)
        if since is not None:
            return "triage", calendar.add_working_days(since, triage_days)
    return None


def last_day(due: datetime) -> date:
    """The last day a deadline covers: a deadline at midnight ends the day before."""
    return (due.astimezone(CHINA) - timedelta(microseconds=1)).date()


def countdown(ticket: Ticket, calendar: WorkCalendar, now: datetime, triage_days: int) -> Countdown | None:
    """The countdown to the current deadline as of `now`; None for a case not waiting on one."""
    deadline = current_deadline(ticket, calendar, triage_days)
    if deadline is None:
        return None
    stage, due = deadline
    final, today = last_day(due), now.astimezone(CHINA).date()
    overdue = now >= due
    left = 0 if overdue else len(calendar.working_days(today, final))
    late = len(calendar.working_days(final, today)) if overdue else 0
    return Countdown(stage, due, final, overdue, left, late)


def working_days_around(calendar: WorkCalendar, start: date, final: date) -> list[date]:
    """The working days from `start` (included) to HORIZON_DAYS after the later of both days: what
    a page script needs to recount the countdown on any day in that span."""
    return calendar.working_days(start - timedelta(days=1), max(start, final) + timedelta(days=HORIZON_DAYS))
