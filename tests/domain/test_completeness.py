"""How complete a listing is against the EU mandatory elements and the CTDL minimum."""

from dataclasses import replace

from registry.domain.completeness import ELEMENTS, completeness
from tests.support.records import a_listing

COMPLETE = a_listing()


def test_a_listing_with_every_element_scores_one():
    assert completeness(COMPLETE).score == 1 and completeness(COMPLETE).missing == []


def test_each_missing_element_is_named_and_lowers_the_score_by_its_share():
    sparse = replace(COMPLETE, description={}, learning_outcomes=[], quality_assurance="  ")
    found = completeness(sparse)
    assert found.missing == ["description", "learningOutcomes", "qualityAssurance"]
    assert found.score == round((len(ELEMENTS) - 3) / len(ELEMENTS), 4)


def test_a_stated_reason_for_having_no_level_counts_as_the_level():
    unlevelled = replace(COMPLETE, level_framework=None, level_value=None)
    assert completeness(unlevelled).missing == ["level"]
    assert completeness(replace(unlevelled, level_reason="Not placed on a framework yet.")).missing == []


def test_a_draft_without_workload_mode_or_assessment_misses_them():
    draft = replace(COMPLETE, workload_hours=None, delivery_mode=None, assessment=None)
    assert completeness(draft).missing == ["workloadHours", "assessment", "deliveryMode"]


def test_an_http_page_counts_as_missing_until_it_is_https():
    assert completeness(replace(COMPLETE, url="http://example.ca/data-analytics")).missing == ["url"]
