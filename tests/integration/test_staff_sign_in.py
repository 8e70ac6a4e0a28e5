"""Staff sign-in against the stack's own user pool (the emulator issues real RS256 tokens): every
console route refuses a request without a valid token, each role gets exactly what it may do, a
handler sees only its department's cases, and two staff racing on one case never both win."""
from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import moto
import pytest
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import rsa

import app as chalice_app
from chalicelib.domain.errors import ConcurrentUpdate, InvalidTransition
from chalicelib.services import actions, tickets
from chalicelib.services.commands import AcceptTicket, AddNote, DispatchTicket, ReturnTicket, SubmitTicket
from tests.builders import submission

# The emulator's signing key (it signs every pool's tokens with it): tokens that differ from a real
# one in a single claim, with a valid signature.
MOTO_KEY = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"


@pytest.fixture
def client(stack):
    with Client(chalice_app.app, stage_name="local") as test_client:
        test_client.stack = stack
        yield test_client


def _submit(client, **fields) -> str:
    """Filed through the submit service (the per-client limits of the citizen route would refuse a
    test's many cases from one address)."""
    command = SubmitTicket.parse(submission(phone="13800138000", **fields))
    return tickets.submit(command, client.stack.deps).number


def _dispatched(client, stack, department: str = "east-city") -> str:
    """A case no rule routes, screened by the workflow and dispatched by a dispatcher through the
    API (no state set by hand)."""
    _dispatched.count = getattr(_dispatched, "count", 0) + 1
    # Texts with no two characters in common: never taken for a "me too" of each other.
    # (97 is prime to the 20,000 CJK ideographs used: 2,500 cases before a character comes back.)
    text = "".join(chr(0x4E00 + 97 * (8 * _dispatched.count + k) % 20000) for k in range(8))
    number = _submit(client, category="other", description=text)
    stack.pump_until(lambda: stack.deps.tickets.by_number(number).task_stage == "triage")
    answer = client.http.post(f"/console/tickets/{number}/dispatch", body=json.dumps({"department": department}),
                              headers={"Content-Type": "application/json", **stack.staff("center", "dispatcher")})
    assert answer.status_code == 200, answer.json_body
    return number


def _claims(stack, **changes) -> dict:
    good = jwt.decode(stack.token("handler", "east-city"), options={"verify_signature": False})
    return {**good, **changes}


def _signed(claims: dict, key=None) -> str:
    if key is None:
        key = jwt.PyJWK.from_dict(json.loads(gzip.decompress(MOTO_KEY.read_bytes()))).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def test_every_console_route_refuses_a_request_without_a_valid_token(client, stack):
    number = _submit(client)
    forged = {
        "no token": {},
        "header only": {"X-Staff-Department": "east-city", "X-Staff-Role": "supervisor"},
        "query only": {},
        "expired": {"Authorization": "Bearer " + _signed(_claims(stack, exp=int(time.time()) - 60))},
        "another key": {"Authorization": "Bearer " + _signed(
            _claims(stack), rsa.generate_private_key(public_exponent=65537, key_size=2048))},
        "another app": {"Authorization": "Bearer " + _signed(_claims(stack, aud="another-client"))},
        "another pool": {"Authorization": "Bearer " + _signed(
            _claims(stack, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"))},
        "promoted": {"Authorization": "Bearer " + _signed(_claims(stack, **{"cognito:groups": ["supervisor"]}),
                                                          rsa.generate_private_key(public_exponent=65537,
                                                                                   key_size=2048))},
        "garbage": {"Authorization": "Bearer not-a-token"},
    }
    routes = [(method, path.replace("{number}", number).replace("{name}", "1.jpg"))
              for path, methods in chalice_app.app.routes.items() if path.startswith("/console/")
              for method in methods if method != "OPTIONS"]
    assert len(routes) >= 15
    for name, headers in forged.items():
        for method, path in routes:
            suffix = "?department=center&role=supervisor" if name == "query only" else ""
            answer = client.http.request(method, path + suffix, body=b"{}",
                                         headers={"Content-Type": "application/json", **headers})
            assert answer.status_code == 401, (name, method, path, answer.json_body)
            assert answer.json_body["error"] == "Unauthenticated"
    assert stack.deps.tickets.by_number(number).events[-1].kind in ("submitted", "screened", "dispatched")


def test_the_real_token_works_and_the_access_token_does_not(client, stack):
    me = client.http.get("/console/me", headers=stack.staff("east-city", "handler")).json_body
    assert me == {"username": "handler-east-city", "role": "handler", "department": "east-city",
                  "department_name": me["department_name"]}
    answer = stack.session.client("cognito-idp").initiate_auth(
        ClientId=stack.resources.refs["StaffPoolClient"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "handler-east-city", "PASSWORD": "Test-password-2026"})
    access = answer["AuthenticationResult"]["AccessToken"]
    assert client.http.get("/console/me", headers={"Authorization": f"Bearer {access}"}).status_code == 401


# Role × route: the status each role gets on a case dispatched to east-city (no state changes
# but the ones expected: accept goes last).
MATRIX = {
    # route: (operator, dispatcher, supervisor, admin, handler of another department, handler of east-city)
    ("GET", "/console/me"): (200, 200, 200, 200, 200, 200),
    ("GET", "/console/tickets/{n}"): (200, 200, 200, 200, 403, 200),
    ("GET", "/console/inbox?status=dispatched"): (403, 403, 403, 403, 200, 200),
    ("GET", "/console/inbox?queue=triage&status=screened"): (403, 200, 200, 403, 403, 403),
    ("GET", "/console/watch"): (403, 403, 200, 403, 403, 403),
    ("GET", "/console/callbacks"): (403, 200, 200, 403, 403, 403),
    ("GET", "/console/access"): (403, 403, 200, 403, 403, 403),
    ("GET", "/console/search?department=east-city"): (200, 200, 200, 200, 403, 200),
    ("GET", "/console/search?category=other"): (200, 200, 200, 200, 200, 200),
    ("GET", "/console/search.csv?department=east-city"): (200, 200, 200, 200, 403, 200),
    ("GET", "/console/counts"): (200, 200, 200, 200, 200, 200),
    ("POST", "/console/redrive"): (403, 403, 200, 403, 403, 403),
    ("POST", "/console/tickets/{n}/dispatch"): (403, 409, 403, 403, 403, 403),
    ("POST", "/console/tickets/{n}/extension/decision"): (403, 403, 409, 403, 403, 403),
    ("POST", "/console/tickets/{n}/extension"): (403, 403, 403, 403, 403, 409),
    ("POST", "/console/tickets/{n}/reply"): (403, 403, 403, 403, 403, 409),
    ("POST", "/console/tickets/{n}/callback"): (403, 409, 409, 403, 403, 403),
    ("POST", "/console/tickets/{n}/hide"): (403, 200, 200, 403, 403, 403),
    ("POST", "/console/tickets/{n}/note"): (200, 200, 200, 200, 403, 200),
    ("GET", "/console/assisting"): (403, 403, 403, 403, 200, 200),
    ("GET", "/console/extensions"): (403, 403, 200, 403, 403, 403),
    ("GET", "/console/rates"): (403, 403, 200, 403, 403, 403),
    ("GET", "/console/departments/east-city"): (403, 403, 200, 403, 403, 403),
    ("GET", "/console/templates"): (403, 403, 403, 403, 200, 200),
    ("PUT", "/console/templates/other"): (403, 403, 403, 403, 200, 200),
    ("POST", "/console/tickets/{n}/split"): (403, 409, 409, 403, 403, 403),
    ("POST", "/console/tickets/{n}/invalid"): (403, 409, 409, 403, 403, 403),
    ("POST", "/console/tickets/{n}/merge"): (403, 404, 404, 403, 403, 403),
    ("POST", "/console/tickets/{n}/redirect"): (403, 400, 400, 403, 403, 403),
    ("POST", "/console/tickets/{n}/assist"): (403, 200, 200, 403, 403, 403),
    ("GET", "/console/tickets/{n}?assisting"): (200, 200, 200, 200, 200, 200),  # roads assists now
    ("POST", "/console/tickets/{n}/return"): (403, 403, 403, 403, 403, 200),
    # the hotline screen: operators and dispatchers take calls
    ("POST", "/console/calls"): (201, 201, 403, 403, 403, 403),
    # the admin's screens: admins only
    ("GET", "/console/admin/catalog"): (403, 403, 403, 200, 403, 403),
    ("PUT", "/console/admin/districts/m-district"): (403, 403, 403, 200, 403, 403),
    ("PUT", "/console/admin/departments/m-department"): (403, 403, 403, 200, 403, 403),
    ("PUT", "/console/admin/categories/m-category"): (403, 403, 403, 200, 403, 403),
    ("PUT", "/console/admin/locations/m-location"): (403, 403, 403, 200, 403, 403),
    ("GET", "/console/admin/locations/e1/poster"): (403, 403, 403, 200, 403, 403),
    ("PUT", "/console/admin/rules/west/noise"): (403, 403, 403, 200, 403, 403),
    ("DELETE", "/console/admin/rules/west/noise"): (403, 403, 403, 200, 403, 403),
    ("GET", "/console/admin/accounts"): (403, 403, 403, 200, 403, 403),
    ("POST", "/console/admin/accounts"): (403, 403, 403, 201, 403, 403),
    ("PUT", "/console/admin/accounts/handler-roads"): (403, 403, 403, 200, 403, 403),
    ("POST", "/console/admin/imports"): (403, 403, 403, 200, 403, 403),
    ("GET", "/console/admin/open311-keys"): (403, 403, 403, 200, 403, 403),
    ("POST", "/console/admin/open311-keys"): (403, 403, 403, 201, 403, 403),
    ("DELETE", "/console/admin/open311-keys/000000000000"): (403, 403, 403, 404, 403, 403),
}
BODIES = {"dispatch": {"department": "roads"}, "decision": {"approve": True}, "extension": {"reason": "需协调"},
          "reply": {"text": "已修复"}, "callback": {"rating": "satisfied"}, "hide": {"target": "description",
          "reason": "personal"}, "note": {"text": "已电话联系"}, "return": {"reason": "不归我们"},
          "other": {"texts": ["已转交相关单位处理。"]}, "merge": {"into": "20000101-0001"},
          "redirect": {"department": "east-city"}, "assist": {"department": "roads"},
          "invalid": {"reason": "out_of_scope"},
          "m-district": {"name": "南城区"}, "m-department": {"name": "南城区城管局", "parent": "roads"},
          "m-category": {"name": "除雪", "tier": "complex"}, "m-location": {"name": "南城广场", "district": "west"},
          "noise": {"department": "roads"}, "handler-roads": {"role": "handler", "department": "roads"},
          "open311-keys": {"name": "矩阵客户端"},
          "accounts": {"username": "matrix-user", "name": "测试", "role": "handler", "department": "roads"},
          "calls": {"location": "w1", "category": "noise", "kind": "complaint", "phone": "13800138000",
                    "description": "西城菜市场清晨卸货噪声很大影响休息"},
          "imports": {"text": "source_id,received_at,channel,location,category,kind,description\n"
                              "M-1,2026-11-20,mailbox,nowhere,noise,complaint,没有这个点位的来件"}}
CALLERS = (("operator", "center"), ("dispatcher", "center"), ("supervisor", "center"), ("admin", "center"),
           ("handler", "roads"), ("handler", "east-city"))


def test_each_role_gets_exactly_what_it_may_do(client, stack):
    number = _dispatched(client, stack)
    for (method, route), expected in MATRIX.items():
        path = route.replace("{n}", number)
        body = BODIES.get(path.rsplit("/", 1)[-1], {})
        for (role, department), status in zip(CALLERS, expected, strict=True):
            answer = client.http.request(method, path, body=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", **stack.staff(department, role)})
            assert answer.status_code == status, (role, department, method, route, answer.json_body)


def test_a_handler_never_lists_or_reads_another_departments_case_and_contact_views_are_recorded(client, stack):
    number = _dispatched(client, stack)
    other = client.http.get("/console/inbox?status=dispatched", headers=stack.staff("roads")).json_body
    assert number not in [t["number"] for t in other["tickets"]]
    mine = client.http.get(f"/console/tickets/{number}", headers=stack.staff("east-city")).json_body
    assert mine["contact"] == {"phone": "13800138000"}
    admin = client.http.get(f"/console/tickets/{number}", headers=stack.staff("center", "admin")).json_body
    assert "contact" not in admin
    listed = client.http.get("/console/inbox?status=dispatched", headers=stack.staff("east-city")).json_body
    assert "contact" not in listed["tickets"][0]  # lists never carry contact data
    log = client.http.get("/console/access", headers=stack.staff("center", "supervisor")).json_body["accesses"]
    assert [(a["username"], a["number"], a["how"]) for a in log] == [("handler-east-city", number, "viewed")]


def test_every_action_records_the_signed_in_account(client, stack):
    number = _dispatched(client, stack)
    headers = {"Content-Type": "application/json", **stack.staff("east-city")}
    client.http.post(f"/console/tickets/{number}/accept", body=b"{}", headers=headers)
    client.http.post(f"/console/tickets/{number}/note", body=json.dumps({"text": "约好明早上门"}).encode(),
                     headers=headers)
    events = stack.deps.tickets.by_number(number).events
    assert [(e.kind, e.actor, e.by) for e in events[-3:]] == [
        ("dispatched", "center", "dispatcher-center"), ("accepted", "east-city", "handler-east-city"),
        ("noted", "east-city", "handler-east-city")]
    public = client.http.get(f"/tickets/{number}").json_body
    assert "noted" not in [e["kind"] for e in public["events"]] and "by" not in public["events"][-1]


def _race(first, second):
    """Both at once; answers each one's outcome: "ok", or the error's name."""
    def run(action):
        try:
            action()
            return "ok"
        except (InvalidTransition, ConcurrentUpdate) as exc:
            return type(exc).__name__
    with ThreadPoolExecutor(2) as pool:
        return [f.result() for f in [pool.submit(run, first), pool.submit(run, second)]]


def test_twenty_conflicting_pairs_each_have_exactly_one_winner_and_two_notes_both_land(client, stack):
    deps = stack.deps
    numbers = [_dispatched(client, stack) for _ in range(20)]
    outcomes = []
    for index, number in enumerate(numbers):
        if index % 2:  # accept against return
            sign_off = AcceptTicket(seen_status="dispatched")
            give_back = ReturnTicket(reason="不归我们", seen_status="dispatched")
            outcomes.append(_race(lambda n=number, c=sign_off: actions.accept(n, "east-city", c, deps, "a"),
                                  lambda n=number, c=give_back: actions.give_back(n, "east-city", c, deps, "b")))
        else:  # the dispatcher returned it; two dispatchers send it to two departments
            actions.give_back(number, "east-city", ReturnTicket(reason="不归我们"), deps, "b")
            to_roads = DispatchTicket(department="roads", seen_status="returned")
            to_east = DispatchTicket(department="east-city", seen_status="returned")
            outcomes.append(_race(lambda n=number, c=to_roads: actions.dispatch_by_hand(n, "center", c, deps, "d1"),
                                  lambda n=number, c=to_east: actions.dispatch_by_hand(n, "center", c, deps, "d2")))
    for number, outcome in zip(numbers, outcomes, strict=True):
        assert sorted(outcome) == ["InvalidTransition", "ok"], (number, outcome)
        ticket = deps.tickets.by_number(number)
        assert [e.kind for e in ticket.events].count("dispatched") <= 2
    number = numbers[1]
    notes = _race(lambda: actions.note(number, "center", AddNote(text="一"), deps, "x"),
                  lambda: actions.note(number, "center", AddNote(text="二"), deps, "y"))
    assert notes == ["ok", "ok"]
    assert sorted(e.note for e in deps.tickets.by_number(number).events if e.kind == "noted") == ["一", "二"]
