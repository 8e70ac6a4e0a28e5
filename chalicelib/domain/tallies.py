"""Counters as a projection of the timeline: which counter each new event moves, keyed so that
counting the same event twice (a retried write, a redelivered stream record) changes nothing."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .calendar import CHINA
from .model import Event, Ticket


@dataclass(frozen=True)
class Tally:
    """Add one to `counter` for the China-time `day`, once per `key` (ticket and event index)."""

    counter: str
    day: str  # YYYY-MM-DD; monthly figures add up the days (at most 31 items)
    key: str


# Event kind -> the counter it moves (None: that event counts nowhere).
_COUNTERS: dict[str, Callable[[Event], str | None]] = {
    "dispatched": lambda e: f"dispatched#{e.data['department']}",
    "returned": lambda e: f"returns#{e.data['department']}",
}


def counter_name(event: Event) -> str | None:
    name = _COUNTERS.get(event.kind)
    return name(event) if name else None


def tallies(ticket: Ticket, since: int = 0) -> list[Tally]:
    """The counter changes of the ticket's events from index `since` on (the new ones)."""
    found = []
    for index, event in enumerate(ticket.events[since:], start=since):
        name = counter_name(event)
        if name:
            found.append(Tally(name, event.at.astimezone(CHINA).date().isoformat(), f"{ticket.id}:{index}"))
    return found

