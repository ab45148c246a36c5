"""Everything a simple family's members share, drawn once from one stream per family.

Members of a simple family carry the same invention: titles, abstracts, description,
applicants, inventors, classifications, sequence listing, and per application the same
legal status. All of it comes from one ``random.Random`` seeded by the family, consumed in
a fixed order over the family's complete membership in the chunk plan (never only the
members below the sample size), so whichever member asks first, every member reads the
same values; the ``Universe`` memoises the result while the family's members go by.
"""

from __future__ import annotations

from dataclasses import dataclass

from mirror.sample import text, text_pool
from mirror.sample.ids import REFERENCE_DATE, iso_date, rng_at, stream_key
from mirror.sample.patent_plan import Application, Doc, SimpleFamily, term_date
from mirror.sample.people import orcid
from mirror.sample.text import Rand, pick
from mirror.sample.topics import Topic
from mirror.sample.vocab_people import FIRST_NAMES, LAST_NAMES

_TITLE_LANGS = {"EP": ("de", "en", "fr"), "WO": ("en", "fr"), "CA": ("en", "fr"), "CN": ("en", "zh"),
                "JP": ("en", "ja"), "KR": ("en", "ko"), "DE": ("de", "en"), "FR": ("en", "fr"), "ES": ("en", "es")}
_SEQ_TYPES = (("N", "DNA"), ("P", "PRT"), ("N", "RNA"))
_BUCKETS = ("NT_1_100", "NT_101_5000", "NT_5001_100000", "AA_1_100", "AA_101_5000")
_RESIDENCES = ("US", "US", "US", "DE", "JP", "CN", "KR", "FR", "GB", "CH", "NL", "SE")
_CITIES = ("Boston, MA", "San Jose, CA", "Austin, TX", "Seattle, WA", "Cambridge, MA", "San Diego, CA")
PERIOD = 89  # forced slots: rare fields are also switched on at index % PERIOD == slot

Person = tuple[str, str, str, str, str]  # first, last, residence, city, orcid ("" if none)


def title_langs(doc: Doc) -> tuple[str, ...]:
    """Languages of a document's invention titles (EP: de, en, fr; CN: en, zh; ...), sorted."""
    langs = _TITLE_LANGS.get(doc.jurisdiction, ("en",))
    return langs if doc.lang in langs else tuple(sorted((*langs, doc.lang)))


def abstract_langs(doc: Doc) -> tuple[str, ...]:
    """Abstract languages: the publication language, plus an English translation for
    Chinese, Japanese and Korean publications."""
    if doc.lang == "en":
        return ("en",)
    return (doc.lang, "en") if doc.lang in ("zh", "ja", "ko") else (doc.lang,)


@dataclass(slots=True)
class FamilyData:
    applicants: tuple[str, ...]  # company keys
    inventors: tuple[Person, ...]
    western_names: bool  # inventor names printed "First Last" in US/GB/AU/CA documents
    classes: tuple[tuple[str, str, str], ...]  # (symbol, value, position)
    n_national: int
    sequences: dict[str, object] | None
    titles: dict[str, str]
    abstracts: dict[str, str]
    descriptions: dict[str, str]
    legal: dict[int, dict[str, object]]  # application serial -> legal status


def family_data(seed: int, sf: SimpleFamily, topic_no: int, topic: Topic, members: list[Doc]) -> FamilyData:
    """Draw a simple family's shared data; ``members`` are all its documents in the plan."""
    rnd = rng_at(stream_key(seed, "patent-family"), sf.family_id).random
    keys = topic.applicants
    applicants = [keys[sf.extended.applicants % len(keys)]]
    if rnd() < 0.2:
        extra = pick(keys, rnd)
        if extra not in applicants:
            applicants.append(extra)
    inventors = tuple((pick(FIRST_NAMES, rnd), pick(LAST_NAMES, rnd), pick(_RESIDENCES, rnd), pick(_CITIES, rnd),
                       orcid(rnd) if rnd() < 0.06 else "") for _ in range(1 + int(rnd() * rnd() * 8)))
    western = rnd() < 0.6
    cpc = topic.cpc
    chosen = [cpc[int(rnd() * rnd() * len(cpc))]]
    for _ in range(int(rnd() * 5)):
        symbol = pick(cpc, rnd)
        if symbol not in chosen:
            chosen.append(symbol)
    classes = tuple((s, "I" if n == 0 or rnd() < 0.6 else "A", "F" if n == 0 else "L") for n, s in enumerate(chosen))
    n_national = 1 + int(rnd() * len(topic.national)) if topic.national else 0
    sequences = _sequences(rnd, topic, sf.members[0] % PERIOD == 3)
    # Texts, for exactly the languages the family's documents need, in sorted order.
    titles = {lang: text.patent_title(topic_no, rnd) if lang == "en" else text_pool.foreign_title(topic_no, lang, rnd)
              for lang in sorted({lang for d in members for lang in title_langs(d)})}
    abstracts = {}
    for lang in sorted({lang for d in members for lang in abstract_langs(d)}):
        n = 3 + int(rnd() * 4)
        abstracts[lang] = text.patent_abstract(topic_no, rnd, n) if lang == "en" else \
            text_pool.foreign_text(topic_no, lang, rnd, n)
    descriptions = {lang: text_pool.description(topic_no, lang, rnd, 1000 + int(rnd() * 4000))
                    for lang in sorted({d.lang for d in members})}
    apps: dict[int, Application] = {d.app.serial: d.app for d in members}
    legal = {serial: _legal_status(rnd, apps[serial], topic.biomedical) for serial in sorted(apps)}
    return FamilyData(tuple(applicants), inventors, western, classes, n_national, sequences, titles, abstracts,
                      descriptions, legal)


def _sequences(rnd: Rand, topic: Topic, forced: bool) -> dict[str, object] | None:
    """A sequence listing summary, for some life-science families."""
    if not topic.organisms or not (rnd() < 0.4 or forced):
        return None
    types = _SEQ_TYPES[int(rnd() * 3)]
    pool = _BUCKETS[:3] if types[0] == "N" else _BUCKETS[3:]
    buckets = sorted({pick(pool, rnd) for _ in range(1 + int(rnd() * 3))})
    organisms = [{"tax_id": tax, "name": name} for tax, name in topic.organisms[: 1 + int(rnd() * 2)]]
    if rnd() < 0.4:
        organisms.append({"tax_id": -1, "name": "Unknown/Artificial"})
    return {"sequence_types": list(types), "length_buckets": buckets, "organisms": organisms,
            "count": 1 + int(rnd() * rnd() * 200)}


def _legal_status(rnd: Rand, app: Application, biomedical: bool) -> dict[str, object]:
    """Legal status of an application (the same for its A and B publications), computed
    against the generator's fixed reference date."""
    filing, juris = app.filing, app.jurisdiction
    out: dict[str, object] = {}
    log = [f"Application Filing Date: {iso_date(filing)}"]
    if juris == "WO":
        expiry = filing + 913  # 30 months: the national phase deadline
        out.update(granted=False, application_expiry_date=iso_date(expiry))
        log.append(f"Application Expiry Date: {iso_date(expiry)}")
        out.update(calculation_log=log, patent_status="PENDING" if expiry > REFERENCE_DATE else "INACTIVE")
        return out
    term = term_date(app)
    extension = int(1 + rnd() * 900) if juris == "US" and rnd() < 0.4 else 0  # patent term adjustment
    if app.grant_date:
        out.update(granted=True, grant_date=iso_date(app.grant_date))
        log.append(f"Granted Date: {iso_date(app.grant_date)}")
        end = term + extension
        out["anticipated_term_date"] = iso_date(end)
        status = "EXPIRED" if end < REFERENCE_DATE else "ACTIVE"
        if status == "ACTIVE" and rnd() < 0.18:  # lapsed, e.g. renewal fees not paid
            stop = app.grant_date + 365 + int(rnd() * 3000)
            if stop < REFERENCE_DATE:
                out["discontinuation_date"] = iso_date(stop)
                log.append(f"Discontinued Date: {iso_date(stop)}")
                status = "DISCONTINUED"
        log.append(f"Anticipated Termination Date: {iso_date(end)}")
    else:
        out["granted"] = False
        if REFERENCE_DATE - filing < 5 * 365 and rnd() < 0.85:
            status = "PENDING"
            out["application_expiry_date"] = iso_date(term)
            log.append(f"Application Expiry Date: {iso_date(term)}")
        else:
            stop = min(filing + 700 + int(rnd() * 1500), REFERENCE_DATE - 1)
            out["discontinuation_date"] = iso_date(stop)
            log.append(f"Discontinued Date: {iso_date(stop)}")
            status = "DISCONTINUED"
    if juris == "US":
        out["has_disclaimer"] = rnd() < 0.08
    if juris in ("EP", "DE", "FR", "GB", "ES"):
        out["has_spc"] = bool(app.grant_date) and biomedical and rnd() < 0.15
    if extension:
        out["term_extension_days"] = extension
    out["calculation_log"] = log
    out["patent_status"] = status
    return out
