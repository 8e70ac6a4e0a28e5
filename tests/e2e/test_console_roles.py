"""Each role's console job in Chromium against the running system: a dispatcher dispatches a
triaged case, the department's handler signs off and replies with its own template, the
supervisor finds the department in the rates and drills down; a dispatcher merges a duplicate
found by number, and a wrong number is answered in Chinese. A missing input is said before any
question, a move's question names the department; 3 extension days asked in the console move the
deadline 3 working days; the supervisor's rates fit a phone (one card per department)."""
from __future__ import annotations

import time

import pytest

from infra.local.accounts import DEMO_PASSWORD
from tests.e2e.conftest import STAFF_PASSWORD, screenshot
from tests.e2e.test_scan_to_reply import api, sign_in

pytestmark = pytest.mark.e2e


def _screened(running, location: str, description: str) -> str:
    number = api("POST", f"{running.api}/tickets", {"location": location, "category": "other",
                                                    "kind": "suggestion", "description": description})["number"]
    _until(running, number, "screened")
    return number


def _until(running, number: str, status: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while (ticket := api("GET", f"{running.api}/tickets/{number}"))["status"] != status:
        assert time.monotonic() < deadline, f"{number} never {status} (is {ticket['status']})"
        time.sleep(0.25)
    return ticket


def _dispatched_count(page, department: str) -> int:
    page.locator("[data-tab=rates]").click()
    row = page.locator("table.rates tr", has_text=department)
    row.wait_for(timeout=10000)
    return int(row.locator("td").nth(1).inner_text())


def test_dispatch_sign_off_reply_with_a_template_and_the_supervisors_rates(local_system, desktop, browser):
    supervisor = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(supervisor, local_system, "supervisor", DEMO_PASSWORD)
    before = _dispatched_count(supervisor, "淮阴区城市管理局")

    number = _screened(local_system, "hy01", "淮阴区文化广场东侧的健身器材缺少使用说明牌，老人不会用")
    sign_in(desktop, local_system, "dispatcher", DEMO_PASSWORD)
    card = desktop.locator(f".ticket[data-number='{number}']")
    card.wait_for(timeout=10000)
    card.locator("select[name=department]").select_option("hy-cgj")
    desktop.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="派单").click()
    _until(local_system, number, "dispatched")

    local_system.staff("hy-cgj")  # the department's handler account
    handler = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(handler, local_system, "test-handler-hy-cgj", STAFF_PASSWORD)
    handler.locator("[data-tab=templates]").click()
    template = "已在健身器材旁增设使用说明牌，并安排社区志愿者现场指导。"
    box = handler.locator("#list section", has_text="其他")
    box.locator("textarea").fill(template)
    box.get_by_role("button", name="保存").click()
    box.get_by_text("已保存 1 条").wait_for(timeout=10000)
    handler.locator("[data-tab=dispatched]").click()
    card = handler.locator(f".ticket[data-number='{number}']")
    handler.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="签收").click()
    card.wait_for(state="detached", timeout=10000)
    handler.locator("[data-tab=accepted]").click()
    card = handler.locator(f".ticket[data-number='{number}']")
    card.locator("select", has_text="插入答复模板").select_option(index=1)
    assert card.locator("textarea").first.input_value() == template
    screenshot(handler, "console-reply-template-390")
    handler.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="提交答复").click()
    assert _until(local_system, number, "replied")["reply"] == template

    deadline = time.monotonic() + 40  # the counters follow through the stream
    while _dispatched_count(supervisor, "淮阴区城市管理局") != before + 1:
        assert time.monotonic() < deadline, "the rates never counted the dispatch"
        time.sleep(1)
    screenshot(supervisor, "console-rates-desktop")
    supervisor.locator("table.rates button", has_text="淮阴区城市管理局").click()
    supervisor.locator("#summary", has_text="在办").wait_for(timeout=10000)


def test_a_dispatcher_merges_a_duplicate_opened_by_number(local_system, desktop):
    first = _screened(local_system, "kf02", "开发区体育中心北门共享单车堆满人行道，轮椅过不去")
    second = _screened(local_system, "kf03", "开发区图书馆门口积水很深，下雨天进不去")
    sign_in(desktop, local_system, "dispatcher", DEMO_PASSWORD)
    desktop.fill("#open-case [name=number]", "20000101-0001")
    desktop.click("#open-case button")
    desktop.locator("#summary", has_text="没有找到该编号的诉求").wait_for(timeout=10000)
    desktop.fill("#open-case [name=number]", second)
    desktop.click("#open-case button")
    desktop.locator("#summary", has_text=second).wait_for(timeout=10000)  # drawn, not the triage list's card
    card = desktop.locator(f".ticket[data-number='{second}']")
    card.locator("summary", has_text="并案").click()
    card.locator("input[inputmode=numeric]").fill("bad")
    desktop.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="并案（重复诉求）").click()
    card.locator(".error", has_text="并入的诉求编号有误").wait_for(timeout=10000)
    card.locator("input[inputmode=numeric]").fill(first)
    desktop.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="并案（重复诉求）").click()
    merged = _until(local_system, second, "merged")
    assert merged["merged_into"] == first
    card.locator(".status", has_text="已并案").wait_for(timeout=10000)  # the opened card drawn again
    assert api("GET", f"{local_system.api}/tickets/{first}")["supporters"] == 1


def test_a_missing_input_is_said_first_and_a_move_names_the_department(local_system, desktop):
    number = _screened(local_system, "hy02", "淮阴区汽车站出站口的盲道被护栏截断，盲人过不去")
    questions: list[str] = []
    desktop.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    sign_in(desktop, local_system, "dispatcher", DEMO_PASSWORD)
    card = desktop.locator(f".ticket[data-number='{number}']")
    card.wait_for(timeout=10000)
    desktop.locator("#counts .count").first.wait_for(timeout=10000)  # the counts drawn: nothing moves under a click
    assert card.locator("select[name=department]").input_value() == ""  # "other": no rule suggests one
    card.get_by_role("button", name="派单").click()
    card.locator(".error", has_text="请先选择“部门”，再点“派单”").wait_for(timeout=5000)
    assert questions == []  # nothing asked, nothing sent
    card.locator("summary", has_text="内部备注").click()
    card.get_by_role("button", name="添加备注").click()
    card.locator(".error", has_text="请先填写“内部备注（不公开）”").wait_for(timeout=5000)
    assert questions == []
    card.locator("select[name=department]").select_option("hy-cgj")
    card.get_by_role("button", name="派单").click()
    assert questions == [f"确定将工单 {number} 派给“淮阴区城市管理局”吗？"]  # dismissed: not dispatched
    assert api("GET", f"{local_system.api}/tickets/{number}")["status"] == "screened"
    screenshot(desktop, "console-missing-input-1280")


def test_an_extension_of_3_days_asked_in_the_console_moves_the_deadline_3_working_days(local_system, browser):
    from datetime import datetime, timedelta

    from chalicelib.domain.calendar import WorkCalendar
    from chalicelib.domain.deadlines import last_day

    number = _screened(local_system, "hy03", "淮阴区体育馆南侧排水沟盖板缺失，夜里有人踩空")
    dispatcher = local_system.staff("center", "dispatcher")
    api("POST", f"{local_system.api}/console/tickets/{number}/dispatch", {"department": "hy-cgj"}, dispatcher)
    _until(local_system, number, "dispatched")
    api("POST", f"{local_system.api}/console/tickets/{number}/accept", {}, local_system.staff("hy-cgj"))
    _until(local_system, number, "accepted")
    supervisor_token = local_system.staff("center", "supervisor")

    def reply_due() -> datetime:
        return datetime.fromisoformat(api("GET", f"{local_system.api}/console/tickets/{number}",
                                          staff=supervisor_token)["reply_due"])

    before = reply_due()

    handler = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(handler, local_system, "test-handler-hy-cgj", STAFF_PASSWORD)
    handler.locator("[data-tab=accepted]").click()
    card = handler.locator(f".ticket[data-number='{number}']")
    card.wait_for(timeout=10000)
    handler.locator("#counts .count").first.wait_for(timeout=10000)  # the counts drawn: nothing moves under a click
    card.locator("summary", has_text="申请延期").click()
    asked = card.locator("details", has_text="提交延期申请")
    send = asked.get_by_role("button", name="提交延期申请")
    send.focus()  # by the keyboard: the card grows as it is filled in, a pointer could miss
    handler.keyboard.press("Enter")  # no reason yet: said before any question
    card.locator(".error", has_text="请先填写“延期理由”").wait_for(timeout=5000)
    asked.locator("textarea").fill("盖板需定制，厂家供货要一周")
    asked.get_by_label("延期工作日数").fill("3")
    assert asked.locator("textarea").input_value() == "盖板需定制，厂家供货要一周"
    screenshot(handler, "console-extension-390")
    questions: list[str] = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        dialog.accept()

    handler.once("dialog", answer)
    send.focus()
    handler.keyboard.press("Enter")
    card.locator(".flag", has_text="申请延期 3 个工作日").wait_for(timeout=15000)  # drawn again, waiting
    assert questions == [f"确定为工单 {number} 申请延期 3 个工作日吗？"]

    supervisor = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(supervisor, local_system, "supervisor", DEMO_PASSWORD)
    supervisor.locator("[data-tab=extensions]").click()
    card = supervisor.locator(f".ticket[data-number='{number}']")
    card.locator(".flag", has_text="申请延期 3 个工作日").wait_for(timeout=10000)
    screenshot(supervisor, "console-extension-decision-1280")
    supervisor.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="同意延期").click()
    card.wait_for(state="detached", timeout=10000)
    final = last_day(before)
    assert last_day(reply_due()) == WorkCalendar().working_days(final, final + timedelta(days=20))[2]


def test_the_supervisors_rates_fit_a_phone(local_system, browser):
    for width in (390, 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        sign_in(page, local_system, "supervisor", DEMO_PASSWORD)
        page.locator("[data-tab=rates]").click()
        page.locator("table.rates tr", has_text="淮阴区城市管理局").wait_for(timeout=10000)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        wrap = page.locator("table.rates").evaluate("t => [t.parentNode.scrollWidth, t.parentNode.clientWidth]")
        assert wrap[0] <= wrap[1], wrap  # nothing scrolls sideways inside the card either
        statistics = page.locator("a[target=_blank][href*='stats']").first.get_attribute("href")
        assert statistics == f"{local_system.site}/stats/index.html"  # the statistics' front page (test_public_site)
        screenshot(page, f"console-rates-{width}")
        page.close()
