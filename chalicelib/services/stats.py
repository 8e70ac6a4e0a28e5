"""The public statistics pages, read from the day counters alone (never from the cases).

What a publish reads is bounded by the catalogue, not by how many cases exist:

* every measure of every department and district (`<measure>#<scope>`, domain/stats.py) and the
  intake per kind and per channel, over last month and this month (at most 62 days), split into
  the two months here; counters are stored by unit (domain/tallies.py: `partition_of`), so that is one query per
  department and district, and one for the intake (`submitted#all`, per kind, per channel) over
  the chart's 30 days and the two months;
* the months that had intake come from a named set the listings note (one read): the index links
  the last twelve of them. A month's page is written whenever its counters move (the planner names
  `stats/<month>` for each month a change counted in), so its last write follows its last event.

Rates are shown with one decimal; "—" stands where a rate has no base (no case dispatched, none
replied, none rated)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..domain.catalog import Catalog, District, name_in
from ..domain.model import Channel, Kind
from ..domain.stats import MEASURES, Counts, League, Rates, league
from ..domain.tallies import district_scope
from ..i18n import LOCALES, Messages
from ..render.charts import Bar, daily_chart, rate_bars
from .context import Deps
from .measured import measured
from .publish import site_page

CHART_DAYS = 30
INDEX = "stats/index.html"  # the statistics' front page (the console's supervisors link to it)
HISTORY_MONTHS = 12
RATES = ("response", "completion", "satisfaction", "on_time", "returns")
CHARTED = ("response", "completion", "satisfaction")  # the three rates (三率) the bar charts show
Days = dict[str, dict[str, int]]  # counter -> ISO day -> value


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def month_start(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


def month_end(month: str) -> date:
    start = month_start(month)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_before(month: str, count: int) -> str:
    start = month_start(month)
    index = start.year * 12 + start.month - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def read_days(deps: Deps, counters: Iterable[str], first: date, last: date) -> Days:
    """Each counter's days from `first` to `last`, one query per partition (a unit's measures together)."""
    return deps.counters.days(counters, first.isoformat(), last.isoformat())


def in_month(days: dict[str, int], month: str) -> int:
    return sum(value for day, value in days.items() if day.startswith(month))


def month_counts(deps: Deps, scopes: Sequence[str], months: Sequence[str]) -> dict[str, dict[str, Counts]]:
    """{month: {scope: Counts}} for consecutive months (last month and this one: at most 62 days),
    every measure of every scope read once for the whole span and split by month."""
    days = read_days(deps, [f"{measure}#{scope}" for scope in scopes for measure in MEASURES],
                     month_start(min(months)), month_end(max(months)))
    return {month: {scope: Counts(**{m: in_month(days[f"{m}#{scope}"], month) for m in MEASURES})
                    for scope in scopes} for month in months}


def unit_rates(deps: Deps, scope: str, today: date) -> tuple[Rates, Rates]:
    """One department's (its code) or district's (`district:<code>`) rates: this month, last month."""
    this = month_of(today)
    last = months_before(this, 1)
    counts = month_counts(deps, [scope], [last, this])
    return Rates.of(counts[this][scope]), Rates.of(counts[last][scope])


@dataclass(frozen=True)
class Unit:
    """A department or district as a page row: its rates in the month shown, and in the month
    before where the page compares."""

    code: str
    name: str
    url: str
    rates: Rates
    before: Rates | None = None


@dataclass(frozen=True)
class Ranking:
    best: list[Unit]
    worst: list[Unit]
    unranked: list[Unit]
    size: int


@dataclass(frozen=True)
class Month:
    """Everything one month's page shows, in figures (words come at rendering)."""

    month: str
    counts: dict[str, Counts]  # scope -> counts
    before: dict[str, Counts] | None  # the month before, compared on the current month's page
    kinds: dict[str, int]
    channels: dict[str, int]
    filed: int
    daily: list[tuple[str, int]]


def _units(catalog: Catalog, t: Messages, home: str, figures: Month, districts: bool) -> list[Unit]:
    table: Iterable[Any] = catalog.districts.values() if districts else catalog.departments.values()
    units = []
    for item in table:
        scope = district_scope(item.code) if isinstance(item, District) else item.code
        url = f"{home}hall/a/{item.code}.html" if districts else f"{home}d/{item.code}.html"
        before = Rates.of(figures.before[scope]) if figures.before is not None else None
        units.append(Unit(item.code, name_in(item, t.locale), url, Rates.of(figures.counts[scope]), before))
    return units


def _ranking(units: list[Unit], counts: dict[str, Counts], scope: str, size: int, min_sample: int) -> Ranking:
    by_code = {unit.code: unit for unit in units}
    table: League = league({code: counts[scope.format(code=code)] for code in by_code}, size, min_sample)
    return Ranking([by_code[code] for code, _ in table.best], [by_code[code] for code, _ in table.worst],
                   [by_code[code] for code in table.unranked], size)


def _bars(units: list[Unit]) -> list[Bar]:
    """The units with cases (nothing to draw for the others; the table lists them)."""
    return [Bar(unit.name, [getattr(unit.rates, key) for key in CHARTED]) for unit in units if unit.rates.cases]


def month_label(t: Messages, month: str) -> str:
    year, number = month.split("-")
    return t("stats.month", year=int(year), month=int(number))


def _daily_title(t: Messages, figures: Month, span: str) -> str:
    peak_day, peak = max(figures.daily, key=lambda item: (item[1], item[0]), default=("", 0))
    total = sum(n for _, n in figures.daily)
    summary = t("stats.intake_summary", total=total, peak=peak, day=peak_day) if peak else t("stats.intake_none")
    return f"{t('stats.intake_chart', span=span)}: {summary}"


def month_page(deps: Deps, t: Messages, figures: Month, path: str, archive: list[str], current: bool,
               today: date) -> str:
    """One month's statistics in one language."""
    catalog, home = deps.catalog(), f"{deps.settings.site_url}/{t.prefix}"
    policy = catalog.policy
    departments = _units(catalog, t, home, figures, districts=False)
    districts = _units(catalog, t, home, figures, districts=True)
    span = t("stats.last_days", days=CHART_DAYS) if current else month_label(t, figures.month)
    series = [t(f"stats.col.{key}") for key in CHARTED]
    return site_page(
        deps, t, "site/stats.html", path,
        month=month_label(t, figures.month), current=current, today=today.isoformat(),
        refresh_minutes=max(1, round(deps.settings.slow_page_interval_seconds / 60)),
        before_month=month_label(t, months_before(figures.month, 1)),
        departments=departments, districts=districts, rates=RATES,
        leagues=[("departments", _ranking(departments, figures.counts, "{code}", policy.league_departments,
                                          policy.league_min_sample)),
                 ("districts", _ranking(districts, figures.counts, "district:{code}", policy.league_districts,
                                        policy.league_min_sample))],
        min_sample=policy.league_min_sample,
        daily_svg=daily_chart(figures.daily, _daily_title(t, figures, span)), daily_span=span,
        department_svg=rate_bars(_bars(departments), series, t("stats.chart_departments")),
        district_svg=rate_bars(_bars(districts), series, t("stats.chart_districts")),
        kinds=[(t(f"kind.{kind}"), n) for kind, n in figures.kinds.items()],
        channels=[(t(f"channel.{channel}"), n) for channel, n in figures.channels.items()],
        filed=figures.filed, archive=[(m, month_label(t, m)) for m in archive],
        measured=measured() if current else None,
    )


INTAKE = [f"submitted#kind:{k.value}" for k in Kind] + [f"submitted#channel:{c.value}" for c in Channel] + [
    "submitted#all"]
MONTHS = "months"  # the named set of months that had intake (noted as cases are listed)


def stats_pages(deps: Deps, today: date, month: str | None = None) -> list[tuple[str, str]]:
    """(key, html) in each language of the statistics index (this month, last month's figures
    beside) — or, given `month`, of that month's own page. The planner names a month's page
    whenever its counters move, so a closed month's page is last written with its last event.
    Reads counters only, one query per unit partition, and the named set of months."""
    catalog = deps.catalog()
    this = month_of(today)
    last = months_before(this, 1)
    shown = [month] if month else [last, this]
    scopes = [*catalog.departments, *(district_scope(code) for code in catalog.districts)]
    counts = month_counts(deps, scopes, shown)
    window = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    first = month_start(min(shown)) if month else min(window[0], month_start(last))
    intake = read_days(deps, INTAKE, first, month_end(max(shown)) if month else today)
    everyday = intake["submitted#all"]
    noted = deps.listings.noted(MONTHS)
    archive = [m for m in (months_before(this, n) for n in range(1, HISTORY_MONTHS + 1)) if m in noted]

    def figures(month: str, before: str | None, daily: list[date]) -> Month:
        return Month(month, counts[month], counts[before] if before else None,
                     {k.value: in_month(intake[f"submitted#kind:{k.value}"], month) for k in Kind},
                     {c.value: in_month(intake[f"submitted#channel:{c.value}"], month) for c in Channel},
                     in_month(everyday, month), [(d.isoformat(), everyday.get(d.isoformat(), 0)) for d in daily])

    def days_of(month: str) -> list[date]:
        return [month_start(month) + timedelta(days=n) for n in range((month_end(month) - month_start(month)).days + 1)]

    pages = []
    for locale in LOCALES:
        t = Messages(locale)
        if month is None:
            pages.append((f"{t.prefix}{INDEX}", month_page(
                deps, t, figures(this, last, window), INDEX, archive, True, today)))
        else:
            pages.append((f"{t.prefix}stats/{month}.html", month_page(
                deps, t, figures(month, None, days_of(month)), f"stats/{month}.html", archive, False, today)))
    return pages


@dataclass(frozen=True)
class DepartmentRates:
    """A department's rates this month and last (the supervisor's console), and its place in
    this month's league ("best", "worst", "unranked": too few cases, or "")."""

    code: str
    this: Rates
    last: Rates
    table: str


def department_rates(deps: Deps, today: date) -> list[DepartmentRates]:
    """Every department's figures as the public statistics compute them (the same counters and
    the same league)."""
    catalog = deps.catalog()
    this = month_of(today)
    last = months_before(this, 1)
    codes = list(catalog.departments)
    counts = month_counts(deps, codes, [last, this])
    table = league(counts[this], catalog.policy.league_departments, catalog.policy.league_min_sample)
    place = {code: "best" for code, _ in table.best} | {code: "worst" for code, _ in table.worst} \
        | {code: "unranked" for code in table.unranked}
    return [DepartmentRates(code, Rates.of(counts[this][code]), Rates.of(counts[last][code]), place.get(code, ""))
            for code in codes]
