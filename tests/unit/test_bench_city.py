"""The cost of a case at a city's pace (bench/city.py): the lanes' coalescing as `PendingPages` runs
it, the city's clock, the renaming of a recorded lifecycle, and the recorder the cost bench installs."""
from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

from bench.city import (
    DAY,
    HOUR,
    City,
    Lane,
    Recorder,
    Renamer,
    Tally,
    after_hours,
    coalesce,
    family,
    fortnight,
    lanes_now,
    replayed,
    run,
)


def test_a_news_lane_builds_once_for_every_page_marked_within_its_interval() -> None:
    tally = Tally()
    marks = [(0.0, frozenset({"l/p1"})), (5.0, frozenset({"l/p2"})), (6.0, frozenset({"l/p1"})),
             (20.0, frozenset({"l/p1"}))]
    coalesce(marks, Lane("news", 10), tally)
    assert tally.takes == Counter({"news": 2})
    assert tally.builds == Counter({"place": 3})  # p1 and p2 at 10 s, p1 again at 30 s
    assert tally.marks == Counter({"mark:wake": 2, "mark:write": 1, "mark:read": 1})


def test_the_summaries_lane_builds_at_most_once_per_its_gap() -> None:
    tally = Tally()
    marks = [(0.0, frozenset({"stats"})), (100.0, frozenset({"stats"})), (400.0, frozenset({"stats"}))]
    coalesce(marks, Lane("summaries", 10, 300), tally)
    # Taken at 10 s, then not before 310 s, then not before 610 s.
    assert tally.takes == Counter({"summaries": 3})
    assert tally.builds == Counter({"statistics": 3})
    tally = Tally()
    coalesce(marks, Lane("summaries", 10, 1000), tally)
    assert tally.takes == Counter({"summaries": 2})


def test_pages_are_told_apart_by_kind() -> None:
    assert [family(page) for page in ("hall/index", "hall/20261124-3", "hall/c/road", "hall/c/road/2026-11",
                                      "hall/a/east", "l/e1", "l/e1/2026-11", "d/east-city", "stats",
                                      "stats/2026-11", "disclosure/index", "disclosure/2026-W48")] == [
        "hall front", "hall day", "category", "category month", "district", "place", "place month",
        "department", "statistics", "statistics month", "weeks", "week board"]


def test_staff_act_in_working_hours_only() -> None:
    staff = (8.5, 17.5)
    assert after_hours(10 * HOUR, 2.0, staff) == 12 * HOUR
    assert after_hours(17 * HOUR, 1.0, staff) == DAY + 9 * HOUR  # half an hour today, half tomorrow
    assert after_hours(22 * HOUR, 0.0, staff) == DAY + 8.5 * HOUR  # filed at night: seen next morning
    assert after_hours(9 * HOUR, 18.0, staff) == 2 * DAY + 9 * HOUR  # two working days


RECORDED = {"lifecycles": [{"path": "happy", "changes": [
    {"step": "file", "after": 0.2, "at": 0.2, "pages": ["hall/index", "hall/20261124-1", "l/e1", "l/e1/2026-11",
                                                         "hall/c/road", "d/east-city", "stats", "stats/2026-11"]},
    {"step": "accept", "after": 0.1, "at": 3.0, "pages": ["hall/index", "l/e1", "d/east-city"]},
    {"step": "reply", "after": 0.1, "at": 9.0, "pages": ["hall/index", "l/e1", "d/east-city"]},
    {"step": "rate", "after": 0.1, "at": 30.0, "pages": ["hall/index", "l/e1", "d/east-city", "stats"]},
]}],
    "mean_cost": {"build:place": 1e-5, "build:hall front": 1e-5, "take": 5e-7, "mark:wake": 2e-6},
    "measured": {"build:place": 2, "build:hall front": 2, "build:department": 2, "build:hall day": 1,
                 "build:place month": 1, "build:category": 1, "build:statistics": 2, "build:statistics month": 1},
    "invocation": 2e-7, "rest_per_case": 3e-4}


def test_a_recorded_lifecycle_is_renamed_for_each_case_of_the_city() -> None:
    city = City(cases_per_day=50, days=2, places=7, districts=2, categories=3, departments=4)
    marks, cases = fortnight(RECORDED["lifecycles"], city)
    assert cases == 100 and len(marks) == 400
    assert [at for at, _ in marks] == sorted(at for at, _ in marks)
    pages = set().union(*(pages for _, pages in marks))
    assert {page for page in pages if family(page) == "place"} <= {f"l/p{n}" for n in range(7)}
    assert {page for page in pages if family(page) == "department"} <= {f"d/d{n}" for n in range(4)}
    assert {page for page in pages if family(page) == "hall day"} == {
        f"hall/{day}-{n}" for day in (20261102, 20261103) for n in (1, 2, 3)}  # 50 cases a day, 20 a page
    assert fortnight(RECORDED["lifecycles"], city) == (marks, cases)  # a fixed seed


def test_one_case_keeps_its_place_and_department_through_its_steps() -> None:
    rename = Renamer(City(places=1000), random.Random(1)).for_case((20261102, 7), 3600.0)
    first = {rename(page, 3600.0) for page in RECORDED["lifecycles"][0]["changes"][0]["pages"]}
    later = {rename(page, 5 * DAY) for page in RECORDED["lifecycles"][0]["changes"][3]["pages"]}
    assert {p for p in first if p.startswith(("l/", "d/"))} >= {p for p in later if p.startswith(("l/", "d/"))}
    assert "hall/20261102-1" in first


def test_the_lanes_are_the_systems() -> None:
    lane_of, lanes = lanes_now()
    news, summaries = lanes
    assert lane_of("hall/index") is news and lane_of("l/e1") is news
    assert lane_of("stats") is summaries and lane_of("l/e1/2026-11") is summaries
    assert summaries.gap > news.delay


def test_the_model_replays_a_run_as_the_twin_built_it() -> None:
    lane_of, lanes = lanes_now()
    # The filing's pages at 10 s; accept and reply's at 13 s (one build); the rating's at 40 s.
    assert replayed(RECORDED, lane_of, lanes) == (12, 12)


def test_a_case_costs_what_its_builds_cost_beside_the_rest() -> None:
    lane_of, lanes = lanes_now()
    quiet = run(RECORDED, City(cases_per_day=10, days=1), lane_of, lanes)
    busy = run(RECORDED, City(cases_per_day=2000, days=1), lane_of, lanes)
    assert quiet["dollars_per_1000_cases"]["rest"] == busy["dollars_per_1000_cases"]["rest"] == 0.3
    # Busier: more changes share a build of the hall front.
    assert busy["page_builds_per_case"]["hall front"] < quiet["page_builds_per_case"]["hall front"]
    assert busy["dollars_per_1000_cases_total"] < quiet["dollars_per_1000_cases_total"]


class Schedule:
    """A stand-in for `PendingPages`: its first mark of a lane wakes, the next ones write or read."""

    def __init__(self, writes: list[int]) -> None:
        self.waiting: dict[str, set[str]] = {}
        self._wake = lambda delay: None
        self.writes = writes

    def mark(self, pages: set[str]) -> None:
        self._mark("news", pages)

    def _mark(self, lane: str, pages: set[str]) -> None:
        if pages <= self.waiting.get(lane, set()):
            return
        self.writes.append(1)
        if lane not in self.waiting:
            self._wake(10)
        self.waiting.setdefault(lane, set()).update(pages)

    def _take(self, lane: str) -> set[str]:
        return self.waiting.pop(lane, set())


def test_the_recorder_notes_each_change_and_what_each_part_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    spent = [0.0]
    site: Any = type("Site", (), {"write_page": staticmethod(lambda page, deps: [page])})
    recorder = Recorder(lambda: spent[0], lambda: len(writes),
                        {"lambda_memory_gb": 0.0, "lambda_gb_second": 0.0, "lambda_request": 2e-7})
    recorder.install(site, Schedule)
    schedule = Schedule(writes)
    recorder.lifecycle("happy")
    schedule.mark({"l/e1"})
    schedule.mark({"l/e1"})
    recorder.step("accept")
    schedule.mark({"l/e1", "hall/index"})
    assert site.write_page("l/e1", None) == ["l/e1"]
    assert schedule._take("news") == {"l/e1", "hall/index"}
    with pytest.raises(ValueError):
        recorder.step("nap")
    changes = recorder.lifecycles[0]["changes"]
    assert [(c["step"], c["pages"]) for c in changes] == [
        ("file", ["l/e1"]), ("file", ["l/e1"]), ("accept", ["hall/index", "l/e1"])]
    assert {part: len(costs) for part, costs in recorder.costs.items()} == {
        "mark:wake": 1, "mark:read": 1, "mark:write": 1, "build:place": 1, "take": 1}


def test_the_what_if_lanes_put_each_kind_of_page_where_the_readme_says() -> None:
    from bench.city import longer_intervals

    lane_of, lanes = longer_intervals(900, 3600)
    pages = ("hall/index", "l/e1", "d/east-city", "hall/c/road", "hall/20261124-1", "l/e1/2026-11", "stats",
             "disclosure/2026-W48")
    assert {page: lane_of(page).name for page in pages} == {
        "hall/index": "news", "l/e1": "listings", "d/east-city": "listings", "hall/c/road": "listings",
        "hall/20261124-1": "archives", "l/e1/2026-11": "archives", "stats": "summaries",
        "disclosure/2026-W48": "summaries"}
    assert [lane.gap for lane in lanes] == [0.0, 900, 3600, 300]


@pytest.mark.parametrize("volume", ["abc", "0", "10001", "²", "3.5", "-5"])
def test_a_volume_that_is_not_a_whole_number_of_cases_is_refused(volume: str, monkeypatch, capsys) -> None:
    from bench import city

    monkeypatch.setenv("BENCH_CITY_CASES_PER_DAY", volume)
    assert city.main() == 2
    assert "must be a whole number of cases a day from 1 to 10,000" in capsys.readouterr().err


@pytest.mark.parametrize("written", [
    None, "", "{\"lifecycles\": []}", "[]",
    json.dumps({**RECORDED, "lifecycles": [{"path": "happy", "changes": []}]}),  # nothing to count
    json.dumps({**RECORDED, "lifecycles": [{"path": "happy", "changes": [
        {"step": "bogus", "after": 0.1, "at": 0.1, "pages": ["l/e1"]}]}]}),  # a step the count does not know
])
def test_without_a_readable_recording_the_count_says_to_run_the_cost_bench(written, tmp_path, monkeypatch,
                                                                           capsys) -> None:
    from bench import city

    path = tmp_path / "bench-changes.json"
    if written is not None:
        path.write_text(written)
    monkeypatch.setattr(city, "CHANGES", path)
    monkeypatch.setenv("BENCH_CITY_CASES_PER_DAY", "")  # empty: the default volume, not a refusal
    assert city.main() == 1
    assert "run `python -m bench.cost` first" in capsys.readouterr().err


def test_the_fewest_builds_show_each_change_within_the_bound() -> None:
    from bench.city import fewest_builds

    assert fewest_builds([], 15) == 0
    assert fewest_builds([0, 10, 15], 15) == 1  # one build at 15 s carries all three
    assert fewest_builds([0, 10, 16, 30, 31, 47], 15) == 3  # at 15, 31, 62


def test_the_floor_counts_the_rest_and_the_fewest_builds_of_the_pages_that_must_follow_each_change() -> None:
    from bench.city import floor

    marks = [(0.0, frozenset({"l/a", "d/x", "hall/c/road"})), (10.0, frozenset({"l/a", "stats"})),
             (20.0, frozenset({"l/a", "hall/index"})), (100.0, frozenset({"l/b/2026-11", "hall/20261124-1"}))]
    low = floor(marks, 2, {**RECORDED, "english_case_pages_per_case": 3e-5})
    # l/a: one build carrying 0 and 10, one for 20; d/x and the hall front one each; the rest is free.
    assert low["builds_per_case"] == {"place": 1.0, "department": 0.5, "hall front": 0.5}
    build = 1e-5  # the place's and the hall front's measured builds, and (not measured) the department's
    assert low["rest"] == 0.3
    assert low["both_languages"] == pytest.approx(0.3 + 4 * build / 2 * 1000, abs=1e-4)
    # Chinese only: half of each build, and no English case pages.
    assert low["chinese_only"] == pytest.approx(0.3 - 0.03 + 4 * build / 4 * 1000, abs=1e-4)
    # A looser bound lets more changes share a build.
    assert floor(marks, 2, RECORDED, within=30)["builds_per_case"]["place"] == 0.5


def test_the_floor_lies_below_the_count() -> None:
    from bench.city import floor

    lane_of, lanes = lanes_now()
    city = City(cases_per_day=200, days=1)
    changes = fortnight(RECORDED["lifecycles"], city)
    figures, low = run(RECORDED, city, lane_of, lanes, changes), floor(*changes, RECORDED)
    assert low["chinese_only"] < low["both_languages"] < figures["dollars_per_1000_cases_total"]


def test_the_what_if_rows_are_recorded_with_the_count(tmp_path, monkeypatch, capsys) -> None:
    from bench import city

    path = tmp_path / "bench-changes.json"
    path.write_text(json.dumps(RECORDED))
    recorded: dict[str, Any] = {}
    monkeypatch.setattr(city, "CHANGES", path)
    monkeypatch.setattr(city, "record", lambda key, figures: recorded.update({key: figures}))
    monkeypatch.setattr(city.sys, "argv", ["bench.city", "--what-if"])
    monkeypatch.setenv("BENCH_CITY_CASES_PER_DAY", "10")
    assert city.main() == 0
    rows = recorded["cost_city_day"]["what_if"]
    assert [(row["listings_s"], row["archives_s"]) for row in rows] == list(city.WHAT_IF)
    # Longer intervals never build more.
    builds = [recorded["cost_city_day"]["page_builds_per_case_total"]] + [row["page_builds_per_case"] for row in rows]
    assert builds == sorted(builds, reverse=True)
    assert f"${rows[-1]['dollars_per_1000_cases']:.3f} per 1,000 cases" in capsys.readouterr().out
