from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidTransition, NotYourTicket
from chalicelib.domain.model import Outcome, Status
from tests.builders import NOW, make_ticket


def dispatched(department: str = "east-city"):
    ticket = make_ticket()
    ticket.dispatch(department, accept_due=NOW, reply_due=NOW, at=NOW)
    return ticket


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
    ticket.wait_for("accept", "token-1")
    assert ticket.take_token("reply") is None
    assert ticket.take_token("accept") == "token-1"
    assert ticket.take_token("accept") is None


def test_a_stage_has_passed_once_people_did_it():
    ticket = dispatched()
    assert not ticket.stage_passed("accept")
    ticket.accept("east-city", NOW)
    assert ticket.stage_passed("accept")
    assert not ticket.stage_passed("reply")
