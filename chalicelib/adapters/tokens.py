"""Staff identity from a Cognito user pool's ID token, verified with PyJWT: the RS256 signature
against the pool's published keys (JWKS), expiry, issuer, the app client (audience) and the
token's use. Nothing here trusts a header or a parameter that is not a signed token. PyJWT (and the
cryptography beneath it) is loaded at the first token a process checks: citizens' requests never do."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.errors import Unauthenticated
from ..domain.staff import Role, Staff

DEPARTMENT_CLAIM = "custom:department"  # the pool's custom attribute naming a handler's department


class InvalidToken(Unauthenticated):
    """The token is malformed, expired, or not signed by the pool for this client."""


_ROLES = frozenset(role.value for role in Role)
KeyFor = Callable[[str], Any]  # the signing key for a token (by its `kid`), e.g. PyJWKClient's


def jwks_keys(jwks_url: str) -> KeyFor:
    """Keys from the pool's JWKS, fetched once and cached (a new `kid` fetches again)."""
    clients: list[Any] = []  # made at the first token

    def key_for(token: str) -> Any:
        if not clients:
            import jwt

            clients.append(jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5))
        return clients[0].get_signing_key_from_jwt(token).key
    return key_for


class CognitoTokens:
    def __init__(self, key_for: KeyFor, issuer: str, client_id: str, leeway_seconds: int = 5) -> None:
        self._key_for, self._issuer, self._client_id, self._leeway = key_for, issuer, client_id, leeway_seconds

    def verify(self, token: str) -> Staff:
        import jwt

        try:
            key = self._key_for(token)
            claims = jwt.decode(token, key, algorithms=["RS256"], issuer=self._issuer, audience=self._client_id,
                                leeway=self._leeway, options={"require": ["exp", "iss", "aud", "token_use"]})
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the sign-in has expired", field="expired") from None
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise InvalidToken(f"the token is not valid: {exc}", field="token") from None
        if claims.get("token_use") != "id":
            raise InvalidToken("an ID token is needed", field="token")
        groups = claims.get("cognito:groups") or []
        roles = [Role(g) for g in groups if g in _ROLES]
        if len(roles) != 1:
            raise InvalidToken("the account has no single staff role", field="role")
        username = str(claims.get("cognito:username") or claims["sub"])
        return Staff(username=username, role=roles[0], department=str(claims.get(DEPARTMENT_CLAIM) or ""))
