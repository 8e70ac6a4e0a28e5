"""Rendering the public site: one ticket page per change, intake pages per location."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog
from ..domain.model import (
    EVENT_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    Event,
    Kind,
    Outcome,
    Rating,
    Ticket,
)
from ..domain.redact import redact
from ..render import qr
from .context import Deps

# Console tabs per role: (id, label, query string of GET /console/…).
CONSOLE_TABS = {
    "handler": [("dispatched", "待签收", "inbox?status=dispatched"), ("accepted", "办理中", "inbox?status=accepted"),
                ("replied", "已答复", "inbox?status=replied")],
    "dispatcher": [("screened", "待派单", "inbox?queue=triage&status=screened"),
                   ("returned", "被退回", "inbox?queue=triage&status=returned"),
                   ("callback", "待电话回访", "callbacks")],
    "supervisor": [("watch", "督办与审批", "watch")],
}
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def cn_time(value: datetime | None) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else "—"


def cn_due(value: datetime | None) -> str:
    """Deadlines at midnight read as the end of the last day ("11-23 24:00"), as notices write them."""
    if value is None:
        return "—"
    local = value.astimezone(CHINA)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{local - timedelta(days=1):%Y-%m-%d} 24:00"
    return cn_time(local)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_time"] = cn_time
    env.filters["cn_due"] = cn_due
    env.filters["redact"] = redact
    return env


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    who: str
    note: str


def ticket_page(ticket: Ticket, catalog: Catalog, deps: Deps) -> str:
    def name_of(actor: str) -> str:
        department = catalog.departments.get(actor)
        return department.name if department else {"citizen": "群众", "system": "平台"}.get(actor, actor)

    def note_of(event: Event) -> str:
        if event.kind == "dispatched":
            return name_of(event.data["department"])
        if event.kind == "rated":
            label = RATING_LABELS[Rating(event.data["rating"])]
            return f"{label}：{event.note}" if event.note else label
        if event.kind == "supported":
            return f"诉求 {event.data.get('from', '')}"
        return event.note

    timeline = [TimelineEntry(e.at, EVENT_LABELS.get(e.kind, e.kind), name_of(e.actor), note_of(e))
                for e in ticket.events]
    location = catalog.locations.get(ticket.location)
    department = catalog.departments.get(ticket.department or "")
    category = catalog.categories.get(ticket.category)
    url = f"{deps.settings.site_url}/t/{ticket.number}.html"
    return environment().get_template("site/ticket.html").render(
        site_url=deps.settings.site_url, api_url=deps.settings.api_url, ticket=ticket, url=url,
        qr_svg=qr.svg(url), rating_label=RATING_LABELS.get(ticket.rating) if ticket.rating else None,
        ratings=[(r.value, RATING_LABELS[r]) for r in Rating],
        status_label=STATUS_LABELS[ticket.status], kind_label=KIND_LABELS[ticket.kind],
        outcome_label=OUTCOME_LABELS.get(ticket.outcome) if ticket.outcome else None,
        location=location, department=department, category=category,
        timeline=list(reversed(timeline)),
    )


def ticket_key(ticket: Ticket) -> str:
    return f"t/{ticket.number}.html"


def _shown(ticket: Ticket) -> Ticket:
    """The ticket less what a page never shows: the wait token, secrets' digests, the lock version."""
    return replace(ticket, task_token=None, task_stage=None, survey_digest=None, survey_expires=None,
                   secret_digest="", version=None)


def pages_for(old: Ticket | None, new: Ticket) -> list[str]:
    """The planner: the pages a stored change rewrites. Today that is the case's own page, and
    only when something it shows changed (not when only a wait token came or went)."""
    if old is not None and _shown(old) == _shown(new):
        return []
    return [ticket_key(new)]


def publish_ticket(ticket: Ticket, deps: Deps) -> str:
    key = ticket_key(ticket)
    deps.site.put(key, ticket_page(ticket, deps.catalog(), deps), cache_seconds=10)
    return key


def intake_url(deps: Deps, location_code: str) -> str:
    """What a location's QR code encodes."""
    return f"{deps.settings.site_url}/q/{location_code}.html"


def publish_site(deps: Deps) -> list[str]:
    """Pages that change with configuration: intake page per location, the front page and
    the console shell. Run after configuration changes and template updates."""
    catalog = deps.catalog()
    env = environment()
    common: dict[str, Any] = {
        "site_url": deps.settings.site_url, "api_url": deps.settings.api_url,
        "categories": list(catalog.categories.values()),
        "kinds": [(k.value, KIND_LABELS[k]) for k in Kind],
        "outcomes": [(o.value, OUTCOME_LABELS[o]) for o in Outcome],
    }
    keys = []
    for script in sorted((TEMPLATES / "static").glob("*.js")):  # no inline scripts: the CSP forbids them
        key = f"static/{script.name}"
        deps.site.put(key, script.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8",
                      cache_seconds=300)
        keys.append(key)
    template = env.get_template("site/intake.html")
    for location in catalog.locations.values():
        district = catalog.districts.get(location.district)
        key = f"q/{location.code}.html"
        deps.site.put(key, template.render(location=location, district=district, **common), cache_seconds=300)
        keys.append(key)
    by_district = [(d, [loc for loc in catalog.locations.values() if loc.district == d.code])
                   for d in catalog.districts.values()]
    deps.site.put("index.html", env.get_template("site/home.html").render(
        by_district=by_district, **common), cache_seconds=60)
    deps.site.put("console/index.html", env.get_template("console/index.html").render(
        departments=list(catalog.departments.values()), tabs=CONSOLE_TABS, **common), cache_seconds=60)
    keys += ["index.html", "console/index.html"]
    return keys


def public_view(ticket: Ticket, deps: Deps) -> dict[str, Any]:
    """The ticket as the public may see it (JSON): redacted text, no contact data, no secrets."""
    catalog = deps.catalog()

    def name(table: dict[str, Any], code: str | None) -> str | None:
        return table[code].name if code in table else code

    return {
        "number": ticket.number,
        "status": ticket.status.value,
        "status_label": STATUS_LABELS[ticket.status],
        "kind": ticket.kind.value,
        "category": ticket.category,
        "category_name": name(catalog.categories, ticket.category),
        "location": ticket.location,
        "location_name": name(catalog.locations, ticket.location),
        "department": ticket.department,
        "department_name": name(catalog.departments, ticket.department),
        "created_at": ticket.created_at.isoformat(),
        "accept_due": ticket.accept_due.isoformat() if ticket.accept_due else None,
        "reply_due": ticket.reply_due.isoformat() if ticket.reply_due else None,
        "description": redact(ticket.description),
        "reply": redact(ticket.reply) if ticket.reply else None,
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "reason": ticket.reason,
        "merged_into": ticket.merged_into,
        "supporters": ticket.supporters,
        "escalation_level": ticket.escalation_level,
        "overdue": ticket.overdue,
        "extension_requested": ticket.extension_requested,
        "extensions": ticket.extensions,
        "round": ticket.round,
        "rating": ticket.rating.value if ticket.rating else None,
        "waiting_for": ticket.task_stage,
        "events": [{"kind": e.kind, "at": e.at.isoformat(), "actor": e.actor,
                    "note": redact(e.note)} for e in ticket.events],
        "page": f"{deps.settings.site_url}/t/{ticket.number}.html",
    }
