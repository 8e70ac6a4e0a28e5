"""The other channels in Chromium against the local system: the hotline operator files a phoned-in
case with the keyboard alone (the caller gets the SMS receipt, the public page says 热线 and shows
no phone); the admin imports a mailbox export twice through the console (the second report: all
imported before, nothing new)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from infra.local.accounts import DEMO_PASSWORD
from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.test_scan_to_reply import api, sign_in

pytestmark = pytest.mark.e2e


def _outbox(running, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while text not in (page := urllib.request.urlopen(f"{running.site}/outbox/", timeout=10).read().decode()):
        assert time.monotonic() < deadline, f"no SMS with {text} in the outbox"
        time.sleep(0.5)
    return page


def test_an_operator_files_a_phoned_in_case_with_the_keyboard_alone(local_system, browser):
    caller = f"139{uuid.uuid4().int % 10**8:08d}"
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        sign_in(page, local_system, "operator", DEMO_PASSWORD)
        phone = page.locator("#hotline-form input[name=phone]")
        phone.wait_for(timeout=10000)
        assert page.evaluate("document.activeElement.name") == "phone"  # the screen opens on the caller's phone
        screenshot(page, f"console-hotline-{width}")
        if width == 390:
            context.close()
            continue

        started = time.monotonic()
        keys = page.keyboard
        keys.type(caller)
        keys.press("Enter")
        keys.type("人民公园")
        page.locator("#hotline-places li[aria-selected=true]", has_text="人民公园东门").wait_for()
        keys.press("Enter")  # the highlighted place, and on to the category
        assert "qh01" in page.inner_text(".hotline-chosen")
        for _ in range(3):  # a closed select moves option by option: 路灯照明, the third
            keys.press("ArrowDown")
        assert page.locator("#hotline-form select[name=category]").input_value() == "lights"
        keys.press("Enter")
        keys.press("Enter")  # the kind as it stands: complaint
        keys.type("人民公园东门北侧的路灯连续三个晚上不亮，老人晚上散步看不清台阶")
        keys.press("Control+Enter")
        number = page.locator("#hotline-number")
        number.wait_for(timeout=15000)
        filed = number.inner_text().strip()
        took = time.monotonic() - started
        assert re.fullmatch(r"\d{8}-\d{4,}", filed) and took < 60
        assert f"{caller[:3]}****{caller[-4:]}" in page.inner_text(".hotline-result")
        assert page.evaluate("document.activeElement.textContent") == "下一个来电（Alt+N）"
        screenshot(page, "console-hotline-filed-1280")

        # The caller's SMS receipt, the public page (channel hotline, no phone), who filed it.
        # (The caller's number is new each run: its SMS is this call's receipt — or, on a second
        # run against the same data, the "merged into the earlier report" message naming that one.)
        outbox = _outbox(local_system, f"{caller[:3]}****{caller[-4:]}")
        public = api("GET", f"{local_system.api}/tickets/{filed}")
        assert caller not in outbox and (filed in outbox or public["status"] == "merged")
        assert public["channel"] == "hotline" and caller not in str(public)
        html = urllib.request.urlopen(f"{local_system.site}/t/{filed}.html", timeout=10).read().decode()
        assert "热线" in html and caller not in html
        staff = api("GET", f"{local_system.api}/console/tickets/{filed}",
                    staff=local_system.staff("center", "dispatcher"))
        assert staff["events"][0]["by"] == "operator" and staff["contact"] == {"phone": caller}

        # The case in the console says its channel; Alt+N is the next call, an empty form.
        page.get_by_role("button", name="查看此诉求").click()
        page.locator(f".ticket[data-number='{filed}'] .meta", has_text="渠道：热线电话").wait_for(timeout=10000)
        page.locator("[data-tab=hotline]").click()
        phone.wait_for()
        keys.type("13")
        keys.press("Alt+n")
        assert phone.input_value() == "" and page.evaluate("document.activeElement.name") == "phone"
        print(f"\nhotline call filed with the keyboard in {took:.1f} s")
        context.close()


def test_a_call_where_no_place_fits_is_filed_at_the_address_the_caller_gives(local_system, desktop):
    sign_in(desktop, local_system, "dispatcher", DEMO_PASSWORD)
    desktop.locator("[data-tab=hotline]").click()
    desktop.locator("#hotline-form input[name=phone]").wait_for()
    keys = desktop.keyboard
    keys.type("13800138000")
    keys.press("Enter")
    keys.type("没有这个地方")
    desktop.get_by_text("没有匹配的点位。").wait_for()
    keys.press("Enter")  # no place fits: on to the address as the caller said it
    assert desktop.evaluate("document.activeElement.name") == "address"
    keys.type("清河区某某路 12 号")
    keys.press("Enter")
    keys.press("ArrowDown")
    keys.press("Enter")
    keys.press("Enter")
    keys.type("路口的井盖缺失，晚上很危险")
    keys.press("Control+Enter")
    number = desktop.locator("#hotline-number")
    number.wait_for(timeout=15000)
    public = api("GET", f"{local_system.api}/tickets/{number.inner_text().strip()}")
    assert public["channel"] == "hotline" and public["location"] is None
    assert public["address"] == "清河区某某路 12 号"


def test_the_admin_imports_a_mailbox_export_twice_and_files_it_once(local_system, browser, tmp_path):
    tag = uuid.uuid4().hex[:6]
    export = tmp_path / f"mailbox-{tag}.csv"
    export.write_text("\n".join([
        "source_id,received_at,channel,location,category,kind,description,phone",
        f"SZXX-{tag}-1,2026-11-18 08:45,mailbox,qh05,market,complaint,水渡口菜市场东侧摊位长期占道经营。,",
        f"SZXX-{tag}-2,2026-11-19,media,kf02,lights,complaint,科技园一期门口到公交站的路灯连续几晚不亮。,",
        f"SZXX-{tag}-3,2026-11-20,mailbox,nowhere,water,help,这一行的点位代码有误，应当被拒绝。,",
    ]), encoding="utf-8")
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        sign_in(page, local_system, "admin", DEMO_PASSWORD)
        page.locator("[data-tab=imports]").click()
        page.locator("#admin-imports input[type=file]").set_input_files(str(export))
        page.get_by_role("button", name="导入", exact=True).click()
        summary = page.locator(".import-report .notice")
        summary.wait_for(timeout=30000)
        if width == 1280:  # the first import
            assert summary.inner_text() == "新登记 2 件，已导入过 0 件，未导入 1 行。"
            refused = page.locator("#import-refused tbody tr")
            assert "没有这个点位" in refused.inner_text() and refused.locator("td").first.inner_text() == "4"
            numbers = page.locator("#import-accepted tbody tr button").all_inner_texts()
            assert len(numbers) == 2
            first = api("GET", f"{local_system.api}/tickets/{numbers[0]}")
            assert first["channel"] == "mailbox"
        else:  # the same file again: nothing new
            assert summary.inner_text() == "新登记 0 件，已导入过 2 件，未导入 1 行。"
            assert page.locator("#import-already tbody tr button").all_inner_texts() == numbers
        screenshot(page, f"console-import-report-{width}")
        context.close()


def _command(local_system, *args: str) -> subprocess.CompletedProcess[str]:
    """One of the commands beside `make run`, pointed at this running system as `make` would."""
    ports = local_system.ports
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "MASHANG_"))}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env={**env, **ports}, capture_output=True,
                          text=True, timeout=120)


def test_the_import_command_files_the_sample_export_once_and_the_key_command_issues_and_revokes(local_system):
    first = _command(local_system, "infra.local.imports", "infra/seed/imports-sample.csv")
    again = _command(local_system, "infra.local.imports", "infra/seed/imports-sample.csv")
    assert re.search(r"filed (\d+), imported before 0, refused 2", first.stdout), first.stdout + first.stderr
    filed = int(re.search(r"filed (\d+)", first.stdout).group(1))
    assert f"filed 0, imported before {filed}, refused 2" in again.stdout, again.stdout + again.stderr
    assert first.returncode == again.returncode == 1  # rows refused: said in the exit status too

    issued = _command(local_system, "infra.local.open311_keys", "issue", "命令行客户端")
    key_id = re.search(r"key (\w+) for 命令行客户端: api_key=(\w+)", issued.stdout)
    assert issued.returncode == 0 and key_id, issued.stdout + issued.stderr
    revoked = _command(local_system, "infra.local.open311_keys", "revoke", key_id.group(1))
    listed = _command(local_system, "infra.local.open311_keys", "list")
    assert revoked.returncode == 0 and f"{key_id.group(1)}  命令行客户端" in listed.stdout
    assert key_id.group(2) not in listed.stdout and "revoked" in listed.stdout.split(key_id.group(1))[1].splitlines()[0]


def test_make_rebuild_writes_the_pages_as_the_running_system_writes_them(local_system):
    """`make rebuild` renders with the twin's settings: its statistics page said it is rebuilt at most
    every 5 minutes (AWS's default) where the running system's says every minute, and its console
    signed staff in at AWS's user pools instead of the emulator's."""
    def read(key: str) -> str:
        return urllib.request.urlopen(f"{local_system.site}/{key}", timeout=10).read().decode()

    console = read("console/index.html")
    rebuilt = _command(local_system, "infra.local.rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert read("console/index.html") == console
    assert "最多每 1 分钟一次" in read("stats/index.html")
