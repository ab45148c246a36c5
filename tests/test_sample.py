"""The deterministic sample generator: what users and the other components rely on.

Same seed, same bytes; every documented record field shows up early; links (citations,
families, cross-product references) resolve inside the sample and agree from both ends.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
import zstandard
from typer.testing import CliRunner

from mirror.sample import generate_records, is_lens_id, lens_id_for, write_sample

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
PACKAGED = Path(__file__).resolve().parents[1] / "mirror" / "data"
COUNT, SEED = 300, 7
LENS_ID = re.compile(r"^\d{3}-\d{3}-\d{3}-\d{3}-\d{2}[\dX]$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def reference_file(kind: str, product: str) -> Path:
    """The reference contract beside the repository, else the packaged copy."""
    name = f"{product}.json" if kind == "schema" else f"{product}.jsonl"
    shared = REFERENCE / kind / name
    return shared if shared.is_file() else PACKAGED / kind / name


def schema_leaves(node: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[str]:
    if "properties" in node:
        for key, sub in node["properties"].items():
            yield from schema_leaves(sub, (*path, key))
    elif node.get("type") == "array" and "items" in node:
        yield from schema_leaves(node["items"], path)
    else:
        yield ".".join(path)


def leaves(obj: Any, path: tuple[str, ...] = (), out: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Leaf path -> JSON types seen there (lists are transparent, as in the schema)."""
    out = {} if out is None else out
    if isinstance(obj, dict):
        for key, value in obj.items():
            leaves(value, (*path, key), out)
    elif isinstance(obj, list):
        for value in obj:
            leaves(value, path, out)
    else:
        out.setdefault(".".join(path), set()).add(type(obj).__name__)
    return out


@pytest.fixture(scope="module")
def samples() -> dict[str, list[dict[str, Any]]]:
    return {product: list(generate_records(product, COUNT, SEED)) for product in ("scholarly", "patent")}


# -- identifiers ------------------------------------------------------------------------


def test_lens_ids_are_well_formed_unique_and_disjoint_between_products() -> None:
    ids = {product: [lens_id_for(product, SEED, i) for i in range(20_000)] for product in ("scholarly", "patent")}
    for product, values in ids.items():
        assert all(LENS_ID.match(v) and is_lens_id(v) for v in values), product
        assert len(set(values)) == len(values), product
        assert all(int(v[:3]) < 200 for v in values)  # like real ids
    assert not set(ids["scholarly"]) & set(ids["patent"])
    assert lens_id_for("patent", SEED, 5) == lens_id_for("patent", SEED, 5)
    assert lens_id_for("patent", SEED, 5) != lens_id_for("patent", SEED + 1, 5)
    assert is_lens_id("028-101-820-366-93X") and not is_lens_id("028-101-820-366-930")  # a real one
    with pytest.raises(ValueError):
        lens_id_for("trademark", SEED, 0)


def test_record_i_carries_lens_id_for_i(samples: dict[str, list[dict[str, Any]]]) -> None:
    for product, records in samples.items():
        assert len(records) == COUNT
        assert [r["lens_id"] for r in records] == [lens_id_for(product, SEED, i) for i in range(COUNT)]


def test_external_identifiers_and_patent_numbers_never_repeat(samples: dict[str, list[dict[str, Any]]]) -> None:
    ids = Counter((e["type"], e["value"]) for r in samples["scholarly"] for e in r["external_ids"]
                  if e["type"] in ("doi", "pmid", "pmcid", "magid"))
    assert ids and ids.most_common(1)[0][1] == 1
    keys = Counter(r["doc_key"] for r in samples["patent"])
    assert keys.most_common(1)[0][1] == 1
    docdb = [r["docdb_id"] for r in samples["patent"] if "docdb_id" in r]
    assert len(set(docdb)) == len(docdb)


# -- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst", ".jsonl"])
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, suffix: str) -> None:
    a, b, c = tmp_path / f"a{suffix}", tmp_path / "sub" / f"b{suffix}", tmp_path / f"c{suffix}"
    assert write_sample("patent", 60, SEED, a) == 60
    write_sample("patent", 60, SEED, b)  # another name and directory: nothing of it leaks into the bytes
    write_sample("patent", 60, SEED + 1, c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    raw = a.read_bytes()
    if suffix == ".jsonl.gz":
        raw = gzip.decompress(raw)
    elif suffix == ".jsonl.zst":
        raw = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    lines = raw.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 61  # one record per line, "\n"-terminated
    assert [orjson.loads(line) for line in lines[:-1]] == list(generate_records("patent", 60, SEED))


def test_any_range_regenerates_exactly_like_the_full_run(samples: dict[str, list[dict[str, Any]]]) -> None:
    for product, records in samples.items():
        assert list(generate_records(product, COUNT, SEED, start=151, stop=163)) == records[151:163]
        assert list(generate_records(product, COUNT, SEED, start=COUNT - 2)) == records[-2:]


def test_scholarly_record_does_not_depend_on_count_except_links_past_the_end() -> None:
    small = list(generate_records("scholarly", 120, SEED))
    inside = {lens_id_for("scholarly", SEED, i) for i in range(120)}
    patents = {lens_id_for("patent", SEED, i) for i in range(120)}
    for record, big in zip(small, generate_records("scholarly", 120 + 180, SEED), strict=False):
        refs = [r for r in big.get("references", []) if r["lens_id"] in inside]
        citers = [c for c in big.get("scholarly_citations", []) if c in inside]
        cited_by = [p for p in big.get("patent_citations", []) if p["lens_id"] in patents]
        trimmed = dict(big, references=refs, references_count=len(refs), references_resolved_count=len(refs),
                       scholarly_citations=citers, scholarly_citations_count=len(citers),
                       patent_citations=cited_by, patent_citations_count=len(cited_by))
        for key in ("references", "scholarly_citations", "patent_citations"):
            if not trimmed[key]:
                del trimmed[key]
        assert orjson.dumps(trimmed) == orjson.dumps(record)  # same keys, same order, same values


def test_patent_record_does_not_depend_on_count_except_links_past_the_end() -> None:
    link_free = ("references_cited", "cited_by")
    for record, big in zip(generate_records("patent", 100, SEED), generate_records("patent", 250, SEED), strict=False):
        assert {k: v for k, v in record.items() if k not in ("biblio", "families")} == \
               {k: v for k, v in big.items() if k not in ("biblio", "families")}
        assert {k: v for k, v in record["biblio"].items() if k not in link_free} == \
               {k: v for k, v in big["biblio"].items() if k not in link_free}
        for family in ("simple_family", "extended_family"):
            kept = [m for m in big["families"][family]["members"]
                    if m["lens_id"] in {lens_id_for("patent", SEED, i) for i in range(100)}]
            assert record["families"][family]["members"] == kept


# -- shape ------------------------------------------------------------------------------


@pytest.mark.parametrize("product", ["scholarly", "patent"])
@pytest.mark.parametrize("seed", [SEED, 2024])
def test_every_schema_and_sample_field_appears_within_200_records(product: str, seed: int) -> None:
    seen: dict[str, set[str]] = {}
    for record in generate_records(product, 200, seed):
        leaves(record, (), seen)
    schema = json.loads(reference_file("schema", product).read_text())
    # The schema is approximate: where it stops at a string the real records hold an object
    # (source.issn, open_access.locations, patcit.document_id), so a deeper path counts.
    missing = [p for p in schema_leaves(schema) if not any(s == p or s.startswith(p + ".") for s in seen)]
    assert not missing, f"never generated: {missing}"
    real = leaves(json.loads(reference_file("samples", product).read_text().splitlines()[0]))
    assert not [p for p in real if p not in seen], "a field of the real record is never generated"
    numbers = {"int", "float"}
    assert {p: seen[p] for p in real if seen[p] != real[p] and not seen[p] <= numbers >= real[p]} == {}


@pytest.mark.parametrize("product", ["scholarly", "patent"])
def test_key_order_follows_the_real_record(samples: dict[str, list[dict[str, Any]]], product: str) -> None:
    real = list(json.loads(reference_file("samples", product).read_text().splitlines()[0]))
    for record in samples[product][:50]:
        common = [k for k in record if k in real]
        assert common == sorted(common, key=real.index)


def test_optional_fields_are_sometimes_absent(samples: dict[str, list[dict[str, Any]]]) -> None:
    scholarly, patent = samples["scholarly"], samples["patent"]
    for key in ("abstract", "funding", "mesh_terms", "chemicals", "clinical_trials", "keywords",
                "open_access", "references", "scholarly_citations", "patent_citations"):
        present = sum(key in r for r in scholarly)
        assert 0 < present < COUNT, key
    assert 0 < sum(any("orcid" == i["type"] for a in r["authors"] for i in a.get("ids", [])) for r in scholarly) < COUNT
    assert {r["is_open_access"] for r in scholarly} == {True, False}
    for key in ("abstract", "claims", "description", "sequence_listing"):
        assert 0 < sum(key in r for r in patent) < COUNT, key
    for key in ("agents", "owners_all", "examiners"):
        assert 0 < sum(key in r["biblio"]["parties"] for r in patent) < COUNT, key
    assert {r["legal_status"]["patent_status"] for r in patent} >= {"ACTIVE", "PENDING", "EXPIRED", "DISCONTINUED"}
    assert len({r["jurisdiction"] for r in patent}) >= 8
    assert {r["publication_type"] for r in patent} >= {"PATENT_APPLICATION", "GRANTED_PATENT"}
    langs = Counter(a["lang"] for r in patent for a in r.get("abstract", []))
    assert langs.most_common(1)[0][0] == "en" and len(langs) >= 4
    types = Counter(r["publication_type"] for r in scholarly)
    assert types.most_common(1)[0][0] == "journal article" and len(types) >= 4


def test_dates_are_consistent_and_formatted_like_lens(samples: dict[str, list[dict[str, Any]]]) -> None:
    for r in samples["scholarly"]:
        assert TIMESTAMP.match(r["date_published"]) and TIMESTAMP.match(r["created"])
        year, month, day = r["date_published_parts"]
        assert r["date_published"].startswith(f"{year:04d}-{month:02d}-{day:02d}") and r["year_published"] == year
        assert r["author_count"] == len(r["authors"])
    for r in samples["patent"]:
        assert DAY.match(r["date_published"])
        day = r["date_published"].replace("-", "")
        assert r["doc_key"] == f"{r['jurisdiction']}_{r['doc_number']}_{r['kind']}_{day}"
        assert r["biblio"]["publication_reference"] == {k: r[k] for k in ("jurisdiction", "doc_number", "kind")} | {
            "date": r["date_published"]}
        assert r["biblio"]["application_reference"]["date"] <= r["date_published"]
        status = r["legal_status"]
        assert status["granted"] == ("grant_date" in status)
        if r["publication_type"] == "GRANTED_PATENT":
            assert status["granted"] and status["grant_date"] == r["date_published"]


# -- links ------------------------------------------------------------------------------


def test_scholarly_references_and_citations_agree(samples: dict[str, list[dict[str, Any]]]) -> None:
    by_id = {r["lens_id"]: r for r in samples["scholarly"]}
    edges = 0
    for r in samples["scholarly"]:
        refs = [x["lens_id"] for x in r.get("references", [])]
        assert refs == sorted(refs) and r["references_count"] == len(refs) == r["references_resolved_count"]
        assert r["scholarly_citations_count"] == len(r.get("scholarly_citations", []))
        for target in refs:
            assert target != r["lens_id"]
            assert r["lens_id"] in by_id[target]["scholarly_citations"]  # resolves, and the inverse agrees
            assert by_id[target]["date_published"] <= r["date_published"]  # one cites the past
            edges += 1
        for citer in r.get("scholarly_citations", []):
            assert r["lens_id"] in [x["lens_id"] for x in by_id[citer]["references"]]
    assert edges > COUNT  # a real citation graph, not a token one


def test_patent_citations_cited_by_and_families_agree(samples: dict[str, list[dict[str, Any]]]) -> None:
    by_id = {r["lens_id"]: r for r in samples["patent"]}
    cites = 0
    for r in samples["patent"]:
        biblio = r["biblio"]
        cited = [c["patcit"] for c in biblio.get("references_cited", {}).get("citations", []) if "patcit" in c]
        if "references_cited" in biblio:
            ref = biblio["references_cited"]
            npl = [c["nplcit"] for c in ref["citations"] if "nplcit" in c]
            assert (ref["patent_count"], ref["npl_count"]) == (len(cited), len(npl))
            assert ref["npl_resolved_count"] == sum("lens_id" in n for n in npl)
        for patcit in cited:
            target = by_id[patcit["lens_id"]]
            assert patcit["document_id"] == target["biblio"]["publication_reference"]
            assert r["lens_id"] in [p["lens_id"] for p in target["biblio"]["cited_by"]["patents"]]
            cites += 1
        citing = biblio.get("cited_by", {}).get("patents", [])
        assert biblio.get("cited_by", {}).get("patent_count", 0) == len(citing)
        for entry in citing:
            assert r["lens_id"] in [c["patcit"]["lens_id"] for c in by_id[entry["lens_id"]]["biblio"]
                                    ["references_cited"]["citations"] if "patcit" in c]
        for name in ("simple_family", "extended_family"):
            family = r["families"][name]
            assert family["size"] == len(family["members"])
            assert r["lens_id"] in [m["lens_id"] for m in family["members"]]
            for member in family["members"]:
                assert by_id[member["lens_id"]]["families"][name] == family  # the same family, everywhere
                assert member["document_id"] == by_id[member["lens_id"]]["biblio"]["publication_reference"]
        simple = {m["lens_id"] for m in r["families"]["simple_family"]["members"]}
        assert simple <= {m["lens_id"] for m in r["families"]["extended_family"]["members"]}
    assert cites > COUNT // 2
    sizes = Counter(r["families"]["simple_family"]["size"] for r in samples["patent"])
    assert sizes[1] > 0 and max(sizes) >= 4  # singletons and real multi-office families


def test_scholarly_and_patent_samples_reference_each_other(samples: dict[str, list[dict[str, Any]]]) -> None:
    scholarly = {r["lens_id"]: r for r in samples["scholarly"]}
    cited_by_patents: dict[str, set[str]] = {}
    for p in samples["patent"]:
        for c in p["biblio"].get("references_cited", {}).get("citations", []):
            npl = c.get("nplcit", {})
            if "lens_id" in npl:
                work = scholarly[npl["lens_id"]]  # resolves inside the scholarly sample
                ids = {e["value"] for e in work["external_ids"] if e["type"] in ("doi", "pmid", "pmcid")}
                assert set(npl.get("external_ids", [])) == {i.lower() for i in ids}
                assert work["date_published"][:10] <= p["date_published"]
                cited_by_patents.setdefault(npl["lens_id"], set()).add(p["lens_id"])
    assert cited_by_patents
    for lens_id, work in scholarly.items():
        listed = {x["lens_id"] for x in work.get("patent_citations", [])}
        assert listed == cited_by_patents.get(lens_id, set())
        assert work["patent_citations_count"] == len(listed)


# -- text -------------------------------------------------------------------------------


def test_topical_text_lets_bm25_rank_malaria_vaccine_papers_first(samples: dict[str, list[dict[str, Any]]]) -> None:
    docs = [re.findall(r"\w+", f"{r['title']} {r.get('abstract', '')}".lower()) for r in samples["scholarly"]]
    avg = sum(map(len, docs)) / len(docs)
    df = Counter(term for doc in docs for term in set(doc))

    def bm25(doc: list[str], query: list[str]) -> float:
        tf = Counter(doc)
        return sum(math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5)) * tf[t] * 2.2
                   / (tf[t] + 1.2 * (0.25 + 0.75 * len(doc) / avg)) for t in query if t in tf)

    ranked = sorted(range(len(docs)), key=lambda i: -bm25(docs[i], ["malaria", "vaccine"]))
    top = [samples["scholarly"][i] for i in ranked[:10]]
    assert all("Malaria" in " ".join(r["fields_of_study"]) or "Parasitology" in r["fields_of_study"] for r in top)
    assert df["malaria"] < len(docs) * 0.3  # a topic, not a stop word
    frequencies = Counter(term for doc in docs for term in doc).most_common()
    assert frequencies[0][1] > 20 * frequencies[len(frequencies) // 2][1]  # Zipf-like skew


# -- command line -----------------------------------------------------------------------


def test_cli_writes_a_readable_gzip_sample(tmp_path: Path) -> None:
    from mirror.cli import sample as sample_cli

    app = typer.Typer()
    sample_cli.register(app)
    app.command("noop")(lambda: None)  # a second command, so "sample" is a sub-command as in lens-mirror
    out = tmp_path / "out" / "patents.jsonl.gz"
    result = CliRunner().invoke(app, ["sample", "--product", "patent", "--count", "37", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in gzip.decompress(out.read_bytes()).splitlines()]
    assert len(records) == 37 and records[0]["lens_id"] == lens_id_for("patent", 3, 0)
    assert not list(out.parent.glob("*.part"))
    bad = CliRunner().invoke(app, ["sample", "--product", "trademark", "-o", str(out)])
    assert bad.exit_code != 0
