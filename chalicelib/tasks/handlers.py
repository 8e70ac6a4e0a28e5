"""Workflow steps that need our code arrive as SQS messages; every table change republishes pages."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from .. import bootstrap
from ..adapters.dynamo import ticket_from_image
from ..domain.errors import DomainError
from ..observability import logger
from ..services import steps
from ..services.context import Deps
from ..services.publish import publish_ticket

tasks = Blueprint(__name__)

# Chalice needs literal event sources when packaging; infra/template.json replaces both
# with references to the real queue and stream, so these names are only defaults.
TASK_QUEUE_ARN = os.environ.get(
    "MASHANG_TASK_QUEUE_ARN", "arn:aws:sqs:us-east-1:000000000000:replaced-by-infra")
TABLE_STREAM_ARN = os.environ.get(
    "MASHANG_TABLE_STREAM_ARN",
    "arn:aws:dynamodb:us-east-1:000000000000:table/mashang/stream/replaced-by-infra")

# Steps that compute something and answer what comes next.
STEPS: dict[str, Callable[[str, Deps], dict[str, Any]]] = {
    "screen": steps.screen,
    "dispatch": steps.dispatch,
    "open_survey": steps.open_survey,
    "call_back": steps.call_back,
    "default_verdict": steps.default_verdict,
}


def run_task(message: dict[str, Any]) -> None:
    """One workflow step. Domain errors fail the step by name (the ASL retries or catches them);
    anything else raises, so SQS retries and finally parks the message in the DLQ."""
    deps = bootstrap.deps()
    token, ticket_id, task = message["token"], message["ticket_id"], message["task"]
    logger.append_keys(ticket_id=ticket_id, task=task)
    try:
        if task in STEPS:
            deps.workflow.succeed(token, STEPS[task](ticket_id, deps))
        elif task == "await":
            steps.hand_over(ticket_id, message["stage"], token, deps)
        elif task == "escalate":
            deps.workflow.succeed(token, steps.escalate(ticket_id, message["stage"], deps))
        else:
            deps.workflow.fail(token, "UnknownTask", f"no handler for task '{task}'")
    except DomainError as exc:
        logger.info("task failed", extra={"error": type(exc).__name__})
        deps.workflow.fail(token, type(exc).__name__, exc.message)


@tasks.on_sqs_message(queue_arn=TASK_QUEUE_ARN, batch_size=1)
def on_task_message(event: Any) -> None:
    for record in event:
        run_task(json.loads(record.body))


def publish_record(event_name: str, new_image: dict[str, Any] | None) -> None:
    """A new ticket starts its workflow; every ticket change rewrites its page."""
    ticket = ticket_from_image(new_image) if new_image else None
    if ticket is None:
        return
    deps = bootstrap.deps()
    logger.append_keys(ticket_id=ticket.id)
    if event_name == "INSERT":
        deps.workflow.start(ticket.id)
    publish_ticket(ticket, deps)


@tasks.on_dynamodb_record(stream_arn=TABLE_STREAM_ARN, batch_size=25)
def on_table_change(event: Any) -> None:
    for record in event:
        publish_record(record.event_name, record.new_image)
