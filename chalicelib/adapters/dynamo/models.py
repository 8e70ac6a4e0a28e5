"""pynamodb models of the one table; `models_for` binds them to a table chosen by the bootstrap."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection, Projection
from pynamodb.models import Model

# What each index holds of a ticket (infra/template.json defines the same). A ticket is several
# kilobytes with its timeline and is rewritten at every step; an index holding all of it is
# written again, in full, at every step. The console's lists read the keys from the index and then
# the tickets themselves; an index keeps besides its keys only what its count queries filter on,
# so it is written only when one of those changes (most steps change none of them).
INBOX_INCLUDES = ["accept_due"]  # the sign-off deadline: "due soon" counts of cases awaiting sign-off
WATCH_INCLUDES = ["department", "escalation_level", "extension_requested", "task_stage"]  # why it is watched


class _Index(GlobalSecondaryIndex):  # type: ignore[type-arg]
    class Meta:
        projection: Projection = AllProjection()


class InboxIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi2"
        projection = IncludeProjection(INBOX_INCLUDES)

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class LocationIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi3"
        projection = KeysOnlyProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class WatchIndex(_Index):
    class Meta(_Index.Meta):
        index_name = "gsi4"
        projection = IncludeProjection(WATCH_INCLUDES)

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class _Item(Model):
    class Meta:
        table_name = "unbound"  # models_for() makes subclasses bound to the real table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class EventMap(MapAttribute):  # type: ignore[type-arg]
    kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    data = UnicodeAttribute(default="{}")  # JSON text: small, schema-free detail
    by = UnicodeAttribute(default="")  # the staff account that acted


class TicketItem(_Item):
    id = UnicodeAttribute()
    number = UnicodeAttribute()
    location = UnicodeAttribute(null=True)  # None: an unplaced case (address and/or point only)
    district = UnicodeAttribute(null=True)
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
    task_catches = BooleanAttribute(default=False)
    events = ListAttribute(of=EventMap, default=list)
    locale = UnicodeAttribute(default="zh-CN")
    confidential = BooleanAttribute(default=False)
    photos = UnicodeAttribute(null=True)  # JSON list of {name, by, at, state}
    hidden = UnicodeAttribute(null=True)  # JSON object: moderated target -> reason
    assisting = UnicodeSetAttribute(null=True)  # co-handling departments (协办)
    address = UnicodeAttribute(default="")
    client = UnicodeAttribute(default="")  # the client application that filed it (Open311)
    answers = UnicodeAttribute(null=True)  # JSON object: attribute code -> values
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    version = VersionAttribute()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    inbox = InboxIndex()
    by_location = LocationIndex()
    watch = WatchIndex()


class ContactItem(_Item):
    phone = UnicodeAttribute()
    pending = BooleanAttribute(null=True)  # written before its ticket; kept once the ticket is stored
    expiration = TTLAttribute(null=True)  # the table's time-to-live deletes it then


class CounterItem(_Item):
    value = NumberAttribute(default=0)


class TallyItem(_Item):
    """A unit's day: one number attribute per counter (named by the counter, so not declared here:
    the repository reads and adds them by name), and the keys of the changes being applied."""

    pending = UnicodeSetAttribute(null=True)  # changes applied here whose marker is not yet written


class CountedItem(_Item):
    expiration = TTLAttribute()  # a change's tallies were applied; kept while the stream could deliver it again


class LimitItem(_Item):
    tat_ms = NumberAttribute()  # when the client's bucket is full again (epoch milliseconds)
    expiration = TTLAttribute(null=True)  # the table's time-to-live deletes an idle bucket then


class ListingItem(_Item):
    data = UnicodeAttribute()  # JSON text of one listing entry (domain/listings.py: Entry)


class SetItem(_Item):
    values = UnicodeSetAttribute(null=True)  # a small named set (the weeks that have a board)


class PendingItem(_Item):
    pages = UnicodeSetAttribute(null=True)  # shared pages waiting for the next coalesced build
    scheduled = UTCDateTimeAttribute(null=True)  # when the build was asked for (None: nothing asked)
    taken = UTCDateTimeAttribute(null=True)  # the summaries' lane: when its last build took its pages


class ImportItem(_Item):
    claimed = UTCDateTimeAttribute()  # when an import run took the source's id
    number = UnicodeAttribute(null=True)  # the case it was filed as (None: that run has not finished)


class NumberItem(_Item):
    id = UnicodeAttribute()  # the ticket a public number names (written once, with the ticket)


class ConfigItem(_Item):
    data = UnicodeAttribute()  # JSON text of one configuration record
    position = NumberAttribute(default=0)  # order in which people listed them


@dataclass(frozen=True)
class TableModels:
    """The item classes bound to one table."""

    ticket: type[TicketItem]
    contact: type[ContactItem]
    counter: type[CounterItem]
    tally: type[TallyItem]
    counted: type[CountedItem]
    config: type[ConfigItem]
    limit: type[LimitItem]
    listing: type[ListingItem]
    set: type[SetItem]
    pending: type[PendingItem]
    imported: type[ImportItem]
    number: type[NumberItem]


@cache
def models_for(table_name: str, region: str) -> TableModels:
    """Subclasses of the item models bound to `table_name` (pynamodb reads the table from each
    class's Meta, so binding makes classes instead of rewriting a shared class's metadata)."""
    def bound(base: type[_Item]) -> type:
        meta = type("Meta", (), {"table_name": table_name, "region": region})
        return type(base.__name__, (base,), {"Meta": meta, "__module__": __name__})

    models = TableModels(bound(TicketItem), bound(ContactItem), bound(CounterItem), bound(TallyItem),
                         bound(CountedItem), bound(ConfigItem), bound(LimitItem), bound(ListingItem),
                         bound(SetItem), bound(PendingItem), bound(ImportItem), bound(NumberItem))
    _share_one_client(models)
    return models


def _share_one_client(models: TableModels) -> None:
    """Every item class of the table sends through the ticket class's connection: one DynamoDB
    client for the table instead of one per class. A client takes tens of milliseconds of CPU to
    make (its service model is read and parsed), and pynamodb makes one lazily per class on first
    use: at a cold start under a burst every concurrent request made its own, and that was most of
    the API's CPU. The ticket class's connection knows the table's indexes; the others name none."""
    shared = models.ticket._get_connection().connection
    for model in vars(models).values():
        model._get_connection().connection = shared
    assert shared.client is not None  # made now, once: not by each of the first requests at once


def table_client(models: TableModels) -> Any:
    """The table's one DynamoDB client (botocore's), for code that speaks to the table without
    pynamodb (the idempotency records)."""
    return models.ticket._get_connection().connection.client
