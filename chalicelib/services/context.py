"""The dependencies every use case receives: ports, settings and the clock (bootstrap builds them)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..config import Settings
from ..domain.calendar import Clock
from ..domain.catalog import Catalog
from .ports import (
    AccessLog,
    Catalogue,
    ClientKeys,
    Counters,
    ImportLedger,
    Limits,
    Listings,
    PageSchedule,
    ParkedMessages,
    Photos,
    ReplyTemplates,
    SiteStore,
    Sms,
    StaffDirectory,
    StaffTokens,
    StreamRecords,
    Tickets,
    Workflow,
)

CATALOG_TTL_SECONDS = 60.0


@dataclass
class Deps:
    settings: Settings
    tickets: Tickets
    counters: Counters
    config: Catalogue
    workflow: Workflow
    site: SiteStore
    photos: Photos
    sms: Sms
    dead_letters: ParkedMessages
    stream_failures: ParkedMessages
    stream: StreamRecords
    limits: Limits
    listings: Listings
    pages: PageSchedule
    staff_tokens: StaffTokens
    staff: StaffDirectory
    access_log: AccessLog
    templates: ReplyTemplates
    imports: ImportLedger
    clients: ClientKeys
    # Time source and compression; the calendar comes from the catalog's policy (see `clock`).
    base_clock: Clock = field(default_factory=Clock)
    monotonic: Callable[[], float] = time.monotonic
    _catalog: Catalog | None = field(default=None, init=False)
    _catalog_at: float = field(default=0.0, init=False)
    _clock: tuple[Catalog, Clock] | None = field(default=None, init=False)

    def catalog(self) -> Catalog:
        """The city's configuration, re-read at most once a minute per warm Lambda."""
        if self._catalog is None or self.monotonic() - self._catalog_at > CATALOG_TTL_SECONDS:
            self._catalog = self.config.load()
            self._catalog_at = self.monotonic()
        return self._catalog

    @property
    def clock(self) -> Clock:
        """The working-day clock: the policy's holiday table completes the calendar for years
        the calendar package does not know yet."""
        catalog = self.catalog()
        if self._clock is None or self._clock[0] is not catalog:
            self._clock = (catalog, replace(self.base_clock, calendar=catalog.policy.calendar()))
        return self._clock[1]

    def forget_catalog(self) -> None:
        self._catalog = None
