"""`make bench` (site part): the cost of one status change for the public site, at two archive sizes.

Two fresh tables on the local twin hold 1,000 and then 20,000 cases: the same current week at
both sizes (the same cases, deterministic), and an archive of older months that differs only in
size. For one status change at each size (a case of the current week is signed off) it counts
what the change costs the site: the ticket's write, the stream handler (counters, the case's
pages, listing entries, the coalescing mark) and the coalesced build of the shared pages it
marked — S3 objects written, DynamoDB requests and items read, queue messages, and the time.
Objects written and items read must be equal at both sizes: nothing reads the archive.

The archive is written straight into the table in batches (tickets, their listing entries and
their day counters, as the stream would have left them): it is the setup, not what is measured.
Bounded: fixed counts against a moto server on loopback; it stops by itself."""
from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.client import BaseClient

from chalicelib import config as names

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SITE_SIZES", "1000,20000").split(","))
WEEK_CASES = 200  # the current week, the same at both sizes
HOT_PLACE_CASES = 60  # of them at one place: its page lists its latest 50 at both sizes


@dataclass
class Meter:
    """AWS requests by service and operation, DynamoDB items read, S3 objects written."""

    requests: Counter[str] = field(default_factory=Counter)
    items_read: int = 0
    read_by: Counter[str] = field(default_factory=Counter)  # items read by key prefix of the query
    partition: str = ""
    seconds: Counter[str] = field(default_factory=Counter)

    def record(self, service: str, operation: str, answer: dict[str, Any]) -> None:
        self.requests[f"{service}:{operation}"] += 1
        if service == "dynamodb":
            if operation in ("Query", "Scan"):
                self.items_read += int(answer.get("ScannedCount", answer.get("Count", 0)))
                self.read_by[self.partition] += int(answer.get("ScannedCount", answer.get("Count", 0)))
            elif operation == "GetItem":
                self.items_read += 1 if answer.get("Item") else 0
            elif operation == "BatchGetItem":
                self.items_read += sum(len(v) for v in answer.get("Responses", {}).values())

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Every AWS call of every client (boto3's and pynamodb's both go through botocore)."""
        real = BaseClient._make_api_call
        meter = self

        def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
            values = params.get("ExpressionAttributeValues", {})
            first = next(iter(values.values()), {}) if values else {}
            meter.partition = f"{params.get('IndexName', 'table')}:{str(first.get('S', ''))[:24]}"
            started = time.perf_counter()
            answer = real(client, operation, params)
            meter.seconds[f"{operation}:{meter.partition.split(':')[0]}:{meter.partition.split(':')[1][:10]}"] += \
                time.perf_counter() - started
            meter.record(client.meta.service_model.service_name, operation, answer)
            return answer

        BaseClient._make_api_call = counted  # type: ignore[method-assign]
        try:
            yield
        finally:
            BaseClient._make_api_call = real  # type: ignore[method-assign]


def _archive_ticket(i: int, now: datetime, catalog: Any, rng: random.Random) -> Any:
    from chalicelib.domain.ids import new_ticket_id, public_number, secret_digest
    from chalicelib.domain.model import Channel, Kind, Outcome, Rating, Status, Ticket

    locations = sorted(catalog.locations)
    # Spread over the 12 months that end three months ago: every day of them has cases at both sizes.
    span = 365
    day_index = i % span
    filed = now - timedelta(days=90 + span - day_index, hours=rng.randint(0, 8))
    location = catalog.locations[locations[i % len(locations)]]
    category = sorted(c for c in catalog.categories if c != "other")[i % 3]
    department = catalog.route(location.code, category)
    number = public_number(filed, i // span + 1)
    ticket = Ticket.submit(at=filed, id=new_ticket_id(int(filed.timestamp() * 1000)), number=number,
                           location=location.code, district=location.district, category=category,
                           kind=Kind.COMPLAINT, channel=Channel.QR, description=f"旧案 {i}：路面破损，已修复",
                           secret_digest=secret_digest("x"))
    ticket.screen(filed)
    ticket.dispatch(department.code if department else "unknown", accept_due=filed + timedelta(days=1),
                    reply_due=filed + timedelta(days=7), at=filed)
    ticket.accept(ticket.department or "", at=filed + timedelta(hours=2))
    ticket.answer(ticket.department or "", "已修复", Outcome.RESOLVED, at=filed + timedelta(days=2))
    ticket.rate(Rating.SATISFIED, "", "citizen", 2, at=filed + timedelta(days=3))
    assert ticket.status is Status.CLOSED, ticket.status
    return ticket


def _week_ticket(i: int, now: datetime, catalog: Any) -> Any:
    from chalicelib.domain.ids import public_number, secret_digest
    from chalicelib.domain.model import Channel, Kind, Ticket

    locations = sorted(catalog.locations)
    place = locations[0] if i < HOT_PLACE_CASES else locations[i % len(locations)]
    location = catalog.locations[place]
    category = "lights" if i < HOT_PLACE_CASES else sorted(c for c in catalog.categories if c != "other")[i % 3]
    department = catalog.route(location.code, category)
    filed = now - timedelta(minutes=10 * (WEEK_CASES - i))
    number = public_number(filed, 1000 + i)
    ticket = Ticket.submit(at=filed, id=f"WEEK{i:022d}", number=number, location=location.code,
                           district=location.district, category=category, kind=Kind.COMPLAINT, channel=Channel.QR,
                           description=f"本周诉求 {i}：路灯不亮", secret_digest=secret_digest("x"))
    ticket.screen(filed)
    ticket.dispatch(department.code if department else "unknown", accept_due=filed + timedelta(days=1),
                    reply_due=filed + timedelta(days=7), at=filed)
    return ticket


def _store(deps: Any, models: Any, tickets: list[Any], count: bool) -> None:
    from chalicelib.adapters import dynamo
    from chalicelib.adapters.dynamo.mapping import number_key, to_item
    from chalicelib.domain.listings import Entry, memberships
    from chalicelib.domain.tallies import change_key, tallies

    with models.ticket.batch_write() as batch:
        for ticket in tickets:
            ticket.version = 1
            batch.save(to_item(ticket, models.ticket))
            batch.save(models.number(number_key(ticket.number), "NUMBER", id=ticket.id))
    deps.listings.put([(m, Entry.of(t)) for t in tickets for m in memberships(t)])
    if count:  # the current week: counted once per stored change, as the stream does
        deps.counters.count_changes([(change_key(ticket), tallies(ticket)) for ticket in tickets])
    else:  # the archive: the day counters as they stand, one write per unit and day
        days: Counter[tuple[str, str]] = Counter()
        for ticket in tickets:
            for tally in tallies(ticket):
                days[tally.counter, tally.day] += 1
        dynamo.CounterRepository(models).add_days(dict(days))


def one_size(size: int, session: Any, now: datetime) -> dict[str, Any]:
    from chalicelib import bootstrap
    from chalicelib.adapters import dynamo
    from chalicelib.domain.listings import WEEK, WEEKS, memberships
    from chalicelib.services.changes import on_changes
    from chalicelib.services.site import rebuild_pending
    from infra.local.provision import provision
    from infra.local.seed import DEMO_CITY

    resources = provision(session, f"bench{size}")
    os.environ.update(resources.environment())
    bootstrap.reset()
    deps = bootstrap.deps()
    deps.config.put_all(json.loads(DEMO_CITY.read_text(encoding="utf-8")))
    catalog = deps.catalog()
    models = dynamo.models_for(deps.settings.table_name, deps.settings.region)
    rng = random.Random(size)
    started = time.perf_counter()
    archive = [_archive_ticket(i, now, catalog, rng) for i in range(size - WEEK_CASES)]
    for start in range(0, len(archive), 2000):
        _store(deps, models, archive[start:start + 2000], count=False)
    week = [_week_ticket(i, now, catalog) for i in range(WEEK_CASES)]
    _store(deps, models, week, count=True)
    deps.listings.note(WEEKS, {m.listing[len(WEEK):] for t in archive + week for m in memberships(t)
                               if m.listing.startswith(WEEK)})
    seeded = time.perf_counter() - started
    deps.pages.take()  # nothing waits before the change

    # One status change: the first case at the busiest place is signed off.
    meter = Meter()
    ticket = deps.tickets.by_number(week[0].number)
    # The city's configuration is re-read once a minute whatever the size: keep this read's copy
    # for the measurement, so that a slow run does not count a re-read as reading the archive.
    deps.catalog()
    frozen = deps.monotonic()
    deps.monotonic = lambda: frozen
    with meter.counting():
        started = time.perf_counter()
        old = deps.tickets.get(ticket.id)
        new = deps.tickets.get(ticket.id)
        new.accept(new.department or "", at=now)
        deps.tickets.save(new)
        on_changes([(old, new)], deps)  # what the stream's handler runs for this change
        marked = deps.pages.take()
        deps.pages.mark(marked)
        written = rebuild_pending(deps)  # the coalesced build those pages wait for
        elapsed = time.perf_counter() - started
    return {"size": size, "seed_s": round(seeded, 1), "change_s": round(elapsed, 3),
            "objects_written": meter.requests["s3:PutObject"], "dynamodb_requests": sum(
                n for k, n in meter.requests.items() if k.startswith("dynamodb:")),
            "items_read": meter.items_read, "pages_marked": len(marked),
            "requests": dict(sorted(meter.requests.items())), "written": len(written),
            "read_by": dict(meter.read_by.most_common(12)),
            "slowest": {k: round(v, 2) for k, v in meter.seconds.most_common(8)}}


def main() -> int:
    from infra.local.twin import local_aws_environment, start_moto
    from tests.support import free_port

    port = free_port()
    os.environ.update(local_aws_environment(port))
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "1",
                       # Every page a change makes stale, summaries included: the work of one change.
                       names.PAGE_INTERVAL_SECONDS: "0", names.SLOW_PAGE_INTERVAL_SECONDS: "0"})
    server = start_moto(port)
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        import boto3

        from chalicelib.domain.calendar import china_now
        now = china_now()
        session = boto3.session.Session()
        results = [one_size(size, session, now) for size in SIZES]
    finally:
        server.stop()
    print("one status change, public site (case page + coalesced shared pages):")
    print(f"{'cases':>8} {'S3 objects':>11} {'DDB requests':>13} {'items read':>11} {'pages':>6} {'time':>8}")
    for r in results:
        print(f"{r['size']:>8} {r['objects_written']:>11} {r['dynamodb_requests']:>13} {r['items_read']:>11} "
              f"{r['pages_marked']:>6} {r['change_s']:>7.2f}s   (archive seeded in {r['seed_s']} s)")
    for r in results:
        print(f"  {r['size']}: {r['requests']}")
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  {r['size']} items read by partition: {r['read_by']}")
            print(f"  {r['size']} seconds by call: {r['slowest']}")
    same = len({(r["objects_written"], r["items_read"]) for r in results}) == 1
    print("objects written and items read equal at every size:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
