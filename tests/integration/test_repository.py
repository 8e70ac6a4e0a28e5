from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import ConcurrentUpdate, NotFound
from chalicelib.domain.model import Status
from tests.builders import NOW, make_ticket


def test_a_stored_ticket_reads_back_by_id_and_by_number(stack):
    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone=None)
    assert stack.deps.tickets.get(ticket.id).description == ticket.description
    assert stack.deps.tickets.by_number(ticket.number).id == ticket.id
    assert ticket.version == 1


def test_a_number_is_found_by_a_key_get_of_its_pointer_and_no_index_holds_whole_tickets(stack):
    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone=None)
    pointer = next(i for i in stack.items() if i["pk"]["S"] == f"NUMBER#{ticket.number}")
    assert (pointer["sk"]["S"], pointer["id"]["S"]) == ("NUMBER", ticket.id)
    assert stack.deps.tickets.by_number(ticket.number).id == ticket.id
    assert stack.deps.tickets.by_number(ticket.number, for_update=False).version == 1
    table = stack.session.client("dynamodb").describe_table(TableName=stack.resources.table)["Table"]
    projections = {i["IndexName"]: i["Projection"]["ProjectionType"] for i in table["GlobalSecondaryIndexes"]}
    assert "ALL" not in projections.values(), projections  # every step would write a whole copy


def test_a_number_without_its_pointer_is_not_found(stack):
    from chalicelib.adapters.dynamo import to_item

    ticket = make_ticket()
    to_item(ticket, stack.deps.tickets._models.ticket).save()  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        stack.deps.tickets.by_number(ticket.number)


def test_a_taken_number_is_not_given_to_a_second_ticket(stack):
    first = make_ticket()
    stack.deps.tickets.add(first, phone=None)
    second = make_ticket(number=first.number)
    with pytest.raises(ConcurrentUpdate):
        stack.deps.tickets.add(second, phone=None)
    assert stack.deps.tickets.by_number(first.number).id == first.id
    with pytest.raises(NotFound):
        stack.deps.tickets.get(second.id)


def test_a_stale_copy_cannot_overwrite_a_newer_one(stack):
    ticket = make_ticket(status=Status.SCREENED)
    stack.deps.tickets.add(ticket, phone=None)
    first, second = stack.deps.tickets.get(ticket.id), stack.deps.tickets.get(ticket.id)
    first.dispatch("east-city", NOW, NOW, NOW)
    stack.deps.tickets.save(first)
    second.dispatch("roads", NOW, NOW, NOW)
    with pytest.raises(ConcurrentUpdate):
        stack.deps.tickets.save(second)
    assert stack.deps.tickets.get(ticket.id).department == "east-city"


def test_the_phone_is_kept_apart_from_the_ticket(stack):
    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone="13800138000")
    assert stack.deps.tickets.phone(ticket.id) == "13800138000"
    ticket_item = next(i for i in stack.items() if i["sk"]["S"] == "TICKET")
    assert "13800138000" not in str(ticket_item)


def test_adding_the_same_ticket_twice_fails_and_keeps_the_first(stack):
    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone=None)
    ticket.description = "changed"
    ticket.version = None
    with pytest.raises(ConcurrentUpdate):
        stack.deps.tickets.add(ticket, phone=None)
    assert stack.deps.tickets.get(ticket.id).description != "changed"


def test_unknown_tickets_are_not_found(stack):
    with pytest.raises(NotFound):
        stack.deps.tickets.by_number("20990101-0001")


def test_the_department_inbox_lists_its_dispatched_tickets(stack):
    mine, other = make_ticket(status=Status.SCREENED), make_ticket(status=Status.SCREENED)
    for ticket, department in ((mine, "east-city"), (other, "roads")):
        stack.deps.tickets.add(ticket, phone=None)
        ticket.dispatch(department, NOW, NOW, NOW)
        stack.deps.tickets.save(ticket)
    inbox = stack.deps.tickets.inbox("east-city", Status.DISPATCHED)
    assert [t.number for t in inbox] == [mine.number]


def test_a_change_counts_once_and_months_add_up_their_days(stack):
    from chalicelib.domain.tallies import Tally

    counters = stack.deps.counters
    assert counters.count_changes([("T1:1", [Tally("dispatched#roads", "2026-11-23")])]) == {"T1:1"}
    assert counters.count_changes([("T1:1", [Tally("dispatched#roads", "2026-11-23")])]) == set()  # again
    assert counters.count_changes([("T2:1", [Tally("dispatched#roads", "2026-11-23")]),
                                   ("T3:1", [Tally("dispatched#roads", "2026-11-30")]),
                                   ("T1:1", [Tally("dispatched#roads", "2026-11-23")]),  # counted before
                                   ("T4:1", [Tally("dispatched#roads", "2026-12-01")])]) == {"T2:1", "T3:1", "T4:1"}
    assert counters.total("dispatched#roads", "2026-11") == 3
    assert counters.total("dispatched#roads", "2026-11-23") == 2
    assert counters.total("dispatched#roads", "2026-12") == 1
    assert counters.total("dispatched#water", "2026-11") == 0


def test_a_counter_reads_its_days_in_a_span_both_ends_included(stack):
    from chalicelib.domain.tallies import Tally

    counters = stack.deps.counters
    counters.count_changes([(key, [Tally("submitted#all", day)]) for day, key in (
        ("2026-10-31", "A"), ("2026-11-01", "B"), ("2026-11-01", "C"), ("2026-11-30", "D"), ("2026-12-01", "E"))])
    counters.count_changes([("F", [Tally("submitted#kind:help", "2026-11-02")])])
    assert counters.days(["submitted#all"], "2026-11-01", "2026-11-30") == {
        "submitted#all": {"2026-11-01": 2, "2026-11-30": 1}}
    assert counters.days(["submitted#all", "submitted#kind:help"], "2026-10-31", "2026-10-31") == {
        "submitted#all": {"2026-10-31": 1}, "submitted#kind:help": {}}


FILED = ("submitted#all", "submitted#kind:help", "submitted#channel:qr", "submitted#district:east")


def test_a_changes_tallies_are_one_write_per_unit_and_day_and_no_item_grows_with_the_days_volume(stack):
    """A filed case moves three intake counters and its district's: two day items, and a marker.
    However many changes a day counts, one by one or in batches, its item holds numbers only."""
    from chalicelib.domain.tallies import Tally

    counters = stack.deps.counters
    filed = [Tally(name, "2026-11-23") for name in FILED]
    for n in range(100):
        assert counters.count_changes([(f"T{n}:0", filed)]) == {f"T{n}:0"}
    assert counters.count_changes([(f"T{n}:0", filed) for n in range(100, 300)]) == {
        f"T{n}:0" for n in range(100, 300)}
    items = {i["pk"]["S"]: i for i in stack.items() if i["pk"]["S"].startswith("TALLY#")}
    assert sorted(items) == ["TALLY#district:east", "TALLY#intake"]
    assert set(items["TALLY#intake"]) == {"pk", "sk", "submitted#all", "submitted#kind:help", "submitted#channel:qr"}
    assert items["TALLY#intake"]["submitted#all"] == {"N": "300"}
    assert counters.days(["submitted#district:east", "submitted#all"], "2026-11-23", "2026-11-23") == {
        "submitted#district:east": {"2026-11-23": 300}, "submitted#all": {"2026-11-23": 300}}
    marker = next(i for i in stack.items() if i["pk"]["S"] == "COUNTED#T7:0")
    assert int(marker["expiration"]["N"]) > 0  # the table's time-to-live drops it
    assert sum(i["pk"]["S"].startswith("COUNTED#") for i in stack.items()) == 300


def test_a_batch_of_changes_is_one_update_per_day_item_and_chunk_whatever_the_number_of_changes(stack, monkeypatch):
    """Under a burst a stream batch holds hundreds of changes on the same few day items: each item
    is written twice per chunk of changes (counts in, keys out), not twice per change."""
    from chalicelib.adapters.dynamo import repositories
    from chalicelib.domain.tallies import Tally

    updates = []
    real_update = repositories._update
    monkeypatch.setattr(repositories, "_update", lambda item, *a, **k: (updates.append(item.pk),
                                                                        real_update(item, *a, **k)))
    filed = [Tally(name, "2026-11-23") for name in FILED]
    batch = [(f"T{n}:0", filed) for n in range(150)]
    assert len(stack.deps.counters.count_changes(batch)) == 150
    chunks = -(-150 // repositories.PENDING_PER_WRITE)
    assert sorted(updates) == sorted(["TALLY#intake", "TALLY#district:east"] * 2 * chunks)
    assert stack.deps.counters.total("submitted#channel:qr", "2026-11") == 150


MOVED = {"A": ("dispatched#roads", "dispatched#district:east", "accepted#roads"), "B": ("dispatched#roads",)}


@pytest.mark.parametrize(("first", "retried"), [
    (["A", "B"], [["A", "B"]]), (["A", "B"], [["B"], ["A", "B"]]), (["A", "B"], [["B"], ["A"]]), (["A"], [["A", "B"]])],
    ids=["same batch", "split, then whole", "split", "a bigger batch"])
@pytest.mark.parametrize("stop_after", [0, 1, 2, 3, 4])
def test_changes_retried_after_a_stop_at_any_write_count_once(stack, monkeypatch, stop_after, first, retried):
    """Two changes on two day items: the first attempt stops before any write, after its first day
    item, after both, after the markers, or after taking the keys out of one item; the retry — the
    same batch, the changes in other batches, or with a change the first attempt did not have —
    completes what is missing and counts nothing twice; a further delivery counts nothing."""
    from chalicelib.adapters.dynamo import repositories
    from chalicelib.domain.tallies import Tally

    counters = stack.deps.counters
    changes = {key: [Tally(name, "2026-11-23") for name in names] for key, names in MOVED.items()}
    writes = []

    def stop_at_the_limit():
        if len(writes) == stop_after:
            raise RuntimeError("stopped")
        writes.append(1)

    real_update, real_save_all = repositories._update, repositories._save_all

    def update(item, actions, condition=None):
        stop_at_the_limit()
        real_update(item, actions, condition)

    def save_all(model, items):
        stop_at_the_limit()
        real_save_all(model, items)

    monkeypatch.setattr(repositories, "_update", update)
    monkeypatch.setattr(repositories, "_save_all", save_all)
    with pytest.raises(RuntimeError):
        counters.count_changes([(key, changes[key]) for key in first])
    monkeypatch.undo()
    applied = set().union(*(counters.count_changes([(key, changes[key]) for key in keys]) for keys in retried))
    # After the markers nothing of the first attempt is left to count.
    assert applied == (set(MOVED) if stop_after < 3 else set(MOVED) - set(first))
    assert counters.count_changes(list(changes.items())) == set()
    assert counters.days(["dispatched#roads", "dispatched#district:east", "accepted#roads"], "2026-11-23",
                         "2026-11-23") == {"dispatched#roads": {"2026-11-23": 2},
                                           "dispatched#district:east": {"2026-11-23": 1},
                                           "accepted#roads": {"2026-11-23": 1}}


def test_counters_count_atomically(stack):
    assert [stack.deps.counters.next("number#20261123") for _ in range(3)] == [1, 2, 3]
    assert stack.deps.counters.next("number#20261124") == 1


def test_the_catalog_keeps_the_configured_order(stack):
    catalog = stack.deps.catalog()
    assert list(catalog.categories) == ["roads", "lights", "noise", "other"]
    assert catalog.policy.max_rounds == 2 and catalog.policy.banned_words == ("傻逼",)
    assert catalog.locations["e2"].overrides == {"roads": "police"}


def test_a_contact_is_written_pending_and_kept_once_its_ticket_is_stored(stack):
    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone="13800138000")
    contact = next(i for i in stack.items() if i["sk"]["S"] == "CONTACT")
    assert contact["pending"]["BOOL"] is True and "expiration" in contact  # deletes itself unless kept
    stack.deps.tickets.keep_contact(ticket.id)
    contact = next(i for i in stack.items() if i["sk"]["S"] == "CONTACT")
    assert "pending" not in contact and "expiration" not in contact
    assert stack.deps.tickets.phone(ticket.id) == "13800138000"
    stack.deps.tickets.keep_contact(ticket.id)  # a redelivered record changes nothing
    stack.deps.tickets.keep_contact(make_ticket().id)  # no contact: nothing to keep


def test_a_second_ticket_with_the_same_id_overwrites_neither_ticket_nor_contact(stack):
    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone="13800138000")
    ticket.version = None
    with pytest.raises(ConcurrentUpdate):
        stack.deps.tickets.add(ticket, phone="13900000000")
    assert stack.deps.tickets.phone(ticket.id) == "13800138000"


def test_the_watch_list_holds_escalated_cases_and_extension_requests(stack):
    quiet, late = make_ticket(status=Status.SCREENED), make_ticket(status=Status.SCREENED)
    for ticket in (quiet, late):
        stack.deps.tickets.add(ticket, phone=None)
        ticket.dispatch("east-city", NOW, NOW, NOW)
    late.escalate("accept", NOW)
    for ticket in (quiet, late):
        stack.deps.tickets.save(ticket)
    assert [t.number for t in stack.deps.tickets.watched()] == [late.number]


def test_the_stored_holiday_table_reaches_the_deadline_clock(stack):
    stack.deps.catalog()
    calendar = stack.deps.clock.calendar
    assert not calendar.is_working_day(date(2027, 1, 4))  # a Monday, a holiday in the table
    assert calendar.is_working_day(date(2027, 1, 9))      # a Saturday, a make-up day in the table


def test_an_expired_contact_is_no_longer_given_out_and_the_table_will_delete_it(stack):
    from datetime import UTC, datetime, timedelta

    ticket = make_ticket()
    stack.deps.tickets.add(ticket, phone="13800138000")
    stack.deps.tickets.expire_contact(ticket.id, datetime.now(UTC) + timedelta(days=180))
    assert stack.deps.tickets.phone(ticket.id) == "13800138000"
    contact = next(i for i in stack.items() if i["sk"]["S"] == "CONTACT")
    assert int(contact["expiration"]["N"]) > datetime.now(UTC).timestamp() + 179 * 86400  # time-to-live
    stack.deps.tickets.expire_contact(ticket.id, datetime.now(UTC) - timedelta(seconds=1))
    assert stack.deps.tickets.phone(ticket.id) is None
    stack.deps.tickets.expire_contact(make_ticket().id, datetime.now(UTC))  # no contact: nothing happens


def test_the_local_retention_run_deletes_only_expired_contacts(stack):
    from datetime import UTC, datetime, timedelta

    from infra.local.retention import forget_expired_contacts

    old, recent, open_case = make_ticket(), make_ticket(), make_ticket()
    for ticket in (old, recent, open_case):
        stack.deps.tickets.add(ticket, phone="13800138000")
    stack.deps.tickets.expire_contact(old.id, datetime.now(UTC) - timedelta(days=1))
    stack.deps.tickets.expire_contact(recent.id, datetime.now(UTC) + timedelta(days=179))
    dynamodb = stack.session.client("dynamodb")
    assert forget_expired_contacts(dynamodb, stack.resources.table) == 1
    contacts = {i["pk"]["S"] for i in stack.items() if i["sk"]["S"] == "CONTACT"}
    assert contacts == {f"TICKET#{recent.id}", f"TICKET#{open_case.id}"}



def test_what_a_moderator_hid_reads_back_with_its_reasons(stack):
    from chalicelib.domain.model import Photo

    plain = make_ticket()
    ticket = make_ticket(description="隔壁张三家天天吵", photos=[Photo("a.jpg", "citizen", NOW)])
    for each in (plain, ticket):
        stack.deps.tickets.add(each, phone=None)
    ticket.hide("description", "privacy", "center", NOW)
    ticket.hide("photo:a.jpg", "照片中有人脸", "center", NOW)
    stack.deps.tickets.save(ticket)
    stored = stack.deps.tickets.by_number(ticket.number)
    assert stored.hidden == {"description": "privacy", "photo:a.jpg": "照片中有人脸"}
    assert [e.data["target"] for e in stored.events if e.kind == "hidden"] == ["description", "photo:a.jpg"]
    assert stack.deps.tickets.get(plain.id).hidden == {}


def test_every_ticket_is_read_page_by_page_and_nothing_else_is(stack):
    tickets = [make_ticket() for _ in range(7)]
    for ticket in tickets:
        stack.deps.tickets.add(ticket, phone="13800138000")  # a contact item beside each
    stack.deps.counters.next("number#20261123")
    read = list(stack.deps.tickets.every(page_size=3))
    assert sorted(t.id for t in read) == sorted(t.id for t in tickets)
    assert {t.number: t.description for t in read} == {t.number: t.description for t in tickets}
    assert all(t.version == 1 for t in read)
