from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib import config as settings_names
from infra.local.gateway import answer_unauthorized_as_the_gateway
from infra.local.twin import start_moto
from tests.builders import CITY
from tests.support import Stack, free_port, unique_prefix

# Never reach real AWS from tests, whatever the developer's shell holds.
for name in [n for n in os.environ if n == "AWS_PROFILE" or n.startswith("AWS_ENDPOINT_URL")]:
    os.environ.pop(name)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "1",
})

answer_unauthorized_as_the_gateway()  # as API Gateway answers a refused token (401), not a crash

SITE_URL = "http://site.test"
API_URL = "http://api.test"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server (on loopback) that really executes the state machines."""
    port = free_port()
    os.environ["MOTO_PORT"] = str(port)  # its ASL interpreter calls back through this port
    server = start_moto(port)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    yield endpoint
    server.stop()


def _stack(monkeypatch: pytest.MonkeyPatch, workday_seconds: float | None) -> Stack:
    from infra.local.provision import provision

    session = boto3.session.Session(region_name="us-east-1")
    resources = provision(session, unique_prefix())
    for name, value in resources.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(settings_names.SITE_URL, SITE_URL)
    monkeypatch.setenv(settings_names.API_URL, API_URL)
    monkeypatch.setenv(settings_names.PAGE_INTERVAL_SECONDS, "0")  # shared pages built at the next pump
    monkeypatch.setenv(settings_names.SLOW_PAGE_INTERVAL_SECONDS, "0")  # the summaries too
    monkeypatch.setenv(settings_names.UPLOAD_ENDPOINT, os.environ["AWS_ENDPOINT_URL"])  # never AWS's own
    if workday_seconds is None:
        monkeypatch.delenv(settings_names.WORKDAY_SECONDS, raising=False)
    else:
        monkeypatch.setenv(settings_names.WORKDAY_SECONDS, str(workday_seconds))
    bootstrap.reset()
    deps = bootstrap.deps()
    deps.config.put_all(CITY)
    return Stack(session, resources, deps)


@pytest.fixture
def stack(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """Fresh table, bucket, queues, topic and state machine (from infra/) with the test city loaded;
    the real working-day calendar."""
    local = _stack(monkeypatch, None)
    yield local
    local.stop_executions()
    bootstrap.reset()


@pytest.fixture
def fast_stack(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The same, with a compressed clock: one working day lasts two seconds."""
    local = _stack(monkeypatch, 2)
    yield local
    local.stop_executions()
    bootstrap.reset()
