from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidTransition, NotYourTicket
from chalicelib.domain.model import Outcome, Status, Wait
from tests.builders import NOW, make_dispatched, make_ticket

dispatched = make_dispatched


def test_a_new_ticket_is_submitted_with_one_event():
    ticket = make_ticket()
    assert ticket.status is Status.SUBMITTED
    assert [e.kind for e in ticket.events] == ["submitted"]


def test_dispatch_assigns_the_department_and_records_it():
    ticket = dispatched("roads")
    assert (ticket.status, ticket.department) == (Status.DISPATCHED, "roads")
    assert ticket.events[-1].kind == "dispatched"
    assert ticket.events[-1].data == {"department": "roads"}


def test_the_assigned_department_accepts_then_replies():
    ticket = dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    assert ticket.status is Status.REPLIED
    assert ticket.reply == "已修复"
    assert [e.kind for e in ticket.events] == ["submitted", "dispatched", "accepted", "replied"]


def test_replying_before_accepting_is_refused_and_changes_nothing():
    ticket = dispatched()
    with pytest.raises(InvalidTransition):
        ticket.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    assert ticket.status is Status.DISPATCHED
    assert len(ticket.events) == 2


def test_accepting_twice_is_refused():
    ticket = dispatched()
    ticket.accept("east-city", NOW)
    with pytest.raises(InvalidTransition):
        ticket.accept("east-city", NOW)


def test_another_department_cannot_accept():
    ticket = dispatched("east-city")
    with pytest.raises(NotYourTicket):
        ticket.accept("roads", NOW)
    assert ticket.status is Status.DISPATCHED


def test_dispatching_an_accepted_ticket_is_refused():
    ticket = dispatched()
    ticket.accept("east-city", NOW)
    with pytest.raises(InvalidTransition):
        ticket.dispatch("roads", NOW, NOW, NOW)


def test_a_token_is_taken_only_by_its_own_stage_and_only_once():
    ticket = dispatched()
    ticket.wait_for("accept", "token-1", catches=True)
    assert ticket.take_token("reply") is None
    assert ticket.take_token("accept") == Wait("token-1", "accept", catches=True)
    assert ticket.take_token("accept") is None
    assert (ticket.task_token, ticket.task_stage, ticket.task_catches) == (None, None, False)


def test_a_stage_has_passed_once_people_did_it():
    ticket = dispatched()
    assert not ticket.stage_passed("accept")
    ticket.accept("east-city", NOW)
    assert ticket.stage_passed("accept")
    assert not ticket.stage_passed("reply")


def test_return_within_the_window_goes_back_to_triage_without_a_department():
    ticket = dispatched("roads")
    ticket.give_back("roads", "不属于本单位职责", window_end=NOW, at=NOW)
    assert (ticket.status, ticket.department) == (Status.RETURNED, None)
    assert ticket.events[-1].data == {"department": "roads"}
    assert ticket.stage_passed("accept") and not ticket.stage_passed("triage")


def test_return_after_the_window_is_refused():
    from datetime import timedelta
    ticket = dispatched("roads")
    with pytest.raises(InvalidTransition, match="window"):
        ticket.give_back("roads", "不归我们管", window_end=NOW, at=NOW + timedelta(seconds=1))
    assert ticket.status is Status.DISPATCHED


def test_extensions_are_limited_and_need_a_decision():
    from datetime import timedelta
    ticket = dispatched()
    ticket.accept("east-city", NOW)
    ticket.ask_extension("east-city", "需要协调施工", 5, limit=1, at=NOW)
    with pytest.raises(InvalidTransition, match="waiting"):
        ticket.ask_extension("east-city", "再延", 5, limit=1, at=NOW)
    ticket.decide_extension(True, NOW + timedelta(days=7), "sup", "同意", NOW)
    assert ticket.reply_due == NOW + timedelta(days=7) and ticket.extensions == 1
    with pytest.raises(InvalidTransition, match="1 extension"):
        ticket.ask_extension("east-city", "再延", 5, limit=1, at=NOW)


def test_a_refused_extension_keeps_the_deadline():
    ticket = dispatched()
    ticket.accept("east-city", NOW)
    ticket.ask_extension("east-city", "需要协调", 5, limit=1, at=NOW)
    ticket.decide_extension(False, None, "sup", "不同意", NOW)
    assert (ticket.reply_due, ticket.extensions, ticket.extension_requested) == (NOW, 0, False)


def test_escalation_rises_to_level_three_which_marks_the_case_overdue():
    ticket = dispatched()
    assert [ticket.escalate("accept", NOW) for _ in range(4)] == [1, 2, 3, 3]
    assert ticket.overdue
    assert [e.data["level"] for e in ticket.events if e.kind == "escalated"] == [1, 2, 3, 3]


def test_the_same_escalation_delivered_twice_is_recorded_once():
    ticket = dispatched()
    assert ticket.escalate("accept", NOW, key="step-1") == 1
    assert ticket.escalate("accept", NOW, key="step-1") is None
    assert ticket.escalate("accept", NOW, key="step-2") == 2
    assert [e.data["level"] for e in ticket.events if e.kind == "escalated"] == [1, 2]


def test_the_timeline_lists_an_exact_repeat_once_and_keeps_each_events_index():
    ticket = dispatched()
    ticket.escalate("accept", NOW)
    ticket.events.append(ticket.events[-1])  # recorded twice, as an older retry could
    ticket.escalate("accept", NOW)  # the next level is another event
    kinds = [(index, e.kind, e.data.get("level")) for index, e in ticket.distinct_events()]
    assert kinds[-2:] == [(2, "escalated", 1), (4, "escalated", 2)]
    assert len(ticket.distinct_events()) == len(ticket.events) - 1


def _replied():
    ticket = dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    return ticket


def test_unsatisfied_reopens_while_rounds_remain_then_closes():
    from chalicelib.domain.model import Rating
    ticket = _replied()
    ticket.rate(Rating.UNSATISFIED, "没修好", "citizen", max_rounds=2, at=NOW)
    assert (ticket.status, ticket.round, ticket.reply) == (Status.REOPENED, 2, None)
    assert ticket.department == "east-city"  # goes back to the same department
    ticket.dispatch("east-city", NOW, NOW, NOW)
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "再次维修", Outcome.RESOLVED, NOW)
    ticket.rate(Rating.UNSATISFIED, "还是不行", "citizen", max_rounds=2, at=NOW)
    assert ticket.status is Status.CLOSED
    assert ticket.events[-1].data == {"rating": "unsatisfied"}


def test_satisfied_closes():
    from chalicelib.domain.model import Rating
    ticket = _replied()
    ticket.rate(Rating.SATISFIED, "", "citizen", max_rounds=2, at=NOW)
    assert ticket.status is Status.CLOSED and ticket.stage_passed("survey")


def test_a_duplicate_is_merged_and_the_original_gains_a_supporter():
    original, duplicate = dispatched(), make_ticket()
    duplicate.merge_into(original, NOW)
    original.add_supporter(duplicate.number, NOW)
    assert duplicate.status is Status.MERGED and duplicate.merged_into == original.number
    assert original.supporters == 1
