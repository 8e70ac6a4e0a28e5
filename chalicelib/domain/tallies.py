"""Counters as a projection of the timeline: which counters each new event moves, and the key that
names a stored change's tallies, so that counting the same change twice (a retried write, a
redelivered stream record) changes nothing.

A counter is named `<measure>#<scope>`: the scope is a department's code, `district:<code>`, or for
intake also `all`, `kind:<kind>` and `channel:<channel>`. The measures are what the published
rates are made of (domain/stats.py):

    submitted                 a case was filed (intake trend, per kind and per channel)
    dispatched                a case reached a department (the base of its rates)
    accepted, accepted_on_time    signed off (签收), and within the sign-off deadline
    replied, replied_on_time      answered (答复), and within the reply deadline then in force
    rated, satisfied              a verdict, and a satisfied or basically satisfied one
    returns                   a department gave a case back (退单)

Deadlines are read from the ticket as it stood when the event was stored (the new image), so a
later extension does not rewrite history.

What follows a dispatch — its sign-off, reply and return — counts on the day of that dispatch, not
on its own day: a month's figures then describe the cases dispatched in that month (a cohort), so
a completion rate cannot pass 100 % because cases dispatched last month were answered in this
one. Verdicts count on their own day (satisfied and rated move together)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .calendar import CHINA
from .model import Event, Rating, Ticket

SATISFIED = frozenset({Rating.SATISFIED.value, Rating.BASICALLY_SATISFIED.value})


@dataclass(frozen=True)
class Tally:
    """Add one to `counter` for the China-time `day`."""

    counter: str
    day: str  # YYYY-MM-DD; monthly figures add up the days (at most 31 items)


def district_scope(code: str) -> str:
    return f"district:{code}"


def _measures(event: Event, ticket: Ticket) -> list[tuple[str, str]]:
    """(measure, department) pairs an event moves; each also counts for the ticket's district."""
    kind, department = event.kind, event.data.get("department") or ticket.department or ""
    if kind == "dispatched":
        return [("dispatched", event.data["department"])]
    if kind == "returned":
        return [("returns", event.data["department"])]
    if kind == "accepted":
        on_time = ticket.accept_due is None or event.at <= ticket.accept_due
        return [("accepted", event.actor)] + ([("accepted_on_time", event.actor)] if on_time else [])
    if kind == "replied":
        on_time = ticket.reply_due is None or event.at <= ticket.reply_due
        return [("replied", event.actor)] + ([("replied_on_time", event.actor)] if on_time else [])
    if kind == "rated" and department:
        rated = [("rated", department)]
        return rated + ([("satisfied", department)] if event.data.get("rating") in SATISFIED else [])
    return []


def counter_names(event: Event, ticket: Ticket) -> list[str]:
    if event.kind == "submitted":
        scopes = ["all", f"kind:{ticket.kind.value}", f"channel:{ticket.channel.value}"]
        return [f"submitted#{scope}" for scope in scopes + _district(ticket)]
    names = []
    for measure, department in _measures(event, ticket):
        names += [f"{measure}#{scope}" for scope in [department, *_district(ticket)]]
    return names


def _district(ticket: Ticket) -> list[str]:
    """The district scope a case counts in: none for an unplaced case (no district known)."""
    return [district_scope(ticket.district)] if ticket.district else []


COHORT = frozenset({"accepted", "replied", "returned"})  # counted on their dispatch's day


def _day(at: datetime) -> str:
    return at.astimezone(CHINA).date().isoformat()


def tallies(ticket: Ticket, since: int = 0) -> list[Tally]:
    """The counter changes of the ticket's events from index `since` on (the new ones)."""
    found = []
    dispatched: datetime | None = None
    for index, event in enumerate(ticket.events):
        if event.kind == "dispatched":
            dispatched = event.at
        if index < since:
            continue
        day = _day(dispatched if event.kind in COHORT and dispatched else event.at)
        found += [Tally(name, day) for name in counter_names(event, ticket)]
    return found


def change_key(ticket: Ticket, since: int = 0) -> str:
    """What names the tallies of one stored change, the events from index `since` on, when they are
    applied together once: the same each time that change is delivered (its old image has `since`
    events), and another for any other change of the ticket (each appends its own events)."""
    return f"{ticket.id}:{since}"


INTAKE_PARTITION = "intake"


def partition_of(counter: str) -> str:
    """Counters read together are stored together: a department's or a district's measures in the
    unit's partition, intake by kind and channel (and in all) in one, so a page reads one partition
    per unit rather than one per counter."""
    scope = counter.split("#", 1)[1]
    return INTAKE_PARTITION if scope == "all" or scope.startswith(("kind:", "channel:")) else scope
