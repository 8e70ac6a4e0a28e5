"""Imports from the other channels' exports (the mayor's mailbox, the media hotlines): each row
filed through the same submit service as a scanned report, once per source case.

A file is CSV (a header line naming the columns) or JSON (an array of objects, or an object whose
`rows` is one), with these columns; others are ignored:

    source_id    the source's own id of the case (letters, digits and . _ : / # -, at most 64)
    received_at  when the source received it: 2026-11-20, 2026-11-20 09:30 or ISO 8601 with a zone
                 (China time when none); not in the future
    channel      mailbox or media
    location     our location code (q/<code>.html)
    category     our category code
    kind         complaint, help, suggestion, consultation or enterprise
    description  the citizen's words (at most 2,000 characters)
    phone        optional: a mainland mobile number, which gets the SMS receipt and progress

A source's case is filed once, for good: the ledger (`ImportLedger`) is claimed by the source's
channel and id before the case is filed and settled with its number after, so the same file
imported again (or a later export that repeats rows) files nothing new. A row that is refused
releases its claim: a corrected export files it.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from ..domain.calendar import CHINA
from ..domain.errors import ConcurrentUpdate, DomainError, InvalidInput
from ..domain.model import Channel
from . import tickets
from .commands import SubmitTicket
from .context import Deps

COLUMNS = ("source_id", "received_at", "channel", "location", "category", "kind", "description", "phone")
REQUIRED = COLUMNS[:-1]
IMPORT_CHANNELS = (Channel.MAILBOX, Channel.MEDIA)
MAX_ROWS = 500  # one file; a larger export is imported in parts
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$")
STALE_CLAIM = timedelta(minutes=15)  # a claim never settled (its run died) is taken again after this
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Row:
    """One row's outcome: filed as `number`, found filed already as `number`, or refused (`error`)."""

    row: int  # the CSV line (the header is line 1) or the position in the JSON array (from 1)
    source_id: str
    number: str | None = None
    error: DomainError | None = None


@dataclass
class Report:
    accepted: list[Row] = field(default_factory=list)
    already: list[Row] = field(default_factory=list)
    refused: list[Row] = field(default_factory=list)

    def as_dict(self, word: Callable[[DomainError], str] = lambda e: e.message) -> dict[str, Any]:
        """The report as the console and the command show it; `word` says a refusal for its reader."""
        def filed(rows: list[Row]) -> list[dict[str, Any]]:
            return [{"row": r.row, "source_id": r.source_id, "number": r.number} for r in rows]

        return {"accepted": filed(self.accepted), "already": filed(self.already),
                "refused": [{"row": r.row, "source_id": r.source_id, "field": r.error.field if r.error else None,
                             "reason": word(r.error) if r.error else ""} for r in self.refused],
                "counts": {"accepted": len(self.accepted), "already": len(self.already),
                           "refused": len(self.refused)}}


def rows_of(text: str) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their numbers, CSV or JSON by the first character. A file that is
    neither, lacks a column, or holds more than MAX_ROWS rows is refused whole."""
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise InvalidInput("file: the file is empty", field="file", problem="empty")
    rows = _json_rows(text) if text[0] in "[{" else _csv_rows(text)
    if not rows:
        raise InvalidInput("file: the file has no rows", field="file", problem="empty")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"file: at most {MAX_ROWS} rows per file", field="file", problem="too_many",
                           limit=MAX_ROWS)
    return rows


def _json_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"file: not valid JSON: {exc}", field="file", problem="format") from None
    if isinstance(data, dict):
        data = data.get("rows")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InvalidInput("file: JSON must be an array of objects (or {\"rows\": [...]})", field="file",
                           problem="format")
    _require_columns({str(k).strip().lower() for r in data for k in r})
    return [(i, {str(k).strip().lower(): "" if v is None else str(v) for k, v in r.items()})
            for i, r in enumerate(data, start=1)]


def _csv_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or ()]
        reader.fieldnames = header
        _require_columns(set(header))
        rows = []
        for record in reader:
            values = {k: (v or "").strip() for k, v in record.items() if isinstance(k, str)}
            if any(values.values()):  # blank lines are not rows
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise InvalidInput(f"file: not valid CSV: {exc}", field="file", problem="format") from None
    return rows


def _require_columns(names: set[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InvalidInput(f"file: the columns {', '.join(missing)} are missing", field="file",
                           problem="columns")


def received_at(value: str, now: datetime) -> datetime:
    """When the source received the case: a date (its start), a date and time, or ISO 8601; China
    time when no zone is given; never in the future."""
    text = value.strip().replace("/", "-")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("received_at: must be a date or time like 2026-11-20 09:30", field="received_at",
                           problem="format") from None
    if len(text) == 10:
        parsed = datetime.combine(parsed.date(), time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHINA)
    if parsed > now + CLOCK_SKEW:
        raise InvalidInput("received_at: is in the future", field="received_at", problem="future")
    return parsed


def _command(values: dict[str, str]) -> tuple[str, Channel, SubmitTicket]:
    source_id = values.get("source_id", "").strip()
    if not source_id:
        raise InvalidInput("source_id: is required", field="source_id", problem="required")
    if not SOURCE_ID.match(source_id):
        raise InvalidInput("source_id: letters, digits and . _ : / # - only, at most 64", field="source_id",
                           problem="format")
    try:
        channel = Channel(values.get("channel", "").strip().lower())
    except ValueError:
        channel = None
    if channel not in IMPORT_CHANNELS:
        raise InvalidInput(f"channel: must be one of {', '.join(IMPORT_CHANNELS)}", field="channel",
                           problem="choice")
    command = SubmitTicket.parse({
        "location": values.get("location", ""), "category": values.get("category", ""),
        "kind": values.get("kind", "").strip().lower(), "description": values.get("description", ""),
        "phone": values.get("phone") or None, "channel": channel.value})
    assert isinstance(command, SubmitTicket)
    return source_id, channel, command


def import_file(text: str, deps: Deps, by: str = "") -> Report:
    """File every row of an export once; `by` is the account that imports (recorded on each case)."""
    report = Report()
    for number, values in rows_of(text):
        source_id = values.get("source_id", "").strip()
        try:
            source_id, channel, command = _command(values)
            now = deps.clock.now()
            source = {"source_id": source_id,
                      "received_at": received_at(values.get("received_at", ""), now).isoformat()}
        except DomainError as exc:
            report.refused.append(Row(number, source_id, error=exc))
            continue
        known = deps.imports.claim(channel.value, source_id, now, now - STALE_CLAIM)
        if known is not None:
            if known.number is None:
                report.refused.append(Row(number, source_id, error=ConcurrentUpdate(
                    "source_id: another import is filing this case; import the file again in a few minutes",
                    field="source_id")))
            else:
                report.already.append(Row(number, source_id, known.number))
            continue
        try:
            receipt = tickets.submit(command, deps, by=by, source=source)
        except DomainError as exc:
            deps.imports.release(channel.value, source_id)
            report.refused.append(Row(number, source_id, error=exc))
            continue
        except Exception:
            deps.imports.release(channel.value, source_id)
            raise
        deps.imports.settle(channel.value, source_id, receipt.number, now)
        report.accepted.append(Row(number, source_id, receipt.number))
    return report
