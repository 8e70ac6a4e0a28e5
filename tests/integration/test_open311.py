"""Open311 GeoReport v2 over HTTP against moto: every route in .json and .xml, the POST exactly as
the specification's example and FixMyStreet's Open311 sender send it, each filter of GET requests,
and each error code (400, 403, 404) in both formats."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from chalice.test import Client

import app as chalice_app
from chalicelib.services import open311

BASE = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(stack) -> Iterator[Client]:
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


@pytest.fixture
def key(stack) -> str:
    return open311.issue_key(stack.deps, "测试客户端")[1]


def post(client: Client, fields: dict[str, str] | list[tuple[str, str]], fmt: str = "json"):
    return client.http.post(f"{BASE}/requests.{fmt}", headers=FORM, body=urlencode(fields).encode())


def xml(answer) -> ET.Element:
    assert answer.headers["Content-Type"].startswith("text/xml")
    assert answer.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(answer.body)


def tickets(stack) -> int:
    return sum(1 for i in stack.items() if i["sk"]["S"] == "TICKET")


# --- discovery, services, definitions ---------------------------------------------------------
def test_discovery_names_the_endpoint_and_both_formats(client):
    body = client.http.get(f"{BASE}/discovery.json").json_body
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.http.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and [f.text for f in root.iter("format")] == ["text/xml", "application/json"]


def test_services_are_our_categories_with_metadata_where_they_ask_more(client):
    services = client.http.get(f"{BASE}/services.json").json_body
    assert isinstance(services, list)
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"roads", "lights", "noise", "other"}
    assert by_code["noise"]["metadata"] is True and by_code["lights"]["metadata"] is False
    assert set(by_code["roads"]) == {"service_code", "service_name", "description", "metadata", "type",
                                     "keywords", "group"}
    root = xml(client.http.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and all(child.tag == "service" for child in root)
    noise = next(s for s in root if s.findtext("service_code") == "noise")
    assert noise.findtext("metadata") == "true" and noise.findtext("service_name") == "噪声污染"


def test_a_service_definition_lists_its_attributes_in_both_formats(client):
    body = client.http.get(f"{BASE}/services/noise.json").json_body
    assert body["service_code"] == "noise"
    source = body["attributes"][0]
    assert source == {"variable": True, "code": "source", "datatype": "singlevaluelist", "required": False,
                      "datatype_description": "", "order": 1, "description": "噪声来源",
                      "values": [{"key": "site", "name": "工地"}, {"key": "shop", "name": "商铺"}]}
    root = xml(client.http.get(f"{BASE}/services/noise.xml"))
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute is not None and attribute.findtext("code") == "source"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["site", "shop"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_404_as_a_list_of_errors(client, fmt):
    answer = client.http.get(f"{BASE}/services/nothing.{fmt}")
    assert answer.status_code == 404
    if fmt == "json":
        [error] = answer.json_body
        assert error["code"] == 404 and "nothing" in error["description"]
    else:
        root = xml(answer)
        assert root.tag == "errors" and root.findtext("error/code") == "404"


# --- POST requests ------------------------------------------------------------------------------
def test_the_specifications_example_post_files_a_case_with_the_client_and_channel(client, stack, key):
    # the example of the specification: lat/long, email, names, phone, description, media_url,
    # and attribute[...] answers, form-encoded
    answer = post(client, [("api_key", key), ("service_code", "noise"), ("lat", "33.6101"), ("long", "119.0201"),
                           ("address_string", "人民公园东门"), ("email", "smit222@sfgov.edu"),
                           ("device_id", "tt222111"),
                           ("account_id", "123456"), ("first_name", "john"), ("last_name", "smith"),
                           ("phone", "13800138000"), ("description", "工地夜间施工噪声很大"),
                           ("media_url", "http://example.com/a.jpg"), ("attribute[source]", "site"),
                           ("attribute[heard_at]", "2026-11-22T23:30:00+08:00")])
    assert answer.status_code == 201
    [receipt] = answer.json_body
    number = receipt["service_request_id"]
    assert receipt["token"] == number and receipt["account_id"] is None
    stored = stack.deps.tickets.by_number(number)
    assert stored.channel.value == "open311" and stored.client == "测试客户端"
    assert stored.location == "e1"  # about 15 m from the place: filed there
    assert stored.answers == {"source": ("site",), "heard_at": ("2026-11-22T23:30:00+08:00",)}
    assert stack.deps.tickets.phone(stored.id) == "13800138000"


def test_a_post_as_fixmystreet_sends_it_and_the_xml_answer(client, stack, key):
    # FixMyStreet's Open311 sender: lat, long, address_string, description, email, first_name,
    # last_name, phone, service_code, api_key, attribute[...] (its own extras among them)
    fields = {"api_key": key, "service_code": "roads", "lat": "33.7000", "long": "119.2000",
              "address_string": "城北新区 12 号路口", "description": "路面塌陷一个大坑\n\n位置见地图",
              "email": "someone@example.org", "first_name": "A", "last_name": "Person", "phone": "",
              "attribute[title]": "大坑", "attribute[report_url]": "https://fms.example/report/1",
              "attribute[easting]": "0", "attribute[northing]": "0", "attribute[fixmystreet_id]": "1"}
    root = xml(post(client, fields, "xml"))
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    stored = stack.deps.tickets.by_number(number)
    assert stored.location is None and stored.address == "城北新区 12 号路口"  # unplaced: no place near
    assert stored.point is not None and stored.answers == {}


def test_address_id_is_our_location_code(client, stack, key):
    [receipt] = post(client, {"api_key": key, "service_code": "lights", "address_id": "w1",
                              "description": "菜市场门口路灯不亮"}).json_body
    assert stack.deps.tickets.by_number(receipt["service_request_id"]).location == "w1"


@pytest.mark.parametrize("fields, status, words", [
    ({"service_code": "roads", "lat": "33.61", "long": "119.02", "description": "坑"}, 403, "api_key"),
    ({"api_key": "not-a-key", "service_code": "roads", "lat": "33.61", "long": "119.02", "description": "坑"},
     403, "api_key"),
    ({"service_code": "roads", "description": "坑"}, 400, "location"),
    ({"service_code": "roads", "lat": "33.61", "description": "坑"}, 400, "location"),
    ({"lat": "33.61", "long": "119.02", "description": "坑"}, 400, "service_code"),
    ({"service_code": "nothing", "lat": "33.61", "long": "119.02", "description": "坑"}, 400, "service_code"),
    ({"service_code": "roads", "lat": "33.61", "long": "119.02"}, 400, "description"),
    ({"service_code": "roads", "lat": "north", "long": "119.02", "description": "坑"}, 400, "lat"),
    ({"service_code": "roads", "lat": "95", "long": "119.02", "description": "坑"}, 400, "lat"),
    ({"service_code": "roads", "address_id": "nowhere", "description": "坑"}, 400, "address_id"),
    ({"service_code": "noise", "address_id": "e1", "description": "吵", "attribute[source]": "moon"}, 400,
     "attribute[source]"),
    ({"service_code": "noise", "address_id": "e1", "description": "吵", "attribute[heard_at]": "yesterday"}, 400,
     "attribute[heard_at]"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_refused_posts_answer_the_error_list_and_file_nothing(client, stack, key, fields, status, words, fmt):
    if fields.get("api_key") is None and status != 403:
        fields = {**fields, "api_key": key}
    before = tickets(stack)
    answer = post(client, fields, fmt)
    assert answer.status_code == status
    if fmt == "json":
        [error] = answer.json_body
        assert error["code"] == status and words in error["description"]
    else:
        root = xml(answer)
        assert root.findtext("error/code") == str(status) and words in root.findtext("error/description")
    assert tickets(stack) == before


def test_a_revoked_key_files_nothing(client, stack):
    record, key = open311.issue_key(stack.deps, "旧客户端")
    open311.revoke_key(stack.deps, record.id)
    answer = post(client, {"api_key": key, "service_code": "roads", "address_id": "e1", "description": "坑"})
    assert answer.status_code == 403 and answer.json_body[0]["code"] == 403


# --- GET requests, one request, tokens --------------------------------------------------------------
def _filed(client, stack, key, **fields: str) -> str:
    body = {"api_key": key, "service_code": "roads", "address_id": "e1", "description": "东门路面有坑",
            "phone": "13800138000", **fields}
    return post(client, body).json_body[0]["service_request_id"]


def test_a_request_reads_as_the_specification_writes_it_and_never_the_contact(client, stack, key):
    number = _filed(client, stack, key, description="东门路面有坑，联系我13912345678")
    stack.pump_until(lambda: stack.deps.tickets.by_number(number).status.value == "dispatched")
    [one] = client.http.get(f"{BASE}/requests/{number}.json").json_body
    assert set(one) == {"service_request_id", "status", "status_notes", "service_name", "service_code",
                        "description", "agency_responsible", "service_notice", "requested_datetime",
                        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                        "long", "media_url"}
    assert one["status"] == "open" and one["agency_responsible"] == "市交通运输局"
    assert one["requested_datetime"].endswith("+08:00") and one["expected_datetime"].endswith("+08:00")
    assert one["address_id"] == "e1" and one["lat"] == 33.61 and one["long"] == 119.02
    assert "13800138000" not in str(one) and "13912345678" not in str(one)
    root = xml(client.http.get(f"{BASE}/requests/{number}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == number
    assert root.findtext("request/status") == "open"


def test_an_unknown_request_or_token_is_404(client):
    assert client.http.get(f"{BASE}/requests/20000101-0001.json").status_code == 404
    assert client.http.get(f"{BASE}/tokens/20000101-0001.xml").status_code == 404
    assert client.http.get(f"{BASE}/requests/20000101-0001.csv").status_code == 404


def test_a_token_resolves_to_its_service_request_id(client, stack, key):
    number = _filed(client, stack, key)
    assert client.http.get(f"{BASE}/tokens/{number}.json").json_body == [
        {"service_request_id": number, "token": number}]
    root = xml(client.http.get(f"{BASE}/tokens/{number}.xml"))
    assert root.findtext("request/token") == number


def test_get_requests_filters(client, stack, key):
    roads = _filed(client, stack, key)
    lights = _filed(client, stack, key, service_code="lights", description="路灯不亮")
    stack.pump_until(lambda: {e.number for e in stack.deps.listings.latest("hall", 50)} >= {roads, lights})

    def numbers(**params: str) -> list[str]:
        answer = client.http.get(f"{BASE}/requests.json?{urlencode(params)}")
        assert answer.status_code == 200, answer.body
        return [r["service_request_id"] for r in answer.json_body]

    assert numbers()[:2] == [lights, roads]  # the default window: the last 90 days, newest first
    assert numbers(service_code="lights") == [lights]
    assert set(numbers(service_code="lights,roads")) >= {lights, roads}
    assert numbers(service_request_id=f"{roads},20000101-0001") == [roads]
    # service_request_id overrides every other filter
    assert numbers(service_request_id=roads, service_code="lights", status="closed") == [roads]
    assert roads in numbers(status="open") and roads not in numbers(status="closed")
    now = stack.deps.clock.now()
    assert numbers(start_date=(now + timedelta(hours=1)).isoformat()) == []
    assert roads in numbers(start_date=(now - timedelta(days=1)).isoformat(),
                            end_date=(now + timedelta(days=1)).isoformat())
    assert numbers(end_date=(now - timedelta(days=1)).isoformat()) == []
    root = xml(client.http.get(f"{BASE}/requests.xml?service_code=lights"))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [lights]


@pytest.mark.parametrize("query, field", [
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
    ("start_date=yesterday", "start_date"),
    ("status=pending", "status"),
    ("service_code=nothing", "service_code"),
    ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "start_date"),
])
def test_bad_filters_are_400(client, query, field):
    answer = client.http.get(f"{BASE}/requests.json?{query}")
    assert answer.status_code == 400 and field in answer.json_body[0]["description"]


# --- limits, framework refusals, other origins ------------------------------------------------
def test_a_client_files_under_its_keys_own_limit_not_its_addresss(client, stack, monkeypatch):
    from chalicelib import bootstrap
    from chalicelib import config as names

    monkeypatch.setenv(names.LIMIT_VARIABLES["open311"], "2/1h:2")
    monkeypatch.setenv(names.LIMIT_VARIABLES["submit"], "1/1h:1")  # the citizen's doors: one a client address
    bootstrap.deps.cache_clear()
    bootstrap.settings.cache_clear()
    first, other = open311.issue_key(stack.deps, "区县 App")[1], open311.issue_key(stack.deps, "街道 App")[1]
    fields = {"service_code": "noise", "address_id": "e1", "description": "工地夜间施工噪声很大"}
    answers = [post(client, {"api_key": first, **fields}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    [error] = answers[2].json_body
    assert error["code"] == 429 and "try again in" in error["description"]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert post(client, {"api_key": other, **fields}).status_code == 201  # a bucket of its own
    assert tickets(stack) == 3
    assert post(client, {"api_key": "wrong", **fields}).status_code == 403  # the key before the limit


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_that_is_not_a_form_is_refused_in_the_specifications_shape(client, stack, key, fmt):
    answer = client.http.post(f"{BASE}/requests.{fmt}", headers={"Content-Type": "application/json"},
                              body=json.dumps({"api_key": key, "service_code": "noise"}).encode())
    assert answer.status_code == 415
    if fmt == "json":
        [error] = answer.json_body
    else:
        error = {child.tag: child.text for child in xml(answer).find("error")}
        error["code"] = int(error["code"])
    assert error["code"] == 415 and "application/x-www-form-urlencoded" in error["description"]
    assert tickets(stack) == 0


def test_any_origin_may_read_the_open_api_but_only_the_site_the_console(client, stack):
    origin = {"Origin": "https://dashboard.example.org"}
    services = client.http.get(f"{BASE}/services.json", headers=origin)
    assert services.headers["Access-Control-Allow-Origin"] == "*"
    console = client.http.get("/console/me", headers=origin)
    assert "Access-Control-Allow-Origin" not in console.headers
