"""Per-client limits on the citizen routes, through the HTTP handler, against the in-memory fakes:
a polite 429 with Retry-After, nothing written when refused, every client counted apart."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from chalice.local import LambdaEventConverter
from chalice.test import Client

import app as chalice_app
from chalicelib import bootstrap, config
from chalicelib.api.limits import decision, limited, refusal
from chalicelib.config import Settings
from chalicelib.i18n import t
from tests.builders import submission
from tests.fakes import World, make_world

# Two cases at once, then one every 30 s; one rating a minute.
LIMITS = {"MASHANG_LIMIT_SUBMIT": "2/60:2", "MASHANG_LIMIT_TRACK": "1/60:1"}


def world_with(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> World:
    world = make_world(env=env)
    monkeypatch.setattr(bootstrap, "deps", lambda: world.deps)
    return world


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    return world_with(monkeypatch, LIMITS)


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


def from_address(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Requests through the test client come from `address` (what API Gateway reports)."""
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def post(client: Client, path: str, body: object, **headers: str):
    return client.http.post(path, headers={"Content-Type": "application/json", **headers}, body=json.dumps(body))


def file(client: Client, **headers: str):
    return post(client, "/tickets", submission(), **headers)


def test_over_the_limit_a_citizen_gets_a_polite_429_in_chinese_saying_when_to_retry(world, client):
    assert [file(client).status_code for _ in range(2)] == [201, 201]
    refused = file(client)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json_body == {"error": "TooManyRequests", "message": t("limit.too_many", seconds=30)}
    assert "30 秒后再试" in refused.json_body["message"]
    assert refused.headers["X-Content-Type-Options"] == "nosniff"  # said like every other answer


def test_a_citizen_who_prefers_english_is_told_in_english(world, client):
    file(client), file(client)
    refused = file(client, **{"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert refused.status_code == 429
    assert refused.json_body["message"] == t("limit.too_many", "en", seconds=30)
    assert refused.json_body["message"].startswith("Too many")


def test_a_refused_request_writes_nothing_and_takes_nothing(world, client):
    file(client), file(client)
    rows, writes, tats = dict(world.tickets.rows), world.tickets.writes, dict(world.limits.tats)
    assert file(client).status_code == 429
    assert world.tickets.rows == rows and world.tickets.writes == writes
    assert world.limits.tats == tats


def test_the_limit_is_decided_before_the_body_is_read(world, client):
    file(client), file(client)
    answer = client.http.post("/tickets", headers={"Content-Type": "application/json"}, body="{not json")
    assert answer.status_code == 429


def test_after_the_advised_wait_the_citizen_files_again(world, client):
    file(client), file(client)
    wait = int(file(client).headers["Retry-After"])
    world.time.at += timedelta(seconds=wait - 1)
    assert file(client).status_code == 429
    world.time.at += timedelta(seconds=1)
    assert file(client).status_code == 201


def test_many_people_reporting_one_incident_at_one_place_are_not_a_flood(world, client, monkeypatch):
    answers = []
    for person in range(1, 41):
        from_address(monkeypatch, f"198.51.100.{person}")
        answers.append(post(client, "/tickets", submission(location="e1", category="lights")).status_code)
    assert answers == [201] * 40
    assert len(world.tickets.rows) == 40


def test_one_client_over_its_limit_does_not_hold_back_another(world, client, monkeypatch):
    from_address(monkeypatch, "198.51.100.1")
    assert [file(client).status_code for _ in range(3)] == [201, 201, 429]
    from_address(monkeypatch, "198.51.100.2")
    assert file(client).status_code == 201


def test_rating_has_its_own_limit_apart_from_filing(world, client):
    number = file(client).json_body["number"]
    file(client)
    assert file(client).status_code == 429  # filing is used up; rating is not
    first = post(client, f"/tickets/{number}/rating", {"rating": "satisfied", "secret": "wrong"})
    assert first.status_code == 403  # counted, then refused for its secret
    second = post(client, f"/tickets/{number}/rating", {"rating": "satisfied", "secret": "wrong"})
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "60"


def test_buckets_hold_the_rule_and_a_hash_never_the_address(world, client, monkeypatch):
    from_address(monkeypatch, "203.0.113.77")
    file(client)
    (bucket, allowed), = world.limits.taken
    assert allowed and bucket.startswith("submit#")
    assert "203.0.113.77" not in bucket


def test_limits_switched_off_let_a_load_test_through(monkeypatch, client):
    world = world_with(monkeypatch, {**LIMITS, config.LIMITS: "off"})
    assert {file(client).status_code for _ in range(20)} == {201}
    assert world.limits.taken == []


def test_when_the_buckets_cannot_be_reached_the_report_still_gets_through(world, client):
    world.limits.broken = True
    assert [file(client).status_code for _ in range(4)] == [201] * 4


def test_a_page_route_gets_the_decision_and_the_text_without_a_json_answer(world):
    request = SimpleNamespace(context={"identity": {"sourceIp": "192.0.2.9"}}, headers={"accept-language": "en"})
    decisions = [decision("submit", request) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert refusal(decisions[-1], request) == t("limit.too_many", "en", seconds=30)


def test_a_request_without_a_source_address_shares_one_bucket(world):
    bare = SimpleNamespace(context={}, headers={})
    assert [decision("submit", bare).allowed for _ in range(3)] == [True, True, False]
    assert world.limits.taken[0][0] == "submit#unknown"


def test_a_misspelt_rule_name_fails_when_the_route_is_declared():
    with pytest.raises(ValueError, match="sumbit"):
        limited("sumbit", chalice_app.app)


def test_the_site_may_read_retry_after_across_origins(world, client):
    origin = config.settings().site_url
    file(client), file(client)
    refused = file(client, Origin=origin)
    assert refused.headers["Access-Control-Allow-Origin"] == origin
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"]


def test_limits_are_read_from_the_environment_with_defaults():
    rules = {rule.name: rule for rule in Settings.from_env({}).limits}
    assert (rules["submit"].rate, rules["submit"].period, rules["submit"].burst) == (20, 600, 10)
    assert (rules["upload"].rate, rules["upload"].burst) == (60, 24)
    assert (rules["track"].rate, rules["track"].burst) == (20, 10)
    one_off = Settings.from_env({"MASHANG_LIMIT_UPLOAD": "off", "MASHANG_LIMIT_SUBMIT": "100/1m:50"})
    assert one_off.limit("upload") is None
    assert one_off.limit("submit").burst == 50  # type: ignore[union-attr]
    assert Settings.from_env({"MASHANG_LIMITS": "OFF"}).limits == ()


def test_a_malformed_limit_names_its_variable():
    with pytest.raises(ValueError, match="MASHANG_LIMIT_TRACK"):
        Settings.from_env({"MASHANG_LIMIT_TRACK": "twenty a minute"})
