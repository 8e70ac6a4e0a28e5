"""The public page renders from the ticket alone: escaped, redacted, no contact data."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.config import Settings
from chalicelib.domain.calendar import CHINA
from chalicelib.domain.model import Outcome
from chalicelib.services.publish import cn_due, public_view, ticket_page
from tests.builders import NOW, make_catalog, make_dispatched, make_ticket


class _Deps:
    settings = replace(Settings.from_env({}), site_url="https://site.example")

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
