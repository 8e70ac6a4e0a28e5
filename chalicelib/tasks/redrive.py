"""Redrive: run again what kept failing, once the cause is mended. Task messages from the
dead-letter queue run their step again (steps are safe to repeat); a case whose execution ended on
the way gets a new one, which routes by the stored state. Failed stream batches are read again
from the stream and handled again (starting, counting and publishing are safe to repeat)."""
from __future__ import annotations

from typing import Any

from ..observability import logger
from ..services.context import Deps
from .handlers import publish_records, run_task


def redrive(deps: Deps, limit: int = 50) -> dict[str, Any]:
    tasks, records, failed = 0, 0, 0
    for parked in deps.dead_letters.take(limit):
        try:
            if "unreadable" in parked.body:
                raise ValueError("a parked message that is not a task")
            run_task(parked.body)
            if not deps.workflow.running(parked.body["ticket_id"]):
                deps.workflow.restart(parked.body["ticket_id"])
        except Exception:  # still failing: it stays parked (it shows again after a while)
            logger.exception("redrive of a task failed", extra={"task": parked.body.get("task")})
            deps.dead_letters.release(parked)
            failed += 1
            continue
        deps.dead_letters.done(parked)
        tasks += 1
    for parked in deps.stream_failures.take(limit):
        try:
            found = deps.stream.records(parked.body)
            publish_records(found)
            records += len(found)
        except Exception:
            logger.exception("redrive of a stream batch failed")
            deps.stream_failures.release(parked)
            failed += 1
            continue
        deps.stream_failures.done(parked)
    return {"tasks": tasks, "stream_records": records, "still_failing": failed}
