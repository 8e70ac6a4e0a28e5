"""Staff search, export and counts against the in-memory fakes: the planner picks the most
selective listing and the key range, a page makes at most two bounded queries, the cursor returns
every case once, a handler is held to its department, bad filters are named in Chinese, the CSV
opens in a spreadsheet and never runs a formula nor shows a contact to a role that may not see it."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from chalice.test import Client

import app as chalice_app
from chalicelib import bootstrap
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.model import Status, Ticket
from chalicelib.domain.queues import COUNTS, Count
from chalicelib.domain.search import (
    QUERIES_PER_PAGE,
    READ_LIMIT,
    TRIAGE,
    BadFilter,
    Filters,
    Known,
    decode_cursor,
    encode_cursor,
    parse_filters,
    plan,
    spreadsheet_cell,
)
from chalicelib.domain.staff import Role, Staff
from chalicelib.i18n import Messages
from chalicelib.services import search
from tests.builders import NOW, make_dispatched, make_ticket
from tests.fakes import World, make_world

KNOWN = Known(categories={"roads", "lights", "noise", "other"}, districts={"east", "west"},
              departments={"roads", "east-city", "police"})
DISPATCHER = Staff("d1", Role.DISPATCHER, "center")
EAST = Staff("h1", Role.HANDLER, "east-city")
ADMIN = Staff("a1", Role.ADMIN, "center")
ZH = Messages("zh-CN")


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world()
    monkeypatch.setattr(bootstrap, "deps", lambda: world.deps)
    return world


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


_sequence = iter(range(1, 100000))


def filed(world: World, day: str = "20261123", department: str | None = None, phone: str | None = "13800138000",
          **fields: object) -> Ticket:
    """A case stored and delivered through the stream, so its listings are kept as in production."""
    number = f"{day}-{next(_sequence):04d}"
    ticket = (make_dispatched(department, number=number, **fields) if department
              else make_ticket(status=Status.SCREENED, number=number, **fields))
    world.tickets.add(ticket, phone)
    world.deliver()
    return ticket


def numbers(page: search.Page) -> list[str]:
    return [e.number for e in page.entries]


# --- the planner ---------------------------------------------------------------------------------
def test_the_planner_picks_the_most_selective_listing_and_the_dates_as_a_key_range():
    today = date(2026, 11, 23)
    full = Filters(department="roads", category="lights", district="east")
    assert plan(full, today).listing == "dept:roads"
    assert plan(Filters(category="lights", district="east"), today).listing == "cat:lights"
    assert plan(Filters(district="east"), today).listing == "dist:east"
    assert plan(Filters(status=Status.ACCEPTED), today).listing == "hall"
    assert plan(Filters(department=TRIAGE), today).listing is None
    dated = plan(Filters(first=date(2026, 11, 1), last=date(2026, 11, 20)), today)
    assert (dated.low, dated.below) == ("20261101", "20261121")
    assert plan(Filters(), today, cursor="20261115-0007").below == "20261115-0007"
    assert plan(Filters(last=date(2026, 11, 10)), today, cursor="20261115-0007").below == "20261111"


def test_free_text_reads_only_the_last_ninety_days():
    today = date(2026, 11, 23)
    assert plan(Filters(text="路灯"), today).low == f"{today - timedelta(days=89):%Y%m%d}"
    assert plan(Filters(text="路灯", first=date(2026, 11, 20)), today).low == "20261120"


def test_the_cursor_is_opaque_and_a_forged_one_is_refused():
    cursor = encode_cursor("20261123-0042")
    assert "20261123" not in cursor and decode_cursor(cursor) == "20261123-0042"
    for forged in ("20261123-0042", "bm90LWEtbnVtYmVy", "%%%"):
        with pytest.raises(BadFilter) as refused:
            decode_cursor(forged)
        assert refused.value.field == "cursor"


@pytest.mark.parametrize("params, field", [
    ({"number": "2026-1"}, "number"), ({"status": "lost"}, "status"), ({"category": "ufo"}, "category"),
    ({"district": "north"}, "district"), ({"department": "nasa"}, "department"), ({"from": "2026/11/01"}, "from"),
    ({"to": "2026-02-30"}, "to"), ({"from": "2026-11-20", "to": "2026-11-01"}, "to"), ({"overdue": "maybe"}, "overdue"),
    ({"q": "字" * 51}, "q")])
def test_each_bad_filter_is_refused_naming_its_field(params, field):
    with pytest.raises(BadFilter) as refused:
        parse_filters(params, KNOWN)
    assert refused.value.field == field


def test_good_filters_are_read_whole():
    filters = parse_filters({"number": "20261123-0001", "status": "accepted", "category": "lights",
                             "district": "east", "department": "triage", "from": "2026-11-01", "to": "2026-11-23",
                             "overdue": "1", "q": " 路灯 "}, KNOWN)
    assert filters == Filters("20261123-0001", Status.ACCEPTED, "lights", "east", TRIAGE, date(2026, 11, 1),
                              date(2026, 11, 23), True, "路灯")
    assert parse_filters(filters.as_query(), KNOWN) == filters


def test_a_spreadsheet_cell_never_starts_a_formula():
    assert [spreadsheet_cell(v) for v in ("=1+1", "+86", "-2", "@SUM(A1)", "路灯", "")] == [
        "'=1+1", "'+86", "'-2", "'@SUM(A1)", "路灯", ""]


# --- searching -------------------------------------------------------------------------------------
def test_each_filter_narrows(world):
    lights = filed(world, "20261120", department="east-city", category="lights")
    roads = filed(world, "20261121", department="roads", category="roads")
    west = filed(world, "20261122", department="roads", category="roads", location="w1", district="west")
    waiting = filed(world, "20261123", category="other", description="井盖丢了，很危险")
    run = lambda **f: numbers(search.search(Filters(**f), DISPATCHER, world.deps))  # noqa: E731
    assert run() == [waiting.number, west.number, roads.number, lights.number]
    assert run(category="roads") == [west.number, roads.number]
    assert run(district="west") == [west.number]
    assert run(department="roads") == [west.number, roads.number]
    assert run(department=TRIAGE) == [waiting.number]
    assert run(status=Status.SCREENED) == [waiting.number]
    assert run(first=date(2026, 11, 21), last=date(2026, 11, 22)) == [west.number, roads.number]
    assert run(number=roads.number) == [roads.number]
    assert run(number=roads.number, category="lights") == []
    assert run(text="井盖") == [waiting.number]
    assert run(overdue=True) == []  # dispatched with NOW as the deadline
    world.time.at = NOW + timedelta(minutes=1)
    assert run(overdue=True) == [west.number, roads.number, lights.number]


def test_free_text_does_not_find_a_case_older_than_ninety_days(world):
    old = filed(world, f"{NOW - timedelta(days=120):%Y%m%d}", description="井盖丢了")
    recent = filed(world, "20261122", description="井盖松动")
    assert numbers(search.search(Filters(text="井盖"), DISPATCHER, world.deps)) == [recent.number]
    assert old.number in numbers(search.search(Filters(), DISPATCHER, world.deps))


def test_pages_follow_the_cursor_and_return_every_case_once_with_two_queries_each(world):
    # More cases than one query reads, most of them filtered out: pages end on the read bound.
    everyone = []
    for i in range(READ_LIMIT * 2 + 30):
        category = "roads" if i % 3 == 0 else "lights"
        everyone.append(filed(world, f"202611{10 + i // 100:02d}", department="east-city", category=category))
    wanted = sorted((t.number for t in everyone if t.category == "roads"), reverse=True)
    seen, cursor, pages = [], None, 0
    while True:
        before = world.listings.queries
        page = search.search(Filters(category="roads"), DISPATCHER, world.deps, cursor, size=20)
        assert world.listings.queries - before <= QUERIES_PER_PAGE
        seen += numbers(page)
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break
    assert seen == wanted and pages >= len(wanted) // 20
    # With a status that matches nothing, a page ends after two bounded queries and hands a cursor on.
    before = world.listings.queries
    empty = search.search(Filters(status=Status.CLOSED), DISPATCHER, world.deps)
    assert empty.entries == [] and empty.cursor is not None and world.listings.queries - before == 2
    assert world.listings.reads <= (len(everyone) + 2 * READ_LIMIT) * 2 * 5


def test_a_handler_finds_only_its_departments_cases_and_may_not_ask_for_another(world):
    mine = filed(world, department="east-city")
    theirs = filed(world, department="roads")
    assert numbers(search.search(Filters(), EAST, world.deps)) == [mine.number]
    assert numbers(search.search(Filters(number=theirs.number), EAST, world.deps)) == []
    for other in ("roads", TRIAGE):
        with pytest.raises(Forbidden):
            search.search(Filters(department=other), EAST, world.deps)


# --- counts ------------------------------------------------------------------------------------------
def test_each_role_gets_its_counts_and_a_count_moves_when_a_case_is_dispatched(world):
    waiting = filed(world, category="other")
    filed(world, department="east-city")
    world.time.at = NOW - timedelta(hours=1)  # the dispatched case is due at NOW: within a working day
    handler = search.counts(EAST, world.deps)
    assert list(handler) == [c.value for c in COUNTS[Role.HANDLER]]
    assert handler[Count.DISPATCHED] == 1 and handler[Count.DUE_SOON] == 1 and handler[Count.OVERDUE] == 0
    world.time.at = NOW + timedelta(hours=1)
    assert search.counts(EAST, world.deps)[Count.OVERDUE] == 1
    assert search.counts(DISPATCHER, world.deps)[Count.TRIAGE_NEW] == 1
    ticket = world.tickets.get(waiting.id)
    ticket.dispatch("east-city", accept_due=NOW + timedelta(days=1), reply_due=NOW + timedelta(days=5), at=NOW)
    world.tickets.save(ticket)
    assert search.counts(DISPATCHER, world.deps)[Count.TRIAGE_NEW] == 0
    assert search.counts(EAST, world.deps)[Count.DISPATCHED] == 2
    assert search.counts(Staff("h2", Role.HANDLER, "roads"), world.deps)[Count.DISPATCHED] == 0
    assert search.counts(ADMIN, world.deps) == {}


def test_counts_are_count_queries_one_or_two_per_badge(world):
    filed(world, department="east-city")
    before = world.tickets.counted
    search.counts(EAST, world.deps)
    assert world.tickets.counted - before == 8  # dispatched, accepted, due soon ×2, overdue ×2, reopened, extensions


# --- export -----------------------------------------------------------------------------------------
def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_is_excel_ready_neutralises_formulas_and_records_each_contact(world):
    formula = filed(world, department="east-city", description="=HYPERLINK(\"http://x\") 我的电话13912345678")
    filed(world, department="east-city", phone=None)
    body, cut = search.export_csv(Filters(), DISPATCHER, world.deps, ZH)
    rows = _csv(body)
    assert not cut and rows[0][0] == "案件编号" and rows[0][-1] == "联系电话" and len(rows) == 3
    row = next(r for r in rows if r[0] == formula.number)
    assert row[rows[0].index("诉求内容")].startswith("'=HYPERLINK") and "13912345678" not in row[9]
    assert row[-1] == "13800138000"
    log = world.deps.access_log.entries  # type: ignore[attr-defined]
    assert [(a.username, a.number, a.how) for a in log] == [("d1", formula.number, "exported")]


def test_a_role_that_may_not_see_contacts_exports_none(world):
    filed(world, department="east-city", description="路灯不亮 电话13912345678")
    rows = _csv(search.export_csv(Filters(), ADMIN, world.deps, ZH)[0])
    assert "联系电话" not in rows[0] and not any("138" in cell or "139" in cell for r in rows for cell in r)
    assert world.deps.access_log.entries == []  # type: ignore[attr-defined]


def test_a_confidential_case_exports_the_staff_view_of_its_text(world):
    secret = filed(world, department="east-city", confidential=True, description="举报某某 手机13912345678")
    rows = _csv(search.export_csv(Filters(), ADMIN, world.deps, ZH)[0])
    text = next(r for r in rows if r[0] == secret.number)[rows[0].index("诉求内容")]
    assert text.startswith("举报某某") and "13912345678" not in text


# --- through the API -------------------------------------------------------------------------------
def _get(client: Client, path: str, token: str = "dispatcher:center:d1", **headers: str):
    return client.http.get(path, headers={"Authorization": f"Bearer {token}", **headers})


def test_a_bad_filter_is_a_400_naming_the_field_in_chinese(world, client):
    answer = _get(client, "/console/search?category=ufo")
    assert answer.status_code == 400 and answer.json_body["field"] == "category"
    assert "问题类别" in answer.json_body["message"] and "ufo" in answer.json_body["message"]
    english = _get(client, "/console/search?from=yesterday", **{"Accept-Language": "en"})
    assert english.status_code == 400 and "from date" in english.json_body["message"]
    assert _get(client, "/console/search?cursor=abc").json_body["field"] == "cursor"


def test_the_api_pages_exports_and_counts(world, client):
    first = filed(world, department="east-city")
    second = filed(world, department="east-city")
    page = _get(client, "/console/search?department=east-city").json_body
    assert [c["number"] for c in page["cases"]] == [second.number, first.number] and page["next"] is None
    assert page["cases"][0]["status_label"] == "已派单" and "phone" not in json.dumps(page)
    assert _get(client, "/console/search?department=roads", "handler:east-city:h1").status_code == 403
    export = _get(client, "/console/search.csv?department=east-city")
    assert export.status_code == 200 and export.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert export.body.decode("utf-8").startswith("\ufeff案件编号")
    counts = _get(client, "/console/counts", "handler:east-city:h1").json_body["counts"]
    assert counts["dispatched"] == 2


def test_every_filter_is_described_and_worded_in_both_languages():
    from chalicelib.api.search import FILTERS
    from chalicelib.domain.search import FIELDS
    from chalicelib.i18n import catalogue

    assert set(FIELDS) <= set(FILTERS)
    for locale in ("zh-CN", "en"):
        assert {f"search.field.{name}" for name in FIELDS} <= set(catalogue(locale))
        assert {f"search.column.{name}" for name in search.CSV_COLUMNS} <= set(catalogue(locale))
