"""Submitting a ticket, and what the workflow does next."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from ..domain.errors import InvalidInput
from ..domain.geo import Point
from ..domain.ids import new_ticket_id, new_tracking_secret, public_number, secret_digest
from ..domain.model import Channel, Photo, Status, Ticket
from . import photos
from .commands import SubmitTicket
from .context import Deps
from .publish import page_url


@dataclass(frozen=True)
class Receipt:
    number: str
    page: str
    tracking: str
    sms: bool = False  # a phone was given: progress comes by SMS

    def as_dict(self) -> dict[str, str | bool]:
        return {"number": self.number, "page": self.page, "tracking": self.tracking, "sms": self.sms}


def submit(cmd: SubmitTicket, deps: Deps, by: str = "", source: dict[str, str] | None = None,
           client: str = "") -> Receipt:
    """Store a new ticket; its stream record starts the workflow, so a stored ticket is never lost.
    `by`: the staff account that filed it for the citizen (hotline, import); `source`: an imported
    case's origin (services/imports.py); `client`: the client application that filed it (an Open311
    key's name), never set by the body."""
    catalog = deps.catalog()
    point = reported_point(cmd)
    location = catalog.location(cmd.location) if cmd.location else \
        catalog.nearest_location(point) if point else None
    if location is None and not cmd.address and point is None:
        raise InvalidInput("location: give a location, an address or a point (lat and long)", field="location")
    category = catalog.category(cmd.category)
    if (location and location.hidden) or category.hidden:  # an admin took it off intake (domain/catalog.py)
        hidden = "category" if category.hidden else "location"
        raise InvalidInput(f"{hidden}: no longer takes reports", field=hidden)
    answers = category.answers(cmd.attributes, asked=cmd.channel is Channel.OPEN311)
    names = photos.take(deps, cmd.photos)  # before the number: a bad photo files nothing
    now = deps.clock.now()
    sequence = deps.counters.next(f"number#{now:%Y%m%d}")
    secret = new_tracking_secret()
    ticket = Ticket.submit(
        at=now, id=new_ticket_id(), number=public_number(now, sequence),
        location=location.code if location else None, district=location.district if location else None,
        address=cmd.address, point=point, category=cmd.category, answers=answers, client=client,
        kind=cmd.kind, channel=cmd.channel, description=cmd.description,
        secret_digest=secret_digest(secret), locale=cmd.locale, confidential=cmd.confidential,
        photos=[Photo(name, "citizen", now) for name in names], by=by, source=dict(source or {}),
    )
    deps.tickets.add(ticket, cmd.phone)
    page = page_url(deps, ticket.number, cmd.locale)
    # The secret rides in the fragment: browsers never send it to any server log.
    return Receipt(ticket.number, page, f"{page}#k={secret}", sms=cmd.phone is not None)


def reported_point(cmd: SubmitTicket) -> Point | None:
    """The point a submission gives: both coordinates or none."""
    if cmd.lat is None and cmd.lon is None:
        return None
    if cmd.lat is None or cmd.lon is None:
        missing = "lat" if cmd.lat is None else "long"
        raise InvalidInput(f"{missing}: a point needs both lat and long", field=missing, problem="required")
    return Point(cmd.lat, cmd.lon)


def working_days_seconds(days: int, deps: Deps, start: datetime | None = None) -> int:
    clock = deps.clock
    return clock.seconds_until(clock.due(start or clock.now(), days))


class Route(StrEnum):
    """What the workflow does next: the outcome every step answers, computed from the stored ticket."""

    SUBMITTED = "submitted"  # not routed: no step leaves a case unscreened
    TRIAGE = "triage"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    REPLIED = "replied"  # replied, no rating link sent yet
    RATING = "rating"  # waiting for the citizen's rating
    CALLBACK = "callback"  # waiting for staff to phone the citizen
    REOPENED = "reopened"
    CLOSED = "closed"
    INVALID = "invalid"
    MERGED = "merged"


# What the workflow does next, by the ticket's state.
_OUTCOMES: Final[Mapping[Status, Route]] = MappingProxyType({
    Status.SCREENED: Route.TRIAGE, Status.RETURNED: Route.TRIAGE, Status.DISPATCHED: Route.DISPATCHED,
    Status.ACCEPTED: Route.ACCEPTED, Status.REPLIED: Route.REPLIED, Status.REOPENED: Route.REOPENED,
    Status.CLOSED: Route.CLOSED, Status.INVALID: Route.INVALID, Status.MERGED: Route.MERGED,
    Status.SUBMITTED: Route.SUBMITTED,
})


# A replied case's survey phase refines its outcome: open the survey, wait for the rating, or
# wait for the staff's callback. Routing on the stored phase lets a rating arrive at any moment.
_SURVEY_OUTCOMES: Final[Mapping[str, Route]] = MappingProxyType(
    {"opening": Route.REPLIED, "rating": Route.RATING, "callback": Route.CALLBACK})


# The outcome each workflow step usually answers, by the step (its message's task, and stage for
# the waits and escalations). The state machine goes from the step straight to the state that
# outcome leads to (the Task's Next): answered with SendTaskSuccess, one transition. Any other
# outcome is answered as a failure named by the outcome, with the step's output as its cause; the
# Task's Catch routes it (tests/unit/test_workflow_definition.py holds the definition to this table).
USUAL_OUTCOMES: Final[Mapping[str, Route]] = MappingProxyType({
    "screen": Route.DISPATCHED,  # dispatched by the rules in the same step
    "dispatch": Route.DISPATCHED,  # a reopened case, back to its department
    "await:triage": Route.DISPATCHED,  # a dispatcher named the department
    "await:accept": Route.ACCEPTED,
    "await:reply": Route.RATING,  # the reply opens the survey
    "await:survey": Route.CLOSED,
    "await:callback": Route.CLOSED,
    "escalate:triage": Route.TRIAGE,  # and keep waiting
    "escalate:accept": Route.DISPATCHED,
    "escalate:reply": Route.ACCEPTED,
    "open_survey": Route.RATING,
    "call_back": Route.CALLBACK,
    "default_verdict": Route.CLOSED,
})


def step_name(task: str, stage: str | None = None) -> str:
    """The key of a step in USUAL_OUTCOMES: its task, and the stage it waits at or escalates."""
    return f"{task}:{stage}" if stage else task


def answer(deps: Deps, token: str, step: str, output: dict[str, Any], catches: bool = True) -> bool:
    """Resume the workflow `step` waiting on `token` with its `output` (next_step's): its usual
    outcome as a success, any other as a failure the state's Catch routes. `catches` False: a
    step of a definition older than the Catches (its outcomes all went to one Choice state),
    answered with a success whatever the outcome. False if the step no longer waits."""
    if not catches or output["outcome"] == USUAL_OUTCOMES[step]:
        return deps.workflow.succeed(token, output)
    return deps.workflow.fail(token, str(output["outcome"]), json.dumps(output))


def next_step(ticket: Ticket, deps: Deps) -> dict[str, Any]:
    """The outcome the workflow routes on, and how long its next wait may last (seconds)."""
    policy = deps.catalog().policy
    outcome = _SURVEY_OUTCOMES[ticket.survey_phase] if ticket.survey_phase else _OUTCOMES[ticket.status]
    step: dict[str, Any] = {"outcome": outcome.value, "status": ticket.status.value}
    due = {Route.DISPATCHED: ticket.accept_due, Route.ACCEPTED: ticket.reply_due}.get(outcome)
    if due is not None:
        late = due <= deps.clock.now()
        step["timeout"] = working_days_seconds(policy.escalation_interval_days, deps) if late \
            else deps.clock.seconds_until(due)
    elif outcome is Route.TRIAGE:
        # Once escalated, the dispatchers are reminded every escalation interval.
        days = policy.escalation_interval_days if ticket.escalation_level else policy.triage_days
        step["timeout"] = working_days_seconds(days, deps)
    elif outcome in (Route.RATING, Route.CALLBACK):
        opened, days = ("survey_sent", policy.survey_days) if outcome is Route.RATING \
            else ("callback_due", policy.callback_days)
        event = ticket.last_event(opened)
        start = event.at if event else deps.clock.now()
        step["timeout"] = deps.clock.seconds_until(deps.clock.due(start, days))
    return step
