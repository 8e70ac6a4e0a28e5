"""A storm: 500 cases filed as fast as 8 clients can (loopback, bounded), every one accepted and
every case page published within 60 s of the burst's end."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import start_runner, stop_runner
from tests.support import twin_ports

pytestmark = pytest.mark.e2e
CASES, CLIENTS, PUBLISH_WITHIN = 500, 8, 60.0
LOCATIONS = [f"{district}{n:02d}" for district in ("qh", "hy", "kf") for n in range(1, 8)]
CATEGORIES = ["sanitation", "roads", "lights", "water", "environment", "property", "market"]


def file_case(api: str, i: int) -> tuple[int, str | None]:
    body = {"location": LOCATIONS[i % len(LOCATIONS)], "category": CATEGORIES[i % len(CATEGORIES)],
            "kind": "complaint", "description": f"第{i}处：路面和设施损坏，影响通行，请尽快处理"}
    request = urllib.request.Request(f"{api}/tickets", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())["number"]
    except urllib.error.HTTPError as error:
        return error.code, None


def published(site: str, number: str) -> bool:
    try:
        with urllib.request.urlopen(f"{site}/t/{number}.html", timeout=30):
            return True
    except urllib.error.HTTPError:
        return False


def test_a_burst_of_500_cases_is_accepted_whole_and_every_page_is_out_within_60_s(tmp_path):
    env = {**twin_ports(), "MASHANG_QR_DIR": str(tmp_path / "qr"),
           "MASHANG_STATE_DIR": str(tmp_path / "state")}
    process, urls = start_runner(env)
    try:
        api, site = urls["API"], urls["Site"].rstrip("/")
        with ThreadPoolExecutor(CLIENTS) as clients:
            answers = list(clients.map(lambda i: file_case(api, i), range(CASES)))
        ended = time.monotonic()
        assert [status for status, _ in answers].count(201) == CASES, {s for s, _ in answers}
        missing = {number for _, number in answers if number}
        while missing and time.monotonic() - ended < PUBLISH_WITHIN:
            missing = {number for number in missing if not published(site, number)}
        lag = time.monotonic() - ended
        print(f"\n{CASES} cases accepted; every page out {lag:.1f} s after the burst")
        assert not missing, f"{len(missing)} pages still missing {PUBLISH_WITHIN:.0f} s after the burst"
    finally:
        stop_runner(process)
