"""What people do to a ticket. Each is one change (a versioned write), then it resumes the workflow
step it completes (if the workflow already handed that step over; otherwise the hand-over resumes)."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, NotYourTicket, Unhideable
from ..domain.ids import secret_matches
from ..domain.model import Status, Ticket, Wait
from ..i18n import DEFAULT, Messages, reason_text
from ..observability import logger
from . import notify, photos
from .cases import change, change_by_number
from .commands import (
    AcceptTicket,
    AddInformation,
    AddNote,
    AskExtension,
    AssistTicket,
    DecideExtension,
    DispatchTicket,
    HideContent,
    MergeTicket,
    RateTicket,
    RedirectTicket,
    RejectTicket,
    ReplyTicket,
    ReturnTicket,
    ReviewPhoto,
    SplitTicket,
)
from .context import Deps
from .publish import page_url
from .steps import Survey, assign, deadlines, support, tell_department
from .tickets import answer, next_step, step_name


def _as_seen(ticket: Ticket, seen: Status | None) -> None:
    """The case is as the member of staff saw it (its status then; None: not checked), else 409."""
    if seen is not None and ticket.status is not seen:
        raise InvalidTransition(f"ticket {ticket.number} changed since it was loaded (now {ticket.status.value}): "
                                "reload it", "changed", ticket.status.value)


def _act(number: str, stages: tuple[str, ...], deps: Deps, action: Callable[[Ticket], None],
         by: str = "", seen: Status | None = None) -> Ticket:
    """Apply `action`, its events signed by the staff account `by`, to the case as it was `seen`
    (its status then; None: as it is); the decision is the waiting step it takes over (its token),
    answered after the write."""
    def decide(ticket: Ticket) -> Wait | None:
        _as_seen(ticket, seen)
        start = len(ticket.events)
        action(ticket)
        ticket.sign(start, by)
        return ticket.take_token(*stages)

    changed = change_by_number(deps.tickets, number, decide)
    wait = changed.decision
    if wait and not answer(deps, wait.token, step_name("await", wait.stage), next_step(changed.ticket, deps),
                           wait.catches):
        logger.info("the workflow had stopped waiting; its next hand-over will pick this up")
    return changed.ticket


def accept(number: str, department: str, cmd: AcceptTicket, deps: Deps, by: str = "") -> Ticket:
    return _act(number, ("accept",), deps, lambda t: t.accept(department, deps.clock.now(), cmd.note), by,
                cmd.seen_status)


def note(number: str, department: str, cmd: AddNote, deps: Deps, by: str = "",
         may_act: Callable[[Ticket], bool] = lambda _: True) -> Ticket:
    """An internal note on the case (never public); two notes at once both land."""
    def action(ticket: Ticket) -> None:
        if not may_act(ticket):
            raise NotYourTicket(f"ticket {number} is not assigned to department '{department}'")
        ticket.add_note(cmd.text, department, deps.clock.now())

    return _act(number, (), deps, action, by)


def give_back(number: str, department: str, cmd: ReturnTicket, deps: Deps, by: str = "") -> Ticket:
    """Return (退单) within the window; back to the dispatchers, counted against the department
    (the `returned` event's tally)."""
    catalog, clock = deps.catalog(), deps.clock
    now = clock.now()

    def action(ticket: Ticket) -> None:
        window_end = clock.due(ticket.dispatched_at or now, catalog.policy.return_window_days)
        ticket.give_back(department, cmd.reason, window_end, now)

    ticket = _act(number, ("accept", "reply"), deps, action, by, cmd.seen_status)
    notify.sms(deps, catalog.policy.dispatcher_phone, "returned", number=number,
               department=catalog.department(department).name, reason=cmd.reason)
    return ticket


def ask_extension(number: str, department: str, cmd: AskExtension, deps: Deps, by: str = "") -> Ticket:
    policy = deps.catalog().policy
    days = cmd.days or policy.extension_days
    ticket = _act(number, (), deps, lambda t: t.ask_extension(
        department, cmd.reason, days, policy.max_extensions, deps.clock.now()), by, cmd.seen_status)
    notify.sms(deps, policy.supervisor_phone, "extension_request", number=number, days=days,
               department=deps.catalog().department(department).name, reason=cmd.reason)
    return ticket


def decide_extension(number: str, supervisor: str, cmd: DecideExtension, deps: Deps, by: str = "") -> Ticket:
    clock = deps.clock

    def action(ticket: Ticket) -> None:
        # the days asked for (or the supervisor's own), counted after the deadline's last day
        new_due = clock.extended(ticket.reply_due, cmd.days or ticket.extension_days) if cmd.approve else None
        ticket.decide_extension(cmd.approve, new_due, supervisor, cmd.note, clock.now())

    # An approval resumes the reply wait, so it waits again until the new deadline.
    return _act(number, ("reply",) if cmd.approve else (), deps, action, by, cmd.seen_status)


def reply(number: str, department: str, cmd: ReplyTicket, deps: Deps, by: str = "") -> Ticket:
    """The department's reply opens the survey in the same change, and the rating link goes to the
    citizen once it is stored: the workflow goes from the reply wait straight to the rating wait."""
    names = photos.take(deps, cmd.photos)
    survey = Survey.new(deps)

    def action(ticket: Ticket) -> None:
        ticket.answer(department, cmd.text, cmd.outcome, survey.at, names)
        survey.open(ticket, deps)

    ticket = _act(number, ("reply",), deps, action, by, cmd.seen_status)
    survey.send(ticket, deps)
    return ticket


def add_information(number: str, cmd: AddInformation, deps: Deps) -> Ticket:
    """More text or photos from the citizen, with the tracking link, while the case is open."""
    if not cmd.text and not cmd.photos:
        raise InvalidInput("text or photos: send at least one", field="text")

    def check(ticket: Ticket) -> None:
        if not secret_matches(cmd.secret, ticket.secret_digest):
            raise Forbidden(f"the link does not allow adding to ticket {number}")

    try:
        check(deps.tickets.by_number(number, for_update=False))  # before any photo is processed
    except NotFound:
        raise Forbidden("the link does not allow adding to this ticket") from None
    names = photos.take(deps, cmd.photos)
    now = deps.clock.now()

    def action(ticket: Ticket) -> None:
        check(ticket)
        ticket.add_information(cmd.text, names, now)

    return _act(number, (), deps, action)


def review_photo(number: str, name: str, cmd: ReviewPhoto, actor: str, deps: Deps,
                 department: str | None = None, by: str = "") -> Ticket:
    """A dispatcher (department None), or the handling department, publishes a citizen's photo or
    keeps it private."""
    def action(ticket: Ticket) -> None:
        ticket.review_photo(name, cmd.public, actor, deps.clock.now(), department)

    return _act(number, (), deps, action, by)


def hide(number: str, cmd: HideContent, actor: str, deps: Deps, locale: str = DEFAULT, by: str = "") -> Ticket:
    """A moderator hides a citizen's text or a photo from the public, with a reason. The stored
    change does the rest once: the pages are rewritten and a hidden photo is withdrawn."""
    now = deps.clock.now()

    def action(ticket: Ticket) -> None:
        ticket.hide(cmd.target, cmd.reason, actor, now)

    try:
        return _act(number, (), deps, action, by)
    except Unhideable as exc:
        raise InvalidInput(Messages(locale)(f"moderation.error.{exc.code}"), field=exc.field, worded=True) from None


def dispatch_by_hand(number: str, dispatcher: str, cmd: DispatchTicket, deps: Deps, by: str = "") -> Ticket:
    """Triage: a dispatcher names the department (no rule matched, 'other', or a return)."""
    deps.catalog().department(cmd.department)
    ticket = _act(number, ("triage",), deps, lambda t: assign(t, cmd.department, deps, actor=dispatcher), by,
                  cmd.seen_status)
    tell_department(ticket, deps)
    return ticket


def rate(number: str, cmd: RateTicket, deps: Deps, staff: str | None = None, by: str = "") -> Ticket:
    """The citizen's verdict (tracking or survey link), or staff recording a phone callback."""
    policy, now = deps.catalog().policy, deps.clock.now()

    def action(ticket: Ticket) -> None:
        if staff is not None:
            ticket.record_callback(cmd.rating, cmd.comment, staff, policy.max_rounds, now)
        elif _may_rate(ticket, cmd.secret or "", now):
            ticket.rate(cmd.rating, cmd.comment, "citizen", policy.max_rounds, now)
        else:
            raise Forbidden(f"the link does not allow rating ticket {number}, or it has expired")

    try:
        return _act(number, ("survey", "callback"), deps, action, by)
    except NotFound:
        if staff is not None:
            raise
        raise Forbidden("the link does not allow rating this ticket") from None  # a link learns nothing


def _may_rate(ticket: Ticket, secret: str, now: datetime) -> bool:
    """The tracking link's secret, or the survey link's while it has not expired."""
    if secret_matches(secret, ticket.secret_digest):
        return True
    survey_open = ticket.survey_expires is not None and now < ticket.survey_expires
    return bool(survey_open and ticket.survey_digest and secret_matches(secret, ticket.survey_digest))


MERGE_SETTLES_SECONDS = 3.0  # a merged case's execution reaches its end state within this


def _ends(deps: Deps, ticket_id: str) -> bool:
    """Does the ticket's execution still run after it settled? A merge answers the waiting step
    with "merged", so the execution ends at once; one that runs on had not handed its wait over
    yet, and its hand-over will route by the restored state (a restart would make two)."""
    deadline = deps.monotonic() + MERGE_SETTLES_SECONDS
    while deps.workflow.running(ticket_id):
        if deps.monotonic() > deadline:
            return True
        time.sleep(0.1)
    return False


# Every wait a case merged or sent elsewhere may be in: its token answers with the new state.
_OPEN_WAITS = ("triage", "accept", "reply")


def redirect(number: str, actor: str, cmd: RedirectTicket, deps: Deps, by: str = "") -> Ticket:
    """Re-dispatch before the reply: a wrong department, or a supervisor sending a reopened case
    elsewhere than the department that failed it. The new department is told; the old one's
    action now gets 409 (the case moved on)."""
    deps.catalog().department(cmd.department)
    now = deps.clock.now()

    def action(ticket: Ticket) -> None:
        accept_due, reply_due = deadlines(ticket, deps, now)
        ticket.redispatch(cmd.department, accept_due, reply_due, now, actor)

    ticket = _act(number, ("accept", "reply"), deps, action, by, cmd.seen_status)
    tell_department(ticket, deps)
    return ticket


def assist(number: str, actor: str, cmd: AssistTicket, deps: Deps, by: str = "") -> Ticket:
    """Co-handling: the assisting department (协办) sees the case and adds notes; told once."""
    department = deps.catalog().department(cmd.department)
    now = deps.clock.now()

    def decide(ticket: Ticket) -> bool:
        _as_seen(ticket, cmd.seen_status)
        start = len(ticket.events)
        added = ticket.add_assisting(cmd.department, actor, now)
        ticket.sign(start, by)
        return added

    changed = change_by_number(deps.tickets, number, decide)
    if changed.saved and changed.decision:
        notify.sms(deps, department.phone, "assisting", number=number,
                   lead=deps.catalog().department(changed.ticket.department or "").name)
    return changed.ticket


def merge(number: str, actor: str, cmd: MergeTicket, deps: Deps, by: str = "") -> Ticket:
    """A duplicate staff found: handled as part of the open case `cmd.into`, whose supporters it
    joins; its citizen is told where to follow it. Its workflow ends at the merge."""
    original = deps.tickets.by_number(cmd.into, for_update=False)
    now = deps.clock.now()
    ticket = _act(number, _OPEN_WAITS, deps, lambda t: t.merge_by_hand(original, actor, now), by,
                  cmd.seen_status)
    support(ticket, deps)
    notify.sms(deps, deps.tickets.phone(ticket.id), "merged", ticket.locale, original=original.number,
               original_page=page_url(deps, original.number, ticket.locale))
    return ticket


def split(number: str, actor: str, cmd: SplitTicket, deps: Deps, by: str = "") -> Ticket:
    """A wrong merge undone: the case is screened again (the rules or a dispatcher route it), the
    case it was merged into counts one supporter less, and its citizen is told."""
    now = deps.clock.now()
    def action(ticket: Ticket) -> None:
        ticket.split(actor, now)

    ticket = _act(number, (), deps, action, by, cmd.seen_status)
    left = (ticket.last_event("split") or ticket.events[-1]).data.get("from", "")
    if left:
        original = deps.tickets.by_number(left)
        change(deps.tickets, original.id, lambda t: t.drop_supporter(number, actor, now) or None)
    if not _ends(deps, ticket.id):
        deps.workflow.restart(ticket.id)
    notify.sms(deps, deps.tickets.phone(ticket.id), "split", ticket.locale, number=number,
               page=page_url(deps, number, ticket.locale))
    return ticket


def reject(number: str, actor: str, cmd: RejectTicket, deps: Deps, by: str = "") -> Ticket:
    """A dispatcher does not accept a case (不予受理): the triage wait ends in `Invalid`, the
    citizen is told why (the reason worded from the catalogue)."""
    now = deps.clock.now()

    def action(ticket: Ticket) -> None:
        ticket.reject(cmd.reason, actor, now)

    ticket = _act(number, ("triage",), deps, action, by, cmd.seen_status)
    notify.sms(deps, deps.tickets.phone(ticket.id), "invalid", ticket.locale, number=number,
               reason=reason_text(ticket.reason, ticket.locale))
    return ticket
