"""Inline SVG charts: well-formed, named for screen readers, labels escaped, scaled by a viewBox."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from chalicelib.render.charts import Bar, daily_chart, rate_bars

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_daily_chart_draws_one_point_per_day_on_a_round_axis():
    days = [(f"2026-11-{d:02d}", n) for d, n in zip(range(1, 31), [3, 0, 7] * 10, strict=True)]
    root = parse(daily_chart(days, "Cases filed per day"))
    assert root.get("role") == "img" and root.get("aria-label") == "Cases filed per day"
    assert root.find(f"{SVG}title").text == "Cases filed per day"
    assert root.get("viewBox", "").startswith("0 0 400 ") and root.get("width") == "100%"
    points = root.find(f".//{SVG}polyline").get("points").split()
    assert len(points) == 30
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[:3] == ["10", "5", "0"]  # the peak of 7 rounds up to 10
    assert labels[3:] == ["11-01", "11-16", "11-30"]
    assert "<script" not in daily_chart(days, "x")


def test_a_daily_chart_of_no_days_is_an_empty_frame():
    root = parse(daily_chart([], "nothing"))
    assert root.find(f".//{SVG}polyline") is None


def test_rate_bars_are_as_long_as_the_rate_and_name_their_units():
    svg = rate_bars([Bar("Roads <&> Bridges", [2 / 3, None]), Bar("市交通运输局", [1.0, 0.0])],
                    ["Completion", "Satisfaction"], "Rates by department")
    root = parse(svg)  # escaped labels keep it well-formed
    assert "Roads &lt;&amp;&gt; Bridges" in svg
    assert root.get("role") == "img" and root.get("aria-label") == "Rates by department"
    assert root.get("viewBox") == f"0 0 400 {28 + 2 * (21 + 2 * 15 + 10)}"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Completion", "Satisfaction", "Roads <&> Bridges", "市交通运输局"]
    paths = root.findall(f"{SVG}path")
    assert paths[0].get("d").count("z") == 4  # a track behind every bar
    assert {p.get("fill"): p.get("d") for p in paths[1:]} == {
        "#0b57a4": "M0 49h266.7v12H0zM0 110h400.0v12H0z",  # 2/3 and 100 % of the width
        "#1e7a46": ""}  # nothing drawn for no base or 0 %


def test_a_long_name_keeps_its_start_and_end_in_the_chart_counting_wide_characters_double():
    long_english = "Bureau of Urban Administration and Comprehensive Enforcement No. 5"
    svg = rate_bars([Bar("很" * 40, [0.5]), Bar(long_english, [0.5]), Bar("Water Group", [0.5])], ["A"], "t")
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert texts[1:] == ["很" * 16 + "…" + "很" * 8, "Bureau of Urban Administration…Enforcement No. 5", "Water Group"]
