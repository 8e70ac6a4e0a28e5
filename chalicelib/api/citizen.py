"""Citizen API: categories, submitting a ticket, a ticket's public status."""
from __future__ import annotations

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.errors import InvalidInput
from ..domain.model import Channel
from ..services import actions
from ..services.commands import RateTicket, SubmitTicket
from ..services.publish import public_view
from .errors import json_errors
from .limits import limited
from .schema import command_of, openapi, takes

citizen = Blueprint(__name__)
CITIZEN_CHANNELS = (Channel.QR, Channel.WEB)


@citizen.route("/categories", methods=["GET"])
@json_errors
def list_categories() -> dict:
    catalog = bootstrap.deps().catalog()
    return {"categories": [{"code": c.code, "name": c.name} for c in catalog.categories.values()]}


@citizen.route("/tickets", methods=["POST"], content_types=["application/json", "text/plain"])
@json_errors
@limited("submit", citizen)
@takes(SubmitTicket)
def submit_ticket() -> Response:
    """File a case (the intake page sends one idempotency key per filled form)."""
    command = command_of(citizen.current_app, citizen.current_request)
    if command.channel not in CITIZEN_CHANNELS:  # other channels file through their own doors
        raise InvalidInput(f"channel: citizens file through {' or '.join(CITIZEN_CHANNELS)}", field="channel")
    receipt = bootstrap.submit_once(command, citizen.lambda_context)
    return Response(body=receipt, status_code=201)


@citizen.route("/tickets/{number}/rating", methods=["POST"],
               content_types=["application/json", "text/plain"])
@json_errors
@limited("track", citizen)
@takes(RateTicket)
def rate_ticket(number: str) -> dict:
    """The citizen's verdict, with the secret from the tracking or survey link."""
    command = command_of(citizen.current_app, citizen.current_request)
    deps = bootstrap.deps()
    return public_view(actions.rate(number, command, deps), deps)


@citizen.route("/tickets/{number}", methods=["GET"])
@json_errors
def get_ticket(number: str) -> dict:
    deps = bootstrap.deps()
    return public_view(deps.tickets.by_number(number, for_update=False), deps)


@citizen.route("/openapi.json", methods=["GET"])
@json_errors
def openapi_description() -> dict:
    """This API described in OpenAPI 3.1, generated from the models that validate its requests."""
    return openapi(citizen.current_app, bootstrap.deps().settings.api_url)
