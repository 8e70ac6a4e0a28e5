"""Citizen API: categories, submitting a ticket, a ticket's public status."""
from __future__ import annotations

import re
from dataclasses import asdict

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.errors import InvalidInput, NotFound
from ..domain.model import Channel
from ..i18n import Messages, request_locale
from ..services import actions, photos
from ..services.commands import AddInformation, NewUpload, RateTicket, SubmitTicket
from ..services.publish import public_view
from .errors import json_errors
from .limits import limited
from .schema import command_of, openapi, query, takes

citizen = Blueprint(__name__)
CITIZEN_CHANNELS = (Channel.QR, Channel.WEB)


def citizen_filing(command: SubmitTicket) -> SubmitTicket:
    """A filing through the citizen's doors (the JSON API, the plain form): other channels file
    through their own."""
    if command.channel not in CITIZEN_CHANNELS:
        raise InvalidInput(f"channel: citizens file through {' or '.join(CITIZEN_CHANNELS)}", field="channel")
    if not command.location:  # the intake page is a place's own page: it always names it
        raise InvalidInput("location is required", field="location", problem="required")
    return command


@citizen.route("/categories", methods=["GET"])
@json_errors
def list_categories() -> dict:
    catalog = bootstrap.deps().catalog()
    return {"categories": [{"code": c.code, "name": c.name} for c in catalog.categories.values()]}


@citizen.route("/tickets", methods=["POST"], content_types=["application/json"])
@json_errors
@limited("submit", citizen)
@takes(SubmitTicket)
def submit_ticket() -> Response:
    """File a case (the intake page sends one idempotency key per filled form)."""
    command = citizen_filing(command_of(citizen.current_app, citizen.current_request))
    receipt = bootstrap.submit_once(command, citizen.lambda_context)
    return Response(body=receipt, status_code=201)


@citizen.route("/tickets/{number}/rating", methods=["POST"],
               content_types=["application/json"])
@json_errors
@limited("track", citizen)
@takes(RateTicket)
def rate_ticket(number: str) -> dict:
    """The citizen's verdict, with the secret from the tracking or survey link."""
    command = command_of(citizen.current_app, citizen.current_request)
    deps = bootstrap.deps()
    return public_view(actions.rate(number, command, deps), deps)


@citizen.route("/tickets/{number}/additions", methods=["POST"],
               content_types=["application/json"])
@json_errors
@limited("track", citizen)
@takes(AddInformation)
def add_information(number: str) -> dict:
    """More text or photos from the citizen, with the secret of the tracking link, while the case is open."""
    command = command_of(citizen.current_app, citizen.current_request)
    deps = bootstrap.deps()
    return public_view(actions.add_information(number, command, deps), deps, _locale())


@citizen.route("/uploads", methods=["POST"], content_types=["application/json"])
@json_errors
@limited("upload", citizen)
@takes(NewUpload)
def new_upload() -> dict:
    """A one-time form to upload one photo straight to storage (JPEG, PNG or WebP, size-limited);
    the submission then names the upload. Refusals are worded for the citizen."""
    command = command_of(citizen.current_app, citizen.current_request)
    return asdict(photos.new_upload(bootstrap.deps(), command.content_type, command.size, _locale()))


@citizen.route("/uploads/{upload}", methods=["POST"], content_types=["application/json"])
@json_errors
@limited("upload", citizen)
def check_upload(upload: str) -> dict:
    """Clean an uploaded photo now (no metadata, resized), so a photo that is not one is refused
    while the citizen is still on the form, with the reason; the submission then finds it ready."""
    if not re.fullmatch(r"[0-9a-f]{32}", upload):
        raise NotFound(f"no upload '{upload}'", field="upload")
    t = Messages(_locale())
    try:
        names = photos.take(bootstrap.deps(), (upload,))
    except InvalidInput as exc:
        key = "form.error.photo_format" if exc.field == "photos.format" else "form.error.photos"
        raise InvalidInput(t(key), field=exc.field, worded=True) from None
    return {"upload": upload, "photo": names[0]}


@citizen.route("/tickets/{number}", methods=["GET"])
@json_errors
@query(lang="zh-CN (default) or en: the language of labels and links")
def get_ticket(number: str) -> dict:
    deps = bootstrap.deps()
    return public_view(deps.tickets.by_number(number, for_update=False), deps, _locale())


def _locale() -> str:
    return request_locale(citizen.current_request)


@citizen.route("/openapi.json", methods=["GET"])
@json_errors
def openapi_description() -> dict:
    """This API described in OpenAPI 3.1, generated from the models that validate its requests."""
    return openapi(citizen.current_app, bootstrap.deps().settings.api_url)
