"""`make bench`: the cost of a case at a city's pace — a fortnight of a city's cases (Fuyang's 3,000 a
day by default), their steps spread over working hours and days as a city's are.

Why not on the twin: the shared pages' cost depends on how many changes one coalesced build
serves, which depends on how the changes fall in time. The cost bench (bench/cost.py) runs its
lifecycles one after another as fast as the twin goes (a case every two seconds, each case's
steps seconds apart): far more changes per build than a city's, where a case is one of three
thousand a day and its steps are hours or days apart. Running a city's fortnight on the twin is
out of reach (42,000 lifecycles), and compressing time would bunch each case's steps together.

So the twin measures and this module counts:
- the cost bench records, for every change its lifecycles store, which shared pages it marks
  stale (the system's own planner, `domain/listings.py: shared_pages`), and what each part of the
  page machinery cost there, measured by the meter: a mark of a lane (a read; a write; a write and
  the build's queue message), a take, and the build of one page of each kind (its reads, its S3
  writes in both languages, its Lambda time). Everything else a case costs (API, workflow,
  tables, case pages, SMS requests) does not depend on the pace: it is kept as measured.
- this module replays those changes on a city's clock: cases arrive over the day (most between
  08:00 and 22:00), staff act in working hours (every day) and citizens in waking hours, each step after a
  random delay of the mean below; each case is at a place, in a category, district and
  department of a city of the size below (the pages named after them, renamed). The lanes'
  coalescing (`PendingPages`: a build `interval` after the first mark, every page marked since
  in it; the summaries' lane at most once per its interval) is applied with the intervals a
  deployment has (chalicelib/config.py's defaults), and each build and take is priced as measured.

Deterministic (a fixed seed); pure Python, no AWS; seconds. Reads build/bench-changes.json
(written by `python -m bench.cost`), writes `cost_city_day` into build/bench.json."""
from __future__ import annotations

import json
import math
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from bench.twin import OUT, record

CHANGES = OUT.with_name("bench-changes.json")
HOUR = 3600.0
DAY = 24 * HOUR


@dataclass(frozen=True)
class City:
    """The city the fortnight is run for. Fuyang files about 3,000 cases a day; the rest is this
    bench's assumption, stated: QR posters at 1,000 places, spread over 8 districts; 8 categories
    (the demo city's); 40 departments."""

    cases_per_day: int = 3000
    days: int = 14
    places: int = 1000
    districts: int = 8
    categories: int = 8
    departments: int = 40
    seed: int = 2026


# Mean delay of each step of a lifecycle after the one before (hours), and who acts: staff in
# working hours (08:30-17:30, every day: weekends are not modelled), citizens in waking hours
# (08:00-22:00), the system at any time.
# "escalate" is the acceptance deadline (a working day) passing.
STEPS: dict[str, tuple[float, str]] = {
    "file": (0.0, "citizen"),
    "escalate": (9.0, "deadline"),
    "return": (2.0, "staff"),
    "dispatch": (1.0, "staff"),
    "accept": (3.0, "staff"),
    "reply": (30.0, "staff"),
    "rate": (12.0, "citizen"),
}
HOURS = {"staff": (8.5, 17.5), "citizen": (8.0, 22.0), "deadline": (8.5, 17.5)}
MOST_FILED = (8.0, 22.0, 0.9)  # nine cases in ten filed between 08:00 and 22:00


# --- what the cost bench records --------------------------------------------------------------
@dataclass
class Recorder:
    """Installed in the cost bench: which pages each change marks (per lifecycle and step), and what
    the page machinery costs, measured around its parts with the meter's bill."""

    dollars: Callable[[], float]  # the meter's total so far
    written: Callable[[], int]  # the table writes counted so far
    prices: dict[str, float]  # bench/prices.json
    lifecycles: list[dict[str, Any]] = field(default_factory=list)
    costs: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _step: str = "file"
    _step_started: float = 0.0
    _started: float = field(default_factory=time.monotonic)

    def lifecycle(self, path: str) -> None:
        self.lifecycles.append({"path": path, "changes": []})
        self.step("file")

    def step(self, name: str) -> None:
        if name not in STEPS:
            raise ValueError(name)
        self._step, self._step_started = name, time.monotonic()

    def changed(self, pages: Iterable[str]) -> None:
        if self.lifecycles and pages:
            now = time.monotonic()
            self.lifecycles[-1]["changes"].append({"step": self._step, "pages": sorted(pages),
                                                   "after": round(now - self._step_started, 2),
                                                   "at": round(now - self._started, 2)})

    @contextmanager
    def measured(self, part: str) -> Iterator[dict[str, str]]:
        """The cost of what runs inside, under `part` (the block may rename it through the dict)."""
        named = {"part": part}
        before, started = self.dollars(), time.perf_counter()
        try:
            yield named
        finally:
            seconds = time.perf_counter() - started
            self.costs[named["part"]].append(self.dollars() - before + seconds * self.prices["lambda_memory_gb"]
                                             * self.prices["lambda_gb_second"])

    def install(self, site_module: Any, schedule_class: Any) -> None:
        """Wrap the shared pages' parts: the schedule's marks and takes, and the build of one page."""
        recorder, mark, mark_lane, take_lane = self, schedule_class.mark, schedule_class._mark, schedule_class._take
        write_page = site_module.write_page

        def marked(schedule: Any, pages: set[str]) -> None:
            recorder.changed(pages)
            mark(schedule, pages)

        def marked_lane(schedule: Any, lane: str, pages: set[str]) -> None:
            wake, woke = schedule._wake, []
            schedule._wake = lambda delay: (woke.append(delay), wake(delay))
            try:
                with recorder.measured("mark") as named:
                    written = recorder.written()
                    mark_lane(schedule, lane, pages)
                    named["part"] = "mark:wake" if woke else ("mark:write" if recorder.written() > written
                                                               else "mark:read")
            finally:
                schedule._wake = wake

        def taken(schedule: Any, lane: str) -> set[str]:
            with recorder.measured("take"):
                return take_lane(schedule, lane)  # type: ignore[no-any-return]

        def built(page: str, deps: Any) -> list[str]:
            with recorder.measured("build:" + family(page)):
                return write_page(page, deps)  # type: ignore[no-any-return]

        schedule_class.mark, schedule_class._mark, schedule_class._take = marked, marked_lane, taken
        site_module.write_page = built

    def machinery(self) -> float:
        """All the page machinery cost in the run, measured."""
        return sum(sum(values) for values in self.costs.values())

    def save(self, cases: int, total: float, page_invocations: int, english_case_pages: int = 0) -> None:
        """What the fortnight needs: the changes, each part's mean cost, and the rest of a case's cost
        (and of it, the English case pages' writes: the floor's Chinese-only site has none)."""
        lambda_request = self.prices["lambda_request"]
        rest = total - self.machinery() - page_invocations * lambda_request
        CHANGES.parent.mkdir(exist_ok=True)
        CHANGES.write_text(json.dumps({
            "lifecycles": self.lifecycles,
            "mean_cost": {part: sum(v) / len(v) for part, v in sorted(self.costs.items())},
            "measured": {part: len(v) for part, v in sorted(self.costs.items())},
            "invocation": lambda_request,
            "rest_per_case": rest / cases,
            "english_case_pages_per_case": english_case_pages / cases * self.prices["s3_put"],
        }, indent=1) + "\n")


FAMILIES = (  # page id -> kind of page, first match
    (r"hall/index", "hall front"), (r"hall/\d{8}-\d+", "hall day"),
    (r"hall/c/[^/]+", "category"), (r"hall/c/[^/]+/.+", "category month"),
    (r"hall/a/[^/]+", "district"), (r"hall/a/[^/]+/.+", "district month"),
    (r"l/[^/]+", "place"), (r"l/[^/]+/.+", "place month"), (r"d/[^/]+", "department"),
    (r"stats", "statistics"), (r"stats/.+", "statistics month"),
    (r"disclosure/index", "weeks"), (r"disclosure/.+", "week board"),
)


@cache
def family(page: str) -> str:
    return next((name for pattern, name in FAMILIES if re.fullmatch(pattern, page)), "other")


# --- the fortnight --------------------------------------------------------------------------
@dataclass(frozen=True)
class Lane:
    """One coalescing lane as `PendingPages` runs it: a build `delay` after the first mark since the
    last take, and no sooner than `gap` after the last take."""

    name: str
    delay: float
    gap: float = 0.0


@dataclass
class Tally:
    builds: Counter[str] = field(default_factory=Counter)  # by kind of page
    takes: Counter[str] = field(default_factory=Counter)  # by lane
    marks: Counter[str] = field(default_factory=Counter)  # "mark:read", "mark:write", "mark:wake"


def coalesce(marks: list[tuple[float, frozenset[str]]], lane: Lane, tally: Tally) -> None:
    """Run one lane over its marks (time order): count its marks by kind, its takes and builds."""
    pending: set[str] = set()
    due: float | None = None
    last_take = -math.inf

    def take() -> None:
        nonlocal due, last_take
        tally.takes[lane.name] += 1
        tally.builds.update(family(page) for page in pending)
        pending.clear()
        last_take, due = due if due is not None else last_take, None

    for at, pages in marks:
        if due is not None and due <= at:
            take()
        if due is not None and pages <= pending:
            tally.marks["mark:read"] += 1
            continue
        pending |= pages
        if due is None:
            due = max(at + lane.delay, last_take + lane.gap)
            tally.marks["mark:wake"] += 1
        else:
            tally.marks["mark:write"] += 1
    if due is not None:
        take()


def in_hours(at: float, hours: tuple[float, float]) -> float:
    """`at`, or the start of the next span of `hours` of the day when it falls outside them."""
    day, into = divmod(at, DAY)
    start, end = hours[0] * HOUR, hours[1] * HOUR
    if into < start:
        return day * DAY + start
    if into >= end:
        return (day + 1) * DAY + start
    return at


def after_hours(at: float, hours: float, span: tuple[float, float]) -> float:
    """`hours` of working (or waking) time after `at`: time outside `span` does not count."""
    at, left = in_hours(at, span), hours * HOUR
    while True:
        end_of_day = (at // DAY) * DAY + span[1] * HOUR
        if at + left < end_of_day:
            return at + left
        left -= end_of_day - at
        at = in_hours(end_of_day, span)


def filed_at(rng: random.Random, day: int) -> float:
    start, end, share = MOST_FILED
    if rng.random() < share:
        return day * DAY + rng.uniform(start, end) * HOUR
    into = rng.uniform(0, 24 - (end - start))
    return day * DAY + (into + end if into < 24 - end else into - (24 - end)) * HOUR


class Renamer:
    """A recorded lifecycle's pages, named for one case of the city: its place, category, district,
    department(s), its number's day page, and the month and week of its steps."""

    def __init__(self, city: City, rng: random.Random) -> None:
        self.city, self.rng = city, rng
        self.place_district = [rng.randrange(city.districts) for _ in range(city.places)]

    def for_case(self, number: tuple[int, int], filed: float) -> Callable[[str, float], str]:
        city, rng = self.city, self.rng
        place = rng.randrange(city.places)
        category = rng.randrange(city.categories)
        district = self.place_district[place]
        departments: dict[str, str] = {}
        month = _month(filed)
        day, sequence = number

        codes = {"category": (2, f"c{category}"), "district": (2, f"a{district}"), "place": (1, f"p{place}")}

        def rename(page: str, at: float) -> str:
            kind, parts = family(page), page.split("/")
            if kind == "hall day":
                return f"hall/{day}-{(sequence - 1) // 20 + 1}"
            if kind in ("hall front", "statistics", "weeks"):
                return page
            if kind == "statistics month":
                parts[1] = _month(at)
            elif kind == "week board":
                parts[1] = _week(at)
            elif kind == "department":
                if parts[1] not in departments:
                    departments[parts[1]] = f"d{rng.randrange(city.departments)}"
                parts[1] = departments[parts[1]]
            else:
                where, code = codes[kind.removesuffix(" month")]
                parts[where] = code
                if kind.endswith(" month"):
                    parts[-1] = month
            return "/".join(parts)
        return rename


START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday; the fortnight's clock counts seconds from it


def _month(at: float) -> str:
    return _month_of_day(int(at // DAY))


def _week(at: float) -> str:
    return _week_of_day(int(at // DAY))


@cache
def _month_of_day(day: int) -> str:
    return (START + timedelta(days=day)).strftime("%Y-%m")


@cache
def _week_of_day(day: int) -> str:
    year, week, _ = (START + timedelta(days=day)).isocalendar()
    return f"{year}-W{week:02d}"


def fortnight(lifecycles: list[dict[str, Any]], city: City) -> tuple[list[tuple[float, frozenset[str]]], int]:
    """Every change of the city's cases, as (when, pages marked), in time order; and the number of cases."""
    rng = random.Random(city.seed)
    renamer = Renamer(city, rng)
    marks: list[tuple[float, frozenset[str]]] = []
    cases = 0
    for day in range(city.days):
        filed = sorted(filed_at(rng, day) for _ in range(city.cases_per_day))
        for sequence, at in enumerate(filed, start=1):
            lifecycle = lifecycles[cases % len(lifecycles)]
            cases += 1
            rename = renamer.for_case((20261102 + day, sequence), at)
            step, step_at = "file", at
            for change in lifecycle["changes"]:
                if change["step"] != step:
                    step = change["step"]
                    mean, who = STEPS[step]
                    hours = HOURS["staff" if who == "deadline" else who]
                    delay = mean if who == "deadline" else rng.expovariate(1 / mean) if mean else 0.0
                    step_at = after_hours(step_at, delay, hours)
                when = step_at + min(float(change["after"]), 60.0)
                marks.append((when, frozenset(sys.intern(rename(page, when)) for page in change["pages"])))
    marks.sort(key=lambda mark: mark[0])
    return marks, cases


def lanes_now() -> tuple[Callable[[str], Lane], list[Lane]]:
    """The lanes a deployment runs with (chalicelib/config.py's defaults) and which page goes where."""
    from chalicelib.config import Settings
    from chalicelib.domain.listings import refreshed_slowly

    settings = Settings.from_env({})
    news = Lane("news", settings.page_interval_seconds)
    slow = Lane("summaries", settings.page_interval_seconds,
                max(settings.slow_page_interval_seconds, settings.page_interval_seconds))
    return (lambda page: slow if refreshed_slowly(page) else news), [news, slow]


def split_and_coalesce(marks: list[tuple[float, frozenset[str]]], lane_of: Callable[[str], Lane],
                       lanes: list[Lane]) -> Tally:
    """Each change's pages sent to their lanes (as `PendingPages.mark` does), each lane run."""
    tally = Tally()
    by_lane: dict[str, list[tuple[float, frozenset[str]]]] = {lane.name: [] for lane in lanes}
    lane_of = cache(lane_of)
    for at, pages in marks:
        split: dict[str, set[str]] = defaultdict(set)
        for page in pages:
            split[lane_of(page).name].add(page)
        for name, part in split.items():
            by_lane[name].append((at, frozenset(part)))
    for lane in lanes:
        coalesce(by_lane[lane.name], lane, tally)
    return tally


def run(recorded: dict[str, Any], city: City, lane_of: Callable[[str], Lane], lanes: list[Lane],
        changes: tuple[list[tuple[float, frozenset[str]]], int] | None = None) -> dict[str, Any]:
    """The fortnight's cost through these lanes (`changes`: the fortnight, when already made)."""
    marks, cases = changes or fortnight(recorded["lifecycles"], city)
    tally = split_and_coalesce(marks, lane_of, lanes)
    cost = recorded["mean_cost"]
    takes = sum(tally.takes.values())
    dollars = {
        "builds": sum(n * build_cost(cost, kind) for kind, n in tally.builds.items()),
        # One page function run per lane's take: it takes both lanes (the other finds nothing due).
        "takes": takes * (recorded["invocation"] + len(lanes) * cost.get("take", 0.0)),
        "marks": sum(n * cost.get(kind, 0.0) for kind, n in tally.marks.items()),
        "rest": recorded["rest_per_case"] * cases,
    }
    return {
        "city": city.__dict__,
        "steps_mean_hours": {step: mean for step, (mean, _) in STEPS.items()},
        "lanes": [lane.__dict__ for lane in lanes],
        "cases": cases,
        "changes_per_case": round(len(marks) / cases, 2),
        "page_builds_per_case": {kind: round(n / cases, 3) for kind, n in tally.builds.most_common()},
        "page_builds_per_case_total": round(sum(tally.builds.values()) / cases, 2),
        "takes_per_case": round(takes / cases, 3),
        "dollars_per_1000_cases": {k: round(v / cases * 1000, 4) for k, v in dollars.items()},
        "dollars_per_1000_cases_total": round(sum(dollars.values()) / cases * 1000, 4),
    }


def build_cost(cost: dict[str, float], kind: str) -> float:
    """The measured cost of one build of a kind of page; a kind the twin did not build: the mean of those it did."""
    builds = [v for k, v in cost.items() if k.startswith("build:")]
    return cost.get("build:" + kind, sum(builds) / max(1, len(builds)))


def replayed(recorded: dict[str, Any], lane_of: Callable[[str], Lane], lanes: list[Lane]) -> tuple[int, int]:
    """The model checked against the twin: the cost bench's own changes at their own times, through
    the lanes; the shared-page builds it counts, and the builds the twin made."""
    marks = sorted((change["at"], frozenset(change["pages"]))
                   for lifecycle in recorded["lifecycles"] for change in lifecycle["changes"])
    return sum(split_and_coalesce(marks, lane_of, lanes).builds.values()), sum(
        n for part, n in recorded["measured"].items() if part.startswith("build:"))


def longer_intervals(listings: float, archives: float) -> tuple[Callable[[str], Lane], list[Lane]]:
    """What-if lanes, not deployed: the hall's front as now (10 s); the listing pages (category,
    district, place, department) at most once per `listings`; the archives (hall day pages and month
    archives) once per `archives`; the statistics and boards as now (300 s)."""
    news, lists = Lane("news", 10), Lane("listings", 10, listings)
    archive, slow = Lane("archives", 10, archives), Lane("summaries", 10, 300)

    def lane_of(page: str) -> Lane:
        kind = family(page)
        if kind in ("category", "district", "place", "department"):
            return lists
        if kind == "hall day" or kind in ("category month", "district month", "place month"):
            return archive
        return news if kind == "hall front" else slow
    return lane_of, [news, lists, archive, slow]


WHAT_IF = ((300, 300), (900, 3600), (3600, 6 * 3600), (6 * 3600, 24 * 3600))

# The pages built again within seconds of most changes (the public-site issue: shared pages within
# 15 s): a case's place page (the latest 50 there: weeks of a place's cases, longer than a case's
# life, so each change shows), its department's (open cases, rates) and the hall's front (the newest
# cases: at 3,000 a day, most in fourteen hours, a new one about every 20 seconds).
FRESH = ("place", "department", "hall front")
WITHIN = 15.0  # seconds: the public-site issue's bound for the shared pages


def fewest_builds(times: Iterable[float], within: float) -> int:
    """The fewest builds of one page that show each of its changes (at `times`, in order) within
    `within` seconds: each build as late as the first change it carries allows, carrying every
    change until then (the greedy cover, which no schedule beats)."""
    builds, due = 0, -math.inf
    for at in times:
        if at > due:
            builds, due = builds + 1, at + within
    return builds


def floor(marks: list[tuple[float, frozenset[str]]], cases: int, recorded: dict[str, Any],
          within: float = WITHIN) -> dict[str, Any]:
    """A lower bound of the cost per 1,000 cases at this pace for any schedule of today's shared
    pages, at their measured cost per build, that shows each change within `within` seconds: the
    rest of a case, and the fewest builds of the `FRESH` pages that do (each page on its own, built
    as late as allowed), every other shared page, mark and take taken as free. Also for a site in
    Chinese only: half of each build (a lower bound too, since a build's reads and time serve both
    languages), and no English case pages."""
    times: dict[str, list[float]] = defaultdict(list)
    for at, pages in marks:
        for page in pages:
            if family(page) in FRESH:
                times[page].append(at)
    builds = Counter[str]()
    for page, at in times.items():
        builds[family(page)] += fewest_builds(at, within)
    cost = recorded["mean_cost"]
    dollars = sum(n * build_cost(cost, kind) for kind, n in builds.items()) / cases * 1000
    rest = recorded["rest_per_case"] * 1000
    english = recorded.get("english_case_pages_per_case", 0.0) * 1000
    return {"pages": list(FRESH), "within_s": within,
            "builds_per_case": {kind: round(builds[kind] / cases, 3) for kind in FRESH},
            "rest": round(rest, 4), "both_languages": round(rest + dollars, 4),
            "chinese_only": round(rest - english + dollars / 2, 4)}


def main() -> int:
    per_day = os.environ.get("BENCH_CITY_CASES_PER_DAY", "").strip() or str(City.cases_per_day)  # empty: the default
    if not (per_day.isascii() and per_day.isdigit()) or not 0 < int(per_day) <= 10_000:  # 10,000: ~2 GB, 30 s
        print(f"BENCH_CITY_CASES_PER_DAY must be a whole number of cases a day from 1 to 10,000, not {per_day!r}",
              file=sys.stderr)
        return 2
    try:
        recorded = json.loads(CHANGES.read_text())
        if not recorded["mean_cost"] or not any(lifecycle["changes"] for lifecycle in recorded["lifecycles"]):
            raise ValueError("no changes recorded")
        steps = {change["step"] for lifecycle in recorded["lifecycles"] for change in lifecycle["changes"]}
        unknown = steps - set(STEPS)
        if unknown:
            raise ValueError(f"steps this count does not know: {', '.join(sorted(unknown))}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"{CHANGES.name} is missing or unreadable ({exc}): run `python -m bench.cost` first", file=sys.stderr)
        return 1
    city = City(cases_per_day=int(per_day))
    lane_of, lanes = lanes_now()
    started = time.monotonic()
    changes = fortnight(recorded["lifecycles"], city)
    figures = run(recorded, city, lane_of, lanes, changes)
    figures["model_check"] = dict(zip(("builds_counted", "builds_on_the_twin"),
                                      replayed(recorded, lane_of, lanes), strict=True))
    figures["floor"] = floor(*changes, recorded)
    report(figures, time.monotonic() - started)
    if "--what-if" in sys.argv[1:]:
        print("What longer intervals would give (not deployed; the hall's front at 10 s, statistics and boards "
              "at 300 s):")
        figures["what_if"] = []
        for listings, archives in WHAT_IF:
            what_if = run(recorded, city, *longer_intervals(listings, archives), changes)
            figures["what_if"].append({"listings_s": listings, "archives_s": archives,
                                       "page_builds_per_case": what_if["page_builds_per_case_total"],
                                       "dollars_per_1000_cases": what_if["dollars_per_1000_cases_total"]})
            print(f"  listings at most once per {listings:g} s, archives once per {archives:g} s: "
                  f"{what_if['page_builds_per_case_total']} shared-page builds per case, "
                  f"${what_if['dollars_per_1000_cases_total']:.3f} per 1,000 cases")
    record("cost_city_day", figures)
    return 0


def report(figures: dict[str, Any], seconds: float) -> None:
    city = figures["city"]
    print(f"\nCost of a case at a city's pace: {figures['cases']:,} cases over {city['days']} days "
          f"({city['cases_per_day']:,} a day; {city['places']:,} places, {city['districts']} districts, "
          f"{city['categories']} categories, {city['departments']} departments), counted in {seconds:.1f} s")
    print("lanes: " + ", ".join(f"{lane['name']} {lane['delay']:g} s after the first mark"
                                + (f", at most once per {lane['gap']:g} s" if lane["gap"] else "")
                                for lane in figures["lanes"]))
    print(f"changes per case {figures['changes_per_case']}; shared-page builds per case "
          f"{figures['page_builds_per_case_total']}: "
          + ", ".join(f"{k} {v}" for k, v in figures["page_builds_per_case"].items()))
    print("$ per 1,000 cases: " + ", ".join(f"{k} {v:.4f}" for k, v in figures["dollars_per_1000_cases"].items())
          + f"; total {figures['dollars_per_1000_cases_total']:.3f} (SMS excluded)")
    low = figures["floor"]
    print(f"at least ${low['both_languages']:.3f} per 1,000 cases however the shared pages are scheduled, "
          f"as long as the {', '.join(low['pages'])} pages show each change within {low['within_s']:g} s "
          f"(the rest of a case and the fewest builds of those pages that do, "
          + ", ".join(f"{k} {v}" for k, v in low["builds_per_case"].items())
          + f" per case; ${low['chinese_only']:.3f} for a site in Chinese only)")
    check = figures["model_check"]
    print(f"model check: the cost bench's own changes, replayed through the lanes at their own times, give "
          f"{check['builds_counted']} shared-page builds; the twin made {check['builds_on_the_twin']}"
          + ("" if check["builds_counted"] == check["builds_on_the_twin"] else
             " (they differ: the twin's builds run when its queue delivers them, a little later or earlier than "
             "the lanes' interval, and so carry more or fewer changes; a few builds apart on a quiet machine, "
             "more on a loaded one)"))


if __name__ == "__main__":
    sys.exit(main())

