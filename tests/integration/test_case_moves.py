"""Merge, split, re-dispatch and co-handling through the console API on the local stack: the
real state machine ends a merged case's execution, runs a split one again, waits for the new
department after a re-dispatch; an assisting department lists and reads the case; errors reach
the console worded in its language."""
from __future__ import annotations

import json

from tests.integration import test_staff_sign_in as signed_in

client = signed_in.client  # the fixture: the app under Chalice's test client, on the stack
_dispatched = signed_in._dispatched

JSON = {"Content-Type": "application/json"}


def _post(client, stack, path: str, body: dict, role: str = "dispatcher", department: str = "center") -> dict:
    answer = client.http.post(path, body=json.dumps(body).encode(), headers={**JSON, **stack.staff(department, role)})
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def test_a_duplicate_merged_by_staff_ends_its_workflow_and_split_off_runs_again(client, stack):
    original = _dispatched(client, stack)
    duplicate = _dispatched(client, stack)
    ticket_id = stack.deps.tickets.by_number(duplicate).id
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).task_stage == "accept")
    merged = _post(client, stack, f"/console/tickets/{duplicate}/merge",
                   {"into": original, "seen_status": "dispatched"})
    assert merged["status"] == "merged" and merged["merged_into"] == original
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "SUCCEEDED")
    assert stack.states_entered(ticket_id)[-1] == "Merged"
    assert stack.deps.tickets.by_number(original).supporters == 1
    assert any(original in text for text in stack.sms("13800138000") if "合并" in text)

    split = _post(client, stack, f"/console/tickets/{duplicate}/split", {"seen_status": "merged"}, "supervisor")
    assert split["status"] == "screened" and split["merged_into"] is None
    assert stack.deps.tickets.by_number(original).supporters == 0
    # Its restarted execution routes it: "other" has no rule, so it waits for a dispatcher again.
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).task_stage == "triage", timeout=30)
    assert [e["status"] for e in stack.executions() if e["name"].startswith(ticket_id)].count("RUNNING") == 1


def test_a_redirect_waits_for_the_new_departments_sign_off_and_the_old_one_is_refused(client, stack):
    number = _dispatched(client, stack)
    ticket_id = stack.deps.tickets.by_number(number).id
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).task_stage == "accept")
    moved = _post(client, stack, f"/console/tickets/{number}/redirect", {"department": "roads"}, "supervisor")
    assert moved["department"] == "roads"
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).task_stage == "accept")
    assert stack.states_entered(ticket_id).count("AwaitAcceptance") == 2
    old = client.http.post(f"/console/tickets/{number}/accept", body=b"{}",
                           headers={**JSON, **stack.staff("east-city")})
    assert old.status_code == 409
    _post(client, stack, f"/console/tickets/{number}/accept", {}, "handler", "roads")


def test_an_assisting_department_lists_reads_and_notes_but_does_not_sign_off(client, stack):
    number = _dispatched(client, stack)
    _post(client, stack, f"/console/tickets/{number}/assist", {"department": "roads"})
    roads = stack.staff("roads")
    stack.pump_until(lambda: number in [t["number"] for t in
                                        client.http.get("/console/assisting", headers=roads).json_body["tickets"]])
    detail = client.http.get(f"/console/tickets/{number}", headers=roads).json_body
    assert [a["code"] for a in detail["assisting"]] == ["roads"] and "contact" not in detail
    _post(client, stack, f"/console/tickets/{number}/note", {"text": "已安排人员配合"}, "handler", "roads")
    refused = client.http.post(f"/console/tickets/{number}/accept", body=b"{}", headers={**JSON, **roads})
    assert refused.status_code == 403


def test_errors_reach_the_console_worded_in_its_language(client, stack):
    number = _dispatched(client, stack)
    for language, sentence in (("zh-CN", "「内容」不能为空。"), ("en", "“Text” must not be empty.")):
        answer = client.http.post(f"/console/tickets/{number}/note", body=json.dumps({"text": " "}).encode(),
                                  headers={**JSON, **stack.staff("east-city"), "Accept-Language": language})
        assert answer.status_code == 400
        assert (answer.json_body["message"], answer.json_body["field"]) == (sentence, "text")
    gone = client.http.get("/console/tickets/20000101-0001", headers={**stack.staff("center", "dispatcher"),
                                                                       "Accept-Language": "zh-CN"})
    assert gone.status_code == 404 and gone.json_body["message"] == "没有找到该编号的诉求，请核对编号。"
