"""Counting what a run costs on AWS: every request the system's own code sends, through botocore's
events, with DynamoDB capacity units sized as DynamoDB sizes them, and priced from `prices.json`.

What the emulated AWS services do for Lambda (the SQS and stream pollers of an event source
mapping) is not the system's own request: stream reads by a Lambda trigger are free, and an SQS
message handled by Lambda costs its send plus the mapping's receive and delete (counted as two
requests per message sent)."""
from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.session

PRICES = Path(__file__).with_name("prices.json")
# The event source mappings' own calls (see the module's docstring).
POLLER_CALLS = {("sqs", "ReceiveMessage"), ("sqs", "DeleteMessage"), ("sqs", "GetQueueAttributes")}
FREE_SERVICES = {"dynamodbstreams"}
DYNAMO_READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
DYNAMO_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
S3_GETS = {"GetObject", "HeadObject"}


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's JSON, as DynamoDB counts item size."""
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "B":
        return len(data) if isinstance(data, bytes) else math.ceil(len(data) * 3 / 4)
    if kind == "N":
        return 1 + math.ceil(len(data.lstrip("-").replace(".", "").lstrip("0") or "0") / 2)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in data)
    if kind == "BS":
        return sum(value_size({"B": b}) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + value_size(v) for k, v in data.items())
    raise ValueError(kind)


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


@dataclass
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY, INCLUDE
    included: tuple[str, ...] = ()

    def entry_size(self, item: dict[str, Any], table_keys: tuple[str, ...]) -> int | None:
        """Size of the item's entry in this index (None: the item has no entry)."""
        if not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item_size(item) + 100
        kept = set(self.keys) | set(table_keys) | set(self.included)
        return item_size({k: v for k, v in item.items() if k in kept}) + 100


@dataclass
class Meter:
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    index_write_units: float = 0.0
    written_items: Counter[str] = field(default_factory=Counter)  # what kind of item (pk prefix) was written
    lambda_invocations: Counter[str] = field(default_factory=Counter)
    lambda_seconds: float = 0.0
    api_requests: int = 0
    indexes: list[Index] = field(default_factory=list)
    table_keys: tuple[str, ...] = ("pk", "sk")
    sizer: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None  # reads an item, uncounted
    counting: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _installed: bool = False

    # --- hooks -----------------------------------------------------------------------------
    def install(self) -> None:
        """Every botocore client created from now on reports its calls here."""
        if self._installed:
            return
        self._installed = True
        create = botocore.session.Session.create_client
        meter = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = create(session, *args, **kwargs)
            client.meta.events.register("before-parameter-build", meter._params)
            client.meta.events.register("after-call", meter._called)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]

    @contextmanager
    def paused(self) -> Iterator[None]:
        """What the bench itself reads to follow the run is not the system's cost."""
        was, self.counting = self.counting, False
        try:
            yield
        finally:
            self.counting = was

    def invoked(self, source: str, seconds: float) -> None:
        with self._lock:
            self.lambda_invocations[source] += 1
            self.lambda_seconds += seconds

    def _params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["metered_params"] = params

    def _called(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self.counting:
            return
        service = model.service_model.service_name
        operation = model.name
        if service in FREE_SERVICES or (service, operation) in POLLER_CALLS:
            return
        params = context.get("metered_params", {})
        with self._lock:
            self.requests[(service, operation)] += 1
        if service == "dynamodb":
            self._dynamo(operation, params, parsed)

    # --- DynamoDB capacity -------------------------------------------------------------------
    def _dynamo(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        reads = self._reads(operation, params, parsed) if operation in DYNAMO_READS else 0.0
        writes, index_writes = self._writes(operation, params, parsed) if operation in DYNAMO_WRITES else (0.0, 0.0)
        with self._lock:
            self.read_units += reads
            self.write_units += writes
            self.index_write_units += index_writes

    def _reads(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        consistent = params.get("ConsistentRead", False)
        if operation == "GetItem":
            return self._read_units([parsed.get("Item") or {}], consistent)
        if operation == "BatchGetItem":
            return sum(self._read_units(items, False) for items in parsed.get("Responses", {}).values())
        return self._read_units(parsed.get("Items", []), consistent, together=True)  # Query, Scan

    def _writes(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, float]:
        """Units written to the table and to its indexes: sized by the item as it stands after the write."""
        if operation == "PutItem":
            return self._write(params["Item"])
        if operation == "UpdateItem":
            return self._write(self._after(params, parsed.get("Attributes")
                                           if params.get("ReturnValues") == "ALL_NEW" else None))
        if operation == "DeleteItem":
            return self._write(params["Key"])
        writes = index_writes = 0.0
        if operation == "BatchWriteItem":
            for requests in params.get("RequestItems", {}).values():
                for request in requests:
                    w, i = self._write(request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"])
                    writes, index_writes = writes + w, index_writes + i
        elif operation == "TransactWriteItems":
            for action in params.get("TransactItems", []):
                (kind, body), = action.items()
                w, i = self._write(body["Item"] if kind == "Put" else self._after(body, None))
                # A transaction costs two units per unit written (prepare and commit).
                writes, index_writes = writes + 2 * w, index_writes + 2 * i
        return writes, index_writes

    def _after(self, params: dict[str, Any], returned: dict[str, Any] | None) -> dict[str, Any]:
        """The item an update left (read back uncounted when the call did not return it)."""
        if returned is None and self.sizer is not None and "Key" in params:
            returned = self.sizer({"TableName": params["TableName"], "Key": params["Key"]})
        return returned or params.get("Key", {})

    @staticmethod
    def _read_units(items: list[dict[str, Any]], consistent: bool, together: bool = False) -> float:
        sizes = [item_size(item) for item in items]
        blocks = math.ceil(sum(sizes) / 4096) if together else sum(math.ceil(s / 4096) for s in sizes)
        return max(1, blocks) * (1.0 if consistent else 0.5)

    def _write(self, item: dict[str, Any]) -> tuple[float, float]:
        kind = next(iter(item.get("pk", {}).values()), "?").split("#", 1)[0]
        with self._lock:
            self.written_items[kind] += 1
        units = max(1, math.ceil(item_size(item) / 1024))
        index_units = 0
        for index in self.indexes:
            size = index.entry_size(item, self.table_keys)
            if size is not None:
                index_units += max(1, math.ceil(size / 1024))
        return units, index_units

    # --- the bill ----------------------------------------------------------------------------
    def bill(self, cases: int, transitions: int, prices: dict[str, Any] | None = None) -> dict[str, Any]:
        """Requests per case by service, and dollars per 1,000 cases at the price table's list prices."""
        price = (prices or json.loads(PRICES.read_text()))["prices"]
        per_case: dict[str, float] = {}
        for (service, _), n in self.requests.items():
            per_case[service] = per_case.get(service, 0) + n / cases
        sqs_sent = sum(n for (service, op), n in self.requests.items() if service == "sqs" and op == "SendMessage")
        s3_gets = sum(n for (service, op), n in self.requests.items() if service == "s3" and op in S3_GETS)
        s3_puts = sum(n for (service, op), n in self.requests.items() if service == "s3") - s3_gets
        sns = sum(n for (service, _), n in self.requests.items() if service == "sns")
        sqs_requests = sum(n for (service, _), n in self.requests.items() if service == "sqs") + 2 * sqs_sent
        invocations = sum(self.lambda_invocations.values())
        dollars = {
            "dynamodb": (self.write_units + self.index_write_units) * price["dynamodb_write_unit"]
            + self.read_units * price["dynamodb_read_unit"],
            "stepfunctions": transitions * price["stepfunctions_transition"],
            "lambda": invocations * price["lambda_request"]
            + self.lambda_seconds * price["lambda_memory_gb"] * price["lambda_gb_second"],
            "apigateway": self.api_requests * price["apigateway_request"],
            "s3": s3_puts * price["s3_put"] + s3_gets * price["s3_get"],
            "sqs": sqs_requests * price["sqs_request"],
            "sns": sns * price["sns_publish"],
        }
        return {
            "cases": cases,
            "requests_per_case": {k: round(v, 2) for k, v in sorted(per_case.items())},
            "operations_per_case": {f"{s}:{o}": round(n / cases, 2) for (s, o), n in sorted(self.requests.items())},
            "dynamodb_units_per_case": {"read": round(self.read_units / cases, 2),
                                        "write": round(self.write_units / cases, 2),
                                        "index_write": round(self.index_write_units / cases, 2)},
            "items_written_per_case": {k: round(n / cases, 2) for k, n in self.written_items.most_common()},
            "transitions_per_case": round(transitions / cases, 2),
            "lambda_invocations_per_case": {k: round(n / cases, 2) for k, n in sorted(self.lambda_invocations.items())},
            "lambda_seconds_per_case": round(self.lambda_seconds / cases, 3),
            "api_requests_per_case": round(self.api_requests / cases, 2),
            "dollars_per_1000_cases": {k: round(v / cases * 1000, 4) for k, v in dollars.items()},
            "dollars_per_1000_cases_total": round(sum(dollars.values()) / cases * 1000, 4),
        }
