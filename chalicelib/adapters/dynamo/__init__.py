"""Single-table DynamoDB storage with pynamodb: tickets, contacts, counters, configuration.

Keys (infra/template.json defines the same table):
  ticket          pk=TICKET#{id}            sk=TICKET     gsi2: DEPT#{dept or TRIAGE}#{status} / {due}#{id}
                                                          gsi3: LOC#{location} / {created}#{id}
                                                          gsi4: WATCH / {due}#{id}   (sparse: needs attention)
  contact         pk=TICKET#{id}            sk=CONTACT    (phone; never published, never logged)
  number          pk=NUMBER#{number}        sk=NUMBER     id (a public number's ticket: a key get, not an index query)
  sequence        pk=COUNTER#{name}         sk=COUNTER    value (atomic ADD)
  tally           pk=TALLY#{partition}      sk={YYYY-MM-DD}  a number per counter ({measure}#{scope}), pending
  counted change  pk=COUNTED#{key}          sk=COUNTED    expiration (TTL: a change's tallies were applied)
                  (partition: the unit — a department, district:<code> — or `intake`; one query per unit)
  configuration   pk=CONFIG                 sk={kind}#{code}   data
  listing entry   pk=LIST#{listing}         sk={number}   data (what a shared page shows of the case)
  named set       pk=SET#{name}             sk=SET        values (e.g. the weeks that have a disclosure board)
  pending pages   pk=PAGES                  sk=PENDING    pages, scheduled (the next coalesced build)
                                            sk=PENDING#SLOW  the same, and taken (statistics, boards, archives)
  idempotency     pk=IDEMPOTENCY#submit     sk={key}      (Powertools; expires by TTL)
  request limit   pk=LIMIT#{rule}#{client}  sk=LIMIT      tat_ms, expiration (TTL); client = hash, never the address
  contact access  pk=AUDIT#contact          sk={at}#{number}#{user}  data (who saw a citizen's contact, and how)
  reply templates pk=TEMPLATES#{department} sk={category}  data (JSON list of texts)
  import ledger   pk=IMPORT#{channel}       sk={source id}  claimed, number (a source's case, filed once)
  open311 keys    pk=OPEN311KEYS            sk={sha256 of the key}  data (id, client name, issued, revoked)
"""
from __future__ import annotations

from .mapping import ticket_from_image, ticket_from_item, to_item
from .models import TableModels, models_for, table_client
from .repositories import (
    AccessRepository,
    ClientKeyRepository,
    ConfigRepository,
    CounterRepository,
    ImportRepository,
    LimitRepository,
    ListingRepository,
    PendingPages,
    TemplateRepository,
    TicketRepository,
)

__all__ = [
    "AccessRepository",
    "ClientKeyRepository",
    "ConfigRepository",
    "CounterRepository",
    "ImportRepository",
    "LimitRepository",
    "ListingRepository",
    "PendingPages",
    "TemplateRepository",
    "TableModels",
    "TicketRepository",
    "models_for",
    "table_client",
    "ticket_from_image",
    "ticket_from_item",
    "to_item",
]
