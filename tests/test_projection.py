"""include/exclude projections and date rounding: the small pure pieces of execution."""

from __future__ import annotations

from mirror.backends.source import project
from mirror.dates import bound_millis, to_millis

RECORD = {
    "lens_id": "1",
    "title": "t",
    "authors": [{"first_name": "A", "last_name": "B", "ids": [{"type": "orcid", "value": "x"}]},
                {"first_name": "C", "last_name": "D"}],
    "biblio": {"invention_title": [{"text": "x", "lang": "en"}], "parties": {"applicants": []}},
}


def test_include_keeps_whole_subtrees_and_parts_of_lists() -> None:
    assert project(RECORD, ["lens_id", "biblio.invention_title"], None) == {
        "lens_id": "1", "biblio": {"invention_title": [{"text": "x", "lang": "en"}]}}
    assert project(RECORD, ["authors.first_name"], None) == {"authors": [{"first_name": "A"}, {"first_name": "C"}]}


def test_exclude_and_both_at_once() -> None:
    assert "ids" not in project(RECORD, None, ["authors.ids"])["authors"][0]
    both = project(RECORD, ["authors"], ["authors.ids", "authors.last_name"])
    assert both == {"authors": [{"first_name": "A"}, {"first_name": "C"}]}


def test_no_projection_returns_the_record() -> None:
    assert project(RECORD, None, None) is RECORD


def test_date_bounds_round_like_elasticsearch() -> None:
    day = to_millis("2020-09-30")
    assert bound_millis("2020-09-30", round_up=False) == day
    assert bound_millis("2020-09-30", round_up=True) == day + 86_400_000 - 1
    assert bound_millis("2020-02", round_up=True) == to_millis("2020-03-01") - 1
    assert bound_millis("2020", round_up=True) == to_millis("2021-01-01") - 1
    assert to_millis("2015-06-13T00:00:00.000000+00:00") == to_millis("2015-06-13")
    assert to_millis("2015-06-13T02:00:00+02:00") == to_millis("2015-06-13")
