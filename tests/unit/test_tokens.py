"""Staff tokens verified as Cognito issues them: signature, expiry, issuer, audience, use, role."""
from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.tokens import CognitoTokens, InvalidToken
from chalicelib.domain.staff import Role

ISSUER, CLIENT = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test", "client-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key=KEY, **claims) -> str:
    body = {"sub": "u-1", "cognito:username": "handler-jtj", "iss": ISSUER, "aud": CLIENT, "token_use": "id",
            "exp": int(time.time()) + 600, "cognito:groups": ["handler"], "custom:department": "jtj", **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="RS256",
                      headers={"kid": "k1"})


@pytest.fixture
def tokens() -> CognitoTokens:
    return CognitoTokens(lambda _: KEY.public_key(), ISSUER, CLIENT)


def test_a_good_id_token_gives_the_user_role_and_department(tokens):
    staff = tokens.verify(token())
    assert (staff.username, staff.role, staff.department) == ("handler-jtj", Role.HANDLER, "jtj")


def test_a_city_wide_role_needs_no_department(tokens):
    staff = tokens.verify(token(**{"cognito:groups": ["dispatcher"], "custom:department": None}))
    assert (staff.role, staff.department) == (Role.DISPATCHER, "")


@pytest.mark.parametrize("bad, field", [
    ({"exp": int(time.time()) - 60}, "expired"),
    ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "token"),
    ({"aud": "another-client"}, "token"),
    ({"aud": None}, "token"),
    ({"token_use": "access"}, "token"),
    ({"cognito:groups": []}, "role"),
    ({"cognito:groups": ["handler", "admin"]}, "role"),
    ({"cognito:groups": ["janitor"]}, "role"),
])
def test_a_token_that_is_not_right_in_one_way_is_refused(tokens, bad, field):
    with pytest.raises(InvalidToken) as refused:
        tokens.verify(token(**bad))
    assert refused.value.field == field


def test_a_token_signed_with_another_key_is_refused(tokens):
    with pytest.raises(InvalidToken):
        tokens.verify(token(key=OTHER))


def test_an_unsigned_or_symmetric_token_is_refused(tokens):
    body = {"cognito:username": "x", "iss": ISSUER, "aud": CLIENT, "token_use": "id",
            "exp": int(time.time()) + 600, "cognito:groups": ["admin"]}
    with pytest.raises(InvalidToken):
        tokens.verify(jwt.encode(body, None, algorithm="none"))
    with pytest.raises(InvalidToken):
        tokens.verify(jwt.encode(body, "secret-shared-key-long-enough-for-hs256", algorithm="HS256"))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_is_refused(tokens, garbage):
    with pytest.raises(InvalidToken):
        tokens.verify(garbage)
