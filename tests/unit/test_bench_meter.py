"""The cost bench's arithmetic: item sizes as DynamoDB counts them, units per write with the
indexes that copy the item, and the bill from the price table."""
from __future__ import annotations

from bench.meter import Index, Meter, item_size


def test_item_size_counts_names_and_values_as_dynamodb_does():
    assert item_size({"pk": {"S": "T#1"}}) == 2 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 1 + 3  # digits in pairs, plus one
    assert item_size({"s": {"S": "路灯"}}) == 1 + 6  # UTF-8 bytes
    assert item_size({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + 1 + 1 + 1
    assert item_size({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
    assert item_size({"ss": {"SS": ["a", "bc"]}}) == 2 + 3


def test_a_write_costs_one_unit_per_kilobyte_and_again_in_every_index_that_holds_the_item():
    meter = Meter(indexes=[Index("all", ("g1",), "ALL"), Index("keys", ("g2",), "KEYS_ONLY"),
                           Index("absent", ("g3",), "ALL")])
    big = {"pk": {"S": "TICKET#1"}, "sk": {"S": "TICKET"}, "g1": {"S": "x"}, "g2": {"S": "y"},
           "events": {"S": "e" * 2500}}
    table, indexes = meter._write(None, big)
    assert table == 3  # 2.5 KB and keys: three units
    assert indexes == 3 + 1  # the full copy three, the keys-only entry one; no entry without its key
    assert meter.write_units_by_kind == {"TICKET": 3}
    assert meter.index_units_by_index == {"all": 3, "keys": 1}


def test_an_index_is_written_only_when_the_items_entry_in_it_changes():
    keys, included = Index("keys", ("g",), "KEYS_ONLY"), Index("some", ("g",), "INCLUDE", ("status",))
    every = Index("all", ("g",), "ALL")
    before = {"pk": {"S": "T#1"}, "sk": {"S": "T"}, "g": {"S": "x"}, "status": {"S": "open"}, "v": {"N": "1"}}
    bumped = {**before, "v": {"N": "2"}}
    assert (keys.writes(before, bumped, ("pk", "sk")), included.writes(before, bumped, ("pk", "sk")),
            every.writes(before, bumped, ("pk", "sk"))) == (0, 0, 1)
    closed = {**bumped, "status": {"S": "closed"}}
    assert (keys.writes(before, closed, ("pk", "sk")), included.writes(before, closed, ("pk", "sk"))) == (0, 1)
    moved = {**before, "g": {"S": "y"}}
    assert keys.writes(before, moved, ("pk", "sk")) == 2  # the old entry deleted, the new one put
    assert keys.writes(before, {k: v for k, v in before.items() if k != "g"}, ("pk", "sk")) == 1  # left the index
    assert keys.writes(None, before, ("pk", "sk")) == 1 and keys.writes(before, None, ("pk", "sk")) == 1


def test_a_rewrite_costs_the_larger_of_the_item_before_and_after():
    meter = Meter()
    small = {"pk": {"S": "TALLY#x"}, "sk": {"S": "d"}, "value": {"N": "1"}}
    big = {**small, "seen": {"SS": ["k" * 600, "j" * 600]}}
    assert meter._write(big, small)[0] == 2
    assert meter._write(small, small)[0] == 1


def test_a_batch_read_costs_each_key_as_a_get_would_found_or_not():
    meter = Meter()
    big = {"pk": {"S": "TICKET#1"}, "sk": {"S": "TICKET"}, "events": {"S": "e" * 5000}}
    asked = {"t": {"Keys": [{"pk": {"S": f"COUNTED#{n}"}} for n in range(4)], "ConsistentRead": True}}
    assert meter._reads("BatchGetItem", {"RequestItems": asked}, {"Responses": {"t": [big]}}) == 2 + 3
    eventual = {"t": {"Keys": asked["t"]["Keys"]}}
    left = {"t": {"Keys": asked["t"]["Keys"][:1]}}  # one key not processed: asked again, counted then
    answer = {"Responses": {"t": []}, "UnprocessedKeys": left}
    assert meter._reads("BatchGetItem", {"RequestItems": eventual}, answer) == 1.5


def test_the_bill_prices_each_service_per_thousand_cases():
    meter = Meter()
    meter.requests[("dynamodb", "PutItem")] = 10
    meter.requests[("sqs", "SendMessage")] = 2
    meter.write_units, meter.api_requests = 10, 4
    meter.invoked("api", 0.5)
    prices = {"prices": {"dynamodb_write_unit": 1e-6, "dynamodb_read_unit": 1e-7, "stepfunctions_transition": 1e-5,
                         "lambda_request": 1e-7, "lambda_gb_second": 1e-5, "lambda_memory_gb": 0.5,
                         "apigateway_request": 1e-6, "s3_put": 1e-6, "s3_get": 1e-7, "sqs_request": 1e-7,
                         "sns_publish": 1e-7}}
    bill = meter.bill(cases=2, transitions=20, prices=prices)
    assert bill["requests_per_case"] == {"dynamodb": 5.0, "sqs": 1.0}
    dollars = bill["dollars_per_1000_cases"]
    assert dollars["dynamodb"] == round(10 * 1e-6 / 2 * 1000, 4)
    assert dollars["stepfunctions"] == round(20 * 1e-5 / 2 * 1000, 4)
    assert dollars["sqs"] == round(3 * 2 * 1e-7 / 2 * 1000, 4)  # sent, received and deleted
    assert bill["transitions_per_case"] == 10


def test_a_dynamodb_request_is_named_by_the_kind_of_item_it_is_about():
    from bench.meter import request_kind

    assert request_kind("GetItem", {"Key": {"pk": {"S": "TICKET#1"}, "sk": {"S": "TICKET"}}}) == "TICKET"
    assert request_kind("PutItem", {"Item": {"pk": {"S": "COUNTED#x"}, "sk": {"S": "COUNTED"}}}) == "COUNTED"
    assert request_kind("Query", {"ExpressionAttributeValues": {":0": {"S": "LIST#hall"}}}) == "LIST"
    assert request_kind("Query", {"IndexName": "gsi2", "ExpressionAttributeValues": {":0": {"S": "DEPT#a#x"}}}) == \
        "gsi2:DEPT"
    batch = {"RequestItems": {"t": [{"PutRequest": {"Item": {"pk": {"S": "LIST#hall"}}}},
                                    {"DeleteRequest": {"Key": {"pk": {"S": "LIST#loc:a"}}}},
                                    {"PutRequest": {"Item": {"pk": {"S": "SET#weeks"}}}}]}}
    assert request_kind("BatchWriteItem", batch) == "LIST+SET"
    assert request_kind("BatchGetItem", {"RequestItems": {"t": {"Keys": [{"pk": {"S": "TICKET#1"}}]}}}) == "TICKET"
