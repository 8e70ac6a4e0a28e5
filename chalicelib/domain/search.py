"""Staff search: the filters a console list takes, and the planner that serves them from the
listings (domain/listings.py) with bounded index queries, never a table scan.

Every listing is ordered by public number, and a number starts with its filing day (YYYYMMDD), so
a date range is a key range. The planner picks the most selective listing the filters name
(department > category > district > the hall of all cases), reads it newest first within the key
range, and filters the rest (status, overdue, the other dimensions, free text) on the entries
read. A page reads at most `QUERIES_PER_PAGE` queries of `READ_LIMIT` entries; the cursor is the
last number examined, so the next page goes on below it.

Limits, said once: free text matches the redacted excerpt a listing keeps (not the whole text,
nothing of a confidential or hidden text) and only the last `TEXT_DAYS` days; a district listing
holds no confidential case (its place is never listed), so a search by district alone misses
those (by category or department it finds them). Cases waiting for the dispatchers (no
department yet) are in no department listing: "department = triage" reads the triage queue."""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import InvalidInput
from .listings import CATEGORY, DEPARTMENT, DISTRICT, HALL, Entry
from .model import Status

PAGE_SIZE = 50  # cases a page shows at most
READ_LIMIT = 200  # entries one query reads at most
QUERIES_PER_PAGE = 2  # queries one page makes at most
TEXT_DAYS = 90  # free text searches the cases filed in this many days, today included
TEXT_MAX = 50  # characters of free text
EXPORT_LIMIT = 1000  # rows one CSV export holds at most
TRIAGE = "triage"  # the department filter naming the dispatchers' queue (no department yet)
TRIAGE_STATUSES = (Status.SCREENED, Status.RETURNED)
LOWEST, HIGHEST = "0", "9"  # below and above every public number
FIELDS = ("number", "status", "category", "district", "department", "from", "to", "overdue", "q", "cursor", "limit")

_NUMBER = re.compile(r"^\d{8}-\d{4,6}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
_CURSOR_PREFIX = "n:"


class BadFilter(InvalidInput):
    """A filter value the search cannot take: `field` names the filter, `code` what is wrong
    (the API words it in the reader's language)."""

    def __init__(self, field: str, code: str, value: str = "") -> None:
        super().__init__(f"{field}: {code} '{value}'", field=field)
        self.code = code
        self.value = value


@dataclass(frozen=True)
class Known:
    """The codes a filter may name (from the catalogue)."""

    categories: Collection[str]
    districts: Collection[str]
    departments: Collection[str]


@dataclass(frozen=True)
class Filters:
    number: str | None = None
    status: Status | None = None
    category: str | None = None
    district: str | None = None
    department: str | None = None  # a department's code, or TRIAGE
    first: date | None = None  # filed on or after
    last: date | None = None  # filed on or before
    overdue: bool = False
    text: str = ""

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (the CSV link of a list repeats them)."""
        values = {"number": self.number, "status": self.status.value if self.status else None,
                  "category": self.category, "district": self.district, "department": self.department,
                  "from": self.first.isoformat() if self.first else None,
                  "to": self.last.isoformat() if self.last else None,
                  "overdue": "1" if self.overdue else None, "q": self.text or None}
        return {key: value for key, value in values.items() if value}


def parse_filters(params: Mapping[str, str], known: Known) -> Filters:
    """The filters of a request's query parameters; BadFilter naming the first bad one."""
    def value(name: str) -> str:
        return (params.get(name) or "").strip()

    number = value("number") or None
    if number is not None and not _NUMBER.match(number):
        raise BadFilter("number", "number", number)
    status = None
    if value("status"):
        try:
            status = Status(value("status"))
        except ValueError:
            raise BadFilter("status", "unknown", value("status")) from None
    choices = {"category": known.categories, "district": known.districts,
               "department": (*known.departments, TRIAGE)}
    chosen = {name: value(name) or None for name in choices}
    for name, allowed in choices.items():
        if chosen[name] is not None and chosen[name] not in allowed:
            raise BadFilter(name, "unknown", chosen[name] or "")
    first, last = _day("from", value("from")), _day("to", value("to"))
    if first and last and first > last:
        raise BadFilter("to", "before_from", value("to"))
    overdue = value("overdue").lower()
    if overdue not in _YES + _NO:
        raise BadFilter("overdue", "yes_no", overdue)
    text = value("q")
    if len(text) > TEXT_MAX:
        raise BadFilter("q", "too_long", text[:TEXT_MAX])
    return Filters(number=number, status=status, category=chosen["category"], district=chosen["district"],
                   department=chosen["department"], first=first, last=last, overdue=overdue in _YES, text=text)


def _day(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadFilter(name, "date", text) from None


@dataclass(frozen=True)
class Plan:
    """Which listing one search reads, and the key range: numbers `low` <= n < `below`.
    `listing` None: the triage queue (the inbox index), which is small and read whole."""

    listing: str | None
    low: str
    below: str


def text_since(today: date) -> date:
    """The first filing day free text searches."""
    return today - timedelta(days=TEXT_DAYS - 1)


def plan(filters: Filters, today: date, cursor: str | None = None) -> Plan:
    """The most selective listing the filters name, and the key range of the dates (narrowed to
    the last `TEXT_DAYS` days with free text, and to below the cursor)."""
    if filters.department == TRIAGE:
        listing: str | None = None
    elif filters.department:
        listing = DEPARTMENT + filters.department
    elif filters.category:
        listing = CATEGORY + filters.category
    elif filters.district:
        listing = DISTRICT + filters.district
    else:
        listing = HALL
    low = f"{filters.first:%Y%m%d}" if filters.first else LOWEST
    if filters.text:
        low = max(low, f"{text_since(today):%Y%m%d}")
    below = f"{filters.last + timedelta(days=1):%Y%m%d}" if filters.last else HIGHEST
    if cursor is not None:
        below = min(below, cursor)
    return Plan(listing, low, below)


def is_overdue(entry: Entry, now: datetime) -> bool:
    """Publicly overdue, or open past the deadline in force."""
    return entry.overdue or (entry.is_open and entry.due is not None and datetime.fromisoformat(entry.due) < now)


def matches(entry: Entry, filters: Filters, now: datetime) -> bool:
    """Does a case read from the planned listing pass every filter? (The listing's own dimension
    passes by construction; checking it again costs nothing and keeps the number and triage paths
    honest.)"""
    return _fields_match(entry, filters) and _dates_match(entry, filters) \
        and (not filters.overdue or is_overdue(entry, now)) and _text_matches(entry, filters, now.date())


def _fields_match(entry: Entry, filters: Filters) -> bool:
    wanted = {"number": filters.number, "status": filters.status.value if filters.status else None,
              "category": filters.category, "district": filters.district}
    if any(value and getattr(entry, name) != value for name, value in wanted.items()):
        return False
    if filters.department == TRIAGE:
        return entry.department is None
    return not filters.department or entry.department == filters.department


def _dates_match(entry: Entry, filters: Filters) -> bool:
    day = entry.number[:8]
    return (not filters.first or day >= f"{filters.first:%Y%m%d}") and (
        not filters.last or day <= f"{filters.last:%Y%m%d}")


def _text_matches(entry: Entry, filters: Filters, today: date) -> bool:
    """Free text: within the last TEXT_DAYS days, in the text or reply excerpt (case-insensitive)."""
    if not filters.text:
        return True
    if entry.number[:8] < f"{text_since(today):%Y%m%d}":
        return False
    needle = filters.text.casefold()
    return needle in entry.text.casefold() or needle in entry.reply.casefold()


def page_size(text: str | None) -> int:
    """The cases a page may show: 1 to PAGE_SIZE (PAGE_SIZE when not said)."""
    if not text:
        return PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= PAGE_SIZE:
        raise BadFilter("limit", "limit", text[:10])
    return int(text)


def encode_cursor(number: str) -> str:
    """The cursor a client passes back: opaque, so the client never builds one."""
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + number).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadFilter("cursor", "cursor", cursor[:40]) from None
    number = text[len(_CURSOR_PREFIX):]
    if not text.startswith(_CURSOR_PREFIX) or not _NUMBER.match(number):
        raise BadFilter("cursor", "cursor", cursor[:40])
    return number


def spreadsheet_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
