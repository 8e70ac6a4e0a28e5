"""Pollers that feed the Lambda handlers locally with the same event shapes AWS sends."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chalice.local import LambdaContext

log = logging.getLogger("mashang.local")
Handler = Callable[[dict[str, Any], Any], Any]


def _context(name: str) -> LambdaContext:
    return LambdaContext(function_name=name, memory_size=512, max_runtime_ms=30000)


class QueuePump:
    """SQS -> on_sqs_message handler, one message per invocation (batch_size=1); up to `workers`
    invocations at once, as Lambda runs concurrent copies of a function under a burst (1: one at
    a time, in the order received).

    A failing message stays in the queue, comes back after `retry_seconds`, and the
    queue's redrive policy moves it to the dead-letter queue, as Lambda's poller would.
    """

    def __init__(self, sqs: Any, queue_url: str, handler: Handler, name: str = "on_task_message",
                 retry_seconds: int = 2, workers: int = 1) -> None:
        self.sqs, self.url, self.handler, self.name = sqs, queue_url, handler, name
        self.retry_seconds, self.workers = retry_seconds, workers
        self.arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def once(self, wait_seconds: int = 0) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=self.retry_seconds, AttributeNames=["All"]).get("Messages", [])
        if self.workers > 1 and len(messages) > 1:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(messages))) as pool:
                list(pool.map(self._invoke, messages))
            return len(messages)
        for message in messages:
            self._invoke(message)
        return len(messages)

    def _invoke(self, message: dict[str, Any]) -> None:
        event = {"Records": [{
            "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"], "attributes": message.get("Attributes", {}),
            "messageAttributes": {}, "md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs",
            "eventSourceARN": self.arn, "awsRegion": self.arn.split(":")[3],
        }]}
        try:
            self.handler(event, _context(self.name))
        except Exception:  # the message comes back, as with Lambda
            log.exception("task handler failed; the message will be retried")
            return
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


class StreamPump:
    """DynamoDB stream -> on_dynamodb_record handler, in order per shard, as the Lambda event source
    mapping of the template does it: a failing batch is retried `max_attempts` times, then split
    into single records; a record that still fails is reported to the failure queue (the
    OnFailure destination's message: shard and sequence numbers) and the shard moves on. `start`:
    TRIM_HORIZON (every record kept) or LATEST (only what is written from now on)."""

    # Shards are looked for at most this often: a poll is then one request, not two.
    DISCOVER_SECONDS = 1.0

    def __init__(self, streams: Any, stream_arn: str, handler: Handler, name: str = "on_table_change",
                 batch_size: int = 100, failures: tuple[Any, str] | None = None, max_attempts: int = 3,
                 start: str = "TRIM_HORIZON") -> None:
        self.streams, self.arn, self.handler, self.name = streams, stream_arn, handler, name
        self.start = start
        self.batch_size, self.failures, self.max_attempts = batch_size, failures, max_attempts
        self.iterators: dict[str, str] = {}
        self.attempts: dict[str, int] = {}
        self._discovered = float("-inf")

    def _discover(self) -> None:
        if time.monotonic() - self._discovered < self.DISCOVER_SECONDS:
            return
        self._discovered = time.monotonic()
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self.iterators:
                self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"],
                    ShardIteratorType=self.start)["ShardIterator"]

    def once(self) -> int:
        self._discover()
        handled = 0
        for shard, iterator in list(self.iterators.items()):
            answer = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
            records = [self._lambda_record(r) for r in answer["Records"]]
            if records:
                try:
                    self.handler({"Records": records}, _context(self.name))
                except Exception:
                    self.attempts[shard] = self.attempts.get(shard, 0) + 1
                    if self.attempts[shard] < self.max_attempts:
                        log.exception("stream handler failed; the batch will be retried")
                        continue
                    self._one_by_one(shard, records)
                self.attempts.pop(shard, None)
                handled += len(records)
            self.iterators[shard] = answer.get("NextShardIterator") or iterator
        return handled

    def _one_by_one(self, shard: str, records: list[dict[str, Any]]) -> None:
        for record in records:
            for _ in range(self.max_attempts):
                try:
                    self.handler({"Records": [record]}, _context(self.name))
                    break
                except Exception:
                    log.exception("stream record failed")
            else:
                self._report(shard, record)

    def _report(self, shard: str, record: dict[str, Any]) -> None:
        """What Lambda's OnFailure destination sends for a stream batch that could not be handled."""
        if not self.failures:
            return
        sqs, url = self.failures
        sequence = record["dynamodb"]["SequenceNumber"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"DDBStreamBatchInfo": {
            "shardId": shard, "startSequenceNumber": sequence, "endSequenceNumber": sequence,
            "batchSize": 1, "streamArn": self.arn}}))

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        body = dict(record["dynamodb"])
        created = body.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            body["ApproximateCreationDateTime"] = created.timestamp()
        return {**record, "dynamodb": body, "eventSourceARN": self.arn}


def run_forever(step: Callable[[], int], stop: threading.Event, idle_seconds: float = 0.2) -> None:
    """Call `step` until stopped; sleep a little when it had nothing to do (0 for a step that
    waits by itself, e.g. a long poll)."""
    while not stop.is_set():
        try:
            if step() == 0:
                stop.wait(idle_seconds)
        except Exception:
            log.exception("poller step failed")
            stop.wait(1.0)


def drain(*steps: Callable[[], int], until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the pumps in this thread until `until()` holds (tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return
        if sum(step() for step in steps) == 0:
            time.sleep(0.05)
    raise TimeoutError("condition not reached while pumping")
