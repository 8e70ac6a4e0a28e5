"""The published figures from a small hand-made data set, the expected numbers written out."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.model import Outcome, Rating, Status
from chalicelib.domain.stats import Counts, Rates, league
from chalicelib.domain.tallies import tallies
from tests.builders import NOW, make_ticket


def test_the_five_rates_of_a_department():
    # 10 dispatched; 8 signed off, 6 of them on time; 7 replied, 5 on time; 4 rated, 3 satisfied; 1 returned
    rates = Rates.of(Counts(dispatched=10, accepted=8, accepted_on_time=6, replied=7, replied_on_time=5,
                            rated=4, satisfied=3, returns=1))
    assert rates.response == pytest.approx(0.6)
    assert rates.completion == pytest.approx(0.7)
    assert rates.satisfaction == pytest.approx(0.75)
    assert rates.on_time == pytest.approx(5 / 7)
    assert rates.returns == pytest.approx(0.1)
    assert rates.score == pytest.approx((0.6 + 0.7 + 0.75 + 5 / 7 + 0.9) / 5)


def test_no_cases_no_rates():
    rates = Rates.of(Counts())
    assert (rates.response, rates.completion, rates.satisfaction, rates.on_time, rates.returns, rates.score) \
        == (None, None, None, None, None, None)


def test_a_league_table_needs_the_minimum_sample_and_lists_a_unit_once():
    perfect_but_one_case = Counts(dispatched=1, accepted=1, accepted_on_time=1, replied=1, replied_on_time=1,
                                  rated=1, satisfied=1)
    good = Counts(dispatched=20, accepted=20, accepted_on_time=19, replied=18, replied_on_time=18, rated=10,
                  satisfied=9)
    fair = Counts(dispatched=10, accepted=9, accepted_on_time=6, replied=7, replied_on_time=5, rated=5,
                  satisfied=3, returns=1)
    poor = Counts(dispatched=6, accepted=4, accepted_on_time=2, replied=2, replied_on_time=1, rated=2,
                  satisfied=0, returns=2)
    table = league({"one": perfect_but_one_case, "good": good, "fair": fair, "poor": poor}, size=2, min_sample=5)
    assert [code for code, _ in table.best] == ["good", "fair"]
    assert [code for code, _ in table.worst] == ["poor"]  # never in both tables
    assert table.unranked == ["one"]


def test_events_move_the_counters_the_rates_read():
    ticket = make_ticket(status=Status.SCREENED)
    ticket.dispatch("east-city", accept_due=NOW + timedelta(days=1), reply_due=NOW + timedelta(days=5), at=NOW)
    ticket.accept("east-city", NOW + timedelta(hours=1))  # on time
    ticket.answer("east-city", "已修复", Outcome.RESOLVED, (ticket.reply_due or NOW) + timedelta(hours=1))  # late
    ticket.open_survey("digest", NOW + timedelta(days=10), NOW + timedelta(days=5))
    ticket.rate(Rating.BASICALLY_SATISFIED, "", "citizen", 2, NOW + timedelta(days=6))
    names = sorted(t.counter for t in tallies(ticket))
    for measure in ("dispatched", "accepted", "accepted_on_time", "replied", "rated", "satisfied"):
        assert f"{measure}#east-city" in names and f"{measure}#district:east" in names
    assert "replied_on_time#east-city" not in names
    assert {"submitted#all", "submitted#kind:complaint", "submitted#channel:qr", "submitted#district:east"} \
        <= set(names)


def test_what_follows_a_dispatch_counts_in_the_dispatchs_month_so_no_rate_passes_100_percent():
    """Dispatched on 31 October, signed off, answered and returned... in November: October's
    cohort. Its verdict counts on its own day (November)."""
    october = NOW.replace(month=10, day=31)
    ticket = make_ticket(status=Status.SCREENED)
    ticket.dispatch("east-city", accept_due=NOW, reply_due=NOW + timedelta(days=5), at=october)
    ticket.accept("east-city", NOW)
    ticket.answer("east-city", "已修复", Outcome.RESOLVED, NOW + timedelta(days=1))
    ticket.open_survey("digest", NOW + timedelta(days=10), NOW + timedelta(days=1))
    ticket.rate(Rating.SATISFIED, "", "citizen", 2, NOW + timedelta(days=2))
    days = {t.counter: t.day for t in tallies(ticket)}
    assert days["dispatched#east-city"] == days["accepted#east-city"] == days["replied#east-city"] == "2026-10-31"
    assert days["rated#east-city"] == days["satisfied#east-city"] == "2026-11-25"
    assert days["submitted#all"] == "2026-11-23"  # filed on its own day
