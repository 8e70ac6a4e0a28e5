"""Admin API: the city's catalogue (districts, departments, categories, locations, routing rules)
and the staff accounts. Every route is signed in through the console's authorizer and needs the
admin role; the checks and the republishing are the service's (services/admin.py)."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.staff import Role, Staff
from ..services import admin as service
from ..services import imports, open311
from ..services.commands import (
    ChangeAccount,
    ImportFile,
    IssueKey,
    NewAccount,
    PutCategory,
    PutDepartment,
    PutDistrict,
    PutLocation,
    PutRule,
)
from .console import SIGNED_IN
from .errors import READER, json_errors, worded
from .schema import command_of, takes
from .staff import current_staff

admin = Blueprint(__name__)


def _admin() -> Staff:
    return current_staff(admin.current_request).require(Role.ADMIN)


def _command() -> Any:
    return command_of(admin.current_app, admin.current_request)


def as_typed(view: Callable[..., Any]) -> Callable[..., Any]:
    """The path's parameters as the admin typed them: the console sends them percent-encoded and
    a gateway may hand them on so; a valid code has no "%", so decoding changes none of them,
    and a refused one is named in the message as typed ("W 8", not "W%208")."""

    @functools.wraps(view)
    def wrapper(**params: str) -> Any:
        return view(**{name: unquote(value) for name, value in params.items()})

    return wrapper


@admin.route("/console/admin/catalog", methods=["GET"], **SIGNED_IN)
@json_errors
def catalogue() -> dict:
    """Admins: the whole catalogue, what uses each item, the deadline tiers and the roles."""
    _admin()
    return service.catalogue(bootstrap.deps())


@admin.route("/console/admin/districts/{code}", methods=["PUT"], **SIGNED_IN)
@json_errors
@as_typed
@takes(PutDistrict)
def put_district(code: str) -> dict:
    """Admins: add or rename a district (its locations' pages and posters are published again)."""
    _admin()
    return service.put_district(bootstrap.deps(), code, _command()).as_dict()


@admin.route("/console/admin/departments/{code}", methods=["PUT"], **SIGNED_IN)
@json_errors
@as_typed
@takes(PutDepartment)
def put_department(code: str) -> dict:
    """Admins: add or change a department and its parent."""
    _admin()
    return service.put_department(bootstrap.deps(), code, _command()).as_dict()


@admin.route("/console/admin/categories/{code}", methods=["PUT"], **SIGNED_IN)
@json_errors
@as_typed
@takes(PutCategory)
def put_category(code: str) -> dict:
    """Admins: add or change a category and its deadline tier, or hide it from intake."""
    _admin()
    return service.put_category(bootstrap.deps(), code, _command()).as_dict()


@admin.route("/console/admin/locations/{code}", methods=["PUT"], **SIGNED_IN)
@json_errors
@as_typed
@takes(PutLocation)
def put_location(code: str) -> dict:
    """Admins: add or change a location (its intake page, poster and the home page follow), or
    hide it from intake."""
    _admin()
    return service.put_location(bootstrap.deps(), code, _command()).as_dict()


@admin.route("/console/admin/locations/{code}/poster", methods=["GET"], **SIGNED_IN)
@json_errors
@as_typed
def poster(code: str) -> dict:
    """Admins: the links to the location's printable poster (PDF, PNG, SVG), written just now."""
    _admin()
    return service.poster(bootstrap.deps(), code)


@admin.route("/console/admin/rules/{district}/{category}", methods=["PUT"], **SIGNED_IN)
@json_errors
@as_typed
@takes(PutRule)
def put_rule(district: str, category: str) -> dict:
    """Admins: which department handles a category in a district."""
    _admin()
    return service.put_rule(bootstrap.deps(), district, category, _command()).as_dict()


@admin.route("/console/admin/rules/{district}/{category}", methods=["DELETE"], **SIGNED_IN)
@json_errors
@as_typed
def remove_rule(district: str, category: str) -> dict:
    """Admins: no rule for a category in a district: the dispatchers route its cases."""
    _admin()
    return service.remove_rule(bootstrap.deps(), district, category).as_dict()


@admin.route("/console/admin/accounts", methods=["GET"], **SIGNED_IN)
@json_errors
def accounts() -> dict:
    """Admins: every staff account with its role, department and whether it is enabled."""
    _admin()
    return {"accounts": service.accounts(bootstrap.deps())}


@admin.route("/console/admin/accounts", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(NewAccount)
def new_account() -> Response:
    """Admins: a new account with a temporary password, answered this once (the person chooses
    their own at first sign-in)."""
    _admin()
    account, password = service.create_account(bootstrap.deps(), _command())
    return Response(body={"account": asdict(account), "temporary_password": password}, status_code=201)


@admin.route("/console/admin/accounts/{username}", methods=["PUT"], **SIGNED_IN)
@json_errors
@as_typed
@takes(ChangeAccount)
def change_account(username: str) -> dict:
    """Admins: an account's role and department; disable or enable it."""
    staff = _admin()
    return {"account": asdict(service.change_account(bootstrap.deps(), username, _command(), staff))}


@admin.route("/console/admin/imports", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(ImportFile)
def import_cases() -> dict:
    """Admins: file the cases of a mailbox or media export (CSV or JSON text, the columns in
    services/imports.py), each once by the source's own id; the report names every row: filed (its
    number), filed already, or refused with the field and why, in the reader's language."""
    staff = _admin()
    report = imports.import_file(_command().text, bootstrap.deps(), by=staff.username)
    locale = READER.get() or "zh-CN"
    return report.as_dict(lambda exc: worded(exc, locale))


@admin.route("/console/admin/open311-keys", methods=["GET"], **SIGNED_IN)
@json_errors
def open311_keys() -> dict:
    """Admins: the Open311 client applications' keys (never the keys themselves: only their ids)."""
    _admin()
    return {"keys": [open311.key_view(key) for key in bootstrap.deps().clients.all()]}


@admin.route("/console/admin/open311-keys", methods=["POST"], **SIGNED_IN)
@json_errors
@takes(IssueKey)
def issue_open311_key() -> Response:
    """Admins: a key for a client application, answered this once (only its digest is stored)."""
    _admin()
    key, plain = open311.issue_key(bootstrap.deps(), _command().name)
    return Response(body={"key": open311.key_view(key), "api_key": plain}, status_code=201)


@admin.route("/console/admin/open311-keys/{key_id}", methods=["DELETE"], **SIGNED_IN)
@json_errors
@as_typed
def revoke_open311_key(key_id: str) -> dict:
    """Admins: revoke a key: its client files nothing more (403); its cases keep its name."""
    _admin()
    return {"key": open311.key_view(open311.revoke_key(bootstrap.deps(), key_id))}
