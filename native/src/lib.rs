//! The engine feeder's record transform in native code: one JSON line in, its search
//! document out as JSON, with no Python objects made on the way.
//!
//! It computes exactly what `mirror.catalogue.transform.search_document` computes, for
//! the catalogue described by the spec that `mirror.catalogue.native` builds from it.
//! Wherever Python's answer would take more than this file knows, it *declines* (`None`)
//! and the caller runs the Python transform, which has the last word: a line this parser
//! refuses or may read otherwise than orjson (not JSON, nested deeper than 128, a zero
//! that orjson may read as an integer), a record that is not one (no lens_id) or holds a
//! `search` field, a string `int()` reads its own way, non-ASCII text where Python's
//! Unicode rules apply (digits, `lower()`, `strip()`), a list's or dict's repr, a Lens ID
//! that is hashed. `tests/test_native.py` holds the two to the same documents over
//! generated, damaged and arbitrary records.

use std::collections::BTreeSet;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use sonic_rs::{JsonContainerTrait, JsonType, JsonValueTrait, Value};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc; // many small vectors a record

/// The transform cannot say what Python would: the caller runs Python's.
struct Decline;
type Outcome<T> = Result<T, Decline>;

#[derive(Deserialize)]
struct Spec {
    /// Each record path as its steps: (key, filter key, filter value).
    paths: Vec<Vec<(String, Option<String>, Option<String>)>>,
    fields: Vec<FieldSpec>,
}

#[derive(Deserialize)]
struct FieldSpec {
    name: String,
    kind: Kind,
    #[serde(default)]
    sources: Vec<usize>,
    derive: Option<DeriveSpec>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Text,
    Keyword,
    Identifier,
    Integer,
    Date,
    Boolean,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum DeriveSpec {
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
enum Position {
    All,
    First,
    Last,
}

/// One level of the path trie: the keys its steps read (each gathered once per object)
/// and the steps.
#[derive(Default)]
struct Level {
    keys: FxHashMap<String, usize>,
    nodes: Vec<Node>,
}

/// One step of the path trie: the values it reads are those of its key in its parent's
/// objects, lists flattened, nulls dropped, then kept only when they pass its filter.
struct Node {
    key: String,
    key_index: usize,
    shared: bool, // another step of the level reads the same key (so its values are copied)
    filter: Option<(String, Option<String>)>,
    path: Option<usize>,
    children: Level,
}

/// One value of a search document: a value of the record, or one made here.
#[derive(Clone)]
enum Out<'a> {
    Val(&'a Value),
    Str(String),
    Int(i64),
    Bool(bool),
}

#[derive(PartialEq, Clone, Copy)]
enum Type {
    Str,
    Int,
    Bool,
    Float,
    Object,
}

impl Out<'_> {
    fn kind(&self) -> Type {
        match self {
            Out::Val(v) => value_type(v),
            Out::Str(_) => Type::Str,
            Out::Int(_) => Type::Int,
            Out::Bool(_) => Type::Bool,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Out::Val(v) => v.as_str(),
            Out::Str(s) => Some(s),
            _ => None,
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Out::Val(v) => sonic_rs::to_writer(&mut *out, v).expect("a parsed value serialises"),
            Out::Str(s) => sonic_rs::to_writer(&mut *out, s).expect("a string serialises"),
            Out::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Out::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        }
    }
}

fn value_type(v: &Value) -> Type {
    match v.get_type() {
        JsonType::String => Type::Str,
        JsonType::Boolean => Type::Bool,
        JsonType::Number if v.is_f64() => Type::Float,
        JsonType::Number => Type::Int,
        _ => Type::Object, // objects (arrays and nulls never reach a document)
    }
}

fn native_type(kind: Kind) -> Option<Type> {
    match kind {
        Kind::Text | Kind::Keyword | Kind::Identifier => Some(Type::Str),
        Kind::Integer => Some(Type::Int),
        Kind::Boolean => Some(Type::Bool),
        Kind::Date => None,
    }
}

/// `obj.get(key)` of the dict orjson makes: the last of duplicate keys wins.
fn get<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    let mut found = None;
    for (k, v) in obj.as_object()?.iter() {
        if k == key {
            found = Some(v);
        }
    }
    found
}

/// `walk.flatten`: lists flattened, nulls dropped.
fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(items) = value.as_array() {
        for item in items.iter() {
            if item.is_array() {
                flatten(item, out);
            } else if !item.is_null() {
                out.push(item);
            }
        }
    } else if !value.is_null() {
        out.push(value);
    }
}

/// Python's `str(value) == text`.
fn str_equals(value: &Value, text: &str) -> Outcome<bool> {
    Ok(match value.get_type() {
        JsonType::String => value.as_str() == Some(text),
        JsonType::Null => text == "None",
        JsonType::Boolean => text == if value.is_true() { "True" } else { "False" },
        JsonType::Number if value.is_f64() => float_repr(float_of(value)?) == text,
        JsonType::Number => int_text(value)? == text,
        // a list's or dict's repr starts with its bracket: only such a text could be one
        JsonType::Array if !text.starts_with('[') => false,
        JsonType::Object if !text.starts_with('{') => false,
        _ => return Err(Decline),
    })
}

/// A float of the record. Zero is declined: orjson reads ``-0`` as the integer 0, which
/// this parser reads as a float.
fn float_of(value: &Value) -> Outcome<f64> {
    match value.as_f64() {
        Some(x) if x != 0.0 => Ok(x),
        _ => Err(Decline),
    }
}

/// Python's `repr(x)` of a finite float: the shortest digits that read back as ``x``, in
/// positional notation while the decimal point is within 16 places of them, else
/// exponent notation (``1e+16``, ``1.5e-05``); a whole number keeps ``.0``.
fn float_repr(x: f64) -> String {
    // How many digits the shortest round trip takes ("1.5e-5": two); then those digits
    // correctly rounded, which is the closest of that length to x, as Python chooses (the
    // shortest writer may pick another of the same length: 162386804019734.13 for .12).
    let shortest = format!("{:e}", x.abs());
    let length = shortest.split_once('e').expect("an exponent").0.chars().filter(char::is_ascii_digit).count();
    let sci = format!("{:.*e}", length - 1, x.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().expect("a number");
    let point = exponent + 1; // where the decimal point sits after the first digit's place
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let n = digits.len() as i32;
    let body = if point <= -4 || point > 16 {
        let rest = &digits[1..];
        let mantissa = if rest.is_empty() { digits[..1].to_string() } else { format!("{}.{rest}", &digits[..1]) };
        format!("{mantissa}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.abs())
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= n {
        format!("{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    format!("{sign}{body}")
}

fn int_text(value: &Value) -> Outcome<String> {
    if let Some(i) = value.as_i64() {
        Ok(i.to_string())
    } else if let Some(u) = value.as_u64() {
        Ok(u.to_string())
    } else {
        Err(Decline)
    }
}

fn build_trie(paths: &[Vec<(String, Option<String>, Option<String>)>]) -> Level {
    let mut root = Level::default();
    for (id, steps) in paths.iter().enumerate() {
        let mut level = &mut root;
        for (i, (key, fkey, fval)) in steps.iter().enumerate() {
            let filter = fkey.clone().map(|k| (k, fval.clone()));
            let at = match level.nodes.iter().position(|n| &n.key == key && n.filter == filter) {
                Some(at) => at,
                None => {
                    let next = level.keys.len();
                    let key_index = *level.keys.entry(key.clone()).or_insert(next);
                    let node = Node { key: key.clone(), key_index, shared: false, filter, path: None, children: Level::default() };
                    level.nodes.push(node);
                    level.nodes.len() - 1
                }
            };
            if i == steps.len() - 1 {
                level.nodes[at].path = Some(id);
            }
            level = &mut level.nodes[at].children;
        }
    }
    mark_shared(&mut root);
    root
}

fn mark_shared(level: &mut Level) {
    let mut readers = vec![0; level.keys.len()];
    level.nodes.iter().for_each(|n| readers[n.key_index] += 1);
    for node in &mut level.nodes {
        node.shared = readers[node.key_index] > 1;
        mark_shared(&mut node.children);
    }
}

/// Reads every step of ``level`` from the objects in ``parents`` into ``found`` (per path).
fn read_level<'a>(level: &Level, parents: &[&'a Value], found: &mut [Vec<&'a Value>]) -> Outcome<()> {
    let mut gathered: Vec<Vec<&'a Value>> = vec![Vec::new(); level.keys.len()];
    let mut last: Vec<Option<&'a Value>> = vec![None; level.keys.len()];
    for &parent in parents {
        let Some(obj) = parent.as_object() else { continue };
        for (k, v) in obj.iter() {
            if let Some(i) = level.keys.get(k) {
                last[*i] = Some(v); // duplicate keys: the last wins, as in a dict
            }
        }
        for (i, value) in last.iter_mut().enumerate() {
            if let Some(value) = value.take() {
                flatten(value, &mut gathered[i]);
            }
        }
    }
    for node in &level.nodes {
        let all = &mut gathered[node.key_index];
        let values: Vec<&'a Value> = match &node.filter {
            None if node.shared => all.clone(),
            None => std::mem::take(all),
            Some((fkey, fval)) => {
                let mut kept = Vec::new();
                for v in all.iter() {
                    if !v.is_object() {
                        continue;
                    }
                    let Some(have) = get(v, fkey) else { continue };
                    if match fval {
                        None => true,
                        Some(text) => str_equals(have, text)?,
                    } {
                        kept.push(*v);
                    }
                }
                kept
            }
        };
        if !node.children.nodes.is_empty() && !values.is_empty() {
            read_level(&node.children, &values, found)?;
        }
        if let Some(id) = node.path {
            found[id] = values;
        }
    }
    Ok(())
}

/// `_coerce(kind, value)` for one value that is not a list or object; None: dropped.
fn coerce<'a>(kind: Kind, value: &Out<'a>) -> Outcome<Option<Out<'a>>> {
    let t = value.kind();
    match kind {
        Kind::Text | Kind::Keyword | Kind::Identifier => Ok(Some(match (t, value) {
            (Type::Str, _) => value.clone(),
            (Type::Bool, Out::Bool(b)) => Out::Str(if *b { "True" } else { "False" }.into()),
            (Type::Bool, Out::Val(v)) => Out::Str(if v.is_true() { "True" } else { "False" }.into()),
            (Type::Int, Out::Int(i)) => Out::Str(i.to_string()),
            (Type::Int, Out::Val(v)) => Out::Str(int_text(v)?),
            (Type::Float, Out::Val(v)) => Out::Str(float_repr(float_of(v)?)),
            _ => return Err(Decline),
        })),
        Kind::Integer => match (t, value) {
            (Type::Int, _) => Ok(Some(value.clone())),
            (Type::Bool, Out::Bool(b)) => Ok(Some(Out::Int(*b as i64))),
            (Type::Bool, Out::Val(v)) => Ok(Some(Out::Int(v.is_true() as i64))),
            (Type::Str, _) => {
                // int(text): plain decimal digits are read here, and ASCII that int() can never
                // read (a letter, a dot) is dropped; int()'s other spellings are Python's
                let text = value.as_str().expect("a string");
                let digits = text.strip_prefix('-').unwrap_or(text);
                if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Ok(Some(Out::Int(text.parse().map_err(|_| Decline)?)));
                }
                if text.is_ascii() && (text.is_empty() || text.bytes().any(|b| !INT_BYTES.contains(&b))) {
                    return Ok(None);
                }
                Err(Decline)
            }
            (Type::Float, Out::Val(v)) => float_of(v).map(|_| None), // int() of a float's repr ("2.0") fails
            _ => Err(Decline),
        },
        Kind::Boolean => match (t, value) {
            (Type::Bool, _) => Ok(Some(value.clone())),
            (Type::Str, _) => {
                let text = value.as_str().expect("a string");
                if !text.is_ascii() {
                    return Err(Decline); // Python's Unicode lower()
                }
                let lower = text.to_ascii_lowercase();
                Ok(Some(Out::Bool(lower == "true" || lower == "1" || lower == "yes")))
            }
            (Type::Int, Out::Int(i)) => Ok(Some(Out::Bool(*i == 1))),
            (Type::Int, Out::Val(v)) => Ok(Some(Out::Bool(int_text(v)? == "1"))),
            (Type::Float, Out::Val(v)) => float_of(v).map(|_| Some(Out::Bool(false))), // a float's repr is never "1"
            _ => Err(Decline),
        },
        Kind::Date => unreachable!("dates are checked by is_date"),
    }
}

/// The bytes an ASCII string `int()` reads may hold: digits, a sign, underscores, whitespace.
const INT_BYTES: &[u8] = b"0123456789+-_ \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f";

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn number(text: &[u8]) -> u32 {
    text.iter().fold(0, |n, b| n * 10 + (b - b'0') as u32)
}

/// `mirror.dates.to_millis` accepts ``text``: the grammar
/// ``YYYY[-MM[-DD[(T| )HH[:MM[:SS[.f+]]][zone]]]]``, zone ``Z`` or ``±HH[:]MM``, naming a
/// real instant (a real day, hour < 24, minute and second < 60, zone under a day).
/// The text is stripped first, as ``str.strip()`` does; any non-ASCII text is declined.
fn is_date(text: &str) -> Outcome<bool> {
    if !text.is_ascii() {
        return Err(Decline); // `\d` and `strip()` are Unicode's there
    }
    let b = text.trim_matches(|c: char| matches!(c, ' ' | '\t'..='\r' | '\x1c'..='\x1f')).as_bytes(); // str.strip()
    let digits = |at: usize, n: usize| b.len() >= at + n && b[at..at + n].iter().all(u8::is_ascii_digit);
    if !digits(0, 4) {
        return Ok(false);
    }
    let (year, mut month, mut day, mut hour, mut minute, mut second) = (number(&b[0..4]), 1, 1, 0, 0, 0);
    let mut at = 4;
    let mut zone_allowed = false;
    if at < b.len() {
        if b[at] != b'-' || !digits(at + 1, 2) {
            return Ok(false);
        }
        month = number(&b[at + 1..at + 3]);
        at += 3;
        if at < b.len() {
            if b[at] != b'-' || !digits(at + 1, 2) {
                return Ok(false);
            }
            day = number(&b[at + 1..at + 3]);
            at += 3;
            if at < b.len() && (b[at] == b'T' || b[at] == b' ') {
                if !digits(at + 1, 2) {
                    return Ok(false);
                }
                hour = number(&b[at + 1..at + 3]);
                at += 3;
                zone_allowed = true; // a zone only ever follows a time
                if at < b.len() && b[at] == b':' && digits(at + 1, 2) {
                    minute = number(&b[at + 1..at + 3]);
                    at += 3;
                    if at < b.len() && b[at] == b':' && digits(at + 1, 2) {
                        second = number(&b[at + 1..at + 3]);
                        at += 3;
                        if at < b.len() && b[at] == b'.' {
                            let start = at + 1;
                            at = start;
                            while at < b.len() && b[at].is_ascii_digit() {
                                at += 1;
                            }
                            if at == start {
                                return Ok(false);
                            }
                        }
                    }
                }
            }
        }
    }
    if at < b.len() {
        if !zone_allowed {
            return Ok(false);
        }
        let zone = &b[at..];
        if zone != b"Z" {
            let valid = (zone.len() == 5 || zone.len() == 6)
                && (zone[0] == b'+' || zone[0] == b'-')
                && zone[1..3].iter().all(u8::is_ascii_digit)
                && if zone.len() == 6 { zone[3] == b':' } else { true }
                && zone[zone.len() - 2..].iter().all(u8::is_ascii_digit);
            if !valid {
                return Ok(false);
            }
            let (h, m) = (number(&zone[1..3]), number(&zone[zone.len() - 2..]));
            if h * 60 + m >= 24 * 60 {
                return Ok(false); // timezone() refuses an offset of a day or more
            }
        }
    }
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return Ok(false),
    };
    Ok(year >= 1 && day >= 1 && day <= days && hour < 24 && minute < 60 && second < 60)
}

/// A standard Lens ID as the integer `derive._standard_key` makes; other IDs are hashed
/// there (declined here).
fn standard_key(lens_id: &str) -> Outcome<i64> {
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
        let body: i64 = std::str::from_utf8(&digits[..14]).expect("ascii").parse().expect("digits");
        return Ok(body * 11 + check);
    }
    Err(Decline)
}

fn chosen<'a>(authors: &[&'a Value], position: Position) -> Vec<&'a Value> {
    let objects = authors.iter().copied().filter(|a| a.is_object());
    match position {
        Position::All => objects.collect(),
        Position::First => objects.take(1).collect(),
        Position::Last => objects.last().into_iter().collect(),
    }
}

fn non_empty_str(value: Option<&Value>) -> Option<&str> {
    value.and_then(|v| v.as_str()).filter(|s| !s.is_empty())
}

/// The values of a derived field: what the catalogue's derivation computes.
fn derive<'a>(spec: &DeriveSpec, found: &[Vec<&'a Value>], record: &'a Value, lens_id: &str) -> Outcome<Vec<Out<'a>>> {
    Ok(match spec {
        DeriveSpec::Exists { paths } => {
            let any = paths.iter().flat_map(|p| found[*p].iter()).any(|v| match v.get_type() {
                JsonType::String => v.as_str() != Some(""),
                JsonType::Object => v.as_object().is_some_and(|o| !o.is_empty()),
                _ => true,
            });
            vec![Out::Bool(any)]
        }
        DeriveSpec::Positive { path } => {
            let any = found[*path].iter().any(|v| match v.get_type() {
                JsonType::Boolean => v.is_true(),
                JsonType::Number if v.is_f64() => v.as_f64().is_some_and(|f| f > 0.0),
                JsonType::Number => v.as_i64().map_or(true, |i| i > 0), // past i64: a large u64
                _ => false,
            });
            vec![Out::Bool(any)]
        }
        DeriveSpec::Equals { path, value } => vec![Out::Bool(found[*path].iter().any(|v| v.as_str() == Some(value)))],
        DeriveSpec::Count { path } => vec![Out::Int(found[*path].len() as i64)],
        DeriveSpec::YearOf { path } => {
            let mut year = None;
            for v in &found[*path] {
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
        DeriveSpec::AuthorNames { path, position } => {
            let mut names = Vec::new();
            for a in chosen(&found[*path], *position) {
                let (first, last) = (non_empty_str(get(a, "first_name")), non_empty_str(get(a, "last_name")));
                match (first, last) {
                    (Some(f), Some(l)) => names.push(Out::Str(format!("{f} {l}"))),
                    (Some(_), None) => names.push(Out::Val(get(a, "first_name").expect("found"))),
                    (None, Some(_)) => names.push(Out::Val(get(a, "last_name").expect("found"))),
                    (None, None) => {
                        if let Some(name) = get(a, "collective_name").filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
                            names.push(Out::Val(name));
                        }
                    }
                }
            }
            names
        }
        DeriveSpec::AuthorIds { path, position } => {
            let mut out = Vec::new();
            for a in chosen(&found[*path], *position) {
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
        DeriveSpec::FamilyKey { path } => {
            let smallest = found[*path].iter().filter_map(|v| v.as_str()).filter(|s| !s.is_empty()).fold(lens_id, |a, b| a.min(b));
            vec![Out::Int(standard_key(smallest)?)]
        }
        DeriveSpec::PatentIdentifiers => {
            let part = |key: &str| get(record, key).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let (jur, num, kind) = (part("jurisdiction"), part("doc_number"), part("kind"));
            let date = part("date_published").replace('-', "");
            let mut spellings = vec![num.clone(), format!("{jur}{num}"), format!("{jur}{num}{kind}"), format!("{jur}{num}{kind}{date}")];
            for key in ["lens_id", "doc_key", "docdb_id"] {
                if let Some(v) = get(record, key) {
                    spellings.push(match v.get_type() {
                        JsonType::Null => continue,
                        JsonType::String => v.as_str().expect("a string").to_string(),
                        JsonType::Boolean => (if v.is_true() { "True" } else { "False" }).to_string(),
                        JsonType::Number if v.is_f64() => float_repr(float_of(v)?),
                        JsonType::Number => int_text(v)?,
                        _ => return Err(Decline), // a list's or dict's repr
                    });
                }
            }
            let normalised: BTreeSet<String> = spellings
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect())
                .collect();
            normalised.into_iter().map(Out::Str).collect()
        }
    })
}

/// One field's values as the document keeps them (`_compiled`'s per-field code).
fn field_values<'a>(kind: Kind, values: Vec<Out<'a>>) -> Outcome<Vec<Out<'a>>> {
    if kind == Kind::Date {
        let mut kept = Vec::new();
        for v in values {
            if let Some(text) = v.as_str() {
                if is_date(text)? {
                    kept.push(v);
                }
            }
        }
        return Ok(kept);
    }
    let first = values[0].kind();
    if Some(first) == native_type(kind) && values.iter().all(|v| v.kind() == first) {
        return Ok(values);
    }
    let mut kept = Vec::new();
    for v in &values {
        if v.kind() == Type::Object {
            continue;
        }
        if let Some(c) = coerce(kind, v)? {
            kept.push(c);
        }
    }
    Ok(kept)
}

/// Starts a field of the document: ``,"name":[``.
fn open_field(out: &mut Vec<u8>, key: &[u8]) {
    if out.len() > 1 {
        out.push(b',');
    }
    out.extend_from_slice(key);
    out.push(b'[');
}

/// The search-document transform of one catalogue.
#[pyclass(frozen)]
struct Transform {
    trie: Level,
    paths: usize,
    fields: Vec<FieldSpec>,
    keys: Vec<Vec<u8>>, // each field's `"name":`
}

impl Transform {
    fn run(&self, line: &[u8]) -> Outcome<(String, Vec<u8>)> {
        let record: Value = sonic_rs::from_slice(line).map_err(|_| Decline)?;
        if !record.is_object() || get(&record, "search").is_some() {
            return Err(Decline);
        }
        let lens_id = non_empty_str(get(&record, "lens_id")).ok_or(Decline)?.to_string();
        let mut found: Vec<Vec<&Value>> = vec![Vec::new(); self.paths];
        read_level(&self.trie, &[&record], &mut found)?;
        let mut out = Vec::with_capacity(line.len() / 2);
        out.push(b'{');
        for (field, key) in self.fields.iter().zip(&self.keys) {
            let values: Vec<Out> = match &field.derive {
                Some(spec) => derive(spec, &found, &record, &lens_id)?,
                None => {
                    // the common case: every value already of the field's type, written as it is
                    let native = native_type(field.kind);
                    let mut seen = false;
                    let mut as_they_are = native.is_some();
                    for v in field.sources.iter().flat_map(|p| found[*p].iter()) {
                        seen = true;
                        as_they_are &= Some(value_type(v)) == native;
                    }
                    if !seen {
                        continue;
                    }
                    if as_they_are {
                        open_field(&mut out, key);
                        for (i, v) in field.sources.iter().flat_map(|p| found[*p].iter()).enumerate() {
                            if i > 0 {
                                out.push(b',');
                            }
                            Out::Val(v).write(&mut out);
                        }
                        out.push(b']');
                        continue;
                    }
                    field.sources.iter().flat_map(|p| found[*p].iter().map(|v| Out::Val(v))).collect()
                }
            };
            if values.is_empty() {
                continue;
            }
            let values = field_values(field.kind, values)?;
            if values.is_empty() {
                continue;
            }
            open_field(&mut out, key);
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                v.write(&mut out);
            }
            out.push(b']');
        }
        out.push(b'}');
        Ok((lens_id, out))
    }
}

#[pymethods]
impl Transform {
    #[new]
    fn new(spec: &str) -> PyResult<Self> {
        let spec: Spec = sonic_rs::from_str(spec).map_err(|e| PyValueError::new_err(format!("bad transform spec: {e}")))?;
        for f in &spec.fields {
            let ids: Vec<usize> = match &f.derive {
                None => f.sources.clone(),
                Some(
                    DeriveSpec::Positive { path }
                    | DeriveSpec::Equals { path, .. }
                    | DeriveSpec::Count { path }
                    | DeriveSpec::YearOf { path }
                    | DeriveSpec::AuthorNames { path, .. }
                    | DeriveSpec::AuthorIds { path, .. }
                    | DeriveSpec::FamilyKey { path },
                ) => vec![*path],
                Some(DeriveSpec::Exists { paths }) => paths.clone(),
                Some(DeriveSpec::PatentIdentifiers) => vec![],
            };
            if let Some(bad) = ids.iter().find(|p| **p >= spec.paths.len()) {
                return Err(PyValueError::new_err(format!("bad transform spec: field {} reads path {bad}", f.name)));
            }
        }
        let keys = spec.fields.iter().map(|f| format!("{}:", sonic_rs::to_string(&f.name).expect("a name")).into_bytes()).collect();
        Ok(Transform { trie: build_trie(&spec.paths), paths: spec.paths.len(), fields: spec.fields, keys })
    }

    /// ``(lens_id, search document as JSON)`` for one record's line; None when the
    /// Python transform must say (a line that is not a plain record, an odd value).
    fn document<'py>(&self, py: Python<'py>, line: &[u8]) -> Option<(String, Bound<'py, PyBytes>)> {
        self.run(line).ok().map(|(lens_id, doc)| (lens_id, PyBytes::new(py, &doc)))
    }
}

/// ``repr(x)`` as the transform writes it (for the tests: Python's own is the reference).
#[pyfunction(name = "float_repr")]
fn py_float_repr(x: f64) -> String {
    float_repr(x)
}

#[pymodule]
fn lens_mirror_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Transform>()?;
    m.add_function(wrap_pyfunction!(py_float_repr, m)?)?;
    Ok(())
}
