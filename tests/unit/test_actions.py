"""Staff and citizen actions against in-memory fakes: each action, refusals that write nothing,
conflicts decided again, and the waiting step resumed once after the write."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.deadlines import last_day
from chalicelib.domain.errors import ConcurrentUpdate, Forbidden, InvalidTransition, NotYourTicket
from chalicelib.domain.model import Status
from chalicelib.services import actions, steps
from chalicelib.services.commands import (
    AcceptTicket,
    AskExtension,
    DecideExtension,
    DispatchTicket,
    RateTicket,
    ReplyTicket,
    ReturnTicket,
)
from tests.builders import DISPATCHER_PHONE, SUPERVISOR_PHONE
from tests.fakes import World, make_world
from tests.unit.test_steps import CITIZEN, dispatched, filed, screened

ROADS_HANDLER = "13700000001"


@pytest.fixture
def world() -> World:
    return make_world()


def number_of(world: World, ticket_id: str) -> str:
    return world.deps.tickets.get(ticket_id).number


def waiting(world: World, ticket_id: str, stage: str, token: str) -> str:
    steps.hand_over(ticket_id, stage, token, world.deps)
    return number_of(world, ticket_id)


def test_accepting_resumes_the_waiting_step_once(world):
    ticket_id = dispatched(world)
    number = waiting(world, ticket_id, "accept", "tok-a")
    ticket = actions.accept(number, "east-city", AcceptTicket(note="马上处理"), world.deps)
    assert ticket.status is Status.ACCEPTED and ticket.task_token is None
    assert [token for token, _ in world.workflow.succeeded] == ["tok-a"]
    assert world.workflow.succeeded[0][1]["outcome"] == "accepted"


def test_another_departments_or_a_wrong_state_action_writes_nothing(world):
    ticket_id = dispatched(world)
    number, writes = number_of(world, ticket_id), world.tickets.writes
    with pytest.raises(NotYourTicket):
        actions.accept(number, "roads", AcceptTicket(), world.deps)
    with pytest.raises(InvalidTransition):
        actions.reply(number, "east-city", ReplyTicket(text="已修"), world.deps)
    assert world.tickets.writes == writes


def test_an_action_meeting_a_concurrent_change_is_decided_again_on_the_fresh_copy(world):
    ticket_id = dispatched(world)
    number = number_of(world, ticket_id)
    world.tickets.interfere(ticket_id, lambda t: t.wait_for("accept", "tok-late"))
    ticket = actions.accept(number, "east-city", AcceptTicket(), world.deps)
    assert [e.kind for e in ticket.events].count("accepted") == 1
    assert [token for token, _ in world.workflow.succeeded] == ["tok-late"]  # the newer token was answered


def test_a_conflict_that_keeps_coming_gives_up_with_a_conflict(world):
    ticket_id = dispatched(world)
    for _ in range(3):
        world.tickets.interfere(ticket_id)
    with pytest.raises(ConcurrentUpdate):
        actions.accept(number_of(world, ticket_id), "east-city", AcceptTicket(), world.deps)


def test_a_return_goes_back_to_triage_tells_the_dispatcher_and_counts_once(world):
    ticket_id = dispatched(world)
    number = waiting(world, ticket_id, "accept", "tok-r")
    world.tickets.interfere(ticket_id)
    actions.give_back(number, "east-city", ReturnTicket(reason="属于交通部门"), world.deps)
    world.deliver()
    world.deliver(again=True)
    assert world.deps.tickets.get(ticket_id).status is Status.RETURNED
    assert world.counters.total("returns#east-city", "2026-11") == 1
    assert len(world.sms.to(DISPATCHER_PHONE)) == 1


def test_a_return_after_the_window_is_refused(world):
    ticket_id = dispatched(world)
    world.time.at += timedelta(days=5)
    with pytest.raises(InvalidTransition, match="window"):
        actions.give_back(number_of(world, ticket_id), "east-city", ReturnTicket(reason="不归我们"), world.deps)


def test_manual_dispatch_under_a_conflict_counts_once_and_tells_the_department_once(world):
    ticket_id = screened(world, category="other")
    number = waiting(world, ticket_id, "triage", "tok-t")
    world.tickets.interfere(ticket_id)
    actions.dispatch_by_hand(number, "center", DispatchTicket(department="roads"), world.deps)
    world.deliver()
    world.deliver(again=True)
    ticket = world.deps.tickets.get(ticket_id)
    assert (ticket.department, ticket.events[-1].actor) == ("roads", "center")
    assert world.counters.total("dispatched#roads", "2026-11") == 1
    assert len(world.sms.to(ROADS_HANDLER)) == 1
    assert [token for token, _ in world.workflow.succeeded] == ["tok-t"]


def accepted(world: World) -> str:
    ticket_id = dispatched(world)
    actions.accept(number_of(world, ticket_id), "east-city", AcceptTicket(), world.deps)
    return waiting(world, ticket_id, "reply", "tok-reply")


def test_an_approved_extension_moves_the_deadline_and_resumes_the_reply_wait(world):
    number = accepted(world)
    before = world.deps.tickets.by_number(number).reply_due
    actions.ask_extension(number, "east-city", AskExtension(reason="需采购配件", days=3), world.deps)
    assert any("延期" in t for t in world.sms.to(SUPERVISOR_PHONE))
    ticket = actions.decide_extension(number, "supervisor", DecideExtension(approve=True), world.deps)
    # the 3 days asked for, after the last day the deadline covered (24:00 ends that day)
    calendar, final = world.deps.clock.calendar, last_day(before)
    assert last_day(ticket.reply_due) == calendar.working_days(final, final + timedelta(days=20))[2]
    assert ticket.extensions == 1
    assert [token for token, _ in world.workflow.succeeded][-1] == "tok-reply"
    with pytest.raises(InvalidTransition):
        actions.ask_extension(number, "east-city", AskExtension(reason="还要更久"), world.deps)


def test_a_refused_extension_keeps_the_deadline_and_the_wait(world):
    number = accepted(world)
    before = world.deps.tickets.by_number(number).reply_due
    actions.ask_extension(number, "east-city", AskExtension(reason="需采购配件"), world.deps)
    ticket = actions.decide_extension(number, "supervisor", DecideExtension(approve=False), world.deps)
    assert ticket.reply_due == before and ticket.task_token == "tok-reply"


def test_the_reply_resumes_the_wait_and_a_guessed_secret_cannot_rate(world):
    ticket_id = dispatched(world)
    number = number_of(world, ticket_id)
    actions.accept(number, "east-city", AcceptTicket(), world.deps)
    waiting(world, ticket_id, "reply", "tok-reply")
    actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), world.deps)
    assert world.deps.tickets.get(ticket_id).status is Status.REPLIED
    assert [token for token, _ in world.workflow.succeeded][-1] == "tok-reply"
    writes = world.tickets.writes
    with pytest.raises(Forbidden):
        actions.rate(number, RateTicket(rating="satisfied", secret="guessed"), world.deps)
    assert world.tickets.writes == writes


def test_an_unsatisfied_rating_reopens_the_case_and_resumes_the_survey_wait(world):
    from chalicelib.services import tickets
    from chalicelib.services.commands import SubmitTicket
    from tests.builders import submission

    receipt = tickets.submit(SubmitTicket.parse(submission(phone=CITIZEN)), world.deps)
    secret = receipt.tracking.split("#k=")[1]
    ticket_id = world.deps.tickets.by_number(receipt.number).id
    steps.screen(ticket_id, world.deps)
    steps.dispatch(ticket_id, world.deps)
    actions.accept(receipt.number, "east-city", AcceptTicket(), world.deps)
    actions.reply(receipt.number, "east-city", ReplyTicket(text="已更换灯泡"), world.deps)
    waiting(world, ticket_id, "survey", "tok-s")
    ticket = actions.rate(receipt.number, RateTicket(rating="unsatisfied", comment="还是不亮", secret=secret),
                          world.deps)
    assert ticket.status is Status.REOPENED and ticket.round == 2
    assert world.workflow.succeeded[-1] == ("tok-s", {"outcome": "reopened", "status": "reopened"})


def test_an_answer_to_a_step_that_stopped_waiting_keeps_the_change(world):
    ticket_id = dispatched(world)
    number = waiting(world, ticket_id, "accept", "tok-gone")
    world.workflow.gone.add("tok-gone")
    assert actions.accept(number, "east-city", AcceptTicket(), world.deps).status is Status.ACCEPTED
    assert world.deps.tickets.get(ticket_id).status is Status.ACCEPTED


def test_rating_an_unknown_case_is_forbidden_not_found(world):
    filed(world)
    with pytest.raises(Forbidden):
        actions.rate("19990101-0001", RateTicket(rating="satisfied", secret="x"), world.deps)


def test_staff_can_record_a_callback_only_once_it_is_due_and_an_unknown_case_is_not_found(world):
    from chalicelib.domain.errors import NotFound

    ticket_id = dispatched(world)
    number = number_of(world, ticket_id)
    actions.accept(number, "east-city", AcceptTicket(), world.deps)
    actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), world.deps)
    steps.open_survey(ticket_id, world.deps)
    writes = world.tickets.writes
    with pytest.raises(InvalidTransition, match="not waiting for a phone callback"):
        actions.rate(number, RateTicket(rating="satisfied"), world.deps, staff="center")
    assert world.tickets.writes == writes
    steps.call_back(ticket_id, world.deps)
    ticket = actions.rate(number, RateTicket(rating="basically_satisfied"), world.deps, staff="center")
    assert ticket.status is Status.CLOSED and ticket.events[-2].actor == "center"
    with pytest.raises(NotFound):
        actions.rate("19990101-0001", RateTicket(rating="satisfied"), world.deps, staff="center")
