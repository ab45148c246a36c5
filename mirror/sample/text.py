"""Text generation: titles, abstracts, claims and descriptions from topic vocabularies.

Sentences are filled templates. Every slot is a precomputed tuple that already repeats its
items in proportion to Zipf weights, so a draw is one ``random()`` call and an index, and
the resulting word frequencies are skewed the way natural text is (a few head terms are
very frequent, a long tail is rare). Long texts and texts in other languages are in
``text_pool``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

from mirror.sample.topics import Topic, all_topics, split

Rand = Callable[[], float]
T = TypeVar("T")
Lexicon = dict[str, tuple[str, ...]]

_GENERAL: dict[str, str] = {
    "VP": "investigated|evaluated|characterized|compared|measured|identified|developed|assessed|"
    "analysed|quantified|examined|determined|explored|validated",
    "V3": "improves|reduces|increases|enables|modulates|regulates|predicts|enhances|inhibits|"
    "promotes|controls|determines|affects",
    "V": "improve|reduce|increase|enable|modulate|regulate|predict|enhance|inhibit|promote|control",
    "GN": "study|analysis|approach|model|results|data|performance|mechanism|framework|effect|method|"
    "system|role|impact|response|outcomes|dimensions|evidence|strategy|design",
    "GA": "novel|significant|robust|efficient|potential|large-scale|comparative|quantitative|improved|"
    "systematic|key|high-throughput|simple|integrated",
    "FIND": "These findings|Our results|Taken together, the data|This work|These observations|The results",
    "MOD": "may|could|can|might|will",
    "NUM": "12|24|36|48|60|96|120|150|200|240|312|480|1024|1500|2400|3600",
    "PCT": "5|8|11|14|17|20|23|26|29|32|35|38|41|44|47|50|56|62|68|74|81|87",
    "D": "1|2|3|4|5|6|7|8|9",
    "STUDY": "study|trial|analysis|review|cohort study|case-control study|simulation study",
}

_TITLE = (
    "{A} {N} {C}",
    "{N} and {N}: {aGA} {M}",
    "Efficacy of {N} for {N} {C}",
    "{GA} {N} of {N} by {M}",
    "Role of {N} in {A} {N}",
    "Towards {GA} {N} using {N}",
    "{N} in {A} {N}: {aSTUDY}",
    "{A} {N} and {N} {C}",
    "Effect of {N} on {N}: results from {M}",
    "Dimensions of {N} in {A} {N}",
)
_SENTENCE = (
    "{N} remains a major challenge {C}.",
    "We {VP} the {A} {N} of {N} {C}.",
    "Here we report {aGA} {N} that {V3} {N} {C}.",
    "Using {M}, we {VP} {N} and {N} in {NUM} {SUBJ}.",
    "{A} {N} was associated with {GA} {N} (p < 0.0{D}).",
    "{FIND} suggest that {N} {MOD} {V} {A} {N}.",
    "The {N} {V3} {N} by {PCT}% compared with {N}.",
    "{GA} {GN} of {N} {V3} {N} {C}.",
    "In this {GN}, {N} and {N} were {VP} {C}.",
    "{N} is a key determinant of {N}.",
    "Our {GN} provides {aGA} {GN} for {N} and {N}.",
    "{N} was {VP} in {NUM} {SUBJ} with {A} {N}.",
    "{aA} {N} {V3} {N} through {N}.",
)
_PATENT_TITLE = (
    "{O} and method for producing the same",
    "Method for {G} {N}",
    "{A} {O} comprising {N}",
    "{O} for {N}",
    "System and method for {G} {N}",
    "{O}, and {N} using the same",
    "{A} {O}",
    "Methods and compositions for {G} {N}",
)
_PATENT_SENTENCE = (
    "The invention relates to {aO} and in particular to {N} {C}.",
    "{aO} comprising {aN} and {aN} is disclosed.",
    "The {O} {V3} the {N} and {V3} {N}.",
    "Also provided are methods for producing the {O} and uses thereof in {N}.",
    "In one embodiment, the {N} comprises {aA} {N}.",
    "The {N} is arranged such that the {N} {V3} {N}.",
    "According to the invention, {N} is provided {C}.",
    "A method of {G} {N} by means of the {O} is also described.",
)
_CLAIM_INDEPENDENT = (
    "{aO} comprising:\n {aN};\n {aA} {N}; and\n {aN} configured to {V} the {N}.",
    "A method for {G} {N}, the method comprising:\n {G} {aN};\n {G} the {N} with {aA} {N}; and\n "
    "determining {aN} based on the {N}.",
    "{aO} for {N}, wherein the {O} comprises {aN} and {aA} {N}.",
)
_CLAIM_DEPENDENT = (
    "The {O} according to claim {K}, wherein the {N} comprises {aA} {N}.",
    "A method according to claim {K}, wherein the {N} is {A}.",
    "The {O} of claim {K}, further comprising {aN}.",
    "The method of claim {K}, wherein {G} the {N} is performed {C}.",
    "The {O} according to any one of the preceding claims, wherein the {N} {V3} the {N}.",
)
_SECTION_HEADINGS = ("Background", "Methods", "Results", "Conclusions")

_SLOT = re.compile(r"\{(\w+)\}")


def zipf_expand(items: tuple[str, ...], s: float = 1.0, per_item: int = 10) -> tuple[str, ...]:
    """Repeat items in proportion to 1/rank**s (every item at least once), so a uniform
    draw from the result is a Zipf draw from ``items``."""
    if not items:
        return ()
    weights = [1.0 / (rank + 1) ** s for rank in range(len(items))]
    total = sum(weights)
    budget = per_item * len(items)
    out: list[str] = []
    for item, w in zip(items, weights, strict=True):
        out.extend([item] * max(1, round(budget * w / total)))
    return tuple(out)


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _compile(templates: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_SLOT.split(t)) for t in templates)


_COMPILED = {
    name: _compile(tpls)
    for name, tpls in (
        ("title", _TITLE), ("sentence", _SENTENCE), ("ptitle", _PATENT_TITLE),
        ("psentence", _PATENT_SENTENCE), ("claim1", _CLAIM_INDEPENDENT), ("claimN", _CLAIM_DEPENDENT),
    )
}


@lru_cache(maxsize=32)
def lexicon(topic_no: int) -> Lexicon:
    """All slot tables of one topic (built on first use, then shared)."""
    t: Topic = all_topics()[topic_no]
    lex: Lexicon = {k: zipf_expand(split(v), 0.6, 4) for k, v in _GENERAL.items()}
    lex.update(
        N=zipf_expand(t.nouns, 1.0, 12), A=zipf_expand(t.adjs, 0.8, 6), C=t.contexts, M=t.methods,
        SUBJ=t.subjects, O=zipf_expand(t.objects, 0.7, 6), G=t.gerunds,
    )
    for key in ("GA", "STUDY", "N", "A", "O"):
        lex["a" + key] = tuple(_article(w) for w in lex[key])
    lex["K"] = ("\x00",)  # the claim a dependent claim refers to: filled in by claims()
    return lex


def pick(table: Sequence[T], rnd: Rand) -> T:
    return table[int(rnd() * len(table))]


# A template prepared for one topic: its leading literal, then (table, table size, literal)
# per slot, so that filling it needs no dictionary lookups (this is the generator's
# innermost loop).
Prepared = tuple[str, tuple[tuple[tuple[str, ...], int, str], ...]]


@lru_cache(maxsize=32)
def prepared(topic_no: int) -> dict[str, tuple[Prepared, ...]]:
    lex = lexicon(topic_no)
    return {
        kind: tuple((parts[0], tuple((lex[parts[k]], len(lex[parts[k]]), parts[k + 1])
                                     for k in range(1, len(parts), 2))) for parts in compiled)
        for kind, compiled in _COMPILED.items()
    }


def filled(kind: str, topic_no: int, rnd: Rand) -> str:
    """One sentence (or title, or claim) of a topic: a random template of ``kind``, filled."""
    templates = prepared(topic_no)[kind]
    head, slots = templates[int(rnd() * len(templates))]
    out = [head]
    prev = ""
    for table, n, literal in slots:
        word = table[int(rnd() * n)]
        if word is prev:  # "crop and crop": Zipf heads repeat; one redraw makes it rare
            word = table[int(rnd() * n)]
        out.append(word)
        out.append(literal)
        prev = word
    text = "".join(out)
    return text[:1].upper() + text[1:]


def scholarly_title(topic_no: int, rnd: Rand) -> str:
    return filled("title", topic_no, rnd)


def scholarly_abstract(topic_no: int, rnd: Rand, sentences: int) -> str:
    parts = [filled("sentence", topic_no, rnd) for _ in range(sentences)]
    if sentences >= 4 and rnd() < 0.25:
        # Structured abstracts, as PubMed records often have them ("Background ... Methods ...").
        step = sentences // 4
        for n, heading in enumerate(_SECTION_HEADINGS):
            parts[n * step] = f"{heading} {parts[n * step]}"
    return " ".join(parts)


def patent_title(topic_no: int, rnd: Rand) -> str:
    return filled("ptitle", topic_no, rnd)


def patent_abstract(topic_no: int, rnd: Rand, sentences: int) -> str:
    return " ".join(filled("psentence", topic_no, rnd) for _ in range(sentences))


def claims(topic_no: int, rnd: Rand, count: int) -> list[str]:
    """Claim texts: one independent claim followed by dependent ones (and a second
    independent claim now and then), as real claim sets are laid out."""
    out = [filled("claim1", topic_no, rnd)]
    for n in range(1, count):
        if rnd() < 0.12:
            out.append(filled("claim1", topic_no, rnd))
        else:  # a dependent claim refers to an earlier one, mostly to claim 1
            earlier = 1 if rnd() < 0.5 else 1 + int(rnd() * n)
            out.append(filled("claimN", topic_no, rnd).replace("\x00", str(earlier)))
    return out
