"""The admin's changes against the fakes: each check refuses with a message and writes nothing; each
change is read back at once and republishes just what shows it."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.staff import Role, Staff
from chalicelib.services import admin, tickets
from chalicelib.services.commands import (
    ChangeAccount,
    NewAccount,
    PutCategory,
    PutDepartment,
    PutDistrict,
    PutLocation,
    PutRule,
    SubmitTicket,
)
from chalicelib.services.ports import Account
from tests.builders import submission
from tests.fakes import make_world

ADMIN = Staff("admin", Role.ADMIN, "roads")


@pytest.fixture
def world():
    return make_world()


def _unchanged(world, before):
    assert world.deps.config.data == before
    assert world.site.writes == []


def test_a_new_location_is_read_back_at_once_and_publishes_its_pages_and_poster(world):
    world.deps.catalog()  # a warm copy: the catalogue is cached
    decision = admin.put_location(world.deps, "e9", PutLocation(name="东湖公园北门", district="east",
                                                                address="东湖路1号", name_en="East Lake Park"))
    assert decision.created and decision.record["names"] == {"en": "East Lake Park"}
    assert world.deps.catalog().location("e9").address == "东湖路1号"
    assert {"q/e9.html", "en/q/e9.html", "index.html", "en/index.html", "posters/e9.pdf", "posters/e9.png",
            "posters/e9.svg", "posters/district-east.pdf", "posters/index.html"} <= set(decision.published)
    assert set(world.site.writes) == set(decision.published)
    assert not any(key.startswith(("q/e1", "posters/e1", "posters/district-west")) for key in world.site.writes)
    assert "东湖公园北门" in world.site.text("q/e9.html") and "东湖公园北门" in world.site.text("index.html")


def test_a_location_moved_to_another_district_rewrites_both_district_sheets(world):
    decision = admin.put_location(world.deps, "e2", PutLocation(name="高铁站广场", district="west"))
    assert {"posters/district-east.pdf", "posters/district-west.pdf"} <= set(decision.published)
    # overrides not sent: kept as they were
    assert world.deps.catalog().location("e2").overrides == {"roads": "police"}


def test_a_hidden_location_leaves_the_home_page_and_takes_no_new_reports(world):
    admin.put_location(world.deps, "e1", PutLocation(name="人民公园东门", district="east", hidden=True))
    assert "人民公园东门" not in world.site.text("index.html")
    assert "q/e1.html" not in world.site.writes
    with pytest.raises(InvalidInput):
        tickets.submit(SubmitTicket.parse(submission(location="e1")), world.deps)


@pytest.mark.parametrize("change, error", [
    (lambda d: admin.put_location(d, "E 9", PutLocation(name="x", district="east")), InvalidInput),
    (lambda d: admin.put_location(d, "e9", PutLocation(name="x", district="north")), NotFound),
    (lambda d: admin.put_location(d, "e9", PutLocation(name="x", district="east", overrides={"roads": "nobody"})),
     NotFound),
    (lambda d: admin.put_location(d, "e9", PutLocation(name="x", district="east", overrides={"snow": "roads"})),
     NotFound),
    (lambda d: admin.put_department(d, "roads", PutDepartment(name="x", parent="nobody")), NotFound),
    (lambda d: admin.put_department(d, "roads", PutDepartment(name="x", parent="roads")), InvalidInput),
    (lambda d: admin.put_category(d, "snow", PutCategory(name="除雪", tier="whenever")), InvalidInput),
    (lambda d: admin.put_rule(d, "north", "roads", PutRule(department="roads")), NotFound),
    (lambda d: admin.put_rule(d, "east", "snow", PutRule(department="roads")), NotFound),
    (lambda d: admin.put_rule(d, "east", "roads", PutRule(department="nobody")), NotFound),
    (lambda d: admin.remove_rule(d, "west", "lights"), NotFound),
    (lambda d: admin.put_district(d, "-x", PutDistrict(name="x")), InvalidInput),
])
def test_each_check_refuses_in_chinese_and_changes_nothing(world, change, error):
    before = world.deps.config.data.copy()
    with pytest.raises(error) as refused:
        change(world.deps)
    assert any("\u4e00" <= c <= "\u9fff" for c in refused.value.message), refused.value.message
    _unchanged(world, before)


def test_a_department_cannot_become_its_own_ancestor(world):
    admin.put_department(world.deps, "city", PutDepartment(name="市政府"))
    admin.put_department(world.deps, "roads", PutDepartment(name="市交通运输局", parent="city"))
    admin.put_department(world.deps, "roads-east", PutDepartment(name="东城交通所", parent="roads"))
    with pytest.raises(InvalidInput, match="自己的上级"):
        admin.put_department(world.deps, "city", PutDepartment(name="市政府", parent="roads-east"))
    assert world.deps.catalog().ancestors("roads-east") == ["roads", "city"]
    assert world.deps.catalog().departments["city"].parent is None


def test_a_department_change_keeps_its_duty_phones_and_republishes_the_console_only(world):
    decision = admin.put_department(world.deps, "roads", PutDepartment(name="市交通运输委员会"))
    department = world.deps.catalog().department("roads")
    assert (department.name, department.phone, department.head_phone) == ("市交通运输委员会", "13700000001",
                                                                           "13700000002")
    assert set(decision.published) == {"console/index.html", "en/console/index.html"}
    page = world.site.text("console/index.html")
    assert "市交通运输委员会" in page or json.dumps("市交通运输委员会")[1:-1] in page  # in the page data


def test_a_category_takes_a_tier_of_the_policy_and_shows_on_every_intake_page(world):
    decision = admin.put_category(world.deps, "snow", PutCategory(name="除雪", tier="complex"))
    assert world.deps.catalog().category("snow").tier == "complex"
    assert {f"{p}{page}" for p in ("", "en/") for page in ("q/e1.html", "q/e2.html", "q/w1.html",
                                                           "console/index.html")} == set(decision.published)
    assert "除雪" in world.site.text("q/w1.html")
    assert '"snow"' in world.site.text("console/index.html")  # its reply templates can be kept
    admin.put_category(world.deps, "snow", PutCategory(name="除雪", tier="complex", hidden=True))
    assert "除雪" not in world.site.text("q/w1.html")


def test_a_district_rename_republishes_its_locations_and_the_home_page(world):
    decision = admin.put_district(world.deps, "west", PutDistrict(name="西湖区"))
    assert {"q/w1.html", "posters/w1.pdf", "posters/district-west.pdf", "index.html"} <= set(decision.published)
    assert "q/e1.html" not in decision.published
    assert "西湖区" in world.site.text("q/w1.html")


def test_rules_route_new_cases_and_a_removed_rule_sends_them_to_the_dispatchers(world):
    decision = admin.put_rule(world.deps, "west", "lights", PutRule(department="east-city"))
    assert decision.created and decision.key == "west.lights" and decision.published == []
    assert world.deps.catalog().route("w1", "lights").code == "east-city"
    changed = admin.put_rule(world.deps, "west", "lights", PutRule(department="roads"))
    assert not changed.created and world.deps.catalog().route("w1", "lights").code == "roads"
    assert len([r for r in world.deps.catalog().rules if r.code == "west.lights"]) == 1
    admin.remove_rule(world.deps, "west", "lights")
    assert world.deps.catalog().route("w1", "lights") is None


def test_the_catalogue_says_what_uses_each_item(world):
    view = admin.catalogue(world.deps)
    east = next(d for d in view["districts"] if d["code"] == "east")
    assert east["used"] == 2 + 3  # two locations, three rules
    assert view["tiers"]["complex"] == 15 and "admin" in view["roles"]
    assert next(loc for loc in view["locations"] if loc["code"] == "e1")["intake"] == "http://site.test/q/e1.html"


def test_the_poster_links_name_files_that_are_there(world):
    links = admin.poster(world.deps, "w1")
    assert links["pdf"] == "http://site.test/posters/w1.pdf"
    assert world.site.pages["posters/w1.pdf"].startswith(b"%PDF")
    with pytest.raises(NotFound):
        admin.poster(world.deps, "nowhere")


def test_an_account_gets_a_temporary_password_a_known_role_and_department(world):
    account, password = admin.create_account(world.deps, NewAccount(username="Handler-W", name="王五", role="handler",
                                                                     department="east-city"))
    assert account == Account("handler-w", "handler", "east-city", "王五", True)
    assert world.deps.staff.passwords["handler-w"] == (password, True)
    assert len(password) >= 10 and any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    assert admin.temporary_password() != admin.temporary_password()
    for bad in ({"role": "king"}, {"department": "nowhere"}):
        with pytest.raises((InvalidInput, NotFound)):
            admin.create_account(world.deps, NewAccount.parse({"username": "x-y-z", "name": "x", "role": "handler",
                                                               "department": "roads", **bad}))
    assert "x-y-z" not in world.deps.staff.by_name
    with pytest.raises(InvalidInput) as taken:  # a name in use: the refusal names it
        admin.create_account(world.deps, NewAccount(username="handler-w", name="赵六", role="handler",
                                                    department="roads"))
    assert taken.value.field == "username" and taken.value.message == "用户名“handler-w”已被占用，请换一个用户名"
    assert world.deps.staff.by_name["handler-w"].name == "王五"


def test_an_account_is_reassigned_and_disabled_but_an_admin_cannot_lock_themselves_out(world):
    world.deps.staff.create(Account("admin", "admin", "roads", "管理员", True), "pw-123456789", temporary=False)
    world.deps.staff.create(Account("zhou", "handler", "roads", "周杰", True), "pw-123456789")
    admin.change_account(world.deps, "zhou", ChangeAccount(role="handler", department="east-city"), ADMIN)
    admin.change_account(world.deps, "zhou", ChangeAccount(role="handler", department="east-city", enabled=False),
                         ADMIN)
    assert world.deps.staff.by_name["zhou"] == Account("zhou", "handler", "east-city", "周杰", False)
    for change in (ChangeAccount(role="admin", department="roads", enabled=False),
                   ChangeAccount(role="supervisor", department="roads")):
        with pytest.raises(InvalidInput, match="自己"):
            admin.change_account(world.deps, "admin", change, ADMIN)
    assert world.deps.staff.by_name["admin"].enabled
    with pytest.raises(NotFound):
        admin.change_account(world.deps, "nobody", ChangeAccount(role="handler", department="roads"), ADMIN)
