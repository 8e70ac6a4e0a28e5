"""The admin's screens in Chromium against the local system: the demo admin adds a location through
the form, its intake page is on the site at once, its poster downloads with a QR code that opens
that page; the admin creates a staff account, who signs in with the temporary password and must
choose their own."""
from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

from infra.local.accounts import DEMO_PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_scan_to_reply import sign_in


def _accept_confirmations(page) -> None:  # type: ignore[no-untyped-def]
    page.on("dialog", lambda dialog: dialog.accept())


def _decoded(path: Path) -> str:
    """What the QR code in an image says, read by zbar (as a phone's camera reads it)."""
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, timeout=60)
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def test_the_admin_adds_a_location_and_downloads_its_poster(local_system, desktop, tmp_path):
    code = f"t{uuid.uuid4().hex[:6]}"
    _accept_confirmations(desktop)
    sign_in(desktop, local_system, "admin", DEMO_PASSWORD)
    locations = desktop.locator("#admin-locations")
    locations.wait_for(timeout=15000)
    screenshot(desktop, "console-admin-catalog-desktop")
    form = locations.locator("form.admin-form")
    form.locator("input[name=code]").fill(code)
    form.locator("input[name=name]").fill("东湖公园北门")
    form.locator("input[name=name_en]").fill("East Lake Park, north gate")
    form.locator("select").select_option("huaiyin")
    form.locator("input[name=address]").fill("淮阴区东湖路1号")
    form.get_by_role("button", name="保存").click()
    desktop.locator("#summary .notice", has_text="已保存").wait_for(timeout=30000)
    row = desktop.locator(f"#admin-locations tr[data-code={code}]")
    assert "东湖公园北门" in row.inner_text() and "淮阴区" in row.inner_text()

    intake = f"{local_system.site}/q/{code}.html"
    with desktop.expect_download(timeout=30000) as png:
        row.get_by_role("button", name="海报 PNG").click()
    saved = tmp_path / png.value.suggested_filename
    png.value.save_as(saved)
    assert saved.name == f"poster-{code}.png" and saved.read_bytes().startswith(b"\x89PNG")
    assert _decoded(saved) == intake
    with desktop.expect_download(timeout=30000) as pdf:
        row.get_by_role("button", name="海报 PDF").click()
    document = tmp_path / "poster.pdf"
    pdf.value.save_as(document)
    assert document.read_bytes().startswith(b"%PDF")

    # Without a restart: the intake page takes reports and the home page lists the place.
    desktop.goto(intake)
    assert "东湖公园北门" in desktop.inner_text("body")
    desktop.goto(f"{local_system.site}/")
    desktop.locator(f"a[href$='q/{code}.html']").wait_for(timeout=5000)


def test_a_refused_change_shows_the_apis_reason(local_system, desktop):
    _accept_confirmations(desktop)
    sign_in(desktop, local_system, "admin", DEMO_PASSWORD)
    form = desktop.locator("#admin-departments form.admin-form")
    form.wait_for(timeout=15000)
    form.locator("input[name=code]").fill("cgj")
    form.locator("input[name=name]").fill("市城市管理局")
    form.locator("select").select_option("cgj")
    form.get_by_role("button", name="保存").click()
    form.locator(".error", has_text="自己的上级").wait_for(timeout=10000)
    # a code the API refuses is named as typed, not as the address carried it
    places = desktop.locator("#admin-locations form.admin-form")
    places.locator("input[name=code]").fill("Dong Hu 1")
    places.get_by_role("button", name="保存").click()  # no name yet: said before any question
    places.locator(".error", has_text="请先填写“名称”").wait_for(timeout=5000)
    places.locator("input[name=name]").fill("东湖")
    places.get_by_role("button", name="保存").click()
    places.locator(".error", has_text="编码“Dong Hu 1”无效").wait_for(timeout=10000)
    assert "%20" not in places.locator(".error").inner_text()


def test_the_admin_creates_a_staff_account_who_chooses_a_password(local_system, browser, desktop, phone):
    username = f"zhou-{uuid.uuid4().hex[:5]}"
    _accept_confirmations(desktop)
    sign_in(desktop, local_system, "admin", DEMO_PASSWORD)
    desktop.get_by_role("button", name="员工账号").click()
    new = desktop.locator("#admin-new-account")
    new.wait_for(timeout=15000)
    new.locator("input[name=username]").fill(username)
    new.locator("input[name=name]").fill("周杰")
    new.locator("select").first.select_option("handler")
    new.locator("select").nth(1).select_option("cgj")
    new.get_by_role("button", name="创建账号").click()
    notice = desktop.locator("#summary .notice", has_text="临时密码")
    notice.wait_for(timeout=30000)
    password = re.search(r"临时密码：(\S+?)。", notice.inner_text()).group(1)
    desktop.locator(f".admin-account[data-username='{username}']").wait_for(timeout=10000)
    screenshot(desktop, "console-admin-accounts-desktop")
    # the same name again: the refusal names it
    new.locator("input[name=username]").fill(username)
    new.locator("input[name=name]").fill("周杰")
    new.get_by_role("button", name="创建账号").click()
    new.locator(".error", has_text=f"用户名“{username}”已被占用").wait_for(timeout=15000)
    screenshot(desktop, "console-admin-account-taken-1280")

    # The new member of staff signs in with it and is asked for their own password first.
    phone.goto(local_system.console)
    phone.fill("input[name=username]", username)
    phone.fill("input[name=password]", password)
    phone.get_by_role("button", name="员工登录").click()
    phone.locator("input[name=new_password]").wait_for(state="visible", timeout=10000)
    phone.fill("input[name=new_password]", "Zhou-own-password-1")
    phone.get_by_role("button", name="员工登录").click()
    phone.locator("#whoami", has_text=username).wait_for(timeout=10000)


def test_the_admin_screens_on_a_phone(local_system, phone):
    _accept_confirmations(phone)
    sign_in(phone, local_system, "admin", DEMO_PASSWORD)
    phone.locator("#admin-locations").wait_for(timeout=15000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(phone, "console-admin-catalog-phone")
    phone.get_by_role("button", name="员工账号").click()
    phone.locator("#admin-accounts").wait_for(timeout=15000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "console-admin-accounts-phone")
