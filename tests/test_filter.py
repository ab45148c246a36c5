"""``split --filter`` keeps exactly the records a search for the same query finds.

The filter evaluates the compiled query in Python; this differential test runs
the same queries through the live API over the same records.
"""

from __future__ import annotations

import httpx
import pytest

from conftest import Corpus
from mirror.catalogue import catalogue_for
from mirror.errors import BadRequest
from mirror.query.evaluate import record_filter

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


def test_a_bad_filter_is_a_clear_error() -> None:
    with pytest.raises(BadRequest, match="titel"):
        record_filter(catalogue_for("scholarly"), "titel:x")
