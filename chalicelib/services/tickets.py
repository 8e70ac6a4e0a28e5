"""Ticket use cases: submit, dispatch, accept, reply, and handing the workflow its tokens."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.calendar import SIGN_OFF_DAYS, TIER_DAYS
from ..domain.errors import ConcurrentUpdate, NoRoute
from ..domain.ids import new_ticket_id, new_tracking_secret, public_number, secret_digest
from ..domain.model import Ticket
from .commands import AcceptTicket, ReplyTicket, SubmitTicket
from .context import Deps

CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class Receipt:
    number: str
    page: str
    tracking: str

    def as_dict(self) -> dict[str, str]:
        return {"number": self.number, "page": self.page, "tracking": self.tracking}


def page_url(deps: Deps, number: str) -> str:
    return f"{deps.settings.site_url}/t/{number}.html"


def submit(cmd: SubmitTicket, deps: Deps) -> Receipt:
    """Store a new ticket; its stream record starts the workflow, so a stored ticket is never lost."""
    catalog = deps.catalog()
    location = catalog.location(cmd.location)
    catalog.category(cmd.category)
    now = deps.clock.now()
    sequence = deps.counters.next(f"number#{now:%Y%m%d}")
    secret = new_tracking_secret()
    ticket = Ticket.submit(
        at=now, id=new_ticket_id(), number=public_number(now, sequence),
        location=location.code, district=location.district, category=cmd.category,
        kind=cmd.kind, channel=cmd.channel, description=cmd.description,
        secret_digest=secret_digest(secret),
    )
    deps.tickets.add(ticket, cmd.phone)
    page = page_url(deps, ticket.number)
    # The secret rides in the fragment: browsers never send it to any server log.
    return Receipt(ticket.number, page, f"{page}#k={secret}")


def dispatch(ticket_id: str, deps: Deps) -> dict[str, Any]:
    """Route the ticket to its department with working-day deadlines (a workflow task)."""

    def change(ticket: Ticket) -> bool:
        if ticket.department and ticket.stage_passed("dispatch"):
            return False  # a redelivered task message: dispatched already
        catalog = deps.catalog()
        department = catalog.route(ticket.location, ticket.category)
        if department is None:
            raise NoRoute(f"no routing rule for {ticket.district} x {ticket.category}")
        now = deps.clock.now()
        tier = catalog.category(ticket.category).tier
        ticket.dispatch(department.code, accept_due=deps.clock.due(now, SIGN_OFF_DAYS),
                        reply_due=deps.clock.due(now, TIER_DAYS[tier]), at=now)
        return True

    ticket = _update(deps, lambda: deps.tickets.get(ticket_id), change)
    return {"department": ticket.department, **stage_output(ticket, deps)}


def stage_output(ticket: Ticket, deps: Deps) -> dict[str, Any]:
    """What the workflow needs to wait for the next step: the timeouts from now."""
    out: dict[str, Any] = {"status": ticket.status.value}
    if ticket.accept_due:
        out["accept_timeout"] = deps.clock.seconds_until(ticket.accept_due)
    if ticket.reply_due:
        out["reply_timeout"] = deps.clock.seconds_until(ticket.reply_due)
    return out


def hand_over(ticket_id: str, stage: str, token: str, deps: Deps) -> None:
    """The workflow waits for people at `stage`: keep its token on the ticket.

    If people already did that step (they can be quicker than the queue), resume at once.
    The versioned write makes exactly one of this and the API action see both sides.
    """
    resume = False

    def change(ticket: Ticket) -> bool:
        nonlocal resume
        resume = ticket.stage_passed(stage)
        if not resume:
            ticket.wait_for(stage, token)
        return not resume

    ticket = _update(deps, lambda: deps.tickets.get(ticket_id), change)
    if resume:
        deps.workflow.succeed(token, stage_output(ticket, deps))


def accept(number: str, department: str, cmd: AcceptTicket, deps: Deps) -> Ticket:
    return _act(number, "accept", deps, lambda t: t.accept(department, deps.clock.now(), cmd.note))


def reply(number: str, department: str, cmd: ReplyTicket, deps: Deps) -> Ticket:
    return _act(number, "reply", deps, lambda t: t.answer(department, cmd.text, cmd.outcome, deps.clock.now()))


def _act(number: str, stage: str, deps: Deps, action: Callable[[Ticket], None]) -> Ticket:
    """A people's action on a waiting step: versioned write, then resume the workflow."""
    token: str | None = None

    def change(ticket: Ticket) -> bool:
        nonlocal token
        action(ticket)
        token = ticket.take_token(stage)
        return True

    ticket = _update(deps, lambda: deps.tickets.by_number(number), change)
    if token:
        deps.workflow.succeed(token, stage_output(ticket, deps))
    return ticket


def _update(deps: Deps, load: Callable[[], Ticket], change: Callable[[Ticket], bool]) -> Ticket:
    """Load, change, save with the version check; on a conflict start again from a fresh read.

    `change` answers whether it changed the ticket (nothing to save otherwise)."""
    for attempt in range(CONFLICT_RETRIES):
        ticket = load()
        if not change(ticket):
            return ticket
        try:
            deps.tickets.save(ticket)
            return ticket
        except ConcurrentUpdate:
            if attempt == CONFLICT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
