"""The patent catalogue: every Lens patent search field, where its values come from.

Left column: the Lens search name (search-fields.tsv, filter-fields.tsv and the
aggregation lists). Right: record paths in the response shape (paths.py syntax).
"""

from __future__ import annotations

from . import derive as d
from .columns import boolean, date, derived, flag, integer, keyword, text
from .model import Kind, SearchField

B = "biblio"
P = "biblio.parties"
CIT = "biblio.references_cited.citations"
SF = "families.simple_family"
EF = "families.extended_family"
TEXT_SOURCES = ("biblio.invention_title.text", "abstract.text", "claims.claims.claim_text", "description.text")


def _classes(scheme: str, path: str) -> tuple[SearchField, ...]:
    c = f"{B}.{path}.classifications"
    return (
        keyword(f"{scheme}.symbol", f"{c}.symbol", aggregatable=True),
        keyword(f"{scheme}.first_symbol", f"{c}[classification_symbol_position=F].symbol"),
        keyword(f"{scheme}.later_symbol", f"{c}[classification_symbol_position=L].symbol"),
        keyword(f"{scheme}.inv_symbol", f"{c}[classification_value=I].symbol"),
        keyword(f"{scheme}.add_symbol", f"{c}[classification_value=A].symbol"),
    )


def _family(kind: str, path: str) -> tuple[SearchField, ...]:
    m = f"{path}.members"
    f = f"family.{kind}"
    return (
        keyword(f"{f}.member.document_id.jurisdiction", f"{m}.document_id.jurisdiction"),
        date(f"{f}.member.document_id.date", f"{m}.document_id.date"),
        keyword(f"{f}.member.document_id.doc_number", f"{m}.document_id.doc_number"),
        keyword(f"{f}.member.document_id.kind", f"{m}.document_id.kind"),
        keyword(f"{f}.member.lens_id", f"{m}.lens_id", aggregatable=True),
        integer(f"{f}.size", f"{path}.size", aggregatable=True),
        keyword(f"{f}.id", f"{path}.family_id", aggregatable=True),
        # Not a Lens field: the key group_by/expand_by collapse on (see derive.family_key).
        derived(f"{f}.key", Kind.INTEGER, d.family_key(path), multi_valued=False,
                doc=f"lens-mirror's {kind} family key: the number of the smallest Lens ID among the members."),
    )


FIELDS: tuple[SearchField, ...] = (
    # General
    keyword("lens_id", "lens_id", aggregatable=True),
    date("created", "created"),
    derived("ids", Kind.IDENTIFIER, d.patent_identifiers),
    keyword("doc_number", "doc_number"),
    integer("docdb_id", "docdb_id"),
    keyword("jurisdiction", "jurisdiction", aggregatable=True),
    keyword("kind", "kind", aggregatable=True),
    keyword("lang", "lang"),
    date("date_published", "date_published", aggregatable=True),
    date("date_published_sort", "date_published"),
    derived("year_published", Kind.INTEGER, d.year_of("date_published"), multi_valued=False, aggregatable=True),
    keyword("publication_type", "publication_type", aggregatable=True),
    # Application
    keyword("application_number", f"{B}.application_number"),
    keyword("application_reference.jurisdiction", f"{B}.application_reference.jurisdiction"),
    date("application_reference.date", f"{B}.application_reference.date", aggregatable=True),
    keyword("application_reference.doc_number", f"{B}.application_reference.doc_number"),
    keyword("application_reference.kind", f"{B}.application_reference.kind"),
    # Priority
    keyword("priority_claim.jurisdiction", f"{B}.priority_claims.claims.jurisdiction"),
    date("priority_claim.date", f"{B}.priority_claims.claims.date"),
    keyword("priority_claim.doc_number", f"{B}.priority_claims.claims.doc_number"),
    keyword("priority_claim.kind", f"{B}.priority_claims.claims.kind"),
    keyword("priority_claim.linkage_type", f"{B}.priority_claims.claims.linkage_type"),
    date("earliest_priority_claim_date", f"{B}.priority_claims.earliest_claim.date", aggregatable=True),
    # Text fields
    text("title", "biblio.invention_title.text"),
    text("abstract", "abstract.text"),
    text("claim", "claims.claims.claim_text", aliases=("claims",)),
    text("description", "description.text"),
    text("full_text", *TEXT_SOURCES),
    # Families
    *_family("extended", EF),
    *_family("simple", SF),
    # Parties
    text("applicant.address", f"{P}.applicants.extracted_address"),
    text("applicant.name", f"{P}.applicants.extracted_name.value", exact=True, aggregatable=True),
    keyword("applicant.residence", f"{P}.applicants.residence", aggregatable=True),
    derived("applicant_count", Kind.INTEGER, d.count(f"{P}.applicants"), multi_valued=False, aggregatable=True),
    text("inventor.address", f"{P}.inventors.extracted_address"),
    text("inventor.name", f"{P}.inventors.extracted_name.value", exact=True, aggregatable=True),
    keyword("inventor.residence", f"{P}.inventors.residence", aggregatable=True),
    keyword("inventor.orcid", f"{P}.inventors.orcid"),
    derived("inventor_count", Kind.INTEGER, d.count(f"{P}.inventors"), multi_valued=False, aggregatable=True),
    text("owner_all.address", f"{P}.owners_all.extracted_address"),
    keyword("owner_all.country", f"{P}.owners_all.extracted_country", aggregatable=True),
    date("owner_all.execution_date", f"{P}.owners_all.execution_date"),
    text("owner_all.name", f"{P}.owners_all.extracted_name.value", exact=True, aggregatable=True,
         aliases=("owner.name",)),
    date("owner_all.recorded_date", f"{P}.owners_all.recorded_date"),
    derived("owner_all_count", Kind.INTEGER, d.count(f"{P}.owners_all"), multi_valued=False, aggregatable=True),
    # Examiners
    text("examiner.name", f"{P}.examiners.primary_examiner.extracted_name.value",
         f"{P}.examiners.assistant_examiner.extracted_name.value", exact=True, aggregatable=True),
    text("examiner.department", f"{P}.examiners.primary_examiner.department"),
    text("primary_examiner.name", f"{P}.examiners.primary_examiner.extracted_name.value", exact=True,
         aggregatable=True),
    text("primary_examiner.department", f"{P}.examiners.primary_examiner.department"),
    text("assistant_examiner.name", f"{P}.examiners.assistant_examiner.extracted_name.value", exact=True,
         aggregatable=True),
    # Citations
    keyword("cited_by.patent.document_id.jurisdiction", f"{B}.cited_by.patents.document_id.jurisdiction"),
    keyword("cited_by.patent.document_id.doc_number", f"{B}.cited_by.patents.document_id.doc_number"),
    keyword("cited_by.patent.document_id.kind", f"{B}.cited_by.patents.document_id.kind"),
    keyword("cited_by.patent.lens_id", f"{B}.cited_by.patents.lens_id", aggregatable=True),
    integer("cited_by.patent_count", f"{B}.cited_by.patent_count", aggregatable=True),
    keyword("reference_cited.npl.external_id", f"{CIT}.nplcit.external_ids"),
    keyword("reference_cited.npl.lens_id", f"{CIT}.nplcit.lens_id", aggregatable=True,
            aliases=("reference_cited.npl.record_lens_id",)),
    text("reference_cited.npl.text", f"{CIT}.nplcit.text"),
    keyword("reference_cited.npl.cited_phase", f"{CIT}[nplcit].cited_phase"),
    keyword("reference_cited.npl.category", f"{CIT}[nplcit].category"),
    integer("reference_cited.npl_count", "biblio.references_cited.npl_count", aggregatable=True),
    integer("reference_cited.npl_resolved_count", "biblio.references_cited.npl_resolved_count", aggregatable=True),
    keyword("reference_cited.patent.lens_id", f"{CIT}.patcit.lens_id", aggregatable=True),
    keyword("reference_cited.patent.category", f"{CIT}[patcit].category"),
    keyword("reference_cited.patent.cited_phase", f"{CIT}[patcit].cited_phase"),
    keyword("reference_cited.patent.document_id.jurisdiction", f"{CIT}.patcit.document_id.jurisdiction"),
    date("reference_cited.patent.document_id.date", f"{CIT}.patcit.document_id.date"),
    keyword("reference_cited.patent.document_id.doc_number", f"{CIT}.patcit.document_id.doc_number"),
    keyword("reference_cited.patent.document_id.kind", f"{CIT}.patcit.document_id.kind"),
    integer("reference_cited.patent_count", "biblio.references_cited.patent_count", aggregatable=True),
    # Legal status
    date("legal_status.application_expiry_date", "legal_status.application_expiry_date"),
    date("legal_status.anticipated_term_date", "legal_status.anticipated_term_date", aggregatable=True),
    date("legal_status.discontinuation_date", "legal_status.discontinuation_date"),
    date("legal_status.grant_date", "legal_status.grant_date", aggregatable=True),
    boolean("legal_status.granted", "legal_status.granted"),
    boolean("legal_status.has_disclaimer", "legal_status.has_disclaimer"),
    derived("legal_status.has_grant_event", Kind.BOOLEAN, d.exists("legal_status.grant_date"), multi_valued=False),
    boolean("legal_status.has_entry_into_national_phase", "legal_status.has_entry_into_national_phase"),
    keyword("legal_status.patent_status", "legal_status.patent_status", aggregatable=True),
    boolean("legal_status.has_spc", "legal_status.has_spc"),
    integer("legal_status.term_extension_days", "legal_status.term_extension_days"),
    # Agents
    text("agent.address", f"{P}.agents.extracted_address"),
    keyword("agent.country", f"{P}.agents.extracted_country", aggregatable=True),
    text("agent.name", f"{P}.agents.extracted_name.value", exact=True, aggregatable=True),
    derived("agent_count", Kind.INTEGER, d.count(f"{P}.agents"), multi_valued=False, aggregatable=True),
    # Classifications
    *_classes("class_cpc", "classifications_cpc"),
    *_classes("class_ipcr", "classifications_ipcr"),
    keyword("class_national.symbol", f"{B}.classifications_national.classifications.symbol", aggregatable=True),
    # Sequences
    integer("sequence.count", "sequence_listing.count", aggregatable=True),
    keyword("sequence.data_source", "sequence_listing.data_source"),
    keyword("sequence.document_location", "sequence_listing.document_location"),
    keyword("sequence.length_bucket", "sequence_listing.length_buckets"),
    keyword("sequence.organism.tax_id", "sequence_listing.organisms.tax_id"),
    keyword("sequence.type", "sequence_listing.sequence_types"),
    text("sequence.organism.name", "sequence_listing.organisms.name", exact=True, aggregatable=True),
    # Filters (filter-fields.tsv)
    flag("cited_by_patent", d.positive(f"{B}.cited_by.patent_count")),
    flag("cites_npl", d.positive("biblio.references_cited.npl_count")),
    flag("cites_patent", d.positive("biblio.references_cited.patent_count")),
    flag("cites_resolved_npl", d.positive("biblio.references_cited.npl_resolved_count")),
    flag("has_abstract", d.exists("abstract.text")),
    flag("has_agent", d.exists(f"{P}.agents")),
    flag("has_applicant", d.exists(f"{P}.applicants")),
    flag("has_claim", d.exists("claims.claims.claim_text")),
    flag("has_description", d.exists("description.text")),
    flag("has_full_text", d.exists("claims.claims.claim_text", "description.text")),
    flag("has_owner", d.exists(f"{P}.owners_all")),
    flag("has_examiner", d.exists(f"{P}.examiners")),
    flag("has_inventor", d.exists(f"{P}.inventors")),
    flag("has_sequence", d.exists("sequence_listing")),
    flag("has_title", d.exists("biblio.invention_title.text")),
    flag("has_docdb", d.exists("docdb_id")),
    flag("has_inpadoc", d.exists(f"{EF}.members"),
         doc="Approximation: records that belong to an extended (INPADOC) family."),
)

DEFAULT_FIELDS = ("title", "abstract", "claim", "description")
MAX_SIZE = 500
