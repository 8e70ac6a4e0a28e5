"""The published figures, from counted events alone (domain/tallies.py): the five rates of a
department or a district for a period, and league tables that a single case cannot top.

    response rate    signed off on time / dispatched          (签收及时率)
    completion rate  replied / dispatched                     (办结率)
    satisfaction     satisfied + basically satisfied / rated  (满意率)
    on-time rate     replied on time / replied                (按时办结率)
    return rate      returned / dispatched                    (退单率, lower is better)

A league table ranks by the score: the mean of the rates that exist, the return rate counted as
1 - return rate; only a unit with at least `min_sample` dispatched cases is ranked. Ties go to the
unit with more cases, then to its code."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

MEASURES = ("dispatched", "accepted", "accepted_on_time", "replied", "replied_on_time", "rated",
            "satisfied", "returns")


@dataclass(frozen=True)
class Counts:
    dispatched: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    returns: int = 0

    @classmethod
    def read(cls, scope: str, total: Callable[[str], int]) -> Counts:
        """The counts of a scope (a department's code, `district:<code>`) from a counter reader
        (the period is the reader's)."""
        return cls(**{name: total(f"{name}#{scope}") for name in MEASURES})

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    cases: int
    response: float | None
    completion: float | None
    satisfaction: float | None
    on_time: float | None
    returns: float | None

    @classmethod
    def of(cls, counts: Counts) -> Rates:
        return cls(
            cases=counts.dispatched,
            response=_ratio(counts.accepted_on_time, counts.dispatched),
            completion=_ratio(counts.replied, counts.dispatched),
            satisfaction=_ratio(counts.satisfied, counts.rated),
            on_time=_ratio(counts.replied_on_time, counts.replied),
            returns=_ratio(counts.returns, counts.dispatched),
        )

    @property
    def score(self) -> float | None:
        parts = [r for r in (self.response, self.completion, self.satisfaction, self.on_time) if r is not None]
        if self.returns is not None:
            parts.append(1 - self.returns)
        return sum(parts) / len(parts) if parts else None


@dataclass(frozen=True)
class League:
    best: list[tuple[str, Rates]]
    worst: list[tuple[str, Rates]]
    unranked: list[str]  # fewer cases than the minimum sample


def league(units: Mapping[str, Counts], size: int, min_sample: int = 5) -> League:
    """The `size` best and worst units by score; a unit appears in one table only."""
    rates = {code: Rates.of(counts) for code, counts in units.items()}
    ranked = sorted(((code, r) for code, r in rates.items() if r.cases >= min_sample and r.score is not None),
                    key=lambda item: (-(item[1].score or 0), -item[1].cases, item[0]))
    best = ranked[:size]
    worst = [item for item in reversed(ranked[size:])][:size]
    return League(best, worst, sorted(code for code, r in rates.items() if r.cases < min_sample))
