"""The shared pages against the local AWS: listing entries in the table, the coalescing item and
its delayed queue message, and which objects each event writes."""
from __future__ import annotations

import time
from typing import Any

from chalicelib.domain.listings import HALL, Entry, Membership, week_of
from chalicelib.services import actions, tickets
from chalicelib.services.commands import AcceptTicket, SubmitTicket
from tests.builders import make_ticket, submission


def _entry(number: str) -> Entry:
    return Entry.of(make_ticket(number=number))


def test_listing_entries_read_back_newest_first_between_and_after(stack):
    listings = stack.deps.listings
    numbers = ["20261031-0002", "20261101-0001", "20261123-0001", "20261123-0002", "20261124-0001"]
    listings.put([(Membership("loc:e1", n), _entry(n)) for n in numbers] + [(Membership("loc:w1", "20261123-0003"),
                                                                              _entry("20261123-0003"))])
    assert [e.number for e in listings.latest("loc:e1", 2)] == ["20261124-0001", "20261123-0002"]
    assert [e.number for e in listings.latest("loc:e1", 5, before="20261101-0000")] == ["20261031-0002"]
    assert [e.number for e in listings.between("loc:e1", "20261101-0000", "20261130-9999")] == numbers[1:]
    assert listings.oldest_after("loc:e1", "20261031-9999").number == "20261101-0001"
    assert listings.oldest_after("loc:e1", "20261124-0001") is None
    listings.remove([Membership("loc:e1", "20261124-0001")])
    assert listings.latest("loc:e1", 1)[0].number == "20261123-0002"
    listings.note("weeks", {"2026-W47"})
    listings.note("weeks", {"2026-W48", "2026-W47"})
    assert listings.noted("weeks") == {"2026-W47", "2026-W48"} and listings.noted("none") == set()


def _messages(stack: Any) -> int:
    sqs = stack.session.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=stack.resources.page_queue_url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesDelayed"])


def test_marks_coalesce_into_one_build_message_per_lane_until_the_pages_are_taken(stack):
    pages = stack.deps.pages
    pages.mark({"hall/index", "l/e1"})
    pages.mark({"l/e1", "stats"})
    pages.mark({"d/east-city", "l/e1/2026-11"})
    assert _messages(stack) == 2  # the news and the summaries (statistics, month archive)
    assert pages.take() == {"hall/index", "l/e1", "stats", "d/east-city", "l/e1/2026-11"}
    assert pages.take() == set()
    pages.mark({"hall/index"})
    assert _messages(stack) == 3  # the next quiet period asks again


def test_summaries_are_built_at_most_once_per_slow_interval_and_the_news_at_once(stack):
    from chalicelib.adapters import dynamo

    models = dynamo.models_for(stack.deps.settings.table_name, stack.deps.settings.region)
    wakes: list[float] = []
    pages = dynamo.PendingPages(models, wakes.append, interval_seconds=0, slow_interval_seconds=3)
    pages.mark({"hall/index", "stats", "disclosure/2026-W48"})
    assert wakes == [0, 0]  # the summaries were never built: as soon as the news
    assert pages.take() == {"hall/index", "stats", "disclosure/2026-W48"}
    pages.mark({"l/e1", "stats/2026-11", "hall/a/qinghe/2026-11"})
    assert wakes[2] == 0 and 2 < wakes[3] <= 3  # the summaries wait for the rest of their interval
    assert pages.take() == {"l/e1"}
    pages.mark({"stats"})
    assert len(wakes) == 4  # their build is asked for already
    assert pages.take() == set()
    time.sleep(wakes[3])
    assert pages.take() == {"stats/2026-11", "hall/a/qinghe/2026-11", "stats"}
    assert pages.take() == set()


def test_a_new_case_writes_its_own_page_at_once_and_its_shared_pages_in_one_coalesced_build(stack):
    receipts = [tickets.submit(SubmitTicket.parse(submission(description=f"东门路灯坏了第{i}盏")), stack.deps)
                for i in range(3)]
    numbers = [r.number for r in receipts]
    stack.pump_until(lambda: stack.page("l/e1.html") is not None and all(n in stack.page("l/e1.html") for n in numbers))
    keys = {o["Key"] for o in stack.s3.list_objects_v2(Bucket=stack.resources.site_bucket)["Contents"]}
    day = numbers[0][:8]
    for prefix in ("", "en/"):
        assert {f"{prefix}t/{n}.html" for n in numbers} <= keys
        assert {f"{prefix}hall/index.html", f"{prefix}hall/{day}-1.html", f"{prefix}l/e1.html",
                f"{prefix}l/e1/{numbers[0][:4]}-{numbers[0][4:6]}.html", f"{prefix}hall/c/lights.html",
                f"{prefix}hall/a/east.html", f"{prefix}disclosure/index.html"} <= keys
    assert "东门路灯坏了第2盏" in stack.page("hall/index.html")
    assert [e.number for e in stack.deps.listings.latest(HALL, 10)] == numbers[::-1]


def test_the_objects_one_status_change_writes_are_the_planned_ones(stack, monkeypatch):
    receipt = tickets.submit(SubmitTicket.parse(submission()), stack.deps)
    ticket = stack.deps.tickets.by_number(receipt.number)
    stack.pump_until(lambda: stack.status_of(ticket.id) == "dispatched"
                     and "east-city" in str([e.department for e in stack.deps.listings.latest("loc:e1", 1)]))
    stack.pump_until(lambda: stack.deps.tickets.get(ticket.id).task_stage == "accept")
    stack.pump_until(lambda: stack.pages.once() == 0 and stack.stream.once() == 0)
    written: list[str] = []
    real_put = stack.deps.site.put  # every object goes through it
    monkeypatch.setattr(stack.deps.site, "put",
                        lambda key, body, *a, **k: (written.append(key), real_put(key, body, *a, **k))[1])
    actions.accept(receipt.number, "east-city", AcceptTicket.parse({}), stack.deps)
    stack.pump_until(lambda: "d/east-city.html" in written and any(k.startswith("stats/") for k in written))
    pages = {k.removeprefix("en/").rsplit(".", 1)[0] for k in written}
    month = f"{receipt.number[:4]}-{receipt.number[4:6]}"
    week = week_of(stack.deps.tickets.get(ticket.id).events[-1].at)
    stats = {p for p in pages if p.startswith("stats/")}
    assert pages - stats == {
        f"t/{receipt.number}", "hall/index", f"hall/{receipt.number[:8]}-1", "l/e1", f"l/e1/{month}",
        "hall/c/lights", f"hall/c/lights/{month}", "hall/a/east", f"hall/a/east/{month}", "d/east-city",
        f"disclosure/{week}", "disclosure/index"}
    assert "stats/index" in stats
    assert len(written) == len(set(written))  # each object once
