"""Counting what a run costs on AWS: every request the system's own code sends, through botocore's
events, with DynamoDB capacity units sized as DynamoDB sizes them, and priced from `prices.json`.

What the emulated AWS services do for Lambda (the SQS and stream pollers of an event source
mapping) is not the system's own request: stream reads by a Lambda trigger are free, and an SQS
message handled by Lambda costs its send plus the mapping's receive and delete (counted as two
requests per message sent)."""
from __future__ import annotations

import hashlib
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


def _written(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(table, "put", "update" or "delete", the item put or the key) of each item a write names."""
    if operation == "PutItem":
        return [(params["TableName"], "put", params["Item"])]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], "update" if operation == "UpdateItem" else "delete", params["Key"])]
    if operation == "BatchWriteItem":
        return [(table, "put", r["PutRequest"]["Item"]) if "PutRequest" in r
                else (table, "delete", r["DeleteRequest"]["Key"])
                for table, requests in params.get("RequestItems", {}).items() for r in requests]
    actions = [next(iter(action.items())) for action in params.get("TransactItems", [])]  # TransactWriteItems
    return [(body["TableName"], "put", body["Item"]) if kind == "Put"
            else (body["TableName"], kind.lower(), body["Key"])
            for kind, body in actions if kind in ("Put", "Update", "Delete")]


@dataclass
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY, INCLUDE
    included: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The item's entry in this index (None: the item has no entry)."""
        if not item or not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item
        kept = set(self.keys) | set(table_keys) | set(self.included)
        return {k: v for k, v in item.items() if k in kept}

    def entry_size(self, item: dict[str, Any], table_keys: tuple[str, ...]) -> int | None:
        entry = self.entry(item, table_keys)
        return None if entry is None else item_size(entry) + 100

    def writes(self, before: dict[str, Any] | None, after: dict[str, Any] | None,
               table_keys: tuple[str, ...]) -> int:
        """Units a table write costs in this index, as DynamoDB charges them: nothing when the item
        has no entry before or after, or when its entry (keys and projected attributes) is unchanged;
        an entry put, updated or deleted costs its size; a changed index key deletes one entry and
        puts another."""
        old, new = self.entry(before, table_keys), self.entry(after, table_keys)
        if old == new:
            return 0
        units = 0
        if old is not None and (new is None or any(old.get(k) != new.get(k) for k in self.keys)):
            units += _units(item_size(old) + 100)  # the old entry deleted
            old = None
        if new is not None:
            units += _units(item_size(new) + 100)
        return units


def _units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def key_prefix(key: str) -> str:
    """What kind of object an S3 key names: its first folder, both languages together."""
    parts = key.split("/")
    if parts[0] == "en" and len(parts) > 1:
        parts = parts[1:]
    return parts[0] if len(parts) > 1 else key


def item_kind(item: dict[str, Any]) -> str:
    """What kind of item a key or item is: its partition key's prefix."""
    return str(next(iter(item.get("pk", {}).values()), "?")).split("#", 1)[0]


def request_kind(operation: str, params: dict[str, Any]) -> str:
    """The kind of item a DynamoDB request is about (the partition key's prefix; a query's index
    first; a batch's kinds together)."""
    if "Key" in params:
        return item_kind(params["Key"])
    if "Item" in params:
        return item_kind(params["Item"])
    if operation == "Query":
        values = params.get("ExpressionAttributeValues", {})
        value = values.get(":0") or next(iter(values.values()), {})
        kind = item_kind({"pk": value})
        return f"{params['IndexName']}:{kind}" if params.get("IndexName") else kind
    kinds = set()
    for requests in params.get("RequestItems", {}).values():
        for request in requests if isinstance(requests, list) else requests.get("Keys", []):
            item = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key") or request
            kinds.add(item_kind(item))
    return "+".join(sorted(kinds)) or "?"


@dataclass
class Meter:
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    index_write_units: float = 0.0
    written_items: Counter[str] = field(default_factory=Counter)  # what kind of item (pk prefix) was written
    write_units_by_kind: Counter[str] = field(default_factory=Counter)
    index_units_by_index: Counter[str] = field(default_factory=Counter)
    dynamodb_by_kind: Counter[str] = field(default_factory=Counter)  # "GetItem TICKET": requests by item kind
    s3_writes_by_prefix: Counter[str] = field(default_factory=Counter)
    s3_writes_by_key: Counter[str] = field(default_factory=Counter)  # every object written, how often
    s3_unchanged_by_prefix: Counter[str] = field(default_factory=Counter)  # writes of what was there already
    _s3_digests: dict[str, str] = field(default_factory=dict)
    lambda_invocations: Counter[str] = field(default_factory=Counter)
    lambda_seconds: float = 0.0
    api_requests: int = 0
    indexes: list[Index] = field(default_factory=list)
    table_keys: tuple[str, ...] = ("pk", "sk")
    sizer: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None  # reads an item, uncounted
    counting: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)
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

    def _quiet(self) -> bool:
        return bool(getattr(self._local, "quiet", False))

    def _read_quietly(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """An item as it stands, read by the meter itself (never counted, from any thread)."""
        if self.sizer is None:
            return None
        self._local.quiet = True
        try:
            return self.sizer({"TableName": table, "Key": key})
        finally:
            self._local.quiet = False

    def _params(self, params: dict[str, Any], context: dict[str, Any], model: Any = None, **_: Any) -> None:
        context["metered_params"] = params
        if not self.counting or self._quiet() or model is None or self.sizer is None:
            return
        if model.service_model.service_name == "dynamodb" and model.name in DYNAMO_WRITES:
            # The items as they stood before the write: DynamoDB charges the larger of before and
            # after, and writes an index only when the item's entry in it changes.
            context["metered_before"] = [self._read_quietly(table, self._key(item))
                                         for table, _, item in _written(model.name, params)]

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.table_keys if k in item}

    def _called(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self.counting or self._quiet():
            return
        service = model.service_model.service_name
        operation = model.name
        if service in FREE_SERVICES or (service, operation) in POLLER_CALLS:
            return
        params = context.get("metered_params", {})
        with self._lock:
            self.requests[(service, operation)] += 1
            if service == "s3" and operation not in S3_GETS:
                for key in [params.get("Key")] + [o.get("Key") for o in params.get("Delete", {}).get("Objects", [])]:
                    if key:
                        self.s3_writes_by_prefix[key_prefix(key)] += 1
                        self.s3_writes_by_key[key] += 1
                if operation == "PutObject" and params.get("Key"):
                    body = params.get("Body", b"")
                    body = body.getvalue() if hasattr(body, "getvalue") else body  # botocore wraps bytes
                    digest = hashlib.md5(body if isinstance(body, bytes) else str(body).encode()).hexdigest()
                    if self._s3_digests.get(params["Key"]) == digest:
                        self.s3_unchanged_by_prefix[key_prefix(params["Key"])] += 1
                    self._s3_digests[params["Key"]] = digest
        if service == "dynamodb":
            with self._lock:
                self.dynamodb_by_kind[f"{operation} {request_kind(operation, params)}"] += 1
            self._dynamo(operation, params, parsed, context.get("metered_before"))

    # --- DynamoDB capacity -------------------------------------------------------------------
    def _dynamo(self, operation: str, params: dict[str, Any], parsed: dict[str, Any],
                before: list[dict[str, Any] | None] | None = None) -> None:
        reads = self._reads(operation, params, parsed) if operation in DYNAMO_READS else 0.0
        writes, index_writes = (self._writes(operation, params, parsed, before)
                                if operation in DYNAMO_WRITES else (0.0, 0.0))
        with self._lock:
            self.read_units += reads
            self.write_units += writes
            self.index_write_units += index_writes

    def _reads(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        consistent = params.get("ConsistentRead", False)
        if operation == "GetItem":
            return self._read_units([parsed.get("Item") or {}], consistent)
        if operation == "BatchGetItem":  # each key read as a GetItem would read it, found or not
            units = 0.0
            for table, asked in params.get("RequestItems", {}).items():
                found = parsed.get("Responses", {}).get(table, [])
                left = len(parsed.get("UnprocessedKeys", {}).get(table, {}).get("Keys", []))
                missing = len(asked.get("Keys", [])) - left - len(found)
                consistent = asked.get("ConsistentRead", False)
                units += self._read_units(found, consistent) if found else 0.0
                units += max(0, missing) * (1.0 if consistent else 0.5)
            return units
        return self._read_units(parsed.get("Items", []), consistent, together=True)  # Query, Scan

    def _writes(self, operation: str, params: dict[str, Any], parsed: dict[str, Any],
                before: list[dict[str, Any] | None] | None = None) -> tuple[float, float]:
        """Units written to the table and to its indexes, from the items before and after the write
        (read back uncounted when the call did not return them). A write refused by its condition
        still costs its units in the table, and nothing in the indexes."""
        failed = "Error" in parsed
        written = _written(operation, params)
        befores = before if before is not None and len(before) == len(written) else [None] * len(written)
        # A transaction costs two units per unit written (prepare and commit).
        factor = 2 if operation == "TransactWriteItems" else 1
        writes = index_writes = 0.0
        for (table, how, item), old in zip(written, befores, strict=True):
            new: dict[str, Any] | None
            if failed:
                new = old
            elif how == "delete":
                new = None
            elif how == "put":
                new = item
            elif params.get("ReturnValues") == "ALL_NEW" and parsed.get("Attributes"):
                new = parsed["Attributes"]
            else:
                new = self._read_quietly(table, item)
            w, i = self._write(old, new, item, indexed=not failed)
            writes, index_writes = writes + factor * w, index_writes + factor * i
        return writes, index_writes

    @staticmethod
    def _read_units(items: list[dict[str, Any]], consistent: bool, together: bool = False) -> float:
        sizes = [item_size(item) for item in items]
        blocks = math.ceil(sum(sizes) / 4096) if together else sum(math.ceil(s / 4096) for s in sizes)
        return max(1, blocks) * (1.0 if consistent else 0.5)

    def _write(self, before: dict[str, Any] | None, after: dict[str, Any] | None,
               key: dict[str, Any] | None = None, indexed: bool = True) -> tuple[float, float]:
        """One item written: units in the table (the larger of before and after, one per KB) and in
        each index whose entry changed."""
        kind = item_kind(after or before or key or {})
        units = _units(max(item_size(before or {}), item_size(after or {}), item_size(key or {})))
        index_units = 0
        by_index = {}
        if indexed:
            for index in self.indexes:
                by_index[index.name] = index.writes(before, after, self.table_keys)
                index_units += by_index[index.name]
        with self._lock:
            self.written_items[kind] += 1
            self.write_units_by_kind[kind] += units
            for name, n in by_index.items():
                if n:
                    self.index_units_by_index[name] += n
        return units, index_units

    # --- the bill ----------------------------------------------------------------------------
    def dollars(self, transitions: int = 0, prices: dict[str, Any] | None = None) -> dict[str, float]:
        """What everything counted so far costs, by service, at the price table's list prices."""
        price = (prices or json.loads(PRICES.read_text()))["prices"]
        with self._lock:
            requests = Counter(self.requests)
            invocations = sum(self.lambda_invocations.values())
        sqs_sent = sum(n for (service, op), n in requests.items() if service == "sqs" and op == "SendMessage")
        s3_gets = sum(n for (service, op), n in requests.items() if service == "s3" and op in S3_GETS)
        s3_puts = sum(n for (service, op), n in requests.items() if service == "s3") - s3_gets
        sns = sum(n for (service, _), n in requests.items() if service == "sns")
        sqs_requests = sum(n for (service, _), n in requests.items() if service == "sqs") + 2 * sqs_sent
        return {
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

    def bill(self, cases: int, transitions: int, prices: dict[str, Any] | None = None) -> dict[str, Any]:
        """Requests per case by service, and dollars per 1,000 cases at the price table's list prices."""
        per_case: dict[str, float] = {}
        for (service, _), n in self.requests.items():
            per_case[service] = per_case.get(service, 0) + n / cases
        dollars = self.dollars(transitions, prices)
        return {
            "cases": cases,
            "requests_per_case": {k: round(v, 2) for k, v in sorted(per_case.items())},
            "operations_per_case": {f"{s}:{o}": round(n / cases, 2) for (s, o), n in sorted(self.requests.items())},
            "dynamodb_units_per_case": {"read": round(self.read_units / cases, 2),
                                        "write": round(self.write_units / cases, 2),
                                        "index_write": round(self.index_write_units / cases, 2)},
            "dynamodb_requests_by_kind_per_case": {k: round(n / cases, 2)
                                                   for k, n in self.dynamodb_by_kind.most_common()},
            "items_written_per_case": {k: round(n / cases, 2) for k, n in self.written_items.most_common()},
            "dynamodb_write_units_by_kind_per_case": {k: round(n / cases, 2)
                                                      for k, n in self.write_units_by_kind.most_common()},
            "dynamodb_index_units_by_index_per_case": {k: round(n / cases, 2)
                                                       for k, n in sorted(self.index_units_by_index.items())},
            "s3_writes_by_prefix_per_case": {k: round(n / cases, 2) for k, n in self.s3_writes_by_prefix.most_common()},
            "s3_unchanged_writes_by_prefix_per_case": {k: round(n / cases, 2)
                                                       for k, n in self.s3_unchanged_by_prefix.most_common()},
            "transitions_per_case": round(transitions / cases, 2),
            "lambda_invocations_per_case": {k: round(n / cases, 2) for k, n in sorted(self.lambda_invocations.items())},
            "lambda_seconds_per_case": round(self.lambda_seconds / cases, 3),
            "api_requests_per_case": round(self.api_requests / cases, 2),
            "dollars_per_1000_cases": {k: round(v / cases * 1000, 4) for k, v in dollars.items()},
            "dollars_per_1000_cases_total": round(sum(dollars.values()) / cases * 1000, 4),
        }
