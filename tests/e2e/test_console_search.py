"""A dispatcher searches the console by category and exports the list as CSV, in a real Chromium
against the local system; the live counts sit above the tabs."""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest

from infra.local.accounts import DEMO_PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_scan_to_reply import api, sign_in

pytestmark = pytest.mark.e2e


def _listed(local_system, number: str, timeout: float = 30.0) -> None:
    """Wait until the case is listed (the stream keeps the listings) as dispatched."""
    deadline = time.monotonic() + timeout
    staff = local_system.staff("center", "dispatcher")
    while time.monotonic() < deadline:
        found = api("GET", f"{local_system.api}/console/search?number={number}", staff=staff)["cases"]
        if found and found[0]["status"] == "dispatched":
            return
        time.sleep(0.25)
    raise AssertionError(f"{number} was never listed as dispatched")


# Per run, texts with nothing in common with the other run's (never taken for a "me too").
TEXTS = {1280: ("=cmd|' /C calc'!A0 公园东门路灯整夜不亮", "公交站前路面塌陷"),
         390: ("=HYPERLINK(\"x\") 北侧灯杆倾斜闪烁", "站台积水漫过马路牙子")}


@pytest.mark.parametrize("width", [1280, 390])
def test_a_dispatcher_filters_by_category_and_exports_csv(local_system, browser, width):
    lights = api("POST", f"{local_system.api}/tickets", {
        "location": "qh01", "category": "lights", "kind": "complaint", "description": TEXTS[width][0],
        "phone": "13912345678"})["number"]
    roads = api("POST", f"{local_system.api}/tickets", {
        "location": "qh02", "category": "roads", "kind": "complaint", "description": TEXTS[width][1]})["number"]
    for number in (lights, roads):
        _listed(local_system, number)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, local_system, "dispatcher", DEMO_PASSWORD)
        page.locator("#counts [data-count='triage_new']").wait_for(timeout=10000)
        page.locator("#tabs button[data-tab='search']").click()
        form = page.locator("form.search")
        form.wait_for(timeout=10000)
        assert "近 90 天" in form.inner_text()
        form.locator("select[name=category]").select_option("lights")
        form.get_by_role("button", name="查询").click()
        page.locator(f".result[data-number='{lights}']").wait_for(timeout=10000)
        shown = page.locator(".result").evaluate_all("rows => rows.map(r => r.dataset.number)")
        assert lights in shown and roads not in shown
        screenshot(page, f"console-search-{width}")
        with page.expect_download(timeout=15000) as download:
            form.get_by_role("button", name="导出 CSV").click()
        raw = Path(download.value.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][0] == "案件编号" and rows[0][-1] == "联系电话"
        mine = next(r for r in rows if r[0] == lights)
        assert mine[-1] == "13912345678" and mine[rows[0].index("诉求内容")].startswith("'=")
        assert all(r[rows[0].index("问题类别")] == "路灯照明" for r in rows[1:]) and roads not in [r[0] for r in rows]
    finally:
        context.close()
    log = api("GET", f"{local_system.api}/console/access", staff=local_system.staff("center", "supervisor"))
    assert ("dispatcher", lights, "exported") in [(a["username"], a["number"], a["how"]) for a in log["accesses"]]
