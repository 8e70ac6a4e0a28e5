"""In-memory fakes of every port, with the real repository's conflict semantics: a stale write
raises ConcurrentUpdate. Service tests build `Deps` from these and run in milliseconds."""
from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.tokens import InvalidToken
from chalicelib.config import Settings
from chalicelib.domain.calendar import Clock
from chalicelib.domain.catalog import Catalog, record_key
from chalicelib.domain.clients import ClientKey
from chalicelib.domain.errors import ConcurrentUpdate, InvalidInput, NotFound
from chalicelib.domain.listings import Entry, Membership
from chalicelib.domain.model import Status, Ticket
from chalicelib.domain.queues import WatchReason, watch_reasons
from chalicelib.domain.staff import Role, Staff
from chalicelib.domain.tallies import Tally, partition_of
from chalicelib.domain.throttle import Decision, Rule, decide
from chalicelib.services.changes import on_change
from chalicelib.services.context import Deps
from chalicelib.services.ports import Access, Account, Imported, Parked, UploadForm
from tests.builders import CITY, NOW

Change = tuple[Ticket | None, Ticket]


class FakeTickets:
    """Stored copies by id; every successful write appends (old, new) to `changes`, the stream."""

    def __init__(self) -> None:
        self.rows: dict[str, Ticket] = {}
        self.phones: dict[str, str] = {}
        self.contact_expires: dict[str, datetime] = {}
        self.pending: set[str] = set()  # contacts written before their ticket, not yet kept
        self.changes: list[Change] = []
        self.writes = 0
        self.counted = 0  # count queries made
        self._interference: dict[str, list[Callable[[Ticket], None]]] = defaultdict(list)

    # --- forcing conflicts ---------------------------------------------------------------
    def interfere(self, ticket_id: str, change: Callable[[Ticket], None] = lambda t: None) -> None:
        """Someone else writes this ticket (with `change`) just before our next write of it."""
        self._interference[ticket_id].append(change)

    def _others_write_first(self, ticket_id: str) -> None:
        """One interfering write per attempt of ours."""
        if self._interference.get(ticket_id):
            theirs = self.get(ticket_id)
            self._interference[ticket_id].pop(0)(theirs)
            self._store(theirs)

    # --- the port ---------------------------------------------------------------------------
    def add(self, ticket: Ticket, phone: str | None) -> None:
        if ticket.id in self.rows:
            raise ConcurrentUpdate(f"ticket {ticket.id} exists already")
        ticket.version = 0
        self._store(ticket)
        if phone:
            self.phones[ticket.id] = phone
            self.pending.add(ticket.id)

    def save(self, ticket: Ticket) -> None:
        self._others_write_first(ticket.id)
        self._check(ticket)
        self._store(ticket)


    def get(self, ticket_id: str) -> Ticket:
        if ticket_id not in self.rows:
            raise NotFound(f"unknown ticket '{ticket_id}'", field="ticket")
        return copy.deepcopy(self.rows[ticket_id])

    def by_number(self, number: str, *, for_update: bool = True) -> Ticket:
        for ticket in self.rows.values():
            if ticket.number == number:
                return copy.deepcopy(ticket)
        raise NotFound(f"unknown ticket '{number}'", field="ticket")

    def inbox(self, queue: str, status: Status, limit: int = 50) -> list[Ticket]:
        found = [t for t in self.rows.values() if t.queue == queue and t.status is status]
        return [copy.deepcopy(t) for t in sorted(found, key=_due)[:limit]]

    def watched(self, limit: int = 100) -> list[Ticket]:
        found = [t for t in self.rows.values() if t.needs_attention]
        return [copy.deepcopy(t) for t in sorted(found, key=_due)[:limit]]

    def count(self, queue: str, status: Status, due_from: datetime | None = None,
              due_before: datetime | None = None) -> int:
        self.counted += 1
        return sum(1 for t in self.rows.values() if t.queue == queue and t.status is status
                   and (due_from is None or _in_force(t) >= due_from)
                   and (due_before is None or _in_force(t) < due_before))

    def count_watched(self, reason: WatchReason, department: str | None = None) -> int:
        self.counted += 1
        return sum(1 for t in self.rows.values() if reason in watch_reasons(t)
                   and (department is None or t.department == department))

    def recent_at(self, location: str, since: datetime, limit: int = 50) -> list[Ticket]:
        found = [t for t in self.rows.values() if t.location == location and t.created_at >= since]
        return [copy.deepcopy(t) for t in sorted(found, key=lambda t: t.created_at, reverse=True)[:limit]]

    def phone(self, ticket_id: str) -> str | None:
        return self.phones.get(ticket_id)

    def keep_contact(self, ticket_id: str) -> None:
        self.pending.discard(ticket_id)

    def expire_contact(self, ticket_id: str, at: datetime) -> None:
        if ticket_id in self.phones:
            self.contact_expires[ticket_id] = at

    def from_image(self, image: dict[str, Any]) -> Ticket | None:
        return None  # the fake stream carries tickets, not images (see `changes`)

    def every(self, page_size: int = 100) -> Iterator[Ticket]:
        for ticket_id in sorted(self.rows):
            yield copy.deepcopy(self.rows[ticket_id])

    # --- helpers ----------------------------------------------------------------------------
    def _check(self, ticket: Ticket) -> None:
        stored = self.rows.get(ticket.id)
        if stored is None or stored.version != ticket.version:
            raise ConcurrentUpdate(f"ticket {ticket.number} was changed by someone else")

    def _store(self, ticket: Ticket) -> None:
        old = self.rows.get(ticket.id)
        ticket.version = (ticket.version or 0) + 1
        self.rows[ticket.id] = copy.deepcopy(ticket)
        self.changes.append((copy.deepcopy(old), copy.deepcopy(ticket)))
        self.writes += 1


def _due(ticket: Ticket) -> datetime:
    return ticket.reply_due or ticket.accept_due or ticket.created_at


def _in_force(ticket: Ticket) -> datetime:
    """The deadline that runs: sign-off while dispatched, else the reply."""
    if ticket.status is Status.DISPATCHED and ticket.accept_due:
        return ticket.accept_due
    return _due(ticket)


class FakeCounters:
    def __init__(self) -> None:
        self.sequences: dict[str, int] = defaultdict(int)
        self.values: dict[tuple[str, str], int] = defaultdict(int)  # (counter, day) -> value
        self.seen: set[str] = set()  # the keys of the changes counted
        self.reads: list[tuple[str, str, str]] = []  # (counter, first, last) of each `days` read
        self.partitions_read = 0  # queries a table would make: one per partition a read touches

    def next(self, name: str) -> int:
        self.sequences[name] += 1
        return self.sequences[name]

    def count_changes(self, changes: Sequence[tuple[str, Sequence[Tally]]]) -> set[str]:
        applied = set()
        for key, tallies in changes:
            if key in self.seen or not tallies:
                continue
            self.seen.add(key)
            applied.add(key)
            for tally in tallies:
                self.values[tally.counter, tally.day] += 1
        return applied

    def total(self, counter: str, period: str) -> int:
        return sum(n for (name, day), n in self.values.items() if name == counter and day.startswith(period))

    def days(self, counters: Iterable[str], first: str, last: str) -> dict[str, dict[str, int]]:
        wanted = list(dict.fromkeys(counters))
        self.reads += [(counter, first, last) for counter in wanted]
        self.partitions_read += len({partition_of(counter) for counter in wanted})
        return {counter: {day: n for (name, day), n in self.values.items() if name == counter and first <= day <= last}
                for counter in wanted}


class FakeListings:
    """Listings as sorted dicts; `reads` counts the entries every query returned."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Entry]] = defaultdict(dict)
        self.sets: dict[str, set[str]] = defaultdict(set)
        self.reads = 0
        self.queries = 0  # `span` queries made (search pages)
        self.written = 0  # entries written (a table write each)
        self.notes = 0  # notes made (a table write each)

    def put(self, entries: list[tuple[Membership, Entry]]) -> None:
        self.written += len(entries)
        for membership, entry in entries:
            self.rows[membership.listing][membership.key] = entry

    def remove(self, memberships: list[Membership]) -> None:
        for membership in memberships:
            self.rows[membership.listing].pop(membership.key, None)

    def _read(self, found: list[Entry]) -> list[Entry]:
        self.reads += len(found)
        return found

    def latest(self, listing: str, limit: int, before: str | None = None) -> list[Entry]:
        keys = sorted((k for k in self.rows[listing] if before is None or k < before), reverse=True)[:limit]
        return self._read([self.rows[listing][k] for k in keys])

    def between(self, listing: str, first: str, last: str, limit: int = 1000) -> list[Entry]:
        keys = sorted(k for k in self.rows[listing] if first <= k <= last)[:limit]
        return self._read([self.rows[listing][k] for k in keys])

    def span(self, listing: str, low: str, below: str, limit: int) -> list[Entry]:
        self.queries += 1
        keys = sorted((k for k in self.rows[listing] if low <= k < below), reverse=True)[:limit]
        return self._read([self.rows[listing][k] for k in keys])

    def oldest_after(self, listing: str, after: str) -> Entry | None:
        keys = sorted(k for k in self.rows[listing] if k > after)[:1]
        return self._read([self.rows[listing][k] for k in keys])[0] if keys else None

    def note(self, index: str, values: set[str]) -> None:
        self.notes += bool(values)
        self.sets[index] |= values

    def noted(self, index: str) -> set[str]:
        return set(self.sets[index])


class FakePageSchedule:
    """Pending shared pages; `wakes` counts the builds asked for (one per quiet period)."""

    def __init__(self) -> None:
        self.pending: set[str] = set()
        self.wakes = 0

    def mark(self, pages: set[str]) -> None:
        if pages and not self.pending:
            self.wakes += 1
        self.pending |= pages

    def take(self) -> set[str]:
        taken, self.pending = self.pending, set()
        return taken


class FakeLimits:
    """Buckets by name, decided by the same arithmetic as the table's; `broken` makes every take fail
    the way an unreachable table would."""

    def __init__(self) -> None:
        self.tats: dict[str, float] = {}
        self.taken: list[tuple[str, bool]] = []  # (bucket, allowed), in order
        self.broken = False

    def take(self, bucket: str, rule: Rule, now: datetime) -> Decision:
        if self.broken:
            raise ConnectionError("the table cannot be reached")
        decision = decide(self.tats.get(bucket), now.timestamp(), rule)
        if decision.allowed:
            self.tats[bucket] = decision.tat
        self.taken.append((bucket, decision.allowed))
        return decision


class FakeCatalogue:
    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = copy.deepcopy(data if data is not None else CITY)
        self.loads = 0

    def load(self) -> Catalog:
        self.loads += 1
        return Catalog.from_data(copy.deepcopy(self.data))

    def put_all(self, data: dict[str, Any]) -> int:
        self.data = copy.deepcopy(data)
        return sum(len(v) if isinstance(v, list) else 1 for v in data.values())

    def put(self, kind: str, record: dict[str, Any]) -> None:
        records = self.data.setdefault(kind, [])
        key = record_key(kind, record)
        at = next((i for i, r in enumerate(records) if record_key(kind, r) == key), None)
        if at is None:
            records.append(copy.deepcopy(record))
        else:
            records[at] = copy.deepcopy(record)

    def remove(self, kind: str, key: str) -> None:
        self.data[kind] = [r for r in self.data.get(kind, []) if record_key(kind, r) != key]


class FakeSite:
    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.writes: list[str] = []

    def put(self, key: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            cache_seconds: int = 30) -> None:
        self.pages[key] = body.encode() if isinstance(body, str) else body
        self.writes.append(key)

    def put_pages(self, pages: list[tuple[str, str]], cache_seconds: int = 10) -> None:
        for key, body in pages:
            self.put(key, body, cache_seconds=cache_seconds)

    def text(self, key: str) -> str:
        return self.pages[key].decode()


class FakePhotos:
    """Uploads and cleaned photos in memory; publishing copies into the fake site."""

    def __init__(self, site: FakeSite) -> None:
        self.site = site
        self.uploads: dict[str, bytes] = {}
        self.kept_photos: dict[str, tuple[bytes, bytes]] = {}
        self.forms: list[tuple[str, str, int]] = []

    def upload_form(self, upload: str, content_type: str, max_bytes: int) -> UploadForm:
        self.forms.append((upload, content_type, max_bytes))
        return UploadForm(url="http://uploads.test/bucket", fields={"key": f"incoming/{upload}"}, upload=upload)

    def read_upload(self, upload: str, max_bytes: int) -> bytes | None:
        data = self.uploads.get(upload)
        return data if data is not None and len(data) <= max_bytes else None

    def keep(self, name: str, full: bytes, small: bytes) -> None:
        self.kept_photos[name] = (full, small)

    def forget_upload(self, upload: str) -> None:
        self.uploads.pop(upload, None)

    def kept(self, name: str) -> bool:
        return name in self.kept_photos

    def staff_url(self, name: str, small: bool = False) -> str:
        return f"http://uploads.test/photos/{name}?small={small}&signed=1"

    def publish(self, name: str, key: str, small_key: str) -> None:
        full, small = self.kept_photos[name]
        self.site.put(key, full, content_type="image/jpeg")
        self.site.put(small_key, small, content_type="image/jpeg")

    def withdraw(self, key: str, small_key: str) -> None:
        for k in (key, small_key):
            self.site.pages.pop(k, None)


class FakeWorkflow:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.ended: set[str] = set()
        self.succeeded: list[tuple[str, dict[str, Any]]] = []
        self.failed: list[tuple[str, str]] = []
        self.causes: dict[str, str] = {}  # token -> the cause it was failed with
        self.gone: set[str] = set()  # tokens whose step stopped waiting

    def start(self, ticket_id: str) -> None:
        if ticket_id not in self.started:
            self.started.append(ticket_id)

    def running(self, ticket_id: str) -> bool:
        return ticket_id in self.started and ticket_id not in self.ended

    def restart(self, ticket_id: str) -> None:
        self.ended.discard(ticket_id)
        self.started.append(ticket_id)

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        if token in self.gone:
            return False
        self.succeeded.append((token, output))
        return True

    def fail(self, token: str, error: str, cause: str) -> bool:
        self.failed.append((token, error))
        self.causes[token] = cause
        return token not in self.gone


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))

    def to(self, phone: str) -> list[str]:
        return [text for number, text in self.sent if number == phone]


class FakeParked:
    def __init__(self) -> None:
        self.stuck: list[dict[str, Any]] = []

    def peek(self, limit: int = 10) -> list[dict[str, Any]]:
        return self.stuck[:limit]

    def take(self, limit: int = 10) -> list[Parked]:
        return [Parked(body, str(i)) for i, body in enumerate(self.stuck[:limit])]

    def done(self, parked: Parked) -> None:
        self.stuck.remove(parked.body)

    def release(self, parked: Parked) -> None:
        pass


class FakeStream:
    def records(self, failure: dict[str, Any]) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        return []


@dataclass
class ManualClock:
    """Time that moves only when a test moves it."""

    at: datetime = NOW

    def __call__(self) -> datetime:
        return self.at


@dataclass
class World:
    """Deps built from fakes, with the fakes at hand for assertions."""

    deps: Deps
    tickets: FakeTickets
    counters: FakeCounters
    site: FakeSite
    workflow: FakeWorkflow
    sms: FakeSms
    time: ManualClock
    photos: FakePhotos
    limits: FakeLimits
    listings: FakeListings
    pages: FakePageSchedule
    delivered: int = field(default=0)

    def deliver(self, again: bool = False) -> None:
        """Run the stream's handler over the changes not yet delivered (all of them with `again`:
        a redelivery)."""
        start = 0 if again else self.delivered
        for old, new in self.tickets.changes[start:]:
            on_change(old, new, self.deps)
        self.delivered = len(self.tickets.changes)


class FakeTokens:
    """Tokens are "<role>:<department>:<username>"; anything else is refused."""

    def verify(self, token: str) -> Staff:
        role, _, rest = token.partition(":")
        department, _, username = rest.partition(":")
        if role not in {r.value for r in Role} or not username:
            raise InvalidToken("the token is not valid", field="token")
        return Staff(username, Role(role), department)


class FakeAccessLog:
    def __init__(self) -> None:
        self.entries: list[Access] = []

    def record(self, accesses: list[Access]) -> None:
        self.entries.extend(accesses)

    def recent(self, limit: int = 100, before: str | None = None) -> tuple[list[Access], str | None]:
        newest = sorted(self.entries, key=lambda a: (a.at, a.number, a.username), reverse=True)
        if before:
            newest = [a for a in newest if f"{a.at.isoformat()}#{a.number}#{a.username}" < before]
        page = newest[:limit]
        more = len(newest) > limit
        return page, (f"{page[-1].at.isoformat()}#{page[-1].number}#{page[-1].username}" if more else None)


class FakeClientKeys:
    def __init__(self) -> None:
        self.keys: dict[str, ClientKey] = {}

    def all(self) -> list[ClientKey]:
        return sorted(self.keys.values(), key=lambda k: k.created_at)

    def by_digest(self, digest: str) -> ClientKey | None:
        return self.keys.get(digest)

    def put(self, key: ClientKey) -> None:
        self.keys[key.digest] = key


class FakeTemplates:
    def __init__(self) -> None:
        self.texts: dict[tuple[str, str], list[str]] = {}

    def of(self, department: str) -> dict[str, list[str]]:
        return {category: list(texts) for (code, category), texts in self.texts.items() if code == department}

    def put(self, department: str, category: str, texts: list[str]) -> None:
        if texts:
            self.texts[(department, category)] = list(texts)
        else:
            self.texts.pop((department, category), None)


class FakeImports:
    """The import ledger: (channel, source id) -> [claimed at, number or None]."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[Any]] = {}

    def claim(self, channel: str, source_id: str, at: datetime, stale_before: datetime) -> Imported | None:
        found = self.rows.get((channel, source_id))
        if found is None or (found[1] is None and found[0] < stale_before):
            self.rows[(channel, source_id)] = [at, None]
            return None
        return Imported(found[1])

    def settle(self, channel: str, source_id: str, number: str, at: datetime) -> None:
        self.rows[(channel, source_id)] = [at, number]

    def release(self, channel: str, source_id: str) -> None:
        if (found := self.rows.get((channel, source_id))) is not None and found[1] is None:
            del self.rows[(channel, source_id)]


class FakeDirectory:
    def __init__(self) -> None:
        self.by_name: dict[str, Account] = {}
        self.passwords: dict[str, tuple[str, bool]] = {}

    def accounts(self) -> list[Account]:
        return sorted(self.by_name.values(), key=lambda a: a.username)

    def create(self, account: Account, password: str, temporary: bool = True) -> None:
        if account.username in self.by_name:
            raise InvalidInput(f"username: '{account.username}' is taken", field="username")
        self.by_name[account.username] = account
        self.passwords[account.username] = (password, temporary)

    def assign(self, username: str, role: str, department: str) -> None:
        account = self._get(username)
        self.by_name[username] = Account(username, role, department, account.name, account.enabled)

    def enable(self, username: str, enabled: bool) -> None:
        account = self._get(username)
        self.by_name[username] = Account(username, account.role, account.department, account.name, enabled)

    def _get(self, username: str) -> Account:
        if username not in self.by_name:
            raise NotFound(f"username: no account '{username}'", field="username")
        return self.by_name[username]


def make_world(workday_seconds: float | None = None, data: dict[str, Any] | None = None,
               env: dict[str, str] | None = None) -> World:
    tickets, counters, site = FakeTickets(), FakeCounters(), FakeSite()
    workflow, sms, time, limits = FakeWorkflow(), FakeSms(), ManualClock(), FakeLimits()
    photos = FakePhotos(site)
    listings, pages = FakeListings(), FakePageSchedule()
    settings = Settings.from_env({"MASHANG_SITE_URL": "http://site.test", "MASHANG_API_URL": "http://api.test",
                                  **(env or {})})
    deps = Deps(settings=settings, tickets=tickets, counters=counters, config=FakeCatalogue(data),
                workflow=workflow, site=site, photos=photos, sms=sms, dead_letters=FakeParked(),
                stream_failures=FakeParked(), stream=FakeStream(), limits=limits,
                listings=listings, pages=pages, staff_tokens=FakeTokens(), staff=FakeDirectory(),
                access_log=FakeAccessLog(), templates=FakeTemplates(), imports=FakeImports(),
                clients=FakeClientKeys(),
                base_clock=Clock(workday_seconds=workday_seconds, source=time))
    return World(deps, tickets, counters, site, workflow, sms, time, photos, limits, listings, pages)
