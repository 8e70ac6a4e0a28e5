"""The citizen's side as a person meets it: a poster on the wall (decoded from PNG, SVG and the
printed PDF), a phone-sized browser with and without JavaScript, a photo carrying GPS data, a
double tap, accessibility, English, and receipts that say what happened."""
from __future__ import annotations

import io
import json
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.test_scan_to_reply import api, wait_for_text
from tests.integration.test_posters import decode, rasterise_pdf, rasterise_svg

pytestmark = pytest.mark.e2e
AXE = ROOT / "infra" / "node_modules" / "axe-core" / "axe.min.js"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


def staff(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def photo_with_gps(path: Path) -> Path:
    image = Image.new("RGB", (1600, 1200), (30, 110, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (33.0, 35.0, 12.0), "E", (119.0, 1.0, 30.0)
    image.save(path, format="JPEG", exif=exif)
    assert Image.open(path).getexif().get_ifd(0x8825)
    return path


def test_the_poster_decodes_from_png_svg_and_print_and_opens_on_a_phone(local_system, phone, tmp_path):
    intake = f"{local_system.site}/q/qh01.html"
    png = tmp_path / "qh01.png"
    png.write_bytes(fetch(f"{local_system.site}/posters/qh01.png"))
    assert decode(png) == [intake]
    svg = fetch(f"{local_system.site}/posters/qh01.svg").decode()
    assert decode(rasterise_svg(svg, tmp_path / "svg.png")) == [intake]
    (tmp_path / "pdf").mkdir()
    (tmp_path / "sheet").mkdir()
    pages = rasterise_pdf(fetch(f"{local_system.site}/posters/qh01.pdf"), tmp_path / "pdf")  # 150 dpi
    assert [decode(page) for page in pages] == [[intake]]
    sheet = rasterise_pdf(fetch(f"{local_system.site}/posters/district-qinghe.pdf"), tmp_path / "sheet")
    found = {url for page in sheet for url in decode(page)}
    assert found and found <= {f"{local_system.site}/q/qh0{n}.html" for n in range(1, 8)}
    assert (local_system.qr_dir / "qh01.pdf").exists()  # the same files, for printing from disk

    phone.goto(decode(png)[0])
    assert "人民公园东门" in phone.inner_text("h1")
    phone.goto(f"{local_system.site}/posters/")
    assert "district-qinghe.pdf" in phone.content()
    screenshot(phone, "posters-390")


@pytest.mark.parametrize("width, height", [(320, 640), (390, 844)])
def test_the_submit_button_is_in_reach_and_the_page_is_light(browser, local_system, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())))
    page.goto(f"{local_system.site}/q/qh02.html", wait_until="networkidle")
    box = page.locator("#submit").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= height  # no hunting: on screen at once
    print(f"\nintake page at {width}x{height}: {sum(sizes)} bytes in {len(sizes)} responses")
    assert sum(sizes) < 50_000
    screenshot(page, f"intake-{width}")
    context.close()


def test_axe_finds_no_serious_or_critical_problem(browser, local_system):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    found = {}
    for url in (f"{local_system.site}/q/qh01.html", f"{local_system.site}/en/q/qh01.html", f"{local_system.site}/",
                f"{local_system.site}/posters/"):
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => (await axe.run()).violations.map(v => [v.id, v.impact, v.nodes.length])")
        found[url] = [v for v in result if v[1] in ("serious", "critical")]
    print(f"\naxe: {json.dumps(found)}")
    assert all(not problems for problems in found.values()), found
    context.close()


def test_a_photo_with_gps_and_a_double_tap_file_one_case_and_publish_a_clean_photo(local_system, phone, tmp_path):
    posts: list[str] = []
    phone.on("request", lambda request: posts.append(request.url) if request.method == "POST"
             and request.url.endswith("/intake") else None)
    phone.goto(f"{local_system.site}/q/qh03.html")
    phone.get_by_text("市容环卫", exact=True).click()
    phone.get_by_text("投诉", exact=True).click()
    phone.fill("#description", "政务服务中心门口垃圾桶满溢两天无人清运")
    phone.set_input_files("#photo-input", str(photo_with_gps(tmp_path / "IMG_0001.jpg")))
    phone.locator("#thumbs input[name=photos]").wait_for(state="attached", timeout=15000)  # uploaded
    screenshot(phone, "intake-photo-390")
    phone.locator("#submit").dblclick()
    phone.wait_for_url("**/receipts/**", timeout=15000)
    number = phone.inner_text("#number").strip()
    canary = api("POST", f"{local_system.api}/tickets", {"location": "kf02", "category": "roads", "kind": "help",
                                                         "description": "科技园门口路面塌陷"})["number"]
    assert int(canary.rsplit("-", 1)[1]) == int(number.rsplit("-", 1)[1]) + 1  # nothing filed in between
    assert len(posts) == 1
    phone.wait_for_selector("#receipt:not([data-state='processing'])", timeout=30000)
    screenshot(phone, "receipt-390")

    view = staff("GET", f"{local_system.api}/console/inbox?status=dispatched",
                 headers=local_system.staff(api("GET", f"{local_system.api}/tickets/{number}")["department"]))
    photo = next(t for t in view["tickets"] if t["number"] == number)["staff_photos"][0]
    assert photo["state"] == "pending"
    assert b"PhoneMaker" not in fetch(photo["url"])  # staff see it at once, already clean
    page_url = f"{local_system.site}/t/{number}.html"
    assert photo["name"] not in fetch(page_url).decode()  # not public before approval
    staff("POST", f"{local_system.api}/console/tickets/{number}/photos/{photo['name']}", {"public": True},
          local_system.staff("center", "dispatcher"))
    wait_for_text(phone, page_url, photo["name"].rsplit(".", 1)[0])
    public = fetch(f"{local_system.site}/p/{number}/{photo['name']}")
    image = Image.open(io.BytesIO(public))
    assert not image.getexif() and b"PhoneMaker" not in public and b"GPS" not in public
    screenshot(phone, "ticket-photo-390")


def test_without_javascript_the_form_posts_and_ends_on_the_receipt(browser, local_system):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{local_system.site}/q/hy04.html")
    assert page.locator("#photo-box").is_hidden()  # photos need the script; the rest does not
    page.get_by_text("道路交通", exact=True).click()
    page.fill("#description", "汽车站出站口红绿灯不亮")
    page.fill("#phone", "13700001111")
    with page.expect_navigation():
        page.click("#submit")
    page.wait_for_url("**/receipts/**")
    assert "13700001111" not in page.url and "description" not in page.url and "#k=" not in page.url
    number = page.inner_text("#number").strip()
    assert "#k=" in page.get_attribute("#tracking", "href") and "短信" in page.inner_text("#sms")
    deadline = time.monotonic() + 30
    while page.get_attribute("#receipt", "data-state") == "processing":  # it refreshes itself, no script
        assert time.monotonic() < deadline
        page.wait_for_timeout(500)
    assert page.get_attribute("#receipt", "data-state") == "dispatched"
    screenshot(page, "receipt-nojs-390")
    assert api("GET", f"{local_system.api}/tickets/{number}")["description"] == "汽车站出站口红绿灯不亮"
    context.close()


def test_a_screened_out_case_says_so_and_what_to_do(browser, local_system):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{local_system.site}/q/kf05.html")
    page.get_by_text("其他", exact=True).click()
    page.fill("#description", "哈哈哈哈")
    with page.expect_navigation():
        page.click("#submit")
    page.wait_for_selector("#receipt[data-state='invalid']", timeout=30000)
    text = page.inner_text("#receipt")
    assert "未予受理" in text and "内容无法识别" in text and "12345" in text and "提交成功" not in text
    assert page.get_attribute("#again", "href") == f"{local_system.site}/q/kf05.html"
    screenshot(page, "receipt-invalid-390")
    context.close()


def test_the_page_switches_to_english(local_system, phone):
    phone.goto(f"{local_system.site}/q/qh01.html")
    phone.get_by_role("link", name="English").click()
    phone.wait_for_url("**/en/q/qh01.html")
    assert "People's Park" in phone.inner_text("h1") and "Send report" in phone.inner_text("#submit")
    screenshot(phone, "intake-en-390")
    phone.get_by_text("Street lights", exact=True).click()
    phone.fill("#description", "The street light at the gate is out")
    phone.click("#submit")
    phone.wait_for_url("**/receipts/**")
    assert "Your case number" in phone.content()
    assert "/en/t/" in phone.get_attribute("#page", "href")


def test_a_flood_from_one_phone_gets_a_polite_429_and_loses_nothing(browser, tmp_path_factory):
    """A system of its own with the limits on (the shared one runs without: the whole suite is one
    loopback client): two filings a minute, the third refused in Chinese, the first two kept."""
    from tests.e2e.conftest import start_runner, stop_runner
    from tests.support import twin_ports

    process, urls = start_runner({
        **twin_ports(), "MASHANG_QR_DIR": str(tmp_path_factory.mktemp("qr")),
        "MASHANG_STATE_DIR": str(tmp_path_factory.mktemp("state")), "MASHANG_LIMITS": "on",
        "MASHANG_LIMIT_SUBMIT": "2/1m:2"})
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        page = context.new_page()
        numbers = []
        for text in ("东门路灯不亮", "西门路灯也不亮", "南门路灯还是不亮"):
            page.goto(f"{urls['Site'].rstrip('/')}/q/qh01.html")
            page.get_by_text("路灯照明", exact=True).click()
            page.fill("#description", text)
            with page.expect_navigation() as navigation:
                page.click("#submit")
            answer = navigation.value
            if "/receipts/" in page.url:
                numbers.append(page.inner_text("#number").strip())
        assert len(numbers) == 2
        assert answer is not None and answer.status == 429 and answer.headers.get("retry-after")
        message = page.inner_text("#message")
        assert "提交过于频繁" in message and "秒后再试" in message
        screenshot(page, "intake-429-390")
        for number in numbers:  # what was accepted is kept
            assert api("GET", f"{urls['API']}/tickets/{number}")["number"] == number
        context.close()
    finally:
        stop_runner(process)


def test_the_citizen_pages_at_desktop_width(local_system, desktop):
    for name, url in (("intake-1280", f"{local_system.site}/q/hy02.html"),
                      ("intake-en-1280", f"{local_system.site}/en/q/hy02.html"),
                      ("posters-1280", f"{local_system.site}/posters/")):
        desktop.goto(url)
        screenshot(desktop, name)
    desktop.goto(f"{local_system.site}/q/hy02.html")
    desktop.get_by_text("物业管理", exact=True).click()
    desktop.fill("#description", "小区电梯经常停运，物业不处理")
    desktop.click("#submit")
    desktop.wait_for_selector("#receipt:not([data-state='processing'])", timeout=30000)
    screenshot(desktop, "receipt-1280")
    number = desktop.inner_text("#number").strip()
    desktop.click("#page")
    desktop.wait_for_url("**/t/*.html")
    screenshot(desktop, "ticket-1280")
    desktop.goto(f"{local_system.site}/")  # the lookup address a poster prints
    desktop.fill("#lookup-number", number)
    screenshot(desktop, "home-1280")
    desktop.click("#lookup button")
    desktop.wait_for_url(f"**/t/{number}.html")
    desktop.goto(f"{local_system.site}/")
    desktop.fill("#lookup-number", "20990101-0001")
    desktop.click("#lookup button")
    assert "没有找到编号为 20990101-0001 的诉求" in desktop.inner_text("#message")
