"""Open311 GeoReport v2 under /open311/v2/: discovery, services, service definitions, POST and GET
requests, one request, tokens; each in `.json` and `.xml` as the specification writes them (root
arrays; <services>, <service_definition>, <service_requests>, <errors>, <discovery> roots).
Errors are a list of {code, description} with the HTTP status (400, 403, 404, 429)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain import errors
from ..i18n import Messages
from ..services import limits, open311
from .errors import REFUSAL_SHAPES, TooManyRequests, status_of

open311_routes = Blueprint(__name__)
BASE = "/open311/v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_FORM_BYTES = 64 * 1024
# XML: the element of each item of a list, by the list's own element name.
ITEM = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
        "values": "value", "endpoints": "endpoint", "formats": "format"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _element(parent: ET.Element, name: str, value: Any) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(node, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _element(node, ITEM.get(name, "item"), inner)
    else:
        node.text = _text(value)


def to_xml(root: str, body: Any) -> str:
    """The answer as the specification's XML: `root` holds the list's items (or the object's
    fields); text is escaped by the library, UTF-8 declared."""
    top = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            _element(top, ITEM.get(root, "item"), item)
    else:
        for key, value in body.items():
            _element(top, key, value)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="unicode")


def answer(body: Any, fmt: str, root: str, status: int = 200, **headers: str) -> Response:
    text = to_xml(root, body) if fmt == "xml" else json.dumps(body, ensure_ascii=False)
    return Response(body=text, status_code=status, headers={"Content-Type": FORMATS[fmt], **headers})


def refused(exc: errors.DomainError, fmt: str) -> Response:
    status = status_of(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else {}
    return answer([{"code": status, "description": exc.message}], fmt, "errors", status, **headers)


def framework_refusal(path: str, status: int, message: str) -> Response:
    """A refusal of the framework's own (405, 415, 500) on an Open311 path, in the specification's
    shape and the format the path names."""
    if status == 415:
        message = "send the body form-encoded (application/x-www-form-urlencoded)"
    fmt = "xml" if path.endswith(".xml") else "json"
    return answer([{"code": status, "description": message}], fmt, "errors", status)


REFUSAL_SHAPES[BASE + "/"] = framework_refusal


def _split(file: str) -> tuple[str, str]:
    """`water.json` -> ("water", "json"); an unknown format is a 404 (in JSON)."""
    stem, _, fmt = file.rpartition(".")
    if not stem or fmt not in FORMATS:
        raise errors.NotFound(f"'{file}': name a format, .json or .xml", field="format")
    return stem, fmt


def _params() -> dict[str, str]:
    return dict(open311_routes.current_request.query_params or {})


def _form() -> dict[str, list[str]]:
    request = open311_routes.current_request
    raw = request.raw_body or b""
    if len(raw) > MAX_FORM_BYTES:
        raise errors.InvalidInput(f"the form is larger than {MAX_FORM_BYTES // 1024} KB", field="body")
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise errors.InvalidInput("the body must be a UTF-8 form (application/x-www-form-urlencoded)",
                                  field="body") from None


def _words() -> Messages:
    return Messages("en" if (_params().get("locale") or "").startswith("en") else "zh-CN")


def _view(name: str, doc: str, fmt: str | None, root: str, run: Callable[..., tuple[Any, int]]) -> Callable[..., Any]:
    """A view answering in `fmt` (or the format its file parameter names), with the spec's errors."""
    def view(**kwargs: Any) -> Response:
        chosen = fmt or "json"
        try:
            if "file" in kwargs:
                kwargs["file"], chosen = _split(kwargs["file"])
            body, status = run(**kwargs)
            return answer(body, chosen, root, status)
        except errors.DomainError as exc:
            return refused(exc, chosen)

    view.__name__ = name
    view.__doc__ = doc
    return view


def _services() -> tuple[Any, int]:
    return open311.services(bootstrap.deps().catalog(), _words().locale), 200


def _definition(file: str) -> tuple[Any, int]:
    return open311.definition(bootstrap.deps().catalog(), file), 200


def _get_requests() -> tuple[Any, int]:
    deps = bootstrap.deps()
    query = open311.parse_query(_params(), deps.catalog())
    return open311.find_requests(deps, query, _words()), 200


def _post_request() -> tuple[Any, int]:
    """The key first (403 files nothing), then its client's own bucket: a client is a server filing
    for all its users from one address, so the per-address limit of the citizen's doors would stop it."""
    deps, form = bootstrap.deps(), _form()
    client = open311.client_for(deps, (form.get("api_key") or [""])[0])
    allowed = limits.admit_application("open311", client.id, deps)
    if not allowed.allowed:
        raise TooManyRequests(f"too many service requests from this client; try again in {allowed.retry_after} s",
                              allowed.retry_after)
    return [open311.file_request(deps, form, client)], 201


def _one_request(file: str) -> tuple[Any, int]:
    return [open311.one_request(bootstrap.deps(), file, _words())], 200


def _token(file: str) -> tuple[Any, int]:
    return [open311.token(bootstrap.deps(), file)], 200


def _discovery() -> tuple[Any, int]:
    return open311.discovery(bootstrap.deps()), 200


for _fmt in FORMATS:
    open311_routes.route(f"{BASE}/discovery.{_fmt}", methods=["GET"])(
        _view(f"open311_discovery_{_fmt}", "Open311 service discovery", _fmt, "discovery", _discovery))
    open311_routes.route(f"{BASE}/services.{_fmt}", methods=["GET"])(
        _view(f"open311_services_{_fmt}", "Open311: our categories as services", _fmt, "services", _services))
    open311_routes.route(f"{BASE}/requests.{_fmt}", methods=["GET"])(
        _view(f"open311_requests_{_fmt}", "Open311: service requests (filters of the specification)", _fmt,
              "service_requests", _get_requests))
    open311_routes.route(f"{BASE}/requests.{_fmt}", methods=["POST"],
                         content_types=["application/x-www-form-urlencoded"])(
        _view(f"open311_post_request_{_fmt}", "Open311: file a service request (form-encoded, api_key required)",
              _fmt, "service_requests", _post_request))
open311_routes.route(f"{BASE}/services/{{file}}", methods=["GET"])(
    _view("open311_service_definition", "Open311: a service's definition (services/{code}.json or .xml)", None,
          "service_definition", _definition))
open311_routes.route(f"{BASE}/requests/{{file}}", methods=["GET"])(
    _view("open311_request", "Open311: one service request (requests/{id}.json or .xml)", None,
          "service_requests", _one_request))
open311_routes.route(f"{BASE}/tokens/{{file}}", methods=["GET"])(
    _view("open311_token", "Open311: the service request of a token (tokens/{token}.json or .xml)", None,
          "service_requests", _token))
