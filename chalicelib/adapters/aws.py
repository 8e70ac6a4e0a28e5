"""Thin adapters over boto3 clients: the public site bucket, the workflow engine, parked messages
and the table's stream."""
from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from ..services.ports import Parked, UploadForm

PARALLEL_WRITES = 8


class SiteStore:
    """Writes public pages into the site bucket (CloudFront serves them)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3, self._bucket = s3, bucket

    def put(self, key: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            cache_seconds: int = 30) -> None:
        data = body.encode() if isinstance(body, str) else body
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type,
                            CacheControl=f"public, max-age={cache_seconds}")

    def put_pages(self, pages: list[tuple[str, str]], cache_seconds: int = 10) -> None:
        if len(pages) <= 1:
            for key, body in pages:
                self.put(key, body, cache_seconds=cache_seconds)
            return
        with ThreadPoolExecutor(max_workers=PARALLEL_WRITES) as pool:  # boto3 clients are thread-safe
            for done in [pool.submit(self.put, key, body, cache_seconds=cache_seconds) for key, body in pages]:
                done.result()


# Answers meaning the execution no longer waits for this token.
GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}
MAX_RESTARTS = 20


class Workflow:
    """One Step Functions execution per ticket (named by the ticket id; restarts add -r1, -r2 …),
    and the task-token hand-backs."""

    def __init__(self, sfn: Any, state_machine_arn: str) -> None:
        self._sfn, self._arn = sfn, state_machine_arn

    def start(self, ticket_id: str, name: str | None = None) -> None:
        """Start the ticket's execution; a second start of the same name is a no-op."""
        with contextlib.suppress(self._sfn.exceptions.ExecutionAlreadyExists):
            self._sfn.start_execution(stateMachineArn=self._arn, name=name or ticket_id,
                                      input=json.dumps({"ticket_id": ticket_id}))

    def _names(self, ticket_id: str) -> list[str]:
        """The ticket's executions that exist, oldest first."""
        prefix = self._arn.replace(":stateMachine:", ":execution:")
        found = []
        for name in [ticket_id] + [f"{ticket_id}-r{n}" for n in range(1, MAX_RESTARTS + 1)]:
            try:
                self._sfn.describe_execution(executionArn=f"{prefix}:{name}")
            except self._sfn.exceptions.ExecutionDoesNotExist:
                break
            found.append(name)
        return found

    def running(self, ticket_id: str) -> bool:
        names = self._names(ticket_id)
        if not names:
            return False
        prefix = self._arn.replace(":stateMachine:", ":execution:")
        status = self._sfn.describe_execution(executionArn=f"{prefix}:{names[-1]}")["status"]
        return bool(status == "RUNNING")

    def restart(self, ticket_id: str) -> None:
        self.start(ticket_id, name=f"{ticket_id}-r{len(self._names(ticket_id))}")

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


class ParkedQueue:
    """An SQS queue of messages that kept failing (the task DLQ, the stream-failure queue)."""

    def __init__(self, sqs: Any, queue_url: str, hide_seconds: int = 60) -> None:
        self._sqs, self._url, self._hide = sqs, queue_url, hide_seconds

    def _receive(self, limit: int, hide: int) -> list[dict[str, Any]]:
        if not self._url:
            return []
        found: dict[str, dict[str, Any]] = {}  # a message seen again (hide=0) is one message
        while len(found) < limit:
            batch = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=min(10, limit - len(found)),
                                              VisibilityTimeout=hide).get("Messages", [])
            fresh = [m for m in batch if m["MessageId"] not in found]
            if not fresh:
                break
            found.update((m["MessageId"], m) for m in fresh)
        return list(found.values())

    @staticmethod
    def _body(message: dict[str, Any]) -> dict[str, Any]:
        """The message as data; one that is not a JSON object is kept as its first characters."""
        try:
            body = json.loads(message["Body"])
        except ValueError:
            body = None
        return body if isinstance(body, dict) else {"unreadable": str(message["Body"])[:200]}

    def peek(self, limit: int = 10) -> list[dict[str, Any]]:
        return [self._body(m) for m in self._receive(limit, hide=0)]

    def take(self, limit: int = 10) -> list[Parked]:
        return [Parked(self._body(m), m["ReceiptHandle"]) for m in self._receive(limit, hide=self._hide)]

    def done(self, parked: Parked) -> None:
        self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=parked.receipt)

    def release(self, parked: Parked) -> None:
        self._sqs.change_message_visibility(QueueUrl=self._url, ReceiptHandle=parked.receipt, VisibilityTimeout=0)


class TableStream:
    """Reads again the records a stream-failure message names (DDBStreamBatchInfo: shard and the
    first and last sequence numbers of the failed batch)."""

    def __init__(self, streams: Any) -> None:
        self._streams = streams

    def records(self, failure: dict[str, Any]) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        info = failure["DDBStreamBatchInfo"]
        iterator = self._streams.get_shard_iterator(
            StreamArn=info["streamArn"], ShardId=info["shardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=info["startSequenceNumber"])["ShardIterator"]
        last = int(info["endSequenceNumber"])
        found: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
        while iterator:
            answer = self._streams.get_records(ShardIterator=iterator, Limit=100)
            for record in answer["Records"]:
                if int(record["dynamodb"]["SequenceNumber"]) > last:
                    return found
                found.append((record["dynamodb"].get("OldImage"), record["dynamodb"].get("NewImage")))
            if not answer["Records"]:
                break
            iterator = answer.get("NextShardIterator")
        return found


def _missing(exc: ClientError) -> bool:
    """S3's answer for an object that is not there (HEAD says 404, GET says NoSuchKey)."""
    return exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound")


class S3Photos:
    """Photos in the private upload bucket (`incoming/<id>` as uploaded, expiring within a day;
    `photos/<name>` cleaned, for staff), and public copies in the site bucket."""

    def __init__(self, s3: Any, bucket: str, site_bucket: str, browser_s3: Any) -> None:
        # Upload forms and staff links are opened by browsers, at storage's public address.
        self._s3, self._bucket, self._site, self._browser_s3 = s3, bucket, site_bucket, browser_s3

    def upload_form(self, upload: str, content_type: str, max_bytes: int) -> UploadForm:
        post = self._browser_s3.generate_presigned_post(
            self._bucket, f"incoming/{upload}", Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=900)
        return UploadForm(url=post["url"], fields=post["fields"], upload=upload)

    def read_upload(self, upload: str, max_bytes: int) -> bytes | None:
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=f"incoming/{upload}")
            if head["ContentLength"] > max_bytes:
                return None
            return bytes(self._s3.get_object(Bucket=self._bucket, Key=f"incoming/{upload}")["Body"].read())
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def _keys(self, name: str) -> tuple[str, str]:
        stem, _, suffix = name.rpartition(".")
        return f"photos/{name}", f"photos/{stem}-s.{suffix}"

    def keep(self, name: str, full: bytes, small: bytes) -> None:
        for key, data in zip(self._keys(name), (full, small), strict=True):
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType="image/jpeg")

    def forget_upload(self, upload: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=f"incoming/{upload}")

    def kept(self, name: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=self._keys(name)[1])
            return True
        except ClientError as exc:
            if _missing(exc):
                return False
            raise

    def staff_url(self, name: str, small: bool = False) -> str:
        key = self._keys(name)[1 if small else 0]
        return str(self._browser_s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=3600))

    def publish(self, name: str, key: str, small_key: str) -> None:
        for source, target in zip(self._keys(name), (key, small_key), strict=True):
            self._s3.copy_object(Bucket=self._site, Key=target, CopySource={"Bucket": self._bucket, "Key": source},
                                 ContentType="image/jpeg", CacheControl="public, max-age=86400",
                                 MetadataDirective="REPLACE")

    def withdraw(self, key: str, small_key: str) -> None:
        self._s3.delete_objects(Bucket=self._site, Delete={"Objects": [{"Key": key}, {"Key": small_key}]})
