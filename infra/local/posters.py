"""`make posters`: every location's poster (PNG, SVG, A4 PDF) and a sheet per district, from a
city's data file, for the site address the codes must open (no running system needed).

    make posters SITE_URL=https://12345.city.gov.cn [CITY=infra/seed/demo-city.json] [OUT=build/posters]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chalicelib.domain.catalog import Catalog
from chalicelib.services.posters import files
from infra.local.seed import DEMO_CITY
from infra.local.twin import ROOT, public_urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-url", default=public_urls().site, help="the public address of the site")
    parser.add_argument("--city", type=Path, default=DEMO_CITY, help="the city's data file")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "posters")
    parser.add_argument("--font", default=None, help="a Chinese font file for the PNG posters")
    args = parser.parse_args(argv)
    if not args.site_url.startswith(("https://", "http://")):
        parser.error(f"--site-url must start with https:// (or http://), so phones open it as a link: {args.site_url}")
    catalog = Catalog.from_data(json.loads(args.city.read_text(encoding="utf-8")))
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, content in files(catalog, args.site_url.rstrip("/"), args.font):
        (args.out / name).write_bytes(content)
        count += 1
    print(f"{count} poster files for {len(catalog.locations)} places in {args.out} (codes open {args.site_url})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
