"""Department API: inbox, accept (签收), reply (答复). Staff identity comes from api/staff.py."""
from __future__ import annotations

from chalice import Blueprint, CORSConfig

from .. import bootstrap
from ..domain.errors import InvalidInput
from ..domain.model import Status
from ..services import tickets
from ..services.commands import AcceptTicket, ReplyTicket
from ..services.publish import public_view
from .errors import json_body, json_errors
from .staff import current_staff

console = Blueprint(__name__)
CORS = CORSConfig(allow_origin="*", allow_headers=["X-Staff-Department"])


def _staff_department() -> str:
    return current_staff(console.current_request, bootstrap.deps().settings).department


@console.route("/console/inbox", methods=["GET"], cors=CORS)
@json_errors
def inbox() -> dict:
    department = _staff_department()
    params = console.current_request.query_params or {}
    try:
        status = Status(params.get("status", Status.DISPATCHED.value))
    except ValueError:
        raise InvalidInput(f"status: unknown status '{params.get('status')}'", field="status") from None
    deps = bootstrap.deps()
    return {"department": department, "status": status.value,
            "tickets": [public_view(t, deps) for t in deps.tickets.inbox(department, status)]}


@console.route("/console/tickets/{number}/accept", methods=["POST"], cors=CORS)
@json_errors
def accept(number: str) -> dict:
    department = _staff_department()
    raw = console.current_request.raw_body
    command = AcceptTicket.parse(json_body(raw) if raw else {})
    deps = bootstrap.deps()
    return public_view(tickets.accept(number, department, command, deps), deps)


@console.route("/console/tickets/{number}/reply", methods=["POST"], cors=CORS)
@json_errors
def reply(number: str) -> dict:
    department = _staff_department()
    command = ReplyTicket.parse(json_body(console.current_request.raw_body))
    deps = bootstrap.deps()
    return public_view(tickets.reply(number, department, command, deps), deps)
