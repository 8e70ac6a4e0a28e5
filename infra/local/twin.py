"""Where the local twin listens, and how its emulator (a moto server that really executes the state
machines) is started: in this process for tests, in a process of its own for `make run`."""
from __future__ import annotations

import base64
import bisect
import functools
import inspect
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
# The address the twin listens on (0.0.0.0: every interface, so phones on the network reach it).
HOST = os.environ.get("MASHANG_HOST", "127.0.0.1")
# The address this machine's own processes connect to.
CONNECT_HOST = "127.0.0.1" if HOST in ("0.0.0.0", "::", "") else HOST
API_PORT = int(os.environ.get("MASHANG_API_PORT", "8000"))
SITE_PORT = int(os.environ.get("MASHANG_SITE_PORT", "8080"))
MOTO_PORT = int(os.environ.get("MASHANG_MOTO_PORT", "5050"))
# The emulator is three processes, each with an interpreter lock of its own (one lock held every
# service's work, and under a burst it was the bottleneck): DynamoDB (the table and its stream) at
# MASHANG_DATA_PORT, Step Functions and SQS (the workflows and their task messages) at
# MASHANG_WORKFLOW_PORT, and the rest (S3, Cognito, SNS: what browsers reach) at MASHANG_MOTO_PORT.
APART = {"DATA": ("DYNAMODB", "DYNAMODB_STREAMS"), "WORKFLOW": ("SFN", "SQS")}  # botocore's AWS_ENDPOINT_URL_<X>
DATA_PORT = int(os.environ.get("MASHANG_DATA_PORT", str(MOTO_PORT + 1)))
WORKFLOW_PORT = int(os.environ.get("MASHANG_WORKFLOW_PORT", str(MOTO_PORT + 2)))
APART_PORTS = {"DATA": DATA_PORT, "WORKFLOW": WORKFLOW_PORT}
WORKDAY = "MASHANG_WORKDAY_SECONDS"
QR_DIR = Path(os.environ.get("MASHANG_QR_DIR", ROOT / "build" / "qr"))
# Where the local twin keeps its data between runs (`make reset` empties it).
STATE_DIR = Path(os.environ.get("MASHANG_STATE_DIR", ROOT / "build" / "state"))


def local_aws_environment(moto_port: int, apart: Mapping[str, int] | None = None) -> dict[str, str]:
    """What every local process needs to talk to the emulator instead of AWS: every service at
    `moto_port`, but those an emulator of their own answers (`APART`) at its port in `apart`."""
    environment = {
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{CONNECT_HOST}:{moto_port}",
        # moto's state machine interpreter sends the workflow's task messages through this port.
        "MOTO_PORT": str(moto_port),
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
    for name, port in (apart or {}).items():
        environment |= {f"AWS_ENDPOINT_URL_{service}": f"http://{CONNECT_HOST}:{port}" for service in APART[name]}
    return environment


LOCAL_SLOW_PAGE_INTERVAL = 60  # seconds: a demo shows its summaries soon (AWS: the 300 s default)


@dataclass(frozen=True)
class PublicUrls:
    """Where browsers and phones reach the twin: every QR code, page link and SMS uses these."""

    site: str
    api: str
    uploads: str  # the emulator, where photo uploads go


def public_urls(env: dict[str, str] | None = None) -> PublicUrls:
    """MASHANG_SITE_URL (e.g. http://192.168.1.20:8080, this machine's address on the network)
    is the one setting; the API and uploads are on the same host at their ports, unless
    MASHANG_API_URL says otherwise."""
    env = dict(os.environ if env is None else env)
    site = (env.get("MASHANG_SITE_URL") or f"http://{CONNECT_HOST}:{SITE_PORT}").rstrip("/")
    host = urlsplit(site).hostname or CONNECT_HOST
    api = (env.get("MASHANG_API_URL") or f"http://{host}:{API_PORT}").rstrip("/")
    return PublicUrls(site=site, api=api, uploads=f"http://{host}:{MOTO_PORT}")


def local_app_settings(urls: PublicUrls) -> dict[str, str]:
    """The app's settings on the local twin, for every process that renders its pages (the runner
    and `make rebuild`, so that a rebuild writes what the running system writes): the public
    addresses, staff sign-in at the emulator's user pool, and the summaries' interval (one already
    set in the environment is kept)."""
    from chalicelib.config import API_URL, SITE_URL, SLOW_PAGE_INTERVAL_SECONDS, STAFF_AUTH_ENDPOINT, UPLOAD_ENDPOINT

    return {SITE_URL: urls.site, API_URL: urls.api, UPLOAD_ENDPOINT: urls.uploads, STAFF_AUTH_ENDPOINT: urls.uploads,
            SLOW_PAGE_INTERVAL_SECONDS: os.environ.get(SLOW_PAGE_INTERVAL_SECONDS, str(LOCAL_SLOW_PAGE_INTERVAL))}


def parse_each_state_machine_once() -> None:
    """moto parses the state machine's ASL again (ANTLR) for every execution it starts: under a
    burst of 500 cases that was 40 % of the local twin's CPU. Its evaluation components keep
    their state in each execution's environment, so one parsed program serves every execution of
    the same definition."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    @functools.lru_cache(maxsize=16)
    def program(definition: str) -> Any:
        return AmazonStateLanguageParser.parse(definition)[0]

    ExecutionWorker._get_evaluation_entrypoint = (  # type: ignore[method-assign]
        lambda worker: program(worker._evaluation_details.state_machine_details.definition))


def parse_each_json_path_once() -> None:
    """moto parses a state's JSONPath (`$.ticket.id`, a ResultPath) again every time it evaluates
    it, and jsonpath_ng builds a new parser (a PLY lexer and grammar) for each parse: under a burst
    that was a fifth of the workflow emulator's CPU. A parsed path holds no state of an evaluation
    (it reads or updates the data it is given), so one parse serves every evaluation."""
    import jsonpath_ng
    import jsonpath_ng.ext
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    json_path.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.ext.parse)  # type: ignore[assignment]
    result_path.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.parse)  # type: ignore[assignment]


def lex_each_condition_once() -> None:
    """moto lexes a condition expression (a put's `attribute_not_exists (#0)`, an idempotency
    record's five-clause check) with a run of regular expressions per token, twice for every
    conditional write (the request is checked, then applied). The tokens depend on the text alone
    (names and values are looked up after, when the tokens are parsed), so one lexing serves every
    write: tokens are tuples, and each parse gets a queue of its own."""
    from collections import deque

    from moto.dynamodb.comparisons import ConditionExpressionParser

    lex = ConditionExpressionParser._lex_condition_expression
    if getattr(lex, "once", False):
        return

    @functools.lru_cache(maxsize=1024)
    def tokens(expression: str) -> tuple[Any, ...]:
        return tuple(lex(ConditionExpressionParser(expression, None, None)))

    def lexed(parser: Any) -> deque[Any]:
        return deque(tokens(parser.condition_expression))

    lexed.once = True  # type: ignore[attr-defined]
    ConditionExpressionParser._lex_condition_expression = lexed  # type: ignore[method-assign]


def parse_checked_updates_once() -> None:
    """moto parses an update expression twice per write: once to check the request's names and
    values (reading the tree only), once to apply it (its validators rewrite the tree). The check's
    tree is parsed once per text; the write still gets a tree of its own."""
    from moto.dynamodb import responses
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    class Checked:
        make = staticmethod(functools.lru_cache(maxsize=1024)(UpdateExpressionParser.make))

    responses.UpdateExpressionParser = Checked  # type: ignore[misc]


ITEM_BOUND = 405_000  # moto's own (dynamo_type.LimitedSizeDict): DynamoDB's 400 KB, measured


def size_new_items_once() -> None:
    """moto checks an item's 400 KB bound as each attribute goes in, summing the size of every
    attribute already there: an item of thirty attributes is sized 465 times whenever one is built
    (every write). Built whole, it is sized once against the same bound; later
    changes to it are still checked as moto checks them."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    if getattr(Item.__init__, "once", False):
        return

    def built(item: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        item.hash_key, item.range_key = hash_key, range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in values.items()) > ITEM_BOUND:
            raise ItemSizeTooLarge
        item.attrs = LimitedSizeDict()
        dict.update(item.attrs, values)  # not through its checked __setitem__: checked above

    built.once = True  # type: ignore[attr-defined]
    Item.__init__ = built  # type: ignore[method-assign]


def find_executions_by_name() -> None:
    """moto looks for a new execution's name among every execution its state machine ever started,
    one by one, at every start: 8 % of the workflow emulator's CPU by the end of a burst of 3,000,
    and more as a twin's history grows. Each state machine's names are kept in a map, brought up to
    date with the executions started since it was last read; moto's own check then decides on the
    one execution of that name (the same input while it runs: that execution; else refused)."""
    import weakref
    from types import SimpleNamespace

    from moto.stepfunctions.models import StateMachine

    check = StateMachine._handle_name_input_idempotency
    if getattr(check, "by_name", False):
        return
    # Kept beside the machines, not in them: moto deep-copies a machine for each execution it starts.
    names: weakref.WeakKeyDictionary[Any, tuple[dict[str, Any], int]] = weakref.WeakKeyDictionary()

    def by_name(machine: Any, name: str, execution_input: str) -> Any:
        executions = machine.executions
        known, seen = names.get(machine, ({}, 0))
        if seen > len(executions):  # executions were forgotten (a reset): map them again
            known, seen = {}, 0
        upto = len(executions)
        for execution in executions[seen:upto]:
            known.setdefault(execution.name, execution)
        names[machine] = known, upto
        found = known.get(name)
        return None if found is None else check(SimpleNamespace(executions=[found]), name, execution_input)

    by_name.by_name = True  # type: ignore[attr-defined]
    StateMachine._handle_name_input_idempotency = by_name  # type: ignore[method-assign]


def keep_task_failure_cause() -> None:
    """moto's server drops the `cause` of SendTaskFailure (it passes the error only), so a Catch
    sees `Cause: null`. Step Functions keeps it, and the workflow needs it: a step's outcome other
    than its usual one comes as a failure whose cause is the step's output (services/tickets.py:
    answer). Pass the cause on, as the emulator's own backend already accepts it."""
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def send_task_failure(response: Any) -> Any:
        response.stepfunction_backend.send_task_failure(
            response._get_param("taskToken"), error=response._get_param("error"),
            cause=response._get_param("cause"))
        return EmptyResult()

    StepFunctionResponse.send_task_failure = send_task_failure  # type: ignore[method-assign]
class _Partition:
    """A table seen through one partition: what moto's query reads instead of the whole table."""

    def __init__(self, table: Any, items: list[Any]) -> None:
        self._table, self._items = table, items

    def all_items(self) -> list[Any]:
        return self._items

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


class _IndexPartitions:
    """Which items are in each partition of a table's global indexes, kept as the table changes
    (every write reaches its stream shard's `add(old, new)`, which the twin wraps). Entries may be
    stale — an answer is checked against the item as it is now — but never missing."""

    def __init__(self, table: Any) -> None:
        self._lock = threading.Lock()
        self._names = sorted({key["AttributeName"] for index in table.global_indexes
                              for key in index.schema if key["KeyType"] == "HASH"})
        self._members: dict[str, dict[Any, dict[tuple[Any, Any], None]]] = {name: {} for name in self._names}

    def __deepcopy__(self, memo: dict[int, Any]) -> None:
        return None  # a copied table (moto's transaction keeps one to roll back to) builds its own

    def fill(self, table: Any) -> None:
        for rows in list(table.items.values()):
            for item in list(rows.values()):
                self.moved(None, item)

    def moved(self, old: Any, new: Any) -> None:
        with self._lock:
            for item, keep in ((old, False), (new, True)):
                if item is None:
                    continue
                where = (item.hash_key, item.range_key)
                for name in self._names:
                    value = getattr(item.attrs.get(name), "value", None)
                    if value is None:
                        continue
                    members = self._members[name].setdefault(value, {})
                    if keep:
                        members[where] = None
                    else:
                        members.pop(where, None)

    def items(self, table: Any, name: str, value: Any) -> list[Any] | None:
        """The items whose `name` is `value` now; None when `name` is no index's partition key."""
        if name not in self._members:
            return None
        with self._lock:
            where = list(self._members[name].get(value, ()))
        found = []
        for hash_key, range_key in where:
            item = table.items.get(hash_key, {}).get(range_key)
            if item is not None and getattr(item.attrs.get(name), "value", None) == value:
                found.append(item)
        return found


def query_one_partition() -> None:
    """moto answers a query on the table's key by listing and sorting every item of the table, and
    a query on an index by reading every item: at 20,000 cases a listing or tally query took a
    quarter of a second, and the emulator's CPU went to it. DynamoDB reads one partition, so the
    emulator here reads the items under the partition key asked for (the same items, in the same
    order, through moto's own query code): a table's own partition from its items, an index's from
    a map of the index partitions' members kept as the table changes (built at the table's first
    index query, then told of every write through the table's stream shard)."""
    from moto.dynamodb.models.table import StreamShard, Table

    query = Table.query
    if getattr(query, "one_partition", False):
        return
    add = StreamShard.add

    def one_partition(table: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        conditions = kwargs.get("hash_key_conditions") or []
        if index_name and len(conditions) == 1 and table.range_key_attr and table.stream_shard is not None:
            name, value = conditions[0]
            items = index_partitions(table).items(table, name, value.value)
        elif index_name or not table.range_key_attr or hash_key is None:
            items = None
        else:
            items = copied(lambda: table.items.get(hash_key, {}).values())
            if items is not None and len(items) > WINDOW_FROM:
                items = _window(items, inspect.signature(query).bind(table, hash_key, *args, **kwargs).arguments)
        if items is None:
            return query(table, hash_key, *args, **kwargs)
        return query(_Partition(table, items), hash_key, *args, **kwargs)

    def add_and_index(shard: Any, old: Any, new: Any) -> None:
        _told(shard.table, old, new)
        add(shard, old, new)

    one_partition.one_partition = True  # type: ignore[attr-defined]
    Table.query = one_partition  # type: ignore[method-assign]
    StreamShard.add = add_and_index  # type: ignore[method-assign]


_INDEX_LOCK = threading.Lock()


WINDOW_FROM = 64  # items in a partition from which a query with a limit reads only its window


def _window(items: list[Any], asked: dict[str, Any]) -> list[Any]:
    """The items of a partition a query on the table's key can answer from: those its sort-key
    condition admits, and of them the first (or last, newest first) `limit` + 1 — the one more
    tells moto's query that there is more, so it answers the same page and the same
    LastEvaluatedKey. Only string sort keys, no filter, no start key (otherwise: all the items).
    DynamoDB reads the same window; moto sorted the whole partition (the hall's listing holds
    every case) and sized each item of it."""
    filtered = type(asked.get("filter_expression")).__name__ not in ("OpDefault", "NoneType")
    if filtered or asked.get("exclusive_start_key") or not all(item.range_key.type == "S" for item in items):
        return items
    conditions = asked.get("range_key_conditions") or []
    comparison, bounds = (conditions[-1][1], conditions[-1][2]) if conditions else \
        (asked.get("range_comparison"), asked.get("range_objs") or [])
    ordered = sorted(items, key=lambda item: item.range_key.value)
    found = _admitted([item.range_key.value for item in ordered], comparison or "", [b.value for b in bounds])
    if found is None:
        return items
    low, high = found
    chosen = ordered[low:high]
    limit = asked.get("limit")
    if limit:
        chosen = chosen[:limit + 1] if asked.get("scan_index_forward", True) else chosen[-(limit + 1):]
    return chosen


def _admitted(keys: list[str], comparison: str, values: list[str]) -> tuple[int, int] | None:
    """Where in the sorted `keys` the sort-key condition holds (None: a condition not known here)."""
    left, right = bisect.bisect_left, bisect.bisect_right
    match comparison.upper():
        case "":
            return 0, len(keys)
        case "=" | "EQ":
            return left(keys, values[0]), right(keys, values[0])
        case "<" | "LT":
            return 0, left(keys, values[0])
        case "<=" | "LE":
            return 0, right(keys, values[0])
        case ">" | "GT":
            return right(keys, values[0]), len(keys)
        case ">=" | "GE":
            return left(keys, values[0]), len(keys)
        case "BETWEEN":
            return left(keys, values[0]), right(keys, values[1])
        case "BEGINS_WITH":
            low = high = left(keys, values[0])
            while high < len(keys) and keys[high].startswith(values[0]):
                high += 1
            return low, high
    return None


def copied(read: Any) -> list[Any] | None:
    """`read()`, again if a writer changed the items while they were copied; None after 5 tries."""
    for _ in range(5):
        try:
            return list(read())
        except RuntimeError:
            continue
    return None


def index_partitions(table: Any) -> _IndexPartitions:
    """The table's map of index partitions, built at its first index query."""
    found = table.__dict__.get("_index_partitions")
    if found is None:
        with _INDEX_LOCK:
            found = table.__dict__.get("_index_partitions")
            if found is None:
                found = _IndexPartitions(table)
                table._index_partitions = found  # writes from now on reach it ...
                found.fill(table)  # ... and the items already there
    return found


def _told(table: Any, old: Any, new: Any) -> None:
    """A write reached the table's stream shard: its map (once built) follows it."""
    partitions = table.__dict__.get("_index_partitions")
    if partitions is not None:
        partitions.moved(old, new)


def reuse_workflow_clients() -> None:
    """moto's state machine interpreter makes a new AWS client for every task it sends (a queue
    message per step): tens of milliseconds of CPU each. One client per region and service serves
    every execution (clients are thread-safe). Every task is given the execution's role as
    credentials, which moto's client maker does not use (it signs with fixed keys), so the shared
    client is the same client; keyed on the role, a client was still made per task (5 % of the
    emulator's CPU under a burst went to making them)."""
    import importlib

    from moto.stepfunctions.parser.asl.utils import boto_client

    make = boto_client.boto_client_for

    @functools.lru_cache(maxsize=32)
    def shared(region: str, service: str) -> Any:
        return make(region, service)

    def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        return shared(region, service)

    base = "moto.stepfunctions.parser.asl.component.state.exec.state_task"
    for module in ("service.state_task_service_sqs", "service.state_task_service_sns",
                   "service.state_task_service_dynamodb", "service.state_task_service_sfn",
                   "service.state_task_service_aws_sdk", "lambda_eval_utils"):
        loaded = importlib.import_module(f"{base}.{module}")
        if hasattr(loaded, "boto_client_for"):
            loaded.boto_client_for = client_for  # type: ignore[attr-defined]


class _QueueAttributes(Mapping[str, Any]):
    """A queue's attributes as moto's `Queue.attributes` answers them (the same names and values),
    each worked out when it is read."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        names += queue.FIFO_ATTRIBUTES if queue.fifo_queue else []
        names += queue.KMS_ATTRIBUTES if queue.kms_master_key_id else []
        self._names = dict.fromkeys(names)

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        from moto.core.utils import camelcase_to_underscores

        value = getattr(self._queue, camelcase_to_underscores(name))
        if name == "RedrivePolicy" and value:
            value = json.dumps(value)
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def read_queue_attributes_when_asked() -> None:
    """moto works out every attribute of a queue whenever one is asked for, and three of them count
    its messages (a pass over all of them each); every SendMessage asks for one flag. Under a burst,
    with thousands of task messages waiting, a send took 17 ms of the emulator's CPU (a sixth of it
    in all). The attributes are now worked out one by one as they are read."""
    from moto.sqs.models import Queue

    if "moto_attributes" not in Queue.__dict__:
        Queue.moto_attributes = Queue.attributes  # type: ignore[attr-defined]  # moto's own, kept for comparison
    Queue.attributes = property(_QueueAttributes)  # type: ignore[assignment,method-assign]


def _wire(value: Any) -> Any:
    """What moto's serializer writes for the values JSON lacks: a time in epoch seconds, a binary
    attribute in base64."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"not JSON: {type(value).__name__}")


def answer_stream_records_as_stored() -> None:
    """moto keeps stream records in DynamoDB's wire format already, but every GetRecords answer went
    through its generic serializer, which walks the API's shape for every attribute of every image:
    0.2 s of the emulator's CPU per batch under a burst. Written out as JSON (the record's creation
    time in epoch seconds, as the serializer writes it)."""
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def get_records(handler: Any) -> str:
        limit = handler._get_param("Limit")
        found = handler.backend.get_records(handler._get_param("ShardIterator"), 1000 if limit is None else limit)
        return json.dumps(found, default=_wire, separators=(",", ":"))

    get_records.as_stored = True  # type: ignore[attr-defined]
    DynamoDBStreamsHandler.get_records = get_records  # type: ignore[method-assign]


# DynamoDB answers whose results moto builds in the wire format already (items as attribute values).
AS_STORED = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
                       "BatchWriteItem"})


def answer_items_as_stored() -> None:
    """moto's answers to DynamoDB's item calls went through its generic serializer, which walks the
    API's shape for every attribute of every item (a query of fifty listing entries: 9 ms); their
    results are DynamoDB's JSON already, so they are written out as they are. Errors, and every
    other call, are serialized as before."""
    from moto.dynamodb.responses import DynamoHandler

    if "moto_serialized" in DynamoHandler.__dict__:
        return
    serialized = DynamoHandler.moto_serialized = DynamoHandler.serialized  # type: ignore[attr-defined]

    @functools.cache
    def answered(action: str) -> frozenset[str]:
        """What the API's answer to `action` holds (moto's results may hold more, which its
        serializer leaves out)."""
        from moto.core.responses import get_service_model

        return frozenset(get_service_model("dynamodb").operation_model(action).output_shape.members)

    def as_stored(handler: Any, action_result: Any) -> Any:
        result, action = action_result.result, handler._get_action()
        if not isinstance(result, dict) or action not in AS_STORED:
            return serialized(handler, action_result)
        members = answered(action)
        body = {name: value for name, value in result.items() if name in members and value is not None}
        headers = {"Content-Type": "application/x-amz-json-1.0", **handler.response_headers}
        return 200, headers, json.dumps(body, separators=(",", ":"), default=_wire)

    DynamoHandler.serialized = as_stored  # type: ignore[method-assign]


def find_handler_methods_once() -> None:
    """moto lists a handler class's methods (`inspect.getmembers`) on every request to see whether
    it has the action asked for: 3 % of the emulator's CPU under a burst. A class's methods are
    set before the first request (the twin's own replacements included): listed once per class."""
    from moto.core import responses, utils

    responses.method_names_from_class = functools.cache(utils.method_names_from_class)


def remember_backends() -> None:
    """moto's server finds the service a request is for by listing its own package directory and
    then trying its URL patterns, on every request (0.4 ms: a quarter of the emulator's time per
    request under a burst). The answer for a host never changes: remembered per host."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    find = DomainDispatcherApplication.get_backend_for_host
    if getattr(find, "remembered", False):
        return

    def remembered(app: Any, host: str | None) -> Any:
        known = app.__dict__.setdefault("_backends_by_host", {})
        if host not in known:
            known[host] = find(app, host)
        return known[host]

    remembered.remembered = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = remembered  # type: ignore[method-assign]


def start_moto(port: int, journal=None):  # type: ignore[no-untyped-def]
    """A moto server on loopback that really executes state machines (needs MOTO_PORT=port);
    with a journal, every change it accepts is also written to disk (infra/local/journal.py)."""
    from moto.server import ThreadedMotoServer

    parse_each_state_machine_once()
    parse_each_json_path_once()
    find_executions_by_name()
    lex_each_condition_once()
    parse_checked_updates_once()
    size_new_items_once()
    keep_task_failure_cause()
    query_one_partition()
    reuse_workflow_clients()
    remember_backends()
    read_queue_attributes_when_asked()
    answer_stream_records_as_stored()
    answer_items_as_stored()
    find_handler_methods_once()
    from infra.local.journal import JournaledMotoServer

    server = JournaledMotoServer(journal, HOST, port) if journal else \
        ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    request = urllib.request.Request(
        f"http://{CONNECT_HOST}:{port}/moto-api/config", method="POST",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()
    return server


def start_moto_process(port: int, journal_path: Path) -> subprocess.Popen[str]:
    """The emulator in its own process (infra/local/moto_process.py), journaling to `journal_path`."""
    return start_emulators({port: journal_path})[0]


def start_emulators(journals: dict[int, Path]) -> list[subprocess.Popen[str]]:
    """An emulator process per port (infra/local/moto_process.py), each journaling to its file;
    started together, answered once every one of them listens."""
    processes = {port: subprocess.Popen(
        [sys.executable, "-m", "infra.local.moto_process", str(port), str(path)], cwd=ROOT,
        env={**os.environ, "MOTO_PORT": str(port)}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for port, path in journals.items()}
    for port, process in processes.items():
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            for started in processes.values():
                started.kill()
            raise RuntimeError(f"the emulator did not start on port {port}")
        threading.Thread(target=process.stdout.read, daemon=True).start()  # never let its pipe fill
    return list(processes.values())


def ports_in_use(*ports: int) -> list[int]:
    busy = []
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex((CONNECT_HOST, port)) == 0:
                busy.append(port)
    return busy
