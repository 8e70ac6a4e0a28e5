"""Builders for test data: unique ids per test, readable defaults."""
from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from chalicelib.domain.calendar import CHINA
from chalicelib.domain.catalog import Catalog
from chalicelib.domain.ids import new_ticket_id, secret_digest
from chalicelib.domain.model import Channel, Kind, Status, Ticket

_sequence = itertools.count(1)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA)  # a Monday

CITY: dict[str, list[dict[str, Any]]] = {
    "districts": [{"code": "east", "name": "东城区"}, {"code": "west", "name": "西城区"}],
    "departments": [
        {"code": "roads", "name": "市交通运输局", "phone": "13700000001", "head_phone": "13700000002"},
        {"code": "east-city", "name": "东城区城市管理局", "phone": "13700000003", "head_phone": "13700000004"},
        {"code": "police", "name": "市公安局交通警察支队", "phone": "13700000005", "head_phone": "13700000006"},
    ],
    "categories": [
        {"code": "roads", "name": "道路交通", "tier": "general"},
        {"code": "lights", "name": "路灯照明", "tier": "simple"},
        {"code": "noise", "name": "噪声污染", "tier": "general", "attributes": [
            {"code": "source", "description": "噪声来源", "datatype": "singlevaluelist", "order": 1,
             "values": [{"key": "site", "name": "工地"}, {"key": "shop", "name": "商铺"}]},
            {"code": "heard_at", "description": "什么时候", "datatype": "datetime", "order": 2}]},
        {"code": "other", "name": "其他", "tier": "general", "triage": True},
    ],
    "locations": [
        {"code": "e1", "name": "人民公园东门", "district": "east", "lat": 33.6100, "lon": 119.0200},
        {"code": "e2", "name": "高铁站广场", "district": "east", "overrides": {"roads": "police"},
         "lat": 33.6300, "lon": 119.0500},
        {"code": "w1", "name": "西城菜市场", "district": "west", "lat": 33.6000, "lon": 118.9800},
    ],
    "rules": [
        {"district": "east", "category": "roads", "department": "roads"},
        {"district": "east", "category": "lights", "department": "east-city"},
        {"district": "west", "category": "roads", "department": "roads"},
        {"district": "east", "category": "other", "department": "roads"},
    ],
    "policy": {"banned_words": ["傻逼"], "supervisor_phone": "13600000001", "dispatcher_phone": "13600000002",
               "max_extensions": 1, "max_rounds": 2, "kind_tiers": {"consultation": "simple"},
               "holidays": ["2027-01-01", "2027-01-04"], "workdays": ["2027-01-09"]},
}
SUPERVISOR_PHONE, DISPATCHER_PHONE = "13600000001", "13600000002"


def make_catalog() -> Catalog:
    return Catalog.from_data(CITY)


def make_ticket(status: Status = Status.SUBMITTED, department: str | None = None, **fields: Any) -> Ticket:
    n = next(_sequence)
    values: dict[str, Any] = {
        "id": new_ticket_id(), "number": f"20261123-{n:04d}", "location": "e1", "district": "east",
        "category": "lights", "kind": Kind.COMPLAINT, "channel": Channel.QR,
        "description": "东门路灯不亮", "secret_digest": secret_digest("s"),
    }
    values.update(fields)
    ticket = Ticket.submit(at=NOW, **values)
    ticket.status, ticket.department = status, department
    return ticket


def make_dispatched(department: str = "east-city", **fields: Any) -> Ticket:
    ticket = make_ticket(status=Status.SCREENED, **fields)
    ticket.dispatch(department, accept_due=NOW, reply_due=NOW, at=NOW)
    return ticket


def submission(**overrides: Any) -> dict[str, Any]:
    body = {"location": "e1", "category": "lights", "kind": "complaint",
            "description": "人民公园东门的路灯坏了三盏，晚上很黑"}
    body.update(overrides)
    return body
