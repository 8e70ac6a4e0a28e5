"""Workflow steps against in-memory fakes: each step's decision, its effects once, conflicts and
redelivered messages (no moto; milliseconds)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.model import Outcome, Rating, Status
from chalicelib.services import steps, tickets
from chalicelib.services.commands import SubmitTicket
from tests.builders import DISPATCHER_PHONE, NOW, SUPERVISOR_PHONE, submission
from tests.fakes import World, make_world

CITIZEN = "13812345678"
HANDLER, HEAD = "13700000003", "13700000004"  # east-city's phones in the test city


@pytest.fixture
def world() -> World:
    return make_world()


def filed(world: World, **overrides: object) -> str:
    receipt = tickets.submit(SubmitTicket.parse(submission(phone=CITIZEN, **overrides)), world.deps)
    return world.deps.tickets.by_number(receipt.number).id


def screened(world: World, **overrides: object) -> str:
    ticket_id = filed(world, **overrides)
    steps.screen(ticket_id, world.deps)
    return ticket_id


def dispatched(world: World, **overrides: object) -> str:
    """Filed, screened and dispatched, and the stream has run (its listing entries are written)."""
    ticket_id = screened(world, **overrides)
    steps.dispatch(ticket_id, world.deps)
    world.deliver()
    return ticket_id


# --- screening ----------------------------------------------------------------------------
def test_a_valid_case_is_screened_the_citizen_told_once_and_dispatched_by_the_rules_in_the_same_step(world):
    ticket_id = filed(world)
    step = steps.screen(ticket_id, world.deps)
    assert (step["outcome"], step["status"]) == ("dispatched", "dispatched")
    ticket = world.deps.tickets.get(ticket_id)
    assert [e.kind for e in ticket.events] == ["submitted", "screened", "dispatched"]
    assert steps.screen(ticket_id, world.deps) == step  # redelivered: nothing decided again
    assert len([t for t in world.sms.to(CITIZEN) if "已受理" in t]) == 1


def test_garbled_text_is_invalid_with_the_reason_by_sms(world):
    ticket_id = filed(world, description="啊啊啊啊啊啊")
    assert steps.screen(ticket_id, world.deps)["outcome"] == "invalid"
    ticket = world.deps.tickets.get(ticket_id)
    assert ticket.status is Status.INVALID and ticket.reason == "garbled"
    assert any("未予受理：内容无法识别" in t for t in world.sms.to(CITIZEN))


def test_a_near_duplicate_joins_the_open_case_as_a_supporter(world):
    original = dispatched(world)
    world.time.at += timedelta(minutes=5)
    duplicate = filed(world, description="人民公园东门路灯坏了三盏，晚上很黑，请修")
    assert steps.screen(duplicate, world.deps)["outcome"] == "merged"
    first = world.deps.tickets.get(original)
    assert first.supporters == 1 and world.deps.tickets.get(duplicate).merged_into == first.number
    assert any(first.number in t for t in world.sms.to(CITIZEN) if "合并" in t)


def test_the_duplicate_check_reads_one_place_partition_and_finds_a_confidential_case_there_too(world):
    for n in range(30):  # elsewhere and of other categories: never read
        dispatched(world, location="w1", description=f"西区第{n}处路面坏了，车辆难以通行，请修")
    original = dispatched(world, confidential=True)
    dispatched(world, category="roads", description="人民公园东门路面塌陷，车辆难以通行")
    world.listings.reads = world.listings.queries = 0
    duplicate = filed(world, description="人民公园东门路灯坏了三盏，晚上很黑，请修")
    assert steps.screen(duplicate, world.deps)["outcome"] == "merged"
    assert world.deps.tickets.get(duplicate).merged_into == world.deps.tickets.get(original).number
    assert (world.listings.queries, world.listings.reads) == (1, 2)  # the place's two cases, one query


def test_a_case_the_stream_has_not_listed_yet_is_no_candidate(world):
    screened(world)  # screened and dispatched, but its stored change not yet handled
    duplicate = filed(world, description="人民公园东门路灯坏了三盏，晚上很黑，请修")
    assert steps.screen(duplicate, world.deps)["outcome"] == "dispatched"


def test_a_merge_that_meets_a_concurrent_change_of_the_open_case_still_counts_one_supporter(world):
    original = dispatched(world)
    duplicate = filed(world, description="人民公园东门路灯坏了三盏，晚上很黑，请修")
    world.tickets.interfere(original, lambda t: t.accept("east-city", NOW))  # the department signs off meanwhile
    steps.screen(duplicate, world.deps)
    first = world.deps.tickets.get(original)
    assert (first.status, first.supporters) == (Status.ACCEPTED, 1)
    assert world.deps.tickets.get(duplicate).status is Status.MERGED


def test_a_crash_between_the_two_writes_of_a_merge_is_mended_by_the_redelivered_step(world, monkeypatch):
    original = dispatched(world)
    duplicate = filed(world, description="人民公园东门路灯坏了三盏，晚上很黑，请修")
    monkeypatch.setattr(steps, "support", lambda ticket, deps: (_ for _ in ()).throw(RuntimeError("crash")))
    with pytest.raises(RuntimeError):
        steps.screen(duplicate, world.deps)
    assert world.deps.tickets.get(original).supporters == 0  # the merge is stored, its supporter not yet
    monkeypatch.undo()
    steps.screen(duplicate, world.deps)  # SQS delivers the message again
    steps.screen(duplicate, world.deps)  # and once more
    assert world.deps.tickets.get(original).supporters == 1


# --- dispatch ---------------------------------------------------------------------------
def test_dispatch_follows_the_rule_with_working_day_deadlines_and_tells_the_handler(world):
    ticket_id = screened(world)
    step = steps.dispatch(ticket_id, world.deps)
    ticket = world.deps.tickets.get(ticket_id)
    assert (ticket.status, ticket.department) == (Status.DISPATCHED, "east-city")
    assert ticket.accept_due == world.deps.clock.due(NOW, 1)
    assert ticket.reply_due == world.deps.clock.due(NOW, 2)  # lights are "simple": 2 working days
    assert step["outcome"] == "dispatched" and step["timeout"] > 0
    assert len(world.sms.to(HANDLER)) == 1


def test_a_redelivered_dispatch_changes_and_sends_nothing(world):
    ticket_id = dispatched(world)
    writes = world.tickets.writes
    assert steps.dispatch(ticket_id, world.deps)["outcome"] == "dispatched"
    assert world.tickets.writes == writes
    assert len(world.sms.to(HANDLER)) == 1


def test_a_conflict_on_automatic_dispatch_is_decided_again_and_counted_once(world):
    ticket_id = screened(world)
    world.tickets.interfere(ticket_id)  # e.g. a worker storing a wait token meanwhile
    steps.dispatch(ticket_id, world.deps)
    steps.dispatch(ticket_id, world.deps)  # and the message comes again
    world.deliver()
    world.deliver(again=True)  # the stream delivers its records twice
    ticket = world.deps.tickets.get(ticket_id)
    assert [e.kind for e in ticket.events].count("dispatched") == 1
    assert world.counters.total("dispatched#east-city", "2026-11") == 1
    assert len(world.sms.to(HANDLER)) == 1


def test_no_rule_leaves_the_case_for_triage(world):
    ticket_id = screened(world, category="other")
    assert steps.dispatch(ticket_id, world.deps)["outcome"] == "triage"
    assert world.deps.tickets.get(ticket_id).status is Status.SCREENED
    assert [t.id for t in world.deps.tickets.inbox("TRIAGE", Status.SCREENED)] == [ticket_id]


def test_a_reopened_case_goes_back_to_its_department_and_the_supervisor_is_told(world):
    ticket_id = dispatched(world)
    ticket = world.deps.tickets.get(ticket_id)
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已修", Outcome.RESOLVED, NOW)
    ticket.rate(Rating.UNSATISFIED, "没修好", "citizen", 2, NOW)
    world.deps.tickets.save(ticket)
    steps.dispatch(ticket_id, world.deps)
    again = world.deps.tickets.get(ticket_id)
    assert (again.status, again.department, again.round) == (Status.DISPATCHED, "east-city", 2)
    assert any("二次办理" in t for t in world.sms.to(SUPERVISOR_PHONE))


# --- hand-over ----------------------------------------------------------------------------
def test_the_hand_over_keeps_the_token_and_a_redelivery_writes_nothing(world):
    ticket_id = dispatched(world)
    steps.hand_over(ticket_id, "accept", "tok-1", world.deps)
    assert world.deps.tickets.get(ticket_id).task_token == "tok-1"
    writes = world.tickets.writes
    steps.hand_over(ticket_id, "accept", "tok-1", world.deps)
    assert world.tickets.writes == writes and world.workflow.succeeded == []


def test_a_hand_over_after_people_acted_resumes_at_once(world):
    ticket_id = dispatched(world)
    ticket = world.deps.tickets.get(ticket_id)
    ticket.accept("east-city", NOW)
    world.deps.tickets.save(ticket)
    steps.hand_over(ticket_id, "accept", "tok-2", world.deps)
    assert world.workflow.succeeded == [("tok-2", {"outcome": "accepted", "status": "accepted",
                                                    "timeout": world.workflow.succeeded[0][1]["timeout"]})]
    assert world.deps.tickets.get(ticket_id).task_token is None


# --- escalation ---------------------------------------------------------------------------
def test_a_missed_sign_off_escalates_level_by_level_with_sms_once_each(world):
    ticket_id = dispatched(world)
    world.time.at += timedelta(days=3)
    steps.escalate(ticket_id, "accept", world.deps)
    assert world.deps.tickets.get(ticket_id).escalation_level == 1
    assert any("督办" in t for t in world.sms.to(HANDLER)) and any("督促" in t for t in world.sms.to(HEAD))
    steps.escalate(ticket_id, "accept", world.deps)
    assert any("2级督办" in t for t in world.sms.to(SUPERVISOR_PHONE))
    steps.escalate(ticket_id, "accept", world.deps)
    assert world.deps.tickets.get(ticket_id).overdue is True


def test_an_escalation_step_delivered_twice_escalates_and_texts_once(world):
    ticket_id = dispatched(world)
    world.time.at += timedelta(days=3)
    first = steps.escalate(ticket_id, "accept", world.deps, token="tok-esc")
    sent = len(world.sms.sent)
    assert steps.escalate(ticket_id, "accept", world.deps, token="tok-esc") == first  # redelivered
    ticket = world.deps.tickets.get(ticket_id)
    assert ticket.escalation_level == 1 and len(world.sms.sent) == sent
    assert [e.kind for e in ticket.events].count("escalated") == 1
    steps.escalate(ticket_id, "accept", world.deps, token="tok-esc-2")  # the next interval's step
    assert world.deps.tickets.get(ticket_id).escalation_level == 2


def test_no_escalation_when_people_acted_or_the_deadline_is_ahead(world):
    ticket_id = dispatched(world)
    steps.escalate(ticket_id, "accept", world.deps)  # not due yet
    assert world.deps.tickets.get(ticket_id).escalation_level == 0
    ticket = world.deps.tickets.get(ticket_id)
    ticket.accept("east-city", NOW)
    world.deps.tickets.save(ticket)
    world.time.at += timedelta(days=3)
    assert steps.escalate(ticket_id, "accept", world.deps)["outcome"] == "accepted"
    assert world.deps.tickets.get(ticket_id).escalation_level == 0


# --- survey, callback, default verdict ----------------------------------------------------
def replied(world: World) -> str:
    ticket_id = dispatched(world)
    ticket = world.deps.tickets.get(ticket_id)
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已更换灯泡", Outcome.RESOLVED, NOW)
    world.deps.tickets.save(ticket)
    return ticket_id


def test_the_survey_sends_one_rating_link_even_when_redelivered(world):
    ticket_id = replied(world)
    step = steps.open_survey(ticket_id, world.deps)
    steps.open_survey(ticket_id, world.deps)
    links = [t for t in world.sms.to(CITIZEN) if "请评价" in t]
    assert len(links) == 1 and "#k=" in links[0]
    assert step["outcome"] == "rating" and step["timeout"] == tickets.working_days_seconds(3, world.deps)
    assert world.deps.tickets.get(ticket_id).survey_digest


def test_a_rating_that_came_before_the_survey_opened_is_kept_and_routes_straight_on(world):
    ticket_id = replied(world)
    ticket = world.deps.tickets.get(ticket_id)
    ticket.rate(Rating.SATISFIED, "很快", "citizen", 2, NOW)  # the citizen was quicker than the queue
    world.deps.tickets.save(ticket)
    assert steps.open_survey(ticket_id, world.deps) == {"outcome": "closed", "status": "closed"}
    assert steps.call_back(ticket_id, world.deps)["outcome"] == "closed"
    assert not any("请评价" in t for t in world.sms.to(CITIZEN))
    assert world.sms.to(DISPATCHER_PHONE) == []


def test_no_rating_means_one_callback_task_then_the_default_verdict(world):
    ticket_id = replied(world)
    steps.open_survey(ticket_id, world.deps)
    step = steps.call_back(ticket_id, world.deps)
    steps.call_back(ticket_id, world.deps)
    assert len(world.sms.to(DISPATCHER_PHONE)) == 1
    assert step["outcome"] == "callback" and step["timeout"] == tickets.working_days_seconds(2, world.deps)
    assert steps.default_verdict(ticket_id, world.deps)["outcome"] == "closed"
    ticket = world.deps.tickets.get(ticket_id)
    assert ticket.rating is Rating.SATISFIED and ticket.status is Status.CLOSED
    writes = world.tickets.writes
    steps.default_verdict(ticket_id, world.deps)
    assert world.tickets.writes == writes
