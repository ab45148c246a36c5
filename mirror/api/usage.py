"""Lens's usage endpoints, answered locally from the rate-limit meter.

``GET /subscriptions/{scholarly,patent}_{api,bulk}/usage`` (and the older
``GET /scholarly/usage``) answer Lens's list of quota entries for the caller's token:
the requests and records this server counted, against the emulated plan's limits
(``LENS_MIRROR_RATE_LIMIT``) or, with none, against :data:`~mirror.api.ratelimit.UNLIMITED`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from mirror import PRODUCTS
from mirror.errors import NotFound

from .ratelimit import Meter, token_of

SUBSCRIPTIONS = [f"{product}_{kind}" for product in PRODUCTS for kind in ("api", "bulk")]


class UsageEntry(BaseModel):
    """One quota of a Lens subscription."""

    remaining: int = Field(..., ge=0, description="What is left of the quota until resetDate.")
    allowed: int = Field(..., ge=0, description="The quota (2147483647: no limit in force).")
    frequency: str = Field(..., description="The quota's period: '1 MINUTE' or '1 MONTH'.")
    type: str = Field(..., description="What is counted: REQUEST, RECORD, or RESOURCE (bulk downloads).")
    resetDate: str = Field(..., description="When the quota starts over (UTC, ISO 8601).")
    note: str = Field(..., description="Where the quota comes from.")


def usage_router(meter: Meter, responses: dict[int | str, dict[str, Any]]) -> APIRouter:
    router = APIRouter()

    def answer(request: Request, subscription: str) -> list[dict[str, Any]]:
        return meter.usage(token_of(request.scope), subscription)

    @router.get("/subscriptions/{subscription}/usage", summary="Usage of a Lens subscription, counted locally",
                response_model=list[UsageEntry], responses=responses)
    def subscription_usage(request: Request, subscription: str = PathParam(
            ..., description="scholarly_api, patent_api, scholarly_bulk or patent_bulk",
            json_schema_extra={"enum": SUBSCRIPTIONS})) -> list[dict[str, Any]]:
        if subscription not in SUBSCRIPTIONS:
            raise NotFound(f"unknown subscription {subscription[:60]!r}; use one of {', '.join(SUBSCRIPTIONS)}")
        return answer(request, subscription)

    @router.get("/scholarly/usage", summary="Usage of the scholarly API (Lens's older path)",
                response_model=list[UsageEntry], responses=responses)
    def scholarly_usage(request: Request) -> list[dict[str, Any]]:
        return answer(request, "scholarly_api")

    return router


__all__ = ["SUBSCRIPTIONS", "UsageEntry", "usage_router"]
