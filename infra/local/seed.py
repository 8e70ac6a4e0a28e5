"""Load a city's configuration from a data file, publish its pages and its QR posters, and on a
fresh table store the demo history (services/history.py) for the stream to count, list and publish."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from chalicelib.services.context import Deps
from chalicelib.services.history import CASES, store_history
from chalicelib.services.posters import publish_posters
from chalicelib.services.publish import publish_site

DEMO_CITY = Path(__file__).resolve().parent.parent / "seed" / "demo-city.json"
# How many demo cases a fresh local twin gets (0: none, e.g. for benchmarks and browser tests).
HISTORY = "MASHANG_DEMO_HISTORY"


def seed(deps: Deps, qr_dir: Path, data_file: Path = DEMO_CITY, history: int | None = None) -> dict[str, float]:
    """Answers what was loaded; `history` is the number of demo cases stored now (0 when there
    were some already: the local state is kept between runs)."""
    data = json.loads(data_file.read_text(encoding="utf-8"))
    records = deps.config.put_all(data)
    deps.forget_catalog()
    pages = publish_site(deps)
    publish_posters(deps, out=qr_dir)
    cases = int(os.environ.get(HISTORY, CASES)) if history is None else history
    started = time.monotonic()
    stored = store_history(deps, cases=cases) if cases > 0 else None
    return {"records": records, "pages": len(pages), "qr": len(deps.catalog().locations),
            "history": stored or 0, "history_seconds": time.monotonic() - started}
