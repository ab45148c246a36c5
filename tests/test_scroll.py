"""Scroll (Lens cursor paging), on both backends: every record once, in order, then 204.

The big tests scroll a generated corpus of 20,000 scholarly records (built through the
public CLI, and loaded into the engine when one is available) and compare the ids
with plain-Python oracles over the generated records. The rules (204, spent,
expired, forged and malformed ids, 429, snapshots across a release switch) run on
small corpora, on both backends where the backend matters.
"""

from __future__ import annotations

import gzip
from contextlib import closing
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import pytest

from conftest import Corpus, LiveServer, run_cli
from mirror.api import create_app
from mirror.backends import open_backend
from mirror.backends.writing import IndexStore, VersionInUse, open_store
from mirror.query.scroll import parse_duration
from mirror.settings import Settings

BIG = 20_000
PAGE = 1_000
TEST_PREFIX = "lens-mirror-test-scroll"


# -- helpers ----------------------------------------------------------------------------------------


def scroll_pages(client: httpx.Client, product: str, body: dict[str, Any],
                 follow: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The Lens documentation's export loop, in our words: search with ``scroll``, then send the
    ``scroll_id`` of each answer back until an answer has no results or the status is 204."""
    pages = []
    response = client.post(f"/{product}/search", json={**body, "scroll": "1m"})
    while response.status_code != 204:
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        if page["results"] == 0:
            break
        response = client.post(f"/{product}/search",
                               json={"scroll_id": page["scroll_id"], "scroll": "1m", **(follow or {})})
    return pages


def scrolled_ids(pages: list[dict[str, Any]]) -> list[str]:
    return [record["lens_id"] for page in pages for record in page["data"]]


def value_at(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for step in path.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def oracle_order(records: list[dict[str, Any]], path: str | None, order: str = "asc") -> list[str]:
    """Lens IDs sorted as the mirror documents it: by the value (missing last), ties by Lens ID."""
    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        value = value_at(record, path) if path else None
        if value is None:
            return ((1, 0), record["lens_id"])
        if order == "desc":
            value = -value if isinstance(value, (int, float)) else Desc(value)
        return ((0, value), record["lens_id"])
    return [r["lens_id"] for r in sorted(records, key=key)]


class Desc:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: "Desc") -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Desc) and self.value == other.value


def read_sample(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def load_engine(url: str, prefix: str, index_suffix: str, records: list[dict[str, Any]],
                product: str = "scholarly", alias: bool = True) -> str:
    """``records`` into a fresh engine index ``{prefix}-{product}-{suffix}``; the read alias moved to it."""
    from mirror.backends.engine import alias_name
    from mirror.catalogue import catalogue_for
    from mirror.catalogue.transform import search_document

    root = Path(__file__).resolve().parent.parent
    index = f"{prefix}-{product}-{index_suffix}"
    catalogue = catalogue_for(product)
    with httpx.Client(base_url=url, timeout=300) as client:
        client.delete(f"/{index}")
        created = client.put(f"/{index}", content=(root / "mappings" / f"{product}.json").read_bytes(),
                             headers={"content-type": "application/json"})
        assert created.status_code == 200, created.text
        for start in range(0, len(records), 2_000):
            lines = []
            for record in records[start: start + 2_000]:
                lines.append(orjson.dumps({"index": {"_index": index, "_id": record["lens_id"]}}))
                lines.append(orjson.dumps({**record, "search": search_document(catalogue, record)}))
            bulk = client.post("/_bulk", content=b"\n".join(lines) + b"\n",
                               headers={"content-type": "application/x-ndjson"})
            assert bulk.status_code == 200 and not bulk.json()["errors"], bulk.text[:2000]
        assert client.post(f"/{index}/_refresh").status_code == 200
        if alias:
            name = alias_name(prefix, product)
            actions: list[dict[str, Any]] = [{"add": {"index": index, "alias": name}}]
            if client.get(f"/_alias/{name}").status_code == 200:
                actions.insert(0, {"remove": {"index": "*", "alias": name}})
            moved = client.post("/_aliases", json={"actions": actions})
            assert moved.status_code == 200, moved.text
    return index


# -- the big corpus: 20,000 records, on each backend ---------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    from mirror.sample import write_sample

    base = tmp_path_factory.mktemp("scroll-big")
    sample = base / "scholarly.jsonl.gz"
    write_sample("scholarly", BIG, 11, sample)
    run_cli("split", str(sample), "--out", str(base / "chunks"))
    run_cli("index", "--product", "scholarly", "--data-dir", str(base / "data"), str(base / "chunks"))
    return Corpus(base / "data", {"scholarly": read_sample(sample), "patent": []})


@pytest.fixture(scope="module", params=["embedded", "engine"])
def big_api(request: pytest.FixtureRequest, big: Corpus) -> Iterator[httpx.Client]:
    settings = Settings(data_dir=big.data_dir)
    if request.param == "engine":
        url = request.getfixturevalue("engine_url")
        load_engine(url, TEST_PREFIX, "big", big.records["scholarly"])
        settings = Settings(data_dir=big.data_dir, backend="elasticsearch", es_url=url, es_index_prefix=TEST_PREFIX)
    try:
        with LiveServer(create_app(settings, open_backend(settings))) as server:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                yield client
    finally:
        if request.param == "engine":
            httpx.delete(f"{settings.es_url}/{TEST_PREFIX}-scholarly-big", timeout=60)


@pytest.mark.parametrize(("sort", "path", "order"), [
    (None, None, "asc"),  # relevance of match_all: every score equal, so Lens ID order
    ("year_published", "year_published", "desc"),  # a number (with records missing it)
    ("referenced_by_count", "scholarly_citations_count", "asc"),
    ("publication_type", "publication_type", "asc"),  # a keyword
], ids=["match-all", "year-desc", "citations-asc", "keyword"])
def test_a_scroll_exports_every_record_once_in_order(big_api: httpx.Client, big: Corpus, sort: str | None,
                                                     path: str | None, order: str) -> None:
    body: dict[str, Any] = {"size": PAGE, "include": ["lens_id"]}
    if sort:
        body["sort"] = [{sort: order}]
    pages = scroll_pages(big_api, "scholarly", body)
    got = scrolled_ids(pages)
    assert got == oracle_order(big.records["scholarly"], path, order)
    assert len(pages) == BIG // PAGE and all(p["total"] == BIG for p in pages)
    assert len({p["scroll_id"] for p in pages}) == len(pages)  # a new id for every page


def test_a_relevance_scroll_finds_every_match_once(big_api: httpx.Client, big: Corpus) -> None:
    # scores vary (a record matching both clauses scores higher), so this pages by score and Lens ID
    query = 'publication_type:"journal article" OR year_published:[2015 TO *]'
    expected = {r["lens_id"] for r in big.records["scholarly"]
                if r.get("publication_type") == "journal article" or (r.get("year_published") or 0) >= 2015}
    assert 5_000 < len(expected) < BIG
    pages = scroll_pages(big_api, "scholarly", {"query": query, "size": PAGE, "include": ["lens_id"]})
    got = scrolled_ids(pages)
    assert len(got) == len(set(got)) == len(expected) and set(got) == expected
    assert all(p["total"] == len(expected) for p in pages)
    assert pages[0]["max_score"] > 0
    # the scroll's order is the search's order: its first pages are what from/size pages show
    for number in (0, 3):
        page = big_api.post("/scholarly/search", json={"query": query, "size": PAGE, "from": number * PAGE,
                                                       "include": ["lens_id"]}).json()
        assert [r["lens_id"] for r in page["data"]] == [r["lens_id"] for r in pages[number]["data"]]


# -- the rules, on the shared small corpus (both backends) ------------------------------------------------


def test_the_documented_loop_ends_with_204_and_the_id_is_then_gone(backend_api: httpx.Client,
                                                                   corpus: Corpus) -> None:
    pages = scroll_pages(backend_api, "scholarly", {"size": 70, "include": ["lens_id", "title"]})
    assert sorted(scrolled_ids(pages)) == sorted(r["lens_id"] for r in corpus.records["scholarly"])
    assert [p["results"] for p in pages] == [70, 70, 70, 70, 20]
    assert all(set(record) <= {"lens_id", "title"} for p in pages for record in p["data"])
    gone = backend_api.post("/scholarly/search", json={"scroll_id": pages[-1]["scroll_id"]})
    assert gone.status_code == 400 and "finished" in gone.json()["message"]


def test_a_follow_up_may_change_the_projection_for_its_page(backend_api: httpx.Client) -> None:
    first = backend_api.post("/patent/search", json={"size": 5, "scroll": "30s", "include": ["lens_id"]}).json()
    assert all(set(r) == {"lens_id"} for r in first["data"])
    second = backend_api.post("/patent/search", json={"scroll_id": first["scroll_id"],
                                                      "include": ["lens_id", "jurisdiction"]}).json()
    assert second["results"] == 5 and all(set(r) == {"lens_id", "jurisdiction"} for r in second["data"])
    third = backend_api.post("/patent/search", json={"scroll_id": second["scroll_id"]}).json()
    assert all(set(r) == {"lens_id"} for r in third["data"])  # back to the first request's projection
    assert not {r["lens_id"] for r in first["data"] + second["data"]} & {r["lens_id"] for r in third["data"]}


def test_get_search_scrolls_like_post(backend_api: httpx.Client, corpus: Corpus) -> None:
    seen: list[str] = []
    response = backend_api.get("/patent/search", params={"query": "*", "size": "100", "scroll": "1m",
                                                         "include": "lens_id"})
    while response.status_code == 200:
        seen += [r["lens_id"] for r in response.json()["data"]]
        response = backend_api.get("/patent/search", params={"scroll_id": response.json()["scroll_id"]})
    assert response.status_code == 204
    assert sorted(seen) == sorted(r["lens_id"] for r in corpus.records["patent"])


def test_a_scroll_that_matches_nothing_answers_0_then_204(backend_api: httpx.Client) -> None:
    first = backend_api.post("/scholarly/search", json={"query": "title:zzzzzzqqq", "scroll": "1m"})
    assert first.status_code == 200 and first.json()["results"] == first.json()["total"] == 0
    assert backend_api.post("/scholarly/search", json={"scroll_id": first.json()["scroll_id"]}).status_code == 204


def test_a_spent_id_is_a_400(backend_api: httpx.Client) -> None:
    first = backend_api.post("/scholarly/search", json={"size": 10, "scroll": "1m"}).json()
    second = backend_api.post("/scholarly/search", json={"scroll_id": first["scroll_id"], "scroll": "1m"})
    assert second.status_code == 200
    again = backend_api.post("/scholarly/search", json={"scroll_id": first["scroll_id"], "scroll": "1m"})
    assert again.status_code == 400 and "already used" in again.json()["message"]
    # the scroll itself is unharmed: its latest id still answers the next page
    third = backend_api.post("/scholarly/search", json={"scroll_id": second.json()["scroll_id"]})
    assert third.status_code == 200 and third.json()["results"] == 10


@pytest.mark.parametrize(("scroll_id", "words"), [
    ("", "empty"),
    ("not base64 !!", "malformed"),
    ("MjAxOTEw;DnF1ZXJ...R2NZdw==", "malformed"),  # the Lens documentation's example id
    ("QUJD", "malformed"),
    ("x" * 5000, "too long"),
])
def test_a_malformed_id_is_a_400(backend_api: httpx.Client, scroll_id: str, words: str) -> None:
    response = backend_api.post("/scholarly/search", json={"scroll_id": scroll_id, "scroll": "1m"})
    assert response.status_code == 400 and words in response.json()["message"]
    assert len(response.json()["message"]) < 300


def test_a_forged_id_is_a_400(backend_api: httpx.Client) -> None:
    real = backend_api.post("/scholarly/search", json={"size": 5, "scroll": "1m"}).json()["scroll_id"]
    for position in (3, 10, len(real) - 2):  # the cursor key, the step, the signature
        forged = real[:position] + ("A" if real[position] != "A" else "B") + real[position + 1:]
        response = backend_api.post("/scholarly/search", json={"scroll_id": forged})
        assert response.status_code == 400, forged
        assert "not issued by this server" in response.json()["message"] or "malformed" in response.json()["message"]


@pytest.mark.parametrize(("body", "words"), [
    ({"scroll_id": "abc", "query": "malaria"}, "query cannot be sent with scroll_id"),
    ({"scroll_id": "abc", "size": 5, "sort": [{"year_published": "asc"}]}, "size, sort cannot be sent"),
    ({"scroll_id": "abc", "from": 5}, "from cannot be sent with scroll_id"),
    ({"query": "malaria", "scroll": "1 minute"}, "scroll: expected a positive duration"),
    ({"query": "malaria", "scroll": "0s"}, "scroll: expected a positive duration"),
    ({"query": "malaria", "scroll": 60}, "scroll"),
    ({"query": "malaria", "scroll": "2d"}, "LENS_MIRROR_SCROLL_MAX_LIFETIME"),
    ({"scroll": "1m", "size": 0}, "size must be at least 1"),
    ({"scroll": "1m", "from": 20}, "from cannot be used with scroll"),
    ({"scroll": "1m", "include": ["nope"]}, "nope"),
])
def test_bad_scroll_requests_are_400s_naming_the_problem(backend_api: httpx.Client, body: dict[str, Any],
                                                        words: str) -> None:
    response = backend_api.post("/scholarly/search", json=body)
    assert response.status_code == 400, response.text
    assert words in response.json()["message"]


def test_the_include_fast_path_projects_as_the_general_one(corpus: Corpus) -> None:
    # scroll exports project every record; plain include lists take a faster path than
    # the pattern matcher, and must give byte-identical records
    import random

    from mirror.backends.source import _filter, project
    from mirror.catalogue import record_paths

    rnd = random.Random(5)
    for product in ("scholarly", "patent"):
        paths = sorted(record_paths(product))
        for _ in range(200):
            includes = rnd.sample(paths, rnd.randint(1, 6))
            for record in rnd.sample(corpus.records[product], 10):
                assert orjson.dumps(project(record, includes, None)) == orjson.dumps(
                    _filter(record, "", includes, [])), includes


@pytest.mark.parametrize(("text", "seconds"), [("1m", 60), ("30s", 30), ("5m", 300), ("250ms", 0.25), ("1h", 3600)])
def test_scroll_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


# -- lifetimes and bounds: an app of our own, with a clock we move ----------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocked(corpus: Corpus) -> Iterator[tuple[httpx.Client, Any, Clock]]:
    app = create_app(Settings(data_dir=corpus.data_dir, scroll_max_open=3, scroll_max_lifetime=600))
    clock = Clock()
    app.state.scrolls.clock = clock
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client, app.state.scrolls, clock


def start(client: httpx.Client, scroll: str = "1m", size: int = 10) -> httpx.Response:
    return client.post("/scholarly/search", json={"size": size, "scroll": scroll, "include": ["lens_id"]})


def test_an_expired_id_is_a_400_and_every_call_renews_the_lifetime(
        clocked: tuple[httpx.Client, Any, Clock]) -> None:
    client, scrolls, clock = clocked
    scroll_id = start(client, "1m").json()["scroll_id"]
    for _ in range(3):  # 50 s apart: each call gives the scroll another minute
        clock.now += 50
        response = client.post("/scholarly/search", json={"scroll_id": scroll_id})
        assert response.status_code == 200
        scroll_id = response.json()["scroll_id"]
    response = client.post("/scholarly/search", json={"scroll_id": scroll_id, "scroll": "10s"})  # a shorter life
    scroll_id = response.json()["scroll_id"]
    clock.now += 11
    expired = client.post("/scholarly/search", json={"scroll_id": scroll_id})
    assert expired.status_code == 400 and "expired" in expired.json()["message"]
    assert len(scrolls) == 0  # and its context is gone


def test_past_the_bound_a_new_scroll_is_a_429_and_abandoned_ones_expire(
        clocked: tuple[httpx.Client, Any, Clock]) -> None:
    client, scrolls, clock = clocked
    first = [start(client, "1m") for _ in range(3)]
    assert all(r.status_code == 200 for r in first)
    refused = start(client)
    assert refused.status_code == 429
    assert set(refused.json()) == {"status", "error", "message", "path"}
    assert "too many open scrolls" in refused.json()["message"]
    assert "LENS_MIRROR_SCROLL_MAX_OPEN" in refused.json()["message"]
    # reading one to its end frees its place
    scroll_id = first[0].json()["scroll_id"]
    while (response := client.post("/scholarly/search", json={"scroll_id": scroll_id})).status_code == 200:
        scroll_id = response.json()["scroll_id"]
    assert response.status_code == 204 and start(client).status_code == 200
    # many abandoned scrolls: the table never holds more than the bound, and they expire
    for _ in range(20):
        clock.now += 61
        assert start(client).status_code == 200
        assert len(scrolls) <= 3


def test_lifetimes_past_the_setting_are_refused(clocked: tuple[httpx.Client, Any, Clock]) -> None:
    client, _, _ = clocked
    assert start(client, "10m").status_code == 200
    too_long = start(client, "11m")
    assert too_long.status_code == 400 and "600 seconds (LENS_MIRROR_SCROLL_MAX_LIFETIME)" in \
        too_long.json()["message"]


# -- one snapshot per scroll: a release switch mid-scroll changes nothing in it ----------------------------


def build_version(store: IndexStore, tmp: Path, version: str, records: list[dict[str, Any]]) -> None:
    from mirror.backends.loading import load_chunks

    chunk = tmp / f"{version}.jsonl"
    chunk.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    with closing(store.writer("scholarly", version)) as writer:
        load_chunks(writer, [chunk])
    store.switch("scholarly", version)


@pytest.fixture(params=["embedded", "engine"])
def versioned(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, IndexStore]]:
    if request.param == "embedded":
        settings = Settings(data_dir=tmp_path / "data")
        yield settings, open_store(settings)
        return
    url = request.getfixturevalue("engine_url")
    settings = Settings(data_dir=tmp_path / "data", backend="elasticsearch", es_url=url,
                        es_index_prefix=TEST_PREFIX + "-switch")
    store = open_store(settings)
    try:
        yield settings, store
    finally:
        with httpx.Client(base_url=url, timeout=60) as client:
            client.delete(f"/{TEST_PREFIX}-switch-scholarly-*")


def test_a_scroll_started_before_a_release_switch_finishes_on_the_old_snapshot(
        versioned: tuple[Settings, IndexStore], corpus: Corpus, tmp_path: Path) -> None:
    settings, store = versioned
    old, new = corpus.records["scholarly"][:200], corpus.records["scholarly"][100:]
    build_version(store, tmp_path, "v1", old)
    with LiveServer(create_app(settings, open_backend(settings))) as server, \
            httpx.Client(base_url=server.url, timeout=60) as client:
        first = client.post("/scholarly/search", json={"size": 30, "scroll": "1m", "include": ["lens_id"]}).json()
        build_version(store, tmp_path, "v2", new)  # the next release is indexed and served
        assert client.post("/scholarly/search", json={"size": 0}).json()["total"] == len(new)
        with pytest.raises(VersionInUse):  # sync's cleanup leaves the old version while the scroll reads it
            store.remove("scholarly", "v1")
        pages = [first]
        while (response := client.post("/scholarly/search", json={"scroll_id": pages[-1]["scroll_id"]})) \
                .status_code == 200:
            pages.append(response.json())
        assert response.status_code == 204
        got = scrolled_ids(pages)
        assert got == sorted(r["lens_id"] for r in old)  # the old release, whole, and nothing of the new one
        assert all(p["total"] == len(old) for p in pages)
    store.remove("scholarly", "v1")  # the scroll is over: now it goes
    assert store.versions("scholarly") == ["v2"]  # and the lease directory is no version
