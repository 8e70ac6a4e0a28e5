"""The local twin's emulator reads one partition for a query on the table's key (infra/local/twin.py:
query_one_partition), with DynamoDB's answers: the same items, order, limits and pages."""
from __future__ import annotations

import time

from moto.dynamodb.models.table import Table


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


def test_a_key_query_costs_the_same_whatever_else_the_table_holds(stack):
    _fill(stack, partitions=2)
    ddb = stack.session.client("dynamodb")

    def timed() -> float:
        started = time.perf_counter()
        for _ in range(20):
            ddb.query(TableName=stack.resources.table, KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": {"S": "LIST#p1"}})
        return time.perf_counter() - started

    small = timed()
    table = stack.resources.table
    for start in range(0, 3000, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"OTHER#{i}"}, "sk": {"S": "X"}}}} for i in range(start, start + 25)]})
    assert timed() < max(3 * small, small + 0.5)  # the whole-table read made it grow with the table
