"""The Lens search request, validated. GET parameters and POST bodies both become one."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mirror.errors import BadRequest, excerpt

MAX_WINDOW = 10_000  # from + size, as Lens (and Elasticsearch's default window)


def comma_list(value: str | None) -> list[str] | None:
    """``a,b`` (the GET form of include/exclude) → ``["a", "b"]``."""
    return [p.strip() for p in value.split(",") if p.strip()] if value else None


class SearchRequest(BaseModel):
    """A ``POST /{product}/search`` body. Unknown keys are rejected by name."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=False)

    query: str | dict[str, Any] | None = None
    sort: list[dict[str, str]] = Field(default_factory=list)
    include: list[str] | None = None
    exclude: list[str] | None = None
    size: int = Field(20, ge=0)
    from_: int = Field(0, ge=0, alias="from")
    stemming: bool = True
    regex: bool = False
    min_score: float | None = None
    language: str | None = None
    scroll: str | None = None  # cursor paging (mirror.query.scroll, mirror.api.scroll)
    scroll_id: str | None = None
    # Patent families (SIMPLE_FAMILY | EXTENDED_FAMILY): checked and compiled by families.py.
    group_by: str | None = None
    expand_by: str | None = None
    token: str | None = None  # some clients put the token in the body; it is ignored here

    @field_validator("sort", mode="before")
    @classmethod
    def _one_sort(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("include", "exclude", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return comma_list(value) if isinstance(value, str) else value


def describe_validation_error(exc: ValidationError | Any) -> str:
    """A pydantic (or FastAPI request) error as one sentence naming the offending field."""
    parts = []
    for err in exc.errors():
        # FastAPI prefixes locations with where the value came from; users name the field
        where = ".".join(str(p) for p in err["loc"] if p not in ("query", "path", "body")) or "body"
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown request field {excerpt(where)}")
        else:
            parts.append(f"{where}: {err['msg']} (got {excerpt(err.get('input'))})")
    return "; ".join(parts)


def parse_search_body(body: Any) -> SearchRequest:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    try:
        return SearchRequest.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(describe_validation_error(exc)) from None


_SORT_ITEM = re.compile(r"^\s*(asc|desc)\(\s*([^()\s]+)\s*\)\s*$", re.IGNORECASE)


def parse_sort_param(value: str) -> list[dict[str, str]]:
    """``desc(year_published),asc(lens_id)`` → ``[{"year_published": "desc"}, ...]``."""
    out = []
    for item in filter(None, (v.strip() for v in value.split(","))):
        m = _SORT_ITEM.match(item)
        if not m:
            raise BadRequest(f"sort: {excerpt(item)} is not of the form asc(field) or desc(field)")
        out.append({m[2]: m[1].lower()})
    return out


def search_body_from_params(params: dict[str, str]) -> dict[str, Any]:
    """The POST body equivalent to a ``GET /{product}/search`` query string."""
    body: dict[str, Any] = {}
    for key, value in params.items():
        if key == "sort":
            body["sort"] = parse_sort_param(value)
        elif key in ("size", "from"):
            try:
                body[key] = int(value)
            except ValueError:
                raise BadRequest(f"{key}: must be an integer (got {excerpt(value)})") from None
        else:
            body[key] = value
    return body

