"""What follows every stored change of a ticket (the table's stream): a new ticket starts its
workflow (unless it is stored finished), each new timeline event is counted once, the pages it
touches are rewritten, and a finished case's contact is set to be deleted after the retention
period."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from ..domain.model import FINISHED_STATUSES, Ticket
from ..domain.tallies import change_key, tallies
from . import photos
from .context import Deps
from .publish import pages_for, publish_tickets
from .site import keep_listings

T = TypeVar("T")
PARALLEL_CALLS = 8  # the new cases' starts are independent single-item calls: sent side by side


def _start(old: Ticket | None, new: Ticket, deps: Deps) -> None:
    """A new case's contact is kept and its workflow started (a no-op the second time). A case
    stored already finished (history, an import) starts nothing; one stored past screening starts
    all the same: the first step screens only a submitted case and otherwise routes by the stored
    state to the wait the case is in. (`restart` is for a case whose execution ended: it would name
    the first execution as a restart, which `running` does not find.)"""
    if old is None:
        deps.tickets.keep_contact(new.id)
        if new.status not in FINISHED_STATUSES:
            deps.workflow.start(new.id)


def _side_by_side(call: Callable[[T], object], items: list[T]) -> None:
    """Call `call` on every item, up to PARALLEL_CALLS at once (boto3 clients are thread-safe); the
    first failure is raised once all are done (the stream retries the batch: every call is safe twice)."""
    if len(items) <= 1:
        for item in items:
            call(item)
        return
    with ThreadPoolExecutor(max_workers=min(PARALLEL_CALLS, len(items))) as pool:
        list(pool.map(call, items))


def _count(changes: list[tuple[Ticket | None, Ticket]], deps: Deps) -> list[frozenset[str]]:
    """Count each change's new events once (the batch's tallies together, each change keyed: a
    redelivery counts nothing); answers, per change, the months (YYYY-MM) its counters moved in."""
    since = [len(old.events) if old else 0 for old, _ in changes]
    found = [tallies(new, start) for (_, new), start in zip(changes, since, strict=True)]
    counted = [(change_key(new, start), moved)
               for (_, new), start, moved in zip(changes, since, found, strict=True) if moved]
    deps.counters.count_changes(counted)
    return [frozenset(tally.day[:7] for tally in moved) for moved in found]


def _expire(old: Ticket | None, new: Ticket, deps: Deps) -> None:
    """A case just finished: its contact is deleted after the retention period."""
    if new.status in FINISHED_STATUSES and (old is None or old.status not in FINISHED_STATUSES):
        finished = new.events[-1].at
        deps.tickets.expire_contact(new.id, finished + timedelta(days=deps.catalog().policy.contact_retention_days))


def _publish(changes: list[tuple[Ticket | None, Ticket]], deps: Deps) -> None:
    """The batch's photos, then the pages of the cases whose page changed, each as it stands last."""
    last = {new.id: index for index, (_, new) in enumerate(changes)}
    touched: dict[str, bool] = {}
    publish: list[Ticket] = []
    for index, (old, new) in enumerate(changes):
        photos.publish_changes(old, new, deps)  # before the page that shows them
        touched[new.id] = touched.get(new.id, False) or bool(pages_for(old, new))
        if last[new.id] == index and touched[new.id]:
            publish.append(new)
    publish_tickets(publish, deps)


def on_change(old: Ticket | None, new: Ticket, deps: Deps) -> None:
    on_changes([(old, new)], deps)


def on_changes(changes: list[tuple[Ticket | None, Ticket]], deps: Deps) -> None:
    """A batch of stored changes, in stream order. What a person waits for comes first: each new
    case is started while its photos are published and the case pages written — a case changed several
    times in the batch once, as it stands after the last change (under a burst a case is screened,
    dispatched and handed over within a second). Then every change's events are counted, finished
    cases' contacts set to expire, and the listings kept and the shared pages marked for the next
    coalesced build (services/site.py). Safe to run twice for the same batch (stream retries)."""
    # Under a burst a batch holds many new cases: their contacts kept and workflows started side
    # by side (each its own item and execution; a second start of one is a no-op), and meanwhile
    # the pages written (rendering here, the starts waiting on the table and the workflows).
    new_cases = [change for change in changes if change[0] is None]
    if not new_cases:
        _publish(changes, deps)
    else:
        with ThreadPoolExecutor(max_workers=1) as starter:
            started = starter.submit(_side_by_side, lambda change: _start(change[0], change[1], deps), new_cases)
            _publish(changes, deps)
            started.result()
    counted = _count(changes, deps)
    for old, new in changes:
        _expire(old, new, deps)
    keep_listings([(old, new, months) for (old, new), months in zip(changes, counted, strict=True)], deps)
