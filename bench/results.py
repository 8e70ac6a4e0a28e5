"""`make bench`, last step: the run's figures (build/bench.json, written by each bench module) as
the committed summary bench/results.json — figures, date, machine — which the statistics page
publishes (the cost per 1,000 cases and its date; chalicelib/services/measured.py reads it)."""
from __future__ import annotations

import json
import os
import platform
import sys
from datetime import date
from pathlib import Path
from typing import Any

from chalicelib.services.measured import RESULTS

FIGURES = Path("build/bench.json")
PRICES = Path("bench/prices.json")
# What each part of `make bench` records; `make bench` starts from an empty build/bench.json, so a
# part that failed before recording is missing here rather than present with an older run's figures.
PARTS = ("cost", "cost_city_day", "throughput", "latency", "coldstart")


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    return {"cores": os.cpu_count(), "cpu": model, "system": f"{platform.system()} {platform.machine()}",
            "python": platform.python_version(), "where": "local twin on loopback (moto server, the API, pollers)"}


def summary(figures: dict[str, Any], prices: dict[str, Any], today: date) -> dict[str, Any]:
    cost = figures.get("cost") or {}
    if "dollars_per_1000_cases_total" not in cost:
        raise ValueError("build/bench.json has no cost figures: run `python -m bench.cost` first")
    return {
        "date": today.isoformat(),
        "machine": machine(),
        "prices": {"region": prices["region"], "as_of": prices["as_of"], "excluded": prices["excluded"]},
        "cost_per_1000_cases_usd": cost["dollars_per_1000_cases_total"],
        **figures,
    }


def main() -> int:
    if not FIGURES.exists():
        print("no build/bench.json: run the bench first", file=sys.stderr)
        return 1
    figures = json.loads(FIGURES.read_text())
    missing = [part for part in PARTS if part not in figures]
    if missing:
        print(f"build/bench.json has no figures of {', '.join(missing)}: that part of the bench failed or was not "
              "run; bench/results.json is left as it was", file=sys.stderr)
        return 1
    written = summary(figures, json.loads(PRICES.read_text()), date.today())
    RESULTS.write_text(json.dumps(written, ensure_ascii=False, indent=2) + "\n")
    print(f"bench/results.json: ${written['cost_per_1000_cases_usd']:.3f} per 1,000 cases "
          f"(SMS excluded), measured {written['date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
