"""Thin adapters over boto3 clients: the public site bucket and the workflow engine."""
from __future__ import annotations

import contextlib
import json
from typing import Any

from botocore.exceptions import ClientError


class SiteStore:
    """Writes public pages into the site bucket (S3 website hosting / CloudFront serve them)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3, self._bucket = s3, bucket

    def put(self, key: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            cache_seconds: int = 30) -> None:
        data = body.encode() if isinstance(body, str) else body
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type,
                            CacheControl=f"public, max-age={cache_seconds}")


# Answers meaning the execution no longer waits for this token.
GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


class Workflow:
    """One Step Functions execution per ticket, and the task-token hand-backs."""

    def __init__(self, sfn: Any, state_machine_arn: str) -> None:
        self._sfn, self._arn = sfn, state_machine_arn

    def start(self, ticket_id: str) -> None:
        """Start the ticket's execution; a second start of the same ticket is a no-op."""
        with contextlib.suppress(self._sfn.exceptions.ExecutionAlreadyExists):
            self._sfn.start_execution(stateMachineArn=self._arn, name=ticket_id,
                                      input=json.dumps({"ticket_id": ticket_id}))

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        """Resume a waiting step; False if it no longer waits (timed out, execution ended)."""
        return self._answer(self._sfn.send_task_success, taskToken=token, output=json.dumps(output))

    def fail(self, token: str, error: str, cause: str) -> bool:
        return self._answer(self._sfn.send_task_failure, taskToken=token, error=error, cause=cause[:32000])

    @staticmethod
    def _answer(call: Any, **arguments: Any) -> bool:
        try:
            call(**arguments)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in GONE:
                return False
            raise
        return True


class DeadLetters:
    """Task messages that kept failing: shown to supervisors, the tickets stay stored and safe."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs, self._url = sqs, queue_url

    def peek(self, limit: int = 10) -> list[dict[str, Any]]:
        if not self._url:
            return []
        answer = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=limit,
                                           VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"])
        stuck = []
        for message in answer.get("Messages", []):
            body = json.loads(message["Body"])
            stuck.append({"ticket_id": body.get("ticket_id"), "task": body.get("task"),
                          "stage": body.get("stage")})
        return stuck
