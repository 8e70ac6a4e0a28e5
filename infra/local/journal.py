"""Durable state for the local twin. The emulator keeps everything in memory, so every request
that changes state (DynamoDB writes, S3 writes) is applied and appended to a
journal file in one step, under one lock, and only when it succeeded; a restart replays the file
into a fresh emulator in the same order, which rebuilds the same table and bucket. Each emulator
process keeps its own journal (DynamoDB's, the other services'): the table and the buckets never
depend on each other's order. SMS are not
journaled (their texts carry rating links): the local outbox starts empty after a restart.

Executions and task tokens are not journaled: the replayed table's stream starts a new execution
for every case, and each one's first step routes by the stored state to the wait the case is in
(deadlines, escalations and surveys included), so open cases continue where they were.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CONTROL = "/_local/"  # the runner's endpoints on the emulator (not AWS APIs)
_DYNAMO_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Content-Md5", "Cache-Control", "Authorization", "X-Amz-")


def _is_dynamodb(headers: dict[str, str]) -> bool:
    return headers.get("X-Amz-Target", "").startswith("DynamoDB_")


def changes_state(method: str, headers: dict[str, str], body: bytes) -> bool:
    """A DynamoDB write or an S3 write: nothing else is journaled."""
    if _is_dynamodb(headers):
        return headers["X-Amz-Target"].split(".", 1)[-1] in _DYNAMO_WRITES
    scope = _SCOPE.search(headers.get("Authorization", ""))
    # SMS are not kept: their texts carry rating links (secrets); the outbox starts empty again.
    return bool(scope) and scope.group(1) == "s3" and method in ("PUT", "POST", "DELETE")


class _Unchanged:
    """Which S3 puts would write again what the journal already holds: the same bytes and headers at
    the same address as the last put journaled there. `make rebuild` rewrites every page of the
    site, most of them unchanged, and the journal grew by the whole site at each rebuild (45 MB
    for the demo; the restart's replay slowed with it), and by 33 MB at each restart, which
    writes the site again too: what a replay restores is seen as well. A delete, a multi-object
    delete (a POST) or a copy (whose source may have changed) forgets what was seen."""

    _SIGNING = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-User-Agent")

    def __init__(self) -> None:
        self._last: dict[str, str] = {}

    def __call__(self, method: str, path: str, kept: dict[str, str], body: bytes) -> bool:
        """`kept`: the S3 request's headers as the journal keeps them."""
        if method != "PUT" or any(name.startswith("X-Amz-Copy-Source") for name in kept):
            self._last.clear()
            return False
        signed = sorted((k, v) for k, v in kept.items() if k not in self._SIGNING)
        digest = hashlib.sha256(json.dumps(signed).encode() + b"\n" + body).hexdigest()
        if self._last.get(path) == digest:
            return True
        self._last[path] = digest
        return False


def _path(environ: dict[str, Any]) -> str:
    path: str = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    if environ.get("QUERY_STRING") and "?" not in path:
        path += "?" + environ["QUERY_STRING"]
    return path


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.recording = False
        self._file: TextIO | None = None
        self._unchanged = _Unchanged()

    def wrap(self, app: WSGIApp) -> WSGIApp:
        def journaled(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ.get("PATH_INFO", "").startswith(CONTROL):
                return self._control(environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                       if key.startswith("HTTP_")}
            if environ.get("CONTENT_TYPE"):
                headers["Content-Type"] = environ["CONTENT_TYPE"]
            method, dynamo = environ["REQUEST_METHOD"], _is_dynamodb(headers)
            if not changes_state(method, headers, body) or (dynamo and not self.recording):
                return app(environ, start_response)  # a table write replayed: nothing to keep or learn
            status: list[str] = []

            def remember(code: str, response_headers: Any, exc_info: Any = None) -> Any:
                status.append(code)
                return start_response(code, response_headers, exc_info)

            with self._lock:  # applied and journaled in one order, so a replay meets the same state
                answer = b"".join(app(environ, remember))
                if status and status[0].startswith("2"):
                    path = _path(environ)
                    kept = {k: v for k, v in headers.items() if k.startswith(_KEPT_HEADERS)}
                    # Also while a restart replays the file (not recording yet): what the file holds
                    # is what a restart's own page writes are compared with.
                    unchanged = not dynamo and self._unchanged(method, path, kept, body)
                    if self.recording and not unchanged:
                        self._append(method, path, kept, body)
            return [answer]

        return journaled

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The runner's switches for an emulator in another process: start journaling (after the
        replay), and read the SMS outbox."""
        from infra.local.outbox import sms_messages

        if environ["PATH_INFO"] == CONTROL + "record":
            self.recording = True
            body = b"{}"
        else:
            body = json.dumps(sms_messages(), ensure_ascii=False).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _append(self, method: str, path: str, kept: dict[str, str], body: bytes) -> None:
        line = json.dumps({"method": method, "path": path, "headers": kept, "body": body.decode("latin-1")})
        if self._file is None:  # kept open (opening it per change was an eighth of a burst's CPU here)
            self._file = self.path.open("a", encoding="utf-8", buffering=1)
        self._file.write(line + "\n")  # line-buffered: each line reaches the system at once, a SIGKILL keeps it

    def replay(self, endpoint: str, data_endpoint: str | None = None) -> int:
        """Send every journaled change to the emulator at `endpoint` (DynamoDB's to `data_endpoint`
        when it has its own), in order; answers how many."""
        if not self.path.exists():
            return 0
        count = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash: its request never got an answer
            dynamo = _is_dynamodb(entry["headers"])
            to = data_endpoint if dynamo and data_endpoint else endpoint
            request = urllib.request.Request(to + entry["path"], method=entry["method"],
                                             data=entry["body"].encode("latin-1"), headers=entry["headers"])
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
            count += 1
        return count


class JournaledMotoServer(ThreadedMotoServer):
    """moto's threaded server with the journal in front of its WSGI application."""

    def __init__(self, journal: Journal, ip_address: str, port: int) -> None:
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self.journal = journal

    def _server_entry(self) -> None:
        app = self.journal.wrap(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
