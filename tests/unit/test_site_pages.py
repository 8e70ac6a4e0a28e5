"""The shared pages against in-memory fakes: the planner (which pages a change touches), the
listing entries, coalescing, and what each page type shows."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.listings import (
    HALL,
    Entry,
    Membership,
    hall_page,
    memberships,
    refreshed_slowly,
    shared_pages,
    week_of,
)
from chalicelib.domain.model import Status
from chalicelib.services import actions, steps, tickets
from chalicelib.services.commands import AcceptTicket, HideContent, SubmitTicket
from chalicelib.services.site import build_page, every_page, keep_listings, rebuild_pending
from tests.builders import CITY, NOW, make_dispatched, make_ticket, submission
from tests.fakes import World, make_world

MONTH = f"{NOW:%Y-%m}"


@pytest.fixture
def world() -> World:
    # Nothing merged as a duplicate: the tests file many similar cases at one place.
    return make_world(data={**CITY, "policy": {**CITY["policy"], "duplicate_similarity": 2.0}})


def file(world: World, n: int = 1, **overrides: object) -> list[str]:
    numbers = []
    for i in range(n):
        body = submission(**{"description": f"人民公园东门的路灯坏了第{i}盏", **overrides})
        numbers.append(tickets.submit(SubmitTicket.parse(body), world.deps).number)
    world.deliver()
    return numbers


# --- the planner ---------------------------------------------------------------------------
def test_a_new_case_touches_its_listings_pages_and_the_statistics():
    ticket = make_ticket(number="20261123-0007")
    pages = shared_pages(None, ticket, frozenset({MONTH}))
    assert pages == {"hall/index", "hall/20261123-1", "l/e1", f"l/e1/{MONTH}", "hall/c/lights",
                     f"hall/c/lights/{MONTH}", "hall/a/east", f"hall/a/east/{MONTH}",
                     f"disclosure/{week_of(NOW)}", "disclosure/index", "stats", f"stats/{MONTH}"}


def test_the_summaries_are_the_statistics_the_boards_and_the_month_archives():
    pages = shared_pages(None, make_ticket(number="20261123-0007"), frozenset({MONTH}))
    assert {page for page in pages if refreshed_slowly(page)} == {
        f"l/e1/{MONTH}", f"hall/c/lights/{MONTH}", f"hall/a/east/{MONTH}", f"disclosure/{week_of(NOW)}",
        "disclosure/index", "stats", f"stats/{MONTH}"}
    assert not any(refreshed_slowly(page) for page in ("hall/index", "hall/20261123-1", "l/e1", "d/east-city"))


def test_the_first_case_of_a_new_hall_page_also_touches_the_page_before_it():
    assert "hall/20261123-1" in shared_pages(None, make_ticket(number="20261123-0021"))
    assert hall_page("20261123-0021") == "hall/20261123-2"
    assert "hall/20261123-1" not in shared_pages(None, make_ticket(number="20261123-0022"))


def test_a_change_nobody_sees_touches_no_shared_page():
    ticket = make_dispatched()
    waiting = replace(ticket, task_token="tok", task_stage="accept", version=3)
    assert shared_pages(ticket, waiting) == set()


def test_a_redispatch_touches_both_departments_and_moves_the_entry():
    before = make_dispatched("east-city")
    after = replace(before, events=list(before.events))
    after.status, after.department = Status.SCREENED, None
    after.dispatch("roads", accept_due=NOW, reply_due=NOW, at=NOW + timedelta(hours=1))
    pages = shared_pages(before, after, frozenset({MONTH}))
    assert {"d/east-city", "d/roads"} <= pages
    assert Membership("dept:east-city", before.number) not in memberships(after)


def test_a_case_stays_on_the_board_of_the_week_it_had_progress_in():
    ticket = make_dispatched()
    later = replace(ticket, events=list(ticket.events))
    later.accept("east-city", at=NOW + timedelta(days=7))
    weeks = {m.listing for m in memberships(later) if m.listing.startswith("week:")}
    assert weeks == {f"week:{week_of(NOW + timedelta(days=7))}"}
    assert f"disclosure/{week_of(NOW + timedelta(days=7))}" in shared_pages(ticket, later, frozenset({MONTH}))


def test_what_a_listing_shows_is_redacted_and_withheld_when_confidential():
    entry = Entry.of(make_ticket(description="路灯坏了，电话13812345678"))
    assert "13812345678" not in entry.text and "路灯坏了" in entry.text
    assert Entry.of(make_ticket(confidential=True)).text == ""


# --- keeping the listings ------------------------------------------------------------------------
def test_only_entries_that_changed_are_written_again(world):
    ticket = make_dispatched()
    keep_listings([(None, ticket, frozenset())], world.deps)
    listed = {m.listing for m in memberships(ticket)}
    assert world.listings.written == len(listed) and world.listings.notes == 2  # its week and its month
    waiting = replace(ticket, task_token="tok", task_stage="accept", version=3)
    keep_listings([(ticket, waiting, frozenset())], world.deps)  # a wait token: no listing shows it
    assert world.listings.written == len(listed) and world.listings.notes == 2
    accepted = replace(waiting, events=list(waiting.events))
    accepted.accept("east-city", at=NOW + timedelta(hours=1))
    # Screened, dispatched and signed off in one batch: written once, as it stands last.
    keep_listings([(ticket, waiting, frozenset()), (waiting, accepted, frozenset())], world.deps)
    assert world.listings.written == 2 * len(listed) and world.listings.notes == 2
    assert {entry.status for rows in world.listings.rows.values() for entry in rows.values()} == {"accepted"}
    keep_listings([(ticket, waiting, frozenset()), (waiting, accepted, frozenset())], world.deps)  # redelivered
    assert world.listings.written == 3 * len(listed)


# --- coalescing ------------------------------------------------------------------------------
def test_a_burst_of_changes_asks_for_one_build_and_each_page_is_written_once(world):
    file(world, 30)
    assert world.pages.wakes == 1
    written = rebuild_pending(world.deps)
    assert len(written) == len(set(written))
    assert world.pages.pending == set()


def test_a_page_that_fails_to_build_waits_for_the_next_build(world, monkeypatch):
    file(world)
    from chalicelib.services import site
    real = site.build_page
    monkeypatch.setattr(site, "build_page", lambda page, deps: (_ for _ in ()).throw(RuntimeError("boom"))
                        if page == "l/e1" else real(page, deps))
    rebuild_pending(world.deps)
    assert world.pages.pending == {"l/e1"}


# --- the pages ---------------------------------------------------------------------------------
def test_the_hall_pages_hold_twenty_cases_each_numbered_from_the_oldest_and_link_each_other(world):
    numbers = file(world, 25)
    rebuild_pending(world.deps)
    day = numbers[0][:8]
    first, second = world.site.text(f"hall/{day}-1.html"), world.site.text(f"hall/{day}-2.html")
    assert re.findall(r"/t/(\d{8}-\d{4})\.html", first) == sorted(numbers[:20], reverse=True)
    assert re.findall(r"/t/(\d{8}-\d{4})\.html", second) == sorted(numbers[20:], reverse=True)
    assert f"hall/{day}-2.html" in first and f"hall/{day}-1.html" in second
    front = re.findall(r"/t/(\d{8}-\d{4})\.html", world.site.text("hall/index.html"))
    assert front == sorted(numbers, reverse=True)[:20]


def test_the_place_page_lists_open_cases_first_and_links_its_monthly_archive(world):
    numbers = file(world, 2)
    numbers += file(world, 1, description="这里的路灯坏了傻逼")  # screened out: not open
    steps.screen(world.deps.tickets.by_number(numbers[-1]).id, world.deps)
    world.deliver()
    assert world.deps.tickets.by_number(numbers[-1]).status is Status.INVALID
    rebuild_pending(world.deps)
    html = world.site.text("l/e1.html")
    listed = re.findall(r"/t/(\d{8}-\d{4})\.html", html)
    assert listed == [numbers[1], numbers[0], numbers[2]]  # the invalid newest one last
    assert f"l/e1/{MONTH}.html" in html and "q/e1.html" in html
    assert set(re.findall(r"/t/(\d{8}-\d{4})\.html", world.site.text(f"l/e1/{MONTH}.html"))) == set(numbers)


def test_the_department_page_counts_its_overdue_cases_and_shows_its_rates(world):
    numbers = file(world, 2)
    for number in numbers:
        ticket = world.deps.tickets.by_number(number)
        steps.screen(ticket.id, world.deps)
        steps.dispatch(ticket.id, world.deps)
    actions.accept(numbers[1], "east-city", AcceptTicket.parse({}), world.deps)  # on time
    world.time.at = NOW + timedelta(days=2)  # the other one's sign-off deadline has passed
    world.deliver()
    rebuild_pending(world.deps)
    html = world.site.text("d/east-city.html")
    assert "超期 1 件" in html and "在办 2 件" in html
    assert "50.0%" in html  # signed off on time: 1 of 2 dispatched
    assert "1 overdue" in world.site.text("en/d/east-city.html")


def test_the_weekly_board_has_gongxians_columns_in_html_and_csv(world):
    numbers = file(world, 2)
    rebuild_pending(world.deps)
    week = week_of(NOW)
    html = world.site.text(f"disclosure/{week}.html")
    for column in ("状态", "内容", "办理期限", "承办单位", "责任人", "办理结果", "满意度"):
        assert f">{column}</th>" in html
    rows = list(csv.reader(io.StringIO(world.site.text(f"disclosure/{week}.csv").lstrip("\ufeff"))))
    assert rows[0] == ["编号", "状态", "内容", "办理期限", "承办单位", "责任人", "办理结果", "满意度"]
    assert sorted(row[0] for row in rows[1:]) == numbers
    assert week in world.site.text("disclosure/index.html")


def test_a_csv_cell_never_starts_a_formula(world):
    file(world, 1, description="=HYPERLINK(\"http://evil.test\",\"点我\") 路灯不亮")
    rebuild_pending(world.deps)
    rows = list(csv.reader(io.StringIO(world.site.text(f"disclosure/{week_of(NOW)}.csv").lstrip("\ufeff"))))
    assert rows[1][2].startswith("'=")


def test_a_hidden_text_shows_the_moderators_reason_on_listings_and_the_board(world):
    number = file(world, 1, description="路灯坏了，隔壁老王天天在这里骂人")[0]
    actions.hide(number, HideContent.parse({"target": "description", "reason": "abusive"}), "center", world.deps)
    world.deliver()
    rebuild_pending(world.deps)
    for key in ("hall/index.html", "l/e1.html", f"disclosure/{week_of(NOW)}.html", f"disclosure/{week_of(NOW)}.csv"):
        text = world.site.text(key)
        assert "老王" not in text and "隐藏" in text, key
    assert "Hidden by the moderator" in world.site.text("en/hall/index.html")


def test_every_shared_page_builds_with_no_cases_at_all(world):
    for page in every_page(world.deps.catalog()):
        assert build_page(page, world.deps), page
    assert "暂无案件" in dict((k, b) for k, b, _ in build_page("l/e1", world.deps))["l/e1.html"]


def test_listings_read_only_bounded_pages(world):
    file(world, 60)
    world.listings.reads = 0
    build_page("l/e1", world.deps)
    assert world.listings.reads == 51  # the latest 50, and one more to know there is an archive
    assert len(world.listings.latest(HALL, 1000)) == 60


def test_a_full_listing_with_every_field_long_stays_under_30_kb(world):
    """The worst a listing page holds: 51 cases at one place with long texts, replies, verdicts,
    departments and deadlines (entries put straight into the listings: this measures rendering)."""
    long = "路灯不亮而且旁边的井盖也松动了晚上行人很容易绊倒请尽快处理" * 6
    for n in range(1, 52):
        ticket = make_dispatched(number=f"20261123-{n:04d}", description=long)
        ticket.reply, ticket.overdue = long, True
        entry = Entry.of(ticket)
        world.listings.put([(m, entry) for m in memberships(ticket)])
    sizes = {key: len(body.encode()) for page in ("l/e1", "hall/c/lights", "hall/a/east", "hall/index",
                                                  "hall/20261123-1", "d/east-city")
             for key, body, _ in build_page(page, world.deps)}
    print(sizes)
    assert max(sizes.values()) < 30_000, sizes


def test_a_busy_weeks_board_is_paged_and_its_csv_holds_every_case(world):
    numbers = file(world, 70)
    rebuild_pending(world.deps)
    week = week_of(NOW)
    pages = [world.site.text(f"disclosure/{week}{suffix}.html") for suffix in ("", "-2", "-3")]
    listed = [n for html in pages for n in re.findall(r"t/(\d{8}-\d{4})\.html", html)]
    assert sorted(listed) == numbers and f"disclosure/{week}-4.html" not in world.site.pages
    assert all(f"disclosure/{week}-3.html" in html for html in pages[:2])  # each page links the others
    rows = list(csv.reader(io.StringIO(world.site.text(f"disclosure/{week}.csv").lstrip("\ufeff"))))
    assert len(rows) == 71


def test_a_confidential_case_is_listed_without_its_place_or_reply_and_not_on_its_place_page(world):
    number = file(world, 1, confidential=True)[0]
    ticket = world.deps.tickets.by_number(number)
    assert not any(m.listing.startswith("loc:") for m in memberships(ticket))
    ticket.reply = "已更换东门的灯具"
    entry = Entry.of(ticket)
    assert (entry.location, entry.text, entry.reply) == ("", "", "")
    rebuild_pending(world.deps)
    assert "hall/a/east.html" not in world.site.pages  # nor on its district's listing
    for key in ("hall/index.html", "hall/c/lights.html", f"disclosure/{week_of(NOW)}.csv"):
        assert "人民公园东门" not in world.site.text(key), key
    assert "l/e1" not in world.pages.pending and "l/e1.html" not in world.site.pages  # nothing to list there


def test_a_case_page_with_the_longest_text_and_reply_stays_under_30_kb(world):
    from chalicelib.services.commands import MAX_DESCRIPTION, MAX_REPLY
    from chalicelib.services.publish import ticket_page
    ticket = make_dispatched(description="路" * MAX_DESCRIPTION)
    ticket.reply = "灯" * MAX_REPLY
    for locale in ("zh-CN", "en"):
        assert len(ticket_page(ticket, world.deps.catalog(), world.deps, locale).encode()) < 30_000


def test_text_screened_out_for_banned_words_is_not_published_anywhere(world):
    number = file(world, 1, description="这个物业真是傻逼，路灯一直不修")[0]
    steps.screen(world.deps.tickets.by_number(number).id, world.deps)
    world.deliver()
    rebuild_pending(world.deps)
    for key in (f"t/{number}.html", f"en/t/{number}.html", "hall/index.html", "l/e1.html",
                f"disclosure/{week_of(NOW)}.csv"):
        assert "傻逼" not in world.site.text(key), key


def test_the_board_gives_the_deadline_that_applied_to_a_finished_case(world):
    ticket = make_dispatched()
    ticket.status = Status.CLOSED
    assert Entry.of(ticket).due is None and Entry.of(ticket).deadline == ticket.reply_due.isoformat()
