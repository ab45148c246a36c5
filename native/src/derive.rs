//! Derived fields: what each derivation of `mirror/catalogue/derive.py` computes.

use std::collections::BTreeSet;

use sonic_rs::{JsonContainerTrait, JsonType, JsonValueTrait, Value};

use crate::spec::{DeriveSpec, Op, Position};
use crate::values::{py_str, Out};
use crate::walk::{flatten, get, str_equals};
use crate::{Decline, Outcome};

/// A standard Lens ID as the integer `derive._standard_key` makes; other IDs are hashed
/// there (declined here).
pub(crate) fn standard_key(lens_id: &str) -> Outcome<i64> {
    if !lens_id.is_ascii() {
        return Err(Decline); // Python's isdigit() is Unicode's
    }
    let digits: Vec<u8> = lens_id.bytes().filter(|b| *b != b'-').collect();
    if digits.len() == 15 && digits[..14].iter().all(u8::is_ascii_digit) {
        let check = match digits[14] {
            b'X' | b'x' => 10,
            d if d.is_ascii_digit() => (d - b'0') as i64,
            _ => return Err(Decline),
        };
        let body: i64 = std::str::from_utf8(&digits[..14])
            .expect("ascii")
            .parse()
            .expect("digits");
        return Ok(body * 11 + check);
    }
    Err(Decline)
}

pub(crate) fn chosen<'a>(authors: &[&'a Value], position: Position) -> Vec<&'a Value> {
    let objects = authors.iter().copied().filter(|a| a.is_object());
    match position {
        Position::All => objects.collect(),
        Position::First => objects.take(1).collect(),
        Position::Last => authors
            .iter()
            .copied()
            .rev()
            .find(|a| a.is_object())
            .into_iter()
            .collect(),
    }
}

pub(crate) fn non_empty_str(value: Option<&Value>) -> Option<&str> {
    value.and_then(|v| v.as_str()).filter(|s| !s.is_empty())
}

/// The values of a derived field: what the catalogue's derivation computes.
pub(crate) fn derive<'a>(
    spec: &DeriveSpec,
    found: &[Vec<&'a Value>],
    record: &'a Value,
    lens_id: &str,
) -> Outcome<Vec<Out<'a>>> {
    // the one path of the operations that read one (checked when the spec is read)
    let values: &[&'a Value] = spec.paths.first().map_or(&[], |p| &found[*p]);
    Ok(match &spec.op {
        Op::Exists => {
            let any = spec
                .paths
                .iter()
                .flat_map(|p| found[*p].iter())
                .any(|v| match v.get_type() {
                    JsonType::String => v.as_str() != Some(""),
                    JsonType::Object => v.as_object().is_some_and(|o| !o.is_empty()),
                    _ => true,
                });
            vec![Out::Bool(any)]
        }
        Op::Positive => {
            let any = values.iter().any(|v| match v.get_type() {
                JsonType::Boolean => v.is_true(),
                JsonType::Number if v.is_f64() => v.as_f64().is_some_and(|f| f > 0.0),
                JsonType::Number => v.as_i64().is_none_or(|i| i > 0), // past i64: a large u64
                _ => false,
            });
            vec![Out::Bool(any)]
        }
        Op::Equals { value } => vec![Out::Bool(values.iter().any(|v| v.as_str() == Some(value)))],
        Op::Count => vec![Out::Int(values.len() as i64)],
        Op::YearOf => {
            let mut year = None;
            for v in values {
                let Some(text) = v.as_str() else { continue };
                let head: Vec<char> = text.chars().take(4).collect();
                if head.iter().any(|c| !c.is_ascii()) {
                    return Err(Decline); // isdigit() and int() of Unicode digits
                }
                if !head.is_empty() && head.iter().all(char::is_ascii_digit) && year.is_none() {
                    year = Some(head.iter().collect::<String>().parse::<i64>().expect("digits"));
                }
            }
            year.into_iter().map(Out::Int).collect()
        }
        Op::AuthorNames { position } => {
            let mut names = Vec::new();
            for a in chosen(values, *position) {
                let (first, last) = (non_empty_str(get(a, "first_name")), non_empty_str(get(a, "last_name")));
                match (first, last) {
                    (Some(f), Some(l)) => names.push(Out::Str(format!("{f} {l}"))),
                    (Some(_), None) => names.push(Out::Val(get(a, "first_name").expect("found"))),
                    (None, Some(_)) => names.push(Out::Val(get(a, "last_name").expect("found"))),
                    (None, None) => {
                        if let Some(name) =
                            get(a, "collective_name").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
                        {
                            names.push(Out::Val(name));
                        }
                    }
                }
            }
            names
        }
        Op::AuthorIds { position } => {
            let mut out = Vec::new();
            for a in chosen(values, *position) {
                let mut ids = Vec::new();
                if let Some(value) = get(a, "ids") {
                    flatten(value, &mut ids);
                }
                for i in ids {
                    if !i.is_object() {
                        continue;
                    }
                    if let Some(t) = get(i, "type") {
                        if str_equals(t, "magid")? {
                            if let Some(value) = get(i, "value") {
                                flatten(value, &mut out);
                            }
                        }
                    }
                }
            }
            out.into_iter().map(Out::Val).collect()
        }
        Op::FamilyKey => {
            let smallest = values
                .iter()
                .filter_map(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .fold(lens_id, |a, b| a.min(b));
            vec![Out::Int(standard_key(smallest)?)]
        }
        Op::PatentIdentifiers => {
            let part = |key: &str| get(record, key).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let (jur, num, kind) = (part("jurisdiction"), part("doc_number"), part("kind"));
            let date = part("date_published").replace('-', "");
            let mut spellings = vec![
                num.clone(),
                format!("{jur}{num}"),
                format!("{jur}{num}{kind}"),
                format!("{jur}{num}{kind}{date}"),
            ];
            for key in ["lens_id", "doc_key", "docdb_id"] {
                if let Some(v) = get(record, key).filter(|v| !v.is_null()) {
                    spellings.push(py_str(v)?); // str(v)
                }
            }
            let normalised: BTreeSet<String> = spellings
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_uppercase())
                        .collect()
                })
                .collect();
            normalised.into_iter().map(Out::Str).collect()
        }
    })
}
