"""`make run`: the whole system on this machine, on a moto server that executes the state machines.

Ports come from MASHANG_API_PORT, MASHANG_SITE_PORT, MASHANG_MOTO_PORT, MASHANG_DATA_PORT and
MASHANG_WORKFLOW_PORT; MASHANG_HOST is the
address it listens on and MASHANG_SITE_URL the address phones reach the site at (see twin.py).
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

from chalicelib.config import PAGE_INTERVAL_SECONDS, SLOW_PAGE_INTERVAL_SECONDS
from infra.local.twin import (
    APART_PORTS,
    API_PORT,
    CONNECT_HOST,
    DATA_PORT,
    HOST,
    MOTO_PORT,
    QR_DIR,
    ROOT,
    SITE_PORT,
    STATE_DIR,
    WORKDAY,
    WORKFLOW_PORT,
    local_app_settings,
    local_aws_environment,
    ports_in_use,
    public_urls,
    start_emulators,
)

LISTEN_BACKLOG = 1024  # connections the API's socket holds until its server accepts them


def _every_method(handler: Any, name: str) -> Any:
    if name.startswith("do_"):
        return handler._generic_handle
    raise AttributeError(name)


def _gateway_error(handler: Any, error: Any) -> None:
    """What the template's gateway responses answer (ApiNoSuchPath, ApiOther4xx): the error
    contract with the API's security headers, a path with no route being a 404."""
    import json

    from chalicelib.api.cors import cors_headers
    from chalicelib.api.errors import SECURITY_HEADERS

    code, body = error.CODE, error.body or b""
    if code == 403 and b"Missing Authentication Token" in body:
        code, body = 404, json.dumps({"error": "NotFound", "message": "no such path"}).encode()
    extra: dict[str, str] = {}
    if code == 401:  # the template's ApiUnauthorized: readable by the console on the site's origin
        extra = cors_headers(type("Request", (), {"headers": {"origin": handler.headers.get("Origin")}})())
    handler._send_http_response(code, {**error.headers, **SECURITY_HEADERS, **extra}, body)


def demo_open311_key(deps: Any) -> str:
    """The demo client's Open311 key: made once and kept beside the data (the table holds only its
    digest), so it stays the same across restarts until `make reset`."""
    from chalicelib.domain.clients import new_key
    from chalicelib.services import open311

    kept = STATE_DIR / "open311-demo-key"
    key = kept.read_text().strip() if kept.exists() else new_key()
    kept.write_text(key + "\n")
    kept.chmod(0o600)
    open311.issue_key(deps, "演示客户端 demo client", key)
    return key


def _restore(journals: dict[int, Any]) -> int:
    """Replay each emulator's journal (a change to the emulator of its service), then let each
    journal what it accepts from now on; answers how many changes were restored."""
    endpoints = {port: f"http://{CONNECT_HOST}:{port}" for port in journals}
    restored = sum(journal.replay(endpoints[MOTO_PORT], endpoints[DATA_PORT]) for journal in journals.values())
    for endpoint in endpoints.values():
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/_local/record", method="POST", data=b""),
                               timeout=10).read()
    return restored


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    busy = ports_in_use(MOTO_PORT, *APART_PORTS.values(), API_PORT, SITE_PORT)
    if busy:
        print(f"port(s) {busy} on {HOST} are in use: stop what uses them, or choose others with "
              "MASHANG_API_PORT, MASHANG_SITE_PORT, MASHANG_MOTO_PORT, MASHANG_DATA_PORT, MASHANG_WORKFLOW_PORT",
              file=sys.stderr)
        return 2
    os.environ.update(local_aws_environment(MOTO_PORT, APART_PORTS))
    urls = public_urls()
    site_url, api_url = urls.site, urls.api
    # Summaries (statistics, boards, month archives) follow within a minute here; on AWS within 5.
    os.environ.update(local_app_settings(urls))
    from infra.local.journal import Journal

    STATE_DIR.mkdir(parents=True, exist_ok=True)
    # The emulator's three processes (twin.py: APART), each journaling what it changes (the workflows'
    # one nothing: executions and queues are not kept, see journal.py).
    journals = {DATA_PORT: Journal(STATE_DIR / "journal.jsonl"), MOTO_PORT: Journal(STATE_DIR / "journal-files.jsonl"),
                WORKFLOW_PORT: Journal(STATE_DIR / "journal-workflow.jsonl")}
    emulators = start_emulators({port: journal.path for port, journal in journals.items()})

    import boto3

    from infra.local.provision import provision

    session = boto3.session.Session()
    resources = provision(session, site_origin=site_url)
    os.environ.update(resources.environment())
    restored = _restore(journals)
    endpoint = f"http://{CONNECT_HOST}:{MOTO_PORT}"

    # Only now import the app: it reads its settings from the environment.
    sys.path.insert(0, str(ROOT))
    from chalice.cli.factory import CLIFactory
    from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer, create_local_server

    import app as chalice_app
    from chalicelib import bootstrap
    from infra.definitions import site_headers
    from infra.local.accounts import DEMO_PASSWORD, create_demo_accounts
    from infra.local.gateway import answer_unauthorized_as_the_gateway, pass_the_callers_address
    from infra.local.outbox import outbox, remote_sms_messages
    from infra.local.seed import seed
    from infra.local.site_server import make_server

    bootstrap.reset()
    accounts = create_demo_accounts(bootstrap.deps())
    summary = seed(bootstrap.deps(), QR_DIR)
    demo_key = demo_open311_key(bootstrap.deps())

    stop = threading.Event()
    # The stream, task and page pollers in a process of their own (infra/local/pollers.py): three
    # interpreters (emulator, API, pollers) share the cores instead of two.
    pollers = subprocess.Popen([sys.executable, "-m", "infra.local.pollers", resources.table_stream_arn], cwd=ROOT)
    config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="local")
    # The standard library's HTTP server lets 5 connections wait to be accepted: under a burst the
    # rest are dropped and retried by the client a second later. API Gateway queues none of them.
    ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    api = create_local_server(chalice_app.app, config, HOST, API_PORT)
    # chalice local's HTTP server answers methods it has no do_X for (TRACE, QUERY …) itself with a
    # bare 501; send every method to the app, which refuses what has no route with a 405 in the
    # error contract, as the gateway refuses it.
    ChaliceRequestHandler.__getattr__ = _every_method
    ChaliceRequestHandler._send_error_response = _gateway_error
    answer_unauthorized_as_the_gateway()
    pass_the_callers_address()
    outbox_page = outbox(lambda: remote_sms_messages(endpoint))
    site = make_server(HOST, SITE_PORT, session.client("s3"), resources.site_bucket, extra=outbox_page,
                       headers=site_headers(api_url, urls.uploads))
    from infra.local.retention import forget_expired_contacts

    def retention() -> None:  # what the table's time-to-live does on AWS
        while not stop.is_set():
            forget_expired_contacts(session.client("dynamodb"), resources.table)
            stop.wait(3600)

    threads = [
        threading.Thread(target=retention, name="retention", daemon=True),
        threading.Thread(target=api.server.serve_forever, name="api", daemon=True),
        threading.Thread(target=site.serve_forever, name="site", daemon=True),
    ]
    for thread in threads:
        thread.start()

    clock = f"one working day = {os.environ[WORKDAY]} s" if os.environ.get(WORKDAY) else "real working days"
    print(f"mashang is running (ready in {time.monotonic() - started:.1f} s; "
          f"{summary['records']} configuration records, {summary['qr']} locations; {clock})", flush=True)
    print(f"Data: {STATE_DIR} ({restored} stored changes restored; `make reset` starts clean)", flush=True)
    if summary["history"]:
        print(f"Demo history: {summary['history']} cases of the last months stored in "
              f"{summary['history_seconds']:.1f} s (counted, listed and published in the background)", flush=True)
    print(f"API: {api_url}", flush=True)
    print(f"Site: {site_url}/", flush=True)
    print(f"Public site: {site_url}/hall/index.html (hall)  {site_url}/stats/index.html (statistics)  "
          f"{site_url}/disclosure/index.html (weekly disclosure); shared pages follow a change within "
          f"{os.environ.get(PAGE_INTERVAL_SECONDS, '10')} s and the time to build them (statistics, weekly "
          f"boards and month archives at most once per {os.environ[SLOW_PAGE_INTERVAL_SECONDS]} s)", flush=True)
    print(f"Console: {site_url}/console/", flush=True)
    print(f"Open311: {api_url}/open311/v2 (demo api_key: {demo_key})", flush=True)
    print(f"Staff sign-in (password {DEMO_PASSWORD} for each): "
          + ", ".join(f"{a.username} ({a.role}{'' if a.department == 'center' else ' · ' + a.department})"
                      for a in accounts), flush=True)
    print(f"SMS outbox: {site_url}/outbox/", flush=True)
    print(f"Posters: {site_url}/posters/ (PNG, SVG, A4 PDF; also in {QR_DIR})  e.g. intake page {site_url}/q/qh01.html",
          flush=True)
    if HOST in ("127.0.0.1", "localhost"):
        print("Phones on your network: MASHANG_HOST=0.0.0.0 MASHANG_SITE_URL=http://<this machine's address>:"
              f"{SITE_PORT} make run", flush=True)
    print("Press Ctrl-C to stop.", flush=True)

    # Ctrl-C and `kill` both stop cleanly (a background start may have SIGINT ignored otherwise).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(0.5)
    print("stopping…", flush=True)
    api.server.shutdown()
    site.shutdown()
    pollers.terminate()  # they finish the step at hand, then stop
    threads[0].join(timeout=5)
    try:
        pollers.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pollers.kill()
    _stop(emulators)
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
