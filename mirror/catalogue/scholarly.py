"""The scholarly works catalogue: every Lens search field, where its values come from.

Left column: the Lens search name (search-fields.tsv, filter-fields.tsv and the
aggregation lists). Right: record paths in the response shape (paths.py syntax).
Fields with no source have no counterpart in bulk records (documented in README).
"""

from __future__ import annotations

from . import derive as d
from .columns import boolean, date, derived, flag, integer, keyword, text
from .model import Kind, SearchField

A = "authors"
AFF = "authors.affiliations"

FIELDS: tuple[SearchField, ...] = (
    # General
    keyword("lens_id", "lens_id", aggregatable=True, count_only=True),
    text("title", "title"),
    text("abstract", "abstract"),
    text("full_text", doc="Full text is not part of bulk records; this field finds nothing locally."),
    date("date_published", "date_published", aggregatable=True),
    integer("year_published", "year_published", aggregatable=True),
    date("created", "created"),
    keyword("publication_type", "publication_type", case_sensitive=True, aggregatable=True),
    keyword("publication_supplementary_type", "publication_supplementary_type", case_sensitive=True),
    keyword("external_id_type", "external_ids.type", aggregatable=True, aliases=("citation_id_type",)),
    date("retraction_update.date", "retraction_updates.updated"),
    keyword("retraction_update.nature", "retraction_updates.update_nature"),
    text("retraction_update.reason", "retraction_updates.reasons"),
    # Authors
    derived("author.display_name", Kind.TEXT, d.author_names(), exact=True, aggregatable=True),
    derived("author_first.display_name", Kind.TEXT, d.author_names("first"), exact=True, aggregatable=True),
    derived("author_last.display_name", Kind.TEXT, d.author_names("last"), exact=True, aggregatable=True),
    keyword("author.orcid", f"{A}.ids[type=orcid].value", aggregatable=True, aliases=("author.display_name_orcid",)),
    keyword("author.magid", f"{A}.ids[type=magid].value", aggregatable=True, aliases=("author.display_name_id",)),
    derived("author_first.display_name_id", Kind.KEYWORD, d.author_ids("first"), aggregatable=True),
    derived("author_last.display_name_id", Kind.KEYWORD, d.author_ids("last"), aggregatable=True),
    text("author.first_name", f"{A}.first_name"),
    text("author.last_name", f"{A}.last_name"),
    integer("author_count", "author_count", aggregatable=True),
    # Citations
    keyword("reference.lens_id", "references.lens_id", aggregatable=True, count_only=True),
    integer("reference_count", "references_count", aggregatable=True),
    keyword("referenced_by", "scholarly_citations", aggregatable=True, count_only=True),
    integer(
        "referenced_by_count", "scholarly_citations_count", aggregatable=True, aliases=("scholarly_citation_count",)
    ),
    keyword(
        "patent_citation.lens_id", "patent_citations.lens_id", deprecated=True, aggregatable=True, count_only=True,
        aliases=("referenced_by_patent.lens_id",),
    ),
    integer(
        "patent_citation_count", "patent_citations_count", deprecated=True, aggregatable=True,
        aliases=("referenced_by_patent_count",),
    ),
    # External identifiers: the short names are what Lens examples use in term queries
    keyword("ids.doi", "external_ids[type=doi].value", aliases=("doi",)),
    keyword("ids.pmid", "external_ids[type=pmid].value", aliases=("pmid",)),
    keyword("ids.pmcid", "external_ids[type=pmcid].value", aliases=("pmcid",)),
    keyword("ids.magid", "external_ids[type=magid].value", aliases=("magid",)),
    keyword("ids.coreid", "external_ids[type=coreid].value", aliases=("coreid",)),
    keyword("ids.openalex", "external_ids[type=openalex].value", aliases=("openalex",)),
    # Source
    text("source.title", "source.title", exact=True, aggregatable=True),
    text("source.publisher", "source.publisher", exact=True, aggregatable=True),
    keyword("source.country", "source.country", case_sensitive=True, aggregatable=True),
    keyword("source.asjc_code", "source.asjc_codes", aggregatable=True),
    keyword("source.issn", "source.issn.value", case_sensitive=True),
    keyword("source.type", "source.type", aggregatable=True),
    # Subject matter
    keyword("field_of_study", "fields_of_study", aggregatable=True),
    text("source.asjc_subject", "source.asjc_subjects", exact=True, aggregatable=True),
    keyword("keyword", "keywords", case_sensitive=True, aggregatable=True, count_only=True),
    keyword("chemical.mesh_ui", "chemicals.mesh_id", case_sensitive=True),
    keyword("chemical.registry_number", "chemicals.registry_number"),
    text("chemical.substance_name", "chemicals.substance_name", exact=True, aggregatable=True, count_only=True),
    keyword("mesh_term.mesh_heading", "mesh_terms.mesh_heading", case_sensitive=True, aggregatable=True),
    keyword("mesh_term.mesh_ui", "mesh_terms.mesh_id", case_sensitive=True),
    # Institutions
    text("author.affiliation.name", f"{AFF}.name", exact=True, aggregatable=True),
    text("author.affiliation.name_original", f"{AFF}.name_original"),
    keyword("author.affiliation.grid_id", f"{AFF}.grid_id", aggregatable=True, count_only=True),
    keyword("author.affiliation.ror_id", f"{AFF}.ids[type=ror].value", case_sensitive=True),
    keyword(
        "author.affiliation.ror_id_lineage", f"{AFF}.ids[type=ror].value", case_sensitive=True,
        doc="Bulk records carry no ROR lineage; an affiliation's own ROR ID stands in for it.",
    ),
    keyword("author.affiliation.address.city", case_sensitive=True, aggregatable=True),
    keyword(
        "author.affiliation.address.state_code", case_sensitive=True, aggregatable=True,
        aliases=("author.affiliation.grid.address.state_code",),
    ),
    keyword("author.affiliation.address.country_code", f"{AFF}.country_code", case_sensitive=True, aggregatable=True),
    keyword("author.affiliation.type", case_sensitive=True, aggregatable=True, aliases=("affiliation.type",)),
    derived("affiliation_count", Kind.INTEGER, d.count(AFF), multi_valued=False, aggregatable=True),
    # Funding
    keyword("funding.country", "funding.country", exact=True, aggregatable=True),
    keyword("funding.funding_id", "funding.funding_id", case_sensitive=True),
    text("funding.organisation", "funding.org", exact=True, aggregatable=True),
    text("funding.funding_name", "funding.funding_name", exact=True, aggregatable=True),
    # Conferences
    text("conference.name", "conference.name", exact=True, aggregatable=True),
    keyword("conference.instance", "conference.instance", case_sensitive=True),
    keyword("conference.location", "conference.location", case_sensitive=True),
    # Clinical trials
    keyword("clinical_trial.registry", "clinical_trials.registry", case_sensitive=True),
    keyword("clinical_trial.trial_id", "clinical_trials.id", case_sensitive=True),
    # Open access
    keyword("open_access.colour", "open_access.colour", case_sensitive=True, aggregatable=True),
    keyword("open_access.license", "open_access.license", case_sensitive=True, aggregatable=True),
    keyword("open_access.source", aggregatable=True),
    # Filters (filter-fields.tsv)
    flag("is_referenced_by_scholarly", d.positive("scholarly_citations_count")),
    flag("has_patent_citations", d.positive("patent_citations_count"), aliases=("is_referenced_by_patent",)),
    flag("has_affiliation", d.exists(f"{AFF}.name")),
    flag("has_affiliation_grid", d.exists(f"{AFF}.grid_id")),
    flag("has_affiliation_ror", d.exists(f"{AFF}.ids[type=ror].value")),
    flag("has_orcid", d.exists(f"{A}.ids[type=orcid].value")),
    flag("has_mesh_term", d.exists("mesh_terms.mesh_heading")),
    flag("has_chemical", d.exists("chemicals.substance_name")),
    flag("has_keyword", d.exists("keywords")),
    flag("has_clinical_trial", d.exists("clinical_trials.id")),
    flag("has_field_of_study", d.exists("fields_of_study")),
    flag("has_abstract", d.exists("abstract")),
    flag("has_full_text", d.exists("open_access.locations.pdf_urls"),
         doc="Bulk records hold no full text; a work counts as having it when it lists a PDF location."),
    flag("has_funding", d.exists("funding")),
    boolean("is_open_access", "is_open_access", filter=True),
    flag("in_analytics_set", d.exists("external_ids[type=doi].value", "external_ids[type=pmid].value"),
         doc="Approximation: works with a DOI or PMID."),
    flag("source.is_diamond", d.equals("open_access.colour", "diamond")),
    flag("is_retracted", d.exists("retraction_updates[update_nature=Retraction].updated")),
)

DEFAULT_FIELDS = ("title", "abstract", "full_text", "author.display_name", "keyword", "field_of_study", "source.title")
MAX_SIZE = 1000
