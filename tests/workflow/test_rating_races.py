"""A rating (or a callback) can arrive at any moment around the reply: before the reply wait's
hand-over reached the worker, before the rating wait's did, during the wait, after the wait timed
out. The real state machine must take it whenever it comes and end with the right verdict, never
fail. (The reply opens the survey itself; a case replied before it did goes through OpenSurvey.)"""
from __future__ import annotations

import pytest

from chalicelib.services import actions
from chalicelib.services.commands import AcceptTicket, RateTicket, ReplyTicket
from chalicelib.tasks.handlers import run_task
from tests.workflow.test_ticket_workflow import submit, waiting


def replied(stack, hold_reply_wait=False):
    """A case just replied to (its survey open); answers (id, number, tracking secret) and, with
    `hold_reply_wait`, the reply wait's hand-over message, held back from the worker."""
    ticket_id, number, secret = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    actions.accept(number, "east-city", AcceptTicket(), stack.deps)
    if hold_reply_wait:
        held = stack.take_task_message("await")
    else:
        stack.pump_until(waiting(stack, ticket_id, "reply"))
    actions.reply(number, "east-city", ReplyTicket(text="已更换灯泡"), stack.deps)
    return (ticket_id, number, secret, held) if hold_reply_wait else (ticket_id, number, secret)


def rate(stack, number, secret, rating="satisfied"):
    actions.rate(number, RateTicket(rating=rating, comment="及时", secret=secret), stack.deps)


def ends_closed_with(stack, ticket_id, rating):
    stack.pump_until(lambda: stack.execution_status(ticket_id) in ("SUCCEEDED", "FAILED"), timeout=30)
    assert stack.execution_status(ticket_id) == "SUCCEEDED", stack.history(ticket_id)[-3:]
    # Closed by the rating step's own success (it ends the execution), or caught into the end state.
    assert stack.states_entered(ticket_id)[-1] in ("AwaitRating", "AwaitCallback", "DefaultVerdict", "Closed")
    ticket = stack.deps.tickets.get(ticket_id)
    assert (ticket.status.value, ticket.rating.value) == ("closed", rating)


def test_a_rating_before_the_reply_waits_hand_over_reached_the_worker(stack):
    ticket_id, number, secret, held = replied(stack, hold_reply_wait=True)
    rate(stack, number, secret)
    run_task(held)  # finds the case closed: answers "closed", caught straight into the end state
    ends_closed_with(stack, ticket_id, "satisfied")
    assert stack.states_entered(ticket_id) == ["Screen", "AwaitAcceptance", "AwaitReply", "Closed"]
    assert len([text for text in stack.sms() if "请评价" in text]) == 1  # the reply's link, once


def test_a_rating_between_the_reply_and_the_rating_waits_hand_over(stack):
    ticket_id, number, secret = replied(stack)
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


@pytest.mark.parametrize("moment", ["before the reply wait's hand-over", "during the wait"])
def test_an_unsatisfied_rating_at_any_moment_reopens_the_case_for_a_second_handling(stack, moment):
    if moment == "before the reply wait's hand-over":
        ticket_id, number, secret, held = replied(stack, hold_reply_wait=True)
        rate(stack, number, secret, "unsatisfied")
        run_task(held)
    else:
        ticket_id, number, secret = replied(stack)
        stack.pump_until(waiting(stack, ticket_id, "survey"))
        rate(stack, number, secret, "unsatisfied")
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert (ticket.status.value, ticket.round) == ("dispatched", 2)
    assert stack.execution_status(ticket_id) == "RUNNING"
    assert stack.states_entered(ticket_id).count("Dispatch") == 1  # the second round's (the first: in Screen)
