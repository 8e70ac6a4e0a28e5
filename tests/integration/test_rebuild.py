"""The full rebuild against the local AWS: cases driven through the real handlers and workflow, the
site bucket emptied, rebuilt from the table, and compared object by object."""
from __future__ import annotations

from typing import Any

from chalicelib.domain.listings import HALL
from chalicelib.services import actions, tickets
from chalicelib.services.commands import AcceptTicket, RateTicket, ReplyTicket, SubmitTicket
from chalicelib.services.posters import publish_posters
from chalicelib.services.publish import publish_site
from chalicelib.services.rebuild import rebuild_site
from chalicelib.services.site import every_page, rebuild_pending
from tests.builders import submission
from tests.support import Stack


def snapshot(stack: Stack) -> dict[str, tuple[str, bytes]]:
    """Every object of the site bucket: key -> (content type, bytes)."""
    found = {}
    for page in stack.s3.get_paginator("list_objects_v2").paginate(Bucket=stack.resources.site_bucket):
        for item in page.get("Contents", []):
            body = stack.s3.get_object(Bucket=stack.resources.site_bucket, Key=item["Key"])
            found[item["Key"]] = (body["ContentType"], body["Body"].read())
    return found


def empty(stack: Stack) -> None:
    keys = list(snapshot(stack))
    for start in range(0, len(keys), 1000):
        stack.s3.delete_objects(Bucket=stack.resources.site_bucket,
                                Delete={"Objects": [{"Key": key} for key in keys[start:start + 1000]]})
    assert snapshot(stack) == {}


def file(stack: Stack, **body: Any) -> tuple[str, str, str]:
    receipt = tickets.submit(SubmitTicket.parse(submission(**body)), stack.deps)
    return stack.deps.tickets.by_number(receipt.number).id, receipt.number, receipt.tracking.split("#k=")[1]


def test_an_emptied_bucket_is_rebuilt_from_the_table_object_for_object(stack, monkeypatch):
    deps = stack.deps
    publish_site(deps)
    publish_posters(deps)
    closed_id, closed, secret = file(stack)
    waiting_id, waiting, _ = file(stack, location="e2", category="roads", description="高铁站广场的斑马线看不清了")
    invalid_id, invalid, _ = file(stack, description="啊啊啊啊啊")
    triage_id, triage, _ = file(stack, location="w1", category="other", description="西城菜市场的公共座椅坏了")

    def waits(ticket_id: str, stage: str) -> bool:
        return deps.tickets.get(ticket_id).task_stage == stage

    stack.pump_until(lambda: waits(closed_id, "accept"))
    actions.accept(closed, "east-city", AcceptTicket(), deps)
    stack.pump_until(lambda: waits(closed_id, "reply"))
    actions.reply(closed, "east-city", ReplyTicket(text="已更换灯泡"), deps)
    stack.pump_until(lambda: waits(closed_id, "survey"))
    actions.rate(closed, RateTicket(rating="satisfied", comment="很快", secret=secret), deps)
    expected = {closed: "closed", waiting: "dispatched", invalid: "invalid", triage: "screened"}
    stack.pump_until(lambda: stack.execution_status(closed_id) == "SUCCEEDED" and waits(waiting_id, "accept")
                     and waits(triage_id, "triage") and stack.status_of(invalid_id) == "invalid"
                     and {e.number: e.status for e in deps.listings.latest(HALL, 10)} == expected)
    deps.pages.mark(every_page(deps.catalog()))  # as a configuration change does
    rebuild_pending(deps)
    system = snapshot(stack)
    assert f"t/{closed}.html" in system and "en/hall/c/lights.html" in system

    empty(stack)
    rebuilt = rebuild_site(deps, page_size=2)
    assert rebuilt.cases == 4
    again = snapshot(stack)
    assert again.keys() == system.keys()
    assert [key for key in system if again[key] != system[key]] == []

    rebuild_site(deps)
    assert snapshot(stack) == again  # idempotent
