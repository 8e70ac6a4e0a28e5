"""What follows every stored change of a ticket (the table's stream): a new ticket starts its
workflow (unless it is stored finished), each new timeline event is counted once, the pages it
touches are rewritten, and a finished case's contact is set to be deleted after the retention
period."""
from __future__ import annotations

from datetime import timedelta

from ..domain.model import FINISHED_STATUSES, Ticket
from ..domain.tallies import tallies
from . import photos
from .context import Deps
from .publish import pages_for, publish_tickets
from .site import keep_listings


def _follow(old: Ticket | None, new: Ticket, deps: Deps) -> frozenset[str]:
    """Start, count, publish photos and set the contact's expiry for one change; answers the months
    (YYYY-MM) of the counters it moved (the statistics and the department's page then change).
    Safe to run twice for the same change (stream retries): starting is a no-op the second time,
    tallies are keyed by ticket and event. A case stored already finished starts nothing."""
    if old is None:
        deps.tickets.keep_contact(new.id)
        if new.status not in FINISHED_STATUSES:
            # A case stored past screening (history, an import) starts all the same: the first
            # step screens only a submitted case and otherwise routes by the stored state to the
            # wait the case is in. (`restart` is for a case whose execution ended: it would name
            # the first execution as a restart, which `running` does not find.)
            deps.workflow.start(new.id)
    counted = tallies(new, since=len(old.events) if old else 0)
    for tally in counted:
        deps.counters.count_once(tally)
    photos.publish_changes(old, new, deps)  # before the page that shows them
    if new.status in FINISHED_STATUSES and (old is None or old.status not in FINISHED_STATUSES):
        finished = new.events[-1].at
        deps.tickets.expire_contact(new.id, finished + timedelta(days=deps.catalog().policy.contact_retention_days))
    return frozenset(tally.day[:7] for tally in counted)


def on_change(old: Ticket | None, new: Ticket, deps: Deps) -> None:
    on_changes([(old, new)], deps)


def on_changes(changes: list[tuple[Ticket | None, Ticket]], deps: Deps) -> None:
    """A batch of stored changes, in stream order. Every change is started and counted; a case
    changed several times in the batch is published once, as it stands after the last change
    (under a burst a case is screened, dispatched and handed over within a second); then the
    listings are kept and the shared pages marked for the next coalesced build (services/site.py)."""
    last = {new.id: index for index, (_, new) in enumerate(changes)}
    touched: dict[str, bool] = {}
    publish: list[Ticket] = []
    followed = []
    for index, (old, new) in enumerate(changes):
        touched[new.id] = touched.get(new.id, False) or bool(pages_for(old, new))
        followed.append((old, new, _follow(old, new, deps)))
        if last[new.id] == index and touched[new.id]:
            publish.append(new)
    publish_tickets(publish, deps)
    keep_listings(followed, deps)
