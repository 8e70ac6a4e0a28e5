"""The dependencies every use case receives, built in one place (bootstrap)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..adapters.aws import DeadLetters, SiteStore, Workflow
from ..adapters.dynamo import ConfigRepository, Counters, TicketRepository
from ..adapters.sms import SnsSms
from ..config import Settings
from ..domain.calendar import Clock
from ..domain.catalog import Catalog

CATALOG_TTL_SECONDS = 60.0


@dataclass
class Deps:
    settings: Settings
    tickets: TicketRepository
    counters: Counters
    config: ConfigRepository
    workflow: Workflow
    site: SiteStore
    sms: SnsSms
    dead_letters: DeadLetters
    clock: Clock
    monotonic: Callable[[], float] = time.monotonic
    _catalog: Catalog | None = field(default=None, init=False)
    _catalog_at: float = field(default=0.0, init=False)

    def catalog(self) -> Catalog:
        """The city's configuration, re-read at most once a minute per warm Lambda."""
        if self._catalog is None or self.monotonic() - self._catalog_at > CATALOG_TTL_SECONDS:
            self._catalog = self.config.load()
            self._catalog_at = self.monotonic()
            # The holiday table of the policy completes the calendar for years not yet known.
            self.clock = replace(self.clock, calendar=self._catalog.policy.calendar())
        return self._catalog

    def forget_catalog(self) -> None:
        self._catalog = None
