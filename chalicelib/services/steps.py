"""Workflow steps: what the task worker does when the state machine asks (screen, dispatch,
hand over a waiting step's token, escalate, survey, callback, default verdict).

Each step decides inside `cases.change` and acts on the decision after the write, so a
conflict (decided again) or a redelivered message (nothing left to decide) sends nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog
from ..domain.errors import NotFound
from ..domain.ids import new_tracking_secret, secret_digest
from ..domain.listings import PLACE, clip
from ..domain.model import Rating, Status, Ticket
from ..domain.screening import Verdict, check_text, find_duplicate
from ..i18n import Messages, reason_text
from . import notify
from .cases import Changed, change
from .context import Deps
from .publish import cn_due, page_url
from .tickets import answer, next_step, step_name

DUPLICATE_CANDIDATES = 50  # the newest entries at a place the duplicate check reads


def screen(ticket_id: str, deps: Deps) -> dict[str, Any]:
    """Valid, invalid (with the reason), or a near-duplicate merged into an open case. A valid
    case the rules route is dispatched in the same stored change (one write, one page, one set of
    listing entries, where screening and then dispatching made two of each)."""
    ticket = deps.tickets.get(ticket_id)
    if ticket.status is Status.MERGED:
        support(ticket, deps)  # a redelivery after a crash between the two writes of a merge
    if ticket.status is not Status.SUBMITTED:
        return _screened(ticket, deps)  # a redelivered message: screened already
    now = deps.clock.now()
    catalog = deps.catalog()
    verdict = check_text(ticket.description, catalog.policy)
    original = _open_duplicate(ticket, deps) if verdict.valid else None

    def decide(ticket: Ticket) -> Verdict | Ticket | None:
        if ticket.status is not Status.SUBMITTED:
            return None
        if original is not None:
            ticket.merge_into(original, now)
            return original
        if verdict.valid:
            ticket.screen(now)
            department = catalog.route(ticket.location, ticket.category)
            if department is not None:
                assign(ticket, department.code, deps)
        else:
            ticket.invalidate(verdict.reason, now)
        return verdict

    changed: Changed[Verdict | Ticket] = change(deps.tickets, ticket_id, decide)
    if changed.saved and changed.decision is not None:
        _tell_screened(changed.ticket, changed.decision, deps)
    return _screened(changed.ticket, deps)


def _tell_screened(ticket: Ticket, decision: Verdict | Ticket, deps: Deps) -> None:
    """After the screening's write: the citizen told what became of the case (and the open case
    it joined counts a supporter); the department told of a case the rules sent it."""
    phone = deps.tickets.phone(ticket.id)
    if isinstance(decision, Ticket):
        support(ticket, deps)
        notify.sms(deps, phone, "merged", ticket.locale, original=decision.number,
                   original_page=page_url(deps, decision.number, ticket.locale))
    elif decision.valid:
        notify.sms(deps, phone, "received", ticket.locale, number=ticket.number,
                   page=page_url(deps, ticket.number, ticket.locale))
        if ticket.status is Status.DISPATCHED:
            tell_department(ticket, deps)
    else:
        notify.sms(deps, phone, "invalid", ticket.locale, number=ticket.number,
                   reason=reason_text(decision.reason, ticket.locale))


def support(duplicate: Ticket, deps: Deps) -> None:
    """The open case a duplicate was merged into counts one more supporter, once (its own change:
    no two-case transaction, and safe to repeat)."""
    original = deps.tickets.by_number(duplicate.merged_into or "")
    now = deps.clock.now()
    change(deps.tickets, original.id, lambda t: t.add_supporter(duplicate.number, now) or None)


def _screened(ticket: Ticket, deps: Deps) -> dict[str, Any]:
    """A valid case was dispatched by the rules as it was screened (or is left for the
    dispatchers' triage): the Dispatch task serves a reopened case only. A case stored as screened
    but not dispatched (screened before screening dispatched) is dispatched here."""
    if ticket.status is Status.SCREENED:
        return dispatch(ticket.id, deps)
    return next_step(ticket, deps)


def _open_duplicate(ticket: Ticket, deps: Deps) -> Ticket | None:
    policy = deps.catalog().policy
    if ticket.location is None:
        return None  # unplaced: nothing to compare by place; a dispatcher sees it anyway
    since = ticket.created_at - timedelta(days=policy.duplicate_window_days)
    candidates = {t.id: t for t in _recent_open(ticket, since, deps)
                  if t.id != ticket.id and t.category == ticket.category and t.is_open
                  and t.status is not Status.SUBMITTED}
    found = find_duplicate(ticket.description, ((t.id, t.description) for t in candidates.values()), policy)
    return candidates[found] if found else None


def _recent_open(ticket: Ticket, since: datetime, deps: Deps) -> list[Ticket]:
    """The open, screened cases of the ticket's category at its place filed since `since`: one
    query on the place's listing partition (small entries, the latest DUPLICATE_CANDIDATES, not an
    index over the whole table), then a key read of each candidate for its full text and current
    state (the entry may lag behind the case by the stream's delay)."""
    low = since.astimezone(CHINA).strftime("%Y%m%d")  # numbers begin with their filing day
    entries = deps.listings.span(PLACE + (ticket.location or ""), low, "\uffff", DUPLICATE_CANDIDATES)
    numbers = [e.number for e in entries
               if e.number != ticket.number and e.category == ticket.category and e.is_open
               and e.status != Status.SUBMITTED.value and datetime.fromisoformat(e.created) >= since]
    found = []
    for number in numbers:
        try:
            found.append(deps.tickets.by_number(number, for_update=False))
        except NotFound:  # gone meanwhile (never: cases are kept); nothing to compare
            continue
    return found


@dataclass(frozen=True)
class Dispatched:
    department: str
    reopened: bool


def dispatch(ticket_id: str, deps: Deps) -> dict[str, Any]:
    """Route by the rules (a reopened case goes back to its department); no rule: triage."""
    catalog = deps.catalog()

    def decide(ticket: Ticket) -> Dispatched | None:
        if ticket.status not in (Status.SCREENED, Status.REOPENED):
            return None  # dispatched already (a redelivery), or waiting for a dispatcher
        reopened = ticket.status is Status.REOPENED
        department = catalog.departments.get(ticket.department or "") if reopened else \
            catalog.route(ticket.location, ticket.category)
        if department is None:
            return None  # no rule: stays for the dispatcher's triage
        assign(ticket, department.code, deps)
        return Dispatched(department.code, reopened)

    changed = change(deps.tickets, ticket_id, decide)
    if changed.saved and changed.decision:
        tell_department(changed.ticket, deps)
        if changed.decision.reopened:
            notify.sms(deps, catalog.policy.supervisor_phone, "reopened", number=changed.ticket.number,
                       department=catalog.department(changed.decision.department).name,
                       round=changed.ticket.round)
    return next_step(changed.ticket, deps)


def assign(ticket: Ticket, department: str, deps: Deps, actor: str = "system") -> None:
    """Dispatch with deadlines from the working-day calendar and the ticket's tier (a pure change:
    the dispatch counts through the timeline's tallies, once, after the write)."""
    now = deps.clock.now()
    accept_due, reply_due = deadlines(ticket, deps, now)
    ticket.dispatch(department, accept_due=accept_due, reply_due=reply_due, at=now, actor=actor)


def deadlines(ticket: Ticket, deps: Deps, now: datetime) -> tuple[datetime, datetime]:
    """A dispatch's sign-off and reply deadlines: working days by the case's tier and kind."""
    catalog, clock = deps.catalog(), deps.clock
    days = catalog.policy.tier_days(catalog.category(ticket.category).tier, ticket.kind.value)
    return clock.due(now, catalog.policy.sign_off_days), clock.due(now, days)


def tell_department(ticket: Ticket, deps: Deps) -> None:
    catalog = deps.catalog()
    department = catalog.department(ticket.department or "")
    notify.sms(deps, department.phone, "new_case", number=ticket.number,
               category=catalog.category(ticket.category).name,
               location=place_name(ticket, catalog), accept_due=cn_due(ticket.accept_due))


def place_name(ticket: Ticket, catalog: Catalog) -> str:
    """The place as staff read it: the location's name, or an unplaced case's address (clipped)."""
    if ticket.location is not None:
        return catalog.location(ticket.location).name
    return clip(ticket.address, 40) or "—"


def hand_over(ticket_id: str, stage: str, token: str, deps: Deps, catches: bool = False) -> None:
    """The workflow waits for people at `stage`: keep its token on the ticket (and whether the
    waiting state catches the outcomes it does not expect, so the answer later fits it).

    If people already did that step (they can be quicker than the queue), resume at once.
    The versioned write makes exactly one of this and the people's action see both sides.
    """
    def decide(ticket: Ticket) -> bool:
        if ticket.stage_passed(stage):
            return True  # resume now
        ticket.wait_for(stage, token, catches)
        return False

    changed = change(deps.tickets, ticket_id, decide)
    if changed.decision:
        answer(deps, token, step_name("await", stage), next_step(changed.ticket, deps), catches)


def escalate(ticket_id: str, stage: str, deps: Deps, token: str | None = None) -> dict[str, Any]:
    """A deadline passed (督办): one level up, with SMS to whoever that level reaches.
    If people acted meanwhile, or an extension moved the deadline, nothing escalates; the same
    workflow step (its `token`) delivered again finds its escalation recorded and escalates nothing."""
    now = deps.clock.now()
    key = secret_digest(token)[:16] if token else None

    def decide(ticket: Ticket) -> int | None:
        due = {"accept": ticket.accept_due, "reply": ticket.reply_due}.get(stage)
        if ticket.stage_passed(stage) or (due is not None and due > now):
            return None
        ticket.forget_wait()
        return ticket.escalate(stage, now, key)

    changed = change(deps.tickets, ticket_id, decide)
    if changed.saved and changed.decision:
        _escalation_sms(changed.ticket, stage, changed.decision, deps)
    return next_step(changed.ticket, deps)


def _escalation_sms(ticket: Ticket, stage: str, level: int, deps: Deps) -> None:
    policy = deps.catalog().policy
    words = Messages()(f"stage.{stage}")
    department = deps.catalog().departments.get(ticket.department or "")
    if stage == "triage":
        notify.sms(deps, policy.dispatcher_phone if level == 1 else policy.supervisor_phone,
                   "triage_waiting", number=ticket.number)
    elif level == 1 and department:
        notify.sms(deps, department.phone, "escalate_handler", number=ticket.number, stage=words)
        notify.sms(deps, department.head_phone, "escalate_head", number=ticket.number, stage=words)
    else:
        notify.sms(deps, policy.supervisor_phone, "escalate_supervisor", number=ticket.number, stage=words,
                   department=department.name if department else "", level=level)


@dataclass(frozen=True)
class Survey:
    """A rating link's secret, made before the change that opens the survey (a change decided
    again opens it with the same secret); sent by SMS once the change is stored."""

    secret: str
    at: datetime

    @classmethod
    def new(cls, deps: Deps) -> Survey:
        return cls(new_tracking_secret(), deps.clock.now())

    def open(self, ticket: Ticket, deps: Deps) -> None:
        """Open the survey on a case just replied to (inside a change's decide: no effect)."""
        policy = deps.catalog().policy
        expires = deps.clock.due(self.at, policy.survey_days + policy.callback_days)
        ticket.open_survey(secret_digest(self.secret), expires, self.at)

    def send(self, ticket: Ticket, deps: Deps) -> None:
        """The rating link by SMS to the citizen (after the stored change opened the survey)."""
        link = f"{page_url(deps, ticket.number, ticket.locale)}#k={self.secret}"
        notify.sms(deps, deps.tickets.phone(ticket.id), "survey", ticket.locale, number=ticket.number, link=link)


def open_survey(ticket_id: str, deps: Deps) -> dict[str, Any]:
    """A replied case whose survey is not open: a rating link (its own expiring secret) by SMS to the
    citizen. The reply itself opens the survey (services/actions.py: reply); this step serves a case
    replied before it did, or by a way that does not."""
    survey = Survey.new(deps)

    def decide(ticket: Ticket) -> bool:
        if ticket.survey_phase != "opening":
            return False  # rated already (however early), or this round's survey is open (a redelivery)
        survey.open(ticket, deps)
        return True

    changed = change(deps.tickets, ticket_id, decide)
    if changed.saved and changed.decision:
        survey.send(changed.ticket, deps)
    return next_step(changed.ticket, deps)


def call_back(ticket_id: str, deps: Deps) -> dict[str, Any]:
    """No rating in time: a phone-callback task for staff."""
    policy, now = deps.catalog().policy, deps.clock.now()

    def decide(ticket: Ticket) -> bool:
        if ticket.survey_phase != "rating":
            return False  # rated meanwhile, or a redelivery
        ticket.call_back(now)
        return True

    changed = change(deps.tickets, ticket_id, decide)
    if changed.saved and changed.decision:
        notify.sms(deps, policy.dispatcher_phone, "callback", number=changed.ticket.number)
    return next_step(changed.ticket, deps)


def default_verdict(ticket_id: str, deps: Deps) -> dict[str, Any]:
    """Nobody could be reached: the configured default rating applies."""
    policy, now = deps.catalog().policy, deps.clock.now()

    def decide(ticket: Ticket) -> bool:
        if ticket.stage_passed("callback"):
            return False
        ticket.forget_wait()
        ticket.rate(Rating(policy.default_rating), "", "system",
                    policy.max_rounds, now)
        return True

    return next_step(change(deps.tickets, ticket_id, decide).ticket, deps)
