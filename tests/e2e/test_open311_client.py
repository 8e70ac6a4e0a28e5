"""A stock Open311 client against the running local system, as `make run` starts it: the PyPI
package `georeport` (unmodified) reads services, definitions and requests in both formats; POSTs
go out exactly as the specification's example and FixMyStreet's Open311 sender send them, with
the demo key `make run` prints and with a key an admin issues and then revokes."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import georeport  # an Open311 client from PyPI, unmodified (requirements-dev.txt)
import pytest

from tests.e2e.conftest import Running


def form_post(running: Running, fields: list[tuple[str, str]], fmt: str = "json") -> tuple[int, bytes]:
    request = urllib.request.Request(f"{running.open311}/requests.{fmt}", method="POST",
                                     data=urllib.parse.urlencode(fields).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_stock_client_reads_services_and_definitions(local_system, fmt):
    client = georeport.GeoReport(local_system.open311, output_format=fmt)
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"water", "lights", "roads", "other"} <= codes
    water = next(s for s in services if s["service_code"] == "water")
    assert water["metadata"] in (True, "true")
    definition = client.get_service_definition("water")
    attributes = definition["attributes"] if fmt == "json" else [definition["attributes"]["attribute"]]
    assert attributes[0]["code"] == "problem" and attributes[0]["required"] in (True, "true")


def test_the_specifications_example_files_and_a_stock_client_reads_it_back(local_system):
    status, body = form_post(local_system, [
        ("api_key", local_system.open311_key), ("service_code", "water"), ("lat", "33.6047"), ("long", "119.0306"),
        ("address_string", "淮海东路88号"), ("email", "smit222@sfgov.edu"), ("device_id", "tt222111"),
        ("account_id", "123456"), ("first_name", "john"), ("last_name", "smith"), ("phone", "13800138000"),
        ("description", "人民公园东门水管漏水，路面全是水"), ("media_url", "http://example.com/a.jpg"),
        ("attribute[problem]", "leak")])
    assert status == 201, body
    number = json.loads(body)[0]["service_request_id"]
    for fmt in ("json", "xml"):
        client = georeport.GeoReport(local_system.open311, output_format=fmt)
        one = client.get_service_request(number)
        assert one["service_request_id"] == number and one["service_code"] == "water"
        assert one["address_id"] == "qh01" and one["status"] == "open"  # the point is 15 m from qh01
        assert "13800138000" not in json.dumps(one, ensure_ascii=False)
        listed = client.get_service_requests(service_request_id=number)
        listed = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in listed] == [number]


def test_a_fixmystreet_post_far_from_every_place_is_filed_for_the_dispatchers(local_system):
    status, body = form_post(local_system, [
        ("api_key", local_system.open311_key), ("service_code", "roads"), ("lat", "33.7000"), ("long", "119.2000"),
        ("address_string", "城北新区 12 号路口"), ("description", "路面塌陷\n\n（来自 FixMyStreet）"),
        ("email", "someone@example.org"), ("first_name", "A"), ("last_name", "Person"), ("phone", ""),
        ("attribute[title]", "路面塌陷"), ("attribute[report_url]", "https://fms.example/report/1"),
        ("attribute[fixmystreet_id]", "1")], fmt="xml")
    assert status == 201 and b"<service_requests><request><service_request_id>" in body
    number = body.split(b"<service_request_id>")[1].split(b"<")[0].decode()
    one = georeport.GeoReport(local_system.open311).get_service_request(number)
    assert one["address_id"] == "" and one["address"] == "城北新区 12 号路口" and one["agency_responsible"] == ""
    staff_view = urllib.request.Request(f"{local_system.api}/console/tickets/{number}",
                                        headers=local_system.staff("center", "dispatcher"))
    with urllib.request.urlopen(staff_view, timeout=30) as answer:
        case = json.loads(answer.read())
    assert case["channel"] == "open311" and case["client"] == "演示客户端 demo client"
    assert case["location"] is None and case["point"] == {"lat": 33.7, "long": 119.2}


def test_an_admin_issues_a_key_that_files_until_revoked(local_system):
    admin = {**local_system.staff("center", "admin"), "Content-Type": "application/json"}

    def call(method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(f"{local_system.api}/console/admin/open311-keys{path}", method=method,
                                         data=json.dumps(body or {}).encode(), headers=admin)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    issued = call("POST", "", {"name": "街道 App"})
    key = issued["api_key"]
    listed = call("GET", "")["keys"]
    assert any(k["id"] == issued["key"]["id"] for k in listed) and key not in json.dumps(listed)
    fields = [("api_key", key), ("service_code", "lights"), ("address_id", "kf02"), ("description", "路灯不亮")]
    assert form_post(local_system, fields)[0] == 201
    call("DELETE", f"/{issued['key']['id']}")
    status, body = form_post(local_system, fields)
    assert status == 403 and json.loads(body)[0]["code"] == 403
    assert form_post(local_system, fields[1:])[0] == 403  # no key at all


def test_the_admin_issues_and_revokes_a_key_in_the_console(local_system, desktop):
    from infra.local.accounts import DEMO_PASSWORD
    from tests.e2e.conftest import screenshot
    from tests.e2e.test_scan_to_reply import sign_in

    desktop.on("dialog", lambda dialog: dialog.accept())
    sign_in(desktop, local_system, "admin", DEMO_PASSWORD)
    desktop.get_by_role("button", name="员工账号").click()
    card = desktop.locator("#admin-open311")
    card.wait_for(timeout=15000)
    client = f"区县 App {uuid.uuid4().hex[:6]}"
    card.locator("input[name=client]").fill(client)
    card.get_by_role("button", name="签发密钥").click()
    notice = desktop.locator("#summary .notice", has_text="签发密钥")
    notice.wait_for(timeout=30000)
    key = notice.inner_text().rsplit("：", 1)[1].strip()
    fields = [("api_key", key), ("service_code", "lights"), ("address_id", "kf02"), ("description", "路灯不亮")]
    assert form_post(local_system, fields)[0] == 201
    row = desktop.locator("#admin-open311 tr", has_text=client)
    screenshot(desktop, "console-admin-open311-keys")
    row.get_by_role("button", name="吊销").click()
    row.filter(has_text="已吊销").wait_for(timeout=30000)  # this key's row, once the revocation is stored
    assert form_post(local_system, fields)[0] == 403
