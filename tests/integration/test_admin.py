"""The admin API against the local AWS: admins only; a change is stored, read back without a
restart and republished (a new location's intake page, home page and poster on the site); a bad
change is refused with the catalogue's message and changes nothing; accounts made in the user pool
sign in with their temporary password and must choose their own."""
from __future__ import annotations

import json

import pytest
from chalice.test import Client

import app as chalice_app
from chalicelib.services import tickets
from chalicelib.services.commands import SubmitTicket
from tests.builders import submission


@pytest.fixture
def client(stack):
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


def _send(client, stack, method, path, body=None, role="admin"):
    return client.http.request(method, path, body=json.dumps(body or {}).encode(),
                               headers={"Content-Type": "application/json", **stack.staff("center", role)})


def test_a_location_added_by_an_admin_takes_reports_and_is_on_the_site_without_a_restart(client, stack):
    stack.deps.catalog()  # this copy of the API has the catalogue cached
    answer = _send(client, stack, "PUT", "/console/admin/locations/w7",
                   {"name": "西城体育馆", "district": "west", "address": "西城体育路7号", "name_en": "West Stadium"})
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["created"] is True and "q/w7.html" in answer.json_body["published"]
    intake = stack.page("q/w7.html")
    assert intake is not None and "西城体育馆" in intake
    assert "West Stadium" in (stack.page("en/q/w7.html") or "")
    assert "西城体育馆" in (stack.page("index.html") or "")
    # stored as a configuration record: a fresh read (another copy of the API) sees it too
    assert stack.deps.config.load().location("w7").address == "西城体育路7号"
    receipt = tickets.submit(SubmitTicket.parse(submission(location="w7", category="roads")), stack.deps)
    assert stack.deps.tickets.by_number(receipt.number).location == "w7"
    links = _send(client, stack, "GET", "/console/admin/locations/w7/poster").json_body
    assert links["pdf"] == "http://site.test/posters/w7.pdf" and links["intake"] == "http://site.test/q/w7.html"
    pdf = stack.s3.get_object(Bucket=stack.resources.site_bucket, Key="posters/w7.pdf")
    assert pdf["ContentType"] == "application/pdf" and pdf["Body"].read().startswith(b"%PDF")
    listed = _send(client, stack, "GET", "/console/admin/catalog").json_body
    assert "w7" in [loc["code"] for loc in listed["locations"]]


def test_a_refused_change_says_why_in_chinese_and_writes_nothing(client, stack):
    before = sorted(json.dumps(i, sort_keys=True) for i in stack.items() if i["pk"]["S"] == "CONFIG")
    for method, path, body, status in [
        ("PUT", "/console/admin/locations/w8", {"name": "x", "district": "north"}, 404),
        ("PUT", "/console/admin/locations/W 8", {"name": "x", "district": "west"}, 400),
        ("PUT", "/console/admin/departments/roads", {"name": "x", "parent": "roads"}, 400),
        ("PUT", "/console/admin/categories/snow", {"name": "除雪", "tier": "someday"}, 400),
        ("PUT", "/console/admin/rules/west/lights", {"department": "nobody"}, 404),
        ("DELETE", "/console/admin/rules/west/lights", None, 404),
        ("PUT", "/console/admin/locations/w8", {"district": "west"}, 400),
    ]:
        answer = _send(client, stack, method, path, body)
        assert answer.status_code == status, (path, answer.json_body)
        assert answer.json_body["message"], answer.json_body
    refused = _send(client, stack, "PUT", "/console/admin/locations/w8", {"name": "x", "district": "north"})
    assert refused.json_body["message"] == "没有编码为“north”的区县"
    # a code as the console sends it (percent-encoded) is named as the admin typed it
    typed = _send(client, stack, "PUT", "/console/admin/locations/W%208%E5%8C%97", {"name": "x", "district": "west"})
    assert typed.status_code == 400 and typed.json_body["message"].startswith("编码“W 8北”无效"), typed.json_body
    after = sorted(json.dumps(i, sort_keys=True) for i in stack.items() if i["pk"]["S"] == "CONFIG")
    assert after == before


def test_a_department_tree_and_a_rule_change_route_the_next_case(client, stack):
    assert _send(client, stack, "PUT", "/console/admin/departments/west-city",
                 {"name": "西城区城市管理局", "parent": "roads"}).status_code == 200
    assert _send(client, stack, "PUT", "/console/admin/rules/west/lights",
                 {"department": "west-city"}).status_code == 200
    assert stack.deps.catalog().route("w1", "lights").code == "west-city"
    assert stack.deps.config.load().departments["west-city"].parent == "roads"
    assert _send(client, stack, "DELETE", "/console/admin/rules/west/lights").status_code == 200
    assert stack.deps.config.load().route("w1", "lights") is None
    # the rule's record is gone, the department's stays
    keys = {i["sk"]["S"] for i in stack.items() if i["pk"]["S"] == "CONFIG"}
    assert "rules#west.lights" not in keys and "departments#west-city" in keys


def test_an_account_made_by_an_admin_must_choose_its_own_password_and_can_be_disabled(client, stack):
    made = _send(client, stack, "POST", "/console/admin/accounts",
                 {"username": "zhou-jie", "name": "周杰", "role": "handler", "department": "east-city"})
    assert made.status_code == 201, made.json_body
    password = made.json_body["temporary_password"]
    idp, client_id = stack.session.client("cognito-idp"), stack.resources.refs["StaffPoolClient"]
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "zhou-jie", "PASSWORD": password})
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    listed = _send(client, stack, "GET", "/console/admin/accounts").json_body["accounts"]
    assert {"username": "zhou-jie", "role": "handler", "department": "east-city", "name": "周杰",
            "enabled": True} in listed
    assert all("password" not in json.dumps(a) for a in listed)
    moved = _send(client, stack, "PUT", "/console/admin/accounts/zhou-jie",
                  {"role": "handler", "department": "roads", "enabled": False})
    assert moved.status_code == 200, moved.json_body
    listed = _send(client, stack, "GET", "/console/admin/accounts").json_body["accounts"]
    assert {"username": "zhou-jie", "role": "handler", "department": "roads", "name": "周杰",
            "enabled": False} in listed
    again = _send(client, stack, "POST", "/console/admin/accounts",
                  {"username": "zhou-jie", "name": "周杰", "role": "handler", "department": "roads"})
    assert again.status_code == 400
    assert again.json_body["message"] == "用户名“zhou-jie”已被占用，请换一个用户名", again.json_body
    mine = _send(client, stack, "PUT", "/console/admin/accounts/admin-center",
                 {"role": "admin", "department": "roads", "enabled": False})
    assert mine.status_code == 400 and "自己" in mine.json_body["message"]
