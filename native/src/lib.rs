//! The engine feeder's record transform in native code: one JSON line in, its search
//! document out as JSON, with no Python objects made on the way.
//!
//! It computes exactly what `mirror.catalogue.transform.search_document` computes, for
//! the catalogue described by the spec that `mirror.catalogue.native` builds from it.
//! Wherever Python's answer would take more than this file knows, it *declines* (`None`)
//! and the caller runs the Python transform, which has the last word: a line this parser
//! refuses or may read otherwise than orjson (not JSON, nested too deep for it, a zero
//! that orjson may read as an integer), a record that is not one (no lens_id) or holds a
//! `search` field, a string `int()` reads its own way, non-ASCII text where Python's
//! Unicode rules apply (digits, `lower()`, `strip()`), a list's or dict's repr, a Lens ID
//! that is hashed. `tests/test_native.py` holds the two to the same documents over
//! generated, damaged and arbitrary records.

mod dates;
mod derive;
mod spec;
mod values;
mod walk;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sonic_rs::{JsonValueTrait, Value};

use crate::derive::{derive, non_empty_str};
use crate::spec::{FieldSpec, Spec};
use crate::values::{field_values, float_repr, native_type, value_type, Out};
use crate::walk::{build_trie, get, read_level, Level};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc; // many small vectors a record

/// The transform cannot say what Python would: the caller runs Python's.
struct Decline;
type Outcome<T> = Result<T, Decline>;

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
                    field
                        .sources
                        .iter()
                        .flat_map(|p| found[*p].iter().map(|v| Out::Val(v)))
                        .collect()
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
        let spec: Spec =
            sonic_rs::from_str(spec).map_err(|e| PyValueError::new_err(format!("bad transform spec: {e}")))?;
        for f in &spec.fields {
            let ids = f.derive.as_ref().map_or(&f.sources, |d| &d.paths);
            if let Some(bad) = ids.iter().find(|p| **p >= spec.paths.len()) {
                return Err(PyValueError::new_err(format!(
                    "bad transform spec: field {} reads path {bad}",
                    f.name
                )));
            }
            if let Some(d) = &f.derive {
                if d.op.arity().is_some_and(|n| n != d.paths.len()) {
                    return Err(PyValueError::new_err(format!(
                        "bad transform spec: field {}'s derivation reads {} paths",
                        f.name,
                        d.paths.len()
                    )));
                }
            }
        }
        let keys = spec
            .fields
            .iter()
            .map(|f| format!("{}:", sonic_rs::to_string(&f.name).expect("a name")).into_bytes())
            .collect();
        Ok(Transform {
            trie: build_trie(&spec.paths),
            paths: spec.paths.len(),
            fields: spec.fields,
            keys,
        })
    }

    /// ``(lens_id, search document as JSON)`` for one record's line; None when the
    /// Python transform must say (a line that is not a plain record, an odd value).
    fn document<'py>(&self, py: Python<'py>, line: &[u8]) -> Option<(String, Bound<'py, PyBytes>)> {
        // A panic here would be a bug of this crate: the Python transform then makes the
        // document, rather than the load stopping on a PanicException.
        let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(line)));
        made.ok()?.ok().map(|(lens_id, doc)| (lens_id, PyBytes::new(py, &doc)))
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
