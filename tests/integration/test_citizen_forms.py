"""The citizen's path through the API against moto: the plain form POST and its receipt, photo
uploads with presigned POSTs into the real (emulated) bucket, and photo approval."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
import requests
from chalice.test import Client
from PIL import Image

import app as chalice_app
from chalicelib.services import steps
from tests.conftest import API_URL

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(stack) -> Iterator[Client]:
    with Client(chalice_app.app, stage_name="local") as test_client:
        yield test_client


def form(**fields: object) -> str:
    data = {"location": "e1", "category": "lights", "kind": "complaint", "description": "东门路灯不亮已有一周",
            "channel": "qr", "locale": "zh-CN", **fields}
    pairs = [(k, v) for k, values in data.items() for v in (values if isinstance(values, list) else [values])]
    return urlencode(pairs)


def header(answer, name: str) -> str:
    return {k.lower(): v for k, v in answer.headers.items()}[name]


def cookie_of(answer) -> str:
    return header(answer, "set-cookie").split(";")[0]


def test_the_plain_form_files_once_and_sees_the_receipt(client, stack):
    body = form(phone="13800138000")
    answer = client.http.post("/intake", headers=FORM, body=body)
    assert answer.status_code == 303
    where = header(answer, "location")
    number = where.split("/receipts/")[1].split("?")[0]
    assert where == f"{API_URL}/receipts/{number}?lang=zh-CN"
    assert "13800138000" not in where and "路灯" not in where  # nothing of the form in the URL
    cookie = header(answer, "set-cookie")
    assert f"Path=/receipts/{number}" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    again = client.http.post("/intake", headers=FORM, body=body)  # the same form sent twice
    assert header(again, "location") == where
    assert stack.deps.tickets.by_number(number).description == "东门路灯不亮已有一周"

    page = client.http.get(f"/receipts/{number}?lang=zh-CN", headers={"Cookie": cookie_of(answer)})
    html = page.body.decode()
    assert page.status_code == 200 and header(page, "content-type").startswith("text/html")
    assert "style-src 'unsafe-inline'" in header(page, "content-security-policy")
    assert number in html and 'data-state="processing"' in html and "短信" in html
    assert f"/t/{number}.html#k=" in html  # the tracking link, for the browser that filed it only
    stranger = client.http.get(f"/receipts/{number}").body.decode()
    assert "#k=" not in stranger and number in stranger

    steps.screen(stack.deps.tickets.by_number(number).id, stack.deps)
    steps.dispatch(stack.deps.tickets.by_number(number).id, stack.deps)
    html = client.http.get(f"/receipts/{number}", headers={"Cookie": cookie_of(answer)}).body.decode()
    assert 'data-state="dispatched"' in html and "东城区城市管理局" in html


@pytest.mark.parametrize("fields, status, words", [
    ({"category": ""}, 400, "请选择问题分类"),
    ({"description": ""}, 400, "请填写具体情况"),
    ({"phone": "12345"}, 400, "手机号格式不正确"),
    ({"location": "nowhere"}, 404, "请重新扫描"),
    ({"photos": "f" * 32}, 400, "照片无效或已过期"),
    ({"photos": ["f" * 32] * 5}, 400, "最多上传 4 张照片"),
    ({"photos": "not-an-upload"}, 400, "照片无效或已过期"),
    ({"locale": "en", "category": ""}, 400, "Choose what the problem is"),
    ({"confidential": "yes"}, 400, "“不公开我的诉求内容”选项的值无效"),  # never read as "publish it"
    ({"confidential": "no"}, 400, "“不公开我的诉求内容”选项的值无效"),
])
def test_a_refused_form_says_what_is_wrong_and_files_nothing(client, stack, fields, status, words):
    answer = client.http.post("/intake", headers=FORM, body=form(**fields))
    assert answer.status_code == status
    assert words in answer.body.decode() and header(answer, "content-type").startswith("text/html")
    assert stack.deps.tickets.recent_at("e1", stack.deps.clock.now().replace(year=2000)) == []


@pytest.mark.parametrize("sent, kept", [("1", True), ("on", True), (None, False), ("", False)])
def test_the_private_checkbox_is_read_as_ticked_or_not(client, stack, sent, kept):
    fields = {} if sent is None else {"confidential": sent}
    answer = client.http.post("/intake", headers=FORM, body=form(description=f"东门路灯不亮已有一周{sent}", **fields))
    number = header(answer, "location").split("/receipts/")[1].split("?")[0]
    assert stack.deps.tickets.by_number(number).confidential is kept


def test_an_unknown_receipt_is_a_clear_404(client):
    answer = client.http.get("/receipts/20990101-9999")
    assert answer.status_code == 404 and "20990101-9999" in answer.body.decode()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 900), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (33.0, 35.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(client: Client, data: bytes, content_type: str = "image/jpeg") -> str:
    answer = client.http.post("/uploads", headers={"Content-Type": "application/json"},
                              body=json.dumps({"content_type": content_type, "size": len(data)}))
    assert answer.status_code == 200, answer.body
    upload_form = answer.json_body
    stored = requests.post(upload_form["url"], data=upload_form["fields"],
                           files={"file": ("photo.jpg", data, content_type)}, timeout=10)
    assert stored.status_code in (200, 201, 204)
    return upload_form["upload"]


def test_a_photo_goes_to_storage_is_cleaned_and_published_once_approved(client, stack):
    upload_id = upload(client, jpeg_with_gps())
    receipt = client.http.post("/tickets", headers={"Content-Type": "application/json"}, body=json.dumps({
        "location": "e1", "category": "lights", "kind": "complaint", "description": "路灯杆倾斜",
        "photos": [upload_id]}))
    assert receipt.status_code == 201
    number = receipt.json_body["number"]
    ticket = stack.deps.tickets.by_number(number)
    steps.screen(ticket.id, stack.deps)
    steps.dispatch(ticket.id, stack.deps)
    staff = {"Content-Type": "application/json", **stack.staff("east-city")}
    listed = client.http.get("/console/inbox?status=dispatched", headers=staff).json_body["tickets"][0]
    photo = listed["staff_photos"][0]
    assert photo["state"] == "pending" and listed["can_review_photos"]
    private = requests.get(photo["url"], timeout=10).content
    assert b"PhoneMaker" not in private and not Image.open(io.BytesIO(private)).getexif()
    assert client.http.get(f"/tickets/{number}").json_body["photos"] == []

    review = client.http.post(f"/console/tickets/{number}/photos/{photo['name']}", headers=staff,
                              body=json.dumps({"public": True}))
    assert review.status_code == 200, review.body
    stored = stack.deps.tickets.by_number(number)
    from chalicelib.services.changes import on_change
    on_change(ticket, stored, stack.deps)  # what the table's stream runs
    s3 = stack.session.client("s3")
    public = s3.get_object(Bucket=stack.resources.site_bucket, Key=f"p/{number}/{photo['name']}")["Body"].read()
    assert b"PhoneMaker" not in public
    assert client.http.get(f"/tickets/{number}").json_body["photos"][0].endswith(f"/p/{number}/{photo['name']}")


@pytest.mark.parametrize("content_type, size, words", [("image/heic", 1000, "HEIC"), ("image/gif", 1000, "JPEG"),
                                                       ("image/png", 20 * 1024 * 1024, "8 MB")])
def test_an_upload_is_refused_before_anything_is_stored(client, content_type, size, words):
    answer = client.http.post("/uploads", headers={"Content-Type": "application/json"},
                              body=json.dumps({"content_type": content_type, "size": size}))
    assert answer.status_code == 400 and words in answer.json_body["message"]


def test_behind_a_stage_path_the_receipt_cookie_names_the_stage(client, monkeypatch):
    from chalicelib import bootstrap
    from chalicelib import config as names

    monkeypatch.setenv(names.API_URL, "https://abc.execute-api.example.com/api")
    bootstrap.deps.cache_clear()
    bootstrap.settings.cache_clear()
    answer = client.http.post("/intake", headers=FORM, body=form(description="南门路灯不亮"))
    number = header(answer, "location").split("/receipts/")[1].split("?")[0]
    assert header(answer, "location").startswith("https://abc.execute-api.example.com/api/receipts/")
    assert f"Path=/api/receipts/{number};" in header(answer, "set-cookie") and "Secure" in header(answer, "set-cookie")


def test_a_photo_is_checked_right_after_its_upload_and_the_original_forgotten(client, stack):
    good = upload(client, jpeg_with_gps())
    answer = client.http.post(f"/uploads/{good}?lang=zh-CN")
    assert answer.status_code == 200 and answer.json_body["photo"] == f"{good}.jpg"
    s3 = stack.session.client("s3")
    bucket = stack.resources.refs["UploadBucket"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"incoming/{good}").get("KeyCount") == 0  # original gone
    assert client.http.post(f"/uploads/{good}").status_code == 200  # checking again is harmless
    bad = upload(client, b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)
    refused = client.http.post(f"/uploads/{bad}?lang=zh-CN")
    assert refused.status_code == 400 and "HEIC" in refused.json_body["message"]
    assert client.http.post("/uploads/not-an-id").status_code == 404


def test_the_lookup_form_lands_on_the_case_page_or_says_there_is_none(client):
    number = client.http.post("/tickets", headers={"Content-Type": "application/json"},
                              body=json.dumps({"location": "e1", "category": "lights", "kind": "help",
                                               "description": "北门路灯闪烁"})).json_body["number"]
    found = client.http.get(f"/lookup?number={number}&lang=en")
    assert found.status_code == 303 and header(found, "location").endswith(f"/en/t/{number}.html")
    digits = number.replace("-", "")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in digits)  # full-width digits, as some keyboards type
    for typed in (digits, f"{digits[:8]}%20{digits[8:]}", quote(wide)):  # a number pad has no dash
        answer = client.http.get(f"/lookup?number={typed}")
        assert answer.status_code == 303 and header(answer, "location").endswith(f"/t/{number}.html"), typed
    for wrong in ("20990101-0001", "<script>", ""):
        missing = client.http.get(f"/lookup?number={wrong}")
        page = missing.body.decode()
        assert missing.status_code == 404 and "没有找到" in page and 'id="lookup"' in page  # try again here
        assert "<script>" not in page and "返回" not in page  # not the refused form's wording
        assert "form-action 'self'" in header(missing, "content-security-policy")  # its form may be sent


def test_a_receipt_opened_elsewhere_says_nothing_it_does_not_know(client):
    answer = client.http.post("/intake", headers=FORM, body=form(description="东门井盖松动", phone="13800138000"))
    number = header(answer, "location").split("/receipts/")[1].split("?")[0]
    html = client.http.get(f"/receipts/{number}").body.decode()
    assert 'id="sms"' not in html and "#k=" not in html
