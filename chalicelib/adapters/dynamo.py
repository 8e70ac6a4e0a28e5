"""Single-table DynamoDB storage with pynamodb: tickets, contacts, counters, configuration.

Keys (infra/template.json defines the same table):
  ticket          pk=TICKET#{id}            sk=TICKET     gsi1: NUMBER#{number} / TICKET
                                                          gsi2: DEPT#{dept}#{status} / {due or created}
                                                          gsi3: LOC#{location} / {created}#{id}
  contact         pk=TICKET#{id}            sk=CONTACT    (phone; never published, never logged)
  counter         pk=COUNTER#{name}         sk=COUNTER    value (atomic ADD)
  configuration   pk=CONFIG                 sk={kind}#{code}   data
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
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
from ..domain.model import Channel, Event, Kind, Outcome, Status, Ticket

CONFIG_KINDS = ("districts", "departments", "categories", "locations", "rules")


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
    accept_due = UTCDateTimeAttribute(null=True)
    reply_due = UTCDateTimeAttribute(null=True)
    reply = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
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
    by_number = NumberIndex()
    inbox = InboxIndex()
    by_location = LocationIndex()


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


def _to_item(ticket: Ticket) -> TicketItem:
    item = TicketItem(
        _ticket_key(ticket.id), "TICKET",
        id=ticket.id, number=ticket.number, location=ticket.location, district=ticket.district,
        category=ticket.category, kind=ticket.kind.value, channel=ticket.channel.value,
        description=ticket.description, secret_digest=ticket.secret_digest,
        created_at=ticket.created_at, status=ticket.status.value, department=ticket.department,
        accept_due=ticket.accept_due, reply_due=ticket.reply_due, reply=ticket.reply,
        outcome=ticket.outcome.value if ticket.outcome else None,
        task_token=ticket.task_token, task_stage=ticket.task_stage,
        events=[EventMap(kind=e.kind, at=e.at, actor=e.actor, note=e.note,
                         data=json.dumps(e.data, ensure_ascii=False)) for e in ticket.events],
        gsi1pk=f"NUMBER#{ticket.number}", gsi1sk="TICKET",
        gsi3pk=f"LOC#{ticket.location}", gsi3sk=f"{ticket.created_at.isoformat()}#{ticket.id}",
    )
    if ticket.department:
        due = ticket.reply_due or ticket.created_at
        item.gsi2pk = f"DEPT#{ticket.department}#{ticket.status.value}"
        item.gsi2sk = f"{due.isoformat()}#{ticket.id}"
    if ticket.version is not None:
        item.version = ticket.version
    return item


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(CHINA) if value else None


def ticket_from_item(item: TicketItem) -> Ticket:
    return Ticket(
        id=item.id, number=item.number, location=item.location, district=item.district,
        category=item.category, kind=Kind(item.kind), channel=Channel(item.channel),
        description=item.description, secret_digest=item.secret_digest,
        created_at=_local(item.created_at), status=Status(item.status), department=item.department,
        accept_due=_local(item.accept_due), reply_due=_local(item.reply_due), reply=item.reply,
        outcome=Outcome(item.outcome) if item.outcome else None,
        task_token=item.task_token, task_stage=item.task_stage,
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

    def add(self, ticket: Ticket, phone: str | None) -> None:
        """Store a new ticket and its contact item together, or neither."""
        item = _to_item(ticket)
        try:
            with TransactWrite(connection=Connection(region=self._region)) as tx:
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

    def put_all(self, data: dict[str, Iterable[dict[str, Any]]]) -> int:
        count = 0
        with ConfigItem.batch_write() as batch:
            for kind in CONFIG_KINDS:
                for position, record in enumerate(data.get(kind, [])):
                    code = record.get("code") or f"{record['district']}.{record['category']}"
                    batch.save(ConfigItem("CONFIG", f"{kind}#{code}", position=position,
                                          data=json.dumps(record, ensure_ascii=False)))
                    count += 1
        return count
