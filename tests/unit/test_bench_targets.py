"""The bench's verdicts: the throughput targets met or missed, and a summary only of a whole run."""
from __future__ import annotations

from typing import Any

import pytest

from bench.throughput import met


def burst(**changed: Any) -> dict[str, Any]:
    return {"sent": 3000, "accepted": 3000, "server_errors_5xx": 0, "other_refusals": 0, "no_answer": 0,
            "never_sent": 0, "all_settled_after_s": 39.5, **changed}


def test_every_submission_accepted_and_settled_in_time_with_a_flat_archive_is_met() -> None:
    assert met({"burst": burst(), "archive": {"p95_ratio": 1.03}})
    assert met({"burst": burst()}) and met({"archive": {"p95_ratio": 1.2}})  # one part run alone


@pytest.mark.parametrize("missed", [
    {"accepted": 2654, "never_sent": 346},  # submissions that never left
    {"accepted": 2974, "no_answer": 26},  # unanswered within the client's time-out
    {"accepted": 2990, "other_refusals": 10},  # refused (e.g. the flood limit)
    {"accepted": 2999, "server_errors_5xx": 1},
    {"all_settled_after_s": None},  # not all stored, started and published within the bound
    {"sent": 0, "accepted": 0},  # nothing was sent at all
])
def test_a_burst_that_lost_refused_or_left_anything_unpublished_is_missed(missed: dict[str, Any]) -> None:
    assert not met({"burst": burst(**missed)})


def test_submits_slower_at_twenty_thousand_archived_cases_miss_the_target() -> None:
    assert not met({"burst": burst(), "archive": {"p95_ratio": 1.21}})


def test_a_part_of_the_bench_that_recorded_nothing_keeps_the_summary_as_it_was(tmp_path, monkeypatch, capsys) -> None:
    import json

    from bench import results

    figures, summary = tmp_path / "bench.json", tmp_path / "results.json"
    summary.write_text("{}")
    monkeypatch.setattr(results, "FIGURES", figures)
    monkeypatch.setattr(results, "RESULTS", summary)
    parts = {part: {"dollars_per_1000_cases_total": 0.4} for part in results.PARTS}
    figures.write_text(json.dumps({part: value for part, value in parts.items() if part != "throughput"}))
    assert results.main() == 1
    assert "no figures of throughput" in capsys.readouterr().err
    assert summary.read_text() == "{}"
    figures.write_text(json.dumps(parts))
    assert results.main() == 0
    assert json.loads(summary.read_text())["cost_per_1000_cases_usd"] == 0.4
