"""The adversarial request classes of ``scripts/fuzz`` (issue 7), one small named generator each.

A generator takes a ``random.Random`` and a product and returns one :class:`Req`. Every class
draws from its own list of nasty values, so a class is hit many times with different payloads
and the same seed always gives the same requests. Huge payloads are built once and cached;
their classes are *capped* (``HEAVY``: a fixed number of requests per 10,000) so a run sends a
bounded number of bytes.
"""

from __future__ import annotations

import copy
import gzip
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = ("scholarly", "patent")

JSON = "application/json"


@dataclass
class Req:
    method: str
    path: str
    body: bytes | None = None
    params: list[tuple[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    recipe: str | None = None  # a short Python expression that rebuilds a huge payload

    def describe(self, limit: int = 300) -> str:
        """The request, reproducibly, with long parts cut (and the recipe of a huge payload)."""
        line = f"{self.method} {self.path}"
        if self.params:
            shown = "&".join(f"{k}={v}" for k, v in self.params)
            line += "?" + _cut(shown, limit)
        for k, v in self.headers.items():
            line += f"  [{k}: {v}]"
        if self.body is not None:
            text = self.body[: limit * 4].decode("utf-8", "backslashreplace")
            line += f"\n      body ({len(self.body):,} bytes): {_cut(text, limit)}"
        if self.recipe:
            line += f"\n      recipe: {self.recipe}"
        return line


def _cut(text: str, limit: int) -> str:
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= limit else text[:limit] + f"…(+{len(text) - limit:,} chars)"


# ---------------------------------------------------------------- helpers

def post(product: str, obj: Any, recipe: str | None = None, raws: dict[str, str] | None = None) -> Req:
    """POST /{product}/search with ``obj`` as JSON; ``raws`` swaps ``"@@KEY@@"`` strings for raw JSON tokens."""
    text = json.dumps(obj)
    for key, raw in (raws or {}).items():
        text = text.replace(json.dumps(f"@@{key}@@"), raw)
    return Req("POST", f"/{product}/search", text.encode("utf-8", "surrogatepass"), headers={"Content-Type": JSON},
               recipe=recipe)


def post_raw(product: str, body: bytes, ctype: str | None = JSON, path: str | None = None,
             recipe: str | None = None, extra: dict[str, str] | None = None) -> Req:
    headers = {"Content-Type": ctype} if ctype is not None else {}
    headers.update(extra or {})
    return Req("POST", path or f"/{product}/search", body, headers=headers, recipe=recipe)


def get(path: str, params: list[tuple[str, str]] | None = None) -> Req:
    return Req("GET", path, params=params)


def qs(rng: random.Random, product: str, query: str, **extra: Any) -> Req:
    """A Lens query string sent one of three ways: POST string, POST query_string object, GET."""
    how = rng.random() if len(query) < 8_000 else rng.random() * 0.75  # longer ones: no URL would carry them
    if how < 0.5:
        return post(product, {"query": query, **extra})
    if how < 0.75:
        return post(product, {"query": {"query_string": {"query": query}}, **extra})
    params = [("query", query)] + [(k, json.dumps(v) if not isinstance(v, str) else v) for k, v in extra.items()]
    return get(f"/{product}/search", params)


_CACHE: dict[str, Any] = {}


def cached(key: str, build: Callable[[], Any]) -> Any:
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


WORDS = ["malaria", "vaccine", "protein", "crystal", "battery", "lithium", "gene", "editing", "neural", "network",
         "semiconductor", "soil", "climate", "cancer", "antibody", "graphene", "sensor", "AND", "OR", "NOT", "to"]

DATE_FIELDS = {
    "scholarly": ["date_published", "retraction_update.date"],
    "patent": ["date_published", "application_reference.date", "priority_claim.date", "earliest_priority_claim_date",
               "legal_status.grant_date", "legal_status.anticipated_term_date"],
}
INT_FIELDS = {
    "scholarly": ["year_published", "author_count", "reference_count", "referenced_by_count", "patent_citation_count"],
    "patent": ["year_published", "docdb_id", "family.simple.size", "legal_status.term_extension_days",
               "sequence.count", "cited_by.patent_count"],
}
TEXT_FIELDS = {
    "scholarly": ["title", "abstract", "author.display_name", "keyword", "field_of_study", "source.title"],
    "patent": ["title", "abstract", "claim", "description", "applicant.name", "inventor.name"],
}
KEYWORD_FIELDS = {
    "scholarly": ["publication_type", "source.type", "doi", "field_of_study", "source.issn", "lens_id"],
    "patent": ["jurisdiction", "publication_type", "kind", "class_cpc.symbol", "doc_number", "lens_id"],
}

BAD_DATES = ["2020-13-45", "2020-02-30", "2021-02-29", "2020-00-10", "2020-12-00", "0000-00-00", "2020-1-1",
             "20200101", "2020/01/01", "2020-01-01T25:61:61", "2020-01-01T00:00:00+99:00", "99999-01-01",
             "-0001-01-01", "+2020-01-01", "2020-W53", "yesterday", "now-1d", "now/y", "2020-01-01||+1M", "1e10",
             "2020-13", "2020-99", " 2020-01-01 ", "２０２０-01-01", "2020-01-01\x00", "", "2020-02-29T24:00:00",
             "9999999999999999999-01-01", "2020-01-01T00:00:00.9999999999Z", "0", "-1"]
BIG_INTS = ["99999999999999999999", "18446744073709551616", "9223372036854775808", "-9223372036854775809",
            "-99999999999999999999", "1" + "0" * 400, "1e400", "-1e400", "1e19", "2020.5", "0x10", "1_000",
            "NaN", "Infinity", "-0", "00000000000000002020"]
# raw JSON number tokens beyond 64 bits / doubles (orjson decides what they become)
BIG_JSON = ["99999999999999999999", "18446744073709551616", "-9223372036854775809", "1" + "0" * 400,
            "1e400", "-1e400", "1e308", "9223372036854775807", "4.9e-324", "1.5"]

EDGE_VALUES: list[Any] = [None, True, False, -1, 0, 2 ** 64, -(2 ** 63) - 1, 1e308, 0.5, "", " ", "x" * 1000,
                          [], {}, [[[]]], {"a": {"b": {}}}, "2020-13-45", "\x00", "🦠", "\ud800", "*", "?",
                          "\\", "(", "\"", "NOT", "99999999999999999999", ["title"] * 50]


def golden_requests() -> list[tuple[str, dict[str, Any]]]:
    def load() -> list[tuple[str, dict[str, Any]]]:
        out = []
        for product in PRODUCTS:
            path = ROOT / "tests" / "golden" / f"{product}-search.json"
            try:
                entries = json.loads(path.read_text())
            except (OSError, ValueError):
                entries = []
            out += [(product, e["request"]) for e in entries if isinstance(e.get("request"), dict)]
        return out or [("scholarly", {"query": "malaria", "size": 10})]
    return cached("golden", load)


# ---------------------------------------------------------------- values compile lets through

def gen_invalid_date_qs(rng: random.Random, product: str) -> Req:
    f, d = rng.choice(DATE_FIELDS[product]), rng.choice(BAD_DATES)
    shape = rng.choice([f"{f}:[{d} TO 2021]", f"{f}:[2019 TO {d}]", f"{f}:{d}", f'{f}:"{d}"', f"{f}:>={d}",
                        f"{f}:<{d}", f"{f}:{{{d} TO *}}", f"malaria AND {f}:[{d} TO {d}]", f"{f}:({d} OR 2020)"])
    return qs(rng, product, shape)


def gen_invalid_date_term(rng: random.Random, product: str) -> Req:
    f = rng.choice(DATE_FIELDS[product])
    d: Any = rng.choice([*BAD_DATES, 1e30, -1, True, None, [], {}])
    kind = rng.choice(["term", "terms", "match", "match_phrase", "term_obj", "prefix", "wildcard", "ids"])
    if kind == "terms":
        q: Any = {"terms": {f: [d, "2020-01-01", d]}}
    elif kind == "term_obj":
        q = {"term": {f: {"value": d, "boost": 1}}}
    elif kind == "ids":
        q = {"bool": {"filter": [{"term": {f: d}}, {"exists": {"field": f}}]}}
    else:
        q = {kind: {f: d}}
    return post(product, {"query": q, "size": rng.choice([0, 5])})


def gen_invalid_date_range(rng: random.Random, product: str) -> Req:
    f = rng.choice(DATE_FIELDS[product])
    ops = rng.sample(["gte", "gt", "lte", "lt"], rng.randint(1, 3))
    bounds: dict[str, Any] = {op: rng.choice(BAD_DATES + ["2020", "2020-02", None, 1e30, -5, [], {}]) for op in ops}
    if rng.random() < 0.2:
        bounds[rng.choice(["format", "time_zone", "relation", "from", "to", "include_lower"])] = rng.choice(
            ["yyyy", "+99:00", "WITHIN", "2020-13-45", None])
    if rng.random() < 0.1:
        bounds = {}
    return post(product, {"query": {"range": {f: bounds}}})


def gen_big_integer(rng: random.Random, product: str) -> Req:
    f, n = rng.choice(INT_FIELDS[product]), rng.choice(BIG_INTS)
    if rng.random() < 0.5:
        shape = rng.choice([f"{f}:{n}", f"{f}:[{n} TO {n}]", f"{f}:[2000 TO {n}]", f"{f}:>={n}", f"{f}:<{n}",
                            f"malaria AND {f}:{n}", f'{f}:"{n}"'])
        return qs(rng, product, shape)
    raw = rng.choice(BIG_JSON)
    q = rng.choice([{"term": {f: "@@N@@"}}, {"terms": {f: ["@@N@@", 2020]}}, {"match": {f: "@@N@@"}},
                    {"range": {f: {"gte": "@@N@@"}}}, {"range": {f: {"lt": "@@N@@", "gt": 0}}},
                    {"term": {f: n}}, {"range": {f: {"gte": n}}}])
    return post(product, {"query": q}, raws={"N": raw})


BOOSTS = ['"x"', "null", "-1", "-0.0", "1e309", "-1e309", "99999999999999999999", "[]", "{}", "true", '"2"', "0",
          '"NaN"', '"-Infinity"', "1e-400", '""', '"1e999"']


def gen_bad_boost(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product])
    b = rng.choice(BOOSTS)
    if rng.random() < 0.35:
        shape = rng.choice([f"malaria^{b.strip(chr(34))}", f"{f}:malaria^-2", f"{f}:malaria^x",
                            "malaria^99999999999999999999", f"{f}:malaria^1e309", "(malaria vaccine)^0",
                            '"malaria vaccine"^-1', "malaria^", "malaria^^2", f"{f}:[a TO z]^-5", "malaria^NaN"])
        return qs(rng, product, shape)
    kw = rng.choice(KEYWORD_FIELDS[product])
    q = rng.choice([
        {"match": {f: {"query": "malaria", "boost": "@@B@@"}}},
        {"term": {kw: {"value": "x", "boost": "@@B@@"}}},
        {"match_phrase": {f: {"query": "malaria vaccine", "boost": "@@B@@"}}},
        {"bool": {"should": [{"match": {f: "malaria"}}], "boost": "@@B@@"}},
        {"query_string": {"query": "malaria", "boost": "@@B@@"}},
        {"range": {"year_published": {"gte": 2000, "boost": "@@B@@"}}},
        {"terms": {kw: ["a", "b"], "boost": "@@B@@"}},
        {"multi_match": {"query": "malaria", "fields": [f], "boost": "@@B@@"}},
    ])
    return post(product, {"query": q}, raws={"B": b})


SLOPS = ["99999999999", "-1", "-99999999999", "2147483648", "9223372036854775808", "1e10", "x", "1.5", "0", "3"]


def gen_bad_slop(rng: random.Random, product: str) -> Req:
    f, s = rng.choice(TEXT_FIELDS[product]), rng.choice(SLOPS)
    if rng.random() < 0.5:
        shape = rng.choice([f'"a b"~{s}', f'"malaria vaccine"~{s}', f'{f}:"protein crystal"~{s}',
                            f'malaria AND "gene editing"~{s}', f'"malaria"~{s}', f'"a b c d e f g h"~{s}'])
        return qs(rng, product, shape)
    raw = rng.choice(SLOPS[:6] + ['"x"', "null", "true", "[]", '"3"', "1e400"])
    return post(product, {"query": {"match_phrase": {f: {"query": "malaria vaccine", "slop": "@@S@@"}}}},
                raws={"S": raw})


MSMS = ['"50%"', "-1", '"-25%"', '"-1"', '"3<90%"', '"2<-25% 9<-3"', '"abc"', "1e20", "99999999999999999999",
        '"150%"', '"-150%"', "null", "0.5", "[]", "{}", "0", "10", '"100%"', '"%"', '"50%%"', "-99999999999",
        '"1<"', '"<"', '" 75 % "', "true"]


def gen_minimum_should_match(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product])
    m = rng.choice(MSMS)
    should = [{"match": {f: w}} for w in rng.sample(WORDS[:17], rng.randint(0, 5))]
    q = rng.choice([
        {"bool": {"should": should, "minimum_should_match": "@@M@@"}},
        {"bool": {"must": [{"match": {f: "malaria"}}], "should": should, "minimum_should_match": "@@M@@"}},
        {"match": {f: {"query": "malaria vaccine protein", "minimum_should_match": "@@M@@"}}},
        {"query_string": {"query": "malaria vaccine protein", "minimum_should_match": "@@M@@"}},
        {"multi_match": {"query": "malaria vaccine", "fields": [f], "minimum_should_match": "@@M@@"}},
    ])
    return post(product, {"query": q, "size": 3}, raws={"M": m})


# ---------------------------------------------------------------- nesting

def gen_deep_parens(rng: random.Random, product: str) -> Req:
    n = rng.choice([20, 21, 64, 100, 500, 1000, 1000, 1000, 3000])
    shape = rng.choice(["balanced", "balanced", "open", "field", "mixed"])
    if shape == "balanced":
        q = "(" * n + "malaria" + ")" * n
    elif shape == "open":
        q = "(" * n + "malaria"
    elif shape == "field":
        q = "title:(" * n + "malaria" + ")" * n
    else:
        q = "(malaria AND " * n + "vaccine" + ")" * n
    return qs(rng, product, q)


def gen_not_chain(rng: random.Random, product: str) -> Req:
    n = rng.choice([2, 50, 500, 500, 500, 2000])
    q = rng.choice(["NOT " * n + "malaria", "-" * n + "malaria", "+-" * n + "malaria", "malaria " + "AND NOT x " * n,
                    "NOT (" * n + "malaria" + ")" * n, "!" * n + "malaria"])
    return qs(rng, product, q)


def gen_field_chain(rng: random.Random, product: str) -> Req:
    n = rng.choice([2, 100, 1000, 3000, 3000])
    f = rng.choice(TEXT_FIELDS[product])
    q = rng.choice([f"{f}:" * n + "malaria", f"{f}:(" * n + "malaria" + ")" * n, f"{f}:" * n,
                    ("a:" * n) + "b"])
    return qs(rng, product, q)


def _deep_bool(n: int, key: str, leaf: str) -> str:
    # built as text: json.dumps would hit Python's recursion limit first
    return f'{{"bool": {{"{key}": ' * n + leaf + "}}" * n


def gen_deep_bool(rng: random.Random, product: str) -> Req:
    n = rng.choice([20, 21, 100, 340, 340, 340, 1000, 5000])
    key = rng.choice(["must", "should", "must_not", "filter"])
    leaf = json.dumps({"match": {rng.choice(TEXT_FIELDS[product]): "malaria"}})
    if rng.random() < 0.3:  # the list form of the same nesting
        text = f'{{"bool": {{"{key}": [' * n + leaf + "]}}" * n
    else:
        text = _deep_bool(n, key, leaf)
    return post_raw(product, f'{{"query": {text}, "size": 1}}'.encode(),
                    recipe=f"'{{\"query\": ' + '{{\"bool\": {{\"{key}\": ' * {n} + '{leaf}' + '}}}}' * {n} + '}}'")


def gen_nested_json(rng: random.Random, product: str) -> Req:
    n = rng.choice([10, 100, 500, 1000, 1025, 5000, 100_000])
    where = rng.choice(["query", "include", "sort", "terms", "object", "size", "should"])
    arr = "[" * n + "]" * n
    if where == "query":
        text = f'{{"query": {arr}}}'
    elif where == "include":
        text = '{"include": ' + "[" * n + '"title"' + "]" * n + "}"
    elif where == "sort":
        text = '{"sort": ' + "[" * n + '{"year_published": "asc"}' + "]" * n + "}"
    elif where == "terms":
        text = '{"query": {"terms": {"lens_id": ' + "[" * n + '"x"' + "]" * n + "}}}"
    elif where == "object":
        text = '{"query": ' + '{"a": ' * n + "1" + "}" * n + "}"
    elif where == "should":
        text = '{"query": {"bool": {"should": ' + "[" * n + '{"match_all": {}}' + "]" * n + "}}}"
    else:
        text = '{"size": ' + "[" * n + "1" + "]" * n + "}"
    return post_raw(product, text.encode(), recipe=f"nested JSON arrays/objects {n} deep in {where!r}")


# ---------------------------------------------------------------- size

def _paths(n: int, rng: random.Random) -> list[str]:
    base = ["title", "lens_id", "authors.first_name", "abstract", "biblio.invention_title", "claims",
            "authors.affiliations.name", "external_ids", "x"]
    return [rng.choice(base) if i % 3 else f"field{i}.sub{i}" for i in range(n)]


def gen_include_exclude(rng: random.Random, product: str) -> Req:
    n = rng.choice([201, 1000, 5000, 10_000, 10_000])
    which = rng.choice(["include", "exclude", "both"])
    paths = cached(f"paths{n}", lambda: _paths(n, random.Random(n)))
    body: dict[str, Any] = {"query": "malaria", "size": rng.choice([1, 50])}
    if which in ("include", "both"):
        body["include"] = paths
    if which in ("exclude", "both"):
        body["exclude"] = paths
    if rng.random() < 0.25:  # the GET form, cut to a URL httpx will send (64 KB encoded)
        return get(f"/{product}/search", [("query", "malaria"), (which if which != "both" else "include",
                                                                   ",".join(paths)[:20_000])])
    return post(product, body, recipe=f"{which}: {n:,} entries")


def gen_include_100k(rng: random.Random, product: str) -> Req:
    which = rng.choice(["include", "exclude"])
    body = cached(f"inc100k-{product}-{which}", lambda: json.dumps(
        {"query": "malaria", "size": 50, which: _paths(100_000, random.Random(1))}).encode())
    return post_raw(product, body, recipe=f'{{"query": "malaria", "size": 50, "{which}": [<100,000 paths>]}}')


def _words(nbytes: int, seed: int) -> str:
    r = random.Random(seed)
    out, size = [], 0
    while size < nbytes:
        w = r.choice(WORDS[:17])
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def gen_huge_match_text(rng: random.Random, product: str) -> Req:
    mb = rng.choice([2, 3])
    f = rng.choice(TEXT_FIELDS[product])
    body = cached(f"match{mb}{product}{f}", lambda: json.dumps(
        {"query": {"match": {f: _words(mb << 20, mb)}}, "size": 1}).encode())
    return post_raw(product, body, recipe=f'{{"query": {{"match": {{"{f}": <{mb} MB of words>}}}}}}')


def gen_long_query_string(rng: random.Random, product: str) -> Req:
    kind = rng.choice(["words", "words", "token", "object", "get48k", "and"])
    if kind == "get48k":  # as long a URL as httpx sends
        return get(f"/{product}/search", [("query", cached("w48k", lambda: _words(48 << 10, 64)))])
    if kind == "token":
        q = "a" * (512 << 10)
    elif kind == "and":
        q = cached("and512k", lambda: " AND ".join(_words(430 << 10, 7).split()))
    else:
        q = cached("w512k", lambda: _words(512 << 10, 512))
    obj = {"query": {"query_string": {"query": "@@Q@@"}}} if kind == "object" else {"query": "@@Q@@"}
    body = cached(f"lq-{kind}", lambda: json.dumps(obj).replace('"@@Q@@"', json.dumps(q)).encode())
    where = "query_string" if kind == "object" else "query"
    return post_raw(product, body, recipe=f"a 512 KB query string ({kind}) as {where}")


def gen_near_limit_qs(rng: random.Random, product: str) -> Req:
    """Query strings of 2,000-10,000 characters (around the documented limit) in costly shapes."""
    n = rng.choice([2_000, 5_000, 9_000, 9_999, 10_000, 10_001, 12_000])
    f = rng.choice(TEXT_FIELDS[product])
    unit = rng.choice(["malaria ", "malaria OR ", "malaria AND ", "NOT x AND ", f"{f}:malaria ", '"gene editing" ',
                       "mal* ", "title:a?c* OR ", "year_published:[2000 TO 2020] OR ", "(a OR b) AND ", "+a -b "])
    q = (unit * (n // len(unit) + 1))[:n]
    return qs(rng, product, q)


def gen_huge_multiword_qs(rng: random.Random, product: str) -> Req:
    body = cached("mw10m", lambda: json.dumps({"query": _words(10 << 20, 10)}).encode())
    return post_raw(product, body, recipe='{"query": "<10 MB of space-separated words: malaria vaccine protein …>"}')


def gen_huge_body(rng: random.Random, product: str) -> Req:
    kind = rng.choice(["pad", "spaces", "garbage"])
    if kind == "pad":
        body = cached("pad10m", lambda: json.dumps({"query": "malaria", "pad": "x" * (10 << 20)}).encode())
        recipe = '{"query": "malaria", "pad": "x" * 10 MB}'
    elif kind == "spaces":
        body = cached("sp10m", lambda: b" " * (10 << 20) + b'{"query": "malaria"}')
        recipe = "b' ' * 10 MB + b'{\"query\": \"malaria\"}'"
    else:
        body = cached("gb10m", lambda: random.Random(3).randbytes(10 << 20))
        recipe = "10 MB of random bytes"
    return post_raw(product, body, recipe=recipe)


def gen_many_clauses(rng: random.Random, product: str) -> Req:
    n = rng.choice([1025, 5000, 20_000, 65_537, 100_000])
    f = rng.choice(KEYWORD_FIELDS[product])
    kind = rng.choice(["should", "terms", "ids", "qs_or"])
    if kind == "should":
        n = min(n, 20_000)
        body = cached(f"should{n}", lambda: json.dumps({"query": {"bool": {"should": [
            {"term": {"lens_id": f"{i:03d}-000-000-000-000"}} for i in range(n)]}}}).encode())
        return post_raw(product, body, recipe=f"bool.should with {n:,} term clauses")
    if kind in ("terms", "ids"):
        field_name = "lens_id" if kind == "ids" else f
        body = cached(f"terms{n}{field_name}", lambda: json.dumps(
            {"query": {"terms": {field_name: [f"v{i}" for i in range(n)]}}}).encode())
        return post_raw(product, body, recipe=f'{{"query": {{"terms": {{"{field_name}": [<{n:,} values>]}}}}}}')
    n = min(n, 5000)
    return qs(rng, product, " OR ".join(f"w{i}" for i in range(n)))


# ---------------------------------------------------------------- wrong answers, patterns

def gen_escaped_wildcard(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product] + KEYWORD_FIELDS[product])
    q = rng.choice([f"{f}:a\\*b*", f"{f}:a\\?b", f"{f}:\\*", f"{f}:a\\\\*", f"{f}:*\\**", f"{f}:mal\\*",
                    f"{f}:a\\*b* AND malaria", f"{f}:abc\\", "\\\\\\", f"{f}:\\\\*", f"{f}:a\\*b?",
                    "a\\*b*", f"{f}:\\(a\\)*"])
    if rng.random() < 0.25:
        return post(product, {"query": {"wildcard": {f: rng.choice(["a\\*b*", "\\*", "a\\\\*", "a\\?b*"])}}})
    return qs(rng, product, q)


REGEXES = ["(a+)+b", "(a|aa)*c", ".{1000}{1000}", "(.*a){20}", "a{1,100000}", "[a-z]{0,99999}", "(", "[z-a]",
           "\\", ".*.*.*.*.*.*.*.*.*.*x", "((((((((((a))))))))))*", "(a*)*$", "(x+x+)+y", "[^]*", "a{99999999999}",
           "(?i)malaria", "\\p{L}+", "a**", "(?=a)", "(a|b|c|d|e|f|g|h)*{50}", "#@&<>~", ".*"]


def gen_regex_bomb(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product] + KEYWORD_FIELDS[product])
    r = rng.random()
    if r < 0.1:
        pattern = cached("alt5000", lambda: "(" + "|".join(f"w{i}x" for i in range(5000)) + ")")
    elif r < 0.15:
        pattern = "a" * 100_000
    elif r < 0.2:
        pattern = "(" * 2000 + "a" + ")" * 2000
    else:
        pattern = rng.choice(REGEXES)
    if rng.random() < 0.6:
        regex_flag: Any = rng.choice([True, True, True, False, "yes", 1, None])
        return post(product, {"query": f"{f}:/{pattern}/", "regex": regex_flag, "size": 2},
                    recipe=f"regex {pattern[:60]!r}… ({len(pattern):,} chars)" if len(pattern) > 200 else None)
    return post(product, {"query": {"regexp": {f: pattern}}, "size": 2},
                recipe=f"regexp {pattern[:60]!r}… ({len(pattern):,} chars)" if len(pattern) > 200 else None)


def gen_wildcard_bomb(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product] + KEYWORD_FIELDS[product])
    pattern = rng.choice(["*a" * 1000 + "b", "?" * 5000, "*", "**", "", "*" * 10_000, "a*b*c*d*e*f*g*h*i*j*",
                          "*malaria*", "?*?*?*?*?*?*?*?*?*?*x"])
    kind = rng.choice(["wildcard", "prefix", "qs"])
    if kind == "qs":
        return qs(rng, product, f"{f}:{pattern or '*'}")
    return post(product, {"query": {kind: {f: pattern}}, "size": 2})


# ---------------------------------------------------------------- malformed requests

def _bad_json_bodies() -> list[bytes]:
    return [b"{", b'{"query":}', b'{"query": "malaria",}', b"[]", b'[{"query":"a"}]', b'"malaria"', b"null", b"123",
            b"true", b"", b"   ", b"\xff\xfe{}", b'\xef\xbb\xbf{"query":"malaria"}', b'{"query": "\xff\xfe"}',
            b'{"query": "malaria"} {"query": "x"}', b'{"query": "malaria", "query": {"match_all": {}}}',
            b'{"query": "\\ud800"}', b"{'query': 'malaria'}", b'{"query": NaN}', b'{"size": Infinity}',
            b'{"size": 1e400}', b"\x00", b'{"query":"a\x00b"}', b'{"query": "malaria"', b'{"query" "malaria"}',
            b'{query: "malaria"}', b'{"query": "\\x41"}', b'{"query": "\\u00"}', b'{"size": 01}',
            b'{"size": -}', b'{"size": .5}', b'{"query": "malaria"}\x00', b"\x1f\x8b\x08\x00garbage",
            b'{"query": "malaria" /* comment */}', b'{"a":' * 100]


def gen_bad_json(rng: random.Random, product: str) -> Req:
    if rng.random() < 0.3:  # a golden body cut at a random byte
        _, request = rng.choice(golden_requests())
        text = json.dumps(request).encode()
        body = text[: rng.randint(0, max(0, len(text) - 1))]
    else:
        body = rng.choice(_bad_json_bodies())
    return post_raw(product, body)


CTYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
          "application/json; charset=utf-16", "", "APPLICATION/JSON", "application/json, text/plain",
          "application/problem+json", "json", "*/*", "application/json; charset=latin-1", "text/json",
          "application/json;;;", "application/jsonx", None]


def gen_wrong_content_type(rng: random.Random, product: str) -> Req:
    ctype = rng.choice(CTYPES)
    body = b'{"query": "malaria", "size": 2}'
    if ctype == "application/x-www-form-urlencoded":
        body = b"query=malaria&size=2"
    elif ctype and "utf-16" in ctype:
        body = '{"query": "malaria"}'.encode("utf-16")
    elif ctype and "latin-1" in ctype:
        body = '{"query": "caf\xe9"}'.encode("latin-1")
    elif ctype and ctype.startswith("multipart"):
        body = b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nmalaria\r\n--x--\r\n'
    extra = {}
    r = rng.random()
    if r < 0.1:
        extra["Content-Encoding"] = "gzip"
        if rng.random() < 0.5:
            body = gzip.compress(body)
    elif r < 0.15:
        extra["Content-Encoding"] = "br"
    return post_raw(product, body, ctype=ctype, extra=extra)


def gen_unknown_fields(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product])
    r = rng.random()
    if r < 0.25:  # unknown products and endpoints
        path = rng.choice(["/foo/search", "/SCHOLARLY/search", "/patents/search", "/scholarly%2Fsearch",
                           "/schema/foo", f"/{product}/aggregate", "/bulk/scholarly/release", "/scholarly/usage",
                           "/subscriptions/scholarly_api/usage", "/search", "/%2e%2e/search", "/null/search",
                           "/scholarly /search", "/__proto__/search", "/" + "a" * 5000 + "/search"])
        if rng.random() < 0.5:
            return post(product, {"query": "malaria", "aggs": {"x": {"terms": {"field": "year_published"}}}}) \
                if path.endswith("aggregate") else post_raw(product, b'{"query": "malaria"}', path=path)
        return get(path, [("query", "malaria")])
    if r < 0.32:  # other methods
        return Req(rng.choice(["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]), f"/{product}/search",
                   b'{"query": "malaria"}', headers={"Content-Type": JSON})
    body = rng.choice([
        {"querry": "malaria"}, {"query": "malaria", "aggs": {"y": {"terms": {"field": "year_published"}}}},
        {"query": "malaria", "scroll": "1m"}, {"scroll_id": "abc", "scroll": "1m"}, {"query": {"fuzzy": {f: "x"}}},
        {"query": {"script": {"script": "1"}}}, {"query": {"more_like_this": {"like": "x"}}},
        {"query": {"match": {"no_such_field": "x"}}}, {"query": "nosuchfield:x"}, {"sort": [{"nosuch": "asc"}]},
        {"include": ["nosuch.path"]}, {"query": {}}, {"query": {"match": {}}},
        {"query": {"bool": {"must": [], "xyz": 1}}}, {"query": {"term": {"title": "a", "abstract": "b"}}},
        {"query": {"match": {f: "x"}, "term": {f: "y"}}}, {"query": "malaria", "language": "XX"},
        {"query": "malaria", "group_by": "NOPE"}, {"query": "malaria", "expand_by": "SIMPLE_FAMILY"},
        {"query": {"nested": {"path": "authors", "query": {"match_all": {}}}}}, {"query": {"match_none": {}}},
        {"query": {"match_all": {"boost": "x"}}}, {"query": {"exists": {"field": "nope"}}},
        {"query": {"exists": {}}}, {"query": {"ids": {"values": "x"}}}, {"query": {"ids": {}}},
        {"query": {"bool": {"must": "malaria"}}}, {"query": {"bool": {"must": [["x"]]}}},
        {"query": {"query_string": {"query": "x", "fields": ["nope", "ui_default"]}}},
        {"query": {"query_string": {"query": "x", "default_operator": "XOR"}}},
        {"query": {"match": {f: {"query": "x", "operator": "MAYBE"}}}}, {"sort": "year_published"},
        {"sort": [{"year_published": {"order": "sideways"}}]}, {"sort": [{"relevance": "desc", "lens_id": "asc"}]},
        {"sort": [{"title": "asc"}]}, {"min_score": "x"}, {"min_score": -1e308}, {"stemming": "maybe"},
        {"query": {"match": {"lens_id": {"query": None}}}}, {"query": {"range": {f: {"gte": "a"}}}},
        {"query": {"term": {"has_abstract": "maybe"}}}, {"query": {"match": {"is_open_access": 2}}},
    ])
    return post(product, body)


def gen_trailing_slash(rng: random.Random, product: str) -> Req:
    path = rng.choice([f"/{product}/search/", f"//{product}/search", f"/{product}//search", f"/{product}/search/.",
                       f"/{product}/search;x", f"/{product}/", f"/schema/{product}/", f"/{product}/search//",
                       f"/{product}/search/%2F", f"/{product}/./search", f"/{product}/search/../search"])
    headers = {"Host": rng.choice(["evil.example", "127.0.0.1", "a" * 300, "[::1]:1", "x y"])} \
        if rng.random() < 0.4 else {}
    if rng.random() < 0.5:
        return Req("POST", path, b'{"query": "malaria", "size": 2}', headers={"Content-Type": JSON, **headers})
    return Req("GET", path, params=[("query", "malaria")], headers=headers)


GARBAGE = ["abc", "-1", "1e99", "99999999999999999999", "", " 10", "0x10", "10.5", "NaN", "\x00", "🦠", "%",
           "desc(", "desc()", "desc(title)", "up(year_published)", "desc(year_published", ",,,,", "," * 1000,
           "desc(" * 500, "a" * 10_000, "true", "null", "[]", "{}", "１０"]


def gen_get_garbage(rng: random.Random, product: str) -> Req:
    r = rng.random()
    if r < 0.2:  # record lookups with garbage ids and projections
        lens_id = rng.choice(["", "000-000-000-000-000", "a" * 5000, "..%2F..%2Fetc%2Fpasswd", "%00", "🦠",
                              "017-767-306-508-482", "017-767-306-508-482%00", "-1", "null", "%ff%fe"])
        projection = [(rng.choice(["include", "exclude", "foo"]), rng.choice(GARBAGE))] if rng.random() < 0.6 else None
        return get(f"/{product}/{lens_id}", projection)
    params: list[tuple[str, str]] = [("query", rng.choice(["malaria", "", "*", "title:", "\x00", "(((", "🦠"]))]
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(["size", "from", "sort", "include", "exclude", "query", "foo", "regex", "stemming",
                          "token", "query[]", "size ", "\x00", "🦠", "min_score", "scroll", "language"])
        params.append((key, rng.choice(GARBAGE)))
    if rng.random() < 0.05:
        params += [(f"p{i}", "x") for i in range(2000)]
    return get(f"/{product}/search", params)


def gen_huge_size_from(rng: random.Random, product: str) -> Req:
    values = ["-1", "0", "1000000000", "9223372036854775808", "18446744073709551616", "1" + "0" * 30, '"20"',
              '"abc"', "20.5", "1e3", "true", "null", "[]", "{}", '"1e3"', "1e400", "10000", "9999", "501", "1001"]
    if rng.random() < 0.25:
        return get(f"/{product}/search", [("query", "malaria"), (rng.choice(["size", "from"]),
                                                                  rng.choice(values).strip('"'))])
    body: dict[str, Any] = {"query": "malaria"}
    raws = {}
    for key in rng.sample(["size", "from"], rng.randint(1, 2)):
        body[key] = f"@@{key}@@"
        raws[key] = rng.choice(values)
    if rng.random() < 0.2:
        body, raws = {"query": "malaria", "size": 1000 if product == "scholarly" else 500, "from": 9000}, {}
    return post(product, body, raws=raws)


UNICODE = ["🦠 malaria", "マラリア ワクチン", "\u202emalaria", "e\u0301t\u0301e\u0301", "mal\u200baria",
           "ｔｉｔｌｅ:malaria", "tìtle:malaria", "İstanbul ß ﬁ", "year_published:２０２０",
           "year_published:٢٠٢٠", "date_published:[２０２０ TO 2021]", "\ufeffmalaria", "\U0010ffff", "\ud800",
           "a\udfffb", "Ω" * 5000, "title:\u0000", "\u2028\u2029", "title:\"𝔪𝔞𝔩𝔞𝔯𝔦𝔞\"", "ǅ ǈ ǋ"]


def gen_unicode(rng: random.Random, product: str) -> Req:
    text = rng.choice(UNICODE)
    r = rng.random()
    if r < 0.4:
        if "\ud800" not in text and "\udfff" not in text:
            return qs(rng, product, text)
        return post(product, {"query": text})
    if r < 0.55:  # raw UTF-8 in the body, lone surrogates included (invalid UTF-8)
        body = json.dumps({"query": text}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return post_raw(product, body)
    f = rng.choice(TEXT_FIELDS[product] + KEYWORD_FIELDS[product])
    q = rng.choice([{"match": {f: text}}, {"term": {f: text}}, {"match": {text: "malaria"}},
                    {"wildcard": {f: text + "*"}}, {"prefix": {f: text}}])
    body2: dict[str, Any] = {"query": q}
    if rng.random() < 0.3:
        body2["include"] = [text, "title"]
    if rng.random() < 0.2:
        body2["sort"] = [{text: "asc"}]
    return post(product, body2)


def gen_nul_bytes(rng: random.Random, product: str) -> Req:
    f = rng.choice(TEXT_FIELDS[product])
    r = rng.random()
    if r < 0.3:
        return qs(rng, product, rng.choice(["mal\x00aria", f"{f}\x00:x", f"{f}:\x00", "\x00" * 1000,
                                            f"{f}:/a\x00b/", "malaria AND \x00"]))
    if r < 0.4:
        return post_raw(product, rng.choice([b'{"query": "malaria"\x00}', b'\x00{"query": "malaria"}',
                                             b'{"query\x00": "malaria"}']))
    if r < 0.5:
        return get(rng.choice([f"/{product}%00/search", f"/{product}/abc%00", f"/schema/{product}%00",
                               f"/{product}/search%00"]), [("query", "malaria")])
    body = rng.choice([{"query": {"match": {f"{f}\x00": "x"}}}, {"include": ["title\x00"]},
                       {"sort": [{"year_published\x00": "asc"}]}, {"query": {"term": {"lens_id": "\x00"}}},
                       {"query": {"regexp": {f: "a\x00b"}}}, {"query": "x", "language": "EN\x00"},
                       {"query": {"wildcard": {f: "\x00*"}}}, {"query\x00": "x"}])
    return post(product, body)


MUTATIONS = ["replace", "replace", "delete", "rename", "wrap", "duplicate", "insert", "stringify"]


def _mutate(obj: Any, rng: random.Random) -> Any:
    """Apply one random mutation at a random place in a JSON value (returns the new value)."""
    if isinstance(obj, dict) and obj and rng.random() < 0.7:
        key = rng.choice(list(obj))
        child = obj[key]
        if isinstance(child, (dict, list)) and child and rng.random() < 0.6:
            obj[key] = _mutate(child, rng)
            return obj
        op = rng.choice(MUTATIONS)
        if op == "delete":
            del obj[key]
        elif op == "rename":
            obj[key + rng.choice(["_", "s", "\x00", "🦠", " "])] = obj.pop(key)
        elif op == "wrap":
            obj[key] = [child]
        elif op == "duplicate":
            obj[key] = [child] * rng.choice([2, 100, 1000]) if not isinstance(child, list) else child * 50
        elif op == "insert":
            obj[rng.choice(["boost", "slop", "x", "minimum_should_match", "query", "format", ""])] = \
                copy.deepcopy(rng.choice(EDGE_VALUES))
        elif op == "stringify":
            obj[key] = json.dumps(child)
        else:
            obj[key] = copy.deepcopy(rng.choice(EDGE_VALUES))
        return obj
    if isinstance(obj, list) and obj and rng.random() < 0.7:
        i = rng.randrange(len(obj))
        obj[i] = _mutate(obj[i], rng) if rng.random() < 0.6 else copy.deepcopy(rng.choice(EDGE_VALUES))
        return obj
    if isinstance(obj, str) and obj and rng.random() < 0.5:  # edit a string: inject syntax
        i = rng.randrange(len(obj) + 1)
        return obj[:i] + rng.choice(["(", ")", "\"", "*", "\\", ":", "[", " TO ", "~", "^", "/", " AND ", "\x00",
                                     "{", "2020-13-45", "~99999999999", "^x"]) + obj[i:]
    return copy.deepcopy(rng.choice(EDGE_VALUES))


def gen_golden_mutation(rng: random.Random, product: str) -> Req:
    gproduct, request = rng.choice(golden_requests())
    body = copy.deepcopy(request)
    for _ in range(rng.randint(1, 4)):
        body = _mutate(body, rng)
    if rng.random() < 0.1:
        gproduct = "patent" if gproduct == "scholarly" else "scholarly"
    if not isinstance(body, dict) or rng.random() < 0.9:
        return post(gproduct, body)
    params = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in body.items()]
    return get(f"/{gproduct}/search", params)


def gen_golden(rng: random.Random, product: str) -> Req:
    gproduct, request = rng.choice(golden_requests())
    return post(gproduct, request)


# ---------------------------------------------------------------- the classes

#: name → generator, for classes spread over the run by weight
CLASSES: dict[str, tuple[Callable[[random.Random, str], Req], float]] = {
    "invalid_date_qs": (gen_invalid_date_qs, 1),
    "invalid_date_term": (gen_invalid_date_term, 1),
    "invalid_date_range": (gen_invalid_date_range, 1),
    "big_integer": (gen_big_integer, 1),
    "bad_boost": (gen_bad_boost, 1),
    "bad_slop": (gen_bad_slop, 1),
    "minimum_should_match": (gen_minimum_should_match, 1),
    "deep_parens": (gen_deep_parens, 1),
    "not_chain": (gen_not_chain, 1),
    "field_chain": (gen_field_chain, 1),
    "deep_bool": (gen_deep_bool, 1),
    "nested_json": (gen_nested_json, 1),
    "near_limit_qs": (gen_near_limit_qs, 0.6),
    "include_exclude": (gen_include_exclude, 0.6),
    "many_clauses": (gen_many_clauses, 0.4),
    "escaped_wildcard": (gen_escaped_wildcard, 1),
    "regex_bomb": (gen_regex_bomb, 1),
    "wildcard_bomb": (gen_wildcard_bomb, 1),
    "bad_json": (gen_bad_json, 1),
    "wrong_content_type": (gen_wrong_content_type, 1),
    "unknown_fields": (gen_unknown_fields, 1),
    "trailing_slash": (gen_trailing_slash, 0.6),
    "get_garbage": (gen_get_garbage, 1),
    "huge_size_from": (gen_huge_size_from, 0.8),
    "unicode": (gen_unicode, 1),
    "nul_bytes": (gen_nul_bytes, 0.8),
    "golden_mutation": (gen_golden_mutation, 2.5),
    "golden": (gen_golden, 0.5),
}

#: name → (generator, requests per 10,000): huge payloads, capped so a run's bytes stay bounded
HEAVY: dict[str, tuple[Callable[[random.Random, str], Req], int]] = {
    "include_100k": (gen_include_100k, 12),          # ~1.5 MB each
    "huge_match_text": (gen_huge_match_text, 5),     # 2-3 MB each
    "long_query_string": (gen_long_query_string, 20),  # 512 KB each
    "huge_multiword_qs": (gen_huge_multiword_qs, 3),   # 10 MB each
    "huge_body": (gen_huge_body, 3),                 # 10 MB each
}


def schedule(total: int, seed: int, heavy_last: bool = False) -> list[str]:
    """The class of each request, in sending order: capped heavy classes, the rest by weight, shuffled.

    ``heavy_last`` puts the heavy ones (shuffled among themselves) after all the others.
    """
    rng = random.Random(seed)
    heavy: list[str] = []
    for name, (_, per_10k) in HEAVY.items():
        heavy += [name] * max(1, round(per_10k * total / 10_000))
    names: list[str] = [] if heavy_last else list(heavy)
    rest = max(0, total - len(heavy))
    weights = sum(w for _, w in CLASSES.values())
    counts = {name: int(rest * w / weights) for name, (_, w) in CLASSES.items()}
    leftover = rest - sum(counts.values())
    for name in list(CLASSES)[:leftover]:
        counts[name] += 1
    for name, n in counts.items():
        names += [name] * n
    rng.shuffle(names)
    if heavy_last:
        rng.shuffle(heavy)
        names += heavy
    return names


def build(name: str, index: int, seed: int) -> Req:
    """Request number ``index`` of class ``name``: the same seed always gives the same request."""
    rng = random.Random(f"{seed}/{index}/{name}")
    gen = CLASSES[name][0] if name in CLASSES else HEAVY[name][0]
    return gen(rng, rng.choice(PRODUCTS))
