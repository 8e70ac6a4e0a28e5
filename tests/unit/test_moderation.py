"""Moderation in the domain: hiding a citizen's text or a photo from the public, with a reason."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput, Unhideable
from chalicelib.domain.model import Event, Outcome, Photo, PhotoState, Rating, Ticket
from chalicelib.domain.moderation import hidden_photos, public_description, public_note, rating_comment
from chalicelib.services import actions
from chalicelib.services.commands import HideContent
from tests.builders import NOW, make_dispatched, make_ticket
from tests.fakes import World, make_world


def with_addition():
    ticket = make_dispatched()
    ticket.add_information("楼道里还有一盏也坏了，电话13800138000", (), NOW)
    return ticket, len(ticket.events) - 1


def test_hiding_the_description_records_it_and_the_public_sees_the_reason_only():
    ticket = make_ticket(description="隔壁张三家天天吵")
    assert ticket.hide("description", "privacy", "center", NOW) is True
    assert ticket.hidden == {"description": "privacy"}
    assert ticket.events[-1].kind == "hidden"
    assert ticket.events[-1].data == {"target": "description", "reason": "privacy"}
    assert public_description(ticket) == ("", "privacy")
    assert ticket.description == "隔壁张三家天天吵"  # staff still have it


def test_hiding_the_same_target_twice_changes_nothing_the_second_time():
    ticket = make_ticket()
    ticket.hide("description", "privacy", "center", NOW)
    events = list(ticket.events)
    assert ticket.hide("description", "其他理由", "center", NOW) is False
    assert ticket.events == events and ticket.hidden == {"description": "privacy"}


def test_an_addition_is_hidden_by_its_timeline_index():
    ticket, index = with_addition()
    assert public_note(ticket, index, ticket.events[index])[0].startswith("楼道里还有一盏也坏了")
    assert "13800138000" not in public_note(ticket, index, ticket.events[index])[0]
    ticket.hide(f"event:{index}", "与诉求无关", "center", NOW)
    assert public_note(ticket, index, ticket.events[index]) == ("", "与诉求无关")


def test_a_rating_comment_is_hidden_by_the_index_of_its_rated_event():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    ticket.rate(Rating.SATISFIED, "师傅辛苦了", "citizen", 2, NOW)
    rated = next(i for i, e in enumerate(ticket.events) if e.kind == "rated")
    assert rating_comment(ticket) == ("师傅辛苦了", None)
    ticket.hide(f"event:{rated}", "abusive", "center", NOW)
    assert rating_comment(ticket) == ("", "abusive")


def test_a_photo_is_hidden_by_its_name():
    ticket = make_ticket(photos=[Photo("a.jpg", "citizen", NOW, PhotoState.PUBLIC)])
    ticket.hide("photo:a.jpg", "privacy", "center", NOW)
    assert hidden_photos(ticket) == {"a.jpg": "privacy"}


@pytest.mark.parametrize("target, code", [
    ("title", "target"), ("", "target"), ("event:x", "target"), ("photo:", "target"),
    ("event:0", "event"),  # "submitted": no citizen note of its own
    ("event:99", "event"), ("photo:nope.jpg", "photo"),
])
def test_unknown_targets_are_refused_with_a_reason_and_change_nothing(target, code):
    ticket = make_ticket()
    before = list(ticket.events)
    with pytest.raises(Unhideable) as refused:
        ticket.hide(target, "privacy", "center", NOW)
    assert refused.value.code == code and refused.value.field == "target"
    assert isinstance(refused.value, InvalidInput)
    assert ticket.events == before and ticket.hidden == {}


def test_a_reason_is_required():
    ticket = make_ticket()
    with pytest.raises(Unhideable) as refused:
        ticket.hide("description", "  ", "center", NOW)
    assert (refused.value.code, refused.value.field) == ("reason", "reason")


def test_a_confidential_case_shows_no_text_and_no_reason():
    ticket = make_ticket(confidential=True)
    assert public_description(ticket) == ("", None)
    ticket.hide("description", "privacy", "center", NOW)
    assert public_description(ticket) == ("", None)


def test_the_public_description_is_redacted():
    ticket = make_ticket(description="路灯坏了，联系13800138000")
    text, reason = public_description(ticket)
    assert reason is None and "13800138000" not in text and text.startswith("路灯坏了")


def test_system_events_are_not_citizen_text():
    ticket = make_dispatched()
    ticket.events.append(Event("rated", NOW, "system", "未能联系到群众"))
    with pytest.raises(Unhideable):
        ticket.hide(f"event:{len(ticket.events) - 1}", "privacy", "center", NOW)


# --- the action, against in-memory fakes ---------------------------------------------------------
def stored_case(world: World) -> Ticket:
    ticket = make_dispatched(description="隔壁张三家天天吵", photos=[Photo("a.jpg", "citizen", NOW, PhotoState.PUBLIC)])
    world.photos.keep("a.jpg", b"full", b"small")
    world.tickets.add(ticket, phone=None)
    world.deliver()
    return ticket


def test_hiding_rewrites_both_pages_and_withdraws_a_hidden_photo_after_the_write():
    world = make_world()
    ticket = stored_case(world)
    assert f"p/{ticket.number}/a.jpg" in world.site.pages
    actions.hide(ticket.number, HideContent(target="photo:a.jpg", reason="privacy"), "center", world.deps)
    actions.hide(ticket.number, HideContent(target="description", reason="privacy"), "center", world.deps)
    assert f"p/{ticket.number}/a.jpg" in world.site.pages  # nothing happens inside the change
    world.deliver()
    assert f"p/{ticket.number}/a.jpg" not in world.site.pages
    assert f"p/{ticket.number}/a-s.jpg" not in world.site.pages
    for key in (f"t/{ticket.number}.html", f"en/t/{ticket.number}.html"):
        page = world.site.text(key)
        assert "张三" not in page and ("已被管理员隐藏" in page or "Hidden by the moderator" in page)


def test_hiding_twice_writes_once_and_a_conflict_is_decided_again():
    world = make_world()
    ticket = stored_case(world)
    world.tickets.interfere(ticket.id, lambda t: t.wait_for("accept", "tok"))
    actions.hide(ticket.number, HideContent(target="description", reason="privacy"), "center", world.deps)
    writes = world.tickets.writes
    again = actions.hide(ticket.number, HideContent(target="description", reason="privacy"), "center", world.deps)
    assert world.tickets.writes == writes
    assert [e.kind for e in again.events].count("hidden") == 1 and again.task_token == "tok"


@pytest.mark.parametrize("body, field, words", [
    ({"target": "title", "reason": "privacy"}, "target", "无法隐藏"),
    ({"target": "photo:nope.jpg", "reason": "privacy"}, "target", "没有这张照片"),
    ({"target": "description", "reason": " "}, "reason", "请填写隐藏理由"),
    ({"reason": "privacy"}, "target", "无法隐藏"),
])
def test_a_bad_target_or_no_reason_is_refused_in_the_staffs_words_and_writes_nothing(body, field, words):
    world = make_world()
    ticket = stored_case(world)
    writes = world.tickets.writes
    with pytest.raises(InvalidInput) as refused:
        actions.hide(ticket.number, HideContent.parse(body), "center", world.deps)
    assert refused.value.field == field and words in refused.value.message
    assert world.tickets.writes == writes
