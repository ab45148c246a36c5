"""Patent families: ``group_by`` and ``expand_by`` as Elasticsearch bodies (pure).

Every patent record carries a family key per family kind, derived at index time
(``family.simple.key``, ``family.extended.key``: see ``catalogue.derive.family_key``),
the same number for every member whichever member it was computed from.

``group_by`` is one body: the search, collapsed on the key (the best member of
each family by the request's sort, families paged by ``from``/``size``), plus a
``cardinality`` aggregation on the key, because Elasticsearch's ``total`` under
``collapse`` still counts documents and Lens counts families.

``expand_by`` is two: first the matches' family keys (a ``terms`` aggregation,
no hits), then the search for every document of those families, the original
query kept as an optional clause so that matches keep their scores and the
members that do not match score 0. Both backends execute both bodies; the API
pipeline sends them one after the other.
"""

from __future__ import annotations

from typing import Any

from mirror.catalogue import Catalogue
from mirror.errors import BadRequest, excerpt

from .request import MAX_WINDOW, SearchRequest

#: Lens's values → the search field holding that family's key.
FAMILY_FIELDS = {"SIMPLE_FAMILY": "family.simple.key", "EXTENDED_FAMILY": "family.extended.key"}
#: The aggregation both family bodies name (a name no Lens request can send: aggregations are ours here).
FAMILY_AGGREGATION = "lens_mirror_families"
#: Elasticsearch's cardinality is HyperLogLog++: at or below this many distinct values it
#: keeps every hash (practically exact); 40,000 is the largest threshold it accepts.
PRECISION_THRESHOLD = 40_000
#: expand_by looks up at most this many families (the second body's terms query).
MAX_EXPAND_FAMILIES = MAX_WINDOW


def check_family_options(req: SearchRequest, product: str) -> None:
    """group_by / expand_by: patent only, a known value, one of the two, and no scroll with group_by."""
    for option in ("group_by", "expand_by"):
        value = getattr(req, option)
        if value is None:
            continue
        if product != "patent":
            raise BadRequest(f"{option} is only available for patent search")
        if value not in FAMILY_FIELDS:
            raise BadRequest(f"{option} must be one of {', '.join(FAMILY_FIELDS)}, got {excerpt(value)}")
    if req.group_by is not None and req.expand_by is not None:
        raise BadRequest("group_by and expand_by cannot be combined: group_by returns one record per family, "
                         "expand_by every member")
    if req.group_by is not None and (req.scroll is not None or req.scroll_id is not None):
        raise BadRequest("group_by cannot be used with scroll: page over families with from and size")


def family_field(option: str, catalogue: Catalogue) -> str:
    """The index field of a family kind's key (``search.family.simple.key``)."""
    return catalogue.resolve(FAMILY_FIELDS[option]).index_name


def group_body(base: dict[str, Any], field: str) -> dict[str, Any]:
    """One hit per family, the best by the body's sort; the families counted."""
    return {**base, "collapse": {"field": field},
            "aggs": {FAMILY_AGGREGATION: {"cardinality": {"field": field,
                                                          "precision_threshold": PRECISION_THRESHOLD}}}}


def listing_body(base: dict[str, Any], field: str) -> dict[str, Any]:
    """expand_by, first step: the family keys of every match (one more than allowed, to tell)."""
    body = {k: v for k, v in base.items() if k in ("query", "min_score")}
    body.update(size=0, track_total_hits=True,
                aggs={FAMILY_AGGREGATION: {"terms": {"field": field, "size": MAX_EXPAND_FAMILIES + 1}}})
    return body


def family_keys(listing: dict[str, Any], option: str) -> list[int]:
    """The keys a listing body's answer found; a 400 when there are more than can be looked up."""
    answer = (listing.get("aggregations") or {}).get(FAMILY_AGGREGATION) or {}
    buckets = answer.get("buckets") or []
    if len(buckets) > MAX_EXPAND_FAMILIES or answer.get("sum_other_doc_count"):
        kind = option.split("_")[0].lower()
        raise BadRequest(f"expand_by: the query matches more than {MAX_EXPAND_FAMILIES:,} {kind} families; "
                         "narrow it, or page over its families with group_by")
    return sorted(int(b["key"]) for b in buckets)


def expanded_body(base: dict[str, Any], field: str, keys: list[int]) -> dict[str, Any]:
    """expand_by, second step: every document of the families found, in the request's sort.

    The query becomes an optional clause beside the family filter, so matches keep
    their scores and members that do not match score 0 (under relevance they follow
    the matches). ``min_score`` chose the matches in the first step; here it would
    drop the members it brought in, so it is left out.
    """
    body = {k: v for k, v in base.items() if k != "min_score"}
    body["query"] = {"bool": {"should": [base["query"]], "filter": [{"terms": {field: keys}}]}}
    return body


def counted_total(response: dict[str, Any], body: dict[str, Any]) -> int:
    """Lens's ``total``: families under group_by (the cardinality), else the matches."""
    if "collapse" in body:
        return int(response["aggregations"][FAMILY_AGGREGATION]["value"])
    return int(response["hits"]["total"]["value"])


__all__ = ["FAMILY_AGGREGATION", "FAMILY_FIELDS", "MAX_EXPAND_FAMILIES", "check_family_options",
           "counted_total", "expanded_body", "family_field", "family_keys", "group_body", "listing_body"]
