"""Cases without a known place: reported by an address or a point that is none of our locations.
They are filed unplaced (no location, no district), go to the dispatchers (no routing suggestion),
are dispatched by hand, and every listing, tally and page handles them."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.geo import Point, distance_m, nearest
from chalicelib.domain.listings import DISTRICT, LOCATION, Entry, memberships
from chalicelib.domain.model import Status
from chalicelib.domain.tallies import counter_names
from chalicelib.services import actions, steps, tickets
from chalicelib.services.commands import DispatchTicket, SubmitTicket
from chalicelib.services.publish import public_view, ticket_page
from tests.builders import make_ticket, submission
from tests.fakes import World, make_world

E1 = Point(33.6100, 119.0200)  # the test city's 人民公园东门


@pytest.fixture
def world() -> World:
    return make_world()


def file(world: World, **body: object) -> str:
    values = {k: v for k, v in submission(**body).items() if v is not None}
    receipt = tickets.submit(SubmitTicket.parse(values), world.deps)
    return receipt.number


# --- geometry ------------------------------------------------------------------------------
def test_haversine_distance_is_in_metres():
    assert distance_m(E1, E1) == 0
    # one thousandth of a degree of latitude is about 111 m anywhere
    assert distance_m(E1, Point(33.6110, 119.0200)) == pytest.approx(111.2, abs=0.5)
    # Beijing to Shanghai, about 1,067 km as the crow flies
    assert distance_m(Point(39.9042, 116.4074), Point(31.2304, 121.4737)) == pytest.approx(1_067_000, rel=0.01)


def test_nearest_place_within_the_distance_and_ties_by_code():
    places = [("b", Point(33.6110, 119.0200)), ("a", Point(33.6090, 119.0200)), ("far", Point(34.0, 119.0))]
    assert nearest(E1, places, 300) == "a"  # both 111 m away: the smaller code
    assert nearest(E1, places, 100) is None
    assert nearest(Point(34.0, 119.0), places, 300) == "far"


@pytest.mark.parametrize("lat, lon", [(91, 0), (-91, 0), (0, 181), (0, -180.5), (float("nan"), 0)])
def test_a_point_off_the_globe_is_refused(lat, lon):
    with pytest.raises(InvalidInput):
        Point(lat, lon)


# --- filing ----------------------------------------------------------------------------------
def test_a_point_near_a_location_files_the_case_there(world):
    number = file(world, location=None, lat=33.6105, lon=119.0203)  # about 60 m from e1
    ticket = world.deps.tickets.by_number(number)
    assert (ticket.location, ticket.district) == ("e1", "east")
    assert ticket.point == Point(33.6105, 119.0203)


def test_a_point_far_from_every_location_files_an_unplaced_case_with_its_point(world):
    number = file(world, location=None, lat=33.7, lon=119.2, address="城北新区 12 号路口")
    ticket = world.deps.tickets.by_number(number)
    assert ticket.location is None and ticket.district is None and not ticket.placed
    assert ticket.point == Point(33.7, 119.2) and ticket.address == "城北新区 12 号路口"


def test_the_distance_is_the_policys(world):
    world.deps.config.data["policy"] = [{"nearest_location_m": 50}]  # type: ignore[attr-defined]
    number = file(world, location=None, lat=33.6105, lon=119.0203)  # about 60 m from e1
    assert world.deps.tickets.by_number(number).location is None


def test_an_address_alone_files_an_unplaced_case(world):
    number = file(world, location=None, address="解放路 88 号门口")
    ticket = world.deps.tickets.by_number(number)
    assert ticket.location is None and ticket.address == "解放路 88 号门口" and ticket.point is None


def test_no_place_at_all_or_half_a_point_is_refused_and_files_nothing(world):
    with pytest.raises(InvalidInput) as refused:
        file(world, location=None)
    assert refused.value.field == "location"
    with pytest.raises(InvalidInput) as half:
        file(world, location=None, lat=33.61)
    assert half.value.field == "long"
    assert world.tickets.rows == {}


def test_a_hidden_location_is_not_the_nearest(world):
    data = world.deps.config.data  # type: ignore[attr-defined]
    data["locations"] = [dict(loc, hidden=True) if loc["code"] == "e1" else loc for loc in data["locations"]]
    number = file(world, location=None, lat=33.6105, lon=119.0203)
    assert world.deps.tickets.by_number(number).location is None


# --- handling --------------------------------------------------------------------------------
def test_screening_sends_an_unplaced_case_to_triage_and_a_dispatcher_dispatches_it(world):
    number = file(world, location=None, address="解放路 88 号门口", category="roads")
    ticket = world.deps.tickets.by_number(number)
    assert steps.screen(ticket.id, world.deps)["outcome"] == "triage"  # no rule knows its district
    assert world.deps.tickets.get(ticket.id).status is Status.SCREENED
    handled = actions.dispatch_by_hand(number, "dispatcher", DispatchTicket.parse({"department": "roads"}),
                                       world.deps)
    assert handled.status is Status.DISPATCHED and handled.department == "roads"
    assert any("解放路" in text for text in world.sms.to("13700000001"))  # the department reads the address


def test_two_unplaced_reports_are_not_merged_by_place(world):
    first = world.deps.tickets.by_number(file(world, location=None, address="解放路 88 号"))
    steps.screen(first.id, world.deps)
    second = world.deps.tickets.by_number(file(world, location=None, address="解放路 88 号"))
    assert steps.screen(second.id, world.deps)["outcome"] == "triage"  # valid, not merged: for the dispatchers


def test_an_unplaced_case_is_in_no_place_or_district_listing_and_counts_in_no_district():
    ticket = make_ticket(location=None, district=None, address="解放路 88 号 电话13812345678")
    listings = {m.listing for m in memberships(ticket)}
    assert not any(name.startswith((DISTRICT, LOCATION)) for name in listings)
    entry = Entry.of(ticket)
    assert entry.location == "" and entry.district is None
    assert "13812345678" not in entry.address and "解放路" in entry.address
    assert Entry.from_data({**entry.to_data()}) == entry
    names = counter_names(ticket.events[0], ticket)
    assert "submitted#all" in names and not any("district:" in n for n in names)


def test_the_public_sees_the_address_redacted_and_never_the_point(world):
    number = file(world, location=None, lat=33.7, lon=119.2, address="解放路 88 号 找张三 13812345678")
    ticket = world.deps.tickets.by_number(number)
    public = public_view(ticket, world.deps)
    assert public["location"] is None and "13812345678" not in public["address"]
    assert public["location_name"] == public["address"] and "point" not in public
    staff = public_view(ticket, world.deps, staff=True)
    assert staff["point"] == {"lat": 33.7, "long": 119.2}
    page = ticket_page(ticket, world.deps.catalog(), world.deps)
    assert "解放路" in page and "13812345678" not in page and "119.2" not in page


def test_a_confidential_unplaced_case_shows_no_address(world):
    number = file(world, location=None, address="解放路 88 号", confidential=True)
    ticket = world.deps.tickets.by_number(number)
    assert public_view(ticket, world.deps)["address"] is None
    assert Entry.of(ticket).address == ""
