from __future__ import annotations

import pytest

from chalicelib.domain.errors import NotFound
from tests.builders import make_catalog

catalog = make_catalog()


def test_the_district_rule_names_the_department():
    assert catalog.route("e1", "lights").code == "east-city"


def test_a_location_override_wins_over_the_district_rule():
    assert catalog.route("e1", "roads").code == "roads"
    assert catalog.route("e2", "roads").code == "police"


def test_no_rule_means_no_department():
    assert catalog.route("w1", "noise") is None


def test_unknown_names_are_reported_with_their_field():
    with pytest.raises(NotFound) as caught:
        catalog.location("nowhere")
    assert caught.value.field == "location"
    assert "nowhere" in caught.value.message


def test_league_tables_take_their_sizes_and_minimum_sample_from_the_policy_record():
    from chalicelib.domain.catalog import Catalog

    assert (catalog.policy.league_min_sample, catalog.policy.league_departments,
            catalog.policy.league_districts) == (5, 5, 3)
    configured = Catalog.from_data({"policy": [{"code": "policy", "league_min_sample": 10,
                                                "league_departments": 3, "league_districts": 2}]})
    assert (configured.policy.league_min_sample, configured.policy.league_departments,
            configured.policy.league_districts) == (10, 3, 2)
