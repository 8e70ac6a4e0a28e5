"""Rendering the public site: one ticket page per change and language, intake pages per
location, the home page and the console shell. Every word comes from the message catalogue."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog, name_in
from ..domain.deadlines import Countdown, countdown, working_days_around
from ..domain.model import (
    CITIZEN_TEXT_EVENTS,
    EVENT_KINDS,
    INTERNAL_EVENTS,
    STAFF_REJECT_REASONS,
    Channel,
    Event,
    Kind,
    Outcome,
    PhotoState,
    Rating,
    Status,
    Ticket,
)
from ..domain.moderation import (
    HIDE_REASONS,
    event_target,
    hidden_photos,
    public_description,
    public_note,
    rating_comment,
)
from ..domain.redact import redact
from ..i18n import LOCALES, PREFIX, Messages, reason_text
from ..render import qr
from .context import Deps

if TYPE_CHECKING:
    from jinja2 import Environment

# Search and export: a panel console-search.js draws, for every role with case lists.
SEARCH_TAB = ("search", "console.tab.search", "#search")
# The hotline operator's screen (console-hotline.js): operators and dispatchers take calls.
HOTLINE_TAB = ("hotline", "console.tab.hotline", "#hotline")
# Console tabs per role: (id, message key of the label, query string of GET /console/…, or
# "#<panel>" for a panel another script draws).
CONSOLE_TABS = {
    "handler": [("dispatched", "console.tab.dispatched", "inbox?status=dispatched"),
                ("accepted", "console.tab.accepted", "inbox?status=accepted"),
                ("replied", "console.tab.replied", "inbox?status=replied"),
                ("assisting", "console.tab.assisting", "assisting"),
                ("templates", "console.tab.templates", "#templates"), SEARCH_TAB],
    "dispatcher": [("screened", "console.tab.screened", "inbox?queue=triage&status=screened"),
                   ("returned", "console.tab.returned", "inbox?queue=triage&status=returned"),
                   ("callback", "console.tab.callback", "callbacks"), HOTLINE_TAB, SEARCH_TAB],
    "supervisor": [("watch", "console.tab.watch", "watch"),
                   ("extensions", "console.tab.extensions", "extensions"),
                   ("rates", "console.tab.rates", "#rates"), SEARCH_TAB],
    "operator": [HOTLINE_TAB, SEARCH_TAB],
    # Tabs whose path starts with "#" are panels a script draws (console.js, console-admin.js).
    "admin": [("catalog", "console.tab.catalog", "#admin"), ("accounts", "console.tab.accounts", "#accounts"),
              ("imports", "console.tab.imports", "#imports"), SEARCH_TAB],
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
    """The template engine, made at the first page a process renders (not at import: most
    requests render none)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_time"] = cn_time
    env.filters["cn_due"] = cn_due
    env.filters["redact"] = redact
    return env


def page_url(deps: Deps, number: str, locale: str = "zh-CN") -> str:
    return f"{deps.settings.site_url}/{PREFIX.get(locale, '')}t/{number}.html"


def intake_url(deps: Deps, location_code: str) -> str:
    """What a location's QR code encodes (the Chinese page; it links to the English one)."""
    return f"{deps.settings.site_url}/{intake_path(location_code)}"


def site_page(deps: Deps, t: Messages, template: str, path: str, alternate: str | None = None,
              **context: Any) -> str:
    """A page in one language; `path` (no language prefix) names the same page in the other
    language, which the page links to (or `alternate`, for pages the API renders)."""
    other = next(locale for locale in LOCALES if locale != t.locale)
    return environment().get_template(template).render(
        t=t, site_url=deps.settings.site_url, api_url=deps.settings.api_url,
        home=f"{deps.settings.site_url}/{t.prefix}", path=path,
        alternate=alternate or f"{deps.settings.site_url}/{PREFIX[other]}{path}",
        alternate_name=Messages(other)("lang.name"), **context)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    who: str
    note: str


def hidden_text(reason: str | None, t: Messages) -> str:
    """How every public surface says a moderator hid something, and why."""
    worded = redact(reason_text(reason, t.locale))
    return t("moderation.hidden_reason", reason=worded) if worded else t("moderation.hidden")


def _hidden_note(ticket: Ticket, event: Event, t: Messages) -> str:
    """What a `hidden` event says: which kind of thing was hidden, and why."""
    kind, _, name = event.data.get("target", "").partition(":")
    if kind == "event" and name.isdigit() and int(name) < len(ticket.events):
        kind = ticket.events[int(name)].kind
    return t("moderation.hidden_note", what=t.get(f"moderation.what.{kind}", kind),
             reason=redact(reason_text(event.data.get("reason"), t.locale)))


def _timeline(ticket: Ticket, catalog: Catalog, t: Messages) -> list[TimelineEntry]:
    def name_of(actor: str) -> str:
        department = catalog.departments.get(actor)
        return name_in(department, t.locale) if department else t.get(f"actor.{actor}", actor)

    def citizen_words(index: int, event: Event) -> str:
        text, reason = public_note(ticket, index, event)
        return hidden_text(reason, t) if reason is not None else text

    # Notes worded from the event's detail (never a citizen's words).
    worded: dict[str, Callable[[Event], str]] = {
        "dispatched": lambda e: name_of(e.data["department"]),
        "supported": lambda e: t("ticket.supported_by", number=e.data.get("from", "")),
        "merged": lambda e: t("reason.merged", number=e.data.get("into", "")),
        "invalidated": lambda e: reason_text(e.note, t.locale),
        "escalated": lambda e: t(f"escalation.{e.data.get('level', 1)}"),
        "hidden": lambda e: _hidden_note(ticket, e, t),
    }

    def note_of(index: int, event: Event) -> str:
        if ticket.confidential and event.actor == "citizen":
            return ""
        if event.kind in worded:
            return worded[event.kind](event)
        if event.kind == "rated":
            label = t(f"rating.{event.data['rating']}")
            comment = citizen_words(index, event) if event.actor != "system" else t("reason.default_rating")
            return f"{label}：{comment}" if comment and not ticket.confidential else label
        if ticket.confidential:
            return ""
        return citizen_words(index, event) if event.kind in CITIZEN_TEXT_EVENTS else event.note

    def who(event: Event) -> str:
        # The public learns that a moderator acted, not which office.
        return t("moderation.actor") if event.kind == "hidden" else name_of(event.actor)

    # An exact repeat of an event (an old retry's) is listed once.
    return [TimelineEntry(e.at, t.get(f"event.{e.kind}", e.kind), who(e), note_of(i, e))
            for i, e in reversed(ticket.distinct_events())]


def public_photos(ticket: Ticket) -> list[str]:
    """Names of the photos the public may see: approved, not hidden by a moderator, and never on a
    confidential case (a photo leaving this list is withdrawn from the site)."""
    if ticket.confidential:
        return []
    hidden = hidden_photos(ticket)
    return [p.name for p in ticket.photos if p.state is PhotoState.PUBLIC and p.name not in hidden]


def photo_key(number: str, name: str, small: bool = False) -> str:
    stem, _, suffix = name.rpartition(".")
    return f"p/{number}/{stem}-s.{suffix}" if small else f"p/{number}/{name}"


@dataclass(frozen=True)
class ShownPhoto:
    """A photo on the page: its links, or (hidden by a moderator) the words said instead."""

    full: str = ""
    small: str = ""
    hidden: str = ""


def countdown_script(figure: Countdown, catalog: Catalog, now: datetime) -> dict[str, Any]:
    """What the page script needs to recount the countdown on a later day (the page is static):
    the deadline, its last day, and the working days from the render day on."""
    days = working_days_around(catalog.policy.calendar(), now.astimezone(CHINA).date(), figure.last_day)
    return {"due": figure.due.isoformat(), "last_day": figure.last_day.isoformat(),
            "workdays": [d.isoformat() for d in days], "horizon": days[-1].isoformat() if days else None}


def countdown_text(figure: Countdown, t: Messages) -> str:
    """The figure in words (the page script words it the same way, from the same messages)."""
    if figure.overdue:
        if figure.late == 0:
            return t("track.late")
        return t("track.days_late_one") if figure.late == 1 else t("track.days_late", n=figure.late)
    if figure.left == 0:
        return t("track.due_today")
    return t("track.days_left_one") if figure.left == 1 else t("track.days_left", n=figure.left)


def ticket_page(ticket: Ticket, catalog: Catalog, deps: Deps, locale: str = "zh-CN",
                now: datetime | None = None) -> str:
    """The case page as of `now` (render time); its script recounts the countdown when read later."""
    t = Messages(locale)
    now = now or deps.clock.now()
    location = catalog.locations.get(ticket.location or "")
    department = catalog.departments.get(ticket.department or "")
    category = catalog.categories.get(ticket.category)
    url = page_url(deps, ticket.number, locale)
    site = deps.settings.site_url
    public, hidden = set(public_photos(ticket)), hidden_photos(ticket)

    def shown(by_citizen: bool) -> list[ShownPhoto]:
        found = []
        for p in ticket.photos:
            if (p.by == "citizen") != by_citizen or ticket.confidential:
                continue
            if p.name in hidden and p.state is not PhotoState.REFUSED:
                found.append(ShownPhoto(hidden=hidden_text(hidden[p.name], t)))
            elif p.name in public:
                found.append(ShownPhoto(f"{site}/{photo_key(ticket.number, p.name)}",
                                        f"{site}/{photo_key(ticket.number, p.name, True)}"))
        return found

    description, description_hidden = public_description(ticket)
    comment, comment_hidden = rating_comment(ticket)
    figure = countdown(ticket, catalog.policy.calendar(), now, catalog.policy.triage_days)
    script: dict[str, Any] = {"api": deps.settings.api_url, "number": ticket.number,
                              "max_photos": catalog.policy.max_photos, "messages": t.section("track.")}
    if figure is not None:
        script["countdown"] = countdown_script(figure, catalog, now)
    return site_page(
        deps, t, "site/ticket.html", f"t/{ticket.number}.html",
        ticket=ticket, url=url, qr_svg=qr.svg(url),
        location_name=name_in(location, locale) if location else ticket.location or redact(ticket.address)
        or t("place.unplaced"),
        department_name=name_in(department, locale) if department else None,
        category_name=name_in(category, locale) if category else ticket.category,
        reason=reason_text(ticket.reason, locale, number=ticket.merged_into or ""),
        merged_url=page_url(deps, ticket.merged_into, locale) if ticket.merged_into else None,
        description=description,
        description_hidden=hidden_text(description_hidden, t) if description_hidden is not None else None,
        rating_comment=hidden_text(comment_hidden, t) if comment_hidden is not None else comment,
        rating_comment_hidden=comment_hidden is not None,
        countdown=figure, countdown_text=countdown_text(figure, t) if figure else "",
        timeline=_timeline(ticket, catalog, t), photos=shown(True), reply_photos=shown(False),
        ratings=[r.value for r in Rating], script=script,
    )


def receipt_page(ticket: Ticket, deps: Deps, locale: str, tracking: str | None, sms: bool | None,
                 alternate: str | None = None) -> str:
    """The receipt after filing, saying what happened: still being checked (the page refreshes),
    dispatched, waiting for triage, merged into another case, or not accepted and why. `sms` is
    None when this browser did not file the case (its receipt cookie is gone): then nothing is
    said about SMS, rather than something wrong."""
    t, catalog = Messages(locale), deps.catalog()
    department = catalog.departments.get(ticket.department or "")
    status = ticket.status
    merged_url = page_url(deps, ticket.merged_into, locale) if ticket.merged_into else None
    if status is Status.SUBMITTED:
        state, tone, headline, detail = "processing", "wait", t("receipt.processing"), t("receipt.processing_hint")
    elif status is Status.MERGED:
        state, tone, headline, detail = "merged", "ok", t("receipt.merged", number=ticket.merged_into), ""
    elif status is Status.INVALID:
        state, tone = "invalid", "bad"
        headline = t("receipt.invalid", reason=reason_text(ticket.reason, locale))
        detail = t("receipt.invalid_what")
    elif status in (Status.SCREENED, Status.RETURNED):
        state, tone, headline = "triage", "ok", t("receipt.triage")
        detail = t("receipt.triage_detail", days=catalog.policy.triage_days)
    elif status in (Status.DISPATCHED, Status.ACCEPTED) and department:
        state, tone = "dispatched", "ok"
        headline = t("receipt.dispatched", department=name_in(department, locale))
        detail = t("receipt.dispatched_due", due=cn_due(ticket.accept_due)) if ticket.accept_due else ""
    else:
        state, tone, headline, detail = "progress", "ok", t("receipt.status", status=t(f"status.{status.value}")), ""
    url = page_url(deps, ticket.number, locale)
    return site_page(
        deps, t, "site/receipt.html", f"t/{ticket.number}.html", alternate, ticket=ticket, state=state, tone=tone,
        headline=headline, detail=detail, merged_url=merged_url, page_url=url, sms=sms,
        # the private link, where it still lets the citizen do something (add, rate)
        tracking=tracking if ticket.is_open or status is Status.REPLIED else None,
        qr_svg=qr.svg(url), again_url=f"{deps.settings.site_url}/{PREFIX[t.locale]}"
        + (intake_path(ticket.location) if ticket.location else "index.html"))


def intake_path(location_code: str) -> str:
    return f"q/{location_code}.html"


def ticket_keys(ticket: Ticket) -> list[str]:
    return [f"{PREFIX[locale]}t/{ticket.number}.html" for locale in LOCALES]


def _shown(ticket: Ticket) -> Ticket:
    """The ticket less what a page never shows: the wait token, secrets' digests, the lock version."""
    return replace(ticket, task_token=None, task_stage=None, task_catches=False, survey_digest=None,
                   survey_expires=None, secret_digest="", version=None)


def pages_for(old: Ticket | None, new: Ticket) -> list[str]:
    """The planner: the pages a stored change rewrites. Today that is the case's own page in
    each language, and only when something it shows changed (not when only a wait token did)."""
    if old is not None and _shown(old) == _shown(new):
        return []
    return ticket_keys(new)


def ticket_pages(ticket: Ticket, deps: Deps) -> list[tuple[str, str]]:
    """The case's page in each language: (key, html)."""
    catalog = deps.catalog()
    return [(key, ticket_page(ticket, catalog, deps, locale))
            for locale, key in zip(LOCALES, ticket_keys(ticket), strict=True)]


def publish_tickets(tickets: list[Ticket], deps: Deps) -> list[str]:
    """Write the pages of these cases, all at once."""
    pages = [page for ticket in tickets for page in ticket_pages(ticket, deps)]
    deps.site.put_pages(pages, cache_seconds=10)
    return [key for key, _ in pages]


def publish_ticket(ticket: Ticket, deps: Deps) -> list[str]:
    return publish_tickets([ticket], deps)


def publish_site(deps: Deps) -> list[str]:
    """Pages that change with configuration: intake page per location, the front page and
    the console shell, in each language. Run after configuration changes and template updates."""
    return publish_scripts(deps) + publish_intake(deps) + publish_home(deps) + publish_console(deps)


def publish_scripts(deps: Deps) -> list[str]:
    keys = []
    for script in sorted((TEMPLATES / "static").glob("*.js")):  # no inline scripts: the CSP forbids them
        key = f"static/{script.name}"
        deps.site.put(key, script.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8",
                      cache_seconds=300)
        keys.append(key)
    return keys


def publish_intake(deps: Deps, codes: set[str] | None = None) -> list[str]:
    """The intake page of each location in `codes` (every location if None), in each language. A
    hidden location's page is left as it is (its submissions are refused) and hidden categories
    are not offered."""
    catalog = deps.catalog()
    policy = catalog.policy
    keys = []
    for locale in LOCALES:
        t = Messages(locale)
        intake: dict[str, Any] = {"categories": [(c.code, name_in(c, locale)) for c in catalog.categories.values()
                                                 if not c.hidden],
                  "kinds": [k.value for k in Kind], "min_chars": policy.min_description_chars,
                  "max_photos": policy.max_photos,
                  "script": {"api": deps.settings.api_url, "min": policy.min_description_chars,
                             "max_photos": policy.max_photos, "max_mb": policy.photo_max_mb,
                             "messages": t.section("intake.js.")}}
        for location in catalog.locations.values():
            if location.hidden or (codes is not None and location.code not in codes):
                continue
            district = catalog.districts.get(location.district)
            path = intake_path(location.code)
            deps.site.put(t.prefix + path, site_page(
                deps, t, "site/intake.html", path, location=location, location_name=name_in(location, locale),
                district_name=name_in(district, locale) if district else "", **intake), cache_seconds=300)
            keys.append(t.prefix + path)
    return keys


def publish_home(deps: Deps) -> list[str]:
    """The front page in each language: the locations that take reports, by district."""
    catalog = deps.catalog()
    keys = []
    for locale in LOCALES:
        t = Messages(locale)
        by_district = [(name_in(d, locale), [(loc.code, name_in(loc, locale)) for loc in catalog.locations.values()
                                             if loc.district == d.code and not loc.hidden])
                       for d in catalog.districts.values()]
        deps.site.put(t.prefix + "index.html", site_page(deps, t, "site/home.html", "index.html",
                                                         by_district=by_district), cache_seconds=60)
        keys.append(t.prefix + "index.html")
    return keys


def publish_console(deps: Deps) -> list[str]:
    """The console shell in each language: its tabs, the departments to dispatch to, the places a
    hotline operator searches, its texts."""
    catalog = deps.catalog()
    keys = []
    for locale in LOCALES:
        t = Messages(locale)
        departments = [(d.code, name_in(d, locale)) for d in catalog.departments.values()]
        deps.site.put(t.prefix + "console/index.html", site_page(
            deps, t, "console/index.html", "console/index.html", departments=departments,
            script={"api": deps.settings.api_url, "site": deps.settings.site_url, "prefix": t.prefix,
                    "tabs": {role: [(tab, t(label), query) for tab, label, query in tabs]
                             for role, tabs in CONSOLE_TABS.items()},
                    "departments": dict(departments), "messages": t.section("console.js."),
                    "categories": [(c.code, name_in(c, locale)) for c in catalog.categories.values() if not c.hidden],
                    "kinds": [(k.value, t(f"kind.{k.value}")) for k in Kind],
                    "channels": {c.value: t(f"channel.{c.value}") for c in Channel},
                    # Places that take reports: code, name, district, address (the operator's search).
                    "locations": [(p.code, name_in(p, locale), name_in(catalog.districts[p.district], locale)
                                   if p.district in catalog.districts else p.district, p.address)
                                  for p in catalog.locations.values() if not p.hidden],
                    "ratings": [(r.value, t(f"rating.{r.value}")) for r in Rating],
                    "outcomes": [(o.value, t(f"outcome.{o.value}")) for o in Outcome],
                    "hide_reasons": [(code, t(f"reason.{code}")) for code in HIDE_REASONS],
                    "reject_reasons": [(code, t(f"reason.{code}")) for code in STAFF_REJECT_REASONS],
                    "events": {kind: t(f"event.{kind}") for kind in EVENT_KINDS},
                    # What the search form's selects offer.
                    "statuses": [(s.value, t(f"status.{s.value}")) for s in Status],
                    "districts": [(d.code, name_in(d, locale)) for d in catalog.districts.values()],
                    "auth": {"endpoint": deps.settings.staff_sign_in_url, "client_id": deps.settings.staff_client_id}},
        ), cache_seconds=60)
        keys.append(t.prefix + "console/index.html")
    return keys


def public_view(ticket: Ticket, deps: Deps, locale: str = "zh-CN", staff: bool = False) -> dict[str, Any]:
    """The ticket as the public may see it (JSON): redacted text, no contact data, no secrets;
    a confidential case shows its number, category, status, department and dates only (staff,
    who work on it, see its text)."""
    catalog = deps.catalog()
    t = Messages(locale)

    def name(table: dict[str, Any], code: str | None) -> str | None:
        return name_in(table[code], locale) if code in table else code

    hidden = ticket.confidential and not staff
    site = deps.settings.site_url
    # What a moderator hid: target -> the reason, worded; the public reads the hidden note instead.
    reasons = {target: redact(reason_text(reason, locale)) for target, reason in ticket.hidden.items()}
    description, description_hidden = public_description(ticket)

    def note(index: int, event: Event) -> str:
        if hidden:
            return ""
        target = event_target(index)
        if not staff and event.kind in CITIZEN_TEXT_EVENTS and target in ticket.hidden:
            return hidden_text(ticket.hidden[target], t)
        return redact(event.note)

    figure = countdown(ticket, catalog.policy.calendar(), deps.clock.now(), catalog.policy.triage_days)
    return {
        "number": ticket.number,
        "status": ticket.status.value,
        "status_label": t(f"status.{ticket.status.value}"),
        "kind": ticket.kind.value,
        "channel": ticket.channel.value,
        "category": ticket.category,
        "category_name": name(catalog.categories, ticket.category),
        "location": None if hidden else ticket.location,
        "location_name": None if hidden else name(catalog.locations, ticket.location)
        if ticket.location else redact(ticket.address) or t("place.unplaced"),
        # an unplaced case's own address (redacted) and, for staff only, the reported point
        "address": None if hidden or ticket.placed else redact(ticket.address),
        **({"point": {"lat": ticket.point.lat, "long": ticket.point.lon} if ticket.point else None,
            "answers": {code: list(values) for code, values in ticket.answers.items()},
            "client": ticket.client} if staff else {}),
        "department": ticket.department,
        "department_name": name(catalog.departments, ticket.department),
        "created_at": ticket.created_at.isoformat(),
        "accept_due": ticket.accept_due.isoformat() if ticket.accept_due else None,
        "reply_due": ticket.reply_due.isoformat() if ticket.reply_due else None,
        "confidential": hidden,
        # Staff see what a moderator hid (marked in "hidden"); the public the words said instead.
        "description": None if hidden else redact(ticket.description) if staff
        else hidden_text(description_hidden, t) if description_hidden is not None else description,
        "hidden": {} if hidden else reasons,
        "reply": redact(ticket.reply) if ticket.reply and not hidden else None,
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "reason": ticket.reason,
        "reason_text": reason_text(ticket.reason, locale, number=ticket.merged_into or "") or None,
        "merged_into": ticket.merged_into,
        "merged_page": page_url(deps, ticket.merged_into, locale) if ticket.merged_into else None,
        "supporters": ticket.supporters,
        "escalation_level": ticket.escalation_level,
        "overdue": ticket.overdue,
        "extension_requested": ticket.extension_requested,
        "extensions": ticket.extensions,
        "round": ticket.round,
        "rating": ticket.rating.value if ticket.rating else None,
        "waiting_for": ticket.task_stage,
        "photos": [f"{site}/{photo_key(ticket.number, name)}" for name in public_photos(ticket)],
        "countdown": None if figure is None else {
            "stage": figure.stage, "due": figure.due.isoformat(), "overdue": figure.overdue,
            "working_days_left": figure.left, "working_days_late": figure.late},
        "events": [{"index": i, "kind": e.kind, "at": e.at.isoformat(), "actor": e.actor, "note": note(i, e),
                    **({"by": e.by} if staff else {})} for i, e in ticket.distinct_events()
                   if staff or e.kind not in INTERNAL_EVENTS],
        "page": page_url(deps, ticket.number, locale),
    }
