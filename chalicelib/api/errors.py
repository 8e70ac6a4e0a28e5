"""Domain errors to HTTP responses: the one table, never matching message text."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from chalice import Response

from ..domain import errors

STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.NotFound: 404,
    errors.NotYourTicket: 403,
    errors.Forbidden: 403,
    errors.InvalidTransition: 409,
    errors.ConcurrentUpdate: 409,
    errors.NoRoute: 409,
}


class Unauthenticated(errors.DomainError):
    """No staff identity on the request."""


STATUS[Unauthenticated] = 401


def error_response(exc: errors.DomainError) -> Response:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    body = {"error": type(exc).__name__, "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return Response(body=body, status_code=status)


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
    """The request's JSON document, or InvalidInput saying why not."""
    if not raw:
        raise errors.InvalidInput("request body is empty; send a JSON object", field="body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidInput(f"request body is not valid JSON: {exc}", field="body") from None
