"""The demo history (services/history.py) against in-memory fakes and the demo city."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from chalicelib.domain.calendar import CHINA
from chalicelib.domain.listings import HALL, Entry
from chalicelib.domain.model import FINISHED_STATUSES, Rating, Status
from chalicelib.domain.redact import PHONE_MASK
from chalicelib.services.history import make_history, store_history
from tests.fakes import World, make_world

DEMO_CITY = json.loads((Path(__file__).resolve().parents[2] / "infra" / "seed" / "demo-city.json")
                       .read_text(encoding="utf-8"))


def demo_world() -> World:
    return make_world(data=DEMO_CITY)


@pytest.fixture(scope="module")
def history():
    world = demo_world()
    return world, make_history(world.deps)


def test_the_same_seed_and_time_give_the_same_history_ids_included():
    first, second = make_history(demo_world().deps), make_history(demo_world().deps)
    assert first == second
    assert make_history(demo_world().deps, seed=7) != first


def test_the_history_covers_every_place_category_department_kind_and_channel(history):
    world, tickets = history
    catalog = world.deps.catalog()
    assert 280 <= len(tickets) <= 300
    assert {t.location for t in tickets} == set(catalog.locations)
    assert {t.category for t in tickets} == set(catalog.categories)
    assert {t.district for t in tickets} == set(catalog.districts)
    dispatched_to = {e.data["department"] for t in tickets for e in t.events if e.kind == "dispatched"}
    assert dispatched_to == set(catalog.departments)
    assert {t.kind for t in tickets} == set(type(tickets[0].kind))
    assert {t.channel for t in tickets} == set(type(tickets[0].channel))


def test_the_history_has_every_fate_a_case_can_have(history):
    world, tickets = history
    now = world.deps.clock.now()
    statuses = Counter(t.status for t in tickets)
    assert statuses[Status.CLOSED] > 150 and statuses[Status.INVALID] >= 3 and statuses[Status.MERGED] >= 5
    assert sum(statuses[s] for s in (Status.DISPATCHED, Status.ACCEPTED, Status.REPLIED)) >= 10
    overdue = [t for t in tickets if t.is_open and t.overdue]
    assert len(overdue) >= 3 and all(t.reply_due and t.reply_due < now for t in overdue if t.status is Status.ACCEPTED)
    assert any(t.confidential for t in tickets)
    assert sum(t.supporters for t in tickets) == statuses[Status.MERGED]
    verdicts = Counter(e.data["rating"] for t in tickets for e in t.events if e.kind == "rated")
    assert all(verdicts[r.value] >= 10 for r in Rating)
    second_rounds = [t for t in tickets if t.round == 2]
    assert second_rounds and any(t.status is Status.CLOSED for t in second_rounds)
    kinds = Counter(e.kind for t in tickets for e in t.events)
    for kind in ("returned", "extension_approved", "extension_refused", "escalated", "callback_due", "reopened"):
        assert kinds[kind] >= 1, kind
    assert any(e.kind == "rated" and e.actor == "system" for t in tickets for e in t.events)  # default verdict


def test_every_case_is_numbered_from_its_filing_day_and_its_timeline_runs_forward_to_now(history):
    world, tickets = history
    now = world.deps.clock.now()
    by_day: dict[str, list[int]] = {}
    for ticket in tickets:
        day = ticket.created_at.astimezone(CHINA).strftime("%Y%m%d")
        assert ticket.number.startswith(day + "-")
        by_day.setdefault(day, []).append(int(ticket.number[-4:]))
        times = [e.at for e in ticket.events]
        assert times == sorted(times) and times[0] == ticket.created_at and times[-1] <= now
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_day.values())
    assert [t.number for t in tickets] == sorted(t.number for t in tickets)


def test_the_phone_numbers_left_in_the_text_never_reach_a_listing(history):
    _, tickets = history
    with_phone = [t for t in tickets if "0099" in t.description or "００９８" in t.description]
    assert len(with_phone) == 2
    for ticket in with_phone:
        text = Entry.of(ticket).text
        assert PHONE_MASK in text and "0099" not in text and "００９８" not in text


def test_departments_perform_clearly_differently(history):
    _, tickets = history

    def rates(department: str) -> tuple[float, float]:
        mine = [t for t in tickets if t.department == department]
        replied = [e for t in mine for e in t.events if e.kind == "replied"]
        late = sum(1 for t in mine for e in t.events if e.kind == "escalated" and e.data["stage"] == "reply")
        rated = [e.data["rating"] for t in mine for e in t.events if e.kind == "rated"]
        return late / max(1, len(replied)), rated.count("unsatisfied") / max(1, len(rated))

    good, bad = rates("swj"), rates("zjj")
    assert bad[0] > good[0] + 0.2 and bad[1] > good[1] + 0.15


def test_stored_history_is_counted_listed_and_published_by_the_stream_once():
    world = demo_world()
    stored = store_history(world.deps, cases=120)
    assert stored is not None and stored == len(world.tickets.rows)
    assert store_history(world.deps) is None and len(world.tickets.rows) == stored  # once per table
    world.deliver()
    tickets = list(world.tickets.rows.values())
    assert world.counters.total("submitted#all", "") == stored
    assert world.counters.total("dispatched#zjj", "") > 0 and world.counters.total("satisfied#swj", "") > 0
    assert len(world.listings.rows[HALL]) == stored
    assert all(f"t/{t.number}.html" in world.site.pages for t in tickets)
    open_ids = {t.id for t in tickets if t.status not in FINISHED_STATUSES}
    assert set(world.workflow.started) == open_ids  # nothing started for finished cases
    assert {"hall/index", "stats", "disclosure/index"} <= world.pages.pending
