"""Staff API: inboxes, and the actions of handlers, dispatchers and supervisors.
Who acts comes from api/staff.py; authorization is enforced here, not in the UI."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalice import Blueprint

from .. import bootstrap
from ..domain.errors import InvalidInput
from ..domain.model import TRIAGE_QUEUE, Status
from ..services import actions, photos
from ..services.commands import (
    AcceptTicket,
    AskExtension,
    DecideExtension,
    DispatchTicket,
    HideContent,
    NewUpload,
    RateTicket,
    ReplyTicket,
    ReturnTicket,
    ReviewPhoto,
)
from ..services.publish import public_view
from ..tasks.redrive import redrive
from .errors import json_errors
from .schema import command_of, query, takes
from .staff import Staff, current_staff

console = Blueprint(__name__)
# Who may hide a citizen's text or a photo from the public.
MODERATORS = ("dispatcher", "supervisor")


def _staff() -> Staff:
    return current_staff(console.current_request, bootstrap.deps().settings)


def _command() -> Any:
    """The request's body, parsed with the model the view is marked with (api/schema.py)."""
    return command_of(console.current_app, console.current_request)


def _view(ticket: Any) -> dict:
    """A case as staff see it: its text even when confidential, and every photo with private links;
    dispatchers and the handling department may decide which citizen photos are published."""
    deps, staff = bootstrap.deps(), _staff()
    view = public_view(ticket, deps, staff=True)
    view["staff_photos"] = photos.for_staff(ticket, deps)
    view["can_review_photos"] = staff.role == "dispatcher" or staff.department == ticket.department
    view["can_hide"] = staff.role in MODERATORS
    return view


@console.route("/console/inbox", methods=["GET"])
@json_errors
@query(status="the state of the cases listed (default dispatched)", queue="triage: the dispatchers' queue")
def inbox() -> dict:
    """A department's cases in one state; dispatchers see the triage queue as department TRIAGE."""
    staff = _staff()
    params = console.current_request.query_params or {}
    try:
        status = Status(params.get("status", Status.DISPATCHED.value))
    except ValueError:
        raise InvalidInput(f"status: unknown status '{params.get('status')}'", field="status") from None
    department = staff.department
    if params.get("queue") == "triage":
        staff.require("dispatcher", "supervisor")
        department = TRIAGE_QUEUE
    deps = bootstrap.deps()
    return {"department": department, "status": status.value,
            "tickets": [_view(t) for t in deps.tickets.inbox(department, status)]}


@console.route("/console/watch", methods=["GET"])
@json_errors
def watch() -> dict:
    """Supervisors: escalated and overdue cases, extension requests, and tasks that keep failing."""
    _staff().require("supervisor")
    deps = bootstrap.deps()
    stuck = [{key: message.get(key) for key in ("ticket_id", "task", "stage")}  # never the task token
             for message in deps.dead_letters.peek()]
    return {"tickets": [_view(t) for t in deps.tickets.watched()], "stuck": stuck,
            "stream_failures": len(deps.stream_failures.peek())}


@console.route("/console/redrive", methods=["POST"])
@json_errors
def redrive_failures() -> dict:
    """Supervisors: once the cause is mended, run again the tasks and stream batches that kept failing."""
    _staff().require("supervisor")
    return redrive(bootstrap.deps())


@console.route("/console/callbacks", methods=["GET"])
@json_errors
def callbacks() -> dict:
    """Dispatchers: cases whose citizen did not rate in time and wait for a phone callback."""
    _staff().require("dispatcher", "supervisor")
    deps = bootstrap.deps()
    return {"tickets": [_view(t) for t in deps.tickets.watched() if t.task_stage == "callback"]}


@console.route("/console/tickets/{number}/accept", methods=["POST"])
@json_errors
@takes(AcceptTicket, optional=True)
def accept(number: str) -> dict:
    staff = _staff().require("handler")
    return _view(actions.accept(number, staff.department, _command(), bootstrap.deps()))


@console.route("/console/tickets/{number}/return", methods=["POST"])
@json_errors
@takes(ReturnTicket, optional=True)
def give_back(number: str) -> dict:
    staff = _staff().require("handler")
    return _view(actions.give_back(number, staff.department, _command(), bootstrap.deps()))


@console.route("/console/tickets/{number}/extension", methods=["POST"])
@json_errors
@takes(AskExtension, optional=True)
def ask_extension(number: str) -> dict:
    staff = _staff().require("handler")
    return _view(actions.ask_extension(number, staff.department, _command(), bootstrap.deps()))


@console.route("/console/tickets/{number}/extension/decision", methods=["POST"])
@json_errors
@takes(DecideExtension, optional=True)
def decide_extension(number: str) -> dict:
    staff = _staff().require("supervisor")
    return _view(actions.decide_extension(number, staff.department, _command(), bootstrap.deps()))


@console.route("/console/tickets/{number}/reply", methods=["POST"])
@json_errors
@takes(ReplyTicket, optional=True)
def reply(number: str) -> dict:
    staff = _staff().require("handler")
    return _view(actions.reply(number, staff.department, _command(), bootstrap.deps()))


@console.route("/console/tickets/{number}/dispatch", methods=["POST"])
@json_errors
@takes(DispatchTicket, optional=True)
def dispatch(number: str) -> dict:
    staff = _staff().require("dispatcher")
    return _view(actions.dispatch_by_hand(number, staff.department, _command(), bootstrap.deps()))


@console.route("/console/tickets/{number}/callback", methods=["POST"])
@json_errors
@takes(RateTicket, optional=True)
def callback(number: str) -> dict:
    """Staff record the citizen's verdict from a phone callback."""
    staff = _staff().require("dispatcher", "supervisor")
    return _view(actions.rate(number, _command(), bootstrap.deps(), staff=staff.department))


@console.route("/console/uploads", methods=["POST"])
@json_errors
@takes(NewUpload)
def new_staff_upload() -> dict:
    """Staff: a one-time form to upload a photo for a reply (published with it)."""
    _staff()
    command = _command()
    return asdict(photos.new_upload(bootstrap.deps(), command.content_type, command.size))


@console.route("/console/tickets/{number}/photos/{name}", methods=["POST"])
@json_errors
@takes(ReviewPhoto)
def review_photo(number: str, name: str) -> dict:
    """Publish a citizen's photo, or keep it private (faces, number plates, documents): dispatchers,
    and the department handling the case."""
    staff = _staff().require("dispatcher", "handler")
    department = None if staff.role == "dispatcher" else staff.department
    return _view(actions.review_photo(number, name, _command(), staff.department, bootstrap.deps(), department))


@console.route("/console/tickets/{number}/hide", methods=["POST"])
@json_errors
@takes(HideContent)
def hide(number: str) -> dict:
    """Hide a citizen's text ("description", "event:<index>") or a photo ("photo:<name>") from the
    public, with a reason: dispatchers and supervisors. Staff still see the original."""
    staff = _staff().require(*MODERATORS)
    return _view(actions.hide(number, _command(), staff.department, bootstrap.deps()))
