"""The bench's verdicts: the throughput targets met or missed, and a summary only of a whole run."""
from __future__ import annotations

import json
from typing import Any

import pytest

from bench.throughput import met


def burst(**changed: Any) -> dict[str, Any]:
    return {"sent": 3000, "accepted": 3000, "server_errors_5xx": 0, "other_refusals": 0, "no_answer": 0,
            "never_sent": 0, "scheduler_late_p95_ms": 3.4, "all_settled_after_s": 39.5, **changed}


def test_every_submission_accepted_and_settled_in_time_with_a_flat_archive_is_met() -> None:
    assert met({"burst": burst(), "archive": {"p95_ratio": 1.03}})
    assert met({"burst": burst()}) and met({"archive": {"p95_ratio": 1.2}})  # one part run alone


@pytest.mark.parametrize("missed", [
    {"accepted": 2654, "never_sent": 346},  # submissions that never left
    {"accepted": 2974, "no_answer": 26},  # unanswered within the client's time-out
    {"accepted": 2990, "other_refusals": 10},  # refused (e.g. the flood limit)
    {"accepted": 2999, "server_errors_5xx": 1},
    {"all_settled_after_s": None},  # not all stored, started and published within the bound
    {"all_settled_after_s": 60.4},  # seen settled only after the bound
    {"scheduler_late_p95_ms": 20_000.0},  # all accepted, but sent far slower than 50 a second
    {"sent": 0, "accepted": 0},  # nothing was sent at all
])
def test_a_burst_that_lost_refused_or_left_anything_unpublished_is_missed(missed: dict[str, Any]) -> None:
    assert not met({"burst": burst(**missed)})


def test_submits_slower_at_twenty_thousand_archived_cases_miss_the_target() -> None:
    assert not met({"burst": burst(), "archive": {"p95_ratio": 1.21}})


def whole_run(**changed: Any) -> dict[str, Any]:
    """build/bench.json of a whole run that met every target, with `changed` parts replaced."""
    return {
        "cost": {"dollars_per_1000_cases_total": 0.376}, "cost_city_day": {"dollars_per_1000_cases_total": 0.694},
        "throughput": {"burst": burst(), "archive": {"p95_ratio": 0.97}},
        "latency": {"dispatched_s": {"p95": 0.26}, "status_s": {"p95": 0.15},
                    "targets": {"dispatched_p95_s": 2.0, "status_p95_s": 1.0}},
        "coldstart": {"import_app_wall_ms": {"median": 264.7}, "target_ms": 400.0, "package": {"zip_mb": 14.08}},
        **changed}


@pytest.fixture
def files(tmp_path, monkeypatch):
    from bench import results

    figures, summary = tmp_path / "bench.json", tmp_path / "results.json"
    summary.write_text("{}")
    monkeypatch.setattr(results, "FIGURES", figures)
    monkeypatch.setattr(results, "RESULTS", summary)
    return figures, summary


@pytest.mark.parametrize("gap", ["latency", "throughput's archive"])
def test_a_part_of_the_bench_that_recorded_nothing_keeps_the_summary_as_it_was(gap, files, capsys) -> None:
    from bench import results

    figures, summary = files
    run = whole_run()
    if gap == "latency":
        del run["latency"]
    else:
        del run["throughput"]["archive"]
    figures.write_text(json.dumps(run))
    assert results.main() == 1
    assert f"no figures of {gap}" in capsys.readouterr().err
    assert summary.read_text() == "{}"


def test_a_whole_run_is_summarised_with_each_target_met(files, capsys) -> None:
    from bench import results

    figures, summary = files
    figures.write_text(json.dumps(whole_run()))
    assert results.main() == 0
    written = json.loads(summary.read_text())
    assert written["cost_per_1000_cases_usd"] == 0.376
    assert len(written["targets"]) == 7 and all(written["targets"].values())
    assert "MISSED" not in capsys.readouterr().out


@pytest.mark.parametrize(("part", "missed", "target"), [
    ("cost", {"dollars_per_1000_cases_total": 0.41}, "cost per 1,000 cases"),
    ("coldstart", {"import_app_wall_ms": {"median": 401.0}, "target_ms": 400.0, "package": {"zip_mb": 14.0}},
     "import app"),
    ("coldstart", {"import_app_wall_ms": {"median": 300.0}, "target_ms": 400.0, "package": {"zip_mb": 15.2}},
     "deployment zip"),
    ("latency", {"dispatched_s": {"p95": 2.1}, "status_s": {"p95": 0.2},
                 "targets": {"dispatched_p95_s": 2.0, "status_p95_s": 1.0}}, "filed -> page dispatched"),
    ("throughput", {"burst": burst(accepted=2990, no_answer=10), "archive": {"p95_ratio": 1.0}}, "burst"),
])
def test_a_missed_target_is_written_down_and_fails_the_bench(part, missed, target, files, capsys) -> None:
    from bench import results

    figures, summary = files
    figures.write_text(json.dumps(whole_run(**{part: missed})))
    assert results.main() == 1
    written = json.loads(summary.read_text())  # the run's figures are kept, with the verdict
    assert [name for name, met in written["targets"].items() if not met] == [
        name for name in written["targets"] if name.startswith(target)]
    assert f"MISSED  {target}" in capsys.readouterr().out
