"""Lens IDs and the keyed hashing every other sample module derives its randomness from.

Everything here is a pure function of its arguments: the generator never keeps one global
random stream, so record *i* can be regenerated on its own, in any order, in any process.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from functools import lru_cache

PRODUCTS: tuple[str, ...] = ("scholarly", "patent")
_PRODUCT_CODE: dict[str, int] = {"scholarly": 0, "patent": 1}

MASK64 = (1 << 64) - 1
_INV_2_64 = 1.0 / 18446744073709551616.0
_INV_2_53 = 1.0 / 9007199254740992.0

# Real Lens IDs carry 14 digits and their first group stays below 200, so the id space is
# [0, 2e13). Each product gets half of it (even / odd before scrambling), which is what
# makes scholarly and patent ids unable to collide under one seed.
_ID_SPACE = 2 * 10**13
MAX_INDEX = _ID_SPACE // 2
# A mixed-radix split of the id space (H * L == _ID_SPACE): swapping the two "digits" is a
# bijection that moves high-order entropy into the low digits, so that successive indices do
# not produce ids that differ by a constant.
_H, _L = 4_000_000, 5_000_000


def mix64(x: int) -> int:
    """SplitMix64's finaliser: a cheap, well-mixed bijection on 64-bit integers."""
    x &= MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def unit(x: int) -> float:
    """Map a 64-bit hash to a float in [0, 1)."""
    return (x & MASK64) * _INV_2_64


@lru_cache(maxsize=256)
def seed_key(seed: int) -> int:
    """Fold an arbitrary (possibly negative or huge) integer seed into a 64-bit key."""
    z = seed * 2 if seed >= 0 else -seed * 2 - 1  # zig-zag, so -1 and 1 differ
    key = 0x5DEECE66D
    while True:
        key = mix64(key ^ (z & MASK64))
        z >>= 64
        if not z:
            return key


@lru_cache(maxsize=1024)
def stream_key(seed: int, stream: str) -> int:
    """A 64-bit key for one named random stream ("scholarly-record", "pp-links", ...)."""
    h = seed_key(seed)
    for ch in stream.encode("utf-8"):
        h = mix64(h ^ ch ^ 0x9E3779B97F4A7C15)
    return h


@lru_cache(maxsize=1024)
def offset(seed: int, stream: str) -> int:
    """A constant 64-bit offset per (seed, stream): the additive term of the injective
    number maps (DOIs, patent numbers, family ids), cached because it is used per record."""
    return hash_at(stream_key(seed, stream), 0)


def hash_at(key: int, index: int) -> int:
    """The 64-bit hash of position ``index`` in the stream ``key``."""
    return mix64(key ^ mix64(index + 0x632BE59BD9B4E019))


def rng_at(key: int, index: int) -> random.Random:
    """A fresh ``random.Random`` for position ``index`` of a stream; seeded with 128 bits so
    that distinct positions practically never share a sequence."""
    h = hash_at(key, index)
    return random.Random((h << 64) | mix64(h ^ 0xD1B54A32D192ED03))


def light_rnd(h: int) -> Callable[[], float]:
    """A tiny PCG-style generator for short streams (a family's title, an application's
    legal status): far cheaper to start than ``random.Random``, good enough for picking
    words. Returns a ``random()``-like callable producing floats in [0, 1)."""
    state = [(h | 1) & MASK64]

    def rnd() -> float:
        s = (state[0] * 6364136223846793005 + 1442695040888963407) & MASK64
        state[0] = s
        s ^= s >> 29
        return ((s * 0xBF58476D1CE4E5B9 & MASK64) >> 11) * _INV_2_53

    return rnd


def check_char(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character; verified against every id in the real samples."""
    total = 0
    for c in digits:
        total = (total + ord(c) - 48) * 2
    r = (12 - total % 11) % 11
    return "X" if r == 10 else str(r)


# MOD 11-2 is linear: the 14-digit sum is sum(d_k * 2**(14 - k)) mod 11, so the contribution
# of each 3-digit group (and of the final 2 digits) can be tabulated once; a check
# character then costs five lookups instead of a loop over the digits.
@lru_cache(maxsize=1)
def _group_weights() -> tuple[tuple[int, ...], ...]:
    return tuple(
        tuple(sum(int(c) * pow(2, 14 - (start + k), 11) for k, c in enumerate(f"{v:0{width}d}")) % 11
              for v in range(10**width))
        for start, width in ((0, 3), (3, 3), (6, 3), (9, 3), (12, 2))
    )


def _check_of(x: int) -> str:
    """check_char(f"{x:014d}") for 0 <= x < 10**14, by table."""
    w = _group_weights()
    total = (w[0][x // 10**11] + w[1][x // 10**8 % 1000] + w[2][x // 10**5 % 1000]
             + w[3][x // 100 % 1000] + w[4][x % 100])
    r = (12 - total % 11) % 11
    return "X" if r == 10 else str(r)


def _coprime_multiplier(h: int) -> int:
    """An odd multiplier not divisible by 5, hence invertible modulo 2e13 = 2**14 * 5**13."""
    a = (h % _ID_SPACE) | 1
    while a % 5 == 0:
        a = (a + 2) % _ID_SPACE
    return a


@lru_cache(maxsize=256)
def _id_params(seed: int) -> tuple[int, int, int, int]:
    k = stream_key(seed, "lens-id")
    a1 = _coprime_multiplier(mix64(k ^ 1))
    a2 = _coprime_multiplier(mix64(k ^ 2))
    return a1, mix64(k ^ 3) % _ID_SPACE, a2, mix64(k ^ 4) % _ID_SPACE


def lens_id_for(product: str, seed: int, index: int) -> str:
    """The Lens ID ("NNN-NNN-NNN-NNN-NNC") of record ``index`` of ``product`` under ``seed``.

    The map index -> id is a bijection (affine maps modulo 2e13 interleaved with a
    mixed-radix digit swap), so ids are distinct for distinct (product, index) and the
    two products live in disjoint halves of the id space.
    """
    code = _PRODUCT_CODE.get(product)
    if code is None:
        raise ValueError(f"unknown product {product!r}; expected one of {PRODUCTS}")
    if not 0 <= index < MAX_INDEX:
        raise ValueError(f"index {index} out of range [0, {MAX_INDEX})")
    a1, b1, a2, b2 = _id_params(seed)
    x = (a1 * (2 * index + code) + b1) % _ID_SPACE
    x = (x % _L) * _H + x // _L
    x = (a2 * x + b2) % _ID_SPACE
    x = (x % _L) * _H + x // _L
    d = f"{x:014d}"
    return f"{d[0:3]}-{d[3:6]}-{d[6:9]}-{d[9:12]}-{d[12:14]}{_check_of(x)}"


def is_lens_id(value: str) -> bool:
    """True for a well-formed Lens ID with a correct check character."""
    if len(value) != 19 or value[3::4] != "----":
        return False
    digits = value.replace("-", "")
    return digits[:14].isdigit() and check_char(digits[:14]) == digits[14]


# ---------------------------------------------------------------------------------------
# Dates. Ordinals (days since 0001-01-01) are cheap to compare and offset; these helpers
# turn them into the two formats the API uses.

REFERENCE_DATE = date(2025, 1, 1).toordinal()
"""The generator's "today": legal status and ages are computed against this fixed date
(never the real clock) so output does not change from one day to the next."""


def iso_date(ordinal: int) -> str:
    """Patent style: "2012-07-04"."""
    return date.fromordinal(ordinal).isoformat()


def iso_timestamp(ordinal: int, seconds: int = 0, micros: int = 0) -> str:
    """Scholarly style: "2018-05-12T02:39:28.395000+00:00"."""
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{date.fromordinal(ordinal).isoformat()}T{h:02d}:{m:02d}:{s:02d}.{micros:06d}+00:00"


def add_years(ordinal: int, years: int) -> int:
    """Same calendar day ``years`` later (29 February becomes 28 February)."""
    d = date.fromordinal(ordinal)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:
        return d.replace(year=d.year + years, day=28).toordinal()
