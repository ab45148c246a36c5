//! The catalogue as the Python side describes it (`mirror.catalogue.native.transform_spec`).

use serde::Deserialize;

/// One step of a record path: its key, and the filter key and value of ``key[fkey=value]``.
pub(crate) type Step = (String, Option<String>, Option<String>);

#[derive(Deserialize)]
pub(crate) struct Spec {
    /// Each record path as its steps.
    pub(crate) paths: Vec<Vec<Step>>,
    pub(crate) fields: Vec<FieldSpec>,
}

#[derive(Deserialize)]
pub(crate) struct FieldSpec {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    #[serde(default)]
    pub(crate) sources: Vec<usize>,
    pub(crate) derive: Option<DeriveSpec>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Text,
    Keyword,
    Identifier,
    Integer,
    Date,
    Boolean,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum DeriveSpec {
    Exists { paths: Vec<usize> },
    Positive { path: usize },
    Equals { path: usize, value: String },
    Count { path: usize },
    YearOf { path: usize },
    AuthorNames { path: usize, position: Position },
    AuthorIds { path: usize, position: Position },
    FamilyKey { path: usize },
    PatentIdentifiers,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Position {
    All,
    First,
    Last,
}
