"""Workflow steps that need our code arrive as SQS messages; every table change republishes pages."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from .. import bootstrap, config
from ..domain.errors import DomainError
from ..observability import logger
from ..services import steps
from ..services.changes import on_changes
from ..services.context import Deps
from ..services.site import rebuild_pending
from ..services.tickets import answer, step_name

tasks = Blueprint(__name__)

# Steps that compute something and answer what comes next.
STEPS: dict[str, Callable[[str, Deps], dict[str, Any]]] = {
    "screen": steps.screen,
    "dispatch": steps.dispatch,
    "open_survey": steps.open_survey,
    "call_back": steps.call_back,
    "default_verdict": steps.default_verdict,
}


def run_task(message: dict[str, Any]) -> None:
    """One workflow step, answered with its outcome (services/tickets.py: answer). Domain errors fail
    the step by name (the ASL retries or catches them); anything else raises, so SQS retries and
    finally parks the message in the DLQ. `catches`: the state routes the outcomes it does not
    expect by its Catch (a message of an older definition lacks it)."""
    deps = bootstrap.deps()
    token, ticket_id, task = message["token"], message["ticket_id"], message["task"]
    stage, catches = message.get("stage"), bool(message.get("catches"))
    # Per thread: the local twin runs two steps at once in one process (Lambda runs one).
    logger.thread_safe_append_keys(ticket_id=ticket_id, task=task)
    try:
        if task in STEPS:
            answer(deps, token, step_name(task), STEPS[task](ticket_id, deps), catches)
        elif task == "await" and stage:
            steps.hand_over(ticket_id, stage, token, deps, catches)
        elif task == "escalate" and stage:
            answer(deps, token, step_name(task, stage), steps.escalate(ticket_id, stage, deps, token), catches)
        else:
            deps.workflow.fail(token, "UnknownTask", f"no handler for task '{task}'")
    except DomainError as exc:
        logger.info("task failed", extra={"error": type(exc).__name__})
        deps.workflow.fail(token, type(exc).__name__, exc.message)


@tasks.on_sqs_message(queue_arn=config.event_source(config.TASK_QUEUE_ARN), batch_size=1)
def on_task_message(event: Any) -> None:
    for record in event:
        run_task(json.loads(record.body))


@tasks.on_sqs_message(queue_arn=config.event_source(config.PAGE_QUEUE_ARN), batch_size=1)
def on_page_message(event: Any) -> None:
    """The coalesced build of the shared pages that changes marked (services/site.py)."""
    rebuild_pending(bootstrap.deps())


Image = dict[str, Any] | None
# Up to this many stream records per call: under a burst a case is screened, dispatched and handed
# over within a second, and a bigger batch writes its page and listing entries once for all three.
STREAM_BATCH = 1000


def publish_records(images: list[tuple[Image, Image]]) -> None:
    """Tickets were stored: start, count and publish what follows (services/changes.py)."""
    deps = bootstrap.deps()
    changes = []
    for old_image, new_image in images:
        new = deps.tickets.from_image(new_image) if new_image else None
        if new is not None:
            changes.append((deps.tickets.from_image(old_image) if old_image else None, new))
    on_changes(changes, deps)


@tasks.on_dynamodb_record(stream_arn=config.event_source(config.TABLE_STREAM_ARN), batch_size=STREAM_BATCH)
def on_table_change(event: Any) -> None:
    publish_records([(record.old_image, record.new_image) for record in event])
