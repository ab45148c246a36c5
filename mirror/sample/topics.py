"""Topic clusters: the vocabulary each generated record is written from.

A record belongs to one topic; its title, abstract, claims, keywords, classifications,
journals and MeSH terms all come from that topic's lists. Nouns are listed most-frequent
first and drawn with Zipf weights, so a topic's head terms ("malaria", "vaccine") are
frequent inside the topic and absent outside it, which is what gives BM25 something to rank.
The raw data lives in ``topics_life`` and ``topics_tech`` as "|"-separated strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


def split(raw: str) -> tuple[str, ...]:
    """"a|b|c" -> ("a", "b", "c"); keeps the data files compact and diff-friendly."""
    return tuple(part.strip() for part in raw.split("|") if part.strip())


def pairs(raw: str) -> tuple[tuple[str, str], ...]:
    """"name:id|name:id" -> ((name, id), ...); the id is after the last colon."""
    return tuple(tuple(item.rsplit(":", 1)) for item in split(raw))  # type: ignore[misc]


def issn_check(seven: str) -> str:
    """ISSN check digit, so that every generated ISSN is a valid one."""
    total = sum(int(c) * w for c, w in zip(seven, range(8, 1, -1), strict=True))
    r = (11 - total % 11) % 11
    return seven + ("X" if r == 10 else str(r))


@dataclass(frozen=True)
class Journal:
    title: str
    abbrev: str
    publisher: str
    issn_print: str
    issn_electronic: str
    country: str
    source_type: str


@dataclass(frozen=True)
class Topic:
    key: str
    weight_scholarly: float
    weight_patent: float
    biomedical: bool
    nouns: tuple[str, ...]
    adjs: tuple[str, ...]
    contexts: tuple[str, ...]
    methods: tuple[str, ...]
    subjects: tuple[str, ...]
    objects: tuple[str, ...]
    gerunds: tuple[str, ...]
    fields: tuple[str, ...]
    mesh: tuple[tuple[str, str], ...]
    chemicals: tuple[tuple[str, str, str], ...]
    cpc: tuple[str, ...]
    national: tuple[str, ...]
    asjc: tuple[tuple[str, str], ...]
    organisms: tuple[tuple[int, str], ...]
    journals: tuple[Journal, ...]
    conferences: tuple[tuple[str, str, str], ...]
    applicants: tuple[str, ...]
    translations: dict[str, tuple[str, ...]]


def make_topic(raw: dict[str, object]) -> Topic:
    """Build a Topic from one raw dict of the data modules."""

    def s(name: str) -> tuple[str, ...]:
        return split(str(raw.get(name, "")))

    journals = []
    for line in split(str(raw["journals"])):
        title, abbrev, publisher, p, e, country, *rest = (x.strip() for x in line.split(";"))
        journals.append(
            Journal(
                title, abbrev, publisher,
                issn_check(p) if p else "", issn_check(e) if e else "",
                country, rest[0] if rest else "Journal",
            )
        )
    chemicals = tuple(tuple(c.split(":")) for c in s("chemicals"))
    conferences = tuple(tuple(c.split(";")) for c in s("conferences"))
    trans = {lang: split(words) for lang, words in dict(raw["trans"]).items()}  # type: ignore[call-overload]
    return Topic(
        key=str(raw["key"]),
        weight_scholarly=float(str(raw["w_sch"])),
        weight_patent=float(str(raw["w_pat"])),
        biomedical=bool(raw.get("bio", False)),
        nouns=s("nouns"), adjs=s("adjs"), contexts=s("contexts"), methods=s("methods"),
        subjects=s("subjects"), objects=s("objects"), gerunds=s("gerunds"), fields=s("fields"),
        mesh=pairs(str(raw.get("mesh", ""))),
        chemicals=chemicals,  # type: ignore[arg-type]
        cpc=s("cpc"), national=s("national"),
        asjc=pairs(str(raw["asjc"])),
        organisms=tuple((int(t), n) for n, t in pairs(str(raw.get("organisms", "")))),
        journals=tuple(journals),
        conferences=conferences,  # type: ignore[arg-type]
        applicants=s("applicants"),
        translations=trans,
    )


@lru_cache(maxsize=1)
def all_topics() -> tuple[Topic, ...]:
    """Every topic, built once on first use (not at import)."""
    from mirror.sample import topics_life, topics_tech

    return tuple(make_topic(raw) for raw in (*topics_life.RAW, *topics_tech.RAW))


@lru_cache(maxsize=2)
def topic_table(product: str) -> tuple[int, ...]:
    """A 1024-slot lookup table of topic numbers weighted by the product's topic mix;
    indexing it with hash bits picks a topic in O(1)."""
    topics = all_topics()
    weights = [t.weight_scholarly if product == "scholarly" else t.weight_patent for t in topics]
    total = sum(weights)
    table: list[int] = []
    acc = 0.0
    for n, w in enumerate(weights):
        acc += w / total * 1024
        while len(table) < round(acc):
            table.append(n)
    while len(table) < 1024:
        table.append(len(topics) - 1)
    return tuple(table[:1024])
