"""Printable posters for every location (PNG, SVG, A4 PDF) and an A4 sheet per district, published
beside the site under posters/ with an index page the console links to. The drawing (Pillow,
ReportLab) is imported when posters are made, not with the app."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.catalog import Catalog, District, Location, name_in
from ..i18n import EN, LOCALES, Messages
from .context import Deps
from .publish import intake_path, site_page

if TYPE_CHECKING:
    from ..render import posters

SHEET_CODES = 6  # codes per A4 sheet: 6 keeps every code large enough to scan from a wall
TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def poster_of(location: Location, catalog: Catalog, site_url: str) -> posters.Poster:
    from ..render import posters

    zh, en = Messages(), Messages(EN)
    district = catalog.districts.get(location.district)
    return posters.Poster(
        place=location.name, district=district.name if district else "",
        url=f"{site_url}/{intake_path(location.code)}",
        instruction=zh("poster.instruction"), instruction_en=en("poster.instruction"),
        lookup=zh("poster.lookup", url=f"{site_url}/"), code=location.code)


def location_files(location: Location, catalog: Catalog, site_url: str,
                   font_path: str | Path | None = None) -> Iterator[tuple[str, bytes]]:
    """(name, content) of one location's posters: <location>.png/.svg/.pdf."""
    from ..render import posters

    poster = poster_of(location, catalog, site_url)
    yield f"{location.code}.png", posters.png(poster, font_path=font_path)
    yield f"{location.code}.svg", posters.svg(poster).encode()
    yield f"{location.code}.pdf", posters.pdf([poster])


def district_sheet(district: District, catalog: Catalog, site_url: str) -> tuple[str, bytes] | None:
    """district-<code>.pdf: the codes of the district's locations, SHEET_CODES per A4 page (None
    when it has no location that takes reports)."""
    here = [poster_of(loc, catalog, site_url) for loc in catalog.locations.values()
            if loc.district == district.code and not loc.hidden]
    if not here:
        return None
    from ..render import posters

    title = Messages()("poster.sheet_title", district=district.name)
    return f"district-{district.code}.pdf", posters.pdf(here, title=title, per_page=SHEET_CODES)


def files(catalog: Catalog, site_url: str, font_path: str | Path | None = None,
          codes: set[str] | None = None, districts: Iterable[str] = ()) -> Iterator[tuple[str, bytes]]:
    """(name, content) of the poster files of the locations in `codes` (all if None) and the
    sheets of their districts and of `districts` (one a location left)."""
    chosen = [loc for loc in catalog.locations.values() if codes is None or loc.code in codes]
    for location in chosen:
        yield from location_files(location, catalog, site_url, font_path)
    for code in dict.fromkeys([*(loc.district for loc in chosen), *sorted(districts)]):
        sheet = district_sheet(catalog.districts[code], catalog, site_url) if code in catalog.districts else None
        if sheet is not None:
            yield sheet


def publish_posters(deps: Deps, font_path: str | Path | None = None, out: Path | None = None,
                    codes: set[str] | None = None, districts: Iterable[str] = ()) -> list[str]:
    """Write the posters of the locations in `codes` (every location if None) and the sheets of
    their districts and of `districts` to the site (posters/…) and, if asked, to a folder; then the
    index page in each language."""
    keys = []
    for name, content in files(deps.catalog(), deps.settings.site_url, font_path, codes, districts):
        deps.site.put(f"posters/{name}", content, content_type=TYPES[name.rsplit(".", 1)[1]], cache_seconds=300)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(content)
        keys.append(f"posters/{name}")
    catalog = deps.catalog()
    for locale in LOCALES:
        t = Messages(locale)
        by_district = [(d.code, name_in(d, locale), [(loc.code, name_in(loc, locale))
                                                     for loc in catalog.locations.values()
                                                     if loc.district == d.code and not loc.hidden])
                       for d in catalog.districts.values()]
        key = f"{t.prefix}posters/index.html"
        deps.site.put(key, site_page(deps, t, "site/posters.html", "posters/index.html", by_district=by_district,
                                     posters_url=f"{deps.settings.site_url}/posters"), cache_seconds=60)
        keys.append(key)
    return keys
