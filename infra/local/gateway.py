"""What API Gateway does that chalice local does not: when the Lambda authorizer raises
"Unauthorized" (an expired, forged or foreign token), the gateway answers 401 with the
template's UNAUTHORIZED response; chalice local (and its test client) would fail with the
exception. Used by the local twin and the tests, so both see what AWS answers."""
from __future__ import annotations

import json
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
