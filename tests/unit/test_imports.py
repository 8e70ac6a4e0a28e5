"""Mailbox and media imports against the fakes: every row through the submit service, once per
source case, with a report that names each row; and the hotline's filing."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Channel
from chalicelib.services import hotline, imports, tickets
from chalicelib.services.commands import HotlineCall
from chalicelib.services.stats import stats_pages
from chalicelib.services.steps import screen
from tests.fakes import make_world

HEADER = "source_id,received_at,channel,location,category,kind,description,phone"
CSV = "\n".join([
    HEADER,
    "M-2026-001,2026-11-20 09:30,mailbox,e1,lights,complaint,人民公园东门路灯坏了三天晚上很黑,13800138001",
    "T-77,2026-11-21,media,w1,noise,complaint,西城菜市场清晨卸货噪声很大影响休息,",
    "M-2026-002,2026-11-22T08:00:00+08:00,mailbox,nowhere,lights,help,这个地方不存在所以应当被拒绝,",
    "M-2026-003,tomorrow,mailbox,e1,lights,help,收到时间写错了的一行来件内容,",
    "M-2026-004,2026-11-22,fax,e1,lights,help,渠道写错了的一行来件内容,",
    "M-2026-005,2026-11-22,mailbox,e1,lights,help,手机号码写错了的一行来件,12345",
])


@pytest.fixture
def world():
    return make_world()


def test_each_row_is_filed_through_the_submit_service_with_its_channel_and_source(world):
    report = imports.import_file(CSV, world.deps, by="admin")
    assert [(r.row, r.source_id) for r in report.accepted] == [(2, "M-2026-001"), (3, "T-77")]
    first = world.tickets.by_number(report.accepted[0].number or "")
    assert first.channel is Channel.MAILBOX and first.location == "e1" and first.category == "lights"
    submitted = first.events[0]
    assert (submitted.kind, submitted.actor, submitted.by) == ("submitted", "citizen", "admin")
    assert submitted.data == {"source_id": "M-2026-001", "received_at": "2026-11-20T09:30:00+08:00"}
    assert world.tickets.phone(first.id) == "13800138001"
    second = world.tickets.by_number(report.accepted[1].number or "")
    assert second.channel is Channel.MEDIA and world.tickets.phone(second.id) is None


def test_refused_rows_name_the_row_the_field_and_why_and_file_nothing(world):
    report = imports.import_file(CSV, world.deps)
    refused = {r.row: (r.source_id, r.error.field if r.error else None) for r in report.refused}
    assert refused == {4: ("M-2026-002", "location"), 5: ("M-2026-003", "received_at"),
                       6: ("M-2026-004", "channel"), 7: ("M-2026-005", "phone")}
    assert len(world.tickets.rows) == 2
    # A refused row leaves no claim: the corrected row is filed by the next import.
    fixed = imports.import_file(HEADER + "\nM-2026-002,2026-11-22,mailbox,w1,lights,help,西城菜市场门口路灯不亮,",
                                world.deps)
    assert [r.source_id for r in fixed.accepted] == ["M-2026-002"]


def test_importing_the_same_file_twice_files_nothing_new(world):
    first = imports.import_file(CSV, world.deps)
    again = imports.import_file(CSV, world.deps)
    assert again.accepted == []
    assert [(r.source_id, r.number) for r in again.already] == [(r.source_id, r.number) for r in first.accepted]
    assert len(again.refused) == len(first.refused)
    assert len(world.tickets.rows) == 2
    # ... also a month later: the ledger does not expire.
    world.time.at += timedelta(days=30)
    assert imports.import_file(CSV, world.deps).accepted == []


def test_a_source_id_twice_in_one_file_is_filed_once(world):
    row = "X-1,2026-11-20,media,e1,lights,complaint,人民公园东门路灯坏了三天晚上很黑,"
    report = imports.import_file(f"{HEADER}\n{row}\n{row}", world.deps)
    assert len(report.accepted) == 1 and [r.number for r in report.already] == [report.accepted[0].number]


def test_the_same_id_in_another_channel_is_another_case(world):
    rows = ["7,2026-11-20,media,e1,lights,complaint,人民公园东门路灯坏了三天晚上很黑,",
            "7,2026-11-20,mailbox,e1,roads,complaint,人民公园东门人行道砖松动容易绊倒,"]
    report = imports.import_file("\n".join([HEADER, *rows]), world.deps)
    assert len(report.accepted) == 2


def test_a_claim_left_by_a_run_that_died_is_taken_again_later_and_a_fresh_one_is_busy(world):
    row = "D-1,2026-11-20,mailbox,e1,lights,complaint,人民公园东门路灯坏了三天晚上很黑,"
    world.deps.imports.claim("mailbox", "D-1", world.time.at, world.time.at)  # a run died after claiming
    busy = imports.import_file(f"{HEADER}\n{row}", world.deps)
    assert busy.accepted == [] and busy.refused[0].error is not None
    assert busy.refused[0].error.field == "source_id" and type(busy.refused[0].error).__name__ == "ConcurrentUpdate"
    world.time.at += imports.STALE_CLAIM + timedelta(seconds=1)
    assert [r.source_id for r in imports.import_file(f"{HEADER}\n{row}", world.deps).accepted] == ["D-1"]


def test_json_exports_are_read_as_the_csv_is(world):
    rows = [{"source_id": "J-1", "received_at": "2026-11-20", "channel": "media", "location": "e1",
             "category": "lights", "kind": "complaint", "description": "人民公园东门路灯坏了三天晚上很黑",
             "phone": None},
            {"source_id": "J-2", "received_at": "2026-11-20", "channel": "mailbox", "location": "e1",
             "category": "lights", "kind": "oops", "description": "类型写错了的一行"}]
    report = imports.import_file(json.dumps(rows, ensure_ascii=False), world.deps)
    assert [r.row for r in report.accepted] == [1]
    assert [(r.row, r.error.field if r.error else None) for r in report.refused] == [(2, "kind")]
    assert imports.import_file(json.dumps({"rows": rows}), world.deps).already[0].source_id == "J-1"


@pytest.mark.parametrize(("text", "problem"), [
    ("", "empty"), ("source_id,channel\nA,mailbox", "columns"), ("[1, 2]", "format"), ("{\"rows\": 3}", "format"),
    ("[{\"source_id\": \"A\"", "format"), (HEADER + "\n", "empty"),
    (HEADER + "\n" + "\n".join(f"R{i},2026-11-20,media,e1,lights,help,文本{i}," for i in range(501)), "too_many"),
])
def test_a_file_that_is_not_an_export_is_refused_whole(world, text, problem):
    with pytest.raises(InvalidInput) as refused:
        imports.import_file(text, world.deps)
    assert (refused.value.field, refused.value.problem) == ("file", problem)
    assert world.tickets.rows == {}


def test_the_report_reads_as_the_console_and_the_command_show_it(world):
    report = imports.import_file(CSV, world.deps).as_dict()
    assert report["counts"] == {"accepted": 2, "already": 0, "refused": 4}
    assert report["refused"][0] == {"row": 4, "source_id": "M-2026-002", "field": "location",
                                    "reason": "unknown location 'nowhere'"}
    assert "13800138001" not in json.dumps(report)  # no contact data in a report


def test_a_phoned_in_case_is_a_hotline_case_with_the_callers_phone_and_the_operator_on_it(world):
    call = HotlineCall.parse({"location": "e1", "category": "lights", "kind": "complaint",
                              "description": "人民公园东门路灯坏了三天晚上很黑", "phone": "138 0013 8002",
                              "channel": "qr", "photos": ["0" * 32]})
    receipt = tickets.submit(hotline.as_submission(call), world.deps, by="operator")
    ticket = world.tickets.by_number(receipt.number)
    assert ticket.channel is Channel.HOTLINE and ticket.photos == []
    assert (ticket.events[0].actor, ticket.events[0].by) == ("citizen", "operator")
    assert world.tickets.phone(ticket.id) == "13800138002"
    screen(ticket.id, world.deps)  # the workflow's first step sends the caller the receipt
    assert receipt.number in world.sms.to("13800138002")[0]


def test_a_call_needs_a_place_or_the_address_the_caller_gives():
    call = HotlineCall.parse({"category": "lights", "kind": "complaint", "description": "路灯坏了"})
    with pytest.raises(InvalidInput) as refused:
        hotline.as_submission(call)
    assert (refused.value.field, refused.value.problem) == ("location", "required")


def test_a_call_at_an_address_no_place_fits_is_filed_without_a_place_for_the_dispatchers(world):
    call = HotlineCall.parse({"category": "lights", "kind": "complaint", "description": "路口的路灯坏了三盏",
                              "address": "东城区人民路 12 号", "phone": "13800138003"})
    receipt = tickets.submit(hotline.as_submission(call), world.deps, by="operator")
    ticket = world.tickets.by_number(receipt.number)
    assert (ticket.location, ticket.district, ticket.address) == (None, None, "东城区人民路 12 号")
    assert ticket.channel is Channel.HOTLINE and world.tickets.phone(ticket.id) == "13800138003"


def test_phoned_in_and_imported_cases_count_per_channel_in_the_statistics(world):
    imports.import_file(CSV, world.deps)  # one mailbox, one media case
    for text in ("人民公园东门路灯坏了三天晚上很黑", "西城菜市场门口的井盖松动踩上去会响"):
        call = HotlineCall.parse({"location": "e1", "category": "lights", "kind": "help", "description": text})
        tickets.submit(hotline.as_submission(call), world.deps, by="operator")
    world.deliver()  # the stream counts what was stored
    html = dict(stats_pages(world.deps, world.time.at.date()))["stats/index.html"]
    for name, n in (("扫码", 0), ("热线电话", 2), ("市长信箱", 1), ("媒体", 1), ("开放接口", 0)):
        assert f'<tr><th scope="row">{name}</th><td>{n}</td></tr>' in html
