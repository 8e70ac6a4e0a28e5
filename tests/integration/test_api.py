"""The HTTP contract: what citizens and departments send and get back."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from chalice.test import Client

import app as chalice_app
from tests.builders import NOW, submission
from tests.conftest import SITE_URL


@pytest.fixture
def client(stack) -> Iterator[Client]:
    with Client(chalice_app.app, stage_name="local") as test_client:
        test_client.stack = stack  # signs staff in (post's department and role)
        yield test_client


def case_data(stack) -> list[dict]:
    """Every stored item but the request-limit buckets (which count any request, refused or not)."""
    return [i for i in stack.items() if not i["pk"]["S"].startswith("LIMIT#")]


def post(client: Client, path: str, body: object, department: str | None = None, role: str | None = None):
    headers = {"Content-Type": "application/json"}
    if department:
        headers.update(client.stack.staff(department, role or "handler"))
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.http.post(path, headers=headers, body=raw)


def test_categories_list_codes_and_names(client):
    answer = client.http.get("/categories")
    assert answer.status_code == 200
    assert answer.json_body["categories"][1] == {"code": "lights", "name": "路灯照明"}


def test_a_submission_answers_number_page_and_tracking_link(client, stack):
    answer = post(client, "/tickets", submission(phone="13800138000"))
    assert answer.status_code == 201
    body = answer.json_body
    assert body["page"] == f"{SITE_URL}/t/{body['number']}.html"
    assert body["tracking"].startswith(body["page"] + "#k=")
    stored = stack.deps.tickets.by_number(body["number"])
    assert stored.status.value == "submitted"
    assert stored.location == "e1" and stored.district == "east"


@pytest.mark.parametrize("body, status, field", [
    (submission(location="nowhere"), 404, "location"),
    (submission(category="nothing"), 404, "category"),
    (submission(description=""), 400, "description"),
    ({k: v for k, v in submission().items() if k != "description"}, 400, "description"),
    (submission(description="长" * 2001), 400, "description"),
    (submission(kind="rant"), 400, "kind"),
    (submission(phone="0000"), 400, "phone"),
    ("{not json", 400, "body"),
    ("", 400, "body"),
    ("[1, 2]", 400, "body"),
])
def test_bad_submissions_get_a_clear_error_and_write_nothing(client, stack, body, status, field):
    before = len(case_data(stack))
    answer = post(client, "/tickets", body)
    assert answer.status_code == status
    assert answer.json_body["field"] == field
    assert field in answer.json_body["message"]
    assert len(case_data(stack)) == before


def test_a_double_tap_with_the_same_key_files_one_ticket(client, stack):
    body = submission(idempotency_key="form-123")
    first, second = post(client, "/tickets", body), post(client, "/tickets", body)
    assert first.status_code == second.status_code == 201
    assert first.json_body == second.json_body
    tickets = [i for i in stack.items() if i["sk"]["S"] == "TICKET"]
    assert len(tickets) == 1


def test_no_tracking_secret_is_at_rest_in_plain_text(client, stack):
    receipt = post(client, "/tickets", submission(idempotency_key="form-secret-1", phone="13800138000")).json_body
    secret = receipt["tracking"].split("#k=")[1]
    items = str(stack.items())
    assert "IDEMPOTENCY#submit" in items  # the replay record is there …
    assert secret not in items and "form-secret-1" not in items  # … without the secret or the key
    assert post(client, "/tickets", submission(idempotency_key="form-secret-1", phone="13800138000")
                ).json_body["tracking"] == receipt["tracking"]


def test_submits_with_a_key_make_no_client_of_their_own(client, stack, monkeypatch):
    """The idempotency records go through the table's one client, made with the app's dependencies:
    a client made lazily by the first submit was made by every submit of a burst's first seconds."""
    from botocore.session import Session

    from chalicelib import bootstrap

    bootstrap.deps()
    made: list[str] = []
    create_client = Session.create_client
    monkeypatch.setattr(Session, "create_client",
                        lambda self, name, *a, **k: made.append(name) or create_client(self, name, *a, **k))
    for i in range(2):
        assert post(client, "/tickets", submission(idempotency_key=f"form-c{i}")).status_code == 201
    assert made == []


def test_the_same_key_for_a_different_submission_is_refused(client):
    post(client, "/tickets", submission(idempotency_key="form-9"))
    answer = post(client, "/tickets", submission(idempotency_key="form-9", description="别的事"))
    assert answer.status_code == 400
    assert answer.json_body["field"] == "idempotency_key"


def _dispatched(client, stack, at=NOW) -> str:
    number = post(client, "/tickets", submission()).json_body["number"]
    ticket = stack.deps.tickets.by_number(number)
    ticket.screen(at)
    ticket.dispatch("east-city", at, at, at)
    stack.deps.tickets.save(ticket)
    return number


def test_the_assigned_department_accepts_and_replies(client, stack):
    number = _dispatched(client, stack)
    accepted = post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    assert accepted.status_code == 200 and accepted.json_body["status"] == "accepted"
    replied = post(client, f"/console/tickets/{number}/reply", {"text": "已修复"}, "east-city")
    assert replied.status_code == 200 and replied.json_body["reply"] == "已修复"


def test_actions_in_the_wrong_state_are_conflicts_and_change_nothing(client, stack):
    number = _dispatched(client, stack)
    answer = post(client, f"/console/tickets/{number}/reply", {"text": "已修复"}, "east-city")
    assert answer.status_code == 409
    assert "dispatched" in answer.json_body["detail"]  # the plain message; the console reads the worded one
    assert answer.json_body["message"].startswith("此诉求现为「已派单」")
    post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    again = post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    assert again.status_code == 409
    assert stack.deps.tickets.by_number(number).status.value == "accepted"


def test_another_department_is_forbidden(client, stack):
    number = _dispatched(client, stack)
    answer = post(client, f"/console/tickets/{number}/accept", {}, "roads")
    assert answer.status_code == 403
    assert stack.deps.tickets.by_number(number).status.value == "dispatched"


def test_staff_actions_need_an_identity(client, stack):
    number = _dispatched(client, stack)
    assert post(client, f"/console/tickets/{number}/accept", {}).status_code == 401


def test_a_reply_without_text_is_refused(client, stack):
    number = _dispatched(client, stack)
    post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    answer = post(client, f"/console/tickets/{number}/reply", {"text": ""}, "east-city")
    assert answer.status_code == 400 and answer.json_body["field"] == "text"


def test_unknown_ticket_numbers_are_404(client):
    assert client.http.get("/tickets/20990101-0001").status_code == 404
    assert post(client, "/console/tickets/20990101-0001/accept", {}, "roads").status_code == 404


def test_the_inbox_shows_the_departments_tickets(client, stack):
    number = _dispatched(client, stack)
    answer = client.http.get("/console/inbox?status=dispatched", headers=stack.staff("east-city"))
    assert [t["number"] for t in answer.json_body["tickets"]] == [number]
    bad = client.http.get("/console/inbox?status=lost", headers=stack.staff("east-city"))
    assert bad.status_code == 400


def test_handlers_cannot_take_dispatcher_or_supervisor_actions(client, stack):
    number = _dispatched(client, stack)
    answer = post(client, f"/console/tickets/{number}/dispatch", {"department": "roads"}, "east-city")
    assert answer.status_code == 403 and "dispatcher" in answer.json_body["detail"]
    assert "派单员" in answer.json_body["message"] and "承办人" in answer.json_body["message"]
    answer = post(client, f"/console/tickets/{number}/extension/decision", {"approve": True}, "east-city")
    assert answer.status_code == 403
    assert client.http.get("/console/watch", headers=stack.staff("east-city")).status_code == 403


def test_a_return_needs_a_reason_and_is_refused_after_the_window(client, stack):
    number = _dispatched(client, stack, at=stack.deps.clock.now() - timedelta(days=10))
    missing = post(client, f"/console/tickets/{number}/return", {}, "east-city")
    assert missing.status_code == 400 and missing.json_body["field"] == "reason"
    late = post(client, f"/console/tickets/{number}/return", {"reason": "不归我们"}, "east-city")
    assert late.status_code == 409 and "window" in late.json_body["detail"]
    assert "退单期限" in late.json_body["message"]
    in_time = _dispatched(client, stack, at=stack.deps.clock.now())
    assert post(client, f"/console/tickets/{in_time}/return", {"reason": "不归我们"}, "east-city").status_code == 200
    assert stack.deps.tickets.by_number(number).status.value == "dispatched"


def test_extension_requests_past_the_maximum_are_conflicts(client, stack):
    number = _dispatched(client, stack)
    post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    first = post(client, f"/console/tickets/{number}/extension", {"reason": "需协调", "days": 3}, "east-city")
    assert first.status_code == 200 and first.json_body["extension_requested"]
    decided = post(client, f"/console/tickets/{number}/extension/decision", {"approve": True}, "sup", "supervisor")
    assert decided.status_code == 200 and decided.json_body["extensions"] == 1
    again = post(client, f"/console/tickets/{number}/extension", {"reason": "再延"}, "east-city")
    assert again.status_code == 409
    bad_days = post(client, f"/console/tickets/{number}/extension", {"reason": "再延", "days": 99}, "east-city")
    assert bad_days.status_code == 400 and bad_days.json_body["field"] == "days"


def test_a_rating_with_a_wrong_secret_is_forbidden_and_changes_nothing(client, stack):
    number = _dispatched(client, stack)
    post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    post(client, f"/console/tickets/{number}/reply", {"text": "已修复"}, "east-city")
    answer = post(client, f"/tickets/{number}/rating", {"rating": "unsatisfied", "secret": "nope"})
    assert answer.status_code == 403
    assert post(client, "/tickets/20990101-0001/rating", {"rating": "satisfied", "secret": "x"}).status_code == 403
    assert stack.deps.tickets.by_number(number).status.value == "replied"


def test_the_citizen_rates_with_the_tracking_secret(client, stack):
    receipt = post(client, "/tickets", submission()).json_body
    number, secret = receipt["number"], receipt["tracking"].split("#k=")[1]
    ticket = stack.deps.tickets.by_number(number)
    ticket.screen(NOW)
    ticket.dispatch("east-city", NOW, NOW, NOW)
    stack.deps.tickets.save(ticket)
    post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    post(client, f"/console/tickets/{number}/reply", {"text": "已修复"}, "east-city")
    answer = post(client, f"/tickets/{number}/rating", {"rating": "satisfied", "secret": secret})
    assert answer.status_code == 200 and answer.json_body["status"] == "closed"
    bad = post(client, f"/tickets/{number}/rating", {"rating": "great", "secret": secret})
    assert bad.status_code == 400 and bad.json_body["field"] == "rating"


def test_dispatchers_see_the_triage_queue(client, stack):
    number = post(client, "/tickets", submission(category="other")).json_body["number"]
    ticket = stack.deps.tickets.by_number(number)
    ticket.screen(NOW)
    stack.deps.tickets.save(ticket)
    headers = stack.staff("center", "dispatcher")
    queue = client.http.get("/console/inbox?queue=triage&status=screened", headers=headers).json_body
    assert [t["number"] for t in queue["tickets"]] == [number]
    answer = post(client, f"/console/tickets/{number}/dispatch", {"department": "nowhere"}, "center", "dispatcher")
    assert answer.status_code == 404
    answer = post(client, f"/console/tickets/{number}/dispatch", {"department": "roads"}, "center", "dispatcher")
    assert answer.status_code == 200 and answer.json_body["department"] == "roads"


def test_a_staff_callback_before_the_citizens_survey_ended_is_refused_and_unknown_cases_are_404(client, stack):
    number = _dispatched(client, stack)
    post(client, f"/console/tickets/{number}/accept", {}, "east-city")
    post(client, f"/console/tickets/{number}/reply", {"text": "已修复"}, "east-city")
    early = post(client, f"/console/tickets/{number}/callback", {"rating": "satisfied"}, "center", "dispatcher")
    assert early.status_code == 409 and "callback" in early.json_body["detail"]
    assert "电话回访" in early.json_body["message"]
    assert stack.deps.tickets.by_number(number).status.value == "replied"
    unknown = post(client, "/console/tickets/19990101-0001/callback", {"rating": "satisfied"}, "center", "dispatcher")
    assert unknown.status_code == 404 and unknown.json_body["field"] == "ticket"


@pytest.mark.parametrize("raw, status", [
    ("[" * 100_000 + "]" * 100_000, 413),  # larger than any request needs: refused before parsing
    ("[" * 20_000 + "]" * 20_000, 400),  # small enough, but nested far too deep
    ('{"description": "' + "[" * 100 + '"}', 400),  # brackets inside a string do not count as nesting …
])
def test_oversized_or_deeply_nested_bodies_are_refused_cleanly(client, stack, raw, status):
    before = len(case_data(stack))
    answer = post(client, "/tickets", raw)
    assert answer.status_code == status
    assert set(answer.json_body) >= {"error", "message"}
    assert len(case_data(stack)) == before


def test_brackets_inside_strings_are_text_not_nesting(client):
    answer = post(client, "/tickets", submission(description="路灯坏了" + "[[[[{{{{" * 10))
    assert answer.status_code == 201  # … so a description full of brackets is still accepted


def test_the_frameworks_own_refusals_follow_the_error_contract_and_every_answer_has_security_headers(client):
    wrong_method = client.http.put("/tickets", headers={"Content-Type": "application/json"}, body="{}")
    assert wrong_method.status_code == 405
    assert wrong_method.json_body == {"error": "MethodNotAllowed",
                                      "message": "this path does not accept the PUT method"}
    wrong_type = client.http.post("/tickets", headers={"Content-Type": "application/xml"}, body="<a/>")
    assert wrong_type.status_code == 415 and wrong_type.json_body["error"] == "UnsupportedMediaType"
    for answer in (wrong_method, wrong_type, client.http.get("/categories")):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_a_json_body_sent_as_plain_text_is_refused_and_files_nothing(client, stack):
    """Only JSON: a text/plain body is what another site's page can send without the browser asking
    first (no preflight), so it is refused like any other type."""
    before = len(case_data(stack))
    for path in ("/tickets", "/uploads"):
        answer = client.http.post(path, headers={"Content-Type": "text/plain"}, body=json.dumps(submission()))
        assert answer.status_code == 415 and answer.json_body["error"] == "UnsupportedMediaType"
    assert len(case_data(stack)) == before


def test_an_unexpected_failure_is_a_500_in_the_contract(client, stack, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(stack.deps, "catalog", broken)
    answer = client.http.get("/categories")
    assert answer.status_code == 500
    assert answer.json_body["error"] == "InternalError" and "boom" not in answer.body.decode()


def test_only_a_supervisor_may_redrive_and_the_watch_list_never_shows_task_tokens(client):
    assert post(client, "/console/redrive", {}, "east-city", "handler").status_code == 403
    answer = post(client, "/console/redrive", {}, "center", "supervisor")
    assert answer.status_code == 200
    assert answer.json_body == {"tasks": 0, "stream_records": 0, "still_failing": 0}
    watch = client.http.get("/console/watch", headers=client.stack.staff("center", "supervisor"))
    assert watch.json_body["stuck"] == [] and watch.json_body["stream_failures"] == 0


def test_cross_origin_calls_are_allowed_from_the_sites_own_origin_only(client):
    from_site = client.http.request("OPTIONS", "/console/tickets/20261123-0001/accept",
                                    headers={"Origin": SITE_URL, "Access-Control-Request-Method": "POST"})
    assert from_site.status_code == 204
    assert from_site.headers["Access-Control-Allow-Origin"] == SITE_URL
    assert "POST" in from_site.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in from_site.headers["Access-Control-Allow-Headers"]
    assert "X-Staff" not in from_site.headers["Access-Control-Allow-Headers"]
    elsewhere = client.http.get("/categories", headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 200 and "Access-Control-Allow-Origin" not in elsewhere.headers
    assert client.http.get("/categories", headers={"Origin": SITE_URL}).headers["Access-Control-Allow-Origin"] \
        == SITE_URL


def test_the_openapi_description_covers_every_route_with_the_models_that_validate_it(client):
    from openapi_spec_validator import validate

    import app as chalice_app

    answer = client.http.get("/openapi.json")
    assert answer.status_code == 200
    doc = answer.json_body
    validate(doc)
    routes = {(path, method.lower()) for path, methods in chalice_app.app.routes.items()
              for method in methods if method != "OPTIONS"}
    assert {(path, method) for path, ops in doc["paths"].items() for method in ops} == routes
    submit = doc["components"]["schemas"]["SubmitTicket"]
    assert submit["properties"]["description"]["maxLength"] == 2000  # the very model that validates
    assert doc["paths"]["/tickets"]["post"]["requestBody"]["required"] is True
    assert "201" in doc["paths"]["/tickets"]["post"]["responses"]
    assert doc["paths"]["/console/inbox"]["get"]["security"] == [{"staffSignIn": []}]


def test_a_citizen_files_through_the_qr_or_web_channel_only(client, stack):
    before = len(case_data(stack))
    answer = post(client, "/tickets", submission(channel="open311"))
    assert answer.status_code == 400 and answer.json_body["field"] == "channel"
    assert len(case_data(stack)) == before
    assert post(client, "/tickets", submission(channel="web")).status_code == 201


def test_dispatchers_and_supervisors_hide_citizen_words_and_others_may_not(client, stack):
    number = _dispatched(client, stack)
    path = f"/console/tickets/{number}/hide"
    body = {"target": "description", "reason": "privacy"}
    assert post(client, path, body, "east-city").status_code == 403  # a handler
    hidden = post(client, path, body, "center", "dispatcher")
    assert hidden.status_code == 200
    assert hidden.json_body["description"] == submission()["description"]  # staff still see it
    assert hidden.json_body["hidden"] == {"description": "含有个人隐私信息"}
    assert post(client, path, body, "sup", "supervisor").status_code == 200  # again: no change
    stored = stack.deps.tickets.by_number(number)
    assert stored.hidden == {"description": "privacy"} and [e.kind for e in stored.events].count("hidden") == 1


@pytest.mark.parametrize("body, field, words", [
    ({"target": "event:99", "reason": "privacy"}, "target", "无法隐藏"),
    ({"target": "description", "reason": ""}, "reason", "请填写隐藏理由"),
])
def test_a_bad_hide_target_or_an_empty_reason_is_a_400_in_chinese(client, stack, body, field, words):
    number = _dispatched(client, stack)
    answer = post(client, f"/console/tickets/{number}/hide", body, "center", "dispatcher")
    assert answer.status_code == 400
    assert answer.json_body["field"] == field and words in answer.json_body["message"]
    assert stack.deps.tickets.by_number(number).hidden == {}
