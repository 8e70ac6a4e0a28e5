"""Open311 GeoReport v2 mapping against fakes: services and definitions from the catalogue, keys,
the form a client POSTs, what a request answer says (status, notes, dates, agency, media, never a
contact), and the filters of GET requests with their default window."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.catalog import Attribute, Category, Choice
from chalicelib.domain.clients import key_digest
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.listings import HALL, Entry, Membership
from chalicelib.domain.model import PhotoState, Status
from chalicelib.i18n import Messages
from chalicelib.services import open311
from tests.builders import NOW, make_dispatched, make_ticket
from tests.fakes import World, make_world

T = Messages("zh-CN")


@pytest.fixture
def world() -> World:
    return make_world()


def form(**fields: str) -> dict[str, list[str]]:
    return {name: [value] for name, value in fields.items()}


# --- keys -------------------------------------------------------------------------------------
def test_a_key_is_stored_only_as_its_digest_and_shown_once(world):
    record, key = open311.issue_key(world.deps, "街道 App")
    assert record.digest == key_digest(key) and key not in str(world.deps.clients.all())
    assert open311.client_for(world.deps, key).name == "街道 App"
    assert open311.issue_key(world.deps, "again", key)[0] == record  # a kept key is not issued twice


def test_no_key_an_unknown_or_a_revoked_key_is_forbidden(world):
    record, key = open311.issue_key(world.deps, "旧 App")
    with pytest.raises(Forbidden):
        open311.client_for(world.deps, "")
    with pytest.raises(Forbidden):
        open311.client_for(world.deps, "0" * 48)
    assert open311.revoke_key(world.deps, record.id).revoked_at == NOW
    with pytest.raises(Forbidden):
        open311.client_for(world.deps, key)
    with pytest.raises(NotFound):
        open311.revoke_key(world.deps, "nope")
    with pytest.raises(InvalidInput):
        open311.issue_key(world.deps, " ")


# --- services -----------------------------------------------------------------------------------
def test_services_skip_hidden_categories_and_say_metadata(world):
    services = {s["service_code"]: s for s in open311.services(world.deps.catalog())}
    assert services["noise"]["metadata"] is True and services["roads"]["metadata"] is False
    assert services["roads"]["service_name"] == "道路交通" and services["roads"]["type"] == "realtime"
    english = {s["service_code"]: s for s in open311.services(world.deps.catalog(), "en")}
    assert english["roads"]["service_name"] == "道路交通"  # no English name in the test city: its own


def test_an_attribute_checks_its_answer():
    choice = Attribute("kind", "哪种", "multivaluelist", True, values=(Choice("a", "甲"), Choice("b", "乙")))
    assert choice.answer(["a", "b"]) == ("a", "b")
    for bad in ([], ["c"]):
        with pytest.raises(InvalidInput) as refused:
            choice.answer(bad)
        assert refused.value.field == "attribute[kind]"
    assert Attribute("n", "多少", "number").answer(["3.5"]) == ("3.5",)
    with pytest.raises(InvalidInput):
        Attribute("n", "多少", "number").answer(["many"])
    with pytest.raises(InvalidInput):
        Attribute("one", "一个", "singlevaluelist", values=(Choice("a", "甲"),)).answer(["a", "a"])
    with pytest.raises(ValueError):
        Attribute("x", "x", "colour")
    category = Category("c", "类", attributes=(choice,))
    assert category.answers({"kind": ["a"], "other": ["ignored"]}) == {"kind": ("a",)}


def test_a_required_question_binds_only_a_filing_that_was_asked_it():
    asks = Category("w", "供水", attributes=(
        Attribute("problem", "什么问题", "singlevaluelist", required=True, values=(Choice("a", "停水"),)),))
    with pytest.raises(InvalidInput):
        asks.answers({})  # an Open311 client read the definition
    assert asks.answers({}, asked=False) == {}  # the intake page and the hotline do not ask yet
    with pytest.raises(InvalidInput):
        asks.answers({"problem": ["zzz"]}, asked=False)  # an answer given is checked all the same


# --- POST -------------------------------------------------------------------------------------------
def test_a_post_files_a_case_for_the_client_with_its_answers(world):
    _, key = open311.issue_key(world.deps, "街道 App")
    answer = open311.file_request(world.deps, {**form(api_key=key, service_code="noise", address_id="e2",
                                                      description="夜间施工", phone="+86 138-0013-8000"),
                                               "attribute[source]": ["site"]})
    ticket = world.deps.tickets.by_number(answer["service_request_id"])
    assert answer["token"] == ticket.number and answer["account_id"] is None
    assert ticket.client == "街道 App" and ticket.channel.value == "open311" and ticket.location == "e2"
    assert ticket.answers == {"source": ("site",)} and world.deps.tickets.phone(ticket.id) == "13800138000"


def test_a_phone_that_is_no_mainland_mobile_is_left_out_not_refused(world):
    _, key = open311.issue_key(world.deps, "FixMyStreet")
    answer = open311.file_request(world.deps, form(api_key=key, service_code="roads", address_string="某路口",
                                                    description="坑", phone="+44 20 7946 0000"))
    ticket = world.deps.tickets.by_number(answer["service_request_id"])
    assert world.deps.tickets.phone(ticket.id) is None and ticket.location is None


def test_the_key_is_checked_before_anything_else(world):
    with pytest.raises(Forbidden):
        open311.file_request(world.deps, form(service_code="nothing"))
    assert world.tickets.rows == {}


# --- what a request says --------------------------------------------------------------------------
def test_a_dispatched_case_is_open_with_its_agency_and_expected_time(world):
    ticket = make_dispatched("roads", category="roads", description="坑 13912345678")
    ticket.reply_due = NOW + timedelta(days=5)
    view = open311.request_view(Entry.of(ticket), world.deps, T)
    assert view["status"] == "open" and view["agency_responsible"] == "市交通运输局"
    assert view["status_notes"] == "已派单" or view["status_notes"].startswith(T("status.dispatched"))
    assert view["expected_datetime"] == (NOW + timedelta(days=5)).isoformat()
    assert view["requested_datetime"] == NOW.isoformat() and view["requested_datetime"].endswith("+08:00")
    assert view["address_id"] == "e1" and (view["lat"], view["long"]) == (33.61, 119.02)
    assert "13912345678" not in str(view) and view["media_url"] == ""


@pytest.mark.parametrize("status, state", [(Status.CLOSED, "closed"), (Status.INVALID, "closed"),
                                           (Status.MERGED, "closed"), (Status.REPLIED, "open"),
                                           (Status.SCREENED, "open"), (Status.RETURNED, "open")])
def test_our_statuses_map_to_open_or_closed(status, state):
    assert open311.open_or_closed(status.value) == state


def test_status_notes_carry_the_reply_or_the_reason(world):
    replied = make_dispatched("roads")
    replied.status, replied.reply = Status.REPLIED, "已修复，电话 13912345678"
    notes = open311.request_view(Entry.of(replied), world.deps, T)["status_notes"]
    assert notes.startswith(T("status.replied")) and "已修复" in notes and "13912345678" not in notes
    invalid = make_ticket(Status.INVALID, reason="garbled")
    view = open311.request_view(Entry.of(invalid), world.deps, T)
    assert view["status"] == "closed" and view["status_notes"] != T("status.invalid")
    assert view["expected_datetime"] is None


def test_media_url_is_the_first_public_photo_and_a_confidential_case_says_little(world):
    ticket = make_dispatched("roads")
    ticket.photos = [open311_photo("1.jpg", PhotoState.PENDING), open311_photo("2.jpg", PhotoState.PUBLIC)]
    assert open311.request_view(Entry.of(ticket), world.deps, T)["media_url"] == "http://site.test/p/" \
        f"{ticket.number}/2.jpg"
    ticket.confidential = True
    view = open311.request_view(Entry.of(ticket), world.deps, T)
    assert view["media_url"] == "" and view["description"] == "" and view["address"] == ""


def open311_photo(name: str, state: PhotoState):
    from chalicelib.domain.model import Photo

    return Photo(name, "citizen", NOW, state)


# --- GET requests -------------------------------------------------------------------------------------
def test_service_request_id_overrides_every_other_filter(world):
    query = open311.parse_query({"service_request_id": "a, b,a", "service_code": "nothing", "status": "x"},
                                world.deps.catalog())
    assert query.ids == ("a", "b") and query.codes == ()


def test_the_default_window_is_the_last_90_days_and_no_wider_one_is_taken(world):
    catalog = world.deps.catalog()
    start, end = open311.window(open311.parse_query({}, catalog), NOW)
    assert (start, end) == (NOW - timedelta(days=90), NOW)
    start, end = open311.window(open311.parse_query({"end_date": "2026-06-01T00:00:00Z"}, catalog), NOW)
    assert end - start == timedelta(days=90)
    start, end = open311.window(open311.parse_query({"start_date": "2026-06-01T00:00:00+08:00"}, catalog), NOW)
    assert end - start == timedelta(days=90)
    with pytest.raises(InvalidInput):
        open311.parse_query({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, catalog)
    assert open311.parse_query({"status": "open,closed"}, catalog).statuses == {"open", "closed"}


def test_requests_are_read_from_the_listings_with_each_filter(world):
    old = make_dispatched("roads", category="roads", number="20260801-0001")
    old.created_at = NOW - timedelta(days=114)
    recent = make_dispatched("roads", category="roads", number="20261120-0001")
    recent.created_at = NOW - timedelta(days=3)
    closed = make_ticket(Status.CLOSED, category="lights", number="20261122-0001")
    closed.created_at = NOW - timedelta(days=1)
    for ticket in (old, recent, closed):
        entry = Entry.of(ticket)
        world.deps.listings.put([(Membership(HALL, ticket.number), entry),
                                 (Membership(f"cat:{ticket.category}", ticket.number), entry)])

    def numbers(**params: str) -> list[str]:
        query = open311.parse_query(params, world.deps.catalog())
        return [r["service_request_id"] for r in open311.find_requests(world.deps, query, T)]

    assert numbers() == [closed.number, recent.number]  # the last 90 days, newest first
    assert numbers(service_code="roads") == [recent.number]
    assert numbers(service_code="roads,lights") == [closed.number, recent.number]
    assert numbers(status="closed") == [closed.number]
    assert numbers(status="open") == [recent.number]
    assert numbers(start_date=(NOW - timedelta(days=120)).isoformat(),
                   end_date=(NOW - timedelta(days=100)).isoformat()) == [old.number]
