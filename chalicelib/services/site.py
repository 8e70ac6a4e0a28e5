"""The public site's shared pages: the hall, place, category, district and department pages, the
weekly disclosure boards and the statistics — kept in step with the cases at constant cost.

After each stored change the planner (domain/listings.py: `shared_pages`) names the shared pages
it made stale; `keep_listings` writes the case's listing entries and marks those pages. Marked
pages are rebuilt together, at most once per interval (`rebuild_pending`, woken by one delayed
queue message per quiet period), each from one or two bounded queries on its own listing."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog, Category, District, Location, name_in
from ..domain.listings import (
    ARCHIVED,
    CATEGORY,
    DEPARTMENT,
    DISCLOSURE_INDEX,
    DISTRICT,
    HALL,
    HALL_PAGE_SIZE,
    LATEST,
    LOCATION,
    STATS,
    WEEK,
    WEEKS,
    Entry,
    Membership,
    clip,
    hall_page,
    leaves,
    memberships,
    month_of,
    shared_pages,
    week_of,
)
from ..domain.model import Status, Ticket
from ..domain.search import spreadsheet_cell
from ..i18n import LOCALES, PREFIX, Messages
from ..observability import logger
from .context import Deps
from .publish import cn_due, hidden_text, page_url, site_page
from .stats import MONTHS, stats_pages, unit_rates

ROW_TEXT = 40  # characters of text and reply a listing row shows (the case page has all of it)
ARCHIVE_LIMIT = 1000  # entries on one monthly archive page
BOARD_LIMIT = 5000  # rows of one week's board (its CSV)
BOARD_PAGE = 30  # rows per page of the board
BOARD_TEXT = 60  # characters of content and of result a board page shows (the CSV has the entry's 140)


# --- keeping the listings (the stream's side) -------------------------------------------------
def keep_listings(changes: list[tuple[Ticket | None, Ticket, frozenset[str]]], deps: Deps) -> set[str]:
    """Write the entries of the changed cases (each as it stands after its last change) where they
    differ from what is stored — a new case, a listing it joined, or something a listing shows of it
    changed; a change no listing shows (a wait token, a counter) writes no entry —, drop the ones of
    listings a case left, note new weeks and months, and mark the stale shared pages. `changes` are
    (old, new, counted) in stream order; the stored entries are those of the first old image of
    each case in the batch (a redelivered batch decides the same). Answers the pages marked."""
    pages: set[str] = set()
    latest: dict[str, Ticket] = {}
    first: dict[str, Ticket | None] = {}
    gone: set[Membership] = set()
    for old, new, counted in changes:
        pages |= shared_pages(old, new, counted)
        latest[new.id] = new
        first.setdefault(new.id, old)
        if old is not None:
            gone |= leaves(old, new)
    entries: list[tuple[Membership, Entry]] = []
    current: set[Membership] = set()
    joined: set[Membership] = set()
    for ticket in latest.values():
        now, stored = memberships(ticket), first[ticket.id]
        before = memberships(stored) if stored is not None else set()
        entry = Entry.of(ticket)
        kept = before if stored is not None and Entry.of(stored) == entry else set()
        entries += [(membership, entry) for membership in sorted(now - kept, key=lambda m: m.listing)]
        current |= now
        joined |= now - before
    if entries:
        deps.listings.put(entries)
    if gone - current:
        deps.listings.remove(sorted(gone - current, key=lambda m: (m.listing, m.key)))
    deps.listings.note(WEEKS, {m.listing[len(WEEK):] for m in joined if m.listing.startswith(WEEK)})
    deps.listings.note(MONTHS, {month_of(ticket.number) for ticket in latest.values() if first[ticket.id] is None})
    deps.pages.mark(pages)
    return pages


def every_page(catalog: Catalog) -> set[str]:
    """The shared pages that exist whatever the cases (a full rebuild, a configuration change)."""
    pages = {"hall/index", STATS, DISCLOSURE_INDEX}
    pages |= {f"{ARCHIVED[CATEGORY]}{code}" for code in catalog.categories}
    pages |= {f"{ARCHIVED[DISTRICT]}{code}" for code in catalog.districts}
    pages |= {f"{ARCHIVED[LOCATION]}{code}" for code in catalog.locations}
    pages |= {f"d/{code}" for code in catalog.departments}
    return pages


def rebuild_pending(deps: Deps) -> list[str]:
    """Build the pages waiting (the coalesced build). A page that fails is marked again, so the next
    build tries it again; the others are written."""
    pages = deps.pages.take()
    written, failed = [], set()
    for page in sorted(pages):
        try:
            written += write_page(page, deps)
        except Exception:
            logger.exception("shared page failed", extra={"page": page})
            failed.add(page)
    if failed:
        deps.pages.mark(failed)
    return written


def write_page(page: str, deps: Deps) -> list[str]:
    files = build_page(page, deps)
    html = [(key, body) for key, body, kind in files if kind == "html"]
    deps.site.put_pages(html, cache_seconds=10)
    for key, body, kind in files:
        if kind != "html":
            deps.site.put(key, body, content_type=kind, cache_seconds=10)
    return [key for key, _, _ in files]


# --- rendering ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One case as a listing row, in one language."""

    number: str
    url: str
    status: str
    status_label: str
    category: str
    place: str
    department: str
    created: str
    age: str
    text: str
    hidden: str | None
    reply: str
    rating: str
    overdue: bool
    due: str
    merged_into: str | None
    supporters: int
    confidential: bool


def _today(deps: Deps) -> date:
    return deps.clock.now().astimezone(CHINA).date()


def late(entry: Entry, now: datetime) -> bool:
    """Open and past its deadline (flagged by escalation, or due before the page was written)."""
    return entry.is_open and (entry.overdue or (entry.due is not None and datetime.fromisoformat(entry.due) < now))


def rows(entries: Iterable[Entry], deps: Deps, t: Messages, today: date, page: str) -> list[Row]:
    """Listing rows in one language; case links are relative to `page` (shorter, and the same
    whatever the site's address)."""
    catalog = deps.catalog()
    up = "../" * page.count("/")
    now = deps.clock.now()

    def name(table: dict, code: str | None) -> str:  # type: ignore[type-arg]
        item = table.get(code or "")
        return name_in(item, t.locale) if item else (code or "")

    found = []
    for entry in entries:
        created = datetime.fromisoformat(entry.created).astimezone(CHINA)
        days = (today - created.date()).days
        found.append(Row(
            number=entry.number, url=f"{up}t/{entry.number}.html", status=entry.status,
            status_label=t(f"status.{entry.status}"), category=name(catalog.categories, entry.category),
            place=name(catalog.locations, entry.location) if entry.location else entry.address,
            department=name(catalog.departments, entry.department) if entry.department else "",
            created=f"{created:%Y-%m-%d}",
            age=t("list.today") if days <= 0 else t("list.yesterday") if days == 1 else t("list.age", days=days),
            text=clip(entry.text, ROW_TEXT), hidden=hidden_text(entry.hidden, t) if entry.hidden else None,
            reply=clip(entry.reply, ROW_TEXT),
            rating=t(f"rating.{entry.rating}") if entry.rating else "",
            overdue=late(entry, now), due=cn_due(datetime.fromisoformat(entry.due)) if entry.due else "",
            merged_into=entry.merged_into, supporters=entry.supporters, confidential=entry.confidential))
    return found


def _both(deps: Deps, page: str, template: str, **context: Any) -> list[tuple[str, str, str]]:
    """The page in each language: (key, html, "html")."""
    out = []
    for locale in LOCALES:
        t = Messages(locale)
        values: dict[str, Any] = {k: (v(t) if callable(v) else v) for k, v in context.items()}
        out.append((f"{PREFIX[locale]}{page}.html", site_page(deps, t, template, f"{page}.html", page=page,
                                                                         listing_style=True, **values),
                    "html"))
    return out


def build_page(page: str, deps: Deps) -> list[tuple[str, str, str]]:
    """(key, body, content type or "html") of a shared page in every language."""
    if page == STATS or page.startswith(f"{STATS}/"):
        month = page[len(STATS) + 1:] or None
        return [(key, html, "html") for key, html in stats_pages(deps, _today(deps), month)]
    if page == "hall/index":
        return _hall_front(deps)
    if page.startswith("hall/") and page.count("/") == 1 and "-" in page:
        day, number = page[len("hall/"):].split("-")
        return _hall_day(deps, day, int(number))
    for prefix, path in ARCHIVED.items():
        if page.startswith(path) and "/" not in page[len(path):]:
            return _latest(deps, page, prefix, page[len(path):])
        if page.startswith(path):
            code, month = page[len(path):].split("/", 1)
            return _archive(deps, page, prefix, code, month)
    if page.startswith("d/"):
        return _department(deps, page, page[2:])
    if page == DISCLOSURE_INDEX:
        return _weeks(deps)
    if page.startswith("disclosure/"):
        return _board(deps, page, page[len("disclosure/"):])
    raise ValueError(f"no such shared page: {page}")


def _hall_front(deps: Deps) -> list[tuple[str, str, str]]:
    catalog, today = deps.catalog(), _today(deps)
    newest = deps.listings.latest(HALL, HALL_PAGE_SIZE)
    return _both(
        deps, "hall/index", "site/listing.html",
        rows=lambda t: rows(newest, deps, t, today, "hall/index"),
        older=hall_page(newest[-1].number) if newest else None,
        categories=lambda t: [(c.code, name_in(c, t.locale)) for c in catalog.categories.values()],
        districts=lambda t: [(d.code, name_in(d, t.locale)) for d in catalog.districts.values()],
        title=lambda t: t("hall.title"), kind="hall")


def _hall_day(deps: Deps, day: str, number: int) -> list[tuple[str, str, str]]:
    first, last = f"{day}-{(number - 1) * HALL_PAGE_SIZE + 1:04d}", f"{day}-{number * HALL_PAGE_SIZE:04d}"
    found = deps.listings.between(HALL, first, last, limit=HALL_PAGE_SIZE)
    if number > 1:
        older: str | None = f"hall/{day}-{number - 1}"
    else:
        before = deps.listings.latest(HALL, 1, before=f"{day}-0000")
        older = hall_page(before[0].number) if before else None
    after = deps.listings.oldest_after(HALL, last)
    newer = hall_page(after.number) if after else "hall/index"
    today = _today(deps)
    label = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    return _both(deps, f"hall/{day}-{number}", "site/listing.html",
                 rows=lambda t: rows(reversed(found), deps, t, today, f"hall/{day}-{number}"),
                 older=older, newer=newer, title=lambda t: t("hall.day_title", day=label, page=number), kind="day")


def _unit_name(deps: Deps, prefix: str, code: str, t: Messages) -> str:
    catalog = deps.catalog()
    tables: dict[str, Mapping[str, District | Category | Location]] = {
        CATEGORY: catalog.categories, DISTRICT: catalog.districts, LOCATION: catalog.locations}
    item = tables[prefix].get(code)
    return name_in(item, t.locale) if item else code


def _latest(deps: Deps, page: str, prefix: str, code: str) -> list[tuple[str, str, str]]:
    """The latest 50 of a place (open first), category or district, and its archive months."""
    found = deps.listings.latest(prefix + code, LATEST + 1)
    shown = found[:LATEST]
    if prefix == LOCATION:
        shown = sorted(shown, key=lambda e: not e.is_open)  # stable: newest first within each
    months = sorted({e.month for e in found}, reverse=True)
    today = _today(deps)
    intake = f"q/{code}.html" if prefix == LOCATION else None
    return _both(deps, page, "site/listing.html", rows=lambda t: rows(shown, deps, t, today, page),
                 months=[(m, f"{page}/{m}") for m in months], more=len(found) > LATEST, intake=intake,
                 title=lambda t: t(f"listing.{prefix[:-1]}_title", name=_unit_name(deps, prefix, code, t)),
                 kind=prefix[:-1])


def _archive(deps: Deps, page: str, prefix: str, code: str, month: str) -> list[tuple[str, str, str]]:
    """A month of a place, category or district (written when one of its cases changes)."""
    listing, compact = prefix + code, month.replace("-", "")
    found = deps.listings.between(listing, f"{compact}01-0000", f"{compact}31-9999", limit=ARCHIVE_LIMIT)
    before = deps.listings.latest(listing, 1, before=f"{compact}01-0000")
    after = deps.listings.oldest_after(listing, f"{compact}31-9999")
    base = page.rsplit("/", 1)[0]
    today = _today(deps)
    return _both(deps, page, "site/listing.html", rows=lambda t: rows(reversed(found), deps, t, today, page),
                 older=f"{base}/{before[0].month}" if before else None,
                 newer=f"{base}/{after.month}" if after else base, up=base, months=[],
                 title=lambda t: t("listing.archive_title", name=_unit_name(deps, prefix, code, t), month=month),
                 kind="archive")


OPEN_IN_DEPARTMENT = (Status.DISPATCHED, Status.ACCEPTED)
OPEN_LIMIT = 100  # open cases listed per state (the count says "100+" beyond)


def _department(deps: Deps, page: str, code: str) -> list[tuple[str, str, str]]:
    today = _today(deps)
    open_cases = [Entry.of(ticket) for status in OPEN_IN_DEPARTMENT
                  for ticket in deps.tickets.inbox(code, status, limit=OPEN_LIMIT)]
    now = deps.clock.now()
    open_cases.sort(key=lambda e: (not late(e, now), e.due or ""))
    recent = deps.listings.latest(DEPARTMENT + code, 20)
    this, last = unit_rates(deps, code, today)
    department = deps.catalog().departments.get(code)
    return _both(deps, page, "site/department.html", open_rows=lambda t: rows(open_cases, deps, t, today, page),
                 recent=lambda t: rows(recent, deps, t, today, page), this=this, last=last,
                 overdue=sum(late(e, now) for e in open_cases), capped=len(open_cases) >= OPEN_LIMIT,
                 title=lambda t: name_in(department, t.locale) if department else code, kind="department")


# --- the weekly disclosure board (Gongxian's columns) --------------------------------------------
def _monday(week: str) -> date:
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)


def _week_label(week: str) -> str:
    start = _monday(week)
    return f"{week} ({start:%m-%d} – {start + timedelta(days=6):%m-%d})"


def board_rows(entries: list[Entry], deps: Deps, t: Messages) -> list[dict[str, str]]:
    catalog = deps.catalog()
    out = []
    for entry in entries:
        department = catalog.departments.get(entry.department or "")
        responsible = (department.responsible if department and department.responsible and t.locale == "zh-CN"
                       else t("board.responsible_default")) if department else ""
        result = ""
        if entry.outcome:
            outcome = t(f"outcome.{entry.outcome}")
            result = t("board.result", outcome=outcome, reply=entry.reply) if entry.reply else outcome
        content = entry.text or (hidden_text(entry.hidden, t) if entry.hidden else
                                 t("board.confidential") if entry.confidential else "")
        out.append({
            "number": entry.number, "url": page_url(deps, entry.number, t.locale),
            "status": t(f"status.{entry.status}"), "content": content,
            "deadline": cn_due(datetime.fromisoformat(entry.deadline)) if entry.deadline else "",
            "unit": name_in(department, t.locale) if department else t("board.unassigned"),
            "responsible": responsible, "result": result,
            "satisfaction": t(f"rating.{entry.rating}") if entry.rating else "",
        })
    return out


BOARD_COLUMNS = ("number", "status", "content", "deadline", "unit", "responsible", "result", "satisfaction")


def _board(deps: Deps, page: str, week: str) -> list[tuple[str, str, str]]:
    entries = deps.listings.between(WEEK + week, "0", "9", limit=BOARD_LIMIT)
    weeks = sorted(deps.listings.noted(WEEKS))
    older = max((w for w in weeks if w < week), default=None)
    newer = min((w for w in weeks if w > week), default=None)
    # Pages of BOARD_PAGE rows (`<week>.html`, `<week>-2.html` …); the CSV holds the whole week.
    parts = [entries[i:i + BOARD_PAGE] for i in range(0, len(entries), BOARD_PAGE)] or [[]]
    names = [page] + [f"{page}-{n}" for n in range(2, len(parts) + 1)]
    files: list[tuple[str, str, str]] = []
    for n, (part, name) in enumerate(zip(parts, names, strict=True)):
        files += _both(deps, name, "site/board.html",
                       rows=lambda t, part=part: [{**r, "content": clip(r["content"], BOARD_TEXT),
                                                   "result": clip(r["result"], BOARD_TEXT)}
                                                  for r in board_rows(part, deps, t)],
                       week=_week_label(week), total=len(entries),
                       parts=[(i + 1, other) for i, other in enumerate(names)] if len(names) > 1 else [],
                       current=name, older=f"disclosure/{older}" if older else None,
                       newer=f"disclosure/{newer}" if newer else None, csv=f"{page}.csv",
                       title=lambda t, n=n: t("board.title", week=week) + (f" ({n + 1})" if n else ""), kind="board")
    for locale in LOCALES:
        t = Messages(locale)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([t(f"board.column.{c}") for c in BOARD_COLUMNS])
        for row in board_rows(entries, deps, t):
            writer.writerow([spreadsheet_cell(row[c]) for c in BOARD_COLUMNS])
        # A byte-order mark: spreadsheet programs then read the UTF-8 as UTF-8.
        files.append((f"{PREFIX[locale]}{page}.csv", "\ufeff" + out.getvalue(), "text/csv; charset=utf-8"))
    return files


def _weeks(deps: Deps) -> list[tuple[str, str, str]]:
    weeks = sorted(deps.listings.noted(WEEKS), reverse=True)
    current = week_of(_today(deps))
    return _both(deps, DISCLOSURE_INDEX, "site/weeks.html", weeks=[(w, _week_label(w)) for w in weeks],
                 current=current, title=lambda t: t("board.index_title"), kind="weeks")
