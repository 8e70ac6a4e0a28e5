"""What follows a stored change (the stream's handler) and submitting, against in-memory fakes."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import secret_matches
from chalicelib.domain.model import Outcome, Rating, Status
from chalicelib.services import steps, tickets
from chalicelib.services.commands import SubmitTicket
from chalicelib.services.publish import pages_for
from tests.builders import NOW, make_dispatched, make_ticket, submission
from tests.fakes import World, make_world
from tests.unit.test_steps import CITIZEN, dispatched


@pytest.fixture
def world() -> World:
    return make_world()


def test_a_submission_gets_the_days_next_number_and_keeps_only_the_secrets_digest(world):
    first = tickets.submit(SubmitTicket.parse(submission(phone=CITIZEN)), world.deps)
    second = tickets.submit(SubmitTicket.parse(submission()), world.deps)
    assert (first.number, second.number) == ("20261123-0001", "20261123-0002")
    assert first.page == "http://site.test/t/20261123-0001.html"
    secret = first.tracking.split("#k=")[1]
    stored = world.deps.tickets.by_number(first.number)
    assert secret_matches(secret, stored.secret_digest) and secret not in str(stored)
    assert CITIZEN not in str(stored) and world.deps.tickets.phone(stored.id) == CITIZEN


def test_a_submission_at_an_unknown_place_stores_nothing(world):
    with pytest.raises(NotFound):
        tickets.submit(SubmitTicket.parse(submission(location="nowhere")), world.deps)
    assert world.tickets.rows == {}


def test_a_new_case_starts_its_workflow_once_and_gets_its_page(world):
    receipt = tickets.submit(SubmitTicket.parse(submission()), world.deps)
    world.deliver()
    world.deliver(again=True)
    ticket_id = world.deps.tickets.by_number(receipt.number).id
    assert world.workflow.started == [ticket_id]
    assert "人民公园东门的路灯坏了三盏" in world.site.text(f"t/{receipt.number}.html")


def test_a_case_stored_already_finished_starts_no_workflow_but_is_counted_and_published(world):
    closed = make_dispatched("east-city")
    closed.accept("east-city", NOW)
    closed.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    closed.rate(Rating.SATISFIED, "", "citizen", 2, NOW)
    invalid = make_ticket()
    invalid.invalidate("too_short", NOW)
    for ticket in (closed, invalid):
        world.deps.tickets.add(ticket, None)
    world.deliver()
    assert world.workflow.started == []
    assert world.counters.total("satisfied#east-city", "") == 1
    assert f"t/{closed.number}.html" in world.site.pages and f"t/{invalid.number}.html" in world.site.pages


def test_a_case_stored_past_screening_starts_at_the_wait_it_is_in_without_being_screened_again(world):
    ticket = make_dispatched("east-city")
    world.deps.tickets.add(ticket, None)
    world.deliver()
    assert world.workflow.started == [ticket.id]
    # The execution's first step screens only a submitted case; this one routes to its wait.
    assert steps.screen(ticket.id, world.deps)["outcome"] == "dispatched"
    stored = world.deps.tickets.get(ticket.id)
    assert stored.status is Status.DISPATCHED and [e.kind for e in stored.events] == ["submitted", "dispatched"]


def test_a_change_of_the_wait_token_alone_rewrites_no_page(world):
    ticket_id = dispatched(world)
    world.deliver()
    written = len(world.site.writes)
    steps.hand_over(ticket_id, "accept", "tok", world.deps)
    world.deliver()
    assert len(world.site.writes) == written
    old, new = world.tickets.changes[-1]
    assert pages_for(old, new) == []


def test_a_status_change_rewrites_the_case_page(world):
    ticket_id = dispatched(world)
    old, new = world.tickets.changes[-1]
    assert pages_for(old, new) == [f"t/{new.number}.html", f"en/t/{new.number}.html"]
    world.deliver()
    assert "Dispatched" in world.site.text(f"en/t/{new.number}.html")
    world.deliver()
    assert "已派单" in world.site.text(f"t/{new.number}.html")
    assert world.deps.tickets.get(ticket_id).department == "east-city"


def test_the_policy_holiday_table_reaches_the_clock_without_replacing_it_on_read(world):
    clock = world.deps.clock
    assert not clock.calendar.is_working_day(date(2027, 1, 4))  # a holiday in the test city's table
    assert clock.calendar.is_working_day(date(2027, 1, 9))  # a make-up working day
    assert world.deps.clock is clock  # the same catalog gives the same clock
    world.deps.forget_catalog()
    assert world.deps.clock is not clock and world.deps.clock.calendar == clock.calendar


def test_next_step_times_the_wait_until_the_deadline(world):
    ticket_id = dispatched(world)
    ticket = world.deps.tickets.get(ticket_id)
    step = tickets.next_step(ticket, world.deps)
    assert step["timeout"] == world.deps.clock.seconds_until(ticket.accept_due)


def test_a_finished_cases_contact_is_set_to_be_deleted_after_the_retention_period(world):
    from datetime import timedelta

    from chalicelib.domain.model import Outcome, Rating

    ticket_id = dispatched(world)
    world.deliver()
    assert world.tickets.contact_expires == {}  # open: the contact is needed for SMS
    ticket = world.deps.tickets.get(ticket_id)
    ticket.accept("east-city", world.time.at)
    ticket.answer("east-city", "已修", Outcome.RESOLVED, world.time.at)
    ticket.rate(Rating.SATISFIED, "", "citizen", 2, world.time.at)
    world.deps.tickets.save(ticket)
    world.deliver()
    world.deliver(again=True)
    assert world.tickets.contact_expires == {ticket_id: world.time.at + timedelta(days=180)}


def test_an_invalid_case_without_a_phone_has_nothing_to_expire(world):
    receipt = tickets.submit(SubmitTicket.parse(submission(description="啊啊啊啊啊")), world.deps)
    ticket_id = world.deps.tickets.by_number(receipt.number).id
    steps.screen(ticket_id, world.deps)
    world.deliver()
    assert world.tickets.contact_expires == {}


def test_a_new_cases_pending_contact_is_kept_once_its_insert_is_handled(world):
    receipt = tickets.submit(SubmitTicket.parse(submission(phone=CITIZEN)), world.deps)
    ticket_id = world.deps.tickets.by_number(receipt.number).id
    assert world.tickets.pending == {ticket_id}
    world.deliver()
    assert world.tickets.pending == set()


def test_a_case_changed_several_times_in_one_batch_is_published_once_as_it_stands_last(world):
    from chalicelib.services.changes import on_changes

    receipt = tickets.submit(SubmitTicket.parse(submission()), world.deps)
    ticket_id = world.deps.tickets.by_number(receipt.number).id
    steps.screen(ticket_id, world.deps)
    steps.dispatch(ticket_id, world.deps)
    steps.hand_over(ticket_id, "accept", "tok", world.deps)
    on_changes(world.tickets.changes, world.deps)  # insert, screened, dispatched, token: one batch
    assert world.site.writes == [f"t/{receipt.number}.html", f"en/t/{receipt.number}.html"]
    assert "已派单" in world.site.text(f"t/{receipt.number}.html")
    assert world.workflow.started == [ticket_id]
    assert world.counters.total("dispatched#east-city", "2026-11") == 1


def test_a_batchs_new_cases_are_started_while_their_pages_are_written_and_a_failed_start_fails_the_batch(world):
    """Starting waits on the table and the workflows, writing pages mostly on rendering: side by side,
    a burst's batch takes the longer of the two instead of their sum (the stream handler's backlog)."""
    import threading

    from chalicelib.services.changes import on_changes

    receipt = tickets.submit(SubmitTicket.parse(submission()), world.deps)
    page = f"t/{receipt.number}.html"
    written = threading.Event()
    put, start = world.site.put, world.workflow.start

    def put_and_tell(key, body, **kwargs):  # type: ignore[no-untyped-def]
        put(key, body, **kwargs)
        written.set()

    def start_once_a_page_is_written(ticket_id: str) -> None:
        assert written.wait(timeout=5), "the pages were not written while the case was being started"
        start(ticket_id)

    world.site.put = put_and_tell  # type: ignore[method-assign]
    world.workflow.start = start_once_a_page_is_written  # type: ignore[method-assign]
    on_changes(world.tickets.changes, world.deps)
    assert world.workflow.started == [world.deps.tickets.by_number(receipt.number).id] and page in world.site.pages

    def refused(ticket_id: str) -> None:
        raise RuntimeError("throttled")

    world.workflow.start = refused  # type: ignore[method-assign]
    world.workflow.started.clear()
    with pytest.raises(RuntimeError, match="throttled"):  # the stream retries the batch
        on_changes(world.tickets.changes, world.deps)
