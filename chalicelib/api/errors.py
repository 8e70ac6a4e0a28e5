"""Domain errors to HTTP responses: the one table, never matching message text."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from chalice import Response

from ..domain import errors
from ..i18n import Messages, request_locale
from .cors import cors_headers

# The language errors are worded in for a person reading them (the console's staff); None: the
# API's own plain messages (scripts, the citizen pages, which word their own).
READER: ContextVar[str | None] = ContextVar("reader", default=None)
WORDED_PATHS = ("/console/",)

STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.NotFound: 404,
    errors.NotYourTicket: 403,
    errors.Forbidden: 403,
    errors.InvalidTransition: 409,
    errors.ConcurrentUpdate: 409,
    errors.NoRoute: 409,
    errors.Unauthenticated: 401,
}


class TooLarge(errors.DomainError):
    """The request body is larger than any request of this API needs."""


STATUS[TooLarge] = 413


class TooManyRequests(errors.DomainError):
    """The client went over its request limit; it may try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


STATUS[TooManyRequests] = 429

MAX_BODY_BYTES = 64 * 1024
MAX_NESTING = 32  # no request of this API nests deeper than a few levels

# Headers every API answer carries: it is JSON, never a page to frame, sniff or refer from.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cache-Control": "no-store",
}
# Chalice's own refusals, said the way every other error of this API is said.
_FRAMEWORK_ERRORS = {
    "MethodNotAllowedError": ("MethodNotAllowed", "this path does not accept the {method} method"),
    "UnsupportedMediaType": ("UnsupportedMediaType", "send the body as application/json"),
    "BadRequestError": ("InvalidInput", "the request is malformed"),
    "BadRequest": ("InvalidInput", "the request is malformed"),
    "InternalServerError": ("InternalError", "something went wrong on our side; the request may be retried"),
}


def status_of(exc: errors.DomainError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)


def worded(exc: errors.DomainError, locale: str) -> str:
    """The error as a sentence for a person: by kind and field from the catalogue ("api_error.*"),
    a malformed field by how it failed; a message worded already (from the catalogue, or not in
    ASCII) is kept."""
    if getattr(exc, "worded", False) or not exc.message.isascii():
        return exc.message
    t = Messages(locale)
    kind = type(exc).__name__
    name = (exc.field or "").split(".")[0]
    if name and t.has(f"api_error.{kind}.{name}"):
        return t(f"api_error.{kind}.{name}")
    if isinstance(exc, errors.InvalidTransition):
        sentence = t.get(f"api_error.InvalidTransition.{exc.why}", t("api_error.InvalidTransition"))
        if "{status}" in sentence and not exc.status:
            return t("api_error.InvalidTransition")
        return sentence.replace("{status}", t.get(f"status.{exc.status}", exc.status or ""))
    if isinstance(exc, errors.RoleRequired):
        roles = "、".join(t.get(f"console.js.role_{role}", role) for role in exc.roles)
        return t("api_error.RoleRequired", roles=roles, role=t.get(f"console.js.role_{exc.role}", exc.role))
    if isinstance(exc, errors.InvalidInput) and name:
        label = t.get(f"api_error.field.{name}", name)
        problem = t.get(f"api_error.problem.{exc.problem or 'invalid'}", t("api_error.problem.invalid"))
        return t("api_error.field", field=label, problem=problem.replace("{limit}", str(exc.limit)))
    return t.get(f"api_error.{kind}", t("api_error.other"))


def error_response(exc: errors.DomainError) -> Response:
    status = status_of(exc)
    body = {"error": type(exc).__name__, "message": exc.message}
    locale = READER.get()
    if locale is not None:
        body = {**body, "message": worded(exc, locale), "detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else {}
    return Response(body=body, status_code=status, headers=headers)


def json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors raised by a view into clear JSON errors."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except errors.DomainError as exc:
            return error_response(exc)

    return wrapper


def json_body(raw: bytes | None) -> Any:
    """The request's JSON document, or InvalidInput saying why not. Size and nesting are checked
    before parsing, so no body can make the parser work hard or recurse deep."""
    if not raw:
        raise errors.InvalidInput("request body is empty; send a JSON object", field="body")
    if len(raw) > MAX_BODY_BYTES:
        raise TooLarge(f"request body is larger than {MAX_BODY_BYTES // 1024} KB", field="body")
    if _nesting(raw) > MAX_NESTING:
        raise errors.InvalidInput(f"request body nests deeper than {MAX_NESTING} levels", field="body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidInput(f"request body is not valid JSON: {exc}", field="body") from None


def _nesting(raw: bytes) -> int:
    """How deep arrays and objects nest, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


# Paths whose answers have a shape of their own (a published specification's): prefix -> how a
# framework refusal (status, message) is answered there (api/open311.py registers itself).
REFUSAL_SHAPES: dict[str, Callable[[str, int, str], Response]] = {}


def api_answers(request: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware: every answer in the {"error", "message"} contract (Chalice's own 405, 415
    and 500 included) and with the security headers."""
    path = getattr(request, "path", "") or ""
    reader = READER.set(request_locale(request) if path.startswith(WORDED_PATHS) else None)
    try:
        response = get_response(request)
    except Exception:  # the framework turns anything else into its own 500; say it our way
        response = Response(body={"Code": "InternalServerError"}, status_code=500)
    finally:
        READER.reset(reader)
    body = response.body
    if isinstance(body, dict) and "Code" in body and response.status_code >= 400:
        error, message = _FRAMEWORK_ERRORS.get(body["Code"], ("Error", str(body.get("Message", ""))))
        message = message.format(method=getattr(request, "method", ""))
        shape = next((shape for prefix, shape in REFUSAL_SHAPES.items() if path.startswith(prefix)), None)
        if shape is not None:
            response = shape(path, response.status_code, message)
        else:
            response.body = {"error": error, "message": message}
    for name, value in SECURITY_HEADERS.items():  # pages the API renders bring their own policy
        response.headers.setdefault(name, value)
    response.headers.update(cors_headers(request))
    return response
