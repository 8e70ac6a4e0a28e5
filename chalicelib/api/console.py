"""Staff API: queues, case detail and every action of operators, dispatchers, handlers and
supervisors. Who acts comes from the verified sign-in token (api/staff.py); what each role may
see and do is enforced here and in the domain, never only in the page."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.calendar import CHINA
from ..domain.errors import InvalidInput, NotYourTicket
from ..domain.listings import ASSISTING
from ..domain.model import TRIAGE_QUEUE, Status, Ticket
from ..domain.staff import Role, Staff
from ..i18n import Messages
from ..services import actions, hotline, photos, replies
from ..services.commands import (
    AcceptTicket,
    AddNote,
    AskExtension,
    AssistTicket,
    DecideExtension,
    DispatchTicket,
    HideContent,
    HotlineCall,
    MergeTicket,
    NewUpload,
    RateTicket,
    RedirectTicket,
    RejectTicket,
    ReplyTicket,
    ReturnTicket,
    ReviewPhoto,
    SetTemplates,
    SplitTicket,
)
from ..services.ports import Access
from ..services.publish import public_view
from ..services.stats import INDEX as STATS_INDEX
from ..services.stats import department_rates
from ..tasks.redrive import redrive
from .errors import json_errors
from .schema import command_of, query, takes
from .staff import AUTHORIZER_TTL_SECONDS, authorize, current_staff

console = Blueprint(__name__)
staff_sign_in = console.authorizer(ttl_seconds=AUTHORIZER_TTL_SECONDS)(authorize)
SIGNED_IN = {"authorizer": staff_sign_in}
# Who may hide a citizen's text or a photo from the public.
MODERATORS = (Role.DISPATCHER, Role.SUPERVISOR)
# Who sees every case (a handler sees its department's).
CENTRE = (Role.DISPATCHER, Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN)
# Who takes down phoned-in cases (the hotline screen).
CALL_TAKERS = (Role.OPERATOR, Role.DISPATCHER)
# Who moves cases between departments: merges, splits, re-dispatches, adds assisting departments.
ROUTERS = (Role.DISPATCHER, Role.SUPERVISOR)
OTHER_CASES_DAYS = 90  # "other open cases at the same place" looks this far back


def _staff() -> Staff:
    return current_staff(console.current_request)


def _command() -> Any:
    """The request's body, parsed with the model the view is marked with (api/schema.py)."""
    return command_of(console.current_app, console.current_request)


def _view(ticket: Ticket, staff: Staff, contact: bool = False) -> dict:
    """A case as staff see it: its text even when confidential, every photo with private links,
    who did what; the citizen's contact only in the detail, only for those allowed (recorded)."""
    deps = bootstrap.deps()
    view = public_view(ticket, deps, staff=True)
    view["staff_photos"] = photos.for_staff(ticket, deps)
    view["can_review_photos"] = staff.role is Role.DISPATCHER or staff.department == ticket.department
    view["can_hide"] = staff.role in MODERATORS
    if ticket.extension_requested:  # the working days asked for, for the supervisor deciding
        view["extension_days"] = ticket.extension_days
    catalog = deps.catalog()
    view["assisting"] = [{"code": code, "name": catalog.departments[code].name if code in catalog.departments else code}
                         for code in ticket.assisting]
    if ticket.is_open and ticket.status is not Status.SUBMITTED:
        suggested = catalog.route(ticket.location, ticket.category) if ticket.location in catalog.locations \
            and ticket.category in catalog.categories else None  # an unplaced case: none
        view["suggested_department"] = suggested.code if suggested else None
    if not contact:
        return view
    since = deps.clock.now() - timedelta(days=OTHER_CASES_DAYS)
    words = Messages()
    view["same_place"] = [{"number": t.number, "status": t.status.value,
                           "status_label": words(f"status.{t.status.value}")}
                          for t in (deps.tickets.recent_at(ticket.location, since, limit=20) if ticket.location else [])
                          if t.id != ticket.id and t.is_open and _may_see(t, staff)]
    if staff.sees_contact(ticket.department):
        phone = deps.tickets.phone(ticket.id)
        view["contact"] = {"phone": phone}
        if phone:
            deps.access_log.record([Access(deps.clock.now(), staff.username, staff.role.value, ticket.number,
                                           "viewed")])
    return view


def _may_see(ticket: Ticket, staff: Staff) -> bool:
    """A handler sees the cases its department leads or assists; everyone else every case."""
    return staff.role is not Role.HANDLER or ticket.involves(staff.department)


def _visible(ticket: Ticket, staff: Staff) -> Ticket:
    """A handler reads only its department's cases (led or assisted): 403 for any other (nothing
    about it said)."""
    if not _may_see(ticket, staff):
        raise NotYourTicket(f"ticket {ticket.number} is not assigned to department '{staff.department}'")
    return ticket


@console.route("/console/me", methods=["GET"], **SIGNED_IN)
@json_errors
def me() -> dict:
    """Who is signed in: user name, role and department (the page shows them and its queues)."""
    staff = _staff()
    catalog = bootstrap.deps().catalog()
    department = catalog.departments.get(staff.department)
    return {"username": staff.username, "role": staff.role.value, "department": staff.department,
            "department_name": department.name if department else None}


@console.route("/console/calls", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(HotlineCall)
def file_call() -> Response:
    """Operators and dispatchers: a phoned-in case (channel hotline), the caller's phone as its
    contact (the SMS receipt goes to it), the account that took the call on its first event. The
    page sends one idempotency key per call: sending it again answers the same number."""
    staff = _staff().require(*CALL_TAKERS)
    filed = bootstrap.submit_once(hotline.as_submission(_command()), console.lambda_context, by=staff.username)
    # The tracking link is the citizen's secret: the operator gets the number and the public page.
    return Response(body={"number": filed["number"], "page": filed["page"], "sms": filed["sms"]}, status_code=201)


@console.route("/console/inbox", methods=["GET"], **SIGNED_IN)
@json_errors
@query(status="the state of the cases listed (default dispatched)", queue="triage: the dispatchers' queue")
def inbox() -> dict:
    """A department's cases in one state (a handler's own department); dispatchers see the triage
    queue as department TRIAGE."""
    staff = _staff()
    params = console.current_request.query_params or {}
    try:
        status = Status(params.get("status", Status.DISPATCHED.value))
    except ValueError:
        raise InvalidInput(f"status: unknown status '{params.get('status')}'", field="status") from None
    department = staff.department
    if params.get("queue") == "triage":
        staff.require(Role.DISPATCHER, Role.SUPERVISOR)
        department = TRIAGE_QUEUE
    else:
        staff.require(Role.HANDLER)
    deps = bootstrap.deps()
    return {"department": department, "status": status.value,
            "tickets": [_view(t, staff) for t in deps.tickets.inbox(department, status)]}


@console.route("/console/tickets/{number}", methods=["GET"], **SIGNED_IN)
@json_errors
def detail(number: str) -> dict:
    """One case with its whole timeline (who and when) and, for the handling department and the
    centre, the citizen's contact: each such view is recorded."""
    staff = _staff()
    ticket = _visible(bootstrap.deps().tickets.by_number(number, for_update=False), staff)
    return _view(ticket, staff, contact=True)


@console.route("/console/watch", methods=["GET"], **SIGNED_IN)
@json_errors
def watch() -> dict:
    """Supervisors: escalated and overdue cases, extension requests, and tasks that keep failing."""
    staff = _staff().require(Role.SUPERVISOR)
    deps = bootstrap.deps()
    stuck = [{key: message.get(key) for key in ("ticket_id", "task", "stage")}  # never the task token
             for message in deps.dead_letters.peek()]
    return {"tickets": [_view(t, staff) for t in deps.tickets.watched()], "stuck": stuck,
            "stream_failures": len(deps.stream_failures.peek())}


@console.route("/console/redrive", methods=["POST"], **SIGNED_IN)
@json_errors
def redrive_failures() -> dict:
    """Supervisors: once the cause is mended, run again the tasks and stream batches that kept failing."""
    _staff().require(Role.SUPERVISOR)
    return redrive(bootstrap.deps())


@console.route("/console/callbacks", methods=["GET"], **SIGNED_IN)
@json_errors
def callbacks() -> dict:
    """Dispatchers: cases whose citizen did not rate in time and wait for a phone callback."""
    staff = _staff().require(Role.DISPATCHER, Role.SUPERVISOR)
    deps = bootstrap.deps()
    return {"tickets": [_view(t, staff) for t in deps.tickets.watched() if t.task_stage == "callback"]}


@console.route("/console/access", methods=["GET"], **SIGNED_IN)
@json_errors
@query(before="the cursor the previous page answered")
def contact_access() -> dict:
    """Supervisors: who saw or exported a citizen's contact, newest first."""
    _staff().require(Role.SUPERVISOR)
    params = console.current_request.query_params or {}
    found, cursor = bootstrap.deps().access_log.recent(100, params.get("before") or None)
    return {"accesses": [{**asdict(a), "at": a.at.isoformat()} for a in found], "next": cursor}


@console.route("/console/tickets/{number}/accept", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(AcceptTicket, optional=True)
def accept(number: str) -> dict:
    staff = _staff().require(Role.HANDLER)
    return _view(actions.accept(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/tickets/{number}/note", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(AddNote)
def note(number: str) -> dict:
    """An internal note (never public): the lead and assisting departments, and the centre."""
    staff = _staff().require(Role.HANDLER, *CENTRE)
    ticket = actions.note(number, staff.department, _command(), bootstrap.deps(), staff.username,
                          may_act=lambda t: staff.acts_for(t.department) or t.involves(staff.department))
    return _view(ticket, staff)


@console.route("/console/tickets/{number}/return", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(ReturnTicket, optional=True)
def give_back(number: str) -> dict:
    staff = _staff().require(Role.HANDLER)
    return _view(actions.give_back(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/tickets/{number}/extension", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(AskExtension, optional=True)
def ask_extension(number: str) -> dict:
    staff = _staff().require(Role.HANDLER)
    return _view(actions.ask_extension(number, staff.department, _command(), bootstrap.deps(), staff.username),
                 staff)


@console.route("/console/tickets/{number}/extension/decision", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(DecideExtension, optional=True)
def decide_extension(number: str) -> dict:
    staff = _staff().require(Role.SUPERVISOR)
    return _view(actions.decide_extension(number, staff.department, _command(), bootstrap.deps(),
                                          staff.username), staff)


@console.route("/console/tickets/{number}/reply", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(ReplyTicket, optional=True)
def reply(number: str) -> dict:
    staff = _staff().require(Role.HANDLER)
    return _view(actions.reply(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/tickets/{number}/dispatch", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(DispatchTicket, optional=True)
def dispatch(number: str) -> dict:
    staff = _staff().require(Role.DISPATCHER)
    return _view(actions.dispatch_by_hand(number, staff.department, _command(), bootstrap.deps(),
                                          staff.username), staff)


@console.route("/console/tickets/{number}/callback", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(RateTicket, optional=True)
def callback(number: str) -> dict:
    """Staff record the citizen's verdict from a phone callback."""
    staff = _staff().require(Role.DISPATCHER, Role.SUPERVISOR)
    return _view(actions.rate(number, _command(), bootstrap.deps(), staff=staff.department, by=staff.username),
                 staff)


@console.route("/console/uploads", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(NewUpload)
def new_staff_upload() -> dict:
    """Staff: a one-time form to upload a photo for a reply (published with it)."""
    _staff().require(Role.HANDLER)
    command = _command()
    return asdict(photos.new_upload(bootstrap.deps(), command.content_type, command.size))


@console.route("/console/tickets/{number}/photos/{name}", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(ReviewPhoto)
def review_photo(number: str, name: str) -> dict:
    """Publish a citizen's photo, or keep it private (faces, number plates, documents): dispatchers,
    and the department handling the case."""
    staff = _staff().require(Role.DISPATCHER, Role.HANDLER)
    department = None if staff.role is Role.DISPATCHER else staff.department
    return _view(actions.review_photo(number, name, _command(), staff.department, bootstrap.deps(), department,
                                      staff.username), staff)


@console.route("/console/tickets/{number}/hide", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(HideContent)
def hide(number: str) -> dict:
    """Hide a citizen's text ("description", "event:<index>") or a photo ("photo:<name>") from the
    public, with a reason: dispatchers and supervisors. Staff still see the original."""
    staff = _staff().require(*MODERATORS)
    return _view(actions.hide(number, _command(), staff.department, bootstrap.deps(), by=staff.username), staff)


@console.route("/console/tickets/{number}/redirect", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(RedirectTicket)
def redirect(number: str) -> dict:
    """Dispatchers and supervisors: send a dispatched or signed-off case (a reopened one among
    them) to another department, with fresh deadlines."""
    staff = _staff().require(*ROUTERS)
    return _view(actions.redirect(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/tickets/{number}/assist", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(AssistTicket)
def assist(number: str) -> dict:
    """Dispatchers and supervisors: an assisting department (协办) sees the case and adds notes."""
    staff = _staff().require(*ROUTERS)
    return _view(actions.assist(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/tickets/{number}/merge", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(MergeTicket)
def merge(number: str) -> dict:
    """Dispatchers and supervisors: handle a duplicate as part of an open case."""
    staff = _staff().require(*ROUTERS)
    return _view(actions.merge(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/tickets/{number}/split", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(SplitTicket, optional=True)
def split(number: str) -> dict:
    """Dispatchers and supervisors: undo a wrong merge."""
    staff = _staff().require(*ROUTERS)
    return _view(actions.split(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)


@console.route("/console/assisting", methods=["GET"], **SIGNED_IN)
@json_errors
def assisting() -> dict:
    """Handlers: the open cases their department assists (协办), newest first."""
    staff = _staff().require(Role.HANDLER)
    deps = bootstrap.deps()
    numbers = [e.number for e in deps.listings.latest(ASSISTING + staff.department, 50) if e.is_open]
    found = [deps.tickets.by_number(number, for_update=False) for number in numbers]
    return {"tickets": [_view(t, staff) for t in found if t.involves(staff.department)]}


@console.route("/console/extensions", methods=["GET"], **SIGNED_IN)
@json_errors
def extensions() -> dict:
    """Supervisors: the extension requests waiting for a decision."""
    staff = _staff().require(Role.SUPERVISOR)
    return {"tickets": [_view(t, staff) for t in bootstrap.deps().tickets.watched() if t.extension_requested]}


@console.route("/console/rates", methods=["GET"], **SIGNED_IN)
@json_errors
def rates() -> dict:
    """Supervisors: every department's rates this month and last, and its place in the league,
    from the same counters as the public statistics."""
    _staff().require(Role.SUPERVISOR)
    deps = bootstrap.deps()
    catalog = deps.catalog()
    today = deps.clock.now().astimezone(CHINA).date()
    return {"month": f"{today:%Y-%m}", "statistics": f"{deps.settings.site_url}/{STATS_INDEX}",
            "departments": [{"code": r.code, "name": catalog.departments[r.code].name, "table": r.table,
                             "this": {**asdict(r.this), "score": r.this.score},
                             "last": {**asdict(r.last), "score": r.last.score}}
                            for r in department_rates(deps, today)]}


@console.route("/console/departments/{code}", methods=["GET"], **SIGNED_IN)
@json_errors
def department(code: str) -> dict:
    """Supervisors: one department's open cases (waiting for sign-off, in progress), soonest due first."""
    staff = _staff().require(Role.SUPERVISOR)
    deps = bootstrap.deps()
    deps.catalog().department(code)
    found = [t for status in (Status.DISPATCHED, Status.ACCEPTED) for t in deps.tickets.inbox(code, status)]
    return {"department": code, "tickets": [_view(t, staff) for t in found]}


@console.route("/console/templates", methods=["GET"], **SIGNED_IN)
@json_errors
def reply_templates() -> dict:
    """Handlers: their department's reply templates, by category."""
    staff = _staff().require(Role.HANDLER)
    return {"department": staff.department, "templates": replies.templates(staff.department, bootstrap.deps())}


@console.route("/console/templates/{category}", methods=["PUT"], **SIGNED_IN)
@json_errors
@takes(SetTemplates)
def set_reply_templates(category: str) -> dict:
    """Handlers edit their own department's templates for a category."""
    staff = _staff().require(Role.HANDLER)
    texts = replies.set_templates(staff.department, category, _command(), bootstrap.deps())
    return {"department": staff.department, "category": category, "texts": texts}


@console.route("/console/tickets/{number}/invalid", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(RejectTicket)
def reject(number: str) -> dict:
    """Dispatchers and supervisors: not accepted (不予受理), with a reason code."""
    staff = _staff().require(*ROUTERS)
    return _view(actions.reject(number, staff.department, _command(), bootstrap.deps(), staff.username), staff)
