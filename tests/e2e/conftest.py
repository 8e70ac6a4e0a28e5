"""The whole local system as `make run` starts it, and a real headless Chromium."""
from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support import twin_ports

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "build" / "screenshots"


@dataclass(frozen=True)
class Running:
    api: str
    site: str
    console: str
    qr_dir: Path
    moto: str = ""  # the emulator (its user pool signs staff in)
    open311: str = ""  # the Open311 endpoint and the demo client's key, as `make run` prints them
    open311_key: str = ""
    ports: dict[str, str] = field(default_factory=dict)  # its MASHANG_*_PORT settings

    def staff(self, department: str = "center", role: str = "handler") -> dict[str, str]:
        return staff_headers(self.moto, department, role)


STAFF_PASSWORD = "Test-password-2026"


@functools.lru_cache(maxsize=64)
def staff_headers(moto: str, department: str = "center", role: str = "handler") -> dict[str, str]:
    """A member of staff of the running twin, signed in through its user pool as the console signs
    in: the account `test-<role>-<department>` is made the first time (as an admin would)."""
    import boto3

    from chalicelib.adapters.cognito import CognitoDirectory
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.services.ports import Account
    from infra.local.accounts import sign_in

    idp = boto3.client("cognito-idp", endpoint_url=moto, region_name="us-east-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    pool = next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "mashang-staffpool")
    client = idp.list_user_pool_clients(UserPoolId=pool, MaxResults=10)["UserPoolClients"][0]["ClientId"]
    username = f"test-{role}-{department}"  # never one of the demo accounts (their password differs)
    with contextlib.suppress(InvalidInput):  # made by an earlier test
        CognitoDirectory(idp, pool).create(Account(username, role, department, username, True), STAFF_PASSWORD,
                                           temporary=False)
    return {"Authorization": f"Bearer {sign_in(idp, client, username, STAFF_PASSWORD)}"}


def start_runner(extra_env: dict[str, str]) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`python -m infra.local.run` as `make run` starts it; answers the process and its printed URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "MASHANG_"))}
    # Every request of the suite comes from one loopback client: the per-client limits (tested
    # through the handler and against the table) would refuse most of them. No demo history: its
    # background work would compete with what the suite measures.
    env.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "MASHANG_LIMITS": "off", "MASHANG_DEMO_HISTORY": "0",
                **extra_env})
    process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    urls: dict[str, str] = {}
    lines: list[str] = []
    deadline = time.monotonic() + 90
    assert process.stdout is not None
    while not {"Console", "Open311"} <= urls.keys() and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        match = re.match(r"^(API|Site|Console|Data|Open311): (\S+)", line)
        if match:
            urls[match.group(1)] = match.group(2)
        key = re.search(r"\(demo api_key: (\w+)\)$", line)
        if key:
            urls["open311_key"] = key.group(1)
    if not {"Console", "Open311"} <= urls.keys():
        process.kill()
        pytest.fail("the local system did not start:\n" + "".join(lines[-40:]))
    # Keep reading its output so the pipe never fills up.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    return process, urls


def stop_runner(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        assert process.wait(timeout=20) == 0, "the local system did not stop cleanly on Ctrl-C"
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the local system did not stop within 20 s of Ctrl-C")


@pytest.fixture(scope="session")
def local_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    qr_dir = tmp_path_factory.mktemp("qr")
    ports = twin_ports()
    process, urls = start_runner({**ports, "MASHANG_QR_DIR": str(qr_dir),
                                  "MASHANG_STATE_DIR": str(tmp_path_factory.mktemp("state"))})
    yield Running(urls["API"], urls["Site"].rstrip("/"), urls["Console"], qr_dir,
                  f"http://127.0.0.1:{ports['MASHANG_MOTO_PORT']}", urls["Open311"], urls["open311_key"], ports)
    stop_runner(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Tests that start a system of their own and measure it (the 500-case burst, the restart) run
# before the shared `local_system` starts: a session-long system in the background (its demo
# history, its pollers) would otherwise share the two cores with what they time.
OWN_SYSTEM = ("test_burst.py", "test_restart.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in OWN_SYSTEM)  # stable: the rest keep their order
