"""A rating (or a callback) can arrive at any moment around the reply: before the survey step ran,
between it and the wait, during the wait, after the wait timed out. The real state machine must
take it whenever it comes and end with the right verdict, never fail."""
from __future__ import annotations

import pytest

from chalicelib.services import actions
from chalicelib.services.commands import AcceptTicket, RateTicket, ReplyTicket
from chalicelib.tasks.handlers import run_task
from tests.workflow.test_ticket_workflow import submit, waiting


def replied(stack):
    """A case just replied to; answers (id, number, tracking secret). The survey step has not run."""
    ticket_id, number, secret = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    actions.accept(number, "east-city", AcceptTicket(), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "reply"))
    actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), stack.deps)
    return ticket_id, number, secret


def rate(stack, number, secret, rating="satisfied"):
    actions.rate(number, RateTicket(rating=rating, comment="及时", secret=secret), stack.deps)


def ends_closed_with(stack, ticket_id, rating):
    stack.pump_until(lambda: stack.execution_status(ticket_id) in ("SUCCEEDED", "FAILED"), timeout=30)
    assert stack.execution_status(ticket_id) == "SUCCEEDED", stack.history(ticket_id)[-3:]
    assert stack.states_entered(ticket_id)[-1] == "Closed"
    ticket = stack.deps.tickets.get(ticket_id)
    assert (ticket.status.value, ticket.rating.value) == ("closed", rating)


def test_a_rating_before_the_survey_step_ran(stack):
    ticket_id, number, secret = replied(stack)
    held = stack.take_task_message("open_survey")
    rate(stack, number, secret)
    run_task(held)
    ends_closed_with(stack, ticket_id, "satisfied")
    assert "AwaitRating" not in stack.states_entered(ticket_id)
    assert not any("请评价" in text for text in stack.sms())  # no survey for a case already rated


def test_a_rating_between_the_survey_step_and_its_wait(stack):
    ticket_id, number, secret = replied(stack)
    run_task(stack.take_task_message("open_survey"))
    held = stack.take_task_message("await")  # AwaitRating's hand-over, not yet at the worker
    rate(stack, number, secret, "basically_satisfied")
    run_task(held)
    ends_closed_with(stack, ticket_id, "basically_satisfied")


def test_a_rating_during_the_wait(stack):
    ticket_id, number, secret = replied(stack)
    stack.pump_until(waiting(stack, ticket_id, "survey"))
    rate(stack, number, secret)
    ends_closed_with(stack, ticket_id, "satisfied")


def test_a_rating_after_the_wait_timed_out_but_before_the_callback_step(fast_stack):
    stack = fast_stack
    ticket_id, number, secret = replied(stack)
    stack.pump_until(waiting(stack, ticket_id, "survey"))
    held = stack.take_task_message("call_back", timeout=30)  # the survey's 3 working days passed
    rate(stack, number, secret)
    run_task(held)
    ends_closed_with(stack, ticket_id, "satisfied")
    assert "AwaitCallback" not in stack.states_entered(ticket_id)


def test_a_rating_by_the_citizen_while_staff_should_call(fast_stack):
    stack = fast_stack
    ticket_id, number, secret = replied(stack)
    stack.pump_until(waiting(stack, ticket_id, "callback"), timeout=30)
    rate(stack, number, secret, "unsatisfied")
    stack.pump_until(lambda: "Dispatch" in stack.states_entered(ticket_id)[5:], timeout=20)
    assert stack.execution_status(ticket_id) == "RUNNING"
    assert stack.deps.tickets.get(ticket_id).round == 2


@pytest.mark.parametrize("moment", ["before the survey step", "during the wait"])
def test_an_unsatisfied_rating_at_any_moment_reopens_the_case_for_a_second_handling(stack, moment):
    ticket_id, number, secret = replied(stack)
    if moment == "before the survey step":
        held = stack.take_task_message("open_survey")
        rate(stack, number, secret, "unsatisfied")
        run_task(held)
    else:
        stack.pump_until(waiting(stack, ticket_id, "survey"))
        rate(stack, number, secret, "unsatisfied")
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert (ticket.status.value, ticket.round) == ("dispatched", 2)
    assert stack.execution_status(ticket_id) == "RUNNING"
    assert stack.states_entered(ticket_id).count("Dispatch") == 1  # the second round's (the first: in Screen)
