"""Patent records, in exactly the shape (key order included) of a Lens response.

Where things come from: the chunk plan (``patent_plan``) fixes numbers, dates, kinds and
families; one stream per simple family (``patent_family``) fixes what members share:
titles, abstracts, description, parties, classes, sequence listing and legal status; claims
and a few per-document details come from the record's own stream. Links (citations both ways, cited scholarly
works) come from the ``Universe`` and per-pair hashes only, so nothing drawn from a stream
depends on the sample size.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from mirror.sample import text, text_pool
from mirror.sample.graph import pair_hash
from mirror.sample.ids import iso_date, offset, rng_at, stream_key
from mirror.sample.patent_family import PERIOD, FamilyData, abstract_langs, family_data, title_langs
from mirror.sample.patent_parts import classifications, legal_status, parties, sequence_listing
from mirror.sample.patent_plan import CHUNK, Doc
from mirror.sample.topics import all_topics
from mirror.sample.universe import Universe

_PHASES = {"EP": "SEA", "WO": "ISR", "US": "APP", "CN": "SEA", "JP": "EXA", "KR": "EXA"}
_CATEGORIES = ("X", "Y", "A", "A", "A", "D", "E", "I", "P", "L", "O", "T")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_BOOKS = ("The Blood Group Antigen FactsBook", "Handbook of Batteries", "Deep Learning",
          "Molecular Cloning: A Laboratory Manual", "Principles of Plant Breeding", "Semiconductor Device Physics")


def _document_id(doc: Doc, with_date: bool = True) -> dict[str, str]:
    d = {"jurisdiction": doc.jurisdiction, "doc_number": doc.doc_number, "kind": doc.kind}
    if with_date:
        d["date"] = doc.date_iso
    return d


def _family(u: Universe, family_id: int, members: list[int]) -> dict[str, object]:
    """A family object; members past the end of the sample are left out (and not counted)."""
    plan = u.chunk(members[0] // CHUNK)  # a family never leaves its chunk
    base = members[0] // CHUNK * CHUNK
    kept = [plan[m - base] for m in members if m < u.count]
    return {"family_id": family_id,
            "members": [{"document_id": {"jurisdiction": d.jurisdiction, "doc_number": d.doc_number,
                                         "kind": d.kind, "date": d.date_iso}, "lens_id": u.pid(d.index)}
                        for d in kept],
            "size": len(kept)}


def _npl_parts(u: Universe, s: int) -> tuple[str, str, str, list[str]]:
    """Search-report and applicant style citation texts of scholarly work ``s`` and its
    identifiers; memoised, as a popular work is cited by many patents. The search-report
    style comes in two parts, around the XP number that differs per citing patent."""
    st, sk = u.stub(s), u.skel(s)
    d = date.fromordinal(sk.published)
    journal = st.journal.title.upper()
    app = (f"{st.first_name[0]}. {st.last_name.upper()}: \"{st.title}\", {journal}, vol. {st.volume}, "
           f"{d.year}, pages {st.start_page} - {st.end_page}")
    sea = (f"{st.last_name.upper()} {st.first_name[0]} ET AL: \"{st.title}\", {journal}, vol. {st.volume}, "
           f"no. {st.issue}, {_MONTHS[d.month - 1]} {d.year} ({d.isoformat()}), pages {st.start_page} - "
           f"{st.end_page}, XP")
    issn = st.journal.issn_print or st.journal.issn_electronic
    ids = [v for v in (st.pmcid, st.pmid, st.doi.lower() if st.doi else None) if v]
    return app, sea, f", ISSN: {issn[:4]}-{issn[4:]}" if issn else "", ids


def _citations(u: Universe, doc: Doc, cited: list[int], npl: list[int], unresolved: list[str]) -> dict[str, object]:
    """references_cited: the office's own search-phase citations first, then the applicant's,
    each phase numbered from 1 as Lens does. Phase and category of a link come from a hash
    of the pair so that they do not depend on which other links survive the sample size."""
    own = _PHASES.get(doc.jurisdiction, "SEA")
    first: list[dict[str, object]] = []
    later: list[dict[str, object]] = []
    index = doc.index
    for p in cited:
        h = pair_hash(0xC17E, index, p)
        other = u.doc(p)
        entry: dict[str, object] = {
            "patcit": {"document_id": {"jurisdiction": other.jurisdiction, "doc_number": other.doc_number,
                                       "kind": other.kind, "date": other.date_iso},
                       "lens_id": u.pid(p)}}
        (first if h % 3 else later).append(entry)
    for s in npl:
        h = pair_hash(0x9A11, index, s)
        app, sea, issn, ids = u.memo(("npl", s), partial(_npl_parts, u, s))
        own_phase = h % 4 != 0
        body = f"{sea}{(h >> 8) % 10**9:09d}{issn}" if own_phase and own != "APP" else app
        npl_entry: dict[str, object] = {"text": body, "lens_id": u.sid(s)}
        if ids:
            k = h % len(ids)
            npl_entry["external_ids"] = ids[k:] + ids[:k]
        (first if own_phase else later).append({"nplcit": npl_entry})
    for t in unresolved:
        later.append({"nplcit": {"text": t}})
    citations = []
    categorised = own in ("SEA", "ISR")
    for phase, entries in ((own, first), ("APP", later)):
        for n, entry in enumerate(entries, 1):
            row: dict[str, object] = {"sequence": n, **entry}
            if categorised and phase == own:
                h = pair_hash(0xCA7, index, n)
                a, b = _CATEGORIES[h % 12], _CATEGORIES[(h >> 8) % 12]
                row["category"] = [a] if a == b or h & 16 else sorted((a, b))
            row["cited_phase"] = phase
            citations.append(row)
    return {"citations": citations, "patent_count": len(cited), "npl_count": len(npl) + len(unresolved),
            "npl_resolved_count": len(npl)}


def patent_record(u: Universe, i: int) -> dict[str, object]:
    """Record ``i`` of the patent sample of ``u``."""
    doc = u.doc(i)
    sf, ext, app = doc.simple, doc.simple.extended, doc.app
    topic_no = ext.topic
    topic = all_topics()[topic_no]
    fd = u.memo(("family", sf.family_id), lambda: _family_data(u, doc))
    rnd = rng_at(stream_key(u.seed, "patent-record"), i).random
    lens_id = u.pid(i)
    published = doc.date_iso
    rec: dict[str, object] = {
        "lens_id": lens_id, "jurisdiction": doc.jurisdiction, "doc_number": doc.doc_number, "kind": doc.kind,
        "date_published": published,
        "doc_key": f"{doc.jurisdiction}_{doc.doc_number}_{doc.kind}_{published.replace('-', '')}",
    }
    if rnd() < 0.97:
        rec["docdb_id"] = 300_000_000 + (i * 2_654_435_761 + offset(u.seed, "docdb")) % 600_000_000
    rec["lang"] = doc.lang
    biblio: dict[str, object] = {
        "publication_reference": _document_id(doc),
        "application_reference": {"jurisdiction": app.jurisdiction, "doc_number": app.doc_number,
                                  "kind": app.kind, "date": iso_date(app.filing)},
        "application_number": app.number,
    }
    claims_ = []
    for n, (juris, number, kind, day, linkage) in enumerate(sf.priorities):
        claim: dict[str, object] = {"jurisdiction": juris, "doc_number": number, "kind": kind, "date": iso_date(day)}
        if linkage:
            claim["linkage_type"] = linkage
        claim["sequence"] = n + 1
        claims_.append(claim)
    biblio["priority_claims"] = {"claims": claims_,
                                 "earliest_claim": {"date": iso_date(min(c[3] for c in sf.priorities))}}
    biblio["invention_title"] = [{"text": fd.titles[lang], "lang": lang} for lang in title_langs(doc)]
    biblio["parties"] = parties(fd, doc, rnd)
    biblio.update(classifications(fd, topic, doc.jurisdiction))
    # Per-document draws that must happen whatever the links turn out to be.
    unresolved = [f"{text.pick(('M. E. REID', 'J. SAMBROOK', 'I. GOODFELLOW', 'D. LINDEN'), rnd)}: "
                  f"\"{text.pick(_BOOKS, rnd)}\", {1980 + int(rnd() * 40)}" for _ in range(int(rnd() * rnd() * 3))]
    cited_by_dates = rnd() < 0.3 or i % PERIOD == 13
    cited, citing, npl = u.patent_links(i)
    if cited or npl or unresolved:
        biblio["references_cited"] = _citations(u, doc, cited, npl, unresolved)
    if citing:
        biblio["cited_by"] = {"patents": [{"document_id": _document_id(u.doc(c), cited_by_dates),
                                           "lens_id": u.pid(c)} for c in citing],
                              "patent_count": len(citing)}
    rec["biblio"] = biblio
    rec["families"] = {"simple_family": _family(u, sf.family_id, sf.members),
                       "extended_family": _family(u, ext.family_id, ext.members)}
    seq = sequence_listing(fd)
    if seq:
        rec["sequence_listing"] = seq
    rec["legal_status"] = legal_status(fd, app)
    if doc.kind != "B1" or doc.jurisdiction != "EP":  # EP B1 publications carry no abstract
        if rnd() < 0.95:
            rec["abstract"] = [{"text": fd.abstracts[lang], "lang": lang} for lang in abstract_langs(doc)]
    if rnd() < 0.9:
        n = 2 + int(rnd() * rnd() * 16)
        langs = ("en", "de", "fr") if doc.kind[0] == "B" and doc.jurisdiction == "EP" else (doc.lang,)
        rec["claims"] = [
            {"claims": [{"claim_text": [c]} for c in (text.claims(topic_no, rnd, n) if lang == "en"
                                                      else text_pool.foreign_claims(topic_no, lang, rnd, n))],
             "lang": lang}
            for lang in langs
        ]
    if rnd() < 0.8:
        rec["description"] = {"text": fd.descriptions[doc.lang], "lang": doc.lang}
    rec["publication_type"] = doc.publication_type
    return rec


def _family_data(u: Universe, doc: Doc) -> FamilyData:
    """The shared data of ``doc``'s simple family, drawn over all its members in the plan."""
    sf = doc.simple
    members = [d for d in u.chunk(doc.index // CHUNK) if d.simple is sf]
    return family_data(u.seed, sf, sf.extended.topic, all_topics()[sf.extended.topic], members)
