"""Patent families: which publications exist, where, when, and under which numbers.

Patent index space is cut into chunks of ``CHUNK`` consecutive indices. One random plan per
chunk (seeded by the chunk number) partitions it into extended families, each extended
family into simple families, and each simple family into publications along a realistic
filing route (national first filing, PCT, EP, then national phases; application first,
grant later). Every member of a family reads the same plan, so all members list the same
family; a family never crosses a chunk, so the plan of one chunk is all a record needs.
Publication numbers are injective functions of an application's serial (the global index
of its first publication), so they never repeat within a sample (of fewer than 700,000
patents: the smallest number range, GB's, has that many numbers).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from mirror.sample.ids import REFERENCE_DATE, add_years, offset, rng_at, stream_key
from mirror.sample.topics import topic_table

CHUNK = 12

# office: (application kinds, grant kind or "", publication language)
OFFICES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "US": (("A1",), "B2", "en"), "EP": (("A1", "A1", "A1", "A2"), "B1", "en"), "WO": (("A1", "A1", "A2"), "", "en"),
    "CN": (("A",), "B", "zh"), "JP": (("A",), "B2", "ja"), "KR": (("A",), "B1", "ko"),
    "DE": (("A1",), "B4", "de"), "GB": (("A",), "B", "en"), "FR": (("A1",), "B1", "fr"),
    "AU": (("A1",), "B2", "en"), "CA": (("A1",), "C", "en"), "ES": (("A1",), "T3", "es"),
}
_FIRST_FILING = "US|US|US|US|US|US|CN|CN|CN|CN|CN|JP|JP|JP|KR|KR|DE|DE|EP|EP|GB|FR"
_NATIONAL_PHASE = ("US", "CN", "JP", "KR", "AU", "CA", "DE", "GB")
_EXT_SIZES = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 10)
_SF_SIZES = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)
# Multiplier of the injective serial -> number maps: a prime coprime to every number range
# used below, large enough that consecutive serials land far apart.
_MULT = 2_654_435_761
# US applications filed before this date were not published before grant.
_US_PREGRANT_PUBLICATION = date(2000, 11, 29).toordinal()


@dataclass(slots=True)
class Application:
    serial: int  # global index of its first publication: unique per application
    jurisdiction: str
    filing: int  # ordinal date
    doc_number: str
    kind: str
    number: str  # the formatted biblio.application_number
    grant_date: int | None = None  # set when the plan contains a grant publication


@dataclass(slots=True)
class Doc:
    index: int
    jurisdiction: str
    doc_number: str
    kind: str
    published: int  # ordinal
    publication_type: str
    lang: str
    app: Application
    simple: "SimpleFamily"
    date_iso: str = ""  # published, formatted once here because every citing record needs it


@dataclass(slots=True)
class SimpleFamily:
    family_id: int
    extended: "ExtendedFamily"
    priorities: list[tuple[str, str, str, int, str | None]]  # jurisdiction, number, kind, date, linkage
    lang: str
    members: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ExtendedFamily:
    family_id: int
    topic: int
    applicants: int  # a draw used to pick the applicant set of the whole family
    members: list[int] = field(default_factory=list)


@lru_cache(maxsize=1)
def _priority_years() -> tuple[int, ...]:
    years = list(range(1978, 2023))
    weights = [math.exp(0.06 * (y - 1978)) for y in years]
    total, acc = sum(weights), 0.0
    out: list[int] = []
    for y, w in zip(years, weights, strict=True):
        acc += w / total * 512
        while len(out) < round(acc):
            out.append(y)
    return tuple((out + [2022] * 512)[:512])


def _family_id(seed: int, kind: str, n: int) -> int:
    """Nine-digit family ids, injective in n (both multipliers are coprime to 9e8)."""
    mult = _MULT if kind == "simple-family" else 2_246_822_519
    return 100_000_000 + (n * mult + offset(seed, kind)) % 900_000_000


def _scrambled(seed: int, juris: str, serial: int) -> int:
    return serial * _MULT + offset(seed, "numbers:" + juris)


def _publication_number(seed: int, juris: str, serial: int, year: int, granted: bool) -> str:
    """Publication number of an application's A (or, when ``granted``, B) publication.
    Offices that keep the application's number for the grant (EP, CN, DE, ...) get the same
    string for both; US, JP and KR number grants separately."""
    x = _scrambled(seed, juris, serial)
    if juris == "US":
        if granted:
            return str((10_000_000 + x % 2_000_000) if year >= 2018 else (4_000_000 + x % 6_000_000))
        return f"{year}{x % 10**7:07d}"
    if juris == "JP":
        return str(2_000_000 + x % 5_000_000) if granted else f"{year}{x % 10**6:06d}"
    if juris == "KR":
        return str(100_000_000 + x % 10_000_000) if granted else f"{year}{x % 10**7:07d}"
    if juris == "EP":
        return str(1_000_000 + x % 3_000_000)
    if juris == "CN":
        return str(100_000_000 + x % 900_000_000)
    if juris in ("WO", "AU"):
        return f"{year}{x % 10**6:06d}"
    if juris == "DE":
        return f"10{year}{x % 10**6:06d}"
    base, size = _NUMBER_RANGES[juris]
    return str(base + x % size)


_NUMBER_RANGES = {"GB": (2_000_000, 700_000), "FR": (3_000_000, 1_000_000), "CA": (2_000_000, 1_500_000),
                  "ES": (2_000_000, 1_000_000)}


def _application_number(seed: int, juris: str, serial: int, year: int, ro: str = "US") -> tuple[str, str]:
    """(application doc number, formatted biblio.application_number); ``ro`` is the PCT
    receiving office for WO applications."""
    x = _scrambled(seed, juris, serial)
    cd = x % 10  # a check-digit-like suffix
    if juris == "US":
        series = min(18, max(8, 10 + (year - 2005) // 3))
        return f"{series:02d}{x % 10**6:06d}", f"{series:02d}/{x % 10**6:06d}"
    if juris == "EP":
        app = f"{year % 100:02d}{x % 10**6:06d}"
        return app, f"{app}.{cd}"
    if juris == "WO":
        return f"{ro}{year}{x % 10**6:06d}", f"PCT/{ro}{year}/{x % 10**6:06d}"
    if juris == "CN":
        app = f"{year}1{x % 10**7:07d}"
        return app, f"{app}.{cd}"
    if juris == "JP":
        return f"{year}{x % 10**6:06d}", f"{year}-{x % 10**6:06d}"
    if juris == "KR":
        return f"{year}{x % 10**7:07d}", f"10-{year}-{x % 10**7:07d}"
    if juris == "DE":
        app = f"10{year}{x % 10**6:06d}"
        return app, f"{app}.{cd}"
    app = f"{year}{x % 10**5:05d}"
    return app, app


def _kind_type(juris: str, kind: str) -> str:
    if kind in ("A3",):
        return "SEARCH_REPORT"
    if kind[0] in "BCT" or (juris == "CN" and kind == "B"):
        return "GRANTED_PATENT"
    return "PATENT_APPLICATION"


def _route(rng: random.Random, size: int, first: str, priority: int) -> list[tuple[str, int, str, int]]:
    """Publications of one simple family along a filing route: (office, filing date, kind,
    publication date). Only publications before the reference date exist."""
    out: list[tuple[str, int, str, int]] = []
    offices = [first]
    if rng.random() < 0.6:
        offices.append("WO")
    if first != "EP" and rng.random() < 0.7:
        offices.append("EP")
    rest = [o for o in _NATIONAL_PHASE if o not in offices]
    k = int(rng.random() * len(rest))  # national phases in a rotated order: one draw
    offices += rest[k:] + rest[:k]
    granted_ep = False
    for office in offices:
        if len(out) >= size:
            break
        filing = priority if office == first else priority + 365 - int(rng.random() * 20)
        app_kinds, grant_kind, _ = OFFICES[office]
        app_kind = app_kinds[int(rng.random() * len(app_kinds))]
        pub = filing + 540 + int(rng.random() * 90) if office == first else priority + 545 + int(rng.random() * 400)
        if office == "US" and (rng.random() < 0.2 or filing < _US_PREGRANT_PUBLICATION):
            app_kind = ""  # granted without a pre-grant publication (a US B1)
        if app_kind and pub < REFERENCE_DATE:
            out.append((office, filing, app_kind, pub))
            if app_kind == "A2" and office == "EP" and len(out) < size and pub + 200 < REFERENCE_DATE:
                out.append((office, filing, "A3", pub + 120 + int(rng.random() * 200)))
        grant = filing + 700 + int(rng.random() * 1500)
        if grant_kind and grant < REFERENCE_DATE and rng.random() < 0.8 and len(out) < size:
            kind = "B1" if office == "US" and not app_kind else grant_kind
            out.append((office, filing, kind, grant))
            granted_ep = granted_ep or office == "EP"
        if granted_ep and office == "EP" and len(out) < size and rng.random() < 0.5:
            out.append(("ES", filing, "T3", grant + 60 + int(rng.random() * 120)))
    while len(out) < size:  # late national phases filling up a large family
        office = ("AU", "CA", "GB", "DE")[len(out) % 4]
        pub = min(priority + 1000 + len(out) * 7, REFERENCE_DATE - 40 + len(out))
        # distinct filing dates give distinct applications, hence distinct numbers
        out.append((office, priority + 900 + len(out), OFFICES[office][0][0], pub))
    return out[:size]


def plan_chunk(seed: int, chunk: int) -> list[Doc]:
    """The documents of indices [chunk*CHUNK, (chunk+1)*CHUNK), families filled in."""
    rng = rng_at(stream_key(seed, "patent-chunk"), chunk)
    rnd = rng.random
    years = _priority_years()
    topics = topic_table("patent")
    docs: list[Doc] = []
    pos = 0
    while pos < CHUNK:
        ext_start = chunk * CHUNK + pos
        ext_size = min(CHUNK - pos, _EXT_SIZES[int(rnd() * len(_EXT_SIZES))])
        ext = ExtendedFamily(_family_id(seed, "ext-family", ext_start), topics[int(rnd() * 1024)],
                             int(rnd() * 1_000_000))
        base_date = date(years[int(rnd() * 512)], 1, 1).toordinal() + int(rnd() * 365)
        first = _FIRST_OFFICES[int(rnd() * len(_FIRST_OFFICES))]
        base_number = _application_number(seed, first, ext_start, date.fromordinal(base_date).year)[0]
        priority = base_date
        remaining = ext_size
        sf_no = 0
        while remaining:
            size = min(remaining, _SF_SIZES[int(rnd() * len(_SF_SIZES))])
            start = chunk * CHUNK + pos
            claims: list[tuple[str, str, str, int, str | None]] = [(first, base_number, "A", base_date, None)]
            if sf_no:  # a continuation or divisional: the shared priority plus a later own one
                priority = max(base_date, min(priority + 200 + int(rnd() * 900), REFERENCE_DATE - 900))
                own = _application_number(seed, first, start, date.fromordinal(priority).year)[0]
                claims.append((first, own, "A", priority, "A" if rnd() < 0.5 else None))
            elif rnd() < 0.25:
                pct = _application_number(seed, "WO", start, date.fromordinal(base_date + 360).year,
                                          _receiving_office(first))[0]
                claims.append(("WO", pct, "W", base_date + 360, "W"))
            sf = SimpleFamily(_family_id(seed, "simple-family", start), ext, claims, _wo_lang(first, rnd()))
            for office, filing, kind, pub in _route(rng, size, first, priority):
                idx = chunk * CHUNK + pos
                app = _application(seed, sf, docs, office, filing, idx, first)
                if kind[0] in "BCT":
                    app.grant_date = pub
                lang = OFFICES[office][2]
                if office == "WO":
                    lang = sf.lang
                elif office == "EP":
                    lang = sf.lang if sf.lang in ("en", "de", "fr") else "en"
                published = date.fromordinal(pub)
                number = _publication_number(seed, office, app.serial, published.year, kind[0] in "BC")
                docs.append(Doc(idx, office, number, kind, pub, _kind_type(office, kind), lang, app, sf,
                                published.isoformat()))
                sf.members.append(idx)
                ext.members.append(idx)
                pos += 1
            remaining -= size
            sf_no += 1
    return docs


_FIRST_OFFICES = tuple(_FIRST_FILING.split("|"))


def _receiving_office(first: str) -> str:
    return "EP" if first == "EP" else first


def _wo_lang(first: str, r: float) -> str:
    """Language of the PCT publication (and of EP ones where it is en/de/fr)."""
    own = {"JP": "ja", "CN": "zh", "KR": "ko", "DE": "de", "FR": "fr"}.get(first)
    if own and r < 0.55:
        return own
    return "en" if r < 0.8 or first in ("US", "GB") else "de" if r < 0.92 else "fr"


def _application(seed: int, sf: SimpleFamily, docs: list[Doc], office: str, filing: int, idx: int,
                 first: str) -> Application:
    """The application behind a publication: shared by the A and B publications of one office."""
    for d in reversed(docs):
        if d.simple is sf and d.jurisdiction == office and d.app.filing == filing:
            return d.app
    app_number, formatted = _application_number(seed, office, idx, date.fromordinal(filing).year,
                                                _receiving_office(first))
    return Application(idx, office, filing, app_number, "W" if office == "WO" else "A", formatted)


def term_date(app: Application) -> int:
    """Twenty years from filing: the anticipated end of term."""
    return add_years(app.filing, 20)
