//! Values as Python sees them: their types, `repr` and `str`, and `_coerce`.

use sonic_rs::{JsonType, JsonValueTrait, Value};

use crate::dates::is_date;
use crate::spec::Kind;
use crate::{Decline, Outcome};

/// One value of a search document: a value of the record, or one made here.
#[derive(Clone)]
pub(crate) enum Out<'a> {
    Val(&'a Value),
    Str(String),
    Int(i64),
    Bool(bool),
}

#[derive(PartialEq, Clone, Copy)]
pub(crate) enum Type {
    Str,
    Int,
    Bool,
    Float,
    Object,
}

impl Out<'_> {
    pub(crate) fn kind(&self) -> Type {
        match self {
            Out::Val(v) => value_type(v),
            Out::Str(_) => Type::Str,
            Out::Int(_) => Type::Int,
            Out::Bool(_) => Type::Bool,
        }
    }

    /// Python's ``str()`` of the value (see :func:`py_str`).
    pub(crate) fn py_str(&self) -> Outcome<String> {
        match self {
            Out::Val(v) => py_str(v),
            Out::Str(s) => Ok(s.clone()),
            Out::Int(i) => Ok(i.to_string()),
            Out::Bool(b) => Ok(if *b { "True" } else { "False" }.to_string()),
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Out::Val(v) => v.as_str(),
            Out::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match self {
            Out::Val(v) => sonic_rs::to_writer(&mut *out, v).expect("a parsed value serialises"),
            Out::Str(s) => sonic_rs::to_writer(&mut *out, s).expect("a string serialises"),
            Out::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Out::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        }
    }
}

/// Python's ``str()`` of a record's value: declined for a list or dict (their repr is Python's).
pub(crate) fn py_str(v: &Value) -> Outcome<String> {
    Ok(match v.get_type() {
        JsonType::String => v.as_str().expect("a string").to_string(),
        JsonType::Null => "None".to_string(),
        JsonType::Boolean => if v.is_true() { "True" } else { "False" }.to_string(),
        JsonType::Number if v.is_f64() => float_repr(float_of(v)?),
        JsonType::Number => int_text(v)?,
        _ => return Err(Decline),
    })
}

pub(crate) fn value_type(v: &Value) -> Type {
    match v.get_type() {
        JsonType::String => Type::Str,
        JsonType::Boolean => Type::Bool,
        JsonType::Number if v.is_f64() => Type::Float,
        JsonType::Number => Type::Int,
        _ => Type::Object, // objects (arrays and nulls never reach a document)
    }
}

pub(crate) fn native_type(kind: Kind) -> Option<Type> {
    match kind {
        Kind::Text | Kind::Keyword | Kind::Identifier => Some(Type::Str),
        Kind::Integer => Some(Type::Int),
        Kind::Boolean => Some(Type::Bool),
        Kind::Date => None,
    }
}

/// A float of the record. Zero is declined: orjson reads ``-0`` as the integer 0, which
/// this parser reads as a float.
pub(crate) fn float_of(value: &Value) -> Outcome<f64> {
    match value.as_f64() {
        Some(x) if x != 0.0 => Ok(x),
        _ => Err(Decline),
    }
}

/// Python's `repr(x)` of a finite float: the shortest digits that read back as ``x``, in
/// positional notation while the decimal point is within 16 places of them, else
/// exponent notation (``1e+16``, ``1.5e-05``); a whole number keeps ``.0``.
pub(crate) fn float_repr(x: f64) -> String {
    // Python writes the shortest digits that read back as x, and of those the closest to x.
    // The shortest writer here finds the length but may pick another string of it
    // (162386804019734.13 for .12), so x is written correctly rounded to that length,
    // which is the closest; at a power of two that one may not read back (the gap below x
    // is half the gap above), and then the shortest writer's own digits are Python's.
    let shortest = format!("{:e}", x.abs());
    let length = shortest
        .split_once('e')
        .expect("an exponent")
        .0
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    let rounded = format!("{:.*e}", length - 1, x.abs());
    let sci = if rounded.parse::<f64>() == Ok(x.abs()) {
        rounded
    } else {
        shortest
    };
    let (mantissa, exponent) = sci.split_once('e').expect("an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().expect("a number");
    let point = exponent + 1; // where the decimal point sits after the first digit's place
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let n = digits.len() as i32;
    let body = if point <= -4 || point > 16 {
        let rest = &digits[1..];
        let mantissa = if rest.is_empty() {
            digits[..1].to_string()
        } else {
            format!("{}.{rest}", &digits[..1])
        };
        format!(
            "{mantissa}e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        )
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= n {
        format!("{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    format!("{sign}{body}")
}

pub(crate) fn int_text(value: &Value) -> Outcome<String> {
    if let Some(i) = value.as_i64() {
        Ok(i.to_string())
    } else if let Some(u) = value.as_u64() {
        Ok(u.to_string())
    } else {
        Err(Decline)
    }
}

/// `_coerce(kind, value)` for one value that is not a list or object; None: dropped.
pub(crate) fn coerce<'a>(kind: Kind, value: &Out<'a>) -> Outcome<Option<Out<'a>>> {
    let t = value.kind();
    match kind {
        Kind::Text | Kind::Keyword | Kind::Identifier => match t {
            Type::Str => Ok(Some(value.clone())),
            _ => Ok(Some(Out::Str(value.py_str()?))), // str(value)
        },
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
            _ => Ok(Some(Out::Bool(value.py_str()? == "1"))), // str(value).lower() in _TRUE
        },
        Kind::Date => unreachable!("dates are checked by is_date"),
    }
}

/// The bytes an ASCII string `int()` reads may hold: digits, a sign, underscores, whitespace.
pub(crate) const INT_BYTES: &[u8] = b"0123456789+-_ \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f";

/// One field's values as the document keeps them (`_compiled`'s per-field code).
pub(crate) fn field_values<'a>(kind: Kind, values: Vec<Out<'a>>) -> Outcome<Vec<Out<'a>>> {
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
