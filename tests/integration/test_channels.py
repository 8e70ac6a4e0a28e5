"""The other channels against the local AWS: a phoned-in case filed by an operator through
POST /console/calls (the caller's SMS receipt, the operator on the case, the same key answering the
same number), and a mailbox export imported through POST /console/admin/imports twice (the second
report: every row imported before, nothing new), refusals worded in Chinese."""
from __future__ import annotations

import json

import pytest
from chalice.test import Client

import app as chalice_app

CALL = {"location": "e1", "category": "lights", "kind": "complaint", "phone": "13800138077",
        "description": "人民公园东门路灯坏了三天晚上很黑", "idempotency_key": "hotline:0001"}
EXPORT = "\n".join([
    "source_id,received_at,channel,location,category,kind,description,phone",
    "M-1,2026-11-20 09:30,mailbox,e1,roads,complaint,人民公园东门人行道砖松动容易绊倒,13800138078",
    "T-1,2026-11-21,media,w1,noise,complaint,西城菜市场清晨卸货噪声很大影响休息,",
    "M-2,2026-11-22,mailbox,nowhere,lights,help,这个地方不存在所以应当被拒绝,",
])


@pytest.fixture
def client(stack):
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


def _send(client, stack, path, body, role, department="center"):
    return client.http.post(path, body=json.dumps(body, ensure_ascii=False).encode(),
                            headers={"Content-Type": "application/json", **stack.staff(department, role)})


def test_an_operator_files_a_call_the_caller_gets_the_receipt_and_the_operator_is_on_the_case(client, stack):
    answer = _send(client, stack, "/console/calls", CALL, "operator")
    assert answer.status_code == 201, answer.json_body
    number = answer.json_body["number"]
    assert set(answer.json_body) == {"number", "page", "sms"} and answer.json_body["sms"] is True
    ticket = stack.deps.tickets.by_number(number)
    assert ticket.channel.value == "hotline" and stack.deps.tickets.phone(ticket.id) == "13800138077"
    assert (ticket.events[0].actor, ticket.events[0].by) == ("citizen", "operator-center")
    stack.pump_until(lambda: any(number in text for text in stack.sms("13800138077")))
    public = client.http.get(f"/tickets/{number}").json_body
    assert public["channel"] == "hotline" and "13800138077" not in json.dumps(public)
    # The same call sent again (a double Enter, a retry) answers the same number.
    again = _send(client, stack, "/console/calls", CALL, "operator")
    assert again.status_code == 201 and again.json_body["number"] == number


@pytest.mark.parametrize(("body", "field", "words"), [
    ({**CALL, "location": "", "idempotency_key": None}, "location", "「点位」必须填写。"),
    ({**CALL, "location": "nowhere", "idempotency_key": None}, "location", "没有这个点位。"),
    ({**CALL, "phone": "12345", "idempotency_key": None}, "phone", "「电话号码」"),
    ({**CALL, "description": " ", "idempotency_key": None}, "description", "「诉求内容」不能为空。"),
])
def test_a_call_refused_says_why_in_chinese_and_files_nothing(client, stack, body, field, words):
    answer = _send(client, stack, "/console/calls", body, "dispatcher")
    assert answer.status_code in (400, 404) and answer.json_body["field"] == field
    assert words in answer.json_body["message"]
    assert list(stack.deps.tickets.every()) == []


def test_a_call_at_an_address_no_place_fits_waits_for_a_dispatcher_with_that_address(client, stack):
    body = {**CALL, "location": "", "address": "东城区人民路 12 号旁 13800138077", "idempotency_key": None}
    answer = _send(client, stack, "/console/calls", body, "operator")
    assert answer.status_code == 201, answer.json_body
    number = answer.json_body["number"]
    stack.pump_until(lambda: stack.deps.tickets.by_number(number).task_stage == "triage")
    ticket = stack.deps.tickets.by_number(number)
    assert (ticket.location, ticket.district, ticket.department) == (None, None, None)
    public = client.http.get(f"/tickets/{number}").json_body
    assert public["location"] is None and "东城区人民路 12 号" in public["address"]
    assert "13800138077" not in json.dumps(public, ensure_ascii=False)  # the caller's words redacted


@pytest.mark.parametrize("role", ["handler", "supervisor", "admin"])
def test_only_operators_and_dispatchers_take_calls(client, stack, role):
    assert _send(client, stack, "/console/calls", CALL, role).status_code == 403
    assert list(stack.deps.tickets.every()) == []


def test_an_export_imported_twice_files_each_case_once(client, stack):
    first = _send(client, stack, "/console/admin/imports", {"text": EXPORT}, "admin")
    assert first.status_code == 200, first.json_body
    report = first.json_body
    assert report["counts"] == {"accepted": 2, "already": 0, "refused": 1}
    assert report["refused"] == [{"row": 4, "source_id": "M-2", "field": "location", "reason": "没有这个点位。"}]
    numbers = [row["number"] for row in report["accepted"]]
    mailbox = stack.deps.tickets.by_number(numbers[0])
    assert mailbox.channel.value == "mailbox" and mailbox.events[0].by == "admin-center"
    assert mailbox.events[0].data == {"source_id": "M-1", "received_at": "2026-11-20T09:30:00+08:00"}
    assert stack.deps.tickets.by_number(numbers[1]).channel.value == "media"
    stack.pump_until(lambda: any(numbers[0] in text for text in stack.sms("13800138078")))

    second = _send(client, stack, "/console/admin/imports", {"text": EXPORT}, "admin").json_body
    assert second["counts"] == {"accepted": 0, "already": 2, "refused": 1}
    assert [row["number"] for row in second["already"]] == numbers
    assert len(list(stack.deps.tickets.every())) == 2
    assert "13800138078" not in json.dumps(report) + json.dumps(second)


def test_an_export_that_is_not_one_is_refused_whole_and_only_admins_import(client, stack):
    answer = _send(client, stack, "/console/admin/imports", {"text": "source_id,channel\nA,mailbox"}, "admin")
    assert answer.status_code == 400 and answer.json_body["field"] == "file"
    assert "缺少必需的列" in answer.json_body["message"]
    assert _send(client, stack, "/console/admin/imports", {"text": EXPORT}, "dispatcher").status_code == 403
    assert list(stack.deps.tickets.every()) == []
