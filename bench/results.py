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
COST = 0.40  # the cost target: dollars per 1,000 cases, SMS excluded


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


def verdicts(figures: dict[str, Any]) -> dict[str, bool]:
    """Each target of the run, met or not (the throughput's from its own judge)."""
    from bench.throughput import met
    from infra.package import MAX_MB

    latency, cold, throughput = figures["latency"], figures["coldstart"], figures["throughput"]
    cost = figures["cost"]["dollars_per_1000_cases_total"]
    return {
        "burst: every submission accepted at 50/s, all published within 60 s": met({"burst": throughput["burst"]}),
        "submit p95 at 20,000 archived within 1.2x of 1,000": met({"archive": throughput["archive"]}),
        "import app median <= 400 ms": cold["import_app_wall_ms"]["median"] <= cold["target_ms"],
        "deployment zip <= 15 MB": cold["package"]["zip_mb"] <= MAX_MB,
        "cost per 1,000 cases <= $0.40 (the bench's lifecycles)": cost <= COST,
        "filed -> page dispatched p95 <= 2 s": latency["dispatched_s"]["p95"] <= latency["targets"]["dispatched_p95_s"],
        "status change -> page updated p95 <= 1 s": latency["status_s"]["p95"] <= latency["targets"]["status_p95_s"],
    }


def main() -> int:
    if not FIGURES.exists():
        print("no build/bench.json: run the bench first", file=sys.stderr)
        return 1
    figures = json.loads(FIGURES.read_text())
    missing = [part for part in PARTS if part not in figures]
    missing += [f"throughput's {part}" for part in ("burst", "archive") if part not in figures.get("throughput", {})]
    if missing:
        print(f"build/bench.json has no figures of {', '.join(missing)}: that part of the bench failed or was not "
              "run; bench/results.json is left as it was", file=sys.stderr)
        return 1
    written = {**summary(figures, json.loads(PRICES.read_text()), date.today()), "targets": verdicts(figures)}
    RESULTS.write_text(json.dumps(written, ensure_ascii=False, indent=2) + "\n")
    print(f"bench/results.json: ${written['cost_per_1000_cases_usd']:.3f} per 1,000 cases "
          f"(SMS excluded), measured {written['date']}")
    for target, met in written["targets"].items():
        print(f"  {'met   ' if met else 'MISSED'}  {target}")
    return 0 if all(written["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
