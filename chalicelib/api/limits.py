"""Per-client request limits on the citizen routes: `@limited("submit", citizen)` under `@json_errors`
refuses with a 429 and Retry-After before the view runs; `decision` answers the same question for a
route that replies otherwise (a form page)."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Chalice
from chalice.app import Request

from .. import bootstrap, config
from ..domain.throttle import Decision
from ..i18n import request_locale, t
from ..services import limits
from .errors import TooManyRequests

View = Callable[..., Any]


def client_address(request: Request) -> str | None:
    """The address API Gateway (or `chalice local`) saw the request come from: never a header,
    which a client could write as it likes."""
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp")


def decision(rule: str, request: Request) -> Decision:
    """Take one request of kind `rule` from this client's bucket. Call it once, before anything is
    written: an allowed request has been counted and must not be refused later."""
    return limits.admit(rule, client_address(request), bootstrap.deps())


def refusal(decision: Decision, request: Request) -> str:
    """The polite refusal, in the language the page asks (?lang=) or the request prefers (Chinese
    unless it asks English)."""
    return t("limit.too_many", request_locale(request), seconds=decision.retry_after)


def check(rule: str, request: Request) -> None:
    """TooManyRequests (429, Retry-After) when the client is over the limit of `rule`."""
    answer = decision(rule, request)
    if not answer.allowed:
        raise TooManyRequests(refusal(answer, request), answer.retry_after)


def limited(rule: str, routes: Blueprint | Chalice) -> Callable[[View], View]:
    """Put a view under the per-client limit `rule` (a name in config.LIMIT_VARIABLES); place it
    under `@json_errors`, which answers the refusal."""
    if rule not in config.LIMIT_VARIABLES:
        raise ValueError(f"no request limit named '{rule}' (known: {', '.join(config.LIMIT_VARIABLES)})")

    def mark(view: View) -> View:
        @functools.wraps(view)
        def under_limit(*args: Any, **kwargs: Any) -> Any:
            request = routes.current_request
            if request is None:
                raise RuntimeError(f"limit '{rule}' put on a view that is not an HTTP route")
            check(rule, request)
            return view(*args, **kwargs)

        return under_limit

    return mark
