"""Parts of a patent record built from the family's shared data (``patent_family``) and
the document's own stream: parties, classifications, sequence listing, legal status.
Each call returns fresh objects, so records never share mutable parts."""

from __future__ import annotations

from mirror.sample.ids import REFERENCE_DATE, iso_date
from mirror.sample.patent_family import PERIOD, FamilyData
from mirror.sample.patent_plan import Application, Doc
from mirror.sample.people import orcid
from mirror.sample.text import Rand, pick
from mirror.sample.topics import Topic
from mirror.sample.vocab_people import AGENTS, ART_UNITS, EXAMINERS, companies

_AGENT_BY_OFFICE = {"EP": (0, 3, 4, 5, 11), "US": (1, 2, 10), "WO": (1, 2, 0), "DE": (3, 4), "GB": (0, 11),
                    "FR": (5,), "ES": (6,), "CN": (7,), "JP": (8,), "KR": (9,), "AU": (11,), "CA": (2,)}


def parties(fd: FamilyData, doc: Doc, rnd: Rand) -> dict[str, object]:
    """Applicants and inventors of the family, printed the way the document's office prints
    them; agents, owners and examiners drawn from the document's own ``rnd``."""
    comp = companies()
    us_style = doc.jurisdiction == "US"
    out: dict[str, object] = {}
    apps = []
    for n, key in enumerate(fd.applicants):
        names, _, country, address = comp[key]
        name = names[0] if len(names) == 1 or rnd() < 0.75 else names[1]
        entry: dict[str, object] = {"residence": country}
        if us_style:
            entry["sequence"] = n + 1
        entry["extracted_name"] = {"value": name}
        if us_style:
            entry["extracted_address"] = address
        apps.append(entry)
    out["applicants"] = apps
    invs = []
    forced_orcid = doc.index % PERIOD == 5
    plain = fd.western_names and doc.jurisdiction in ("US", "GB", "AU", "CA")
    for n, (first, last, country, city, oid) in enumerate(fd.inventors):
        entry = {"residence": country, "sequence": n + 1}
        if oid or (forced_orcid and n == 0):
            entry["orcid"] = oid or orcid(rnd)
        entry["extracted_name"] = {"value": f"{first} {last}" if plain else f"{last} {first}".upper()}
        if us_style:
            entry["extracted_address"] = f"{city}, {country}"
        invs.append(entry)
    out["inventors"] = invs
    if rnd() < 0.7:
        name, address, country = AGENTS[pick(_AGENT_BY_OFFICE[doc.jurisdiction], rnd)]
        agent: dict[str, object] = {}
        if us_style:
            agent["sequence"] = 1
        agent.update(extracted_name={"value": name}, extracted_address=address, extracted_country=country)
        out["agents"] = [agent]
    if (doc.publication_type == "GRANTED_PATENT" and rnd() < 0.6) or rnd() < 0.1:
        _, owner, country, address = comp[fd.applicants[0]]
        day = min((doc.app.grant_date or doc.published) + int(rnd() * 400), REFERENCE_DATE - 1)
        out["owners_all"] = [{"recorded_date": iso_date(day), "execution_date": iso_date(day - int(rnd() * 30)),
                              "extracted_name": {"value": owner}, "extracted_address": address,
                              "extracted_country": country}]
    if us_style and doc.publication_type == "GRANTED_PATENT" or doc.index % PERIOD == 7:
        examiners: dict[str, object] = {
            "primary_examiner": {"extracted_name": {"value": pick(EXAMINERS, rnd)},
                                 "department": pick(ART_UNITS, rnd)}}
        if rnd() < 0.4 or doc.index % PERIOD == 7:
            examiners["assistant_examiner"] = {"extracted_name": {"value": pick(EXAMINERS, rnd)}}
        out["examiners"] = examiners
    return out


def classifications(fd: FamilyData, topic: Topic, jurisdiction: str) -> dict[str, object]:
    """CPC, IPCR and (for US documents) national classes, identical across a simple family."""
    cpc = [{"symbol": s, "classification_value": v, "classification_symbol_position": p} for s, v, p in fd.classes]
    # IPC has neither the Y section nor the 2000-series indexing codes of CPC.
    ipc = [{"symbol": s, "classification_value": v, "classification_symbol_position": p}
           for s, v, p in fd.classes if s[0] != "Y" and "/2" not in s[4:]]
    out: dict[str, object] = {
        "classifications_ipcr": {"classifications": ipc or [dict(cpc[0])]},
        "classifications_cpc": {"classifications": cpc},
    }
    if jurisdiction == "US" and fd.n_national:
        out["classifications_national"] = {"classifications": [
            {"symbol": s, "classification_value": "I", "classification_symbol_position": "F" if n == 0 else "L"}
            for n, s in enumerate(topic.national[: fd.n_national])]}
    return out


def sequence_listing(fd: FamilyData) -> dict[str, object] | None:
    """A fresh copy of the family's sequence listing (records never share mutable parts)."""
    seq = fd.sequences
    if seq is None:
        return None
    return {"sequence_types": list(seq["sequence_types"]), "length_buckets": list(seq["length_buckets"]),  # type: ignore[call-overload]
            "organisms": [dict(o) for o in seq["organisms"]], "count": seq["count"]}  # type: ignore[attr-defined]


def legal_status(fd: FamilyData, app: Application) -> dict[str, object]:
    """A fresh copy of the legal status of the document's application."""
    status = fd.legal[app.serial]
    return {**status, "calculation_log": list(status["calculation_log"])}  # type: ignore[call-overload]
