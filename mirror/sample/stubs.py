"""Cheap per-index facts about scholarly records that *other* records need.

A reference list needs the cited work's date (only older works may be cited), topic,
title and identifiers, and so does a patent's non-patent citation. Regenerating the whole
cited record for that would be wasteful, so these facts come from two small, separately
seeded sources that the full record also uses:

* the *skeleton* (one 64-bit hash): topic, publication date and popularity;
* the *stub* (one small ``random.Random``): title, first author, journal, pages and the
  external identifiers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from mirror.sample import text
from mirror.sample.ids import hash_at, offset, rng_at, stream_key
from mirror.sample.topics import Journal, Topic, all_topics, topic_table
from mirror.sample.vocab_people import FIRST_NAMES, LAST_NAMES

# Publication types in roughly Lens's proportions (journal articles dominate), as a draw table.
PUBLICATION_TYPES: tuple[str, ...] = tuple(
    name for name, weight in (
        ("journal article", 120), ("conference proceedings", 18), ("book chapter", 16), ("preprint", 12),
        ("review", 8), ("book", 6), ("dissertation", 6), ("report", 4), ("letter", 3), ("editorial", 3),
        ("dataset", 2), ("other", 2),
    ) for _ in range(weight)
)
# General journals used by every topic now and then.
_GENERAL_JOURNALS = (
    Journal("PLOS ONE", "PLoS One", "Public Library of Science", "", "19326203", "United States", "Journal"),
    Journal("Scientific Reports", "Sci Rep", "Springer Nature", "", "20452322", "United Kingdom", "Journal"),
    Journal("Science", "Science", "American Association for the Advancement of Science", "00368075",
            "10959203", "United States", "Journal"),
    Journal("Proceedings of the National Academy of Sciences of the United States of America",
            "Proc Natl Acad Sci U S A", "National Academy of Sciences", "00278424", "10916490",
            "United States", "Journal"),
)
_PREPRINT_SERVERS = (
    Journal("bioRxiv", "bioRxiv", "Cold Spring Harbor Laboratory", "", "", "United States", "Repository"),
    Journal("arXiv", "arXiv", "Cornell University", "", "", "United States", "Repository"),
    Journal("Research Square", "Res Sq", "Research Square Platform LLC", "", "", "United States", "Repository"),
)


# Real DOI prefixes of the publishers in the vocabulary, keyed by the publisher's first word.
_DOI_PREFIXES = {
    "Elsevier": "10.1016", "Cell": "10.1016", "Springer": "10.1038", "Wiley": "10.1002", "Wiley-Blackwell": "10.1111",
    "Oxford": "10.1093", "Public": "10.1371", "Institute": "10.1109", "IEEE": "10.1109", "American": "10.1021",
    "BioMed": "10.1186", "Frontiers": "10.3389", "SAGE": "10.1177", "Royal": "10.1039", "National": "10.1073",
    "Mary": "10.1089", "International": "10.1107", "Jaypee": "10.5005", "Cornell": "10.48550",
    "Cold": "10.1101", "Research": "10.21203", "Association": "10.1145", "Microtome": "10.5555",
}


@lru_cache(maxsize=1)
def _year_table() -> tuple[int, ...]:
    """1024 slots of publication years 1960-2024, exponentially weighted towards recent
    years as real output is (about 5% growth a year)."""
    years = list(range(1960, 2025))
    weights = [math.exp(0.05 * (y - 1960)) for y in years]
    total = sum(weights)
    table: list[int] = []
    acc = 0.0
    for y, w in zip(years, weights, strict=True):
        acc += w / total * 1024
        while len(table) < round(acc):
            table.append(y)
    return tuple((table + [2024] * 1024)[:1024])


_YEAR_START = {y: date(y, 1, 1).toordinal() for y in range(1900, 2100)}


@dataclass(slots=True, frozen=True)
class Skeleton:
    topic: int
    published: int  # ordinal date
    popularity: float  # multiplies the chance of being cited; skewed, many near zero


def skeleton(seed: int, index: int) -> Skeleton:
    h = hash_at(stream_key(seed, "scholarly-skeleton"), index)
    year = _year_table()[(h >> 10) & 1023]
    day = ((h >> 20) & 0xFFFF) % (366 if year % 4 == 0 else 365)
    pop = ((h >> 40) & 0xFFFF) / 65536.0
    return Skeleton(topic_table("scholarly")[h & 1023], _YEAR_START[year] + day, pop * pop * 1.6)


@dataclass(slots=True, frozen=True)
class Stub:
    title: str
    first_name: str
    last_name: str
    journal: Journal
    publication_type: str
    volume: str
    issue: str
    start_page: str
    end_page: str
    doi: str | None
    pmid: str | None
    pmcid: str | None
    magid: str | None
    coreid: str | None
    openalex: str | None
    conference: tuple[str, str, str] | None


def journal_publisher(topic: Topic) -> str:
    """Who publishes a topic's conference proceedings."""
    if topic.key in ("machine-learning", "semiconductor", "battery"):
        return "Institute of Electrical and Electronics Engineers Inc."
    return "Springer Nature" if topic.biomedical else "Association for Computing Machinery"


@lru_cache(maxsize=256)
def _slug(text_: str) -> str:
    return "".join(c for c in text_.lower() if c.isalnum())[:8] or "x"


def stub(seed: int, index: int, sk: Skeleton) -> Stub:
    """Title, first author, source and identifiers of scholarly record ``index``."""
    rng = rng_at(stream_key(seed, "scholarly-stub"), index)
    rnd = rng.random
    topic = all_topics()[sk.topic]
    conference: tuple[str, str, str] | None = None
    ptype = text.pick(PUBLICATION_TYPES, rnd)
    if ptype == "preprint":
        journal = _PREPRINT_SERVERS[1 if topic.key in ("machine-learning", "semiconductor", "economics") else
                                    int(rnd() * 3) % 3]
    elif ptype == "conference proceedings" and topic.conferences:
        name, instance, location = text.pick(topic.conferences, rnd)
        conference = (name, f"{instance.split()[0]} {date.fromordinal(sk.published).year}", location)
        journal = Journal(f"Proceedings of the {conference[0]}", conference[1], journal_publisher(topic),
                          "", "", conference[2].rsplit(", ", 1)[-1], "Conference Proceedings")
    elif rnd() < 0.15:
        journal = text.pick(_GENERAL_JOURNALS, rnd)
    else:
        journal = text.pick(topic.journals, rnd)
    year = date.fromordinal(sk.published).year
    volume = str(max(1, year - 1950 + int(rnd() * 40)))
    issue = str(1 + int(rnd() * 12))
    start = 1 + int(rnd() * 3000)
    end = start + 3 + int(rnd() * 15)
    # Identifiers are injective functions of the index (an affine map modulo a range much
    # larger than any sample), so two records never share a DOI or PMID.
    off = offset(seed, "scholarly-ids")
    serial = (index * 1_000_003 + off) % 90_000_000
    doi = pmid = pmcid = magid = coreid = openalex = None
    if rnd() < 0.92:
        prefix = _DOI_PREFIXES.get(journal.publisher.split(" ")[0], "10.5555")
        doi = f"{prefix}/{_slug(journal.abbrev)}.{year}.{serial:08d}"
    if topic.biomedical and rnd() < 0.75 or rnd() < 0.06:
        pmid = str(10_000_000 + (index * 1_000_003 + off) % 30_000_000)
        if rnd() < 0.45:
            pmcid = f"pmc{1_000_000 + (index * 7_919 + off) % 9_000_000}"
    if rnd() < 0.85:
        magid = str(1_000_000_000 + (index * 104_729 + off) % 2_000_000_000)
    if rnd() < 0.3:
        coreid = str(10_000_000 + (index * 15_485_863 + off) % 190_000_000)
    if rnd() < 0.9:
        openalex = f"W{2_000_000_000 + (index * 32_452_843 + off) % 2_000_000_000}"
    return Stub(
        title=text.scholarly_title(sk.topic, rnd),
        first_name=text.pick(FIRST_NAMES, rnd),
        last_name=text.pick(LAST_NAMES, rnd),
        journal=journal,
        publication_type=ptype,
        volume=volume,
        issue=issue,
        start_page=str(start),
        end_page=str(end),
        doi=doi, pmid=pmid, pmcid=pmcid, magid=magid, coreid=coreid, openalex=openalex,
        conference=conference,
    )
