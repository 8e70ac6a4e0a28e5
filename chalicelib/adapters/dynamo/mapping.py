"""Ticket <-> table item, index keys included (which queue, watch list and place list it is in)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ...domain.calendar import CHINA
from ...domain.geo import Point
from ...domain.model import Channel, Event, Kind, Outcome, Photo, PhotoState, Rating, Status, Ticket
from .models import EventMap, TicketItem


def ticket_key(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def number_key(number: str) -> str:
    """A public number's pointer item (its ticket's id): look-ups by number are key gets."""
    return f"NUMBER#{number}"


# Ticket fields stored as they are (strings, numbers, booleans, datetimes, None).
_PLAIN = ("id", "number", "location", "district", "category", "description", "secret_digest",
          "created_at", "department", "dispatched_at", "accept_due", "reply_due", "reply", "reason",
          "merged_into", "supporters", "escalation_level", "overdue", "extension_requested",
          "extension_days", "extensions", "round", "rating_comment", "survey_digest", "survey_expires",
          "task_token", "task_stage", "task_catches", "locale", "confidential", "address", "client")
# Enum fields: stored as their value.
_ENUMS: dict[str, Any] = {"kind": Kind, "channel": Channel, "status": Status, "outcome": Outcome, "rating": Rating}


def to_item(ticket: Ticket, model: type[TicketItem]) -> TicketItem:
    values: dict[str, Any] = {name: getattr(ticket, name) for name in _PLAIN}
    values.update({name: (v.value if (v := getattr(ticket, name)) is not None else None) for name in _ENUMS})
    item = model(
        ticket_key(ticket.id), "TICKET", **values,
        events=[EventMap(kind=e.kind, at=e.at, actor=e.actor, note=e.note, by=e.by,
                         data=json.dumps(e.data, ensure_ascii=False)) for e in ticket.events],
        photos=json.dumps([{"name": p.name, "by": p.by, "at": p.at.isoformat(), "state": p.state.value}
                           for p in ticket.photos]) if ticket.photos else None,
        hidden=json.dumps(ticket.hidden, ensure_ascii=False) if ticket.hidden else None,
        assisting=set(ticket.assisting) or None,
        answers=json.dumps(ticket.answers, ensure_ascii=False) if ticket.answers else None,
        lat=ticket.point.lat if ticket.point else None, lon=ticket.point.lon if ticket.point else None,
    )
    if ticket.location is not None:  # an unplaced case is in no place's list
        item.gsi3pk, item.gsi3sk = f"LOC#{ticket.location}", f"{ticket.created_at.isoformat()}#{ticket.id}"
    due = ticket.reply_due or ticket.accept_due or ticket.created_at
    if ticket.queue:
        item.gsi2pk = f"DEPT#{ticket.queue}#{ticket.status.value}"
        item.gsi2sk = f"{due.isoformat()}#{ticket.id}"
    if ticket.needs_attention:
        item.gsi4pk, item.gsi4sk = "WATCH", f"{due.isoformat()}#{ticket.id}"
    if ticket.version is not None:
        item.version = ticket.version
    return item


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(CHINA) if value else None


def ticket_from_item(item: TicketItem) -> Ticket:
    values: dict[str, Any] = {name: getattr(item, name) for name in _PLAIN}
    for name, value in values.items():
        if isinstance(value, datetime):
            values[name] = _local(value)
        elif isinstance(value, float) and value.is_integer():
            values[name] = int(value)
    values.update({name: (kind(v) if (v := getattr(item, name)) else None) for name, kind in _ENUMS.items()})
    return Ticket(
        **values,
        events=[Event(kind=e.kind, at=_local(e.at) or e.at, actor=e.actor, note=e.note, data=json.loads(e.data),
                      by=e.by or "") for e in item.events],
        photos=[Photo(p["name"], p["by"], datetime.fromisoformat(p["at"]), PhotoState(p["state"]))
                for p in json.loads(item.photos or "[]")],
        hidden=json.loads(item.hidden or "{}"),
        assisting=tuple(sorted(item.assisting or ())),
        answers={code: tuple(values) for code, values in json.loads(item.answers or "{}").items()},
        point=Point(float(item.lat), float(item.lon)) if item.lat is not None and item.lon is not None else None,
        version=item.version,
    )


def ticket_from_image(image: dict[str, Any], model: type[TicketItem] = TicketItem) -> Ticket | None:
    """The ticket in a DynamoDB stream image, or None for other items."""
    if image.get("sk", {}).get("S") != "TICKET":
        return None
    return ticket_from_item(model.from_raw_data(image))
