"""A local AWS for tests: one moto server per session, fresh resources per test."""
from __future__ import annotations

import json
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3

from chalicelib.services.context import Deps
from chalicelib.tasks import handlers
from infra.local.provision import Resources
from infra.local.pumps import QueuePump, StreamPump, drain


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def twin_ports() -> dict[str, str]:
    """Free ports for a local twin of its own (`make run`'s MASHANG_*_PORT settings)."""
    return {f"MASHANG_{name}_PORT": str(free_port()) for name in ("API", "SITE", "MOTO", "DATA", "WORKFLOW")}


def unique_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


STAFF_PASSWORD = "Test-password-2026"


@dataclass
class Stack:
    session: boto3.session.Session
    resources: Resources
    deps: Deps
    _tokens: dict[str, str] = field(default_factory=dict)

    # --- staff sign-in (the stack's own user pool) -------------------------------------
    def token(self, role: str, department: str = "center") -> str:
        """A fresh account `<role>-<department>` (made once) signed in: its ID token."""
        from chalicelib.services.ports import Account
        from infra.local.accounts import sign_in

        username = f"{role}-{department}"
        if username not in self._tokens:
            self.deps.staff.create(Account(username, role, department, username, True), STAFF_PASSWORD,
                                   temporary=False)
            self._tokens[username] = sign_in(self.session.client("cognito-idp"),
                                             self.resources.refs["StaffPoolClient"], username, STAFF_PASSWORD)
        return self._tokens[username]

    def staff(self, department: str = "center", role: str = "handler") -> dict[str, str]:
        """Request headers of a signed-in member of staff."""
        return {"Authorization": f"Bearer {self.token(role, department)}"}

    def __post_init__(self) -> None:
        from infra.local.outbox import sms_messages

        self._sms_seen = len(sms_messages())
        self.sfn = self.session.client("stepfunctions")
        self.s3 = self.session.client("s3")
        self.queue = QueuePump(self.session.client("sqs"), self.resources.task_queue_url,
                               handlers.on_task_message, retry_seconds=1)
        self.pages = QueuePump(self.session.client("sqs"), self.resources.page_queue_url,
                               handlers.on_page_message, name="on_page_message", retry_seconds=1)
        self.stream = StreamPump(self.session.client("dynamodbstreams"), self.resources.table_stream_arn,
                                 handlers.on_table_change,
                                 failures=(self.session.client("sqs"), self.resources.stream_failure_queue_url))

    # --- driving the asynchronous parts -------------------------------------------
    def pump_until(self, condition: Any, timeout: float = 20.0) -> None:
        drain(self.stream.once, self.queue.once, self.pages.once, until=condition, timeout=timeout)

    def take_task_message(self, task: str, timeout: float = 10.0) -> dict[str, Any]:
        """Receive the next task message of kind `task` without handling it (to hold it back)."""
        sqs = self.session.client("sqs")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=self.resources.task_queue_url, WaitTimeSeconds=1,
                                               MaxNumberOfMessages=1).get("Messages", []):
                sqs.delete_message(QueueUrl=self.resources.task_queue_url, ReceiptHandle=message["ReceiptHandle"])
                body = json.loads(message["Body"])
                if body["task"] == task:
                    return body
        raise TimeoutError(f"no '{task}' task message arrived")

    def status_of(self, ticket_id: str) -> str:
        return self.deps.tickets.get(ticket_id).status.value

    # --- the workflow ----------------------------------------------------------------
    def execution_arn(self, ticket_id: str) -> str:
        arn = self.resources.state_machine_arn.replace(":stateMachine:", ":execution:")
        return f"{arn}:{ticket_id}"

    def execution_status(self, ticket_id: str) -> str | None:
        try:
            return self.sfn.describe_execution(executionArn=self.execution_arn(ticket_id))["status"]
        except self.sfn.exceptions.ExecutionDoesNotExist:
            return None

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        return self.sfn.get_execution_history(executionArn=self.execution_arn(ticket_id))["events"]

    def states_entered(self, ticket_id: str) -> list[str]:
        """Names of the states the execution entered, in order ([] before it exists)."""
        try:
            history = self.history(ticket_id)
        except self.sfn.exceptions.ExecutionDoesNotExist:
            return []
        return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]

    def executions(self) -> list[dict[str, Any]]:
        return self.sfn.list_executions(stateMachineArn=self.resources.state_machine_arn)["executions"]

    # --- the site and the table ------------------------------------------------------
    def page(self, key: str) -> str | None:
        try:
            return self.s3.get_object(Bucket=self.resources.site_bucket, Key=key)["Body"].read().decode()
        except self.s3.exceptions.NoSuchKey:
            return None

    def items(self) -> list[dict[str, Any]]:
        ddb = self.session.client("dynamodb")
        return ddb.scan(TableName=self.resources.table)["Items"]

    def sms(self, phone: str | None = None) -> list[str]:
        """Texts of the SMS sent since this stack was made (to `phone`, if given)."""
        from infra.local.outbox import sms_messages

        sent = sms_messages()[self._sms_seen:]
        return [text for number, text in sent if phone is None or number.endswith(phone)]

    def stop_executions(self) -> None:
        for execution in self.executions():
            if execution["status"] == "RUNNING":
                self.sfn.stop_execution(executionArn=execution["executionArn"])
