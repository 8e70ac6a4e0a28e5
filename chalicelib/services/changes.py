"""What follows every stored change of a ticket (the table's stream): a new ticket starts its
workflow, each new timeline event is counted once, the pages it touches are rewritten, and a
finished case's contact is set to be deleted after the retention period."""
from __future__ import annotations

from datetime import timedelta

from ..domain.model import FINISHED_STATUSES, Ticket
from ..domain.tallies import tallies
from . import photos
from .context import Deps
from .publish import pages_for, publish_ticket, publish_tickets


def on_change(old: Ticket | None, new: Ticket, deps: Deps, publish: bool = True) -> None:
    """Safe to run twice for the same change (stream retries): starting is a no-op the second
    time, tallies are keyed by ticket and event, and pages are rewritten with the same content."""
    if old is None:
        deps.tickets.keep_contact(new.id)
        deps.workflow.start(new.id)
    for tally in tallies(new, since=len(old.events) if old else 0):
        deps.counters.count_once(tally)
    photos.publish_changes(old, new, deps)  # before the page that shows them
    if publish and pages_for(old, new):
        publish_ticket(new, deps)
    if new.status in FINISHED_STATUSES and (old is None or old.status not in FINISHED_STATUSES):
        finished = new.events[-1].at
        deps.tickets.expire_contact(new.id, finished + timedelta(days=deps.catalog().policy.contact_retention_days))


def on_changes(changes: list[tuple[Ticket | None, Ticket]], deps: Deps) -> None:
    """A batch of stored changes, in stream order. Every change is started and counted; a case
    changed several times in the batch is published once, as it stands after the last change
    (under a burst a case is screened, dispatched and handed over within a second)."""
    last = {new.id: index for index, (_, new) in enumerate(changes)}
    touched: dict[str, bool] = {}
    publish: list[Ticket] = []
    for index, (old, new) in enumerate(changes):
        touched[new.id] = touched.get(new.id, False) or bool(pages_for(old, new))
        on_change(old, new, deps, publish=False)
        if last[new.id] == index and touched[new.id]:
            publish.append(new)
    publish_tickets(publish, deps)
