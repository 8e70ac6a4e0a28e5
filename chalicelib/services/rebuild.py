"""The full rebuild: the whole public site regenerated from the table (after a template change, or
to recover a lost bucket), writing exactly what the stream and the coalesced builds would have
written, so running it twice writes the same bytes.

First the pages that follow the configuration (home, intake pages, console, posters). One pass
over the tickets (the one scan the system makes) rewrites every case page, its public photos
and every listing entry, and collects the shared pages that list them with the planner's own functions
(domain/listings.py: `memberships`, `pages_of`): every hall day page, monthly archive and weekly
board that exists, each once. Then every shared page is built."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.listings import STATS, WEEK, WEEKS, Entry, memberships, month_of, pages_of
from ..domain.model import Ticket
from ..observability import logger
from . import photos
from .context import Deps
from .posters import publish_posters
from .publish import public_photos, publish_site, publish_tickets
from .site import every_page, write_page
from .stats import MONTHS

BATCH = 50  # cases whose pages and entries are written together

# Told how far the rebuild is: (what, done, total or None while the total is not known yet).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Rebuilt:
    cases: int
    shared_pages: int
    files: int  # objects written to the site
    failed: tuple[str, ...] = ()  # shared pages that could not be built (the others are written)


def _quiet(what: str, done: int, total: int | None) -> None:
    return None


def rebuild_site(deps: Deps, progress: Progress = _quiet, page_size: int = 100) -> Rebuilt:
    """Publish the configuration's pages and posters, every case's page, photos and listing
    entries, then every shared page; `page_size` tickets are read at a time."""
    files = len(publish_site(deps)) + len(publish_posters(deps))
    progress("static", files, files)
    pages = every_page(deps.catalog())
    pages |= {f"disclosure/{week}" for week in deps.listings.noted(WEEKS)}
    cases, batch = 0, []
    for ticket in deps.tickets.every(page_size):
        batch.append(ticket)
        if len(batch) >= BATCH:
            files += _write_cases(batch, pages, deps)
            cases += len(batch)
            batch = []
            progress("cases", cases, None)
    files += _write_cases(batch, pages, deps)
    cases += len(batch)
    progress("cases", cases, cases)
    pages |= {f"{STATS}/{month}" for month in deps.listings.noted(MONTHS)}
    failed = []
    for done, page in enumerate(sorted(pages), start=1):
        try:
            files += len(write_page(page, deps))
        except Exception:  # one broken page does not stop the recovery of the others
            logger.exception("shared page failed", extra={"page": page})
            failed.append(page)
        progress("pages", done, len(pages))
    return Rebuilt(cases, len(pages), files, tuple(failed))


def _write_cases(tickets: list[Ticket], pages: set[str], deps: Deps) -> int:
    """Write the cases' pages and listing entries; add the shared pages listing them to `pages`."""
    if not tickets:
        return 0
    written = publish_tickets(tickets, deps)
    for ticket in tickets:
        photos.publish_changes(None, ticket, deps)  # as if each were new: every public photo
    entries = [(membership, Entry.of(ticket)) for ticket in tickets for membership in memberships(ticket)]
    deps.listings.put(entries)
    deps.listings.note(WEEKS, {m.listing[len(WEEK):] for m, _ in entries if m.listing.startswith(WEEK)})
    deps.listings.note(MONTHS, {month_of(ticket.number) for ticket in tickets})
    for membership, _ in entries:
        pages |= pages_of(membership)
    return len(written) + sum(2 * len(public_photos(ticket)) for ticket in tickets)
