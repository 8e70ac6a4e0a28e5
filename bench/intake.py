"""`make bench`: intake latency, page rendering and publishing throughput on the local twin.

Bounded: a fixed number of submissions against a moto server on loopback; it stops by itself.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time

N = int(os.environ.get("BENCH_TICKETS", "200"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    from infra.local.twin import local_aws_environment, start_moto
    from tests.support import free_port

    port = free_port()
    os.environ.update(local_aws_environment(port))
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "1",
                       # One client files every case: the limit is taken (its cost is measured), never reached.
                       "MASHANG_LIMIT_SUBMIT": f"{10 * N}/1s"})
    server = start_moto(port)
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        import boto3
        from chalice.test import Client

        import app as chalice_app
        from chalicelib import bootstrap
        from chalicelib.services.publish import ticket_page
        from infra.local.provision import provision
        from infra.local.pumps import StreamPump
        from infra.local.seed import DEMO_CITY

        session = boto3.session.Session()
        resources = provision(session, "bench")
        os.environ.update(resources.environment())
        bootstrap.reset()
        deps = bootstrap.deps()
        deps.config.put_all(json.loads(DEMO_CITY.read_text(encoding="utf-8")))
        catalog = deps.catalog()
        locations, categories = list(catalog.locations), [c for c in catalog.categories if c != "other"]

        submit_ms: list[float] = []
        with Client(chalice_app.app, stage_name="local") as client:
            for i in range(N):
                body = {"location": locations[i % len(locations)], "category": categories[i % len(categories)],
                        "kind": "complaint", "description": f"第{i}号测试诉求：路面破损需要修补，位置在路口东侧",
                        "phone": "13800138000", "idempotency_key": f"bench-{i}"}
                started = time.perf_counter()
                answer = client.http.post("/tickets", headers={"Content-Type": "application/json"},
                                          body=json.dumps(body))
                submit_ms.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 201, answer.body

        number = json.loads(answer.body)["number"]
        ticket = deps.tickets.by_number(number)
        render_ms = []
        for _ in range(50):
            started = time.perf_counter()
            ticket_page(ticket, catalog, deps)
            render_ms.append((time.perf_counter() - started) * 1000)

        # Publishing: the stream handler for N inserts (starts N executions, writes N pages).
        pump = StreamPump(session.client("dynamodbstreams"), resources.table_stream_arn,
                          __import__("chalicelib.tasks.handlers", fromlist=["x"]).on_table_change)
        started = time.perf_counter()
        handled = 0
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and (step := pump.once()):
            handled += step
        publish_s = time.perf_counter() - started
        pages = session.client("s3").list_objects_v2(Bucket=resources.site_bucket, Prefix="t/")["KeyCount"]

        print(f"tickets submitted            {N}")
        print(f"POST /tickets   p50 {statistics.median(submit_ms):6.1f} ms   p95 {percentile(submit_ms, .95):6.1f} ms"
              f"   max {max(submit_ms):6.1f} ms")
        print(f"progress page render  p50 {statistics.median(render_ms):6.2f} ms"
              f"   p95 {percentile(render_ms, .95):6.2f} ms")
        print(f"stream publish  {handled} table records in {publish_s:5.1f} s ({handled / publish_s:5.1f}/s): "
              f"{pages} pages written, {pages} executions started")
        print("(local twin on one machine: moto answers in place of AWS; compare runs, not absolutes)")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
