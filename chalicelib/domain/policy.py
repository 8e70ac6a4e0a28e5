"""The city's handling rules as data: deadline tiers, limits, windows, screening words."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from .calendar import WorkCalendar


@dataclass(frozen=True)
class Policy:
    # Working days per tier; the "1,3,5,7,15" scheme is just another table.
    tiers: dict[str, int] = field(default_factory=lambda: {"urgent": 2, "simple": 2, "general": 5, "complex": 15})
    # kind -> tier, overriding the category's tier (e.g. a consultation is simple).
    kind_tiers: dict[str, str] = field(default_factory=dict)
    sign_off_days: int = 1
    triage_days: int = 1
    return_window_days: int = 1
    escalation_interval_days: int = 1
    max_extensions: int = 1
    extension_days: int = 5
    survey_days: int = 3
    callback_days: int = 2
    default_rating: str = "satisfied"
    max_rounds: int = 2
    duplicate_window_days: int = 7
    duplicate_similarity: float = 0.6
    min_description_chars: int = 2  # Chinese characters: "漏水" is a complaint
    banned_words: tuple[str, ...] = ()
    max_photos: int = 4  # per submission, and per addition to an open case
    photo_max_mb: int = 8
    # A case reported by a point (a phone's position, an Open311 lat/long) is at the nearest of our
    # locations no farther than this; else it is unplaced and a dispatcher routes it by hand.
    nearest_location_m: int = 300
    # The citizen's contact is deleted this long after the case is finished (PIPL: no longer than needed).
    contact_retention_days: int = 180
    supervisor_phone: str = ""
    dispatcher_phone: str = ""
    # League tables: a unit with fewer dispatched cases in the month is not ranked (one case cannot
    # top a table); how many units each table names, best and worst.
    league_min_sample: int = 5
    league_departments: int = 5
    league_districts: int = 3
    # Fallback calendar for years chinesecalendar does not know yet (ISO dates, as published).
    holidays: tuple[str, ...] = ()
    workdays: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Policy:
        known = {f.name for f in fields(cls)}  # ignores bookkeeping keys such as "code"
        values = {k: v for k, v in (data or {}).items() if k in known}
        for name in ("banned_words", "holidays", "workdays"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)

    def calendar(self) -> WorkCalendar:
        return WorkCalendar.with_overrides(holidays=[date.fromisoformat(d) for d in self.holidays],
                                           workdays=[date.fromisoformat(d) for d in self.workdays])

    def tier_days(self, category_tier: str, kind: str) -> int:
        tier = self.kind_tiers.get(kind, category_tier)
        return self.tiers[tier]
