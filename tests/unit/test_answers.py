"""How a step is answered (services/tickets.py: answer): its usual outcome as a task success, any
other as a task failure named by the outcome with the step's output as its cause; a step of an
older definition (no `catches` in its message) gets a success whatever the outcome."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.model import Status
from chalicelib.services import actions, steps, tickets
from chalicelib.services.commands import AcceptTicket, RateTicket, ReplyTicket, ReturnTicket
from chalicelib.tasks import handlers
from tests.fakes import World, make_world
from tests.unit.test_steps import CITIZEN, dispatched, filed


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world()
    monkeypatch.setattr(handlers.bootstrap, "deps", lambda: world.deps)
    return world


def handed_over(world: World, ticket_id: str, stage: str, token: str) -> str:
    handlers.run_task({"task": "await", "stage": stage, "ticket_id": ticket_id, "token": token, "catches": True})
    return world.deps.tickets.get(ticket_id).number


def test_the_usual_outcome_is_a_success(world):
    ticket_id = filed(world)
    handlers.run_task({"task": "screen", "ticket_id": ticket_id, "token": "tok-screen", "catches": True})
    assert [(token, step["outcome"]) for token, step in world.workflow.succeeded] == [("tok-screen", "dispatched")]
    assert world.workflow.failed == []


def test_another_outcome_is_a_failure_named_by_it_with_the_steps_output_as_its_cause(world):
    ticket_id = filed(world, location="e1", category="other")  # no rule: for the dispatchers
    handlers.run_task({"task": "screen", "ticket_id": ticket_id, "token": "tok-screen", "catches": True})
    assert world.workflow.succeeded == []
    assert world.workflow.failed == [("tok-screen", "triage")]
    cause = json.loads(world.workflow.causes["tok-screen"])
    assert cause["outcome"] == "triage" and cause["timeout"] > 0  # what the triage wait times out by


def test_a_step_of_an_older_definition_gets_a_success_whatever_the_outcome(world):
    ticket_id = filed(world, location="e1", category="other")
    handlers.run_task({"task": "screen", "ticket_id": ticket_id, "token": "tok-old"})
    assert [(token, step["outcome"]) for token, step in world.workflow.succeeded] == [("tok-old", "triage")]
    ticket_id = dispatched(world)
    number = world.deps.tickets.get(ticket_id).number
    handlers.run_task({"task": "await", "stage": "accept", "ticket_id": ticket_id, "token": "tok-old-wait"})
    assert world.deps.tickets.get(ticket_id).task_catches is False
    actions.give_back(number, "east-city", ReturnTicket(reason="不归我们管"), world.deps)
    assert world.workflow.succeeded[-1][0] == "tok-old-wait" and world.workflow.failed == []


def test_a_wait_keeps_whether_its_state_catches_and_the_person_who_acts_answers_to_fit(world):
    ticket_id = dispatched(world)
    number = handed_over(world, ticket_id, "accept", "tok-accept")
    assert world.deps.tickets.get(ticket_id).task_catches is True
    actions.accept(number, "east-city", AcceptTicket(), world.deps)
    assert world.workflow.succeeded[-1][0] == "tok-accept"  # usual: on to the reply wait
    handed_over(world, ticket_id, "reply", "tok-reply")
    actions.give_back(number, "east-city", ReturnTicket(reason="属于交通部门职责"), world.deps)
    assert world.workflow.failed == [("tok-reply", "triage")]  # not usual: the Catch routes it
    assert json.loads(world.workflow.causes["tok-reply"])["status"] == "returned"


def test_a_hand_over_that_finds_the_step_done_answers_at_once_to_fit_its_state(world):
    ticket_id = dispatched(world)
    number = world.deps.tickets.get(ticket_id).number
    handed_over(world, ticket_id, "accept", "tok-accept")
    actions.accept(number, "east-city", AcceptTicket(), world.deps)
    actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), world.deps)  # before the reply wait's hand-over
    actions.rate(number, RateTicket(rating="satisfied", secret=_survey_secret(world)), world.deps)
    handed_over(world, ticket_id, "reply", "tok-late")
    assert world.workflow.failed == [("tok-late", "closed")]
    assert world.deps.tickets.get(ticket_id).task_token is None


def _survey_secret(world: World) -> str:
    return next(t for t in world.sms.to(CITIZEN) if "请评价" in t).split("#k=")[1].split()[0]


def test_the_reply_opens_the_survey_and_sends_one_rating_link_once_stored(world):
    ticket_id = dispatched(world)
    number = handed_over(world, ticket_id, "accept", "tok-accept")
    actions.accept(number, "east-city", AcceptTicket(), world.deps)
    handed_over(world, ticket_id, "reply", "tok-reply")
    ticket = actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), world.deps)
    assert ticket.status is Status.REPLIED and ticket.survey_phase == "rating" and ticket.survey_digest
    assert [e.kind for e in ticket.events][-2:] == ["replied", "survey_sent"]
    links = [t for t in world.sms.to(CITIZEN) if "请评价" in t]
    assert len(links) == 1 and "#k=" in links[0]
    token, step = world.workflow.succeeded[-1]
    assert token == "tok-reply" and step["outcome"] == "rating"  # usual: on to the rating wait
    assert step["timeout"] == tickets.working_days_seconds(3, world.deps)
    steps.open_survey(ticket_id, world.deps)  # an older execution's survey step: nothing more to send
    assert len([t for t in world.sms.to(CITIZEN) if "请评价" in t]) == 1
    actions.rate(number, RateTicket(rating="satisfied", secret=_survey_secret(world)), world.deps)
    assert world.deps.tickets.get(ticket_id).status is Status.CLOSED


def test_a_reply_refused_sends_no_rating_link(world):
    ticket_id = dispatched(world)
    number = world.deps.tickets.get(ticket_id).number
    with pytest.raises(InvalidTransition):  # not signed off yet
        actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), world.deps)
    assert not any("请评价" in t for t in world.sms.to(CITIZEN))
    assert world.deps.tickets.get(ticket_id).survey_digest is None


def test_a_steps_log_keys_belong_to_the_thread_that_runs_it(world):
    """The local twin runs two steps at once in one process: one step's ticket must not be named on
    another's log lines."""
    import threading

    from chalicelib.observability import logger

    ticket_id = filed(world)
    logger.thread_safe_append_keys(ticket_id="this thread's")
    try:
        thread = threading.Thread(target=handlers.run_task, args=(
            {"task": "screen", "ticket_id": ticket_id, "token": "tok-screen", "catches": True},))
        thread.start()
        thread.join()
        assert "ticket_id" not in logger.get_current_keys()  # no key shared by every thread
        assert logger.thread_safe_get_current_keys()["ticket_id"] == "this thread's"
    finally:
        logger.thread_safe_remove_keys(["ticket_id"])
