"""Patent families: group_by and expand_by, on both backends, against plain-Python oracles.

The oracles read the generated records only: a family is the set of Lens IDs a
record lists under ``families.{simple,extended}_family.members`` plus its own,
identified here by its smallest ID (written independently of the index-time
derivation). Where the match set is needed it comes from a query whose matches
Python computes from the records (a jurisdiction, a year range, everything), and
the order from a field sort, because the two engines' relevance scores differ.
Relevance sorts are checked against each backend's own ungrouped ranking.
"""

from __future__ import annotations

from typing import Any, Callable

import httpx
import pytest

from conftest import Corpus
from mirror.catalogue import catalogue_for
from mirror.catalogue.transform import search_document
from mirror.errors import BadRequest
from mirror.query import families
from mirror.query.compile import compile_search
from mirror.query.request import parse_search_body

KINDS = {"SIMPLE_FAMILY": "simple_family", "EXTENDED_FAMILY": "extended_family"}
Record = dict[str, Any]


def family_of(record: Record, option: str) -> str:
    members = (record.get("families") or {}).get(KINDS[option], {}).get("members") or []
    return min([m["lens_id"] for m in members if m.get("lens_id")] + [record["lens_id"]])


def value_at(record: Record, path: str) -> Any:
    value: Any = record
    for step in path.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def field_order(path: str, order: str) -> Callable[[Record], tuple[Any, ...]]:
    """The compile stage's order: the field (missing last, either way), then lens_id ascending."""
    def key(record: Record) -> tuple[Any, ...]:
        value = value_at(record, path)
        if value is None:
            return ((1, 0), record["lens_id"])
        if isinstance(value, str):  # dates: ISO strings sort as they read; desc by their code points
            value = value if order == "asc" else tuple(-ord(c) for c in value)
        elif order == "desc":
            value = -value
        return ((0, value), record["lens_id"])
    return key


def first_per_family(ranked: list[Record], option: str) -> list[Record]:
    seen: set[str] = set()
    heads = []
    for record in ranked:
        family = family_of(record, option)
        if family not in seen:
            seen.add(family)
            heads.append(record)
    return heads


def post(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/patent/search", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def walk(client: httpx.Client, body: dict[str, Any], page: int) -> tuple[list[str], set[int]]:
    """Every page of ``body`` by from/size: the Lens IDs in order, and the totals seen."""
    seen: list[str] = []
    totals = set()
    offset = 0
    while True:
        answer = post(client, {**body, "from": offset, "size": page, "include": ["lens_id"]})
        totals.add(answer["total"])
        assert answer["results"] == len(answer["data"]) <= page
        if not answer["data"]:
            return seen, totals
        seen += [r["lens_id"] for r in answer["data"]]
        offset += page


# Queries whose matches Python computes from the records.
MATCHES: list[tuple[dict[str, Any] | None, Callable[[Record], bool]]] = [
    (None, lambda r: True),
    ({"terms": {"jurisdiction": ["US", "EP"]}}, lambda r: r.get("jurisdiction") in ("US", "EP")),
    ({"range": {"year_published": {"gte": 2012}}}, lambda r: int(r["date_published"][:4]) >= 2012),
]
SORTS = [("date_published", "date_published", "desc"),
         ("reference_cited.patent_count", "biblio.references_cited.patent_count", "desc"),
         ("date_published", "date_published", "asc")]


@pytest.mark.parametrize("option", list(KINDS))
@pytest.mark.parametrize(("query", "matches"), MATCHES)
@pytest.mark.parametrize(("sort", "path", "order"), SORTS[:2])
def test_group_by_pages_over_the_best_member_of_each_family(
        backend_api: httpx.Client, corpus: Corpus, option: str, query: dict[str, Any] | None,
        matches: Callable[[Record], bool], sort: str, path: str, order: str) -> None:
    matched = sorted(filter(matches, corpus.records["patent"]), key=field_order(path, order))
    expected = [r["lens_id"] for r in first_per_family(matched, option)]
    assert len(expected) < len(matched)  # the corpus has real multi-member families to collapse
    body: dict[str, Any] = {"group_by": option, "sort": [{sort: order}]}
    if query is not None:
        body["query"] = query
    seen, totals = walk(backend_api, body, page=13)
    assert seen == expected
    assert totals == {len(expected)}


@pytest.mark.parametrize("option", list(KINDS))
def test_group_by_under_a_keyword_sort_and_over_get(backend_api: httpx.Client, corpus: Corpus, option: str) -> None:
    records = [r for r in corpus.records["patent"] if int(r["date_published"][:4]) >= 2005]
    expected = [r["lens_id"] for r in first_per_family(sorted(records, key=field_order("jurisdiction", "asc")),
                                                       option)]
    body = {"query": {"range": {"year_published": {"gte": 2005}}}, "group_by": option,
            "sort": [{"jurisdiction": "asc"}]}
    seen, totals = walk(backend_api, body, page=50)
    assert seen == expected and totals == {len(expected)}
    answer = backend_api.get("/patent/search", params={"query": "year_published:>=2005", "group_by": option,
                                                       "sort": "asc(jurisdiction)", "size": "40", "from": "10",
                                                       "include": "lens_id"})
    assert answer.status_code == 200, answer.text
    assert [r["lens_id"] for r in answer.json()["data"]] == expected[10:50]


@pytest.mark.parametrize("option", list(KINDS))
def test_group_by_under_relevance_keeps_each_familys_best_ranked_match(
        backend_api: httpx.Client, option: str, corpus: Corpus) -> None:
    """Scores differ between engines: each backend is checked against its own ungrouped ranking."""
    by_id = corpus.by_id("patent")
    query = "battery OR electrode OR sensor OR method"
    ranked = post(backend_api, {"query": query, "size": 500, "include": ["lens_id"]})
    assert ranked["total"] == ranked["results"]
    expected = [r["lens_id"] for r in first_per_family([by_id[r["lens_id"]] for r in ranked["data"]], option)]
    grouped = post(backend_api, {"query": query, "group_by": option, "size": 500, "include": ["lens_id"]})
    assert [r["lens_id"] for r in grouped["data"]] == expected
    assert grouped["total"] == len(expected) < ranked["total"]
    assert grouped["max_score"] == ranked["max_score"] > 0
    paged, _ = walk(backend_api, {"query": query, "group_by": option}, page=7)
    assert paged == expected


def test_group_by_counts_families_above_min_score(backend_api: httpx.Client, corpus: Corpus) -> None:
    by_id = corpus.by_id("patent")
    top = post(backend_api, {"query": "battery OR sensor", "size": 1, "include": ["lens_id"]})["max_score"]
    body = {"query": "battery OR sensor", "min_score": top / 3, "size": 500, "include": ["lens_id"]}
    plain = post(backend_api, body)
    grouped = post(backend_api, {**body, "group_by": "SIMPLE_FAMILY"})
    expected = first_per_family([by_id[r["lens_id"]] for r in plain["data"]], "SIMPLE_FAMILY")
    assert 0 < grouped["total"] == len(expected) == grouped["results"]
    assert [r["lens_id"] for r in grouped["data"]] == [r["lens_id"] for r in expected]


def test_group_by_with_size_zero_counts_families(backend_api: httpx.Client, corpus: Corpus) -> None:
    answer = post(backend_api, {"group_by": "EXTENDED_FAMILY", "size": 0})
    expected = {family_of(r, "EXTENDED_FAMILY") for r in corpus.records["patent"]}
    assert answer["total"] == len(expected) and answer["data"] == [] and answer["max_score"] == 0


@pytest.mark.parametrize("option", list(KINDS))
@pytest.mark.parametrize(("query", "matches"), MATCHES[1:])
@pytest.mark.parametrize(("sort", "path", "order"), SORTS[1:])
def test_expand_by_returns_exactly_the_union_of_the_matches_families(
        backend_api: httpx.Client, corpus: Corpus, option: str, query: dict[str, Any],
        matches: Callable[[Record], bool], sort: str, path: str, order: str) -> None:
    records = corpus.records["patent"]
    wanted = {family_of(r, option) for r in records if matches(r)}
    expanded = [r for r in records if family_of(r, option) in wanted]
    assert len(expanded) > sum(map(matches, records))  # the expansion brings members in
    expected = [r["lens_id"] for r in sorted(expanded, key=field_order(path, order))]
    seen, totals = walk(backend_api, {"query": query, "expand_by": option, "sort": [{sort: order}]}, page=29)
    assert seen == expected
    assert totals == {len(expected)}


def test_expand_by_under_relevance_puts_the_matches_first(backend_api: httpx.Client, corpus: Corpus) -> None:
    plain = post(backend_api, {"query": "title:battery", "size": 500, "include": ["lens_id"]})
    matched = {r["lens_id"] for r in plain["data"]}
    by_id = corpus.by_id("patent")
    wanted = {family_of(by_id[i], "EXTENDED_FAMILY") for i in matched}
    members = {r["lens_id"] for r in corpus.records["patent"] if family_of(r, "EXTENDED_FAMILY") in wanted}
    answer = post(backend_api, {"query": "title:battery", "expand_by": "EXTENDED_FAMILY", "size": 500,
                                "include": ["lens_id"]})
    got = [r["lens_id"] for r in answer["data"]]
    assert answer["total"] == len(got) == len(members) > len(matched) > 0
    assert set(got) == members
    assert set(got[: len(matched)]) == matched  # members that do not match score 0: they come after
    assert got[len(matched):] == sorted(got[len(matched):])  # ... tied, so in lens_id order


def test_expand_by_with_no_match_is_empty(backend_api: httpx.Client) -> None:
    answer = post(backend_api, {"query": {"term": {"jurisdiction": "XX"}}, "expand_by": "SIMPLE_FAMILY"})
    assert (answer["total"], answer["data"]) == (0, [])


def test_expand_by_over_too_many_families_is_a_400(backend_api: httpx.Client,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(families, "MAX_EXPAND_FAMILIES", 5)  # the servers run in this process
    response = backend_api.post("/patent/search", json={"expand_by": "SIMPLE_FAMILY"})
    assert response.status_code == 400, response.text
    assert "more than 5 simple families" in response.json()["message"]


# -- the family key: derived at index time, the same from every member ----------------------------------

@pytest.mark.parametrize("option", list(KINDS))
def test_every_member_derives_the_same_family_key(corpus: Corpus, option: str) -> None:
    catalogue = catalogue_for("patent")
    name = families.FAMILY_FIELDS[option]
    key = {r["lens_id"]: search_document(catalogue, r)[name] for r in corpus.records["patent"]}
    by_family: dict[str, set[tuple[int, ...]]] = {}
    for record in corpus.records["patent"]:
        by_family.setdefault(family_of(record, option), set()).add(tuple(key[record["lens_id"]]))
    assert all(len(keys) == 1 for keys in by_family.values())  # one key per family ...
    assert len({k for keys in by_family.values() for k in keys}) == len(by_family)  # ... and one family per key
    assert any(len([r for r in corpus.records["patent"] if family_of(r, option) == f]) > 1 for f in by_family)


# -- refusals: the compile stage judges, before any backend ------------------------------------------------

@pytest.mark.parametrize(("product", "request_body", "needles"), [
    ("scholarly", {"group_by": "SIMPLE_FAMILY"}, ["group_by", "only available for patent"]),
    ("scholarly", {"expand_by": "EXTENDED_FAMILY"}, ["expand_by", "only available for patent"]),
    ("patent", {"group_by": "INPADOC"}, ["'INPADOC'", "SIMPLE_FAMILY, EXTENDED_FAMILY"]),
    ("patent", {"expand_by": "simple"}, ["'simple'", "SIMPLE_FAMILY, EXTENDED_FAMILY"]),
    ("patent", {"group_by": "SIMPLE_FAMILY", "scroll": "1m"}, ["group_by", "scroll"]),
    ("patent", {"group_by": "SIMPLE_FAMILY", "expand_by": "SIMPLE_FAMILY"}, ["cannot be combined"]),
])
def test_bad_family_options_are_400s_naming_the_problem(product: str, request_body: dict[str, Any],
                                                        needles: list[str]) -> None:
    with pytest.raises(BadRequest) as err:
        compile_search(parse_search_body(request_body), catalogue_for(product))
    assert all(n in err.value.message for n in needles), err.value.message


def test_bad_family_option_over_http_has_the_error_shape(api: httpx.Client) -> None:
    response = api.post("/patent/search", json={"query": "battery", "group_by": "FAMILY"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "error", "message", "path"}
    assert "'FAMILY'" in response.json()["message"]


def test_family_key_numbers_identify_lens_ids_and_fit_a_long() -> None:
    from mirror.catalogue.derive import lens_id_number

    standard = ["000-000-000-000-000", "031-156-664-516-153", "999-999-999-999-99X", "145-564-229-856-440"]
    other = ["a", "lens-1", "031-156-664-516-15", "x" * 100]
    numbers = [lens_id_number(v) for v in standard + other]
    assert len(set(numbers)) == len(numbers)
    assert all(0 <= n < 2**51 for n in numbers[: len(standard)])
    assert all(2**62 <= n < 2**63 for n in numbers[len(standard):])
    assert lens_id_number("031-156-664-516-153") == lens_id_number("031-156-664-516-153")
