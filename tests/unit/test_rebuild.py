"""The full rebuild (services/rebuild.py) against in-memory fakes and the demo city's history."""
from __future__ import annotations

import pytest

from chalicelib.domain.listings import HALL, WEEKS
from chalicelib.services.history import store_history
from chalicelib.services.posters import publish_posters
from chalicelib.services.publish import publish_site
from chalicelib.services.rebuild import rebuild_site
from chalicelib.services.site import every_page, rebuild_pending
from tests.fakes import World
from tests.unit.test_history import demo_world


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    """The demo city with 60 cases of history, published as the system publishes it: the static
    pages at seeding, the case pages by the stream, every shared page by the coalesced build."""
    world = demo_world()
    publish_site(world.deps)
    publish_posters(world.deps)
    store_history(world.deps, cases=60)
    world.deliver()
    world.pages.mark(every_page(world.deps.catalog()))
    rebuild_pending(world.deps)
    return world


def test_a_rebuild_into_an_empty_bucket_writes_the_same_objects_as_the_system_did(world):
    before = dict(world.site.pages)
    world.site.pages.clear()
    world.site.writes.clear()
    rebuilt = rebuild_site(world.deps)
    assert world.site.pages.keys() == before.keys()
    assert [key for key in before if world.site.pages[key] != before[key]] == []
    assert rebuilt.cases == len(world.tickets.rows) and rebuilt.files == len(world.site.writes)


def test_a_second_rebuild_writes_the_same_bytes(world):
    rebuild_site(world.deps)
    first = dict(world.site.pages)
    rebuild_site(world.deps)
    assert world.site.pages == first


def test_a_rebuild_restores_listing_entries_and_builds_each_page_once(world):
    hall, weeks = dict(world.listings.rows[HALL]), world.listings.noted(WEEKS)
    world.listings.rows[HALL].clear()
    world.listings.sets[WEEKS].clear()
    world.site.writes.clear()
    rebuild_site(world.deps)
    assert world.listings.rows[HALL] == hall and world.listings.noted(WEEKS) == weeks
    html = [key for key in world.site.writes if key.endswith(".html")]
    assert len(html) == len(set(html))  # nothing written twice
    days = {n[:8] for n in hall}
    assert all(f"hall/{day}-1.html" in world.site.pages for day in days)
    assert all(f"disclosure/{week}.csv" in world.site.pages for week in weeks)


def test_the_rebuild_tells_its_progress_and_ends_with_the_totals(world):
    told: list[tuple[str, int, int | None]] = []
    rebuilt = rebuild_site(world.deps, lambda what, done, total: told.append((what, done, total)))
    assert ("cases", rebuilt.cases, rebuilt.cases) in told
    assert told[-1] == ("pages", rebuilt.shared_pages, rebuilt.shared_pages)
    pages = [done for what, done, _ in told if what == "pages"]
    assert pages == list(range(1, rebuilt.shared_pages + 1))


def test_a_page_that_fails_is_reported_and_the_others_are_still_written(world, monkeypatch):
    from chalicelib.services import site

    build = site.build_page

    def broken(page, deps):
        if page == "hall/index":
            raise RuntimeError("a template error")
        return build(page, deps)

    monkeypatch.setattr(site, "build_page", broken)
    world.site.pages.clear()
    rebuilt = rebuild_site(world.deps)
    assert rebuilt.failed == ("hall/index",)
    assert "hall/index.html" not in world.site.pages and "disclosure/index.html" in world.site.pages
