"""Moving cases between departments and cases, against in-memory fakes: re-dispatch (a reopened
case sent elsewhere), co-handling, merging a duplicate staff found and splitting it off again,
reply templates. Each refusal writes nothing; each effect (SMS, supporter) happens once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidTransition, NotFound, NotYourTicket
from chalicelib.domain.model import Rating, Status
from chalicelib.services import actions, replies, steps
from chalicelib.services.commands import (
    AcceptTicket,
    AddNote,
    AssistTicket,
    MergeTicket,
    RateTicket,
    RedirectTicket,
    RejectTicket,
    ReplyTicket,
    SetTemplates,
    SplitTicket,
)
from tests.fakes import World, make_world
from tests.unit.test_steps import CITIZEN, dispatched, filed, screened

ROADS_HANDLER, POLICE_HANDLER = "13700000001", "13700000005"


@pytest.fixture
def world() -> World:
    return make_world()


def number_of(world: World, ticket_id: str) -> str:
    return world.deps.tickets.get(ticket_id).number


def test_a_redirect_sends_the_case_to_another_department_with_fresh_deadlines(world):
    ticket_id = dispatched(world)
    steps.hand_over(ticket_id, "accept", "tok-accept", world.deps)
    number = number_of(world, ticket_id)
    world.time.at += timedelta(days=1)
    ticket = actions.redirect(number, "centre", RedirectTicket(department="roads", seen_status=Status.DISPATCHED),
                              world.deps, by="dispatcher-1")
    assert (ticket.status, ticket.department) == (Status.DISPATCHED, "roads")
    assert ticket.accept_due == world.deps.clock.due(world.time.at, 1)
    last = ticket.events[-1]
    assert (last.kind, last.by) == ("dispatched", "dispatcher-1")
    assert last.data == {"department": "roads", "from": "east-city"}
    assert world.workflow.succeeded[-1] == ("tok-accept", {"outcome": "dispatched", "status": "dispatched",
                                                           "timeout": world.workflow.succeeded[-1][1]["timeout"]})
    assert len(world.sms.to(ROADS_HANDLER)) == 1
    with pytest.raises(InvalidTransition):  # the old department hears that the case moved on
        actions.accept(number, "east-city", AcceptTicket(), world.deps)


def test_a_redirect_to_the_same_department_or_an_unknown_one_changes_nothing(world):
    number = number_of(world, dispatched(world))
    writes = world.tickets.writes
    with pytest.raises(InvalidInput):
        actions.redirect(number, "centre", RedirectTicket(department="east-city"), world.deps)
    with pytest.raises(NotFound):
        actions.redirect(number, "centre", RedirectTicket(department="nowhere"), world.deps)
    assert world.tickets.writes == writes


def test_a_reopened_case_goes_back_to_its_department_and_a_supervisor_sends_it_elsewhere(world):
    ticket_id = dispatched(world)
    number = number_of(world, ticket_id)
    actions.accept(number, "east-city", AcceptTicket(), world.deps)
    actions.reply(number, "east-city", ReplyTicket(text="已修好"), world.deps)
    steps.open_survey(ticket_id, world.deps)
    steps.call_back(ticket_id, world.deps)
    actions.rate(number, RateTicket(rating=Rating.UNSATISFIED, comment="还是不亮"), world.deps,
                 staff="centre")  # the callback: the citizen is not satisfied
    assert world.deps.tickets.get(ticket_id).status is Status.REOPENED
    steps.dispatch(ticket_id, world.deps)  # the workflow sends it back to the department that failed
    reopened = world.deps.tickets.get(ticket_id)
    assert (reopened.status, reopened.department, reopened.round) == (Status.DISPATCHED, "east-city", 2)
    assert reopened.needs_attention  # on the supervisors' watch list
    moved = actions.redirect(number, "supervisor", RedirectTicket(department="roads"), world.deps, by="sup")
    assert (moved.department, moved.round) == ("roads", 2)


def test_an_assisting_department_is_added_once_and_told_once(world):
    number = number_of(world, dispatched(world))
    for _ in range(2):
        ticket = actions.assist(number, "centre", AssistTicket(department="police"), world.deps, by="d1")
    assert ticket.assisting == ("police",) and ticket.involves("police")
    assert [e.kind for e in ticket.events].count("assisting") == 1
    assert len(world.sms.to(POLICE_HANDLER)) == 1
    with pytest.raises(InvalidInput):  # the lead cannot also assist
        actions.assist(number, "centre", AssistTicket(department="east-city"), world.deps)
    # The assisting department adds notes; only the lead signs off.
    noted = actions.note(number, "police", AddNote(text="已派员配合"), world.deps, "p1",
                         may_act=lambda t: t.involves("police"))
    assert noted.events[-1].kind == "noted"
    with pytest.raises(NotYourTicket):
        actions.accept(number, "police", AcceptTicket(), world.deps)


def test_staff_merge_a_duplicate_its_citizen_supports_the_open_case_and_is_told(world):
    original = dispatched(world)
    duplicate = dispatched(world, description="公园东门那边的井盖没了，很危险，请尽快处理")
    steps.hand_over(duplicate, "accept", "tok-dup", world.deps)
    into = number_of(world, original)
    number = number_of(world, duplicate)
    merged = actions.merge(number, "centre", MergeTicket(into=into, seen_status=Status.DISPATCHED), world.deps,
                           by="d1")
    assert (merged.status, merged.merged_into, merged.department) == (Status.MERGED, into, None)
    assert world.workflow.succeeded[-1][0] == "tok-dup"
    assert world.workflow.succeeded[-1][1]["outcome"] == "merged"
    assert world.deps.tickets.get(original).supporters == 1
    assert any(into in text for text in world.sms.to(CITIZEN) if "合并" in text)
    with pytest.raises(InvalidTransition):  # merged already: a second merge is refused, nothing sent again
        actions.merge(number, "centre", MergeTicket(into=into), world.deps)
    assert world.deps.tickets.get(original).supporters == 1


def test_a_case_cannot_be_merged_into_itself_or_into_a_finished_case(world):
    first = screened(world)
    number = number_of(world, first)
    with pytest.raises(InvalidInput):
        actions.merge(number, "centre", MergeTicket(into=number), world.deps)
    other = filed(world, description="这里的垃圾桶满了很久没人清理，气味很大")
    closed = world.deps.tickets.get(other)
    closed.invalidate("too_short", world.time.at)
    world.deps.tickets.save(closed)
    with pytest.raises(InvalidTransition):
        actions.merge(number, "centre", MergeTicket(into=closed.number), world.deps)
    assert world.deps.tickets.get(first).status is Status.DISPATCHED  # as screening left it


def test_splitting_a_wrong_merge_restores_the_case_and_its_workflow(world):
    original = dispatched(world)
    duplicate = filed(world, description="人民公园东门路灯坏了三盏，晚上很黑，请修")
    steps.screen(duplicate, world.deps)  # screening merges it
    world.workflow.ended.add(duplicate)  # its execution ended at the merge (the state machine's Merged)
    number = number_of(world, duplicate)
    assert world.deps.tickets.get(original).supporters == 1
    split = actions.split(number, "centre", SplitTicket(seen_status=Status.MERGED), world.deps, by="d1")
    assert (split.status, split.merged_into) == (Status.SCREENED, None)
    assert world.deps.tickets.get(original).supporters == 0
    assert world.workflow.running(duplicate)  # restarted: its first step routes it by the rules
    assert any(number in text for text in world.sms.to(CITIZEN) if "单独办理" in text)
    with pytest.raises(InvalidTransition):
        actions.split(number, "centre", SplitTicket(), world.deps)
    # Merged again later, it counts again as a supporter.
    actions.merge(number, "centre", MergeTicket(into=number_of(world, original)), world.deps)
    assert world.deps.tickets.get(original).supporters == 1


def test_reply_templates_belong_to_a_department_and_a_category(world):
    saved = replies.set_templates("east-city", "lights", SetTemplates(texts=("已修复。", " 已修复。 ", "已更换灯具。")),
                                  world.deps)
    assert saved == ["已修复。", "已更换灯具。"]
    assert replies.templates("east-city", world.deps) == {"lights": ["已修复。", "已更换灯具。"]}
    assert replies.templates("roads", world.deps) == {}
    with pytest.raises(NotFound):
        replies.set_templates("east-city", "no-such-category", SetTemplates(texts=("x",)), world.deps)
    replies.set_templates("east-city", "lights", SetTemplates(texts=()), world.deps)
    assert replies.templates("east-city", world.deps) == {}
    with pytest.raises(InvalidInput):
        SetTemplates.parse({"texts": ["x"] * 11})


def test_a_dispatcher_does_not_accept_a_case_with_a_reason_code_and_the_citizen_is_told(world):
    ticket_id = filed(world, category="other", description="我想咨询一下明年的公积金政策有什么变化")
    steps.screen(ticket_id, world.deps)
    steps.dispatch(ticket_id, world.deps)  # "other": no rule, it waits for a dispatcher
    steps.hand_over(ticket_id, "triage", "tok-triage", world.deps)
    number = number_of(world, ticket_id)
    with pytest.raises(InvalidInput):  # free words are never published: codes only
        actions.reject(number, "centre", RejectTicket(reason="打电话 13900000000 问"), world.deps)
    ticket = actions.reject(number, "centre", RejectTicket(reason="out_of_scope", seen_status=Status.SCREENED),
                            world.deps, by="d1")
    assert (ticket.status, ticket.reason, ticket.events[-1].by) == (Status.INVALID, "out_of_scope", "d1")
    assert world.workflow.succeeded[-1] == ("tok-triage", {"outcome": "invalid", "status": "invalid"})
    assert any("不属于本平台受理范围" in text for text in world.sms.to(CITIZEN))
    with pytest.raises(InvalidTransition):
        actions.reject(number, "centre", RejectTicket(reason="out_of_scope"), world.deps)
