//! Reading record paths: a trie of steps, read level by level, as `walk.py` reads them
//! (lists flattened at every step, nulls dropped, duplicate keys: the last wins).

use rustc_hash::FxHashMap;
use sonic_rs::{JsonContainerTrait, JsonType, JsonValueTrait, Value};

use crate::spec::Step;
use crate::values::py_str;
use crate::Outcome;

/// One level of the path trie: the keys its steps read (each gathered once per object)
/// and the steps.
#[derive(Default)]
pub(crate) struct Level {
    pub(crate) keys: FxHashMap<String, usize>,
    pub(crate) nodes: Vec<Node>,
}

/// One step of the path trie: the values it reads are those of its key in its parent's
/// objects, lists flattened, nulls dropped, then kept only when they pass its filter.
pub(crate) struct Node {
    pub(crate) key: String,
    pub(crate) key_index: usize,
    pub(crate) shared: bool, // another step of the level reads the same key (so its values are copied)
    pub(crate) filter: Option<(String, Option<String>)>,
    pub(crate) path: Option<usize>,
    pub(crate) children: Level,
}

/// `obj.get(key)` of the dict orjson makes: the last of duplicate keys wins.
pub(crate) fn get<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    let mut found = None;
    for (k, v) in obj.as_object()?.iter() {
        if k == key {
            found = Some(v);
        }
    }
    found
}

/// `walk.flatten`: lists flattened, nulls dropped.
pub(crate) fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
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
pub(crate) fn str_equals(value: &Value, text: &str) -> Outcome<bool> {
    Ok(match value.get_type() {
        JsonType::String => value.as_str() == Some(text), // without a copy: the common case
        // a list's or dict's repr starts with its bracket: only such a text could be one
        JsonType::Array if !text.starts_with('[') => false,
        JsonType::Object if !text.starts_with('{') => false,
        _ => py_str(value)? == text,
    })
}

pub(crate) fn build_trie(paths: &[Vec<Step>]) -> Level {
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
                    let node = Node {
                        key: key.clone(),
                        key_index,
                        shared: false,
                        filter,
                        path: None,
                        children: Level::default(),
                    };
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

pub(crate) fn mark_shared(level: &mut Level) {
    let mut readers = vec![0; level.keys.len()];
    level.nodes.iter().for_each(|n| readers[n.key_index] += 1);
    for node in &mut level.nodes {
        node.shared = readers[node.key_index] > 1;
        mark_shared(&mut node.children);
    }
}

/// Reads every step of ``level`` from the objects in ``parents`` into ``found`` (per path).
pub(crate) fn read_level<'a>(level: &Level, parents: &[&'a Value], found: &mut [Vec<&'a Value>]) -> Outcome<()> {
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
