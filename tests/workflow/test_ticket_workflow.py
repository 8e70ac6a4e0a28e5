"""The real state machine (infra/statemachines) executed by moto, driven through our handlers."""
from __future__ import annotations

from chalicelib.services import tickets
from chalicelib.services.commands import AcceptTicket, ReplyTicket, SubmitTicket
from chalicelib.tasks.handlers import run_task
from tests.builders import submission


def submit(stack, **overrides) -> str:
    receipt = tickets.submit(SubmitTicket.parse(submission(**overrides)), stack.deps)
    return stack.deps.tickets.by_number(receipt.number).id


def waiting_for(stack, ticket_id: str, stage: str):
    return lambda: stack.deps.tickets.get(ticket_id).task_stage == stage


def test_a_submitted_ticket_starts_one_execution_named_by_its_id_and_is_dispatched(stack):
    ticket_id = submit(stack)
    stack.pump_until(waiting_for(stack, ticket_id, "accept"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.status.value == "dispatched"
    assert ticket.department == "east-city"
    assert ticket.accept_due < ticket.reply_due
    assert [e["name"] for e in stack.executions()] == [ticket_id]
    assert stack.states_entered(ticket_id) == ["Dispatch", "AwaitAcceptance"]
    assert stack.execution_status(ticket_id) == "RUNNING"


def test_accept_and_reply_resume_the_execution_until_it_succeeds(stack):
    ticket_id = submit(stack)
    number = stack.deps.tickets.get(ticket_id).number
    stack.pump_until(waiting_for(stack, ticket_id, "accept"))
    tickets.accept(number, "east-city", AcceptTicket(), stack.deps)
    stack.pump_until(waiting_for(stack, ticket_id, "reply"))
    assert stack.states_entered(ticket_id)[-1] == "AwaitReply"
    tickets.reply(number, "east-city", ReplyTicket(text="已修复"), stack.deps)
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "SUCCEEDED"
                     and "已修复" in (stack.page(f"t/{number}.html") or ""))
    assert stack.states_entered(ticket_id) == ["Dispatch", "AwaitAcceptance", "AwaitReply", "Replied"]
    assert "已答复" in stack.page(f"t/{number}.html")


def test_a_department_quicker_than_the_queue_still_resumes_the_workflow(stack):
    ticket_id = submit(stack)
    number = stack.deps.tickets.get(ticket_id).number
    stack.pump_until(lambda: stack.status_of(ticket_id) == "dispatched")
    held = stack.take_task_message("await")  # the hand-over has not reached the worker yet
    tickets.accept(number, "east-city", AcceptTicket(), stack.deps)
    assert stack.states_entered(ticket_id)[-1] == "AwaitAcceptance"  # still waiting
    run_task(held)  # the late hand-over finds the step done and resumes at once
    stack.pump_until(lambda: "AwaitReply" in stack.states_entered(ticket_id))


def test_no_routing_rule_fails_the_dispatch_step_with_the_domain_error(stack):
    ticket_id = submit(stack, location="w1", category="noise")
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "FAILED")
    failed = [e for e in stack.history(ticket_id) if e["type"] == "TaskFailed"]
    assert failed[-1]["taskFailedEventDetails"]["error"] == "NoRoute"
    assert stack.status_of(ticket_id) == "submitted"  # the ticket is kept, not lost


def test_a_redelivered_dispatch_message_does_not_dispatch_twice(stack):
    ticket_id = submit(stack)
    stack.pump_until(waiting_for(stack, ticket_id, "accept"))
    events_before = len(stack.deps.tickets.get(ticket_id).events)
    output = tickets.dispatch(ticket_id, stack.deps)
    assert output["department"] == "east-city"
    assert len(stack.deps.tickets.get(ticket_id).events) == events_before


def test_a_token_the_workflow_no_longer_waits_for_is_ignored(stack):
    ticket_id = submit(stack)
    stack.pump_until(waiting_for(stack, ticket_id, "accept"))
    run_task({"task": "dispatch", "ticket_id": ticket_id, "token": "stale-token"})  # must not raise
    assert stack.status_of(ticket_id) == "dispatched"
