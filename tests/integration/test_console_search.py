"""Console search, export and counts against the local AWS, signed in for real: each filter
narrows, pages return every case once, a page makes at most two DynamoDB requests, a handler never
finds another department's case, an export records each contact it holds, a count moves when a
case is dispatched. Cases are filed through the submit service and moved by the workflow and the
API; the listings are kept by the table's stream, as in production."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from chalice.test import Client
from pynamodb.connection.base import Connection

import app as chalice_app
from chalicelib.services import tickets
from chalicelib.services.commands import SubmitTicket
from tests.builders import submission


@pytest.fixture
def client(stack):
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


def _text(n: int, prefix: str = "") -> str:
    """Texts with no two characters in common (but the prefix): never taken for a "me too" of each other."""
    return prefix + "".join(chr(0x4E00 + 97 * (8 * n + k) + 3) for k in range(8))


def _file(stack, **fields) -> str:
    command = SubmitTicket.parse(submission(phone="13800138000", **fields))
    return tickets.submit(command, stack.deps).number


@pytest.fixture
def city(client, stack) -> dict[str, list[str]]:
    """Two lights cases in the east (routed to east-city), two road cases in the west (routed to
    roads), two cases no rule routes (waiting for the dispatchers), all listed."""
    filed = {"lights": [_file(stack, category="lights", location="e1", description=_text(n, "路灯")) for n in (1, 2)],
             "roads": [_file(stack, category="roads", location="w1", description=_text(n)) for n in (3, 4)],
             "triage": [_file(stack, category="other", location="e1", description=_text(n, "井盖")) for n in (5, 6)]}
    expected = {n: ("screened" if kind == "triage" else "dispatched") for kind, numbers in filed.items()
                for n in numbers}

    def settled() -> bool:
        listed = {e.number: e.status for e in stack.deps.listings.latest("hall", 50)}
        return all(listed.get(n) == status for n, status in expected.items()) and all(
            stack.deps.tickets.by_number(n).task_stage == "triage" for n in filed["triage"])
    stack.pump_until(settled, timeout=60)
    return filed


def _get(client, stack, path: str, department: str = "center", role: str = "dispatcher"):
    return client.http.get(path, headers=stack.staff(department, role))


def _numbers(answer) -> list[str]:
    assert answer.status_code == 200, answer.json_body
    return [case["number"] for case in answer.json_body["cases"]]


def test_each_filter_narrows(client, stack, city):
    find = lambda query: sorted(_numbers(_get(client, stack, "/console/search?" + query)))  # noqa: E731
    everyone = sorted(n for numbers in city.values() for n in numbers)
    today = everyone[0][:8]
    day = f"{today[:4]}-{today[4:6]}-{today[6:]}"
    assert find("") == everyone
    assert find("category=lights") == sorted(city["lights"])
    assert find("district=west") == sorted(city["roads"])
    assert find("department=roads") == sorted(city["roads"])
    assert find("department=east-city") == sorted(city["lights"])
    assert find("department=triage") == sorted(city["triage"])
    assert find("status=screened") == sorted(city["triage"])
    assert find(f"number={city['roads'][1]}") == [city["roads"][1]]
    assert find(f"from={day}&to={day}") == everyone
    assert find("to=2020-01-01") == []
    assert find("q=井盖") == sorted(city["triage"])
    assert find("overdue=1") == []
    assert find("category=lights&district=west") == []
    bad = _get(client, stack, "/console/search?status=lost")
    assert bad.status_code == 400 and bad.json_body["field"] == "status" and "状态" in bad.json_body["message"]


def test_pages_return_every_case_once(client, stack, city):
    seen, cursor = [], ""
    for _ in range(10):
        answer = _get(client, stack, f"/console/search?limit=4{cursor}").json_body
        assert len(answer["cases"]) <= 4
        seen += [case["number"] for case in answer["cases"]]
        if answer["next"] is None:
            break
        cursor = f"&cursor={answer['next']}"
    everyone = [n for numbers in city.values() for n in numbers]
    assert sorted(seen) == sorted(everyone) and len(seen) == len(set(seen)) and seen == sorted(seen, reverse=True)


@contextmanager
def dynamodb_requests() -> Iterator[list[str]]:
    """The DynamoDB requests made meanwhile (every pynamodb call goes through this one method)."""
    made: list[str] = []
    original = Connection._make_api_call

    def counted(self, operation_name, operation_kwargs):
        made.append(operation_name)
        return original(self, operation_name, operation_kwargs)
    Connection._make_api_call = counted
    try:
        yield made
    finally:
        Connection._make_api_call = original


def test_a_page_of_results_makes_at_most_two_dynamodb_requests(client, stack, city):
    _get(client, stack, "/console/search")  # the catalogue is read once a minute, not per page
    for query in ("", "category=lights&status=dispatched", "department=roads&q=x", "district=east&overdue=1"):
        with dynamodb_requests() as made:
            assert _get(client, stack, "/console/search?" + query).status_code == 200
        assert 1 <= len(made) <= 2, (query, made)
        assert "Scan" not in made


def test_a_handler_never_finds_another_departments_case(client, stack, city):
    assert sorted(_numbers(_get(client, stack, "/console/search", "roads", "handler"))) == sorted(city["roads"])
    assert _numbers(_get(client, stack, f"/console/search?number={city['lights'][0]}", "roads", "handler")) == []
    assert _numbers(_get(client, stack, "/console/search?q=路灯", "roads", "handler")) == []
    for other in ("east-city", "triage"):
        refused = _get(client, stack, f"/console/search?department={other}", "roads", "handler")
        assert refused.status_code == 403, refused.json_body
        assert refused.json_body["message"] == "承办人只能查询本单位的诉求：请不选“部门”，或选本单位。"
        assert _get(client, stack, f"/console/search.csv?department={other}", "roads", "handler").status_code == 403


def test_an_export_records_every_contact_it_holds(client, stack, city):
    answer = _get(client, stack, "/console/search.csv?category=lights")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert sorted(r[0] for r in rows[1:]) == sorted(city["lights"]) and {r[-1] for r in rows[1:]} == {"13800138000"}
    log = _get(client, stack, "/console/access", role="supervisor").json_body["accesses"]
    assert sorted((a["username"], a["number"], a["how"]) for a in log) == sorted(
        ("dispatcher-center", n, "exported") for n in city["lights"])
    admin = _get(client, stack, "/console/search.csv?category=lights", role="admin").body.decode("utf-8")
    assert "13800138000" not in admin


def test_a_count_moves_when_a_case_is_dispatched(client, stack, city):
    counts = lambda department="center", role="dispatcher": _get(  # noqa: E731
        client, stack, "/console/counts", department, role).json_body["counts"]
    assert counts()["triage_new"] == 2
    assert counts("east-city", "handler")["dispatched"] == 2
    number = city["triage"][0]
    answer = client.http.post(f"/console/tickets/{number}/dispatch", body=json.dumps({"department": "east-city"}),
                              headers={"Content-Type": "application/json", **stack.staff("center", "dispatcher")})
    assert answer.status_code == 200, answer.json_body
    assert counts()["triage_new"] == 1
    assert counts("east-city", "handler")["dispatched"] == 3
    assert counts("roads", "handler")["dispatched"] == 2
    assert set(counts(role="supervisor")) >= {"triage_new", "escalated", "extensions", "callbacks", "dead_letters"}
