"""Per-client request buckets in the table: one item each, written only when a request passes,
with a time-to-live, and never the last request twice to two takers at once."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib.adapters.dynamo import repositories
from chalicelib.domain.throttle import Rule
from chalicelib.services.limits import bucket_of
from tests.builders import NOW

SUBMIT = Rule("submit", rate=10, period=600, burst=5)


def limit_items(stack):
    return [i for i in stack.items() if i["pk"]["S"].startswith("LIMIT#")]


def test_a_bucket_passes_its_burst_then_refuses_and_refills(stack):
    limits, bucket = stack.deps.limits, bucket_of("submit", "203.0.113.7")
    assert [limits.take(bucket, SUBMIT, NOW).allowed for _ in range(6)] == [True] * 5 + [False]
    assert limits.take(bucket, SUBMIT, NOW).retry_after == 60
    assert limits.take(bucket, SUBMIT, NOW + timedelta(seconds=60)).allowed
    assert not limits.take(bucket, SUBMIT, NOW + timedelta(seconds=61)).allowed


def test_the_item_holds_a_hash_of_the_client_and_expires_once_the_bucket_is_full(stack):
    stack.deps.limits.take(bucket_of("submit", "203.0.113.7"), SUBMIT, NOW)
    item, = limit_items(stack)
    assert item["pk"]["S"].startswith("LIMIT#submit#") and item["sk"]["S"] == "LIMIT"
    assert "203.0.113.7" not in str(item)
    full_again = NOW.timestamp() + 60
    assert full_again < int(item["expiration"]["N"]) <= full_again + 120


def test_a_refusal_writes_nothing(stack):
    limits, bucket = stack.deps.limits, bucket_of("submit", "203.0.113.7")
    for _ in range(5):
        limits.take(bucket, SUBMIT, NOW)
    before = limit_items(stack)
    assert not limits.take(bucket, SUBMIT, NOW + timedelta(seconds=1)).allowed
    assert limit_items(stack) == before


def test_clients_and_rules_have_buckets_of_their_own(stack):
    limits = stack.deps.limits
    for _ in range(5):
        limits.take(bucket_of("submit", "203.0.113.7"), SUBMIT, NOW)
    assert limits.take(bucket_of("submit", "203.0.113.8"), SUBMIT, NOW).allowed
    assert limits.take(bucket_of("track", "203.0.113.7"), Rule("track", 20, 600, 10), NOW).allowed
    assert len(limit_items(stack)) == 3


def test_two_takers_at_once_do_not_both_get_the_last_request(stack, monkeypatch):
    limits, bucket = stack.deps.limits, bucket_of("submit", "203.0.113.7")
    for _ in range(4):
        limits.take(bucket, SUBMIT, NOW)
    # Both read the bucket with one request left before either writes.
    both_read = threading.Barrier(2, timeout=10)
    first_reads: set[int] = set()
    real_decide = repositories.decide

    def decide_after_both_read(*args, **kwargs):
        if threading.get_ident() not in first_reads:
            first_reads.add(threading.get_ident())
            both_read.wait()
        return real_decide(*args, **kwargs)

    monkeypatch.setattr(repositories, "decide", decide_after_both_read)
    with ThreadPoolExecutor(2) as pool:
        decisions = list(pool.map(lambda _: limits.take(bucket, SUBMIT, NOW), range(2)))
    assert sorted(d.allowed for d in decisions) == [False, True]
    assert len(first_reads) == 2
