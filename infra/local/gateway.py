"""What API Gateway does that chalice local does not: when the Lambda authorizer raises
"Unauthorized" (an expired, forged or foreign token), the gateway answers 401 with the
template's UNAUTHORIZED response; chalice local (and its test client) would fail with the
exception. Used by the local twin and the tests, so both see what AWS answers. And the caller's
address reaches the app, as the gateway passes it (`pass_the_callers_address`)."""
from __future__ import annotations

import json
import threading
from typing import Any

from chalice.local import LocalGatewayAuthorizer, NotAuthorizedError

from chalicelib.i18n import t


def unauthorized_body() -> bytes:
    return json.dumps({"error": "Unauthenticated", "message": t("staff.sign_in_again")},
                      ensure_ascii=False).encode()


def answer_unauthorized_as_the_gateway() -> None:
    authorize = LocalGatewayAuthorizer.authorize
    if getattr(authorize, "gateway_like", False):
        return

    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return authorize(self, *args, **kwargs)
        except NotAuthorizedError as exc:  # no Authorization header at all
            raise NotAuthorizedError(exc.headers, unauthorized_body()) from None
        except Exception as exc:
            if str(exc) != "Unauthorized":
                raise
            raise NotAuthorizedError({"x-amzn-ErrorType": "UnauthorizedException"}, unauthorized_body()) from None

    checked.gateway_like = True  # type: ignore[attr-defined]
    LocalGatewayAuthorizer.authorize = checked  # type: ignore[method-assign]


_caller = threading.local()


def pass_the_callers_address() -> None:
    """API Gateway gives the app the caller's address (`identity.sourceIp`: what the per-client
    limits count by); chalice local gives 127.0.0.1 for every request, so on a twin that phones on
    the network reach, every phone shared one client's limits. Each request's thread notes its
    caller's address, and the event built for that request carries it."""
    from chalice.local import ChaliceRequestHandler, LambdaEventConverter

    handle, create = ChaliceRequestHandler.handle_one_request, LambdaEventConverter.create_lambda_event
    if getattr(handle, "with_caller", False):
        return

    def handled(handler: Any) -> None:
        _caller.address = handler.client_address[0]
        try:
            handle(handler)
        finally:
            _caller.address = None

    def created(converter: Any, *args: Any, **kwargs: Any) -> Any:
        event = create(converter, *args, **kwargs)
        address = getattr(_caller, "address", None)
        if address:
            event["requestContext"]["identity"]["sourceIp"] = address
        return event

    handled.with_caller = True  # type: ignore[attr-defined]
    ChaliceRequestHandler.handle_one_request = handled  # type: ignore[method-assign]
    LambdaEventConverter.create_lambda_event = created  # type: ignore[method-assign]
