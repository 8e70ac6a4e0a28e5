"""What keeps failing is parked, not retried forever, and comes back when a supervisor redrives it."""
from __future__ import annotations

import pytest

from chalicelib.tasks import handlers
from chalicelib.tasks.redrive import redrive
from tests.workflow.test_ticket_workflow import submit, waiting


@pytest.fixture
def routing_down(monkeypatch):
    """Screening (which dispatches by the rules) fails until the test calls `monkeypatch.undo()`
    (the service is back)."""
    def broken(ticket_id, deps):
        raise RuntimeError("the routing service is down")

    monkeypatch.setitem(handlers.STEPS, "screen", broken)
    return monkeypatch


def test_a_task_parked_in_the_dlq_is_run_again_by_the_redrive_and_the_case_moves_on(stack, routing_down):
    monkeypatch = routing_down
    ticket_id, _, _ = submit(stack)
    stack.pump_until(lambda: bool(stack.deps.dead_letters.peek()), timeout=40)
    first = redrive(stack.deps)
    assert first["still_failing"] == 1, first  # not mended yet: it stays parked
    monkeypatch.undo()  # the routing service is back
    report = redrive(stack.deps)
    assert report == {"tasks": 1, "stream_records": 0, "still_failing": 0}
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    assert stack.deps.tickets.get(ticket_id).department == "east-city"
    assert stack.deps.dead_letters.peek() == []
    assert redrive(stack.deps)["tasks"] == 0  # nothing left: a second redrive does nothing


def test_a_case_whose_execution_ended_gets_a_new_one_that_resumes_at_its_stage(stack, routing_down):
    monkeypatch = routing_down
    ticket_id, _, _ = submit(stack)
    stack.pump_until(lambda: bool(stack.deps.dead_letters.peek()), timeout=40)
    stack.sfn.stop_execution(executionArn=stack.execution_arn(ticket_id))  # e.g. its step timed out
    monkeypatch.undo()
    redrive(stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    restarted = stack.execution_arn(ticket_id) + "-r1"
    assert stack.sfn.describe_execution(executionArn=restarted)["status"] == "RUNNING"


def test_a_stream_record_that_keeps_failing_is_reported_the_shard_moves_on_and_a_redrive_publishes_it(
        stack, monkeypatch):
    from chalicelib.services import publish

    real = publish.ticket_pages
    poisoned: set[str] = set()

    def flaky(ticket, deps):
        if ticket.number in poisoned:
            raise RuntimeError("the template cannot render this case")
        return real(ticket, deps)

    monkeypatch.setattr(publish, "ticket_pages", flaky)
    first, first_number, _ = submit(stack, description="东门路灯坏了三盏晚上很黑")
    poisoned.add(first_number)
    second, second_number, _ = submit(stack, location="w1", category="roads", description="西城菜市场门口的路面塌陷了")
    stack.pump_until(lambda: stack.page(f"t/{second_number}.html") is not None, timeout=30)  # the shard moved on
    assert stack.page(f"t/{first_number}.html") is None
    stack.pump_until(lambda: bool(stack.deps.stream_failures.peek()), timeout=10)
    poisoned.clear()  # mended
    report = redrive(stack.deps)
    assert report["stream_records"] >= 1 and report["still_failing"] == 0
    assert stack.page(f"t/{first_number}.html") is not None
    assert stack.deps.stream_failures.peek() == []


def test_a_parked_message_is_counted_once_and_one_that_is_not_json_blocks_nothing(stack):
    sqs = stack.session.client("sqs")
    sqs.send_message(QueueUrl=stack.resources.dead_letter_queue_url, MessageBody="not json at all")
    sqs.send_message(QueueUrl=stack.resources.stream_failure_queue_url, MessageBody='{"DDBStreamBatchInfo": {}}')
    assert len(stack.deps.dead_letters.peek()) == 1
    assert len(stack.deps.stream_failures.peek()) == 1
    assert redrive(stack.deps) == {"tasks": 0, "stream_records": 0, "still_failing": 2}
    assert stack.deps.dead_letters.peek() == [{"unreadable": "not json at all"}]  # still parked, shown
