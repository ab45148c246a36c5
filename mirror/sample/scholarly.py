"""Scholarly work records, in exactly the shape (key order included) of a Lens response.

Determinism rule: everything drawn from the record's own ``random.Random`` is drawn in a
fixed order that never depends on the sample size. Fields that do depend on it (the
citation lists and their counts) are computed from the ``Universe`` links and from pair
hashes only, so record ``i`` is the same in every sample that contains it, apart from links
to records beyond the end of the sample.
"""

from __future__ import annotations

from datetime import date
from operator import itemgetter

from mirror.sample import text
from mirror.sample.graph import pair_hash
from mirror.sample.ids import REFERENCE_DATE, iso_timestamp, rng_at, stream_key
from mirror.sample.people import affiliation, first_name, institution_table, orcid
from mirror.sample.text import pick
from mirror.sample.topics import Journal, all_topics, split
from mirror.sample.universe import Universe
from mirror.sample.vocab_people import COLLECTIVES, FUNDERS, LAST_NAMES

_AUTHOR_COUNTS = (1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 10, 12, 16)
_SUPPLEMENTARY = split(
    "journal article|research support, non-u.s. gov't|comparative study|randomized controlled trial|"
    "research support, n.i.h., extramural|review|multicenter study|clinical trial, phase ii|meta-analysis|"
    "case reports|evaluation study|clinical trial, phase iii|systematic review"
)
_QUALIFIERS = (
    ("prevention & control", "Q000517"), ("immunology", "Q000276"), ("drug therapy", "Q000188"),
    ("epidemiology", "Q000453"), ("genetics", "Q000235"), ("therapeutic use", "Q000627"),
    ("adverse effects", "Q000009"), ("metabolism", "Q000378"), ("chemistry", "Q000737"),
    ("administration & dosage", "Q000008"), ("pathology", "Q000473"),
)
_GENERAL_MESH = (("Humans", "D006801"), ("Female", "D005260"), ("Male", "D008297"), ("Adult", "D000328"),
                 ("Animals", "D000818"), ("Aged", "D000368"), ("Middle Aged", "D008875"))
_LICENSES = ("cc-by", "cc-by", "cc-by", "cc-by-nc-nd", "cc-by-nc", "cc-by-sa", "cc0", "other-oa")
_COLOURS = ("gold", "gold", "hybrid", "green", "green", "bronze")
_LANGS = ("de", "fr", "es", "zh", "ja", "pt", "ru")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RETRACTION = split(
    "Falsification/Fabrication of Data|Duplication of Image|Concerns/Issues About Data|Plagiarism of Article|"
    "Error in Analyses|Investigation by Journal/Publisher|Lack of IRB/IACUC Approval"
)
_REGISTRIES = (("nct", "10.18810/clinical-trials-gov"), ("isrctn", "10.18810/isrctn"),
               ("actrn", "10.18810/anzctr"))
# Forced slots: rare optional fields are also switched on at index % 97 == slot, so every
# field appears within the first 200 records of any seed (tests walk all field paths).
_PERIOD = 97


def _funding_id(pattern: str, rnd: text.Rand) -> str:
    return "".join(str(int(rnd() * 10)) if c == "#" else "ABCDKLMNPRSTVWXYZ"[int(rnd() * 17)] if c == "@"
                   else c for c in pattern)


def _authors(rnd: text.Rand, first: str, last: str, i: int) -> list[dict[str, object]]:
    n = _AUTHOR_COUNTS[int(rnd() * len(_AUTHOR_COUNTS))]
    table = institution_table()
    insts = [table[int(rnd() * len(table))] for _ in range(1 + int(rnd() * 3))]
    orcid_rate = 0.1 + rnd() * 0.4
    n_last = len(LAST_NAMES)
    authors: list[dict[str, object]] = []
    for a in range(n):
        fn, ini = first_name(rnd, first if a == 0 else None)
        ln = last if a == 0 else LAST_NAMES[int(rnd() * n_last)]
        magid = {"type": "magid", "value": str(2_000_000_000 + int(rnd() * 900_000_000))}
        ids = [{"type": "orcid", "value": orcid(rnd)}, magid] if rnd() < orcid_rate else [magid]
        author: dict[str, object] = {"first_name": fn, "last_name": ln, "initials": ini, "ids": ids}
        r = rnd()
        if r > 0.08:
            affs = [affiliation(insts[int(rnd() * len(insts))], rnd, rnd() > 0.08)]
            if r > 0.85:
                affs.append(affiliation(table[int(rnd() * len(table))], rnd))
            author["affiliations"] = affs
        authors.append(author)
    if rnd() < 0.03 or i % _PERIOD == 11:
        authors.append({"collective_name": pick(COLLECTIVES, rnd)})
    return authors


def _source(j: Journal, topic_asjc: tuple[tuple[str, str], ...], rnd: text.Rand) -> dict[str, object]:
    src: dict[str, object] = {"title": j.title, "type": j.source_type, "publisher": j.publisher}
    issn = []
    if j.issn_electronic:
        issn.append({"type": "electronic" if rnd() < 0.7 else "unknown", "value": j.issn_electronic})
    if j.issn_print:
        issn.append({"type": "print", "value": j.issn_print})
    if issn:
        src["issn"] = issn
    src["country"] = j.country
    if j.source_type in ("Journal", "Conference Proceedings"):
        chosen = topic_asjc[: 1 + int(rnd() * len(topic_asjc))]
        src["asjc_codes"] = [code for _, code in chosen]
        src["asjc_subjects"] = [name for name, _ in chosen]
    return src


def scholarly_record(u: Universe, i: int) -> dict[str, object]:
    """Record ``i`` of the scholarly sample of ``u``."""
    sk, st = u.skel(i), u.stub(i)
    topic = all_topics()[sk.topic]
    rnd = rng_at(stream_key(u.seed, "scholarly-record"), i).random
    published = date.fromordinal(sk.published)
    created = sk.published + int(rnd() * 90) if published.year >= 2017 else \
        date(2017, 1, 1).toordinal() + int(rnd() * 1000)
    created = min(created, REFERENCE_DATE - 1)
    rec: dict[str, object] = {
        "lens_id": u.sid(i),
        "title": st.title,
        "publication_type": st.publication_type,
        "year_published": published.year,
        "date_published": iso_timestamp(sk.published),
        "date_published_parts": [published.year, published.month, published.day],
        "created": iso_timestamp(created, int(rnd() * 86400), int(rnd() * 1000) * 1000),
    }
    ext = [("coreid", st.coreid), ("pmid", st.pmid), ("doi", st.doi), ("pmcid", st.pmcid),
           ("magid", st.magid), ("openalex", st.openalex)]
    rec["external_ids"] = [{"type": t, "value": v} for t, v in ext if v]
    refs, citers, patents = u.scholarly_links(i)
    if patents:
        rec["patent_citations"] = [{"lens_id": lid} for lid in sorted(u.pid(p) for p in patents)]
    rec["patent_citations_count"] = len(patents)

    is_oa = rnd() < (0.6 if published.year >= 2010 else 0.25) or st.journal.source_type == "Repository"
    if is_oa:
        landing = [f"https://doi.org/{st.doi}"] if st.doi else [f"https://www.lens.org/{rec['lens_id']}"]
        if st.pmcid:
            landing.append(f"https://www.ncbi.nlm.nih.gov/pmc/articles/{st.pmcid.upper()}/")
            landing.append(f"https://europepmc.org/articles/{st.pmcid}")
        locations: dict[str, list[str]] = {"landing_page_urls": landing}
        if rnd() < 0.6:
            host = "".join(c for c in st.journal.abbrev.lower() if c.isalnum())
            locations["pdf_urls"] = [f"https://europepmc.org/articles/{st.pmcid}?pdf=render" if st.pmcid
                                     else f"https://www.{host}.org/content/{st.volume}/{st.start_page}.pdf"]
        oa: dict[str, object] = {"locations": locations}
        colour = pick(_COLOURS, rnd)
        if colour != "bronze":  # bronze: free to read, no licence
            oa["license"] = pick(_LICENSES, rnd)
        oa["colour"] = colour
        rec["open_access"] = oa

    rec["authors"] = _authors(rnd, st.first_name, st.last_name, i)
    rec["source"] = _source(st.journal, topic.asjc, rnd)
    if st.conference:
        name, instance, location = st.conference
        rec["conference"] = {"name": name, "instance": instance, "location": location}
    fields = {topic.fields[0]} | {pick(topic.fields, rnd) for _ in range(1 + int(rnd() * 6))}
    rec["fields_of_study"] = sorted(fields, key=topic.fields.index)
    if rnd() < 0.65:
        kws = {pick(text.lexicon(sk.topic)["N"], rnd) for _ in range(3 + int(rnd() * 4))}
        rec["keywords"] = sorted(k[:1].upper() + k[1:] for k in kws)
    if st.pmid and rnd() < 0.7:
        rec["publication_supplementary_type"] = sorted({pick(_SUPPLEMENTARY, rnd) for _ in range(1 + int(rnd() * 4))})
    if st.journal.source_type == "Journal":
        rec["volume"], rec["issue"] = st.volume, st.issue
    rec["languages"] = ["en"] if rnd() < 0.94 else [pick(_LANGS, rnd)]
    if refs:
        rec["references"] = sorted((_reference(u, i, r) for r in refs), key=itemgetter("lens_id"))

    if (st.pmid and rnd() < 0.85) or i % _PERIOD == 23:
        rec["mesh_terms"] = _mesh(topic.mesh or _GENERAL_MESH, rnd)
    if (st.pmid and topic.chemicals and rnd() < 0.55) or i % _PERIOD == 29:
        with_ids = rnd() < 0.5
        chems = topic.chemicals or (("Proteins", "0", "D011506"),)
        chosen = sorted({int(rnd() * len(chems)) for _ in range(1 + int(rnd() * 4))})
        rec["chemicals"] = [
            {"substance_name": n, "registry_number": reg, **({"mesh_id": mid} if with_ids else {})}
            for n, reg, mid in (chems[c] for c in chosen)
        ]
    if (st.pmid and topic.key in ("malaria", "oncology", "dental") and rnd() < 0.2) or i % _PERIOD == 31:
        prefix, registry = _REGISTRIES[int(rnd() * 3)]
        rec["clinical_trials"] = [{"id": f"{prefix}{int(rnd() * 10**8):08d}", "registry": registry}]
    if rnd() < 0.4 or i % _PERIOD == 37:
        rec["funding"] = [_funding(rnd) for _ in range(1 + int(rnd() * 3))]
    urls = [{"type": "html", "url": f"https://doi.org/{st.doi}"}] if st.doi else []
    if st.pmid:
        urls.append({"type": "html", "url": f"https://pubmed.ncbi.nlm.nih.gov/{st.pmid}/"})
    if st.coreid:
        urls.append({"type": "core_fulltext", "url": f"https://core.ac.uk/download/pdf/{st.coreid}.pdf"})
    if urls:
        rec["source_urls"] = urls
    if rnd() < 0.03 or i % _PERIOD == 41:
        rec["retraction_updates"] = [_retraction(rnd, created)]
    if rnd() < (0.9 if st.publication_type in ("journal article", "conference proceedings", "preprint", "review")
                else 0.5):
        rec["abstract"] = text.scholarly_abstract(sk.topic, rnd, 4 + int(rnd() * 6))
    rec["references_count"] = len(refs)
    rec["references_resolved_count"] = len(refs)
    rec["scholarly_citations_count"] = len(citers)
    if st.journal.source_type in ("Journal", "Conference Proceedings"):
        rec["start_page"], rec["end_page"] = st.start_page, st.end_page
    if citers:
        rec["scholarly_citations"] = sorted(u.sid(c) for c in citers)
    rec["author_count"] = len(rec["authors"])  # type: ignore[arg-type]
    rec["is_open_access"] = is_oa
    return rec


def _mesh(terms: tuple[tuple[str, str], ...], rnd: text.Rand) -> list[dict[str, str]]:
    chosen = sorted({pick(terms, rnd) for _ in range(2 + int(rnd() * 8))} | {pick(_GENERAL_MESH, rnd)})
    out: list[dict[str, str]] = []
    for heading, mesh_id in chosen:
        if rnd() < 0.4:
            qname, qid = pick(_QUALIFIERS, rnd)
            out.append({"mesh_heading": heading, "qualifier_name": qname, "mesh_id": mesh_id, "qualifier_id": qid})
        else:
            out.append({"mesh_heading": heading, "mesh_id": mesh_id})
    return out


def _funding(rnd: text.Rand) -> dict[str, str]:
    org, fundref, country, pattern, programme = pick(FUNDERS, rnd)
    out = {"org": org}
    if rnd() < 0.5:
        out["org_id"] = fundref
    if programme and rnd() < 0.6:
        out["funding_name"] = programme
    out["funding_id"] = _funding_id(pattern, rnd)
    out["country"] = country
    return out


def _retraction(rnd: text.Rand, created: int) -> dict[str, object]:
    nature = "Retraction" if rnd() < 0.7 else "Expression of concern" if rnd() < 0.5 else "Correction"
    reasons = sorted({pick(_RETRACTION, rnd) for _ in range(1 + int(rnd() * 3))})
    return {
        "updated": iso_timestamp(min(created + int(rnd() * 1500), REFERENCE_DATE - 1)),
        "update_nature": nature,
        "reasons": reasons,
        "notes": f"{nature} notice published by the journal following an investigation.",
        "urls": [f"https://retractionwatch.com/?p={100000 + int(rnd() * 200000)}"],
    }


def _reference(u: Universe, i: int, target: int) -> dict[str, str]:
    """A reference entry; its citation text is written from the cited work's own stub, and
    the style is chosen by a hash of the pair (not the record's random stream, whose draws
    must not depend on how many references survive the sample size)."""
    style = pair_hash(0x5EED, i, target) % 100
    if style >= 85:
        return {"lens_id": u.sid(target)}
    full, short = u.memo(("reference-text", target), lambda: _reference_texts(u, target))
    return {"lens_id": u.sid(target), "text": short if style >= 70 else full}


def _reference_texts(u: Universe, target: int) -> tuple[str, str]:
    """The two citation styles seen in Lens reference lists, for one cited work."""
    ts, tk = u.stub(target), u.skel(target)
    d = date.fromordinal(tk.published)
    short = (
        f"{ts.journal.abbrev}. {d.year} {_MONTHS[d.month - 1]};{ts.volume}({ts.issue}):{ts.start_page}-{ts.end_page}"
    )
    full = f"{ts.last_name} . {ts.title}, {ts.journal.abbrev}. {d.year}; {ts.volume} {ts.start_page}."
    return full, short
