"""The statistics pages from a small hand-made data set, the expected figures written out.

This month (November 2026, today the 23rd), counted per department:

    roads      dispatched 6, signed off 5 (4 on time), replied 3 (2 on time), rated 3 (2 satisfied), returned 1
               response 4/6 = 66.7%, completion 3/6 = 50.0%, satisfaction 2/3 = 66.7%, on time 2/3 = 66.7%,
               returns 1/6 = 16.7%; score (4/6 + 3/6 + 2/3 + 2/3 + 5/6) / 5 = 66.7%
    east-city  dispatched 5, signed off 5 on time, replied 4 on time, rated 2 satisfied 2, returned 0
               100.0%, 80.0%, 100.0%, 100.0%, 0.0%; score (1 + .8 + 1 + 1 + 1) / 5 = 96.0%
    police     dispatched 2, everything on time and satisfied: 100.0% everywhere, 0.0% returns;
               below the minimum sample of 5, so not ranked although it would top the table

and per district:

    east       dispatched 11, signed off 10 (9 on time), replied 7 (6 on time), rated 5 (4 satisfied), returned 1
               81.8%, 63.6%, 80.0%, 85.7%, 9.1%; score 80.4%
    west       dispatched 2, signed off 1 (late), replied 1 on time, rated 1 unsatisfied: 0.0%, 50.0%, 0.0%,
               100.0%, 0.0%; not ranked

Last month (October): roads dispatched 4, signed off 4 (3 on time), replied 4 on time, rated 2 (1 satisfied):
75.0%, 100.0%, 50.0%, 100.0%, 0.0%. The policy names one unit per league table, best and worst.

Intake: November 4 cases (3 complaints, 1 request for help; 3 by QR code, 1 by the hotline), October 2,
June 1, and one in October 2025 (more than twelve months ago: no link to it)."""
from __future__ import annotations

import json
import os
import re
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.stats import MEASURES
from chalicelib.domain.tallies import Tally
from chalicelib.i18n import Messages
from chalicelib.services.publish import environment
from chalicelib.services.stats import stats_pages, unit_rates
from tests.builders import CITY
from tests.fakes import World, make_world

TODAY = date(2026, 11, 23)
HAN = re.compile(r"[\u4e00-\u9fff]")
NOVEMBER = {
    "roads": (6, 5, 4, 3, 2, 3, 2, 1),
    "east-city": (5, 5, 5, 4, 4, 2, 2, 0),
    "police": (2, 2, 2, 2, 2, 1, 1, 0),
    "district:east": (11, 10, 9, 7, 6, 5, 4, 1),
    "district:west": (2, 1, 0, 1, 1, 1, 0, 0),
}
OCTOBER = {"roads": (4, 4, 3, 4, 4, 2, 1, 0)}
INTAKE = [("submitted#all", "2026-11-02", 1), ("submitted#all", "2026-11-23", 3), ("submitted#all", "2026-10-15", 2),
          ("submitted#all", "2026-06-01", 1), ("submitted#all", "2025-10-31", 1),
          ("submitted#kind:complaint", "2026-11-02", 1), ("submitted#kind:complaint", "2026-11-23", 2),
          ("submitted#kind:help", "2026-11-23", 1), ("submitted#kind:complaint", "2026-10-15", 2),
          ("submitted#channel:qr", "2026-11-23", 3), ("submitted#channel:hotline", "2026-11-02", 1),
          ("submitted#channel:web", "2026-10-15", 2)]


def count(world: World, counter: str, day: str, times: int) -> None:
    world.counters.count_changes([(f"{counter}:{day}:{n}", [Tally(counter, day)]) for n in range(times)])


def city(**policy: Any) -> World:
    world = make_world(data={**CITY, "policy": {**CITY["policy"], "league_departments": 1, "league_districts": 1,
                                                 **policy}})
    for figures, day in ((NOVEMBER, "2026-11-10"), (OCTOBER, "2026-10-31")):
        for scope, values in figures.items():
            for measure, value in zip(MEASURES, values, strict=True):
                count(world, f"{measure}#{scope}", day, value)
    for counter, day, value in INTAKE:
        count(world, counter, day, value)
    # The months with intake, as listing the cases notes them.
    world.listings.note("months", {day[:7] for counter, day, _ in INTAKE if counter == "submitted#all"})
    return world


def pages(world: World) -> dict[str, str]:
    """The index and last month's page (the planner names each when its counters move)."""
    return dict(stats_pages(world.deps, TODAY)) | dict(stats_pages(world.deps, TODAY, "2026-10"))


def row(html: str, href: str) -> list[Any]:
    """The table row linking to `href`: the name, then (this month, last month) per figure cell."""
    found = re.search(rf'<tr><th scope="row"><a href="[^"]*{re.escape(href)}">([^<]*)</a></th>(.*?)</tr>', html)
    assert found, href
    cells = re.findall(r"<td>([^<]*)(?:<small>([^<]*)</small>)?</td>", found.group(2))
    return [found.group(1), *[(this, last) if last else this for this, last in cells]]


def league(html: str, heading: str) -> list[tuple[str, str]]:
    """(name, score) of the league table under a heading; [] when the table says nobody qualifies."""
    found = re.search(rf"<h3>{re.escape(heading)}</h3>\s*(<ol>.*?</ol>|<p[^>]*>[^<]*</p>)", html, re.S)
    assert found, heading
    return re.findall(r'<a href="[^"]*">([^<]*)</a> <span class="score">([^<]*)</span>', found.group(1))


@pytest.fixture(scope="module")
def site() -> dict[str, str]:
    return pages(city())


def test_the_pages_are_this_month_and_last_month_in_both_languages(site):
    assert sorted(site) == ["en/stats/2026-10.html", "en/stats/index.html", "stats/2026-10.html", "stats/index.html"]


def test_each_department_shows_its_five_rates_with_last_month_beside(site):
    zh, en = site["stats/index.html"], site["en/stats/index.html"]
    roads = [("6", "4"), ("66.7%", "75.0%"), ("50.0%", "100.0%"), ("66.7%", "50.0%"), ("66.7%", "100.0%"),
             ("16.7%", "0.0%")]
    assert row(zh, "d/roads.html") == ["市交通运输局", *roads]
    assert row(en, "en/d/roads.html") == ["市交通运输局", *roads]  # the city names it in Chinese only
    assert row(zh, "d/east-city.html")[1:] == [("5", "0"), ("100.0%", "—"), ("80.0%", "—"), ("100.0%", "—"),
                                               ("100.0%", "—"), ("0.0%", "—")]
    assert row(zh, "d/police.html")[1:] == [("2", "0"), ("100.0%", "—"), ("100.0%", "—"), ("100.0%", "—"),
                                            ("100.0%", "—"), ("0.0%", "—")]


def test_each_district_shows_its_rates_and_links_to_its_hall(site):
    for key, prefix in (("stats/index.html", ""), ("en/stats/index.html", "en/")):
        html = site[key]
        assert row(html, f"http://site.test/{prefix}hall/a/east.html") == [
            "东城区", ("11", "0"), ("81.8%", "—"), ("63.6%", "—"), ("80.0%", "—"), ("85.7%", "—"), ("9.1%", "—")]
        assert row(html, f"/{prefix}hall/a/west.html")[1:] == [
            ("2", "0"), ("0.0%", "—"), ("50.0%", "—"), ("0.0%", "—"), ("100.0%", "—"), ("0.0%", "—")]


def test_league_tables_rank_by_score_and_leave_out_units_below_the_minimum_sample(site):
    zh, en = site["stats/index.html"], site["en/stats/index.html"]
    assert league(zh, "部门前 1 名") == [("东城区城市管理局", "96.0%")]
    assert league(zh, "部门后 1 名") == [("市交通运输局", "66.7%")]
    assert league(en, "Top 1 departments") == [("东城区城市管理局", "96.0%")]
    assert league(en, "Bottom 1 departments") == [("市交通运输局", "66.7%")]
    assert league(zh, "区县前 1 名") == [("东城区", "80.4%")]
    assert league(zh, "区县后 1 名") == []  # the only ranked district is in the top table already
    assert "未排名部门（少于 5 件）：市公安局交通警察支队</p>" in zh  # perfect, but only 2 cases
    assert "未排名区县（少于 5 件）：西城区</p>" in zh
    assert "Departments not ranked (fewer than 5 cases): 市公安局交通警察支队</p>" in en


def test_a_city_that_lowers_the_minimum_sample_lets_a_small_unit_top_the_table():
    html = pages(city(league_min_sample=2))["stats/index.html"]
    assert league(html, "部门前 1 名") == [("市公安局交通警察支队", "100.0%")]
    assert "未排名部门" not in html


def test_intake_is_counted_per_kind_and_per_channel(site):
    zh, en = site["stats/index.html"], site["en/stats/index.html"]
    assert "当月共受理诉求 4 件。" in zh and "Cases filed in the month: 4." in en
    for html, kinds, channels in ((zh, ("投诉", "求助", "建议"), ("扫码", "热线电话", "网页")),
                                  (en, ("Complaint", "Request for help", "Suggestion"), ("QR code", "Hotline", "Web"))):
        for name, n in zip(kinds + channels, (3, 1, 0, 3, 1, 0), strict=True):
            assert f'<tr><th scope="row">{name}</th><td>{n}</td></tr>' in html


def test_the_daily_chart_covers_the_last_30_days_and_says_its_total(site):
    html = site["en/stats/index.html"]
    points = re.search(r'<polyline points="([^"]*)"', html).group(1).split()
    assert len(points) == 30
    assert 'aria-label="Cases filed per day (last 30 days): 4 in all, at most 3 on one day (2026-11-23)"' in html
    assert html.count('role="img"') == 3  # intake, departments' rates, districts' rates


def test_last_months_page_stands_alone_and_nobody_is_ranked_below_the_sample(site):
    zh, en = site["stats/2026-10.html"], site["en/stats/2026-10.html"]
    assert "办理统计 · 2026年10月" in zh and "Statistics · 2026-10" in en
    assert row(zh, "d/roads.html") == ["市交通运输局", "4", "75.0%", "100.0%", "50.0%", "100.0%", "0.0%"]
    assert row(zh, "d/east-city.html")[1:] == ["0", "—", "—", "—", "—", "—"]
    assert league(zh, "部门前 1 名") == [] and "暂无达到样本量的单位" in zh
    assert "当月共受理诉求 2 件。" in zh
    assert 'href="http://site.test/en/stats/index.html"' in en


def test_the_index_links_the_past_twelve_months_that_had_intake(site):
    for key, prefix in (("stats/index.html", ""), ("en/stats/index.html", "en/")):
        months = re.findall(rf'href="http://site.test/{prefix}stats/(\d{{4}}-\d\d)\.html"', site[key])
        assert months == ["2026-10", "2026-06"]
    assert ">2026年6月</a>" in site["stats/index.html"] and ">2026-06</a>" in site["en/stats/index.html"]


def test_the_english_pages_speak_english_beyond_the_names_the_city_gave(site):
    names = {d["name"] for d in CITY["departments"]} | {d["name"] for d in CITY["districts"]}
    for key in ("en/stats/index.html", "en/stats/2026-10.html"):
        chrome = site[key]
        for name in sorted(names, key=len, reverse=True):
            chrome = chrome.replace(name, "")
        chrome = chrome.replace(Messages("zh-CN")("lang.name"), "")  # the link to the Chinese page
        assert HAN.findall(chrome) == []
        assert '<html lang="en">' in chrome


def test_each_page_stays_small_with_fifteen_departments_and_eight_districts():
    data = {**CITY,
            "departments": [{"code": f"dept-{n}", "name": f"市第{n}行政管理局城市综合执法支队",
                             "names": {"en": f"Bureau of Urban Administration and Comprehensive Enforcement No. {n}"}}
                            for n in range(15)],
            "districts": [{"code": f"area-{n}", "name": f"第{n}经济技术开发区",
                           "names": {"en": f"Economic and Technological Development Zone {n}"}} for n in range(8)],
            "locations": [], "rules": []}
    world = make_world(data=data, env={"MASHANG_SITE_URL": "https://mashang.example.gov.cn"})
    scopes = [f"dept-{n}" for n in range(15)] + [f"district:area-{n}" for n in range(8)]
    for scope in scopes:
        for day in ("2026-10-20", "2026-11-20"):
            for measure, value in zip(MEASURES, (9, 8, 7, 6, 5, 4, 3, 1), strict=True):
                count(world, f"{measure}#{scope}", day, value)
    for back in range(1, 24):
        count(world, "submitted#all", f"2026-11-{back:02d}", back % 7 + 1)
    sizes = {key: len(html.encode()) for key, html in pages(world).items()}
    assert all(size < 30 * 1024 for size in sizes.values()), sizes


class NoTickets:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the statistics read a case ({name}); they must read counters only")


def test_statistics_read_counters_only_each_once_over_a_bounded_span():
    world = city()
    world.deps.tickets = NoTickets()  # type: ignore[assignment]
    stats_pages(world.deps, TODAY)
    reads = world.counters.reads
    assert len(reads) == len({counter for counter, _, _ in reads})  # each counter read once
    # 8 measures × (3 departments + 2 districts), 5 kinds, 6 channels, and all intake
    assert len(reads) == 8 * 5 + 5 + 6 + 1
    # stored by unit: one query per department and district, and one for the intake
    assert world.counters.partitions_read == 3 + 2 + 1
    for counter, first, last in reads:
        span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
        if counter.startswith("submitted#"):  # the chart's 30 days and the two months, up to today
            assert (first, last) == ("2026-10-01", "2026-11-23")
        else:
            assert (first, last, span) == ("2026-10-01", "2026-11-30", 61)


def test_a_closed_month_whose_counters_moved_gets_its_own_page_alone():
    world = city()
    found = dict(stats_pages(world.deps, TODAY, "2026-06"))
    assert sorted(found) == ["en/stats/2026-06.html", "stats/2026-06.html"]
    assert all(first >= "2026-06-01" and last <= "2026-06-30" for _, first, last in world.counters.reads)


def test_a_units_rates_this_month_and_last_for_its_own_page():
    world = city()
    this, last = unit_rates(world.deps, "roads", TODAY)
    assert (this.cases, this.response, this.completion) == (6, pytest.approx(4 / 6), pytest.approx(0.5))
    assert (last.cases, last.satisfaction, last.on_time) == (4, pytest.approx(0.5), pytest.approx(1.0))
    assert len(world.counters.reads) == len(MEASURES)
    macro = environment().get_template("site/_rates.html").module.rates_table  # type: ignore[attr-defined]
    html = str(macro(Messages("en"), this, last))
    assert "<tr><th scope=\"row\">Response rate</th><td>66.7%</td><td>75.0%</td></tr>" in html
    assert "<tr><th scope=\"row\">Cases</th><td>6</td><td>4</td></tr>" in html
    assert "<tr><th scope=\"row\">Return rate</th><td>16.7%</td><td>0.0%</td></tr>" in html


def test_the_index_publishes_the_measured_cost_per_1000_cases_and_its_date(tmp_path, monkeypatch):
    from chalicelib.services import measured as module
    from chalicelib.services import stats

    results = tmp_path / "results.json"
    results.write_text(json.dumps({"date": "2026-11-25", "cost_per_1000_cases_usd": 0.3712,
                                   "cost_city_day": {"dollars_per_1000_cases_total": 0.6941,
                                                     "city": {"cases_per_day": 3000, "places": 1000,
                                                              "departments": 40}},
                                   "prices": {"region": "us-east-1"}}))
    monkeypatch.setattr(stats, "measured", lambda: module.measured.__wrapped__(results))
    world = city()
    index = dict(stats_pages(world.deps, TODAY))
    assert "约 $0.37（不含短信）" in index["stats/index.html"]
    assert "2026-11-25 实测" in index["stats/index.html"]
    assert "run one after another" in index["en/stats/index.html"]  # the pace it was measured at
    assert "about $0.37 in cloud services per 1,000 cases" in index["en/stats/index.html"]
    assert "Measured 2026-11-25" in index["en/stats/index.html"]
    assert "由实测的各项费用按一座城市每天 3,000 件诉求的节奏推算" in index["stats/index.html"]  # a city's pace too
    assert "一件接一件连续运行实测" in index["stats/index.html"]
    assert "按 1,000 个地点、40 个责任单位、诉求平均分布计" in index["stats/index.html"]  # the city it assumes
    assert "taking 1,000 places and 40 departments, cases spread evenly" in index["en/stats/index.html"]
    assert "诉求平均分布计），每 1,000 件诉求约 $0.69，更接近一座城市实际支付的费用。" in index["stats/index.html"]
    assert "Counted from the measured parts for a city&#39;s pace of 3,000 cases a day" in index["en/stats/index.html"]
    assert "cases spread evenly): about $0.69 per 1,000 cases, closer to what a city pays." in index[
        "en/stats/index.html"]
    assert "短信、内容分发、存储、工作人员登录和日志" in index["stats/index.html"]  # what the figure leaves out
    assert "SMS, content delivery, storage, staff sign-in and logs" in index["en/stats/index.html"]
    month = dict(stats_pages(world.deps, TODAY, "2026-10"))["stats/2026-10.html"]
    assert "running-cost" not in month  # a month's own page is its record, not today's bill


def test_a_city_figure_without_the_city_it_was_counted_for_is_not_shown(tmp_path, monkeypatch):
    from chalicelib.services import measured as module
    from chalicelib.services import stats

    results = tmp_path / "results.json"
    results.write_text(json.dumps({"date": "2026-11-25", "cost_per_1000_cases_usd": 0.3712,
                                   "cost_city_day": {"dollars_per_1000_cases_total": 0.6941,
                                                     "city": {"cases_per_day": 3000}},
                                   "prices": {"region": "us-east-1"}}))
    monkeypatch.setattr(stats, "measured", lambda: module.measured.__wrapped__(results))
    index = dict(stats_pages(city().deps, TODAY))["stats/index.html"]
    assert "约 $0.37（不含短信）" in index and "$0.69" not in index


def test_without_a_measurement_the_index_says_nothing_of_the_cost(tmp_path, monkeypatch):
    from chalicelib.services import measured as module
    from chalicelib.services import stats

    monkeypatch.setattr(stats, "measured", lambda: module.measured.__wrapped__(tmp_path / "none.json"))
    assert "running-cost" not in dict(stats_pages(city().deps, TODAY))["stats/index.html"]


def test_the_committed_results_are_what_the_page_reads():
    from bench.results import summary
    from chalicelib.services.measured import RESULTS, measured

    shown = measured()
    assert shown is not None, f"{RESULTS} is missing or malformed: run `make bench`"
    assert shown.per_1000_cases > 0 and shown.region == "us-east-1"
    with pytest.raises(ValueError, match="no cost figures"):
        summary({}, {"region": "us-east-1", "as_of": "2026-11-24", "excluded": ""}, TODAY)
    made = summary({"cost": {"dollars_per_1000_cases_total": 0.5}},
                   {"region": "us-east-1", "as_of": "2026-11-24", "excluded": "SMS"}, TODAY)
    assert (made["cost_per_1000_cases_usd"], made["date"], made["machine"]["cores"]) == (0.5, TODAY.isoformat(),
                                                                                         os.cpu_count())
