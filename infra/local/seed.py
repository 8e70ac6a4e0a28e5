"""Load a city's configuration from a data file, publish its pages and its QR posters."""
from __future__ import annotations

import json
from pathlib import Path

from chalicelib.services.context import Deps
from chalicelib.services.posters import publish_posters
from chalicelib.services.publish import publish_site

DEMO_CITY = Path(__file__).resolve().parent.parent / "seed" / "demo-city.json"


def seed(deps: Deps, qr_dir: Path, data_file: Path = DEMO_CITY) -> dict[str, int]:
    data = json.loads(data_file.read_text(encoding="utf-8"))
    records = deps.config.put_all(data)
    deps.forget_catalog()
    pages = publish_site(deps)
    publish_posters(deps, out=qr_dir)
    return {"records": records, "pages": len(pages), "qr": len(deps.catalog().locations)}
