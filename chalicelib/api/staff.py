"""Who is acting: the signed-in staff member named by the request's Cognito ID token.

Two gates, one verification: the API Gateway authorizer below refuses a request without a valid
token before any route runs (and caches the answer per token), and each route verifies the same
token again to learn who acts (chalicelib's test client and any route a misconfiguration left
open stay safe). No header or parameter but a signed token names anyone, in any stage."""
from __future__ import annotations

from chalice.app import AuthRequest, AuthResponse, Request

from .. import bootstrap
from ..domain.errors import Unauthenticated
from ..domain.staff import Staff

BEARER = "bearer "
# The authorizer's answer for a token is cached this long (the token's own expiry still applies:
# a cached answer never outlives the token by more than this).
AUTHORIZER_TTL_SECONDS = 60


def token_of(header: str | None) -> str:
    value = (header or "").strip()
    if not value:
        raise Unauthenticated("sign in first: the request carries no sign-in token", field="token")
    if value.lower().startswith(BEARER):
        value = value[len(BEARER):].strip()
    return value


def current_staff(request: Request) -> Staff:
    return bootstrap.deps().staff_tokens.verify(token_of(request.headers.get("authorization")))


def authorize(auth: AuthRequest) -> AuthResponse:
    """API Gateway's check before a console route runs. An invalid token raises "Unauthorized",
    which API Gateway answers with 401 (the template words it as the API's other errors)."""
    try:
        staff = bootstrap.deps().staff_tokens.verify(token_of(auth.token))
    except Unauthenticated:
        raise Exception("Unauthorized") from None  # API Gateway's own signal for 401
    return AuthResponse(routes=["*"], principal_id=staff.username,
                        context={"role": staff.role.value, "department": staff.department})
