"""The one way to write a change to a case: read, decide, save under the version check.

`decide` only decides and mutates the ticket it is given, and answers what it decided; it may
run several times (a conflict re-reads and decides again), so counters, SMS, task-token answers
and pages never happen inside it: the caller acts on the returned decision after the write.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain.errors import ConcurrentUpdate
from ..domain.model import Ticket
from .ports import Tickets

CONFLICT_RETRIES = 3
T = TypeVar("T")


@dataclass(frozen=True)
class Changed(Generic[T]):
    ticket: Ticket  # as stored after the change (or as read, when nothing changed)
    decision: T | None  # what `decide` answered on the attempt that counted
    saved: bool  # False when `decide` left the ticket as it was: nothing was written


def change(tickets: Tickets, ticket_id: str, decide: Callable[[Ticket], T | None]) -> Changed[T]:
    return _change(tickets, lambda: tickets.get(ticket_id), decide)


def change_by_number(tickets: Tickets, number: str, decide: Callable[[Ticket], T | None]) -> Changed[T]:
    return _change(tickets, lambda: tickets.by_number(number), decide)


def _change(tickets: Tickets, load: Callable[[], Ticket], decide: Callable[[Ticket], T | None]) -> Changed[T]:
    for attempt in range(CONFLICT_RETRIES):
        ticket = load()
        before = copy.deepcopy(ticket)
        decision = decide(ticket)
        if ticket == before:
            return Changed(ticket, decision, saved=False)
        try:
            tickets.save(ticket)
        except ConcurrentUpdate:
            if attempt == CONFLICT_RETRIES - 1:
                raise
            continue
        return Changed(ticket, decision, saved=True)
    raise AssertionError("unreachable")
