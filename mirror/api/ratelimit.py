"""Lens's rate-limit headers on every response, and the optional plan emulation.

Lens answers every request with its plan's state in ``x-rate-limit-*`` headers, and
client code reads them (some fails when they are absent). :class:`RateLimits` adds them
to every response this app sends: searches, records, errors, 204s, the docs. With no
``LENS_MIRROR_RATE_LIMIT`` nothing is ever refused and the limits read as
:data:`UNLIMITED`, less what the caller used. With one, the plan's limits are enforced
as Lens enforces them: a request over a per-minute or per-month budget is a 429 with
the retry-after headers, so a client's back-off can be tested locally.

Requests are counted per token (Lens plans belong to a token) and per product
(``scholarly_api``, ``patent_api``, as Lens's usage endpoints split them). Only API
calls count: ``/{product}/...`` and ``/schema/{product}``; the usage endpoints, the
docs, ``/`` and unknown paths do not, and report the stricter of the token's two plans.
Memory is bounded: tokens are hashed, at most ``max_accounts`` are kept, the
least recently seen dropped first.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mirror import PRODUCTS
from mirror.errors import BadRequest, TooManyRequests
from mirror.plans import SETTING, RatePlan

from .errors import JSONResponse, error_body
from .middleware import offered_tokens

#: What a limit that is not in force reads as (Java's largest int, as a Java server would say it).
UNLIMITED = 2_147_483_647
MINUTE = 60.0

#: The headers, in Lens's spelling.
REMAINING_PER_MINUTE = "x-rate-limit-remaining-request-per-minute"
RETRY_AFTER_SECONDS = "x-rate-limit-retry-after-seconds"
RETRY_AFTER_MILLIS = "x-rate-limit-retry-after-millis"
RESET_DATE = "x-rate-limit-reset-date"
REMAINING_REQUESTS_PER_MONTH = "x-rate-limit-remaining-request-per-month"
REMAINING_RECORDS_PER_MONTH = "x-rate-limit-remaining-record-per-month"
HEADERS = (REMAINING_PER_MINUTE, RETRY_AFTER_SECONDS, RETRY_AFTER_MILLIS, RESET_DATE,
           REMAINING_REQUESTS_PER_MONTH, REMAINING_RECORDS_PER_MONTH)

#: Where a route leaves the number of records its answer carries (the monthly record budget).
_RECORDS_KEY = "lens_mirror_records"

#: Paths that are not API calls: they carry the headers but spend nothing.
USAGE_PATHS = frozenset(
    {"/scholarly/usage"} | {f"/subscriptions/{p}_{kind}/usage" for p in PRODUCTS for kind in ("api", "bulk")}
)


def count_records(request: Request, records: int) -> None:
    """Say how many records this request's answer carries (they count against the monthly record budget)."""
    request.scope.setdefault("state", {})[_RECORDS_KEY] = records


def month_reset(now: float) -> float:
    """The start of the next calendar month (UTC): when the monthly budgets start over."""
    today = datetime.fromtimestamp(now, timezone.utc)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return datetime(year, month, 1, tzinfo=timezone.utc).timestamp()


@lru_cache(maxsize=256)  # a reset date is the same for every request of its window
def iso_date(timestamp: float) -> str:
    """``2023-12-27T04:41:33.701Z``, the form Lens gives its reset dates in."""
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Account:
    """What one token spent on one product's API: this minute's window and this month's."""

    minute_start: float = -math.inf
    minute_requests: int = 0
    month_end: float = -math.inf
    month_requests: int = 0
    month_records: int = 0

    def roll(self, now: float) -> None:
        if now >= self.minute_start + MINUTE:  # a fixed window opened by the first request after the last
            self.minute_start, self.minute_requests = now, 0
        if now >= self.month_end:
            self.month_end, self.month_requests, self.month_records = month_reset(now), 0, 0


@dataclass(frozen=True)
class Standing:
    """An account's state as the headers and the usage endpoints tell it."""

    requests_this_minute: int
    requests_this_month: int
    records_this_month: int
    minute_reset: float
    month_reset: float
    retry_after: float = 0.0  # seconds; non-zero only on a refusal


class Meter:
    """Counts requests and records per (token, subscription) against a plan. Thread-safe, bounded."""

    def __init__(self, plan: RatePlan, clock: Callable[[], float] = time.time, max_accounts: int = 1_000) -> None:
        self.plan, self.clock, self.max_accounts = plan, clock, max_accounts
        self._accounts: OrderedDict[tuple[bytes, str], Account] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(token: str, subscription: str) -> tuple[bytes, str]:
        # A digest, not the token: an account costs the same whatever a client sends.
        return hashlib.blake2b(token.encode("utf-8", "surrogateescape"), digest_size=16).digest(), subscription

    def _account(self, key: tuple[bytes, str], now: float) -> Account:
        account = self._accounts.get(key)
        if account is None:
            account = self._accounts[key] = Account()
            while len(self._accounts) > self.max_accounts:
                self._accounts.popitem(last=False)
        else:
            self._accounts.move_to_end(key)
        account.roll(now)
        return account

    def _standing(self, account: Account, retry_after: float = 0.0) -> Standing:
        return Standing(account.minute_requests, account.month_requests, account.month_records,
                        account.minute_start + MINUTE, account.month_end, retry_after)

    def spend(self, token: str, subscription: str) -> tuple[Standing, str | None]:
        """Count one request, or refuse it: (the standing, None) or (the standing, why it is refused)."""
        plan, now = self.plan, self.clock()
        with self._lock:
            account = self._account(self.key(token, subscription), now)
            if plan.requests_per_minute is not None and account.minute_requests >= plan.requests_per_minute:
                wait = account.minute_start + MINUTE - now
                return self._standing(account, wait), f"{plan.requests_per_minute:,} requests a minute"
            if plan.requests_per_month is not None and account.month_requests >= plan.requests_per_month:
                return self._standing(account, account.month_end - now), f"{plan.requests_per_month:,} requests a month"
            if plan.records_per_month is not None and account.month_records >= plan.records_per_month:
                return self._standing(account, account.month_end - now), f"{plan.records_per_month:,} records a month"
            account.minute_requests += 1
            account.month_requests += 1
            return self._standing(account), None

    def add_records(self, token: str, subscription: str, records: int) -> Standing:
        with self._lock:
            account = self._account(self.key(token, subscription), self.clock())
            account.month_records += records
            return self._standing(account)

    def look(self, token: str, subscription: str) -> Standing:
        """The standing without spending anything (usage endpoints, unmetered paths)."""
        with self._lock:
            return self._standing(self._account(self.key(token, subscription), self.clock()))

    # -- what clients read ---------------------------------------------------------------

    @staticmethod
    def _left(limit: int | None, used: int) -> int:
        return max(0, (UNLIMITED if limit is None else limit) - used)

    def headers(self, standing: Standing) -> dict[str, str]:
        plan = self.plan
        wait = max(0.0, standing.retry_after)
        # The reset that matters: the minute's while the minute is what refuses, else the month's.
        reset = standing.minute_reset if plan.requests_per_minute is not None and (
            0 < wait <= MINUTE) else standing.month_reset
        return {
            REMAINING_PER_MINUTE: str(self._left(plan.requests_per_minute, standing.requests_this_minute)),
            RETRY_AFTER_SECONDS: str(math.ceil(wait)),
            RETRY_AFTER_MILLIS: str(math.ceil(wait * 1000)),
            RESET_DATE: iso_date(reset),
            REMAINING_REQUESTS_PER_MONTH: str(self._left(plan.requests_per_month, standing.requests_this_month)),
            REMAINING_RECORDS_PER_MONTH: str(self._left(plan.records_per_month, standing.records_this_month)),
        }

    def stricter(self, token: str) -> Standing:
        """For paths that belong to no product: the token's more used plan, field by field."""
        standings = [self.look(token, f"{product}_api") for product in PRODUCTS]
        return Standing(max(s.requests_this_minute for s in standings), max(s.requests_this_month for s in standings),
                        max(s.records_this_month for s in standings), max(s.minute_reset for s in standings),
                        standings[0].month_reset)

    def usage(self, token: str, subscription: str) -> list[dict[str, Any]]:
        """The Lens usage answer: one entry per quota, ``[{remaining, allowed, frequency, type, resetDate, note}]``."""
        plan = self.plan
        if subscription.endswith("_bulk"):
            standing = self.look(token, subscription)
            return [{"remaining": UNLIMITED, "allowed": UNLIMITED, "frequency": "1 MONTH", "type": "RESOURCE",
                     "resetDate": iso_date(standing.month_reset),
                     "note": "lens-mirror serves no bulk downloads; it has no download quota"}]
        standing = self.look(token, subscription)

        def entry(limit: int | None, used: int, frequency: str, kind: str, reset: float) -> dict[str, Any]:
            allowed = UNLIMITED if limit is None else limit
            note = (f"emulated plan limit ({SETTING})" if limit is not None
                    else f"no limit: counted by this server, not enforced ({SETTING} unset)")
            return {"remaining": max(0, allowed - used), "allowed": allowed, "frequency": frequency, "type": kind,
                    "resetDate": iso_date(reset), "note": note}

        minute_reset = standing.minute_reset if math.isfinite(standing.minute_reset) else self.clock() + MINUTE
        return [
            entry(plan.requests_per_minute, standing.requests_this_minute, "1 MINUTE", "REQUEST", minute_reset),
            entry(plan.requests_per_month, standing.requests_this_month, "1 MONTH", "REQUEST", standing.month_reset),
            entry(plan.records_per_month, standing.records_this_month, "1 MONTH", "RECORD", standing.month_reset),
        ]


def subscription_of(path: str) -> str | None:
    """The Lens subscription an API call spends from: ``/patent/search`` → ``patent_api``; None: unmetered."""
    if path in USAGE_PATHS:
        return None
    parts = path.split("/")
    if len(parts) > 2 and parts[1] in PRODUCTS:
        return f"{parts[1]}_api"
    if len(parts) == 3 and parts[1] == "schema" and parts[2] in PRODUCTS:
        return f"{parts[2]}_api"
    return None


def token_of(scope: Scope) -> str:
    return next(offered_tokens(scope), "")


async def peek_body(receive: Receive, cap: int) -> tuple[bytes | None, list[Message]]:
    """Read a request body up to ``cap`` bytes: (the body, or None if it is bigger or cut; the messages read)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        size += len(message.get("body", b""))
        if size > cap:
            return None, messages
        if not message.get("more_body"):
            return b"".join(m.get("body", b"") for m in messages), messages


def requested_size(scope: Scope, body: bytes | None) -> Any:
    """The ``size`` a search asks for, if it says one (the app judges whether it is valid)."""
    if scope["method"] == "GET":
        return Request(scope).query_params.get("size")
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    return parsed.get("size") if isinstance(parsed, dict) else None


class RateLimits:
    """ASGI middleware: the Lens rate-limit headers on every answer, and the plan enforced when one is set."""

    def __init__(self, app: ASGIApp, meter: Meter, max_body_bytes: int) -> None:
        self.app, self.meter, self.max_body_bytes = app, meter, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        meter, path = self.meter, scope["path"]
        token, subscription = token_of(scope), subscription_of(path)
        scope.setdefault("state", {})  # shared with the routes, which leave the record count in it
        if subscription is None:
            standing = meter.stricter(token)
            await self.app(scope, receive, self._with_headers(send, lambda: meter.headers(standing)))
            return

        standing, refused = meter.spend(token, subscription)
        if refused is not None:
            seconds = math.ceil(max(0.0, standing.retry_after))
            message = (f"rate limit reached: this plan allows {refused} ({SETTING}); "
                       f"retry in {seconds:,} s, at {iso_date(meter.clock() + standing.retry_after)}")
            headers = {**meter.headers(standing), "Retry-After": str(seconds)}
            await self._error(scope, receive, send, TooManyRequests(message), headers)
            return

        per_request = meter.plan.records_per_request
        if per_request is not None and path.endswith(("/search", "/aggregate")):
            body, messages = (None, []) if scope["method"] == "GET" else await peek_body(receive, self.max_body_bytes)
            receive = _replay(messages, receive)
            size = requested_size(scope, body)
            if isinstance(size, (int, str)) and str(size).isdigit() and int(size) > per_request:
                message = (f"size {int(size):,} is over this plan's {per_request:,} records a request ({SETTING}); "
                           "ask for fewer, or page with from or scroll")
                await self._error(scope, receive, send, BadRequest(message), meter.headers(standing))
                return

        def after() -> dict[str, str]:
            records = scope["state"].get(_RECORDS_KEY)
            current = meter.add_records(token, subscription, records) if records else standing
            return meter.headers(current)

        await self.app(scope, receive, self._with_headers(send, after))

    @staticmethod
    def _with_headers(send: Send, headers: Callable[[], dict[str, str]]) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers().items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)
        return sending

    @staticmethod
    async def _error(scope: Scope, receive: Receive, send: Send, error: TooManyRequests | BadRequest,
                     headers: dict[str, str]) -> None:
        body = error_body(error.status, error.title, error.message, scope["path"])
        await JSONResponse(body, status_code=error.status, headers=headers)(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first gives back the messages a peek consumed."""
    pending = list(messages)

    async def replaying() -> Message:
        return pending.pop(0) if pending else await receive()
    return replaying


__all__ = ["HEADERS", "UNLIMITED", "USAGE_PATHS", "Meter", "RateLimits", "count_records", "subscription_of"]
