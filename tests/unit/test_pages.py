"""The public page renders from the ticket alone: escaped, redacted, no contact data."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from chalicelib.config import Settings
from chalicelib.domain.calendar import CHINA, Clock, WorkCalendar
from chalicelib.domain.model import Outcome, Photo, PhotoState, Rating
from chalicelib.services.publish import cn_due, public_view, ticket_page
from tests.builders import NOW, make_catalog, make_dispatched, make_ticket


class _Deps:
    settings = replace(Settings.from_env({}), site_url="https://site.example")
    clock = Clock(source=lambda: NOW)

    @staticmethod
    def catalog():
        return make_catalog()


def test_citizen_text_is_escaped_and_contact_numbers_are_hidden():
    ticket = make_ticket(description="<script>alert('x')</script> 联系13800138000 身份证320802199001011234")
    html = ticket_page(ticket, make_catalog(), _Deps())
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "13800138000" not in html
    assert "320802199001011234" not in html


def test_the_page_shows_department_deadlines_reply_and_timeline():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已更换灯泡", Outcome.RESOLVED, NOW)
    html = ticket_page(ticket, make_catalog(), _Deps())
    assert "东城区城市管理局" in html
    assert "已答复" in html and "已更换灯泡" in html
    for label in ("群众提交诉求", "派单至承办单位", "承办单位签收", "承办单位答复"):
        assert label in html
    assert "2026-11-23 09:30" in html  # China time
    assert "<svg" in html  # one case, one code


def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_before():
    assert cn_due(datetime(2026, 11, 24, tzinfo=CHINA)) == "2026-11-23 24:00"
    assert cn_due(datetime(2026, 11, 24, 15, 5, tzinfo=CHINA)) == "2026-11-24 15:05"


def test_the_public_json_has_no_secrets_and_redacts_text():
    ticket = make_ticket(description="电话13800138000")
    view = public_view(ticket, _Deps())
    assert view["location_name"] == "人民公园东门"
    assert "13800138000" not in str(view)
    assert ticket.secret_digest not in str(view)


# --- countdown, merged cases, moderation, one entry per event ----------------------------------
def dispatched_until(due: datetime):
    ticket = make_dispatched()
    ticket.accept_due = due
    return ticket


def page_data(html: str) -> dict:
    return json.loads(html.split('id="page-data">', 1)[1].split("</script>", 1)[0])


def test_a_dispatched_case_counts_down_its_working_days_in_both_languages():
    ticket = dispatched_until(WorkCalendar().add_working_days(NOW, 3))
    zh, en = (ticket_page(ticket, make_catalog(), _Deps(), locale, now=NOW) for locale in ("zh-CN", "en"))
    assert 'id="countdown">还剩 3 个工作日<' in zh and "签收时限" in zh
    assert 'id="countdown">3 working days left<' in en
    assert 'class="deadline"' in zh and "deadline late" not in zh
    data = page_data(zh)["countdown"]
    assert data["last_day"] == "2026-11-26" and data["workdays"][:4] == \
        ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]
    assert "2026-11-28" not in data["workdays"]  # a Saturday


def test_an_overdue_case_has_a_red_mark_with_the_working_days_late():
    ticket = dispatched_until(datetime(2026, 11, 27, tzinfo=CHINA))  # end of Thursday 26 November
    monday = datetime(2026, 11, 30, 10, tzinfo=CHINA)
    zh, en = (ticket_page(ticket, make_catalog(), _Deps(), locale, now=monday) for locale in ("zh-CN", "en"))
    assert 'class="deadline late"' in zh and 'id="countdown">已超期 2 个工作日<' in zh
    assert 'id="countdown">Overdue by 2 working days<' in en
    assert public_view(ticket, _Deps())["countdown"]["working_days_left"] == 3  # as of NOW, the Monday before


def test_a_finished_case_shows_no_countdown():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已更换灯泡", Outcome.RESOLVED, NOW)
    html = ticket_page(ticket, make_catalog(), _Deps(), now=NOW)
    assert 'id="countdown"' not in html and '"countdown"' not in html
    assert public_view(ticket, _Deps())["countdown"] is None


def test_a_merged_case_links_the_case_it_joined_instead_of_awaiting_dispatch():
    original = make_dispatched()
    duplicate = make_ticket()
    duplicate.merge_into(original, NOW)
    zh = ticket_page(duplicate, make_catalog(), _Deps(), now=NOW)
    en = ticket_page(duplicate, make_catalog(), _Deps(), "en", now=NOW)
    department = zh.split('id="department">', 1)[1].split("</dd>", 1)[0]
    assert f'href="https://site.example/t/{original.number}.html"' in department
    assert f"并入诉求 {original.number} 办理" in department
    assert "待派单" not in zh and "Not yet assigned" not in en
    assert f"Handled with case {original.number}" in en and 'id="countdown"' not in zh


def test_an_invalid_case_does_not_say_it_awaits_dispatch():
    ticket = make_ticket()
    ticket.invalidate("too_short", NOW)
    assert "待派单" not in ticket_page(ticket, make_catalog(), _Deps(), now=NOW)


def test_hidden_citizen_words_show_the_moderators_reason_not_the_text():
    ticket = make_dispatched(description="隔壁张三家天天吵，他叫张三", photos=[
        Photo("a.jpg", "citizen", NOW, PhotoState.PUBLIC), Photo("b.jpg", "citizen", NOW, PhotoState.PUBLIC)])
    ticket.add_information("张三又在吵", (), NOW)
    added = len(ticket.events) - 1
    ticket.hide("description", "privacy", "center", NOW)
    ticket.hide(f"event:{added}", "照片里有人脸", "center", NOW)
    ticket.hide("photo:a.jpg", "privacy", "center", NOW)
    zh = ticket_page(ticket, make_catalog(), _Deps(), now=NOW)
    en = ticket_page(ticket, make_catalog(), _Deps(), "en", now=NOW)
    assert "张三" not in zh and "张三" not in en
    assert 'class="moderated" id="description">已被管理员隐藏（原因：含有个人隐私信息）<' in zh
    assert "Hidden by the moderator (reason: personal information)" in en
    assert "已被管理员隐藏（原因：照片里有人脸）" in zh  # the addition, in the timeline
    assert "对公众隐藏内容</strong> · 管理员" in zh and "诉求内容，原因：含有个人隐私信息" in zh  # on the timeline
    assert "p/" + ticket.number + "/a" not in zh and "p/" + ticket.number + "/b-s.jpg" in zh
    assert zh.count('class="photo-hidden"') == 1
    view = public_view(ticket, _Deps())
    assert "张三" not in json.dumps(view, ensure_ascii=False)
    assert view["description"] == "已被管理员隐藏（原因：含有个人隐私信息）"
    assert [p.rsplit("/", 1)[1] for p in view["photos"]] == ["b.jpg"]
    assert public_view(ticket, _Deps(), "en")["hidden"]["photo:a.jpg"] == "personal information"
    staff = public_view(ticket, _Deps(), staff=True)
    assert "张三" in staff["description"] and staff["hidden"]["description"] == "含有个人隐私信息"
    assert any(e["note"] == "张三又在吵" for e in staff["events"])


def test_a_hidden_rating_comment_shows_the_reason():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已更换灯泡", Outcome.RESOLVED, NOW)
    ticket.rate(Rating.UNSATISFIED, "一群废物", "citizen", 1, NOW)
    ticket.hide(f"event:{[e.kind for e in ticket.events].index('rated')}", "abusive", "center", NOW)
    html = ticket_page(ticket, make_catalog(), _Deps(), now=NOW)
    assert "一群废物" not in html
    assert 'class="moderated" id="rating-comment">已被管理员隐藏（原因：含有不文明用语）<' in html


def test_the_same_event_recorded_twice_is_listed_once():
    ticket = make_dispatched()
    ticket.accept("east-city", NOW)
    ticket.events.append(ticket.events[-1])
    html = ticket_page(ticket, make_catalog(), _Deps(), now=NOW)
    assert html.count("承办单位签收") == 1
    assert [e["kind"] for e in public_view(ticket, _Deps())["events"]].count("accepted") == 1
