"""Open311 GeoReport v2: our categories as services, cases as service requests, client keys.

What an answer holds comes from the public listing entry of a case (domain/listings.py: Entry),
the same projection the public pages show, so an Open311 answer says no more than the public site
(no contact ever, citizen text redacted, nothing of a confidential case but its number, service,
status, department and dates). Lists are read from one listing per service code (the hall for all
codes) within a date range of case numbers: bounded queries, never a table scan."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog, name_in
from ..domain.clients import ClientKey, key_digest, new_key
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.listings import CATEGORY, HALL, Entry
from ..domain.model import FINISHED_STATUSES, Channel, Kind, Status
from ..domain.redact import redact
from ..i18n import Messages, reason_text
from . import tickets
from .commands import MAX_ADDRESS, MAX_DESCRIPTION, SubmitTicket
from .context import Deps
from .publish import photo_key

DEFAULT_DAYS = 90  # GET requests without dates: the last 90 days
MAX_DAYS = 90  # and no wider window than that
MAX_REQUESTS = 1000  # the most one answer lists (the newest first)
MAX_IDS = 50  # service_request_id: at most this many in one comma list
MAX_NAME = 60


# --- client keys ----------------------------------------------------------------------------
def issue_key(deps: Deps, name: str, key: str | None = None) -> tuple[ClientKey, str]:
    """A new key for a client application: answers the record and the plain key (shown once,
    never stored). `key` keeps a given key (the local demo's, stable across restarts)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name: 1 to {MAX_NAME} characters", field="name", problem="empty" if not name
                           else "too_long", limit=MAX_NAME)
    plain = key or new_key()
    existing = deps.clients.by_digest(key_digest(plain))
    if existing is not None:
        return existing, plain
    record = ClientKey.issue(name, plain, deps.clock.now())
    deps.clients.put(record)
    return record, plain


def revoke_key(deps: Deps, key_id: str) -> ClientKey:
    """The key files nothing from now on (403); its cases keep the client's name."""
    found = next((k for k in deps.clients.all() if k.id == key_id), None)
    if found is None:
        raise NotFound(f"no Open311 key '{key_id}'", field="key")
    if found.active:
        found = ClientKey(found.id, found.name, found.digest, found.created_at, deps.clock.now())
        deps.clients.put(found)
    return found


def key_view(key: ClientKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None, "active": key.active}


def client_for(deps: Deps, api_key: str) -> ClientKey:
    """The client application of an api_key: 403 without one, or with an unknown or revoked one."""
    if not api_key:
        raise Forbidden("api_key is required to file a service request")
    found = deps.clients.by_digest(key_digest(api_key))
    if found is None or not found.active:
        raise Forbidden("api_key is not valid (unknown or revoked)")
    return found


# --- services -------------------------------------------------------------------------------
def services(catalog: Catalog, locale: str = "zh-CN") -> list[dict[str, Any]]:
    """Every category that takes reports, as a service (metadata: it has extra questions)."""
    return [{"service_code": c.code, "service_name": name_in(c, locale), "description": name_in(c, locale),
             "metadata": bool(c.attributes), "type": "realtime", "keywords": "", "group": ""}
            for c in catalog.categories.values() if not c.hidden]


def definition(catalog: Catalog, code: str) -> dict[str, Any]:
    """A service's extra questions, as the specification's attributes (none: an empty list)."""
    category = catalog.categories.get(code)
    if category is None or category.hidden:
        raise NotFound(f"service_code '{code}' not found", field="service_code")
    return {"service_code": category.code, "attributes": [
        {"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": a.datatype_description, "order": a.order, "description": a.description,
         "values": [{"key": v.key, "name": v.name} for v in a.values]}
        for a in sorted(category.attributes, key=lambda a: a.order)]}


# --- filing ---------------------------------------------------------------------------------
def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _float(form: dict[str, list[str]], name: str) -> float | None:
    text = _one(form, name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a number of degrees", field=name, problem="not_number") from None


def file_request(deps: Deps, form: dict[str, list[str]], client: ClientKey | None = None) -> dict[str, Any]:
    """POST requests: file a case from the form a client sends (the specification's fields,
    `attribute[code]=value` for the service's questions). The key is checked first: a refused
    request files nothing. We file at once, so the answer carries the service_request_id (and a
    token that resolves to it)."""
    client = client or client_for(deps, _one(form, "api_key"))  # the caller may have checked it (its limit)
    catalog = deps.catalog()
    code = _one(form, "service_code")
    if not code:
        raise InvalidInput("service_code is required", field="service_code", problem="required")
    if code not in catalog.categories or catalog.categories[code].hidden:
        raise InvalidInput(f"service_code '{code}' is not a service of ours", field="service_code", problem="choice")
    address_id = _one(form, "address_id")
    if address_id and address_id not in catalog.locations:
        raise InvalidInput(f"address_id '{address_id}' is not a location of ours", field="address_id",
                           problem="choice")
    lat, lon = _float(form, "lat"), _float(form, "long")
    address = _one(form, "address_string")[:MAX_ADDRESS]
    if not address_id and not address and (lat is None or lon is None):
        raise InvalidInput("a location is required: lat and long, address_string or address_id", field="lat",
                           problem="required")
    description = _one(form, "description")
    if not description:
        raise InvalidInput("description is required", field="description", problem="required")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"description: at most {MAX_DESCRIPTION} characters", field="description",
                           problem="too_long", limit=MAX_DESCRIPTION)
    answers = {name[len("attribute["):-1]: values for name, values in form.items()
               if name.startswith("attribute[") and name.endswith("]")}
    answers = {code_: [v.strip() for v in values if v.strip()] for code_, values in answers.items()}
    data = {"location": address_id or None, "address": address, "lat": lat, "lon": lon, "category": code,
            "kind": Kind.COMPLAINT.value, "description": description, "phone": _one(form, "phone") or None,
            "channel": Channel.OPEN311.value, "attributes": answers}
    try:
        command = SubmitTicket.parse(data)
    except InvalidInput as refused:
        if refused.field != "phone":
            raise
        # a phone that is no mainland mobile cannot take our SMS: filed without it, not refused
        command = SubmitTicket.parse({**data, "phone": None})
    assert isinstance(command, SubmitTicket)
    receipt = tickets.submit(command, deps, client=client.name)
    return {"service_request_id": receipt.number, "token": receipt.number, "service_notice": "",
            "account_id": None}


def token(deps: Deps, value: str) -> dict[str, Any]:
    """A token is the case's number (we file synchronously): it resolves to itself."""
    try:
        deps.tickets.by_number(value)
    except NotFound:
        raise NotFound(f"unknown token '{value}'", field="token") from None
    return {"service_request_id": value, "token": value}


# --- requests -------------------------------------------------------------------------------
def open_or_closed(status: str) -> str:
    return "closed" if Status(status) in FINISHED_STATUSES else "open"


def status_notes(entry: Entry, t: Messages) -> str:
    """What the status means, in the city's words: the status, then the reply or the reason."""
    label = t(f"status.{entry.status}")
    if entry.reply:
        return f"{label}：{entry.reply}"
    if entry.reason:
        return f"{label}：{reason_text(entry.reason, t.locale, number=entry.merged_into or '')}"
    return label


def _iso(text: str | None) -> str | None:
    """ISO 8601 with the city's offset, to the second (the specification's w3 subset)."""
    if not text:
        return None
    return datetime.fromisoformat(text).astimezone(CHINA).replace(microsecond=0).isoformat()


def request_view(entry: Entry, deps: Deps, t: Messages) -> dict[str, Any]:
    catalog = deps.catalog()
    category = catalog.categories.get(entry.category)
    department = catalog.departments.get(entry.department or "")
    location = catalog.locations.get(entry.location) if entry.location else None
    lat, lon = (location.lat, location.lon) if location else (entry.lat, entry.lon)
    address = f"{name_in(location, t.locale)}（{location.address}）" if location and location.address \
        else name_in(location, t.locale) if location else entry.address
    return {
        "service_request_id": entry.number,
        "status": open_or_closed(entry.status),
        "status_notes": status_notes(entry, t),
        "service_name": name_in(category, t.locale) if category else entry.category,
        "service_code": entry.category,
        "description": "" if entry.confidential else redact(entry.text),
        "agency_responsible": name_in(department, t.locale) if department else "",
        "service_notice": "",
        "requested_datetime": _iso(entry.created),
        "updated_datetime": _iso(entry.updated or entry.created),
        "expected_datetime": _iso(entry.deadline) if entry.is_open else None,
        "address": "" if entry.confidential else address,
        "address_id": location.code if location else "",
        "zipcode": "",
        "lat": lat,
        "long": lon,
        "media_url": f"{deps.settings.site_url}/{photo_key(entry.number, entry.photo)}" if entry.photo else "",
    }


def one_request(deps: Deps, number: str, t: Messages) -> dict[str, Any]:
    return request_view(Entry.of(deps.tickets.by_number(number)), deps, t)


@dataclass(frozen=True)
class Query:
    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()  # open, closed (comma delimited); none: both


def _when(params: dict[str, str], name: str) -> datetime | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date and time (w3 format)", field=name,
                           problem="format") from None
    return when if when.tzinfo else when.replace(tzinfo=CHINA)


def parse_query(params: dict[str, str], catalog: Catalog) -> Query:
    """GET requests' filters; service_request_id, when given, overrides every other one."""
    ids = tuple(dict.fromkeys(i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()))
    if ids:
        if len(ids) > MAX_IDS:
            raise InvalidInput(f"service_request_id: at most {MAX_IDS} ids", field="service_request_id",
                               problem="too_many", limit=MAX_IDS)
        return Query(ids=ids)
    codes = tuple(dict.fromkeys(c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()))
    unknown = [c for c in codes if c not in catalog.categories]
    if unknown:
        raise InvalidInput(f"service_code '{unknown[0]}' is not a service of ours", field="service_code",
                           problem="choice")
    statuses = frozenset(s.strip().lower() for s in (params.get("status") or "").split(",") if s.strip())
    if statuses - {"open", "closed"}:
        raise InvalidInput("status must be open or closed (comma delimited)", field="status", problem="choice")
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start and end and start > end:
        raise InvalidInput("start_date must not be after end_date", field="start_date")
    if start and end and end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput(f"the date range may not span more than {MAX_DAYS} days", field="end_date")
    return Query(codes=codes, start=start, end=end, statuses=statuses)


def window(query: Query, now: datetime) -> tuple[datetime, datetime]:
    """The dates searched: as given, else 90 days up to the end (or now), or from the start."""
    if query.start and query.end:
        return query.start, query.end
    if query.start:
        return query.start, query.start + timedelta(days=DEFAULT_DAYS)
    end = query.end or now
    return end - timedelta(days=DEFAULT_DAYS), end


def _day(at: datetime) -> date:
    return at.astimezone(CHINA).date()


def find_requests(deps: Deps, query: Query, t: Messages) -> list[dict[str, Any]]:
    """The service requests a query names, newest first (at most MAX_REQUESTS)."""
    if query.ids:
        found = []
        for number in query.ids:
            try:
                found.append(one_request(deps, number, t))
            except (NotFound, InvalidInput):
                continue  # an id we do not know is left out (the others are answered)
        return found
    start, end = window(query, deps.clock.now())
    low, below = f"{_day(start):%Y%m%d}", f"{_day(end) + timedelta(days=1):%Y%m%d}"
    listings = [CATEGORY + code for code in query.codes] or [HALL]
    entries: Iterable[Entry] = (e for listing in listings
                                for e in deps.listings.span(listing, low, below, MAX_REQUESTS))
    chosen = [e for e in entries if start <= datetime.fromisoformat(e.created) <= end
              and (not query.statuses or open_or_closed(e.status) in query.statuses)]
    chosen.sort(key=lambda e: e.number, reverse=True)
    return [request_view(e, deps, t) for e in chosen[:MAX_REQUESTS]]


def discovery(deps: Deps) -> dict[str, Any]:
    api = deps.settings.api_url
    return {"changeset": "2026-11-24T00:00:00+08:00", "contact": deps.settings.site_url,
            "key_service": f"{deps.settings.site_url}/console/",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": f"{api}/open311/v2",
                           "changeset": "2026-11-24T00:00:00+08:00", "type": "production",
                           "formats": ["text/xml", "application/json"]}]}
