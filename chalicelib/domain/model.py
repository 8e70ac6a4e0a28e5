"""The ticket: its states, the transitions allowed between them, and its timeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .errors import InvalidTransition, NotYourTicket


class Status(StrEnum):
    SUBMITTED = "submitted"
    SCREENED = "screened"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    REPLIED = "replied"
    CLOSED = "closed"
    INVALID = "invalid"
    RETURNED = "returned"
    REOPENED = "reopened"


STATUS_LABELS = {
    Status.SUBMITTED: "已提交",
    Status.SCREENED: "已受理",
    Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "已签收",
    Status.REPLIED: "已答复",
    Status.CLOSED: "已办结",
    Status.INVALID: "不予受理",
    Status.RETURNED: "已退单",
    Status.REOPENED: "二次办理",
}


class Kind(StrEnum):
    COMPLAINT = "complaint"
    HELP = "help"
    SUGGESTION = "suggestion"
    CONSULTATION = "consultation"
    ENTERPRISE = "enterprise"


KIND_LABELS = {
    Kind.COMPLAINT: "投诉",
    Kind.HELP: "求助",
    Kind.SUGGESTION: "建议",
    Kind.CONSULTATION: "咨询",
    Kind.ENTERPRISE: "企业诉求",
}


class Channel(StrEnum):
    QR = "qr"
    WEB = "web"
    HOTLINE = "hotline"
    MAILBOX = "mailbox"
    MEDIA = "media"
    OPEN311 = "open311"


class Outcome(StrEnum):
    """How the department closed its handling."""

    RESOLVED = "resolved"
    EXPLAINED = "explained"
    CANNOT_HANDLE = "cannot_handle"


OUTCOME_LABELS = {
    Outcome.RESOLVED: "已解决",
    Outcome.EXPLAINED: "已解释说明",
    Outcome.CANNOT_HANDLE: "暂无法办理",
}

# Event kinds (past tense) and the public wording of each on the timeline.
EVENT_LABELS = {
    "submitted": "群众提交诉求",
    "dispatched": "派单至承办单位",
    "accepted": "承办单位签收",
    "replied": "承办单位答复",
}

# From which states each action may be taken.
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "dispatch": frozenset({Status.SUBMITTED, Status.SCREENED, Status.RETURNED, Status.REOPENED}),
    "accept": frozenset({Status.DISPATCHED}),
    "reply": frozenset({Status.ACCEPTED}),
}


@dataclass(frozen=True)
class Event:
    """One append-only entry of the audit log and public timeline."""

    kind: str
    at: datetime
    actor: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ticket:
    id: str
    number: str
    location: str
    district: str
    category: str
    kind: Kind
    channel: Channel
    description: str
    secret_digest: str
    created_at: datetime
    status: Status = Status.SUBMITTED
    department: str | None = None
    accept_due: datetime | None = None
    reply_due: datetime | None = None
    reply: str | None = None
    outcome: Outcome | None = None
    # Task token of the workflow step waiting on people, and which step it is.
    task_token: str | None = None
    task_stage: str | None = None
    events: list[Event] = field(default_factory=list)
    # Optimistic lock: the version this copy was read at (None: never stored).
    version: int | None = None

    @classmethod
    def submit(cls, *, at: datetime, **fields: Any) -> Ticket:
        ticket = cls(created_at=at, **fields)
        ticket._record("submitted", at, "citizen")
        return ticket

    # --- transitions -------------------------------------------------------------
    def dispatch(self, department: str, accept_due: datetime, reply_due: datetime, at: datetime) -> None:
        self._require("dispatch")
        self.status = Status.DISPATCHED
        self.department = department
        self.accept_due, self.reply_due = accept_due, reply_due
        self._clear_task()
        self._record("dispatched", at, "system", data={"department": department})

    def accept(self, department: str, at: datetime, note: str = "") -> None:
        self._require("accept", department)
        self.status = Status.ACCEPTED
        self._record("accepted", at, department, note)

    def answer(self, department: str, text: str, outcome: Outcome, at: datetime) -> None:
        self._require("reply", department)
        self.status = Status.REPLIED
        self.reply, self.outcome = text, outcome
        self._record("replied", at, department, text, {"outcome": outcome.value})

    # --- workflow hand-off -------------------------------------------------------
    def stage_passed(self, stage: str) -> bool:
        """Has the step `stage` (accept, reply) already been done by people?"""
        return self.status not in ALLOWED_FROM[stage]

    def wait_for(self, stage: str, token: str) -> None:
        self.task_token, self.task_stage = token, stage

    def take_token(self, stage: str) -> str | None:
        """The token of the waiting step `stage`, if the workflow has handed it over yet."""
        if self.task_stage != stage:
            return None
        token = self.task_token
        self._clear_task()
        return token

    # --- helpers -----------------------------------------------------------------
    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def _require(self, action: str, department: str | None = None) -> None:
        if self.status not in ALLOWED_FROM[action]:
            raise InvalidTransition(
                f"cannot {action} ticket {self.number}: it is {self.status.value}"
            )
        if department is not None and department != self.department:
            raise NotYourTicket(f"ticket {self.number} is not assigned to department '{department}'")

    def _clear_task(self) -> None:
        self.task_token = self.task_stage = None

    def _record(self, kind: str, at: datetime, actor: str, note: str = "", data: dict[str, Any] | None = None) -> None:
        self.events.append(Event(kind=kind, at=at, actor=actor, note=note, data=data or {}))
