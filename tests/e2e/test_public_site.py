"""The public accountability site as a visitor meets it in `make run` (the demo city with its
seeded history): every page type at 390 px and 1280 px (screenshots), under 30 KB of HTML, no
serious accessibility problem, lookup by number without JavaScript, the English version, and a
new case reaching its page within 2 s and the shared pages within 15 s."""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.e2e.conftest import ROOT, Running, screenshot, start_runner, stop_runner
from tests.e2e.test_scan_to_reply import wait_for_text
from tests.support import twin_ports

pytestmark = pytest.mark.e2e
AXE = ROOT / "infra" / "node_modules" / "axe-core" / "axe.min.js"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode()


def wait_for(url: str, text: str, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if text in fetch(url):
                return time.monotonic() - started
        except urllib.error.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not show {text!r} within {timeout} s")


@pytest.fixture(scope="module")
def local_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`make run` as a new user gets it: the demo city with its history (the other browser tests
    share a system without it, so that background work does not slow them)."""
    process, urls = start_runner({
        **twin_ports(), "MASHANG_QR_DIR": str(tmp_path_factory.mktemp("qr")),
        "MASHANG_STATE_DIR": str(tmp_path_factory.mktemp("state")), "MASHANG_DEMO_HISTORY": "300",
        # The summaries (month archives, boards, statistics) as often as the listings: the pages
        # below are looked at while the history is still being published.
        "MASHANG_SLOW_PAGE_INTERVAL_SECONDS": "10"})
    yield Running(urls["API"], urls["Site"].rstrip("/"), urls["Console"], Path("."))
    stop_runner(process)


@pytest.fixture(scope="module")
def page_types(local_system) -> dict[str, str]:
    """One URL of each page type, found by following the site's own links from the hall."""
    site = local_system.site
    wait_for(f"{site}/hall/index.html", "t/", 240)  # the seeded history has been published
    hall = fetch(f"{site}/hall/index.html")
    # The newest case with a department (the newest of all may still wait for a dispatcher).
    cases = [urljoin(f"{site}/hall/index.html", link)
             for link in re.findall(r'href="([^"]*t/\d{8}-\d{4}\.html)"', hall)]
    case, department = next((url, found.group(1)) for url in cases
                            if (found := re.search(r'href="([^"]+/d/[^"/]+\.html)"', fetch(url))))
    day = re.search(r'href="([^"]+/hall/\d{8}-\d+\.html)"', hall).group(1)
    wait_for(f"{site}/l/qh01.html", "/t/", 30)
    place = fetch(f"{site}/l/qh01.html")
    archive = re.search(r'href="([^"]+/l/qh01/\d{4}-\d{2}\.html)"', place).group(1)
    weeks = fetch(f"{site}/disclosure/index.html")
    board = re.search(r'href="([^"]+/disclosure/\d{4}-W\d{2}\.html)"', weeks).group(1)
    category = re.search(r'href="([^"]+/hall/c/[^"/]+\.html)"', hall).group(1)
    district = re.search(r'href="([^"]+/hall/a/[^"/]+\.html)"', hall).group(1)
    found = {"case": case, "hall": f"{site}/hall/index.html", "day": day, "place": f"{site}/l/qh01.html",
             "archive": archive, "category": category, "district": district, "department": department,
             "stats": f"{site}/stats/index.html", "board": board, "weeks": f"{site}/disclosure/index.html",
             "home": f"{site}/"}
    for url in found.values():  # a link may be written a moment before the page it names
        for locale_url in (url, url.replace(f"{site}/", f"{site}/en/", 1)):
            wait_for(locale_url, "</html>", 30)
    return found


def test_every_page_type_exists_in_both_languages_under_30_kb(page_types, local_system):
    sizes = {}
    for url in page_types.values():
        for locale_url in (url, url.replace(local_system.site + "/", local_system.site + "/en/", 1)):
            body = fetch(locale_url)
            sizes[locale_url.removeprefix(local_system.site)] = len(body.encode())
            assert len(body.encode()) < 30_000, (locale_url, len(body.encode()))
            assert "<script>" not in body.replace('<script type="application/json" id="page-data">', "")
    print("\npage sizes (bytes of HTML+CSS):", json.dumps(sizes, indent=1))


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_type_at_phone_and_desktop_width(page_types, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "http://localhost", "data:")) else None)
    for name, url in page_types.items():
        page.goto(url)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, overflow)
        screenshot(page, f"site-{name}-{width}")
    assert outside == []
    context.close()


def test_axe_finds_no_serious_or_critical_problem_on_any_page_type(page_types, browser, local_system):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    found = {}
    for url in page_types.values():
        for locale_url in (url, url.replace(local_system.site + "/", local_system.site + "/en/", 1)):
            page.goto(locale_url)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => (await axe.run()).violations.map(v => [v.id, v.impact, v.nodes.length])")
            found[locale_url] = [v for v in result if v[1] in ("serious", "critical")]
    assert all(not problems for problems in found.values()), found
    context.close()


def test_lookup_by_number_lands_on_the_case_page_without_javascript(page_types, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    number = re.search(r"/t/(\d{8}-\d{4})\.html", page_types["case"]).group(1)
    page.goto(page_types["hall"])
    page.fill("#lookup-number", number)
    page.click("#lookup button[type=submit]")
    page.wait_for_url(re.compile(rf".*/t/{number}\.html"))
    assert number in page.inner_text("h1, body")
    page.goto(page_types["place"])
    page.fill("#lookup-number", "20200101-9999")
    page.click("#lookup button[type=submit]")
    assert "20200101-9999" in page.inner_text("body")  # the clear "no such case" page
    context.close()


def test_a_new_case_shows_on_its_page_within_2_s_and_on_the_shared_pages_within_15_s(local_system, phone):
    phone.goto(f"{local_system.site}/q/qh02.html")
    phone.get_by_text("市容环卫", exact=True).click()
    phone.get_by_text("投诉", exact=True).click()
    phone.fill("#description", "公共厕所洗手池的水龙头坏了一直在漏水")
    phone.click("#intake button[type=submit]")
    phone.wait_for_url(re.compile(r".*/receipts/\d{8}-\d{4}"))
    number = re.search(r"/receipts/(\d{8}-\d{4})", phone.url).group(1)
    filed = time.monotonic()
    page_s = wait_for(f"{local_system.site}/t/{number}.html", number, 10)
    for path in ("hall/index.html", "l/qh02.html", "en/l/qh02.html", "hall/c/sanitation.html"):
        wait_for(f"{local_system.site}/{path}", number, 30)
    shared_s = time.monotonic() - filed
    print(f"\ncase page after {page_s:.1f} s, shared pages after {shared_s:.1f} s")
    assert page_s <= 2.5 and shared_s <= 15


def test_the_english_hall_speaks_english(page_types, browser, local_system):
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(page_types["hall"].replace(local_system.site + "/", local_system.site + "/en/", 1))
    assert "Case hall" in page.inner_text("h1")
    wait_for_text(page, page.url, "Statistics", timeout=5)
    context.close()
