"""The token, when set, guards every route (the docs and the schema too), and only a usable token is accepted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conftest import Corpus, LiveServer
from mirror.api import create_app
from mirror.errors import MirrorError
from mirror.settings import Settings

TOKEN = "s3cret-Tok3n"

# Every route, FastAPI's own pages included, in both spellings, and a path that matches nothing.
GUARDED = [
    ("GET", "/"), ("GET", "/docs"), ("GET", "/redoc"), ("GET", "/openapi.json"),
    ("GET", "/scholarly/search"), ("POST", "/patent/search"), ("POST", "/scholarly/aggregate"),
    ("GET", "/schema/patent"), ("GET", "/scholarly/000-000-000-000-000"), ("GET", "/no/such/endpoint"),
    ("GET", "/docs/"), ("GET", "/openapi.json/"), ("POST", "/scholarly/search/"), ("GET", "/schema/patent/"),
]


@pytest.fixture(scope="module")
def server(corpus: Corpus) -> Iterator[str]:
    with LiveServer(create_app(Settings(data_dir=corpus.data_dir, token=TOKEN))) as live:
        yield live.url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_every_route_needs_the_token(client: httpx.Client, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"},
                    {"Authorization": TOKEN[:-1]}, {"Authorization": "Bearer"}):
        response = client.request(method, path, headers=headers, json={} if method == "POST" else None)
        assert response.status_code == 401, (headers, response.text)
        assert response.json() == {"status": 401, "error": "Unauthorized", "path": path.rstrip("/") or "/",
                                   "message": response.json()["message"]}
        assert "token" in response.json()["message"] and "location" not in response.headers


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_the_token_opens_every_route(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"},
                              json={} if method == "POST" else None)
    assert response.status_code != 401, response.text
    assert response.status_code not in (301, 302, 307, 308)


@pytest.mark.parametrize("how", ["bearer", "lowercase bearer", "bare header", "query"])
def test_each_way_lens_clients_send_the_token(client: httpx.Client, how: str) -> None:
    headers = {"bearer": {"Authorization": f"Bearer {TOKEN}"},
               "lowercase bearer": {"Authorization": f"bearer  {TOKEN}"},
               "bare header": {"Authorization": TOKEN}}.get(how, {})
    params = {"token": TOKEN} if how == "query" else {}
    response = client.get("/scholarly/search", headers=headers, params={"size": "1", **params})
    assert response.status_code == 200, response.text
    assert response.json()["results"] == 1


def test_a_trailing_slash_is_not_redirected_before_auth(client: httpx.Client) -> None:
    # It used to be a 307 to a Location built from the Host header, answered without a token.
    response = client.get("/scholarly/search/", headers={"Host": "evil.example"})
    assert response.status_code == 401 and "location" not in response.headers
    answered = client.get("/scholarly/search/", params={"token": TOKEN, "size": "2"})
    assert answered.status_code == 200 and answered.json()["results"] == 2


def test_the_token_is_compared_in_constant_time(client: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    from mirror.api import middleware

    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(middleware.hmac, "compare_digest", spy)
    assert client.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/", params={"token": TOKEN}).status_code == 200
    assert (b"nope", TOKEN.encode()) in compared and (TOKEN.encode(), TOKEN.encode()) in compared


def test_the_docs_page_opened_with_token_loads_the_schema_with_it(client: httpx.Client) -> None:
    # A browser cannot send a header: /docs?token=T must fetch /openapi.json?token=T too.
    for page in ("/docs", "/redoc"):
        html = client.get(page, params={"token": TOKEN}).text
        assert f"/openapi.json?token={TOKEN}" in html
    schema = client.get("/openapi.json", params={"token": TOKEN})
    assert schema.status_code == 200
    # ...and the schema says how to authenticate, and that 401 can happen
    document = schema.json()
    assert set(document["components"]["securitySchemes"]) == {"bearer", "token"}
    assert "401" in document["paths"]["/{product}/search"]["post"]["responses"]


def test_the_docs_page_does_not_echo_a_wrong_query_token(client: httpx.Client) -> None:
    marker = "'};alert(1);//"
    html = client.get("/docs", params={"token": marker}, headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "alert" not in html and "token=" not in html and "url: '/openapi.json'" in html


@pytest.mark.parametrize("value", ["", "   ", "\t\n", " padded", "padded\n"])
def test_an_unusable_token_is_refused_at_start(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MirrorError, match="LENS_MIRROR_TOKEN"):
        Settings(token=value)
    monkeypatch.setenv("LENS_MIRROR_TOKEN", value)
    with pytest.raises(MirrorError, match="LENS_MIRROR_TOKEN"):
        Settings()


def test_create_app_refuses_an_empty_token_set_after_validation(corpus: Corpus) -> None:
    settings = Settings(data_dir=corpus.data_dir)
    settings.token = ""
    with pytest.raises(MirrorError, match="empty"):
        create_app(settings)


def test_without_a_token_setting_any_token_is_accepted(api: httpx.Client) -> None:
    # Lens clients always send one; a mirror without LENS_MIRROR_TOKEN ignores it (the api fixture sends one).
    assert api.get("/", headers={"Authorization": "Bearer whatever"}).status_code == 200
    assert api.get("/docs").status_code == 200
    document = api.get("/openapi.json").json()
    assert "securitySchemes" not in document.get("components", {})
    assert "401" not in document["paths"]["/{product}/search"]["post"]["responses"]


def test_serve_refuses_an_empty_token_in_one_line(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from mirror.cli import build_app

    monkeypatch.setenv("LENS_MIRROR_TOKEN", "")
    result = CliRunner().invoke(build_app(), ["serve", "--data-dir", str(corpus.data_dir), "--port", "9"])
    assert result.exit_code == 1
    assert "LENS_MIRROR_TOKEN is set but empty" in result.output and "Traceback" not in result.output
