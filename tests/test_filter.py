"""``split --filter`` keeps exactly the records a search for the same query finds.

The filter evaluates the compiled query in Python; this differential test runs
the same queries through the live API over the same records.
"""

from __future__ import annotations

import httpx
import pytest

from conftest import Corpus
from mirror.backends.embedded.evaluate import record_filter
from mirror.catalogue import catalogue_for
from mirror.errors import BadRequest

QUERIES = {
    "scholarly": [
        "year_published:[2015 TO *] AND has_abstract:true",
        "malaria OR vaccine",
        'title:"malaria vaccine"',
        "NOT has_abstract:true",
        "field_of_study:bio*",
        "author.affiliation.name:(Harvard University)",
        "date_published:[2010-01 TO 2012-06-30]",
        'publication_type:"journal article" -is_open_access:true',
        "referenced_by_count:>3 AND author_count:[2 TO 6}",
        "source.publisher.exact:Elsevier*",
    ],
    "patent": [
        "jurisdiction:US AND kind:B*",
        "claim:battery AND NOT has_sequence:true",
        "class_cpc.symbol:Y02*",
        "ids:\"EP 0227762 B1\" OR legal_status.patent_status:active",
        "date_published:[2015 TO 2019] AND cited_by_patent:true",
        'applicant.name:"International Business Machines"',
    ],
}


@pytest.mark.parametrize(("product", "query"), [(p, q) for p, qs in QUERIES.items() for q in qs])
def test_filter_keeps_what_search_finds(api: httpx.Client, corpus: Corpus, product: str, query: str) -> None:
    keep = record_filter(catalogue_for(product), query)
    kept = {r["lens_id"] for r in corpus.records[product] if keep(r)}
    response = api.post(f"/{product}/search", json={"query": query, "size": 500, "include": ["lens_id"]})
    assert response.status_code == 200, response.text
    found = {r["lens_id"] for r in response.json()["data"]}
    assert kept == found


# Query objects whose options the backends compute themselves: both must agree with
# Elasticsearch's definitions (minimum_should_match forms, Lucene regexes, escaped globs).
OBJECTS = [
    {"bool": {"should": [{"match": {"title": "malaria"}}, {"match": {"title": "vaccine"}},
                         {"match": {"abstract": "malaria"}}], "minimum_should_match": "60%"}},
    {"bool": {"should": [{"match": {"title": "malaria"}}, {"match": {"abstract": "malaria"}},
                         {"term": {"is_open_access": True}}], "minimum_should_match": -1}},
    {"bool": {"must": [{"range": {"year_published": {"gte": 2000}}}],
              "should": [{"match": {"title": "malaria"}}, {"match": {"abstract": "vaccine"}}],
              "minimum_should_match": "1<-50%"}},
    {"match": {"abstract": {"query": "malaria vaccine trial children", "minimum_should_match": "75%"}}},
    {"match": {"abstract": {"query": "malaria vaccine trial", "minimum_should_match": "-1"}}},
    {"regexp": {"title": "mala[a-z]+"}},
    {"regexp": {"field_of_study": "bio(chem|log).*|med@"}},
    {"wildcard": {"title": "va?cin*"}},
    {"query_string": {"query": "title:/vacc.n[a-z]*/ OR field_of_study:Bio\\*"}},
    {"query_string": {"query": "year_published:[-5 TO 2015] AND NOT year_published:{* TO -1]"}},
]


def test_an_escaped_star_is_a_literal_star(api: httpx.Client) -> None:
    def total(query: str) -> int:
        response = api.post("/scholarly/search", json={"query": query, "size": 0})
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total("field_of_study:Bio*") > 0
    assert total("field_of_study:Bio\\*") == 0  # no field of study is spelled with a star


@pytest.mark.parametrize("query", OBJECTS, ids=[str(i) for i in range(len(OBJECTS))])
def test_filter_and_search_agree_on_query_objects(api: httpx.Client, corpus: Corpus, query: dict) -> None:
    keep = record_filter(catalogue_for("scholarly"), query, regex=True)
    kept = {r["lens_id"] for r in corpus.records["scholarly"] if keep(r)}
    response = api.post("/scholarly/search", json={"query": query, "size": 1000, "include": ["lens_id"],
                                                   "regex": True})
    assert response.status_code == 200, response.text
    assert kept == {r["lens_id"] for r in response.json()["data"]}


def test_a_bad_filter_is_a_clear_error() -> None:
    with pytest.raises(BadRequest, match="titel"):
        record_filter(catalogue_for("scholarly"), "titel:x")


def test_split_filter_writes_only_matching_records(tmp_path, corpus: Corpus) -> None:
    import gzip
    import json

    from typer.testing import CliRunner

    from mirror.cli import build_app
    from mirror.ingest import iter_records

    source = tmp_path / "scholarly-202346.jsonl.gz"  # the product comes from the file name
    source.write_bytes(gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in corpus.records["scholarly"])))
    query = "year_published:[2015 TO *] AND has_abstract:true"
    result = CliRunner().invoke(build_app(), ["split", str(source), "--out", str(tmp_path / "out"), "--filter", query])
    assert result.exit_code == 0, result.output
    keep = record_filter(catalogue_for("scholarly"), query)
    expected = [r["lens_id"] for r in corpus.records["scholarly"] if keep(r)]
    assert [r["lens_id"] for r in iter_records(tmp_path / "out")] == expected
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["kept"], manifest["dropped"]) == (len(expected), len(corpus.records["scholarly"]) - len(expected))


def test_split_filter_errors_name_the_problem(tmp_path) -> None:
    from typer.testing import CliRunner

    from mirror.cli import build_app

    source = tmp_path / "records.jsonl"
    source.write_text('{"lens_id": "000-000-000-000-001"}\n')
    run = CliRunner().invoke
    no_product = run(build_app(), ["split", str(source), "--out", str(tmp_path / "a"), "--filter", "title:x"])
    assert no_product.exit_code == 2 and "--product" in no_product.output  # usage errors exit 2
    bad_field = run(build_app(), ["split", str(source), "--out", str(tmp_path / "b"), "--filter", "titel:x",
                                  "--product", "scholarly"])
    assert bad_field.exit_code == 2 and "titel" in bad_field.output
