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

/// A derivation: the record paths it reads (those its Python counterpart declares) and what
/// it computes from them.
#[derive(Deserialize)]
pub(crate) struct DeriveSpec {
    pub(crate) paths: Vec<usize>,
    #[serde(flatten)]
    pub(crate) op: Op,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Op {
    Exists,
    Positive,
    Equals { value: String },
    Count,
    YearOf,
    AuthorNames { position: Position },
    AuthorIds { position: Position },
    FamilyKey,
    PatentIdentifiers,
}

impl Op {
    /// How many paths the operation reads: None for any number.
    pub(crate) fn arity(&self) -> Option<usize> {
        match self {
            Op::Exists => None,
            Op::PatentIdentifiers => Some(0), // it reads the record's own top-level keys
            _ => Some(1),
        }
    }
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Position {
    All,
    First,
    Last,
}
