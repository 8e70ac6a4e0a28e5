"""The local twin's emulator processes: DynamoDB in one, Step Functions and SQS in another, the rest
in a third. A journal's replay sends each change to the emulator of its service
(infra/local/journal.py), and every local client reaches each service at its emulator (twin.py)."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from infra.local.journal import Journal


class _Heard(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.heard.append((self.command, self.path, self.headers.get("X-Amz-Target"), body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 (the names http.server calls)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def emulators() -> Iterator[dict[str, ThreadingHTTPServer]]:
    servers = {name: ThreadingHTTPServer(("127.0.0.1", 0), _Heard) for name in ("rest", "data")}
    for server in servers.values():
        server.heard = []  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield servers
    for server in servers.values():
        server.shutdown()


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def _journal(path: Path) -> Journal:
    lines = [
        {"method": "POST", "path": "/", "headers": {"X-Amz-Target": "DynamoDB_20120810.PutItem"}, "body": "{\"a\":1}"},
        {"method": "PUT", "path": "/site/t/1.html", "headers": {"Content-Type": "text/html"}, "body": "<p>1</p>"},
        "{\"method\": \"POST\", \"pa",  # cut short by a crash: never answered, never replayed
        {"method": "POST", "path": "/", "headers": {"X-Amz-Target": "DynamoDB_20120810.UpdateItem"}, "body": "{}"},
    ]
    path.write_text("".join((json.dumps(line) if isinstance(line, dict) else line) + "\n" for line in lines))
    return Journal(path)


def test_a_replay_sends_dynamodbs_changes_to_its_emulator_and_the_rest_to_the_other(tmp_path, emulators):
    journal = _journal(tmp_path / "journal.jsonl")
    assert journal.replay(_url(emulators["rest"]), _url(emulators["data"])) == 3
    assert emulators["data"].heard == [  # type: ignore[attr-defined]
        ("POST", "/", "DynamoDB_20120810.PutItem", b'{"a":1}'), ("POST", "/", "DynamoDB_20120810.UpdateItem", b"{}")]
    assert emulators["rest"].heard == [("PUT", "/site/t/1.html", None, b"<p>1</p>")]  # type: ignore[attr-defined]


def test_a_replay_into_one_emulator_sends_it_every_change_in_order(tmp_path, emulators):
    journal = _journal(tmp_path / "journal.jsonl")
    assert journal.replay(_url(emulators["rest"])) == 3
    assert [target for _, _, target, _ in emulators["rest"].heard] == [  # type: ignore[attr-defined]
        "DynamoDB_20120810.PutItem", None, "DynamoDB_20120810.UpdateItem"]
    assert emulators["data"].heard == []  # type: ignore[attr-defined]


def test_every_local_client_reaches_each_service_at_the_emulator_that_answers_it(monkeypatch):
    import boto3
    from pynamodb.connection import Connection

    from infra.local.twin import local_aws_environment

    for name, value in local_aws_environment(5050, {"DATA": 5051, "WORKFLOW": 5052}).items():
        monkeypatch.setenv(name, value)
    session = boto3.session.Session()
    at = {service: int(session.client(service).meta.endpoint_url.rsplit(":", 1)[1])
          for service in ("dynamodb", "dynamodbstreams", "stepfunctions", "sqs", "s3", "sns", "cognito-idp")}
    assert at == {"dynamodb": 5051, "dynamodbstreams": 5051, "stepfunctions": 5052, "sqs": 5052,
                  "s3": 5050, "sns": 5050, "cognito-idp": 5050}
    assert Connection(region="us-east-1").client.meta.endpoint_url == "http://127.0.0.1:5051"  # the models' client
    assert not any(name.startswith("AWS_ENDPOINT_URL_") for name in local_aws_environment(5050))  # one emulator
