"""Include-only exports read each record's pruned copy (projections.bin), not the stored record.

What a user must not notice: the records answered are the same, field for field,
whatever the pruning limit, including when it is off, when an include reaches a
pruned value, and after an interrupted index run (tests/test_embedded.py).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from conftest import Corpus
from mirror.backends.embedded import EmbeddedIndex, IndexUnavailable, index_files
from mirror.backends.embedded.projections import FILE, Projector, pruned_entry
from mirror.backends.source import _filter
from mirror.catalogue import catalogue_for, record_key_order, record_paths
from mirror.ingest.split import split_stream
from mirror.query.compile import compile_search
from mirror.query.request import parse_search_body
from mirror.settings import Settings


def test_pruned_copies_project_as_the_whole_record(corpus: Corpus) -> None:
    # the oracle is the general pattern matcher (_filter), not the include-tree walk the projector shares
    rnd = random.Random(11)
    for product in ("scholarly", "patent"):
        paths = sorted(record_paths(product))
        for limit in (16, 128, 1_000_000):
            served = 0
            for _ in range(150):
                includes = tuple(rnd.sample(paths, rnd.randint(1, 5)))
                projector = Projector(product, includes)
                for record in rnd.sample(corpus.records[product], 5):
                    got = projector.project(pruned_entry(orjson.dumps(record), limit))
                    if got is None:  # only when an include needs a value pruning dropped
                        assert limit < 1_000_000
                        continue
                    served += 1
                    lens_id, fragment = got
                    expected = _filter(record, "", list(includes), [])
                    assert lens_id == record["lens_id"]
                    # the same fields and values, in the order Lens writes a record's fields
                    answered = orjson.loads(orjson.dumps(fragment))
                    assert answered == expected, (includes, limit)
                    assert list(answered) == [k for k in record_key_order(product) if k in answered]
            # random include sets often reach a long list; nothing is pruned under a huge limit
            assert served >= {16: 1, 128: 150, 1_000_000: 750}[limit]


def test_an_export_of_small_fields_is_answered_without_the_stored_record(corpus: Corpus) -> None:
    # lens_id and title are small: every record's pruned copy holds both
    projector = Projector("scholarly", ("lens_id", "title"))
    assert all(projector.project(pruned_entry(orjson.dumps(r), 128)) is not None
               for r in corpus.records["scholarly"])


def _index(tmp_path: Path, name: str, records: list[dict[str, Any]], limit: int) -> EmbeddedIndex:
    source = tmp_path / f"{name}.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    split_stream(source, tmp_path / f"{name}-chunks", chunk_bytes=64 << 10, validate=False)
    index = EmbeddedIndex(tmp_path / name, catalogue_for("scholarly"))
    index_files(index, [tmp_path / f"{name}-chunks"], Settings(export_field_bytes=limit))
    return index


@pytest.mark.parametrize("include", [
    ["lens_id", "title"],
    ["title", "year_published", "source.title", "external_ids"],
    ["authors.last_name", "lens_id"],  # a long list: read from the stored record
])
def test_searches_answer_the_same_whatever_the_pruning_limit(corpus: Corpus, tmp_path: Path,
                                                              include: list[str]) -> None:
    records = corpus.records["scholarly"][:120]
    request = {"query": "*", "sort": [{"lens_id": "asc"}], "size": 120, "include": include}
    body = compile_search(parse_search_body(request), catalogue_for("scholarly"))
    answers = {}
    for limit in (0, 40, 128):  # off; titles pruned from many records; the default
        index = _index(tmp_path, f"limit{limit}", records, limit)
        assert (index.path / FILE).exists() == (limit > 0)
        answers[limit] = [(h["_id"], h["sort"], orjson.dumps(h["_source"])) for h in index.search(body)["hits"]["hits"]]
    expected = [(r["lens_id"], [r["lens_id"]], orjson.dumps(_filter(r, "", include, [])))
                for r in sorted(records, key=lambda r: r["lens_id"])]
    for limit, answer in answers.items():
        assert [(i, s, orjson.loads(src)) for i, s, src in answer] == [
            (i, s, orjson.loads(src)) for i, s, src in expected], limit


def test_a_truncated_projections_file_is_a_damaged_index(corpus: Corpus, tmp_path: Path) -> None:
    index = _index(tmp_path, "cut", corpus.records["scholarly"][:30], 128)
    path = index.path / FILE
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexUnavailable, match=f"{FILE} is shorter"):
        EmbeddedIndex(index.path, catalogue_for("scholarly"), create=False)
