"""`make bench`: the cost of a case. N whole lifecycles through the local twin (moto executes the real
state machine; the system's own handlers run as Lambda would run them), a quarter each of:

  happy      filed, dispatched by the rule, signed off, replied, rated satisfied: closed
  escalated  the department misses the sign-off deadline (the fast clock): escalated, then signed off
  returned   the department returns it, the dispatcher sends it on, the next one handles it
  reopened   rated unsatisfied: handled a second time, then rated satisfied

Every AWS request the system sends is counted by service (bench/meter.py), Step Functions
transitions from the execution histories; printed per case, priced per 1,000 cases from
bench/prices.json, and written to build/bench.json. Bounded: a fixed number of cases on loopback.

The pace: the cases follow one another as fast as the twin goes, so each coalesced build of the
shared news pages (every 10 s) serves the visible changes of about four cases. A city's pace is
slower, and its cases' steps are hours apart: the run records which shared pages each change
marks and what each part of the page machinery costs (build/bench-changes.json), and
bench/city.py counts what a case costs at a city's pace from them.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.city import Recorder
from bench.meter import DYNAMO_WRITES, PRICES, Index, Meter
from bench.twin import OUT, record
from chalicelib import config as names

# Quiet before the system's logger is made (at its first import); one client files every case.
os.environ.update({"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "1", names.LIMITS: "off"})

N = int(os.environ.get("BENCH_LIFECYCLES", "40"))
PATHS = ("happy", "escalated", "returned", "reopened")
# The fast clock: a working day lasts 3 s, so a missed sign-off escalates. On a loaded machine the
# bench may follow a case more slowly than the one-day return window: give the day more seconds.
WORKDAY_SECONDS = os.environ.get("BENCH_WORKDAY_SECONDS", "3")


class Run:
    def __init__(self, meter: Meter) -> None:
        import boto3
        from chalice.test import Client

        import app as chalice_app
        from chalicelib import bootstrap
        from chalicelib.adapters import dynamo
        from chalicelib.services import site
        from infra.local.provision import provision
        from infra.local.seed import DEMO_CITY
        from tests.support import Stack

        self.meter = meter
        # Which shared pages each change marks, and what the page machinery costs (bench/city.py).
        table = json.loads(PRICES.read_text())  # read once: the recorder prices every mark and build
        self.recorder = Recorder(lambda: sum(meter.dollars(prices=table).values()),
                                 lambda: sum(n for (service, operation), n in meter.requests.items()
                                             if service == "dynamodb" and operation in DYNAMO_WRITES),
                                 table["prices"])
        self.recorder.install(site, dynamo.PendingPages)
        session = boto3.session.Session(region_name="us-east-1")
        resources = provision(session, "cost")
        os.environ.update(resources.environment())
        os.environ.update({names.WORKDAY_SECONDS: WORKDAY_SECONDS, names.SITE_URL: "http://site.test",
                           names.API_URL: "http://api.test", names.UPLOAD_ENDPOINT: os.environ["AWS_ENDPOINT_URL"]})
        bootstrap.reset()
        deps = bootstrap.deps()
        deps.config.put_all(json.loads(DEMO_CITY.read_text(encoding="utf-8")))
        self.stack = Stack(session, resources, deps)
        for pump, source in ((self.stack.queue, "task"), (self.stack.pages, "page"), (self.stack.stream, "stream")):
            pump.handler = self._timed(pump.handler, source)
        self.client = Client(chalice_app.app, stage_name="local")
        self._describe_table(session, resources.environment()[names.TABLE_NAME])
        dynamodb = session.client("dynamodb")
        meter.sizer = lambda key: dynamodb.get_item(**key).get("Item")
        catalog = deps.catalog()
        # Places and categories a rule routes (the dispatcher only steps in for the returned case).
        self.routed = [(loc, cat) for loc in catalog.locations for cat in catalog.categories
                       if catalog.route(loc, cat) is not None]
        self.handling = {department.code for loc, cat in self.routed
                         if (department := catalog.route(loc, cat)) is not None}
        with meter.paused():
            self.dispatcher = self.stack.staff("center", "dispatcher")

    def _describe_table(self, session: Any, table: str) -> None:
        with self.meter.paused():
            description = session.client("dynamodb").describe_table(TableName=table)["Table"]
        self.meter.table_keys = tuple(k["AttributeName"] for k in description["KeySchema"])
        self.meter.indexes = [
            Index(i["IndexName"], tuple(k["AttributeName"] for k in i["KeySchema"]), i["Projection"]["ProjectionType"],
                  tuple(i["Projection"].get("NonKeyAttributes", ())))
            for i in description.get("GlobalSecondaryIndexes", [])]

    def _timed(self, handler: Callable[..., Any], source: str) -> Callable[..., Any]:
        def timed(event: Any, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                self.meter.invoked(source, time.perf_counter() - started)
        return timed

    # --- the API, as a citizen's browser and the console call it -----------------------------------
    def call(self, method: str, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        started = time.perf_counter()
        answer = self.client.http.request(method, path, body=json.dumps(body).encode(),
                                          headers={"Content-Type": "application/json", **(headers or {})})
        self.meter.invoked("api", time.perf_counter() - started)
        self.meter.api_requests += 1
        assert answer.status_code in (200, 201), (path, answer.status_code, answer.json_body)
        return answer.json_body

    def staff_action(self, number: str, action: str, body: dict[str, Any], department: str | None) -> None:
        """As the department's handler, or (no department) as the dispatcher."""
        with self.meter.paused():
            headers = self.stack.staff(department) if department else self.dispatcher
        self.call("POST", f"/console/tickets/{number}/{action}", body, headers)

    # --- following the run (not counted) --------------------------------------------------------
    def ticket(self, number: str) -> Any:
        with self.meter.paused():
            return self.stack.deps.tickets.by_number(number)

    def until_state(self, ticket_id: str, state: str, after: int = 0, timeout: float = 60.0) -> None:
        """Pump until the execution has entered `state` more than `after` times."""
        def reached() -> bool:
            with self.meter.paused():
                return self.stack.states_entered(ticket_id).count(state) > after
        self.stack.pump_until(reached, timeout=timeout)

    def until_stage(self, number: str, stage: str, timeout: float = 60.0) -> Any:
        self.stack.pump_until(lambda: self.ticket(number).task_stage == stage, timeout=timeout)
        return self.ticket(number)

    # --- one lifecycle ---------------------------------------------------------------------------
    def lifecycle(self, i: int, path: str) -> str:
        step = self.recorder.step
        self.recorder.lifecycle(path)
        location, category = self.routed[(7 * i) % len(self.routed)]
        # Texts with no two characters in common: never taken for a "me too" of one another.
        text = "".join(chr(0x4E00 + 97 * (8 * i + k) % 20000) for k in range(12))
        receipt = self.call("POST", "/tickets", {"location": location, "category": category, "kind": "complaint",
                                                  "description": f"{text}，请尽快处理", "phone": "13800138000",
                                                  "idempotency_key": f"cost-{i}"})
        number, secret = receipt["number"], receipt["tracking"].split("#k=")[1]
        ticket = self.until_stage(number, "accept")
        department = ticket.department
        if path == "escalated":
            step("escalate")
            self.until_state(ticket.id, "EscalateAcceptance")
            ticket = self.until_stage(number, "accept")
        if path == "returned":
            step("return")
            self.staff_action(number, "return", {"reason": "不属于本单位职责"}, department)
            self.until_stage(number, "triage")
            others = sorted({d for d in self.handling if d != department})
            department = others[i % len(others)]
            step("dispatch")
            self.staff_action(number, "dispatch", {"department": department}, None)
            self.until_stage(number, "accept")
        rounds = 2 if path == "reopened" else 1
        for round_ in range(rounds):
            step("accept")
            self.staff_action(number, "accept", {}, department)
            self.until_stage(number, "reply")
            step("reply")
            self.staff_action(number, "reply", {"text": "已到现场处理完毕，设施恢复正常。"}, department)
            self.until_stage(number, "survey")
            self.stack.pump_until(lambda: self.ticket(number).survey_phase == "rating", timeout=60)
            last = round_ == rounds - 1
            step("rate")
            self.call("POST", f"/tickets/{number}/rating",
                      {"rating": "satisfied" if last else "unsatisfied", "secret": secret})
            if not last:
                self.until_stage(number, "accept")
        self.stack.pump_until(lambda: self.ticket(number).status.value == "closed", timeout=60)
        while self.stack.stream.once():  # its last changes' pages marked before the next case is filed
            pass
        return str(ticket.id)

    def summaries_now(self) -> None:
        """The summaries' build that comes within their interval after the run, taken now (the bench
        does not wait for it; it writes what it would write then)."""
        from chalicelib.adapters import dynamo
        from chalicelib.services.site import rebuild_pending

        deps = self.stack.deps
        models = dynamo.models_for(deps.settings.table_name, deps.settings.region)
        due_now = dataclasses.replace(deps, pages=dynamo.PendingPages(models, lambda delay: None, 0, 0))
        self._timed(lambda event, context: rebuild_pending(due_now), "page")(None, None)

    def transitions(self, ticket_ids: list[str]) -> int:
        """State transitions billed: every state entered, in every execution of the case."""
        with self.meter.paused():
            count = 0
            for execution in self.stack.executions():
                if execution["name"].split("-r")[0] in ticket_ids:
                    history = self.stack.sfn.get_execution_history(executionArn=execution["executionArn"],
                                                                   maxResults=1000)["events"]
                    count += sum(1 for e in history if e["type"].endswith("StateEntered"))
            return count


def main() -> int:
    from infra.local.twin import local_aws_environment, start_moto
    from tests.support import free_port

    meter = Meter()
    meter.install()
    port = free_port()
    os.environ.update(local_aws_environment(port))
    os.environ["MOTO_PORT"] = str(port)
    server = start_moto(port)
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        run = Run(meter)
        started = time.monotonic()
        meter.counting = True
        ids = [run.lifecycle(i, PATHS[i % len(PATHS)]) for i in range(N)]
        # What follows the last case: the coalesced shared pages (hall, places) still due, and the
        # summaries' next build (statistics, boards, month archives), due within their interval.
        time.sleep(float(os.environ.get(names.PAGE_INTERVAL_SECONDS) or 10) + 1)
        while run.stack.pages.once() or run.stack.stream.once() or run.stack.queue.once():
            pass
        run.summaries_now()
        meter.counting = False
        bill = meter.bill(N, run.transitions(ids))
        bill["paths"] = {path: N // len(PATHS) for path in PATHS}
        bill["seconds"] = round(time.monotonic() - started, 1)
        report(bill)
        record("cost", bill)
        run.recorder.save(N, bill["dollars_per_1000_cases_total"] * N / 1000, meter.lambda_invocations["page"],
                          sum(n for key, n in meter.s3_writes_by_key.items() if key.startswith("en/t/")))
        # Every object written and how often: where the S3 requests go, for a closer look.
        OUT.with_name("bench-objects.json").write_text(json.dumps(dict(sorted(meter.s3_writes_by_key.items())),
                                                                  indent=1) + "\n")
    finally:
        server.stop()
    return 0


def report(bill: dict[str, Any]) -> None:
    print(f"\nCost of a case at the bench's pace (each 10-s build of the shared pages serves several cases): "
          f"{bill['cases']} lifecycles "
          f"({', '.join(f'{n} {p}' for p, n in bill['paths'].items())}) in {bill['seconds']} s")
    print("requests per case by service: " + ", ".join(f"{k} {v}" for k, v in bill["requests_per_case"].items()))
    print(f"Step Functions transitions per case: {bill['transitions_per_case']}")
    units = bill["dynamodb_units_per_case"]
    print(f"DynamoDB units per case: {units['read']} read, {units['write']} write, {units['index_write']} index write")
    invocations = bill["lambda_invocations_per_case"]
    print("Lambda invocations per case: " + ", ".join(f"{k} {v}" for k, v in invocations.items())
          + f" ({bill['lambda_seconds_per_case']} s)")
    print("S3 objects written per case by prefix: "
          + ", ".join(f"{k} {v}" for k, v in bill["s3_writes_by_prefix_per_case"].items())
          + "; of them the same bytes as before: "
          + (", ".join(f"{k} {v}" for k, v in bill["s3_unchanged_writes_by_prefix_per_case"].items()) or "none"))
    print("DynamoDB write units per case by item kind: "
          + ", ".join(f"{k} {v}" for k, v in bill["dynamodb_write_units_by_kind_per_case"].items())
          + "; by index: " + ", ".join(f"{k} {v}" for k, v in bill["dynamodb_index_units_by_index_per_case"].items()))
    print("DynamoDB items written per case by kind: "
          + ", ".join(f"{k} {v}" for k, v in bill["items_written_per_case"].items()))
    print("$ per 1,000 cases: " + ", ".join(f"{k} {v:.4f}" for k, v in bill["dollars_per_1000_cases"].items())
          + f"; total {bill['dollars_per_1000_cases_total']:.3f} (SMS excluded)")


if __name__ == "__main__":
    sys.exit(main())
