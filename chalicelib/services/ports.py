"""What the use cases need from the outside world, named for the need (Protocols).

The adapters implement these; the bootstrap is the only place that picks them; tests pass
in-memory fakes with the same conflict semantics (tests/fakes.py)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.catalog import Catalog
from ..domain.clients import ClientKey
from ..domain.listings import Entry, Membership
from ..domain.model import Status, Ticket
from ..domain.queues import WatchReason
from ..domain.staff import Staff
from ..domain.tallies import Tally
from ..domain.throttle import Decision, Rule


class Tickets(Protocol):
    """Tickets under optimistic locking: a stale write raises ConcurrentUpdate, never overwrites."""

    def add(self, ticket: Ticket, phone: str | None) -> None:
        """Store a new ticket (and its contact apart, first, as pending); ConcurrentUpdate if the id
        exists. No multi-item transaction: each write is one conditional put."""

    def save(self, ticket: Ticket) -> None:
        """Write the ticket if nobody wrote it since it was read; its version moves on."""

    def get(self, ticket_id: str) -> Ticket:
        """A strongly consistent read (before a write); NotFound if unknown."""

    def by_number(self, number: str, *, for_update: bool = True) -> Ticket:
        """By public number; `for_update=False` lets a read-only view use the index copy."""

    def inbox(self, queue: str, status: Status, limit: int = 50) -> list[Ticket]:
        """A department's (or the triage queue's) cases in one state, by due time."""

    def watched(self, limit: int = 100) -> list[Ticket]:
        """Escalated or overdue cases, extension requests and callbacks due."""

    def count(self, queue: str, status: Status, due_from: datetime | None = None,
              due_before: datetime | None = None) -> int:
        """How many of a queue's cases are in one state (with `due_from` <= due < `due_before`
        if given): one count query on the inbox index, nothing read but the count."""

    def count_watched(self, reason: WatchReason, department: str | None = None) -> int:
        """How many watched cases are watched for `reason`, of one department if given: one
        count query on the watch index (filtered: the watch list is small)."""

    def recent_at(self, location: str, since: datetime, limit: int = 50) -> list[Ticket]:
        """Cases reported at a location since a time, newest first."""

    def phone(self, ticket_id: str) -> str | None:
        """The citizen's contact, kept apart from the ticket (None once it has expired)."""

    def keep_contact(self, ticket_id: str) -> None:
        """The ticket is stored: its pending contact (which would expire within a day if the
        ticket's write had never happened) is kept; a contact that is not pending is left alone."""

    def expire_contact(self, ticket_id: str, at: datetime) -> None:
        """Have the contact deleted at `at` (the table's time-to-live); no contact, nothing to do."""

    def from_image(self, image: dict[str, Any]) -> Ticket | None:
        """The ticket in a change-stream image, or None for other items."""

    def every(self, page_size: int = 100) -> Iterator[Ticket]:
        """Every stored ticket, read `page_size` items at a time, in no particular order: a scan of
        the ticket items, for the full rebuild only (everything else reads by key or index)."""


class Counters(Protocol):
    def next(self, name: str) -> int:
        """Add one and answer the new value (sequences such as the day's case numbers)."""

    def count_changes(self, changes: Sequence[tuple[str, Sequence[Tally]]]) -> set[str]:
        """Apply the tallies of stored changes, each named by its key (domain/tallies.py:
        `change_key`), together and once: a change whose key was applied already adds nothing.
        Answers the keys applied now. One change is not applied by two callers at once (a stream
        shard's batches come one at a time)."""

    def total(self, counter: str, period: str) -> int:
        """The sum of a counter's days whose date starts with `period` (YYYY-MM or YYYY-MM-DD)."""

    def days(self, counters: Iterable[str], first: str, last: str) -> dict[str, dict[str, int]]:
        """Each counter's values by ISO day from `first` to `last` (inclusive; days with nothing
        counted are left out), one query per partition (domain/tallies.py: `partition_of`)."""


class Listings(Protocol):
    """What the shared pages list (domain/listings.py), kept by the table's stream; every read is
    one bounded query on one listing."""

    def put(self, entries: list[tuple[Membership, Entry]]) -> None:
        """Write each case's entry into its listings (last write wins: entries are rewritten whole)."""

    def remove(self, memberships: list[Membership]) -> None: ...

    def latest(self, listing: str, limit: int, before: str | None = None) -> list[Entry]:
        """The newest entries (by number), newest first; only numbers below `before` if given."""

    def between(self, listing: str, first: str, last: str, limit: int = 1000) -> list[Entry]:
        """Entries with `first` <= number <= `last`, oldest first."""

    def span(self, listing: str, low: str, below: str, limit: int) -> list[Entry]:
        """At most `limit` entries with `low` <= number < `below`, newest first (one query)."""

    def oldest_after(self, listing: str, after: str) -> Entry | None:
        """The first entry with a number above `after` (the next archive's link)."""

    def note(self, index: str, values: set[str]) -> None:
        """Add values to a small named set (e.g. the weeks that have a disclosure page)."""

    def noted(self, index: str) -> set[str]: ...


class PageSchedule(Protocol):
    """Shared pages waiting to be rebuilt, coalesced: the first page marked after a build schedules
    one build `interval` seconds later; pages marked meanwhile join it. Summary pages (statistics,
    boards, month archives: `refreshed_slowly`) are built at most once per the slow interval."""

    def mark(self, pages: set[str]) -> None: ...

    def take(self) -> set[str]:
        """The pages waiting and due, which no longer wait (a mark after this schedules the next build)."""


class Limits(Protocol):
    """Per-client request buckets, shared by every running copy of the API."""

    def take(self, bucket: str, rule: Rule, now: datetime) -> Decision:
        """Take one request from the bucket if the rule allows it now; a refusal changes nothing.
        Two takers at once never both get the last request (the loser decides again)."""


class Catalogue(Protocol):
    """The city's configuration records (domain/catalog.py: `RECORD_KINDS`, `record_key`)."""

    def load(self) -> Catalog:
        """Every record, as written last (a change is read back at once)."""

    def put_all(self, data: dict[str, Any]) -> int: ...

    def put(self, kind: str, record: dict[str, Any]) -> None:
        """Write one record (replacing the one with its key); a changed record keeps its place in
        its kind's list, a new one goes last."""

    def remove(self, kind: str, key: str) -> None:
        """Delete one record; nothing to do if there is none."""


class SiteStore(Protocol):
    def put(self, key: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            cache_seconds: int = 30) -> None: ...

    def put_pages(self, pages: list[tuple[str, str]], cache_seconds: int = 10) -> None:
        """Write many HTML pages at once (side by side: a burst's pages are many small writes)."""


@dataclass(frozen=True)
class UploadForm:
    """A one-time form a browser posts a photo with, straight to storage."""

    url: str
    fields: dict[str, str]
    upload: str  # the upload's id, which the submission names


class Photos(Protocol):
    """Photos: uploads (private, expire within a day), the cleaned copies staff see, and the
    public copies beside the case pages."""

    def upload_form(self, upload: str, content_type: str, max_bytes: int) -> UploadForm:
        """A presigned POST limited to this content type and size."""

    def read_upload(self, upload: str, max_bytes: int) -> bytes | None:
        """The uploaded bytes; None if there is no such upload, or it is larger than allowed."""

    def keep(self, name: str, full: bytes, small: bytes) -> None:
        """Store the cleaned copies (private)."""

    def forget_upload(self, upload: str) -> None:
        """Delete the upload as it came (its metadata with it) once its cleaned copies are kept."""

    def kept(self, name: str) -> bool: ...

    def staff_url(self, name: str, small: bool = False) -> str:
        """A short-lived link for staff to the private copy."""

    def publish(self, name: str, key: str, small_key: str) -> None:
        """Copy the cleaned photo beside the case pages (public)."""

    def withdraw(self, key: str, small_key: str) -> None: ...


class Workflow(Protocol):
    def start(self, ticket_id: str) -> None:
        """Start the ticket's execution; a second start is a no-op."""

    def running(self, ticket_id: str) -> bool:
        """Does an execution of the ticket (the first, or a restart) still run?"""

    def restart(self, ticket_id: str) -> None:
        """Start a new execution for a ticket whose execution ended without finishing the case;
        its first step routes by the stored state to the wait the case is in."""

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        """Resume a waiting step; False if it no longer waits."""

    def fail(self, token: str, error: str, cause: str) -> bool: ...


class Sms(Protocol):
    def send(self, phone: str, text: str) -> None: ...


@dataclass(frozen=True)
class Parked:
    """A message that kept failing, taken from its queue until `done` deletes it."""

    body: dict[str, Any]
    receipt: str


class ParkedMessages(Protocol):
    """A queue of what kept failing: the task dead-letter queue, the stream-failure queue."""

    def peek(self, limit: int = 10) -> list[dict[str, Any]]:
        """What is parked, without consuming it."""

    def take(self, limit: int = 10) -> list[Parked]:
        """Parked messages, hidden from others for a while (they come back unless done)."""

    def done(self, parked: Parked) -> None: ...

    def release(self, parked: Parked) -> None:
        """Put it back at once (it still fails; it stays parked)."""


class StreamRecords(Protocol):
    def records(self, failure: dict[str, Any]) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        """The (old, new) images of the stream records a failure message names (read again from
        the stream, which keeps them 24 hours)."""


@dataclass(frozen=True)
class Access:
    """Someone saw a citizen's contact: who, when, which case, how (viewed, exported)."""

    at: datetime
    username: str
    role: str
    number: str
    how: str


class AccessLog(Protocol):
    """Every view and export of a citizen's contact, for supervisors to see."""

    def record(self, accesses: list[Access]) -> None: ...

    def recent(self, limit: int = 100, before: str | None = None) -> tuple[list[Access], str | None]:
        """The newest first, and the cursor of the next page (None at the end)."""


class ClientKeys(Protocol):
    """The Open311 client applications' keys, stored by digest (a handful: one small partition)."""

    def all(self) -> list[ClientKey]:
        """Every key, revoked ones included, oldest first (one query)."""

    def by_digest(self, digest: str) -> ClientKey | None:
        """The key with this digest (one read), None if there is none."""

    def put(self, key: ClientKey) -> None: ...


class ReplyTemplates(Protocol):
    """Each department's reply templates per category, which its handlers edit and insert."""

    def of(self, department: str) -> dict[str, list[str]]:
        """Category code -> the department's templates for it (one read)."""

    def put(self, department: str, category: str, texts: list[str]) -> None:
        """Replace the department's templates for a category (none: the category has none)."""


class StaffTokens(Protocol):
    def verify(self, token: str) -> Staff:
        """The signed-in staff member a sign-in token names; InvalidToken if it is not valid."""


@dataclass(frozen=True)
class Account:
    """A staff account as admins see it (never a password)."""

    username: str
    role: str
    department: str
    name: str
    enabled: bool


class StaffDirectory(Protocol):
    """The staff accounts (the user pool): admins create, assign and disable them."""

    def accounts(self) -> list[Account]: ...

    def create(self, account: Account, password: str, temporary: bool = True) -> None:
        """A new account; with a temporary password the person chooses their own at first sign-in.
        InvalidInput (field "username") if the user name is taken."""

    def assign(self, username: str, role: str, department: str) -> None:
        """Give the account its (one) role and its department."""

    def enable(self, username: str, enabled: bool) -> None:
        """Disable (and sign out everywhere) or enable again."""


@dataclass(frozen=True)
class Imported:
    """A source's case met again by an import: the number it was filed under, or None while
    another import run holds it and has not finished."""

    number: str | None


class ImportLedger(Protocol):
    """Which cases of another channel's export (mayor's mailbox, media) were filed already, by the
    source's own id, for good: importing the same file again files nothing new."""

    def claim(self, channel: str, source_id: str, at: datetime, stale_before: datetime) -> Imported | None:
        """Take the source's id for this run (None: taken now, file it); otherwise what is known of
        it. A claim never settled (a run that died) may be taken again once older than `stale_before`."""

    def settle(self, channel: str, source_id: str, number: str, at: datetime) -> None:
        """The source's case was filed as `number`."""

    def release(self, channel: str, source_id: str) -> None:
        """Give up a claim whose row was refused (a later, corrected export may file it)."""
