"""What running the platform costs, as `make bench` last measured it: bench/results.json, committed
with the code and shipped beside it (the package step copies it to the same place under the
package's root), published on the statistics page so a city sees the bill per case it pays."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

# The project's root locally; the package's root in Lambda (chalicelib/ sits in both).
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results.json"


@dataclass(frozen=True)
class Measured:
    """Dollars per 1,000 cases (list prices of `region`, SMS excluded) and the day of the run; and
    the same at a city's pace (`cases_per_day`, each case's steps hours or days apart, so fewer
    changes share a build of the shared pages than at the bench's pace: the larger figure)."""

    per_1000_cases: float
    date: str
    region: str
    per_1000_cases_city: float | None = None
    cases_per_day: int | None = None
    places: int | None = None  # the city the count assumes: places with posters, and departments
    departments: int | None = None


@cache
def measured(path: Path = RESULTS) -> Measured | None:
    """The last measurement, or None where no bench has been run (the page then says nothing)."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        city = results.get("cost_city_day") or {}
        measured = Measured(float(results["cost_per_1000_cases_usd"]), str(results["date"]),
                            str(results["prices"]["region"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:  # the city figure only with the city it was counted for
        shape = city["city"]
        return replace(measured, per_1000_cases_city=float(city["dollars_per_1000_cases_total"]),
                       cases_per_day=int(shape["cases_per_day"]), places=int(shape["places"]),
                       departments=int(shape["departments"]))
    except (ValueError, KeyError, TypeError):
        return measured
