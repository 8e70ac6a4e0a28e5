"""Staff search, CSV export and the live queue counts (domain/search.py plans the reads,
domain/queues.py names the counts). A handler is held to its own department here, whatever the
page asks; the citizen's contact reaches only an export by a role allowed to see it, and every
exported contact is recorded."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..domain.catalog import name_in
from ..domain.errors import Forbidden, NotFound
from ..domain.listings import Entry
from ..domain.model import TRIAGE_QUEUE, Status
from ..domain.queues import COUNTS, RUNNING, Count, WatchReason
from ..domain.redact import redact
from ..domain.search import (
    EXPORT_LIMIT,
    PAGE_SIZE,
    QUERIES_PER_PAGE,
    READ_LIMIT,
    TRIAGE_STATUSES,
    Filters,
    decode_cursor,
    encode_cursor,
    matches,
    plan,
    spreadsheet_cell,
    text_since,
)
from ..domain.staff import Role, Staff
from ..i18n import Messages
from .context import Deps
from .ports import Access
from .publish import cn_due, cn_time, page_url

TRIAGE_LIMIT = 200  # cases of one triage state a search reads (the queue is worked down daily)
CSV_COLUMNS = ("number", "status", "category", "district", "location", "department", "created", "due", "overdue",
               "text", "reply", "contact")


@dataclass(frozen=True)
class Page:
    """One page of results; `cursor` continues below the last case examined (None: the end)."""

    entries: list[Entry]
    cursor: str | None
    text_since: str | None  # the first filing day free text covered (None without free text)


def scoped(filters: Filters, staff: Staff) -> Filters:
    """A handler searches its own department only: naming another (or triage) is refused."""
    if staff.role is not Role.HANDLER:
        return filters
    if filters.department not in (None, staff.department):
        raise Forbidden(f"department: a handler searches department '{staff.department}' only",
                        field="department")
    return replace(filters, department=staff.department)


def search(filters: Filters, staff: Staff, deps: Deps, cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of the cases passing the filters, newest first, with at most QUERIES_PER_PAGE
    bounded queries (one exact get for a number, the triage queue's two states)."""
    filters = scoped(filters, staff)
    now = deps.clock.now()
    since = f"{text_since(now.date()):%Y-%m-%d}" if filters.text else None
    if filters.number:
        return Page(_by_number(filters, deps), None, since)
    steps = plan(filters, now.date(), decode_cursor(cursor))
    if steps.listing is None:
        return Page(_triage(filters, deps, steps.low, steps.below), None, since)
    found: list[Entry] = []
    below = steps.below
    for _ in range(QUERIES_PER_PAGE):
        batch = deps.listings.span(steps.listing, steps.low, below, READ_LIMIT)
        for entry in batch:
            if matches(entry, filters, now):
                found.append(entry)
                if len(found) == size:
                    return Page(found, encode_cursor(entry.number), since)
        if len(batch) < READ_LIMIT:
            return Page(found, None, since)
        below = batch[-1].number
    return Page(found, encode_cursor(below), since)


def _by_number(filters: Filters, deps: Deps) -> list[Entry]:
    """A number is an exact get (the number index); the other filters still apply."""
    assert filters.number is not None
    try:
        entry = Entry.of(deps.tickets.by_number(filters.number, for_update=False))
    except NotFound:
        return []
    return [entry] if matches(entry, filters, deps.clock.now()) else []


def _triage(filters: Filters, deps: Deps, low: str, below: str) -> list[Entry]:
    """Cases waiting for the dispatchers have no department, so no department listing: read the
    triage queue (the inbox index), one query per state asked."""
    now = deps.clock.now()
    states = [s for s in TRIAGE_STATUSES if filters.status in (None, s)]
    entries = [Entry.of(t) for status in states for t in deps.tickets.inbox(TRIAGE_QUEUE, status, TRIAGE_LIMIT)]
    return sorted((e for e in entries if low <= e.number < below and matches(e, filters, now)),
                  key=lambda e: e.number, reverse=True)


def every_page(filters: Filters, staff: Staff, deps: Deps, limit: int = EXPORT_LIMIT) -> tuple[list[Entry], bool]:
    """The whole filtered list, page after page, up to `limit` rows; and whether it was cut."""
    rows: list[Entry] = []
    cursor: str | None = None
    while True:
        page = search(filters, staff, deps, cursor)
        rows += page.entries
        if len(rows) >= limit:
            return rows[:limit], len(rows) > limit or page.cursor is not None
        if page.cursor is None:
            return rows, False
        cursor = page.cursor


def listed(entry: Entry, deps: Deps, t: Messages) -> dict[str, Any]:
    """A result as the console lists it: no contact, citizen text as the listing keeps it."""
    catalog = deps.catalog()

    def name(table: dict[str, Any], code: str | None) -> str | None:
        return name_in(table[code], t.locale) if code in table else code

    return {"number": entry.number, "page": page_url(deps, entry.number, t.locale), "status": entry.status,
            "status_label": t(f"status.{entry.status}"), "category": entry.category,
            "category_name": name(catalog.categories, entry.category), "district": entry.district,
            "district_name": name(catalog.districts, entry.district),
            "location_name": name(catalog.locations, entry.location) if entry.location else entry.address or None,
            "department": entry.department, "department_name": name(catalog.departments, entry.department),
            "created_at": entry.created, "due": entry.due,
            "overdue": entry.overdue, "confidential": entry.confidential, "text": entry.text}


def export_csv(filters: Filters, staff: Staff, deps: Deps, t: Messages) -> tuple[str, bool]:
    """The filtered list as CSV (with a byte-order mark, so spreadsheets read the UTF-8), and
    whether it was cut at EXPORT_LIMIT rows. Citizen text as staff see it (contact data
    redacted); the contact only in its own column, only for roles that may see it, each one
    recorded."""
    entries, cut = every_page(filters, staff, deps)
    # The column only for roles that see contacts (a handler its department's, which are all it
    # finds; the centre's roles every case's); an admin's export has none.
    with_contact = staff.sees_contact(staff.department)
    columns = [c for c in CSV_COLUMNS if c != "contact" or with_contact]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(f"search.column.{c}") for c in columns])
    accesses: list[Access] = []
    now = deps.clock.now()
    for row in _rows(entries, staff, deps, t):
        if row.get("contact"):
            accesses.append(Access(now, staff.username, staff.role.value, row["number"], "exported"))
        writer.writerow([spreadsheet_cell(str(row.get(c) or "")) for c in columns])
    if accesses:
        deps.access_log.record(accesses)
    return "\ufeff" + out.getvalue(), cut


def _rows(entries: list[Entry], staff: Staff, deps: Deps, t: Messages) -> Iterator[dict[str, str]]:
    for entry in entries:
        shown = listed(entry, deps, t)
        text, reply, contact = entry.text, entry.reply, ""
        if entry.confidential or entry.hidden is not None or staff.sees_contact(entry.department):
            ticket = deps.tickets.by_number(entry.number, for_update=False)  # the staff view of the text
            text, reply = redact(ticket.description), redact(ticket.reply or "")
            if staff.sees_contact(ticket.department):
                contact = deps.tickets.phone(ticket.id) or ""
        yield {"number": entry.number, "status": shown["status_label"], "category": shown["category_name"] or "",
               "district": shown["district_name"] or "", "location": shown["location_name"] or "",
               "department": shown["department_name"] or "", "created": _local(entry.created),
               "due": cn_due(datetime.fromisoformat(entry.due)) if entry.due else "",  # as the screen shows it
               "overdue": t("search.yes") if entry.overdue else "",
               "text": text, "reply": reply, "contact": contact}


def _local(iso: str | None) -> str:
    """ISO time as China time, to the minute (what a spreadsheet reader expects)."""
    return cn_time(datetime.fromisoformat(iso)) if iso else ""


def counts(staff: Staff, deps: Deps) -> dict[str, int]:
    """The role's live counts (domain/queues.py: COUNTS), each one count query; a handler's are
    its own department's."""
    now = deps.clock.now()
    soon = deps.clock.due(now, 1)
    own = staff.department
    tickets = deps.tickets

    def one(count: Count) -> int:
        if count is Count.TRIAGE_NEW:
            return tickets.count(TRIAGE_QUEUE, TRIAGE_STATUSES[0])
        if count is Count.TRIAGE_RETURNED:
            return tickets.count(TRIAGE_QUEUE, TRIAGE_STATUSES[1])
        if count in (Count.DISPATCHED, Count.ACCEPTED, Count.REOPENED):
            return tickets.count(own, STATE_OF[count])
        if count is Count.DUE_SOON:
            return sum(tickets.count(own, s, due_from=now, due_before=soon) for s in RUNNING)
        if count is Count.OVERDUE:
            return sum(tickets.count(own, s, due_before=now) for s in RUNNING)
        if count is Count.DEAD_LETTERS:
            return len(deps.dead_letters.peek())
        department = own if staff.role is Role.HANDLER else None
        return tickets.count_watched(WATCHED[count], department)

    return {count.value: one(count) for count in COUNTS.get(staff.role, ())}


STATE_OF = {Count.DISPATCHED: Status.DISPATCHED, Count.ACCEPTED: Status.ACCEPTED, Count.REOPENED: Status.REOPENED}
WATCHED = {Count.EXTENSIONS: WatchReason.EXTENSION, Count.ESCALATED: WatchReason.ESCALATED,
           Count.CALLBACKS: WatchReason.CALLBACK}
