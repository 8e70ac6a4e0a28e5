"""Single-table DynamoDB storage with pynamodb: tickets, contacts, counters, configuration.

Keys (infra/template.json defines the same table):
  ticket          pk=TICKET#{id}            sk=TICKET     gsi1: NUMBER#{number} / TICKET
                                                          gsi2: DEPT#{dept or TRIAGE}#{status} / {due or created}
                                                          gsi3: LOC#{location} / {created}#{id}
                                                          gsi4: WATCH / {due}#{id}   (sparse: needs attention)
  contact         pk=TICKET#{id}            sk=CONTACT    (phone; never published, never logged)
  counter         pk=COUNTER#{name}         sk=COUNTER    value (atomic ADD)
  configuration   pk=CONFIG                 sk={kind}#{code}   data
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog
from ..domain.errors import ConcurrentUpdate, NotFound
from ..domain.model import WAITING_IN, Channel, Event, Kind, Outcome, Rating, Status, Ticket

CONFIG_KINDS = ("districts", "departments", "categories", "locations", "rules", "policy")
TRIAGE = "TRIAGE"  # the dispatchers' queue in the inbox index


class _Index(GlobalSecondaryIndex):
    class Meta:
        projection = AllProjection()


class NumberIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi1"

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class InboxIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi2"

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class LocationIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi3"

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class WatchIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi4"

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class _Item(Model):
    class Meta:
        table_name = "mashang"
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class EventMap(MapAttribute):
    kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    data = UnicodeAttribute(default="{}")  # JSON text: small, schema-free detail


class TicketItem(_Item):
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    location = UnicodeAttribute()
    district = UnicodeAttribute()
    category = UnicodeAttribute()
    kind = UnicodeAttribute()
    channel = UnicodeAttribute()
    description = UnicodeAttribute()
    secret_digest = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    department = UnicodeAttribute(null=True)
    dispatched_at = UTCDateTimeAttribute(null=True)
    accept_due = UTCDateTimeAttribute(null=True)
    reply_due = UTCDateTimeAttribute(null=True)
    reply = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    merged_into = UnicodeAttribute(null=True)
    supporters = NumberAttribute(default=0)
    escalation_level = NumberAttribute(default=0)
    overdue = BooleanAttribute(default=False)
    extension_requested = BooleanAttribute(default=False)
    extension_days = NumberAttribute(default=0)
    extensions = NumberAttribute(default=0)
    round = NumberAttribute(default=1)
    rating = UnicodeAttribute(null=True)
    rating_comment = UnicodeAttribute(default="")
    survey_digest = UnicodeAttribute(null=True)
    survey_expires = UTCDateTimeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    task_stage = UnicodeAttribute(null=True)
    events = ListAttribute(of=EventMap, default=list)
    version = VersionAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    by_number = NumberIndex()
    inbox = InboxIndex()
    by_location = LocationIndex()
    watch = WatchIndex()


class ContactItem(_Item):
    phone = UnicodeAttribute()


class CounterItem(_Item):
    value = NumberAttribute(default=0)


class ConfigItem(_Item):
    data = UnicodeAttribute()  # JSON text of one configuration record
    position = NumberAttribute(default=0)  # order in which people listed them


_MODELS: tuple[type[_Item], ...] = (TicketItem, ContactItem, CounterItem, ConfigItem)


def bind(table_name: str, region: str) -> None:
    """Point every model at the table (names come from settings, not import time)."""
    for model in _MODELS:
        if model.Meta.table_name != table_name or model.Meta.region != region:
            model.Meta.table_name = table_name
            model.Meta.region = region
            model._connection = None


def _ticket_key(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


# Ticket fields stored as they are (strings, numbers, booleans, datetimes, None).
_PLAIN = ("id", "number", "location", "district", "category", "description", "secret_digest",
          "created_at", "department", "dispatched_at", "accept_due", "reply_due", "reply", "reason",
          "merged_into", "supporters", "escalation_level", "overdue", "extension_requested",
          "extension_days", "extensions", "round", "rating_comment", "survey_digest", "survey_expires",
          "task_token", "task_stage")
# Enum fields: stored as their value.
_ENUMS = {"kind": Kind, "channel": Channel, "status": Status, "outcome": Outcome, "rating": Rating}
WATCHED = frozenset({Status.SCREENED, Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED})


def _to_item(ticket: Ticket) -> TicketItem:
    values: dict[str, Any] = {name: getattr(ticket, name) for name in _PLAIN}
    values.update({name: (v.value if (v := getattr(ticket, name)) is not None else None) for name in _ENUMS})
    item = TicketItem(
        _ticket_key(ticket.id), "TICKET", **values,
        events=[EventMap(kind=e.kind, at=e.at, actor=e.actor, note=e.note,
                         data=json.dumps(e.data, ensure_ascii=False)) for e in ticket.events],
        gsi1pk=f"NUMBER#{ticket.number}", gsi1sk="TICKET",
        gsi3pk=f"LOC#{ticket.location}", gsi3sk=f"{ticket.created_at.isoformat()}#{ticket.id}",
    )
    due = ticket.reply_due or ticket.accept_due or ticket.created_at
    if ticket.department or ticket.status in WAITING_IN["triage"]:
        item.gsi2pk = f"DEPT#{ticket.department or TRIAGE}#{ticket.status.value}"
        item.gsi2sk = f"{due.isoformat()}#{ticket.id}"
    if ticket.status in WATCHED and (ticket.escalation_level or ticket.extension_requested) \
            or ticket.status is Status.REPLIED and ticket.task_stage == "callback":
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
        events=[Event(kind=e.kind, at=_local(e.at), actor=e.actor, note=e.note, data=json.loads(e.data))
                for e in item.events],
        version=item.version,
    )


def ticket_from_image(image: dict[str, Any]) -> Ticket | None:
    """The ticket in a DynamoDB stream image, or None for other items."""
    if image.get("sk", {}).get("S") != "TICKET":
        return None
    return ticket_from_item(TicketItem.from_raw_data(image))


def _is_conflict(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) in {
        "ConditionalCheckFailedException", "TransactionCanceledException"}


class TicketRepository:
    """Tickets with optimistic locking: a stale write raises ConcurrentUpdate, never overwrites."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._connection: Connection | None = None

    def _transactions(self) -> Connection:
        """One connection (one botocore client) per process: building a client costs ~100 ms."""
        if self._connection is None:
            self._connection = Connection(region=self._region)
        return self._connection

    def add(self, ticket: Ticket, phone: str | None) -> None:
        """Store a new ticket and its contact item together, or neither."""
        item = _to_item(ticket)
        try:
            with TransactWrite(connection=self._transactions()) as tx:
                tx.save(item, condition=TicketItem.pk.does_not_exist())
                if phone:
                    tx.save(ContactItem(item.pk, "CONTACT", phone=phone))
        except TransactWriteError as exc:
            if _is_conflict(exc):
                raise ConcurrentUpdate(f"ticket {ticket.id} exists already") from exc
            raise
        ticket.version = 1

    def save(self, ticket: Ticket) -> None:
        item = _to_item(ticket)
        try:
            item.save()
        except PutError as exc:
            if _is_conflict(exc):
                raise ConcurrentUpdate(f"ticket {ticket.number} was changed by someone else") from exc
            raise
        ticket.version = item.version

    def save_together(self, *tickets: Ticket) -> None:
        """Save several tickets in one transaction, each under its own version check."""
        items = [_to_item(t) for t in tickets]
        try:
            with TransactWrite(connection=self._transactions()) as tx:
                for item in items:
                    tx.save(item)
        except TransactWriteError as exc:
            if _is_conflict(exc):
                raise ConcurrentUpdate("a ticket was changed by someone else") from exc
            raise
        for ticket in tickets:
            ticket.version = (ticket.version or 0) + 1

    def get(self, ticket_id: str) -> Ticket:
        try:
            return ticket_from_item(TicketItem.get(_ticket_key(ticket_id), "TICKET", consistent_read=True))
        except DoesNotExist:
            raise NotFound(f"unknown ticket '{ticket_id}'", field="ticket") from None

    def by_number(self, number: str) -> Ticket:
        for item in TicketItem.by_number.query(f"NUMBER#{number}", limit=1):
            # The index is eventually consistent: read the item itself for the version.
            return self.get(item.id)
        raise NotFound(f"unknown ticket '{number}'", field="ticket")

    def inbox(self, department: str, status: Status, limit: int = 50) -> list[Ticket]:
        items = TicketItem.inbox.query(f"DEPT#{department}#{status.value}", limit=limit)
        return [ticket_from_item(i) for i in items]

    def watched(self, limit: int = 100) -> list[Ticket]:
        """Cases that need attention: escalated, overdue, waiting for an extension decision or a callback."""
        return [ticket_from_item(i) for i in TicketItem.watch.query("WATCH", limit=limit)]

    def recent_at(self, location: str, since: datetime, limit: int = 50) -> list[Ticket]:
        """Cases reported at a location since a time, newest first."""
        items = TicketItem.by_location.query(f"LOC#{location}", TicketItem.gsi3sk >= since.isoformat(),
                                             scan_index_forward=False, limit=limit)
        return [ticket_from_item(i) for i in items]

    def phone(self, ticket_id: str) -> str | None:
        try:
            return ContactItem.get(_ticket_key(ticket_id), "CONTACT").phone
        except DoesNotExist:
            return None


class Counters:
    """Atomic counters (ADD): ticket sequences per day, later the three rates per department."""

    def next(self, name: str) -> int:
        item = CounterItem(f"COUNTER#{name}", "COUNTER")
        item.update(actions=[CounterItem.value.add(1)])
        return int(item.value)


class ConfigRepository:
    """Configuration records (the catalog) as items under one partition."""

    def load(self) -> Catalog:
        data: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CONFIG_KINDS}
        for item in sorted(ConfigItem.query("CONFIG"), key=lambda i: i.position):
            kind = item.sk.split("#", 1)[0]
            if kind in data:
                data[kind].append(json.loads(item.data))
        return Catalog.from_data(data)

    def put_all(self, data: dict[str, Any]) -> int:
        count = 0
        with ConfigItem.batch_write() as batch:
            for kind in CONFIG_KINDS:
                records = data.get(kind, [])
                if isinstance(records, dict):  # a single record, like the policy
                    records = [{"code": "city", **records}]
                for position, record in enumerate(records):
                    code = record.get("code") or f"{record['district']}.{record['category']}"
                    batch.save(ConfigItem("CONFIG", f"{kind}#{code}", position=position,
                                          data=json.dumps(record, ensure_ascii=False)))
                    count += 1
        return count
