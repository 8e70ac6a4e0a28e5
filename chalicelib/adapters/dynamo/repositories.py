"""The repositories the services' ports name, over the bound models."""
from __future__ import annotations

import contextlib
import functools
import json
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.constants import NONE
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError
from pynamodb.expressions.operand import Path

from ...domain.calendar import CHINA
from ...domain.catalog import RECORD_KINDS, Catalog, record_key
from ...domain.clients import ClientKey
from ...domain.errors import ConcurrentUpdate, NotFound
from ...domain.listings import Entry, Membership, refreshed_slowly
from ...domain.model import Status, Ticket
from ...domain.queues import WatchReason
from ...domain.tallies import Tally, partition_of
from ...domain.throttle import Decision, Rule, decide
from ...services.ports import Access, Imported
from .mapping import number_key, ticket_from_image, ticket_from_item, ticket_key, to_item
from .models import TableModels

PENDING_CONTACT = timedelta(days=1)
COUNTED_KEPT = timedelta(days=2)  # a change's marker: a stream keeps a record for a day
# Changes one update of a day item names in its condition (an expression is at most 4 KB).
PENDING_PER_WRITE = 64
LIMIT_ATTEMPTS = 4  # reads and conditional writes of one bucket before a crowded bucket refuses


def _update(item: Any, actions: list[Any], condition: Any = None) -> None:
    """An update whose answer is not used: nothing comes back (pynamodb's `update` asks for the whole
    item after the write, which for a growing item is a growing answer)."""
    hash_key, range_key = item._get_hash_range_key_serialized_values()
    item._get_connection().update_item(hash_key, range_key=range_key, actions=actions, condition=condition,
                                       return_values=NONE)


def _save_all(model: Any, items: list[Any]) -> None:
    """Items written in batches (25 a request; pynamodb sends again what was not processed)."""
    with model.batch_write() as batch:
        for item in items:
            batch.save(item)


def _is_conflict(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) in {
        "ConditionalCheckFailedException"}


@contextmanager
def _conflict_means(message: str) -> Iterator[None]:
    """A put refused by its condition is a ConcurrentUpdate saying `message`."""
    try:
        yield
    except PutError as exc:
        if _is_conflict(exc):
            raise ConcurrentUpdate(message) from exc
        raise


class TicketRepository:
    """Tickets with optimistic locking: a stale write raises ConcurrentUpdate, never overwrites."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def add(self, ticket: Ticket, phone: str | None) -> None:
        """Store a new ticket: first its contact, as pending (it expires within a day unless the
        ticket's stored INSERT keeps it), then its number's pointer, then the ticket. Single-item
        conditional puts, no transaction: a crash between them leaves a contact that deletes itself
        and a number that names no ticket (looked up, it is not found; the day's sequence moves on)."""
        item = to_item(ticket, self._models.ticket)
        with _conflict_means(f"ticket {ticket.id} exists already"):
            if phone:
                contact = self._models.contact(item.pk, "CONTACT", phone=phone, pending=True,
                                               expiration=datetime.now(UTC) + PENDING_CONTACT)
                contact.save(condition=self._models.contact.pk.does_not_exist())
        with _conflict_means(f"number {ticket.number} is taken already"):
            pointer = self._models.number(number_key(ticket.number), "NUMBER", id=ticket.id)
            pointer.save(condition=self._models.number.pk.does_not_exist())
        with _conflict_means(f"ticket {ticket.id} exists already"):
            item.save(condition=self._models.ticket.pk.does_not_exist())
        ticket.version = item.version

    def save(self, ticket: Ticket) -> None:
        item = to_item(ticket, self._models.ticket)
        with _conflict_means(f"ticket {ticket.number} was changed by someone else"):
            item.save()
        ticket.version = item.version

    def get(self, ticket_id: str) -> Ticket:
        try:
            return ticket_from_item(self._models.ticket.get(ticket_key(ticket_id), "TICKET", consistent_read=True))
        except DoesNotExist:
            raise NotFound(f"unknown ticket '{ticket_id}'", field="ticket") from None

    def by_number(self, number: str, *, for_update: bool = True) -> Ticket:
        """Two key gets: the number's pointer, then the ticket (strongly consistent, so a write
        that follows has the current version)."""
        try:
            pointer = self._models.number.get(number_key(number), "NUMBER", consistent_read=True)
        except DoesNotExist:
            raise NotFound(f"unknown ticket '{number}'", field="ticket") from None
        return self.get(str(pointer.id))

    def _tickets(self, keys: Iterable[Any]) -> list[Ticket]:
        """The tickets an index query named, read by key in one batch (the index holds their keys,
        not the tickets), in the index's order."""
        order = [item.pk for item in keys]
        model = self._models.ticket
        found = {item.pk: ticket_from_item(item) for item in model.batch_get([(pk, "TICKET") for pk in order])}
        return [found[pk] for pk in order if pk in found]

    def inbox(self, queue: str, status: Status, limit: int = 50) -> list[Ticket]:
        found = self._tickets(self._models.ticket.inbox.query(f"DEPT#{queue}#{status.value}", limit=limit))
        # The index trails the table a little: a case that moved on meanwhile is not listed here.
        return [t for t in found if t.queue == queue and t.status is status]

    def watched(self, limit: int = 100) -> list[Ticket]:
        """Cases that need attention: escalated, overdue, waiting for an extension decision or a callback."""
        found = self._tickets(self._models.ticket.watch.query("WATCH", limit=limit))
        return [t for t in found if t.needs_attention]

    def count(self, queue: str, status: Status, due_from: datetime | None = None,
              due_before: datetime | None = None) -> int:
        """A count query (Select=COUNT) on the inbox index. Its sort key starts with the reply
        deadline (China time), so for the reply deadline a due range is a key range; a case
        waiting for sign-off is due by its sign-off deadline, a filter on the one partition."""
        model = self._models.ticket
        partition = f"DEPT#{queue}#{status.value}"
        if due_from is None and due_before is None:
            return int(model.inbox.count(partition))
        if status is Status.DISPATCHED:
            due = model.accept_due
            found = (due.between(due_from, due_before) if due_from and due_before
                     else due < due_before if due_before else due >= due_from)
            return int(model.inbox.count(partition, filter_condition=found))
        key = model.gsi2sk
        low, high = (_due_key(due_from) if due_from else None), (_due_key(due_before) if due_before else None)
        condition = key.between(low, high) if low and high else key < high if high else key >= low
        return int(model.inbox.count(partition, condition))

    def count_watched(self, reason: WatchReason, department: str | None = None) -> int:
        """A count query on the watch index, filtered by why the case is watched."""
        model = self._models.ticket
        condition = {WatchReason.ESCALATED: model.escalation_level > 0,
                     WatchReason.EXTENSION: model.extension_requested == True,  # noqa: E712
                     WatchReason.CALLBACK: model.task_stage == "callback"}[reason]
        if department is not None:
            condition &= model.department == department
        return int(model.watch.count("WATCH", filter_condition=condition))

    def recent_at(self, location: str, since: datetime, limit: int = 50) -> list[Ticket]:
        """Cases reported at a location since a time, newest first."""
        model = self._models.ticket
        return self._tickets(model.by_location.query(f"LOC#{location}", model.gsi3sk >= since.isoformat(),
                                                     scan_index_forward=False, limit=limit))

    def phone(self, ticket_id: str) -> str | None:
        try:
            contact = self._models.contact.get(ticket_key(ticket_id), "CONTACT")
        except DoesNotExist:
            return None
        # Time-to-live deletes within days, not at once: an expired contact is gone already.
        if contact.expiration is not None and contact.expiration <= datetime.now(UTC):
            return None
        return str(contact.phone)

    def keep_contact(self, ticket_id: str) -> None:
        model = self._models.contact
        try:
            _update(model(ticket_key(ticket_id), "CONTACT"), [model.pending.remove(), model.expiration.remove()],
                    condition=model.pending.exists())
        except UpdateError as exc:
            if not _is_conflict(exc):
                raise  # no pending contact: nothing to keep

    def expire_contact(self, ticket_id: str, at: datetime) -> None:
        model = self._models.contact
        try:
            _update(model(ticket_key(ticket_id), "CONTACT"), [model.expiration.set(at)], condition=model.pk.exists())
        except UpdateError as exc:
            if not _is_conflict(exc):
                raise  # no contact item: nothing to expire

    def from_image(self, image: dict[str, Any]) -> Ticket | None:
        return ticket_from_image(image, self._models.ticket)

    def every(self, page_size: int = 100) -> Iterator[Ticket]:
        model = self._models.ticket
        for item in model.scan(model.sk == "TICKET", page_size=page_size):
            yield ticket_from_item(item)


class CounterRepository:
    """Sequences (atomic ADD) and tallies applied once per stored change, without a transaction.

    A unit's day is one item (`TALLY#{partition}` / day) with a number attribute per counter, so a
    batch of changes is one update per unit and day it touches (and per chunk of changes), and a
    page reads a unit's month as at most 31 small items. What makes a change count once is kept
    apart from the counts, so no item grows with the day's volume (DynamoDB's 400 KB item limit; a
    write costs a unit per KB):
    1. consistent reads of the changes' markers (`COUNTED#{key}`, a batch read): a change whose
       marker is there was applied; it is left out;
    2. each day item: ADD the remaining changes' counts and their keys to `pending`, unless
       `pending` holds one of the keys — an attempt that stopped after this write and before the
       markers applied those already: then the item's `pending` is read and the others applied;
    3. the markers are written (a batch write; they expire once the stream cannot deliver the
       changes again);
    4. each day item: the keys are taken out of `pending` again.
    A retry after a stop anywhere, with the same batch or the changes in other batches, counts
    nothing twice and misses nothing: before 3 the keys in `pending` say which items have a change,
    after 3 its marker says all do. (A stop between 3 and 4 leaves the keys behind in `pending`: a
    few bytes, once per crash.) This relies on one change not being applied by two callers at once,
    which a stream shard ensures."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def next(self, name: str) -> int:
        item = self._models.counter(f"COUNTER#{name}", "COUNTER")
        item.update(actions=[self._models.counter.value.add(1)])
        return int(item.value)

    @staticmethod
    def _by_day(values: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str], Counter[str]]:
        """(counter, day, amount) grouped by the unit's day item they add to (domain/tallies.py:
        `partition_of`)."""
        found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for counter, day, amount in values:
            found[f"TALLY#{partition_of(counter)}", day][counter] += amount
        return found

    @staticmethod
    def _adds(moved: Counter[str]) -> list[Any]:
        return [Path([name]).add(n) for name, n in sorted(moved.items())]

    def count_changes(self, changes: Sequence[tuple[str, Sequence[Tally]]]) -> set[str]:
        model, marker = self._models.tally, self._models.counted
        moved = {key: found for key, found in changes if found}
        if not moved:
            return set()
        applied = {item.pk.removeprefix("COUNTED#") for item in marker.batch_get(
            [(f"COUNTED#{key}", "COUNTED") for key in moved], consistent_read=True, attributes_to_get=["pk"])}
        todo = [key for key in moved if key not in applied]
        days: dict[tuple[str, str], dict[str, Counter[str]]] = defaultdict(dict)
        for key in todo:
            for day_item, counts in self._by_day((tally.counter, tally.day, 1) for tally in moved[key]).items():
                days[day_item][key] = counts
        parts: list[tuple[str, str, dict[str, Counter[str]]]] = []
        for (pk, day), found in days.items():
            by_key = sorted(found.items())
            parts += [(pk, day, dict(by_key[start:start + PENDING_PER_WRITE]))
                      for start in range(0, len(by_key), PENDING_PER_WRITE)]
        for pk, day, part in parts:
            self._apply(pk, day, part)
        expires = datetime.now(UTC) + COUNTED_KEPT
        _save_all(marker, [marker(f"COUNTED#{key}", "COUNTED", expiration=expires) for key in todo])
        for pk, day, part in parts:
            _update(model(pk, day), [model.pending.delete(set(part))])
        return set(todo)

    def _apply(self, pk: str, day: str, by_key: dict[str, Counter[str]]) -> None:
        """One day item: the changes' counts added and their keys put into `pending`, unless it holds
        one of them already (applied by an attempt that stopped before the markers): then the rest."""
        model = self._models.tally
        while by_key:
            held = functools.reduce(operator.or_, (model.pending.contains(key) for key in sorted(by_key)))
            try:
                _update(model(pk, day), self._adds(sum(by_key.values(), Counter())) + [model.pending.add(set(by_key))],
                        condition=model.pending.does_not_exist() | ~held)
                return
            except UpdateError as exc:
                if not _is_conflict(exc):
                    raise
            pending = model.get(pk, day, consistent_read=True, attributes_to_get=["pending"]).pending or set()
            by_key = {key: counts for key, counts in by_key.items() if key not in pending}

    def add_days(self, values: dict[tuple[str, str], int]) -> None:
        """Add (counter, day) values as they stand, unguarded: for loading an archive's figures."""
        for (pk, day), moved in self._by_day((counter, day, n) for (counter, day), n in values.items()).items():
            _update(self._models.tally(pk, day), self._adds(moved))

    def _days(self, partition: str, condition: Any) -> Iterator[tuple[str, dict[str, int]]]:
        """A unit's day items in a key range: (day, counter values); the raw items, since the
        counters are attributes named by the data."""
        connection = self._models.tally._get_connection()
        start: dict[str, Any] | None = None
        while True:
            page = connection.query(f"TALLY#{partition}", range_key_condition=condition,
                                    exclusive_start_key=start)
            for item in page.get("Items", []):
                yield item["sk"]["S"], {name: int(value["N"]) for name, value in item.items() if "N" in value}
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def total(self, counter: str, period: str) -> int:
        condition = self._models.tally.sk.startswith(period) if period else None
        return sum(values.get(counter, 0) for _, values in self._days(partition_of(counter), condition))

    def days(self, counters: Iterable[str], first: str, last: str) -> dict[str, dict[str, int]]:
        wanted = set(counters)
        found: dict[str, dict[str, int]] = {counter: {} for counter in wanted}
        for partition in sorted({partition_of(counter) for counter in wanted}):
            for day, values in self._days(partition, self._models.tally.sk.between(first, last)):
                for counter, value in values.items():
                    if counter in wanted:
                        found[counter][day] = value
        return found


class LimitRepository:
    """Per-client request buckets, one item each: read, decide, then write on the condition that
    the bucket still holds what was read (another copy of the API may take from it at once)."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def take(self, bucket: str, rule: Rule, now: datetime) -> Decision:
        model = self._models.limit
        for _ in range(LIMIT_ATTEMPTS):
            try:
                item = model.get(f"LIMIT#{bucket}", "LIMIT", consistent_read=True)
                stored: int | None = int(item.tat_ms)
            except DoesNotExist:
                item, stored = model(f"LIMIT#{bucket}", "LIMIT"), None
            decision = decide(None if stored is None else stored / 1000, now.timestamp(), rule)
            if not decision.allowed:
                return decision  # a refusal writes nothing
            item.tat_ms = round(decision.tat * 1000)
            # Once `tat` has passed the bucket is full, the same as no item: time-to-live may drop it.
            item.expiration = datetime.fromtimestamp(decision.tat, UTC) + timedelta(minutes=1)
            condition = model.pk.does_not_exist() if stored is None else model.tat_ms == stored
            try:
                item.save(condition=condition)
                return decision
            except PutError as exc:
                if not _is_conflict(exc):
                    raise
        # Every attempt lost to another request of the same client: it is sending many at once.
        return Decision(False, now.timestamp() if stored is None else stored / 1000, 1)


class ConfigRepository:
    """Configuration records (the catalog) as items under one partition."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def load(self) -> Catalog:
        """Read with strong consistency: right after an admin's change, the change is read back."""
        data: dict[str, list[dict[str, Any]]] = {kind: [] for kind in RECORD_KINDS}
        for item in sorted(self._models.config.query("CONFIG", consistent_read=True), key=lambda i: i.position):
            kind = item.sk.split("#", 1)[0]
            if kind in data:
                data[kind].append(json.loads(item.data))
        return Catalog.from_data(data)

    def put_all(self, data: dict[str, Any]) -> int:
        count = 0
        model = self._models.config
        with model.batch_write() as batch:
            for kind in RECORD_KINDS:
                records = data.get(kind, [])
                if isinstance(records, dict):  # a single record, like the policy
                    records = [{"code": "city", **records}]
                for position, record in enumerate(records):
                    batch.save(model("CONFIG", f"{kind}#{record_key(kind, record)}", position=position,
                                     data=json.dumps(record, ensure_ascii=False)))
                    count += 1
        return count

    def put(self, kind: str, record: dict[str, Any]) -> None:
        """One record: a changed one keeps its place in the lists, a new one goes last."""
        model = self._models.config
        sk = f"{kind}#{record_key(kind, record)}"
        try:
            position = int(model.get("CONFIG", sk, consistent_read=True).position)
        except DoesNotExist:
            same_kind = model.query("CONFIG", model.sk.startswith(f"{kind}#"), consistent_read=True,
                                    attributes_to_get=["position"])
            position = max((int(item.position) for item in same_kind), default=-1) + 1
        model("CONFIG", sk, position=position, data=json.dumps(record, ensure_ascii=False)).save()

    def remove(self, kind: str, key: str) -> None:
        self._models.config("CONFIG", f"{kind}#{key}").delete()


class ListingRepository:
    """Listing entries: one small item per case and listing, in the listing's partition, ordered by
    public number. Writes go out in batches of 25; reads are one query on one partition."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def put(self, entries: list[tuple[Membership, Entry]]) -> None:
        model = self._models.listing
        _save_all(model, [model(f"LIST#{membership.listing}", membership.key,
                                data=json.dumps(entry.to_data(), ensure_ascii=False, separators=(",", ":")))
                          for membership, entry in entries])

    def remove(self, memberships: list[Membership]) -> None:
        model = self._models.listing
        with model.batch_write() as batch:
            for membership in memberships:
                batch.delete(model(f"LIST#{membership.listing}", membership.key))

    @staticmethod
    def _entries(items: Iterable[Any]) -> list[Entry]:
        return [Entry.from_data(json.loads(item.data)) for item in items]

    def latest(self, listing: str, limit: int, before: str | None = None) -> list[Entry]:
        model = self._models.listing
        condition = model.sk < before if before else model.sk >= "0"
        return self._entries(model.query(f"LIST#{listing}", condition, scan_index_forward=False, limit=limit))

    def between(self, listing: str, first: str, last: str, limit: int = 1000) -> list[Entry]:
        model = self._models.listing
        return self._entries(model.query(f"LIST#{listing}", model.sk.between(first, last), limit=limit))

    def span(self, listing: str, low: str, below: str, limit: int) -> list[Entry]:
        """One query, newest first: `between` is inclusive, so one more is read and `below` dropped."""
        model = self._models.listing
        items = model.query(f"LIST#{listing}", model.sk.between(low, below), scan_index_forward=False,
                            limit=limit + 1)
        return self._entries([item for item in items if item.sk != below][:limit])

    def oldest_after(self, listing: str, after: str) -> Entry | None:
        model = self._models.listing
        found = self._entries(model.query(f"LIST#{listing}", model.sk > after, limit=1))
        return found[0] if found else None

    def note(self, index: str, values: set[str]) -> None:
        if values:
            model = self._models.set
            _update(model(f"SET#{index}", "SET"), [model.values.add(values)])

    def noted(self, index: str) -> set[str]:
        try:
            return set(self._models.set.get(f"SET#{index}", "SET").values or ())
        except DoesNotExist:
            return set()


class PendingPages:
    """The coalescing of shared pages, in two lanes (domain/listings.py: `refreshed_slowly`): one
    item per lane holds the pages waiting and when their build was asked for. Marking adds pages;
    the first mark since the last take asks for a build (`wake`: a queue message delayed until it
    is due). The news lane is built `interval` seconds after its first mark; the summaries' lane
    (statistics, weekly boards, month archives) at most once per `slow_interval` — `interval` after
    its first mark when its last build is older than that. A build asked for long ago whose message
    was lost (the write succeeded, the send did not) is asked for again."""

    NEWS, SUMMARIES = "PENDING", "PENDING#SLOW"

    def __init__(self, models: TableModels, wake: Callable[[float], None], interval_seconds: float,
                 slow_interval_seconds: float = 0.0) -> None:
        self._models, self._wake = models, wake
        self._interval, self._slow = interval_seconds, max(slow_interval_seconds, interval_seconds)
        # A build asked for longer ago than this has lost its message.
        self._overdue = timedelta(seconds=max(60.0, self._interval * 6, self._slow * 2))

    def mark(self, pages: set[str]) -> None:
        slow = {page for page in pages if refreshed_slowly(page)}
        for lane, marked in ((self.NEWS, pages - slow), (self.SUMMARIES, slow)):
            if marked:
                self._mark(lane, marked)

    def _mark(self, lane: str, pages: set[str]) -> None:
        """A read first (a fifth of a write's price): pages waiting already for a build asked for
        lately need no write — that build comes after this change was stored, and reads it."""
        model = self._models.pending
        now = datetime.now(UTC)
        with contextlib.suppress(DoesNotExist):
            waiting = model.get("PAGES", lane, consistent_read=True)
            if pages <= set(waiting.pages or ()) and waiting.scheduled is not None and \
                    waiting.scheduled >= now - self._overdue:
                return
        item = model("PAGES", lane)
        item.update(actions=[model.pages.add(pages), model.scheduled.set(model.scheduled | now)])
        delay = self._interval
        if lane == self.SUMMARIES and item.taken is not None:
            delay = max(delay, (item.taken + timedelta(seconds=self._slow) - now).total_seconds())
        if item.scheduled == now:
            self._wake(delay)  # this mark asked first
        elif item.scheduled is not None and item.scheduled < now - self._overdue:
            item.update(actions=[model.scheduled.set(now)])
            self._wake(delay)

    def take(self) -> set[str]:
        """The pages due: the news lane's, and the summaries' when their last build is old enough."""
        return self._take(self.NEWS) | self._take(self.SUMMARIES)

    def _take(self, lane: str) -> set[str]:
        """Read the lane's waiting pages, then clear them on the condition that the item still holds
        just those (a mark in between makes the write fail, and the take reads again). The summaries'
        lane keeps when it was taken."""
        model = self._models.pending
        for _ in range(8):
            try:
                item = model.get("PAGES", lane, consistent_read=True)
            except DoesNotExist:
                return set()
            pages = set(item.pages or ())
            now = datetime.now(UTC)
            if lane == self.SUMMARIES and (not pages or (
                    item.taken is not None and item.taken + timedelta(seconds=self._slow - 1) > now)):
                return set()  # nothing waits, or not yet due: its own message comes when it is
            condition = model.pages == pages if pages else model.pages.does_not_exist()
            try:
                if lane == self.SUMMARIES:
                    _update(item, [model.pages.remove(), model.scheduled.remove(), model.taken.set(now)],
                            condition=condition)
                else:
                    item.delete(condition=condition)
            except (DeleteError, UpdateError) as exc:
                if _is_conflict(exc):
                    continue
                raise
            return pages
        raise ConcurrentUpdate("the pending pages kept changing while being taken")


class AccessRepository:
    """Who saw a citizen's contact: one small item per access in one partition, newest last. The
    volume is staff clicks (a few thousand a day), well within one partition's capacity."""

    PARTITION = "AUDIT#contact"

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def record(self, accesses: list[Access]) -> None:
        model = self._models.listing
        with model.batch_write() as batch:
            for access in accesses:
                data = {"at": access.at.isoformat(), "username": access.username, "role": access.role,
                        "number": access.number, "how": access.how}
                batch.save(model(self.PARTITION, f"{data['at']}#{access.number}#{access.username}",
                                 data=json.dumps(data, ensure_ascii=False)))

    def recent(self, limit: int = 100, before: str | None = None) -> tuple[list[Access], str | None]:
        model = self._models.listing
        condition = model.sk < before if before else None
        items = list(model.query(self.PARTITION, condition, scan_index_forward=False, limit=limit + 1))
        found = [_access(json.loads(item.data)) for item in items[:limit]]
        return found, (items[limit - 1].sk if len(items) > limit else None)


class TemplateRepository:
    """Reply templates: one item per department and category under the department's partition."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    @staticmethod
    def _partition(department: str) -> str:
        return f"TEMPLATES#{department}"

    def of(self, department: str) -> dict[str, list[str]]:
        return {item.sk: json.loads(item.data) for item in self._models.config.query(self._partition(department))}

    def put(self, department: str, category: str, texts: list[str]) -> None:
        model = self._models.config
        if texts:
            model(self._partition(department), category, data=json.dumps(texts, ensure_ascii=False)).save()
        else:
            model(self._partition(department), category).delete()


class ImportRepository:
    """The import ledger: one item per source case (`IMPORT#<channel>` / the source's own id),
    claimed by a conditional put before the case is filed and settled with its number after."""

    def __init__(self, models: TableModels) -> None:
        self._models = models

    def claim(self, channel: str, source_id: str, at: datetime, stale_before: datetime) -> Imported | None:
        model = self._models.imported
        condition = model.pk.does_not_exist() | (model.number.does_not_exist() & (model.claimed < stale_before))
        try:
            model(f"IMPORT#{channel}", source_id, claimed=at).save(condition=condition)
            return None
        except PutError as exc:
            if not _is_conflict(exc):
                raise
        try:
            return Imported(model.get(f"IMPORT#{channel}", source_id, consistent_read=True).number)
        except DoesNotExist:  # released meanwhile: busy now, free for the next run
            return Imported(None)

    def settle(self, channel: str, source_id: str, number: str, at: datetime) -> None:
        self._models.imported(f"IMPORT#{channel}", source_id, claimed=at, number=number).save()

    def release(self, channel: str, source_id: str) -> None:
        model = self._models.imported
        try:
            model(f"IMPORT#{channel}", source_id).delete(condition=model.number.does_not_exist())
        except DeleteError as exc:
            if not _is_conflict(exc):
                raise


def _due_key(at: datetime) -> str:
    """A due time as the inbox index's sort key starts (tickets keep their times in China time)."""
    return at.astimezone(CHINA).isoformat()


def _access(data: dict[str, str]) -> Access:
    return Access(datetime.fromisoformat(data["at"]), data["username"], data["role"], data["number"], data["how"])


class ClientKeyRepository:
    """Open311 client keys: one configuration item each under one partition, keyed by digest."""

    PARTITION = "OPEN311KEYS"

    def __init__(self, models: TableModels) -> None:
        self._models = models

    @staticmethod
    def _key(item: Any) -> ClientKey:
        data = json.loads(item.data)
        revoked = data.get("revoked_at")
        return ClientKey(data["id"], data["name"], item.sk, datetime.fromisoformat(data["created_at"]),
                         datetime.fromisoformat(revoked) if revoked else None)

    def all(self) -> list[ClientKey]:
        keys = [self._key(item) for item in self._models.config.query(self.PARTITION)]
        return sorted(keys, key=lambda k: k.created_at)

    def by_digest(self, digest: str) -> ClientKey | None:
        try:
            return self._key(self._models.config.get(self.PARTITION, digest))
        except DoesNotExist:
            return None

    def put(self, key: ClientKey) -> None:
        data = {"id": key.id, "name": key.name, "created_at": key.created_at.isoformat(),
                "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}
        self._models.config(self.PARTITION, key.digest, data=json.dumps(data, ensure_ascii=False)).save()
