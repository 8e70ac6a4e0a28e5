"""The local twin's emulator reads one partition for a query on the table's key or on an index
(infra/local/twin.py: query_one_partition), with DynamoDB's answers: the same items, order, limits
and pages, however items move between an index's partitions; and it sends the workflow's tasks
through one client per service."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from moto.dynamodb.models.table import Table


@contextmanager
def _items_read() -> Iterator[list[int]]:
    """How many items moto's query code read, per query answered meanwhile: it reads `all_items()`
    of what it is given, the whole table unless the twin gives it one partition or its window."""
    from infra.local import twin

    read: list[int] = []
    whole, part = Table.all_items, twin._Partition.all_items

    def counted(original):  # type: ignore[no-untyped-def]
        def all_items(self):  # type: ignore[no-untyped-def]
            items = original(self)
            read.append(len(items))
            return items
        return all_items

    Table.all_items, twin._Partition.all_items = counted(whole), counted(part)  # type: ignore[method-assign]
    try:
        yield read
    finally:
        Table.all_items, twin._Partition.all_items = whole, part  # type: ignore[method-assign]


def _fill(stack, partitions: int = 40, per: int = 12) -> None:  # type: ignore[no-untyped-def]
    ddb = stack.session.client("dynamodb")
    for p in range(partitions):
        for k in range(per):
            ddb.put_item(TableName=stack.resources.table,
                         Item={"pk": {"S": f"LIST#p{p}"}, "sk": {"S": f"{k:03d}"}, "n": {"N": str(k)}})


def test_the_emulator_answers_a_key_query_from_the_one_partition_with_dynamodbs_answers(stack):
    assert getattr(Table.query, "one_partition", False)  # the twin's emulator, as the tests start it
    _fill(stack)
    ddb = stack.session.client("dynamodb")

    def query(**extra):  # type: ignore[no-untyped-def]
        return ddb.query(TableName=stack.resources.table, KeyConditionExpression=extra.pop("key"),
                         ExpressionAttributeValues=extra.pop("values"), **extra)

    found = query(key="pk = :p AND sk BETWEEN :a AND :b",
                  values={":p": {"S": "LIST#p7"}, ":a": {"S": "003"}, ":b": {"S": "008"}},
                  ScanIndexForward=False, Limit=4)
    assert [i["sk"]["S"] for i in found["Items"]] == ["008", "007", "006", "005"]
    rest = query(key="pk = :p AND sk BETWEEN :a AND :b",
                 values={":p": {"S": "LIST#p7"}, ":a": {"S": "003"}, ":b": {"S": "008"}},
                 ScanIndexForward=False, Limit=4, ExclusiveStartKey=found["LastEvaluatedKey"])
    assert [i["sk"]["S"] for i in rest["Items"]] == ["004", "003"] and "LastEvaluatedKey" not in rest
    filtered = query(key="pk = :p AND begins_with(sk, :s)", values={":p": {"S": "LIST#p3"}, ":s": {"S": "01"},
                                                                     ":n": {"N": "10"}},
                     FilterExpression="n > :n")
    assert [i["sk"]["S"] for i in filtered["Items"]] == ["011"] and filtered["ScannedCount"] == 2
    assert query(key="pk = :p", values={":p": {"S": "LIST#none"}})["Count"] == 0
    assert query(key="pk = :p", values={":p": {"S": "LIST#p39"}}, Select="COUNT")["Count"] == 12


def test_a_key_query_reads_its_partition_whatever_else_the_table_holds(stack):
    _fill(stack, partitions=2)
    ddb = stack.session.client("dynamodb")
    table = stack.resources.table

    def read() -> list[int]:
        with _items_read() as counts:
            found = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": "LIST#p1"}})
        assert found["Count"] == 12
        return counts

    assert read() == [12]
    for start in range(0, 3000, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"OTHER#{i}"}, "sk": {"S": "X"}}}} for i in range(start, start + 25)]})
    assert read() == [12]  # moto's own query reads every item of the table: 3,024


class _Inbox:
    """Tickets in the inbox index's partitions, written through the emulator and kept alongside:
    partition -> table key -> index sort key."""

    def __init__(self, stack) -> None:  # type: ignore[no-untyped-def]
        self.ddb, self.table = stack.session.client("dynamodb"), stack.resources.table
        self.held: dict[str, dict[str, str]] = {"DEPT#a": {}, "DEPT#b": {}, "DEPT#c": {}}

    def _key(self, i: int) -> dict[str, Any]:
        return {"pk": {"S": f"TICKET#{i:03d}"}, "sk": {"S": "TICKET"}}

    def _forget(self, i: int) -> str | None:
        return next((members.pop(f"TICKET#{i:03d}") for members in self.held.values()
                     if f"TICKET#{i:03d}" in members), None)

    def put(self, i: int, partition: str) -> None:
        sort_key = f"2026-11-{i % 28 + 1:02d}#{i:03d}"
        self.ddb.put_item(TableName=self.table, Item=self._key(i) | {"gsi2pk": {"S": partition},
                                                                      "gsi2sk": {"S": sort_key}})
        self._forget(i)
        self.held[partition][f"TICKET#{i:03d}"] = sort_key

    def move(self, i: int, partition: str) -> None:
        self.ddb.update_item(TableName=self.table, Key=self._key(i), UpdateExpression="SET gsi2pk = :p",
                             ExpressionAttributeValues={":p": {"S": partition}})
        self.held[partition][f"TICKET#{i:03d}"] = self._forget(i) or ""

    def leave(self, i: int, delete: bool) -> None:
        if delete:
            self.ddb.delete_item(TableName=self.table, Key=self._key(i))
        else:
            self.ddb.update_item(TableName=self.table, Key=self._key(i), UpdateExpression="REMOVE gsi2pk, gsi2sk")
        self._forget(i)

    def answered(self, partition: str, **extra: Any) -> list[str]:
        found = self.ddb.query(TableName=self.table, IndexName="gsi2", KeyConditionExpression="gsi2pk = :p",
                               ExpressionAttributeValues={":p": {"S": partition}}, **extra)
        return [i["pk"]["S"] for i in found.get("Items", [])] if "Items" in found else found["Count"]

    def expected(self, partition: str, newest_first: bool = False) -> list[str]:
        return [pk for pk, _ in sorted(self.held[partition].items(), key=lambda kv: kv[1], reverse=newest_first)]


def test_an_index_query_reads_its_partition_as_items_move_in_and_out_of_it(stack):
    inbox = _Inbox(stack)
    for i in range(30):
        inbox.put(i, ["DEPT#a", "DEPT#b"][i % 2])
    assert inbox.answered("DEPT#a") == inbox.expected("DEPT#a")  # the first index query builds the map
    for i in range(0, 30, 3):  # moved by an update: out of one partition, into another
        inbox.move(i, "DEPT#c")
    inbox.leave(1, delete=False)  # out of the index: its key attribute removed ...
    inbox.leave(4, delete=True)  # ... or the item deleted
    inbox.put(40, "DEPT#b")  # a new item, and one replaced by a put into another partition
    inbox.put(2, "DEPT#b")
    for partition in inbox.held:
        assert inbox.answered(partition) == inbox.expected(partition), partition
        assert inbox.answered(partition, ScanIndexForward=False, Limit=3) == \
            inbox.expected(partition, newest_first=True)[:3]
        assert inbox.answered(partition, Select="COUNT") == len(inbox.held[partition])
    assert inbox.answered("DEPT#none") == []


def test_an_index_query_reads_its_partition_whatever_else_the_table_holds(stack):
    ddb = stack.session.client("dynamodb")
    table = stack.resources.table
    for i in range(20):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"TICKET#{i}"}, "sk": {"S": "TICKET"},
                                            "gsi2pk": {"S": "DEPT#a"}, "gsi2sk": {"S": f"{i:03d}"}})

    def read() -> list[int]:
        with _items_read() as counts:
            found = ddb.query(TableName=table, IndexName="gsi2", KeyConditionExpression="gsi2pk = :p",
                              ExpressionAttributeValues={":p": {"S": "DEPT#a"}})
        assert found["Count"] == 20
        return counts

    assert read() == [20]
    for start in range(0, 3000, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"OTHER#{i}"}, "sk": {"S": "X"}, "gsi2pk": {"S": "DEPT#z"},
                                     "gsi2sk": {"S": "X"}}}} for i in range(start, start + 25)]})
    assert read() == [20]  # moto's own query reads every item of the table: 3,020


def test_a_key_query_on_a_big_partition_answers_from_its_window_as_from_the_whole(stack):
    ddb = stack.session.client("dynamodb")
    table = stack.resources.table
    keys = sorted(f"202611{d:02d}-{n:04d}" for d in range(1, 21) for n in range(1, 11))  # 200 > the window's 64
    for start in range(0, len(keys), 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "LIST#hall"}, "sk": {"S": k}}}}
                                                   for k in keys[start:start + 25]]})

    def query(condition: str, values: dict[str, str], **extra: Any) -> tuple[list[str], str | None]:
        bound = {":p": {"S": "LIST#hall"}} | {k: {"S": v} for k, v in values.items()}
        found = ddb.query(TableName=table, KeyConditionExpression="pk = :p" + condition,
                          ExpressionAttributeValues=bound, **extra)
        last = found.get("LastEvaluatedKey", {}).get("sk", {}).get("S")
        return [i["sk"]["S"] for i in found["Items"]], last

    newest = list(reversed(keys))
    assert query("", {}, ScanIndexForward=False, Limit=20) == (newest[:20], newest[19])
    before = [k for k in newest if k < "20261110-0000"]
    assert query(" AND sk < :b", {":b": "20261110-0000"}, ScanIndexForward=False, Limit=5) == (before[:5], before[4])
    month = [k for k in keys if "20261103" <= k <= "20261105-9999"]
    assert query(" AND sk BETWEEN :a AND :b", {":a": "20261103", ":b": "20261105-9999"}) == (month, None)
    assert query(" AND sk > :a", {":a": "20261120-0009"}, Limit=1) == (["20261120-0010"], None)
    assert query(" AND sk > :a", {":a": "20261119-0009"}, Limit=1) == (["20261119-0010"], "20261119-0010")
    assert query(" AND begins_with(sk, :d)", {":d": "20261107"}, ScanIndexForward=False, Limit=3) == \
        (newest[newest.index("20261107-0010"):][:3], "20261107-0008")
    page, last = query("", {}, Limit=150)
    rest = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "LIST#hall"}},
                     ExclusiveStartKey={"pk": {"S": "LIST#hall"}, "sk": {"S": last}})
    assert page + [i["sk"]["S"] for i in rest["Items"]] == keys


def test_a_key_query_with_a_limit_reads_its_window_whatever_its_partition_holds(stack):
    ddb = stack.session.client("dynamodb")
    table = stack.resources.table

    def fill(first: int, last: int) -> None:
        for start in range(first, last, 25):
            ddb.batch_write_item(RequestItems={table: [
                {"PutRequest": {"Item": {"pk": {"S": "LIST#hall"}, "sk": {"S": f"{i:06d}"}}}}
                for i in range(start, min(start + 25, last))]})

    def read(newest: str) -> list[int]:
        with _items_read() as counts:
            found = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": "LIST#hall"}}, ScanIndexForward=False, Limit=20)
        assert found["Items"][0]["sk"]["S"] == newest and len(found["Items"]) == 20
        return counts

    fill(0, 100)
    assert read("000099") == [21]  # the page and one more, which tells moto's query there is more
    fill(100, 10_000)
    assert read("009999") == [21]  # moto's own query sorts and sizes the whole partition: 10,000


def test_the_emulator_finds_a_requests_service_once_per_host(stack):  # the stack starts the twin's emulator
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.server import create_backend_app

    find = DomainDispatcherApplication.get_backend_for_host
    assert getattr(find, "remembered", False)  # the twin's emulator, as the tests start it
    app = DomainDispatcherApplication(create_backend_app)
    hosts = {"dynamodb.us-east-1.amazonaws.com": "dynamodb", "s3.amazonaws.com": "s3",
             "sqs.us-east-1.amazonaws.com": "sqs", "states.us-east-1.amazonaws.com": "stepfunctions"}
    for host, service in hosts.items():
        assert app.get_backend_for_host(host) == service
        assert app.get_backend_for_host(host) == service  # the second time from memory
    assert app.get_backend_for_host(None) is None
    assert app.__dict__["_backends_by_host"] == hosts | {None: None}


def test_every_workflow_task_is_sent_through_one_client_per_service(stack):
    """moto's state machine interpreter asks for a client for every task, with the execution's role
    as credentials (which its client maker does not use): the twin answers with one shared client."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sqs

    make = state_task_service_sqs.boto_client_for
    role = "arn:aws:iam::123456789012:role/"
    first = make(region="us-east-1", service="sqs", state_credentials=StateCredentials(role_arn=role + "a"))
    again = make(region="us-east-1", service="sqs", state_credentials=StateCredentials(role_arn=role + "b"))
    assert first is again
    assert make(region="us-east-1", service="sns", state_credentials=None) is not first


def test_a_queues_attributes_are_moto_s_own_worked_out_as_read(stack):
    """The same names and values as moto's own attributes, for a plain and a FIFO queue with a
    redrive policy and encryption; and a send to a queue with messages waiting reads none of them."""
    from moto.sqs.models import Message, sqs_backends

    from infra.local.twin import _QueueAttributes

    sqs = stack.session.client("sqs")
    dead = sqs.create_queue(QueueName="twin-dead.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    plain = sqs.create_queue(QueueName="twin-plain")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="twin-fifo.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "KmsMasterKeyId": "alias/x",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 3})})["QueueUrl"]
    sqs.send_message(QueueUrl=plain, MessageBody="waiting", DelaySeconds=60)
    sqs.send_message(QueueUrl=plain, MessageBody="visible")
    backend = sqs_backends["123456789012"]["us-east-1"]
    for name in ("twin-plain", "twin-fifo.fifo"):
        queue = backend.get_queue(name)
        lazy = queue.attributes
        assert isinstance(lazy, _QueueAttributes)
        assert dict(lazy) == queue.moto_attributes
    assert dict(backend.get_queue("twin-plain").attributes)["ApproximateNumberOfMessagesDelayed"] == 1
    answer = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
    assert answer["ContentBasedDeduplication"] == "true" and json.loads(answer["RedrivePolicy"])["maxReceiveCount"] == 3

    read = []
    visible = Message.visible
    Message.visible = property(lambda message: read.append(message) or visible.fget(message))  # type: ignore[method-assign]
    try:
        for n in range(3):
            sqs.send_message(QueueUrl=plain, MessageBody=f"more {n}")
    finally:
        Message.visible = visible  # type: ignore[method-assign]
    assert read == []  # moto's attributes looked at every waiting message for each send


def test_stream_records_are_answered_as_stored(stack):
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    assert getattr(DynamoDBStreamsHandler.get_records, "as_stored", False)
    ddb, streams = stack.session.client("dynamodb"), stack.session.client("dynamodbstreams")
    arn = ddb.describe_table(TableName=stack.resources.table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    before = time.time()
    item = {"pk": {"S": "TWIN#1"}, "sk": {"S": "x"}, "n": {"N": "1"}, "tags": {"SS": ["a", "b"]},
            "m": {"M": {"l": {"L": [{"S": "路灯"}, {"BOOL": True}, {"NULL": True}]}}}}
    ddb.put_item(TableName=stack.resources.table, Item=item)
    ddb.put_item(TableName=stack.resources.table, Item={**item, "n": {"N": "2"}})
    answer = streams.get_records(ShardIterator=iterator, Limit=2)
    first, second = answer["Records"]
    assert (first["eventName"], second["eventName"]) == ("INSERT", "MODIFY")
    assert first["dynamodb"]["NewImage"] == item and "OldImage" not in first["dynamodb"]
    assert second["dynamodb"]["OldImage"] == item and second["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    assert first["dynamodb"]["Keys"] == {"pk": {"S": "TWIN#1"}, "sk": {"S": "x"}}
    assert int(second["dynamodb"]["SequenceNumber"]) > int(first["dynamodb"]["SequenceNumber"])
    created = first["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    assert before - 2 <= created <= time.time() + 2
    assert streams.get_records(ShardIterator=answer["NextShardIterator"])["Records"] == []


def test_dynamodb_item_answers_are_moto_s_own_written_as_stored(stack, monkeypatch):
    """Every item call's answer, written out as stored, parses to what moto's serializer answers:
    items with every attribute type, found and missing, projections, pages, counts, batches,
    returned values, consumed capacity, and a refused condition."""
    import base64

    import pytest
    from botocore.exceptions import ClientError
    from moto.dynamodb.responses import DynamoHandler

    from infra.local.twin import AS_STORED

    fast = DynamoHandler.serialized
    assert fast is not DynamoHandler.moto_serialized
    compared: list[tuple[str, Any, Any]] = []

    def both(handler, result):  # type: ignore[no-untyped-def]
        mine = fast(handler, result)
        compared.append((handler._get_action(), mine, DynamoHandler.moto_serialized(handler, result)))
        return mine

    monkeypatch.setattr(DynamoHandler, "serialized", both)
    ddb, table = stack.session.client("dynamodb"), stack.resources.table
    item = {"pk": {"S": "TWIN#1"}, "sk": {"S": "a"}, "n": {"N": "-12.50"}, "b": {"B": b"\x00\xffbytes"},
            "ss": {"SS": ["x", "路灯"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"a", b"b"]},
            "m": {"M": {"l": {"L": [{"S": ""}, {"BOOL": False}, {"NULL": True}, {"M": {}}]}}}}
    assert "Attributes" not in ddb.put_item(TableName=table, Item=item, ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName=table, Item={**item, "n": {"N": "3"}}, ReturnValues="ALL_OLD",
                       ReturnConsumedCapacity="TOTAL")
    assert old["Attributes"]["b"] == {"B": b"\x00\xffbytes"} and old["ConsumedCapacity"]["TableName"] == table
    for k in range(5):
        ddb.put_item(TableName=table, Item={"pk": {"S": "TWIN#2"}, "sk": {"S": f"{k}"}, "v": {"N": str(k)}})
    key = {"pk": {"S": "TWIN#1"}, "sk": {"S": "a"}}
    for returned in ("ALL_NEW", "UPDATED_OLD", "NONE"):
        ddb.update_item(TableName=table, Key=key, UpdateExpression="ADD n :one SET t = :t",
                        ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"S": returned}}, ReturnValues=returned)
    with pytest.raises(ClientError):
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET t = :t", ConditionExpression="n = :no",
                        ExpressionAttributeValues={":t": {"S": "x"}, ":no": {"N": "0"}})
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["bs"] == {"BS": [b"a", b"b"]}
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "TWIN#none"}, "sk": {"S": "a"}})
    ddb.get_item(TableName=table, Key=key, ProjectionExpression="m.l[1], ss")
    page = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={
        ":p": {"S": "TWIN#2"}}, Limit=2, ScanIndexForward=False)
    ddb.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="v > :z",
              ExpressionAttributeValues={":p": {"S": "TWIN#2"}, ":z": {"N": "0"}},
              ExclusiveStartKey=page["LastEvaluatedKey"])
    ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "TWIN#2"}},
              Select="COUNT")
    ddb.scan(TableName=table, Limit=3)
    found = ddb.batch_get_item(RequestItems={table: {"Keys": [key, {"pk": {"S": "TWIN#none"}, "sk": {"S": "a"}}],
                                                     "ConsistentRead": True}})
    assert [i["pk"]["S"] for i in found["Responses"][table]] == ["TWIN#1"]
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "TWIN#3"}, "sk": {"S": "a"}}}},
                                               {"DeleteRequest": {"Key": {"pk": {"S": "TWIN#2"}, "sk": {"S": "0"}}}}]})
    gone = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert base64.b64encode(gone["Attributes"]["b"]["B"]) == base64.b64encode(b"\x00\xffbytes")

    assert {action for action, _, _ in compared} >= AS_STORED
    for action, (status, headers, body), (moto_status, moto_headers, moto_body) in compared:
        assert (action, status, headers["Content-Type"]) == (action, moto_status, moto_headers["Content-Type"])
        assert (action, json.loads(body)) == (action, json.loads(moto_body))


def test_the_emulator_lists_a_handlers_methods_once(stack):
    from moto.core import responses
    from moto.dynamodb.responses import DynamoHandler

    names = responses.method_names_from_class(DynamoHandler)
    assert "put_item" in names and "get_records" not in names
    assert responses.method_names_from_class(DynamoHandler) is names  # moto listed them for every request


def test_the_workflow_emulator_parses_each_json_path_once(stack):
    """A state's paths are parsed once, not at every evaluation; a parsed path keeps nothing of the
    data it read or updated."""
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    assert json_path.parse("$.ticket.id") is json_path.parse("$.ticket.id")
    assert json_path.extract_json("$.ticket.id", {"ticket": {"id": "a"}}) == "a"
    assert json_path.extract_json("$.ticket.id", {"ticket": {"id": "b"}}) == "b"
    assert result_path.parse("$.answer") is result_path.parse("$.answer")
    first = result_path.parse("$.answer").update_or_create({"n": 1}, {"x": 1})
    second = result_path.parse("$.answer").update_or_create({"n": 2}, {"x": 2})
    assert (first, second) == ({"n": 1, "answer": {"x": 1}}, {"n": 2, "answer": {"x": 2}})


def test_the_data_emulator_lexes_each_condition_once_and_reads_its_values_each_time(stack):
    """A condition's tokens are lexed once per text; the names and values are those of each write."""
    from moto.dynamodb.comparisons import ConditionExpressionParser

    def tokens(names: dict[str, str], values: dict[str, Any]) -> list[Any]:
        return list(ConditionExpressionParser("#v = :v", names, values)._lex_condition_expression())

    first, second = tokens({"#v": "a"}, {":v": {"N": "1"}}), tokens({"#v": "b"}, {":v": {"N": "2"}})
    assert [node.text for node in first] == ["#v", "=", ":v"]
    assert all(a is b for a, b in zip(first, second, strict=True))  # moto lexed it again for every write
    ddb, table = stack.session.client("dynamodb"), stack.resources.table
    key = {"pk": {"S": "LEX#1"}, "sk": {"S": "x"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=table, Item={**key, "v": {"N": "9"}}, ConditionExpression="attribute_not_exists(pk)")
    for expected, found in (("2", "1"), ("3", "2")):  # the same text, each write's own value
        ddb.put_item(TableName=table, Item={**key, "v": {"N": expected}}, ConditionExpression="#v = :v",
                     ExpressionAttributeNames={"#v": "v"}, ExpressionAttributeValues={":v": {"N": found}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=table, Item={**key, "v": {"N": "4"}}, ConditionExpression="#v = :v",
                     ExpressionAttributeNames={"#v": "v"}, ExpressionAttributeValues={":v": {"N": "2"}})
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "3"}


def test_the_data_emulator_parses_an_update_once_for_its_check_and_afresh_for_its_write(stack):
    from moto.dynamodb import responses
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    text = "SET #a = :a ADD #n :n"
    assert responses.UpdateExpressionParser.make(text) is responses.UpdateExpressionParser.make(text)
    assert UpdateExpressionParser.make(text) is not UpdateExpressionParser.make(text)  # the write's own
    ddb, table = stack.session.client("dynamodb"), stack.resources.table
    for n in range(1, 4):
        key = {"pk": {"S": f"UPDATE#{n % 2}"}, "sk": {"S": "x"}}
        ddb.update_item(TableName=table, Key=key, UpdateExpression=text,
                        ExpressionAttributeNames={"#a": "a", "#n": "n"},
                        ExpressionAttributeValues={":a": {"S": f"a{n}"}, ":n": {"N": str(n)}})
    items = [ddb.get_item(TableName=table, Key={"pk": {"S": f"UPDATE#{i}"}, "sk": {"S": "x"}})["Item"]
             for i in (0, 1)]
    assert [(item["a"]["S"], item["n"]["N"]) for item in items] == [("a2", "2"), ("a3", "4")]
    with pytest.raises(ddb.exceptions.ClientError, match="ExpressionAttributeNames"):
        ddb.update_item(TableName=table, Key={"pk": {"S": "UPDATE#0"}, "sk": {"S": "x"}}, UpdateExpression=text,
                        ExpressionAttributeNames={"#a": "a", "#n": "n", "#unused": "u"},
                        ExpressionAttributeValues={":a": {"S": "b"}, ":n": {"N": "1"}})


def test_the_data_emulator_sizes_a_new_item_once_against_dynamodbs_bound(stack, monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    sized: list[int] = []
    size = DynamoType.size
    monkeypatch.setattr(DynamoType, "size", lambda self: sized.append(1) or size(self))
    item = Item(DynamoType({"S": "T#1"}), DynamoType({"S": "x"}), {f"a{i}": {"S": "v" * i} for i in range(30)})
    assert len(sized) == 30  # moto sized 465: every value already in, at every attribute added
    assert item.attrs["a29"] == DynamoType({"S": "v" * 29})
    monkeypatch.undo()
    ddb, table = stack.session.client("dynamodb"), stack.resources.table
    under = {"pk": {"S": "BIG#1"}, "sk": {"S": "x"}, "body": {"S": "x" * 399_000}}
    ddb.put_item(TableName=table, Item=under)
    with pytest.raises(ddb.exceptions.ClientError, match="maximum allowed size"):
        ddb.put_item(TableName=table, Item={**under, "pk": {"S": "BIG#2"}, "body": {"S": "x" * 406_000}})
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "BIG#2"}, "sk": {"S": "x"}})
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "BIG#1"}, "sk": {"S": "x"}})["Item"]
    assert len(item["body"]["S"]) == 399_000


def test_the_bursts_watch_lists_only_the_case_pages_it_still_waits_for(stack):
    """bench/throughput.py watches for the burst's pages from the lowest number still missing on,
    not every page already seen (listing them all each second loaded the emulator it measured)."""
    from bench.throughput import Emulator

    s3, bucket = stack.session.client("s3"), stack.resources.site_bucket
    for key in ("t/20261125-0001.html", "t/20261125-0002.html", "t/20261125-0010.html", "en/t/20261125-0003.html",
                "t/20261125-0004.png"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"<html></html>")
    listed: list[str] = []
    s3.meta.events.register("after-call.s3.ListObjectsV2",
                            lambda parsed, **_: listed.extend(o["Key"] for o in parsed.get("Contents", [])))
    watch = Emulator.__new__(Emulator)  # the bucket's client only: the watch reads no workflow here
    watch.s3, watch.bucket = s3, bucket
    assert watch.pages() == {"20261125-0001", "20261125-0002", "20261125-0010"}
    listed.clear()
    assert watch.pages("20261125-0002") == {"20261125-0002", "20261125-0010"}
    assert listed == ["t/20261125-0002.html", "t/20261125-0004.png", "t/20261125-0010.html"]


def test_the_workflow_emulator_finds_an_executions_name_in_a_map_and_keeps_moto_s_answers(stack):
    """A start's name is looked up, not searched for among every execution ever started; the answers
    are Step Functions' own: the same name and input while it runs starts nothing new, another input
    or a finished execution of that name is refused."""
    sfn = stack.session.client("stepfunctions")
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    passes = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    role = "arn:aws:iam::123456789012:role/local"
    machine = sfn.create_state_machine(name=f"names-{time.time_ns()}", definition=json.dumps(waits),
                                       roleArn=role)["stateMachineArn"]
    done = sfn.create_state_machine(name=f"done-{time.time_ns()}", definition=json.dumps(passes),
                                    roleArn=role)["stateMachineArn"]
    try:
        first = sfn.start_execution(stateMachineArn=machine, name="a", input='{"n": 1}')["executionArn"]
        others = [sfn.start_execution(stateMachineArn=machine, name=f"b{i}", input="{}")["executionArn"]
                  for i in range(20)]
        searched: list[str] = []
        iterate = list.__iter__

        class Watched(list):  # type: ignore[type-arg]
            def __iter__(self):  # type: ignore[no-untyped-def]
                searched.append("all")
                return iterate(self)

        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        found = stepfunctions_parser_backends["123456789012"][stack.session.region_name].describe_state_machine(
            machine)
        found.executions = Watched(found.executions)
        again = sfn.start_execution(stateMachineArn=machine, name="a", input='{"n": 1}')["executionArn"]
        assert again == first and first not in others
        assert searched == []  # moto went through every execution the machine had started
        with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
            sfn.start_execution(stateMachineArn=machine, name="a", input='{"n": 2}')
        assert sfn.start_execution(stateMachineArn=machine, name="c", input="{}")["executionArn"] not in others
        finished = sfn.start_execution(stateMachineArn=done, name="x", input="{}")["executionArn"]
        for _ in range(100):
            if sfn.describe_execution(executionArn=finished)["status"] != "RUNNING":
                break
            time.sleep(0.05)
        with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
            sfn.start_execution(stateMachineArn=done, name="x", input="{}")
    finally:
        for execution in sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]:
            sfn.stop_execution(executionArn=execution["executionArn"])
