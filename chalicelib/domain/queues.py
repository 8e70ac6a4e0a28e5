"""The console's live counts: which queues each role sees counted, and why a watched case is
watched. Each count is one count query on an index (the inbox by queue and state, ordered by due
time; the watch list), so the strip above the tabs costs a few small reads, never a scan."""
from __future__ import annotations

from enum import StrEnum

from .model import Status, Ticket
from .staff import Role


class WatchReason(StrEnum):
    """Why a case is on the watch list (domain/model.py: `needs_attention`)."""

    ESCALATED = "escalated"
    EXTENSION = "extension"
    CALLBACK = "callback"


def watch_reasons(ticket: Ticket) -> set[WatchReason]:
    if not ticket.needs_attention:
        return set()
    reasons = set()
    if ticket.escalation_level:
        reasons.add(WatchReason.ESCALATED)
    if ticket.extension_requested:
        reasons.add(WatchReason.EXTENSION)
    if ticket.status is Status.REPLIED and ticket.task_stage == "callback":
        reasons.add(WatchReason.CALLBACK)
    return reasons


class Count(StrEnum):
    """One badge of the strip (its label is the catalogue's `counts.<name>`)."""

    TRIAGE_NEW = "triage_new"  # screened, waiting for a dispatcher
    TRIAGE_RETURNED = "triage_returned"  # returned by a department
    DISPATCHED = "dispatched"  # 待签收
    ACCEPTED = "accepted"  # 办理中
    DUE_SOON = "due_soon"  # due within one working day
    OVERDUE = "overdue"  # past the deadline in force
    REOPENED = "reopened"  # the citizen was not satisfied
    EXTENSIONS = "extensions"  # extension requests waiting for a decision
    ESCALATED = "escalated"  # escalated (督办)
    CALLBACKS = "callbacks"  # callbacks due
    DEAD_LETTERS = "dead_letters"  # tasks that keep failing


# Which counts each role's strip shows, in order.
COUNTS: dict[Role, tuple[Count, ...]] = {
    Role.HANDLER: (Count.DISPATCHED, Count.ACCEPTED, Count.DUE_SOON, Count.OVERDUE, Count.REOPENED,
                   Count.EXTENSIONS),
    Role.DISPATCHER: (Count.TRIAGE_NEW, Count.TRIAGE_RETURNED, Count.CALLBACKS),
    Role.OPERATOR: (Count.TRIAGE_NEW, Count.TRIAGE_RETURNED),
    Role.SUPERVISOR: (Count.TRIAGE_NEW, Count.TRIAGE_RETURNED, Count.ESCALATED, Count.EXTENSIONS, Count.CALLBACKS,
                      Count.DEAD_LETTERS),
    Role.ADMIN: (),
}
# The states whose deadline runs in a department's queue (sign off, then reply).
RUNNING = (Status.DISPATCHED, Status.ACCEPTED)
