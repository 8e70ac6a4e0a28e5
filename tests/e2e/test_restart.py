"""`make run` keeps its data: killed with SIGKILL and started again, every accepted case is still
there with its page, numbering goes on, and open cases continue in their workflow."""
from __future__ import annotations

import json
import signal
import time
import urllib.request

import pytest

from tests.e2e.conftest import staff_headers, start_runner, stop_runner
from tests.support import twin_ports

pytestmark = pytest.mark.e2e


def call(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def page_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def until(condition, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not reached in time")


CASES = [("qh01", "lights", "清河路口的路灯坏了三盏，晚上很黑"),
         ("qh02", "roads", "学校门口的井盖松动了，车压过去哐哐响"),
         ("qh03", "lights", "公园北门的灯不亮已经一周")]


def test_a_killed_local_system_comes_back_with_every_case_and_open_cases_still_move(tmp_path):
    env = {**twin_ports(), "MASHANG_QR_DIR": str(tmp_path / "qr"),
           "MASHANG_STATE_DIR": str(tmp_path / "state"), "MASHANG_WORKDAY_SECONDS": "6"}
    process, urls = start_runner(env)
    api, site = urls["API"], urls["Site"].rstrip("/")
    numbers = []
    for location, category, text in CASES:
        status, receipt = call(f"{api}/tickets", {"location": location, "category": category,
                                                  "kind": "complaint", "description": text})
        assert status == 201
        numbers.append(receipt["number"])
    until(lambda: all(call(f"{api}/tickets/{n}")[1]["status"] == "dispatched" for n in numbers))
    department = call(f"{api}/tickets/{numbers[0]}")[1]["department"]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    process, urls = start_runner(env)  # same ports, same data directory
    try:
        for number in numbers:
            status, view = call(f"{api}/tickets/{number}")
            assert status == 200 and view["status"] == "dispatched"
            until(lambda n=number: page_status(f"{site}/t/{n}.html") == 200)
        # An open case can still be signed off, and its workflow moves on to the reply wait …
        status, _ = call(f"{api}/console/tickets/{numbers[0]}/accept", {},
                         staff_headers(f"http://127.0.0.1:{env['MASHANG_MOTO_PORT']}", department))
        assert status == 200
        until(lambda: call(f"{api}/tickets/{numbers[0]}")[1]["waiting_for"] == "reply")
        # … and one left alone still escalates when its sign-off deadline passes.
        until(lambda: call(f"{api}/tickets/{numbers[1]}")[1]["escalation_level"] >= 1, timeout=40)
        # Numbering goes on: no new case takes an old case's number.
        status, receipt = call(f"{api}/tickets", {"location": "qh01", "category": "roads", "kind": "help",
                                                  "description": "人行道的地砖翘起来了容易绊倒"})
        assert status == 201 and receipt["number"] not in numbers
        assert receipt["number"] > max(numbers)
    finally:
        stop_runner(process)
