"""The local twin's journal keeps each change once: an S3 put of what the journal already holds at
that address (a page a rebuild wrote again unchanged) is applied but not journaled again."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from infra.local.journal import Journal

S3_SIGNED = "AWS4-HMAC-SHA256 Credential=local/20261125/us-east-1/s3/aws4_request, Signature={}"


def _request(journal: Journal, method: str, path: str, body: bytes = b"", **headers: str) -> int:
    applied: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        applied.append(environ["REQUEST_METHOD"])
        start_response("200 OK", [])
        return [b""]

    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body), "HTTP_AUTHORIZATION": S3_SIGNED.format(len(journal.path.read_text())
                                                                                    if journal.path.exists() else 0),
               "HTTP_X_AMZ_DATE": f"20261125T{len(str(body)):06d}Z",
               **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    b"".join(journal.wrap(app)(environ, lambda *a: None))
    assert applied == [method]  # always applied to the emulator, journaled or not
    return len(_lines(journal))


def _lines(journal: Journal) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.path.read_text().splitlines()] if journal.path.exists() else []


def _journal(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "journal-files.jsonl")
    journal.recording = True
    return journal


def test_a_put_of_the_same_bytes_at_the_same_address_is_journaled_once(tmp_path):
    journal = _journal(tmp_path)
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 1
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 1  # signed anew: still the same change
    assert _request(journal, "PUT", "/site/t/2.html", b"<p>1</p>") == 2  # another address
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1!</p>") == 3  # new bytes
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 4  # the old bytes again: a change
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>", Cache_Control="no-cache") == 5  # other headers
    assert [line["body"] for line in _lines(journal)] == ["<p>1</p>", "<p>1</p>", "<p>1!</p>", "<p>1</p>", "<p>1</p>"]


def test_a_delete_or_a_copy_makes_the_next_put_journaled_again(tmp_path):
    journal = _journal(tmp_path)
    _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>")
    assert _request(journal, "DELETE", "/site/t/1.html") == 2
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 3
    assert _request(journal, "POST", "/site?delete", b"<Delete/>") == 4  # a multi-object delete
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 5
    assert _request(journal, "PUT", "/site/t/1.html", X_Amz_Copy_Source="/site/t/2.html") == 6
    assert _request(journal, "PUT", "/site/t/1.html", X_Amz_Copy_Source="/site/t/2.html") == 7  # its source may differ
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 8


def test_dynamodb_writes_are_all_journaled(tmp_path):
    journal = _journal(tmp_path)
    for _ in range(2):
        _request(journal, "POST", "/", b'{"TableName":"t","Item":{}}', X_Amz_Target="DynamoDB_20120810.PutItem")
    assert len(_lines(journal)) == 2


def test_what_a_restart_replays_is_not_journaled_again_when_written_again(tmp_path):
    """A restart replays the file before it records, then writes the site again: a page the file
    already holds, unchanged, is not journaled a second time; a changed one is."""
    journal = _journal(tmp_path)
    journal.recording = False  # the replay
    for page in (b"<p>1</p>", b"<p>2</p>"):
        _request(journal, "PUT", "/site/t/1.html", page)
    _request(journal, "PUT", "/site/t/2.html", b"<p>b</p>")
    assert _lines(journal) == []  # a replay journals nothing
    journal.recording = True
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>2</p>") == 0  # what the file ends with
    assert _request(journal, "PUT", "/site/t/2.html", b"<p>b</p>") == 0
    assert _request(journal, "PUT", "/site/t/1.html", b"<p>1</p>") == 1  # an older version: a change
