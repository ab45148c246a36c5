"""The rest of the surface Lens clients touch: rate-limit headers and their emulation, usage
endpoints, unknown paths, token forms with trailing slashes, and docs that work offline."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from conftest import Corpus, LiveServer
from mirror.api import create_app
from mirror.api.ratelimit import HEADERS, UNLIMITED, Meter, RateLimits
from mirror.errors import MirrorError
from mirror.plans import RatePlan, parse_rate_limit
from mirror.settings import Settings

MINUTE_LEFT = "x-rate-limit-remaining-request-per-minute"
MONTH_LEFT = "x-rate-limit-remaining-request-per-month"
RECORDS_LEFT = "x-rate-limit-remaining-record-per-month"
RETRY_S, RETRY_MS = "x-rate-limit-retry-after-seconds", "x-rate-limit-retry-after-millis"
RESET = "x-rate-limit-reset-date"

ERROR_KEYS = {"status", "error", "message", "path"}


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# 2026-03-14 12:00:00 UTC: the month resets at 2026-04-01T00:00:00Z
START = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc).timestamp()
NEXT_MONTH = datetime(2026, 4, 1, tzinfo=timezone.utc).timestamp()


def limited_client(corpus: Corpus, rate_limit: str, token: str | None = None) -> tuple[TestClient, Clock]:
    app = create_app(Settings(data_dir=corpus.data_dir, rate_limit=rate_limit, token=token))
    clock = Clock(START)
    app.state.meter.clock = clock
    return TestClient(app, headers={"Authorization": f"Bearer {token or 'plan-token'}"}), clock


# -- LENS_MIRROR_RATE_LIMIT is read strictly ------------------------------------------------------------


@pytest.mark.parametrize(("spec", "plan"), [
    ("10/minute", RatePlan(requests_per_minute=10)),
    ("10/minute,5000/month", RatePlan(requests_per_minute=10, requests_per_month=5000)),
    (" 5 requests/minute , 1000/request ", RatePlan(requests_per_minute=5, records_per_request=1000)),
    ("100000 records/month,50/MINUTE", RatePlan(records_per_month=100000, requests_per_minute=50)),
    ("1000 records/request", RatePlan(records_per_request=1000)),
])
def test_a_rate_limit_setting_reads_as_lens_plan_limits(spec: str, plan: RatePlan) -> None:
    assert parse_rate_limit(spec) == plan and plan.limited
    assert Settings(rate_limit=spec).rate_limit == spec
    assert not parse_rate_limit(None).limited


@pytest.mark.parametrize(("spec", "needle"), [
    ("", "empty"), ("  ", "empty"), ("10", "cannot read"), ("10/hour", "cannot read"), ("ten/minute", "cannot read"),
    ("0/minute", "at least 1"), ("10/minute,20/minute", "repeats"), ("10 records/minute", "not a Lens limit"),
    ("5 requests/request", "not a Lens limit"), ("10/minute;5/month", "cannot read"), ("10/minute,", "cannot read"),
    ("-5/minute", "cannot read"), ("9" * 40 + "/minute", "cannot read"),
])
def test_a_bad_rate_limit_is_refused_at_start_naming_the_setting(
        spec: str, needle: str, monkeypatch: pytest.MonkeyPatch, corpus: Corpus) -> None:
    with pytest.raises(MirrorError, match="LENS_MIRROR_RATE_LIMIT") as refused:
        Settings(rate_limit=spec)
    assert needle in str(refused.value) and len(str(refused.value)) < 300
    monkeypatch.setenv("LENS_MIRROR_RATE_LIMIT", spec)
    with pytest.raises(MirrorError, match=needle):
        Settings()


def test_serve_refuses_a_bad_rate_limit_in_one_line(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from mirror.cli import build_app

    monkeypatch.setenv("LENS_MIRROR_RATE_LIMIT", "10/fortnight")
    result = CliRunner().invoke(build_app(), ["serve", "--data-dir", str(corpus.data_dir), "--port", "9"])
    assert result.exit_code == 1, result.output
    assert "LENS_MIRROR_RATE_LIMIT" in result.output and "Traceback" not in result.output


# -- the headers, on every kind of answer, with no plan in force -------------------------------------------


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("GET", "/scholarly/search", {"params": {"size": "1"}}, 200),
    ("POST", "/patent/search", {"json": {"query": "title:battery", "size": 2}}, 200),
    ("POST", "/scholarly/search", {"json": {"colour": "red"}}, 400),
    ("GET", "/patent/000-000-000-000-000", {}, 404),
    ("GET", "/no/such/endpoint", {}, 404),
    ("DELETE", "/scholarly/search", {}, 405),
    ("POST", "/scholarly/search", {"content": b"{oops", "headers": {"content-type": "application/json"}}, 415),
    ("GET", "/docs", {}, 200), ("GET", "/openapi.json", {}, 200), ("GET", "/", {}, 200),
    ("GET", "/subscriptions/scholarly_api/usage", {}, 200), ("GET", "/schema/patent/", {}, 200),
])
def test_every_answer_carries_the_lens_rate_limit_headers(
        api: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int) -> None:
    response = api.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    missing = [h for h in HEADERS if h not in response.headers]
    assert not missing
    # No plan in force: nothing to wait for, and budgets as large as a Java int
    assert response.headers[RETRY_S] == response.headers[RETRY_MS] == "0"
    for header in (MINUTE_LEFT, MONTH_LEFT, RECORDS_LEFT):
        assert UNLIMITED - 1_000_000 < int(response.headers[header]) <= UNLIMITED
    reset = datetime.strptime(response.headers[RESET], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert reset.day == 1 and reset > datetime.now(timezone.utc)


def test_401_and_204_answers_carry_the_headers_too(corpus: Corpus) -> None:
    guarded = TestClient(create_app(Settings(data_dir=corpus.data_dir, token="t0ken")))
    refused = guarded.get("/scholarly/search")
    assert refused.status_code == 401 and all(h in refused.headers for h in HEADERS)

    # No route answers 204 yet (scroll's last page will): the middleware around one that does.
    def empty(request: Any) -> Response:
        return Response(status_code=204)

    inner = Starlette(routes=[Route("/patent/search", empty, methods=["POST"])])
    meter = Meter(parse_rate_limit("3/minute"), clock=Clock(START))
    client = TestClient(RateLimits(inner, meter=meter, max_body_bytes=1000))
    done = client.post("/patent/search", json={"scroll_id": "x"})
    assert done.status_code == 204 and done.content == b""
    assert done.headers[MINUTE_LEFT] == "2" and all(h in done.headers for h in HEADERS)


# -- the emulation ------------------------------------------------------------------------------------------


def test_the_minute_budget_answers_429_with_when_to_retry(corpus: Corpus) -> None:
    client, clock = limited_client(corpus, "3/minute")
    left = []
    for _ in range(3):
        response = client.get("/scholarly/search", params={"size": "1"})
        assert response.status_code == 200
        left.append(int(response.headers[MINUTE_LEFT]))
        clock.now += 5
    assert left == [2, 1, 0]
    refused = client.post("/scholarly/search", json={})
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == ERROR_KEYS and body["status"] == 429 and body["error"] == "Too Many Requests"
    assert "3 requests a minute" in body["message"] and "LENS_MIRROR_RATE_LIMIT" in body["message"]
    # The window opened with the first request, 15 s ago: 45 s to wait
    assert refused.headers[RETRY_S] == refused.headers["retry-after"] == "45"
    assert refused.headers[RETRY_MS] == "45000" and refused.headers[MINUTE_LEFT] == "0"
    assert refused.headers[RESET] == "2026-03-14T12:01:00.000Z"
    # A client that waits as told gets through, with a fresh minute
    clock.now += 45
    again = client.get("/scholarly/search", params={"size": "1"})
    assert again.status_code == 200 and again.headers[MINUTE_LEFT] == "2" and again.headers[RETRY_S] == "0"


def test_the_month_budget_holds_until_the_first_of_next_month(corpus: Corpus) -> None:
    client, clock = limited_client(corpus, "100/minute,2/month")
    assert [client.get("/patent/search").headers[MONTH_LEFT] for _ in range(2)] == ["1", "0"]
    clock.now += 3 * 86400  # minutes pass; the month's budget does not come back
    refused = client.get("/patent/search")
    assert refused.status_code == 429 and "2 requests a month" in refused.json()["message"]
    wait = NEXT_MONTH - clock.now
    assert int(refused.headers[RETRY_S]) == wait and int(refused.headers[RETRY_MS]) == wait * 1000
    assert refused.headers[RESET] == "2026-04-01T00:00:00.000Z"
    # Refused requests are not spent, and the other product is its own subscription
    assert client.get("/scholarly/search").status_code == 200
    clock.now = NEXT_MONTH
    assert client.get("/patent/search").headers[MONTH_LEFT] == "1"


def test_the_monthly_record_budget_counts_records_served(corpus: Corpus) -> None:
    client, clock = limited_client(corpus, "25 records/month")
    first = client.post("/scholarly/search", json={"size": 20})
    assert first.status_code == 200 and first.json()["results"] == 20 and first.headers[RECORDS_LEFT] == "5"
    lens_id = first.json()["data"][0]["lens_id"]
    one = client.get(f"/scholarly/{lens_id}")
    assert one.status_code == 200 and one.headers[RECORDS_LEFT] == "4"
    none = client.post("/scholarly/search", json={"query": "title:zzzzunfindable", "size": 50})
    assert none.json()["results"] == 0 and none.headers[RECORDS_LEFT] == "4"
    # The last request may take more than is left (Lens cannot know beforehand); then the budget is spent
    over = client.post("/scholarly/search", json={"size": 10})
    assert over.status_code == 200 and over.headers[RECORDS_LEFT] == "0"
    refused = client.post("/scholarly/search", json={"size": 1})
    assert refused.status_code == 429 and "25 records a month" in refused.json()["message"]
    assert int(refused.headers[RETRY_S]) == NEXT_MONTH - clock.now


def test_records_a_request_bounds_the_size_asked_for(corpus: Corpus) -> None:
    client, _ = limited_client(corpus, "10/request")
    assert client.post("/patent/search", json={"size": 10}).json()["results"] == 10
    for response in (client.post("/patent/search", json={"size": 11}),
                     client.get("/patent/search", params={"size": "11"}),
                     client.post("/patent/search/", json={"size": 500, "query": "battery"})):
        assert response.status_code == 400, response.text
        message = response.json()["message"]
        assert "10 records a request" in message and "LENS_MIRROR_RATE_LIMIT" in message
        assert all(h in response.headers for h in HEADERS)
    # The body read to check it still reaches the search whole
    body = {"query": {"match": {"title": "battery"}}, "size": 3, "include": ["lens_id"]}
    answer = client.post("/patent/search", json=body).json()
    assert answer["results"] <= 3 and all(set(r) == {"lens_id"} for r in answer["data"])


def test_each_token_has_its_own_plan_and_usage_tells_it(corpus: Corpus) -> None:
    client, _ = limited_client(corpus, "2/minute,10/month,1000 records/month")
    for _ in range(2):
        assert client.post("/scholarly/search", json={"size": 3}).status_code == 200
    assert client.post("/scholarly/search", json={}).status_code == 429
    other = {"Authorization": "another-token"}
    assert client.post("/scholarly/search", json={}, headers=other).status_code == 200
    # usage endpoints spend nothing, and answer for the token that asks
    for path in ("/subscriptions/scholarly_api/usage", "/scholarly/usage"):
        usage = client.get(path)
        assert usage.status_code == 200
        entries = {(e["type"], e["frequency"]): e for e in usage.json()}
        assert entries[("REQUEST", "1 MINUTE")]["remaining"] == 0 and entries[("REQUEST", "1 MINUTE")]["allowed"] == 2
        assert entries[("REQUEST", "1 MONTH")] | {"note": ""} == {
            "remaining": 8, "allowed": 10, "frequency": "1 MONTH", "type": "REQUEST",
            "resetDate": "2026-04-01T00:00:00.000Z", "note": ""}
        assert entries[("RECORD", "1 MONTH")]["remaining"] == 1000 - 6
    mine = {(e["type"], e["frequency"]): e["remaining"] for e in client.get("/scholarly/usage", headers=other).json()}
    assert mine[("REQUEST", "1 MONTH")] == 9
    patent = client.get("/subscriptions/patent_api/usage").json()
    assert [e["remaining"] for e in patent] == [2, 10, 1000]


def test_memory_stays_bounded_however_many_tokens_come() -> None:
    meter = Meter(parse_rate_limit("5/minute"), clock=Clock(START), max_accounts=50)
    for i in range(5_000):
        meter.spend(f"token-{i}" * 100, "scholarly_api")
    assert len(meter._accounts) == 50
    # the most recent ones are the ones kept
    assert meter.look("token-4999" * 100, "scholarly_api").requests_this_minute == 1


def test_the_meter_counts_exactly_under_threads() -> None:
    meter = Meter(parse_rate_limit("1000/minute"), clock=Clock(START))
    admitted: list[int] = []

    def hammer() -> None:
        admitted.append(sum(meter.spend("shared", "patent_api")[1] is None for _ in range(300)))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(admitted) == 1000  # 2,400 tried: exactly the budget got through
    assert meter.look("shared", "patent_api").requests_this_minute == 1000


# -- usage endpoints and unknown paths ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/subscriptions/scholarly_api/usage", "/subscriptions/patent_api/usage",
                                  "/subscriptions/scholarly_bulk/usage", "/subscriptions/patent_bulk/usage",
                                  "/scholarly/usage", "/scholarly/usage/"])
def test_usage_endpoints_answer_the_lens_shape(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 200, response.text
    entries = response.json()
    assert isinstance(entries, list) and entries
    for entry in entries:
        assert set(entry) == {"remaining", "allowed", "frequency", "type", "resetDate", "note"}
        assert entry["frequency"] in ("1 MINUTE", "1 MONTH") and entry["type"] in ("REQUEST", "RECORD", "RESOURCE")
        assert 0 <= entry["remaining"] <= entry["allowed"] == UNLIMITED
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["resetDate"])
    assert ("bulk" in path) == (entries[0]["type"] == "RESOURCE")


def test_usage_counts_what_this_server_served_with_no_plan(corpus: Corpus) -> None:
    client = TestClient(create_app(Settings(data_dir=corpus.data_dir)), headers={"Authorization": "counted"})
    before = {(e["type"], e["frequency"]): e["remaining"] for e in client.get("/scholarly/usage").json()}
    client.post("/scholarly/search", json={"size": 7})
    after = {(e["type"], e["frequency"]): e["remaining"] for e in client.get("/scholarly/usage").json()}
    assert before[("REQUEST", "1 MONTH")] - after[("REQUEST", "1 MONTH")] == 1
    assert before[("RECORD", "1 MONTH")] - after[("RECORD", "1 MONTH")] == 7


@pytest.mark.parametrize("path", ["/foo/bar/baz", "/patent/usage", "/scholarly/not-a-lens-id", "/patent/search/more",
                                  "/subscriptions/teapot/usage", "/subscriptions/scholarly_api", "/scholarly/usage/x"])
def test_an_unknown_path_is_no_such_endpoint_never_a_record_lookup(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and body["path"] == path
    assert "record" not in body["message"]
    assert body["message"] == "no such endpoint" or "unknown subscription" in body["message"]
    assert all(h in response.headers for h in HEADERS)


# -- tokens and trailing slashes ------------------------------------------------------------------------------

TOKEN = "surface-T0ken"


@pytest.fixture(scope="module")
def guarded(corpus: Corpus) -> Iterator[str]:
    with LiveServer(create_app(Settings(data_dir=corpus.data_dir, token=TOKEN))) as live:
        yield live.url


@pytest.mark.parametrize("path", ["/scholarly/search/", "/scholarly/search"])
@pytest.mark.parametrize("how", ["Bearer header", "bare header", "token= in the URL"])
def test_a_post_with_its_body_is_answered_whatever_the_token_form_and_slash(
        guarded: str, path: str, how: str) -> None:
    headers = {"Bearer header": {"Authorization": f"Bearer {TOKEN}"},
               "bare header": {"Authorization": TOKEN}}.get(how, {})
    params = {"token": TOKEN} if how == "token= in the URL" else {}
    body = {"query": {"match": {"has_abstract": True}}, "size": 3, "include": ["lens_id", "abstract"]}
    with httpx.Client(base_url=guarded, timeout=30, follow_redirects=False) as client:
        response = client.post(path, json=body, headers=headers, params=params)
        wrong = client.post(path, json=body, headers={"Authorization": TOKEN + "x"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["results"] == 3 and all(set(r) <= {"lens_id", "abstract"} for r in answer["data"])
    assert all("abstract" in r for r in answer["data"])  # the body's query was applied, not an empty search
    assert wrong.status_code == 401


# -- docs that work offline ----------------------------------------------------------------------------------


class Links(HTMLParser):
    """Every URL a page loads: src=, href=, and the spec URL handed to the UI's script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]

    def handle_data(self, data: str) -> None:
        self.scripts.append(data)


def page_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    inline = " ".join(parser.scripts)
    return parser.urls + re.findall(r"""(?:url|spec-url)\s*[:=]\s*['"]([^'"]+)['"]""", inline + html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_only_assets_this_server_serves(api: httpx.Client, page: str) -> None:
    html = api.get(page).text
    urls = page_links(html)
    assert len(urls) >= 3, urls  # a script, a favicon, the schema (and Swagger UI's stylesheet)
    assert not re.search(r"https?://", html.replace("http://www.w3.org", "")), "the page names another host"
    for url in urls:
        assert url.startswith("/"), url
        loaded = api.get(url)
        assert loaded.status_code == 200 and len(loaded.content) > 100, url
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts and api.get(scripts[0]).headers["content-type"].startswith(("text/javascript",
                                                                                "application/javascript"))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_opened_with_the_token_load_their_assets_with_it(guarded: str, page: str) -> None:
    with httpx.Client(base_url=guarded, timeout=30) as browser:  # a browser: no header, only the URL
        html = browser.get(page, params={"token": TOKEN}).text
        urls = page_links(html)
        assert urls and all(url.startswith("/") and url.endswith(f"token={TOKEN}") for url in urls), urls
        for url in urls:
            assert browser.get(url).status_code == 200, url
            assert browser.get(url.split("?")[0]).status_code == 401, url


def test_the_openapi_document_names_the_headers_and_a_429_when_a_plan_is_set(corpus: Corpus) -> None:
    plain = TestClient(create_app(Settings(data_dir=corpus.data_dir))).get("/openapi.json").json()
    limited = TestClient(create_app(Settings(data_dir=corpus.data_dir, rate_limit="5/minute"))).get(
        "/openapi.json").json()
    for document, with_429 in ((plain, False), (limited, True)):
        for path, operations in document["paths"].items():
            for operation in operations.values():
                # searches answer 429 also when too many scrolls are open (LENS_MIRROR_SCROLL_MAX_OPEN)
                assert ("429" in operation["responses"]) == (with_429 or path == "/{product}/search"), path
                for response in operation["responses"].values():
                    assert set(HEADERS) <= set(response["headers"]), path
