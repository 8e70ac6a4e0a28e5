"""What the public site's shared pages list, and the planner that says which pages a change touches.

A case is listed, as a small `Entry` (never its contact; citizen text redacted, or withheld when
confidential), in a few listings, each ordered by public number (date + day sequence, so number
order is filing order):

    hall              every case                  -> hall front, and numbered pages per day
    cat:<category>    cases of a category          -> /hall/c/<code>.html + monthly archives
    dist:<district>   cases of a district          -> /hall/a/<code>.html + monthly archives
    loc:<location>    cases at a place             -> /l/<code>.html + monthly archives
    dept:<department> cases of the department now handling it -> /d/<code>.html
    week:<yyyy-Www>   cases with progress that week -> /disclosure/<yyyy-Www>.html and .csv
    assist:<department> cases a department assists (协办) -> no page: the console's co-handling list
    place:<location>  cases at a place, confidential ones too -> no page: the duplicate check's
                      candidates (services/steps.py), one query on one partition

The entries are a projection kept by the table's stream; shared pages are rendered from them
with bounded queries (the latest 50, one day page, one month), never from a table scan.

Pages are named by id (their key without language prefix and suffix); `shared_pages` is the
planner: the shared pages one stored change makes stale. They are rebuilt coalesced (at most once
per interval), so a burst costs about what one change costs."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from .calendar import CHINA
from .model import INTERNAL_EVENTS, OPEN_STATUSES, Event, PhotoState, Status, Ticket
from .moderation import hidden_photos, public_description
from .redact import redact

HALL_PAGE_SIZE = 20  # cases per numbered hall page
LATEST = 50  # cases on a place, category, district page (older ones: monthly archives)
EXCERPT = 140  # characters of citizen or reply text a listing shows

HALL = "hall"
CATEGORY, DISTRICT, LOCATION, DEPARTMENT, WEEK = "cat:", "dist:", "loc:", "dept:", "week:"
ASSISTING = "assist:"
PLACE = "place:"
WEEKS = "weeks"  # the index of weeks that have a disclosure page
# Listings whose pages are a latest-50 page plus monthly archives, and the page id's prefix.
ARCHIVED = {CATEGORY: "hall/c/", DISTRICT: "hall/a/", LOCATION: "l/"}
STATS = "stats"
DISCLOSURE_INDEX = "disclosure/index"


def clip(text: str, limit: int = EXCERPT) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Entry:
    """A case as a listing shows it."""

    number: str
    status: str
    kind: str
    channel: str
    category: str
    district: str | None  # None: reported by an address or a point, no place of ours
    location: str  # "" when confidential or unplaced
    department: str | None
    created: str  # ISO time
    text: str  # redacted excerpt; "" when confidential or hidden
    hidden: str | None  # the moderator's reason, when the text is hidden
    reply: str  # redacted excerpt of the reply
    outcome: str | None
    rating: str | None
    overdue: bool
    due: str | None  # the deadline in force (ISO), while open
    deadline: str | None  # the reply deadline that applied (ISO), open or not: the weekly board's column
    merged_into: str | None
    supporters: int
    confidential: bool
    address: str = ""  # an unplaced case's address, redacted and clipped; "" when confidential
    # For the Open311 answers: the time of the latest public event, why a case was not accepted,
    # an unplaced case's point rounded to about 100 m (None when confidential), the first public photo.
    updated: str = ""
    reason: str | None = None
    lat: float | None = None
    lon: float | None = None
    photo: str = ""

    @property
    def is_open(self) -> bool:
        return Status(self.status) in OPEN_STATUSES

    @property
    def month(self) -> str:
        return month_of(self.number)

    @classmethod
    def of(cls, ticket: Ticket) -> Entry:
        text, hidden = public_description(ticket)
        due = None
        if ticket.is_open:
            due = ticket.accept_due if ticket.status is Status.DISPATCHED else ticket.reply_due
        deadline = ticket.reply_due or ticket.accept_due
        return cls(
            number=ticket.number, status=ticket.status.value, kind=ticket.kind.value, channel=ticket.channel.value,
            category=ticket.category, district=ticket.district,
            location="" if ticket.confidential else ticket.location or "",
            department=ticket.department, created=ticket.created_at.isoformat(), text=clip(text), hidden=hidden,
            reply="" if ticket.confidential else clip(redact(ticket.reply or "")),
            outcome=ticket.outcome.value if ticket.outcome else None,
            rating=ticket.rating.value if ticket.rating else None, overdue=ticket.overdue,
            due=due.isoformat() if due else None,
            deadline=deadline.isoformat() if deadline else None, merged_into=ticket.merged_into,
            supporters=ticket.supporters,
            confidential=ticket.confidential,
            address="" if ticket.confidential or ticket.placed else clip(redact(ticket.address), 60),
            updated=max((e.at for e in ticket.events if e.kind not in INTERNAL_EVENTS),
                        default=ticket.created_at).isoformat(),
            reason=ticket.reason,
            lat=round(ticket.point.lat, 3) if ticket.point and not ticket.placed and not ticket.confidential else None,
            lon=round(ticket.point.lon, 3) if ticket.point and not ticket.placed and not ticket.confidential else None,
            photo=next((p.name for p in ticket.photos if p.state is PhotoState.PUBLIC
                        and p.name not in hidden_photos(ticket)), "") if not ticket.confidential else "")

    def to_data(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, object]) -> Entry:
        return cls(**{"deadline": data.get("due"), **data})  # type: ignore[arg-type]


def month_of(number: str) -> str:
    """`20261124-0001` -> `2026-11`."""
    return f"{number[:4]}-{number[4:6]}"


def day_of(number: str) -> str:
    return number[:8]


def sequence_of(number: str) -> int:
    return int(number.split("-", 1)[1])


def week_of(at: datetime | date) -> str:
    """ISO week in China time: `2026-W48`."""
    day = at.astimezone(CHINA).date() if isinstance(at, datetime) else at
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def hall_page(number: str) -> str:
    """The numbered hall page that lists a case: `hall/20261124-1` holds that day's cases 1–20."""
    return f"hall/{day_of(number)}-{(sequence_of(number) - 1) // HALL_PAGE_SIZE + 1}"


@dataclass(frozen=True)
class Membership:
    listing: str
    key: str  # the order within the listing (the public number)


def memberships(ticket: Ticket, last_event: Event | None = None) -> set[Membership]:
    """The listings a case is in now. Its week is the week of its latest event: a case stays on
    the boards of earlier weeks as it stood then."""
    event = last_event or next((e for e in reversed(ticket.events) if e.kind not in INTERNAL_EVENTS), None)
    listings = {HALL, CATEGORY + ticket.category}
    if not ticket.confidential:  # a confidential case's place is never public, not even by a listing
        listings |= {DISTRICT + ticket.district} if ticket.district else set()
        listings |= {LOCATION + ticket.location} if ticket.location else set()
    if ticket.location:  # internal: never a page, so a confidential case is in it too
        listings.add(PLACE + ticket.location)
    if ticket.department:
        listings.add(DEPARTMENT + ticket.department)
    listings |= {ASSISTING + code for code in ticket.assisting}
    if event is not None:
        listings.add(WEEK + week_of(event.at))
    return {Membership(listing, ticket.number) for listing in listings}


def leaves(old: Ticket, new: Ticket) -> set[Membership]:
    """Listings the case no longer belongs to (a department it was taken from). Week boards keep it."""
    return {m for m in memberships(old) - memberships(new) if not m.listing.startswith(WEEK)}


def pages_of(membership: Membership) -> set[str]:
    listing, number = membership.listing, membership.key
    if listing == HALL:
        pages = {"hall/index", hall_page(number)}
        if sequence_of(number) % HALL_PAGE_SIZE == 1 and sequence_of(number) > 1:
            pages.add(hall_page(f"{day_of(number)}-{sequence_of(number) - 1:04d}"))  # its "newer" link
        return pages
    for prefix, path in ARCHIVED.items():
        if listing.startswith(prefix):
            code = listing[len(prefix):]
            return {f"{path}{code}", f"{path}{code}/{month_of(number)}"}
    if listing.startswith(DEPARTMENT):
        return {f"d/{listing[len(DEPARTMENT):]}"}
    if listing.startswith(WEEK):
        return {f"disclosure/{listing[len(WEEK):]}", DISCLOSURE_INDEX}
    return set()


def refreshed_slowly(page: str) -> bool:
    """Pages read as summaries rather than news — the statistics, the weekly disclosure boards and
    the month archives — are rebuilt at most once per the slow interval; the hall, the latest
    pages of places, categories and districts, the department pages and the case pages keep up
    within seconds. (At a city's pace nearly every interval has a change, so a page rebuilt at
    every interval is written some 8,000 times a day whatever the number of cases.)"""
    if page == STATS or page.startswith(f"{STATS}/") or page.startswith("disclosure/"):
        return True
    return any(page.startswith(path) and "/" in page[len(path):] for path in ARCHIVED.values())


def shared_pages(old: Ticket | None, new: Ticket, counted: frozenset[str] = frozenset()) -> set[str]:
    """The planner: the shared pages a stored change makes stale. Listing pages when what a
    listing shows of the case changed (or it joined or left a listing); the statistics, the
    month pages of the statistics whose counters moved (`counted`: their months, YYYY-MM) and the
    department's page when the change moved a counter."""
    pages: set[str] = set()
    before = memberships(old) if old is not None else set()
    after = memberships(new)
    shown_changed = old is None or Entry.of(old) != Entry.of(new)
    for membership in after if shown_changed else after - before:
        pages |= pages_of(membership)
    if old is not None:
        for membership in leaves(old, new):
            pages |= pages_of(membership)
    if counted:
        pages.add(STATS)
        pages |= {f"{STATS}/{month}" for month in counted}
        pages |= {f"d/{code}" for code in (new.department, old.department if old else None) if code}
    return pages
