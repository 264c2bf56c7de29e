//! A plan document read straight into the [`Builder`]: each objective (with its key results and
//! check-ins) is validated as soon as it has been parsed and then dropped, so a large document
//! never exists whole in memory, and the memory of one objective is reused for the next.
//!
//! [`Plan::from_document`](crate::Plan::from_document) goes through the same [`add_objective`],
//! so the two paths validate alike, in the same order: cycles, nodes in document order, then
//! alignment edges in document order. An objective that names a cycle before the document's
//! `cycles` have been read waits, with every objective after it, until they have (keys may come
//! in any order); objectives without a cycle are validated as they come.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::build::{Builder, NodeText};
use crate::document::{Cycle, KeyResultSpec, ObjectiveSpec};
use crate::error::{Error, Result};
use crate::ids::Key;
use crate::key_result::RuleFields;
use crate::policy::Policy;

/// An alignment edge waiting for every node to be known: child index, parent id, weight.
pub(crate) type PendingEdge = (u32, Box<str>, f64);

/// Interns and pushes objective `o` and its key results and check-ins; its alignment edges
/// (and its key results') are appended to `edges`, to be added once every node is known.
pub(crate) fn add_objective(b: &mut Builder, o: &ObjectiveSpec, edges: &mut Vec<PendingEdge>) -> Result<()> {
    let oi = push_objective_spec(b, o)?;
    edges.extend(o.parents.iter().map(|e| (oi, e.id.as_str().into(), e.weight)));
    for k in &o.key_results {
        let ki = push_key_result_spec(b, oi, k)?;
        edges.extend(k.parents.iter().map(|e| (ki, e.id.as_str().into(), e.weight)));
    }
    Ok(())
}

/// Interns and pushes objective `o` alone (not its key results); returns its index.
pub(crate) fn push_objective_spec(b: &mut Builder, o: &ObjectiveSpec) -> Result<u32> {
    let text = NodeText {
        title: o.title.clone(),
        owner: o.owner.clone(),
        level: o.level.clone(),
        note: o.note.clone(),
    };
    let oi = b.intern("objectives", Key::Text(&o.id))?;
    b.push_objective(o.cycle.as_deref(), o.progress, text)?;
    Ok(oi)
}

/// Interns and pushes key result `k` of the objective of index `objective`, with its
/// check-ins; returns its index.
pub(crate) fn push_key_result_spec(b: &mut Builder, objective: u32, k: &KeyResultSpec) -> Result<u32> {
    let fields = RuleFields {
        start: k.start,
        target: k.target,
        threshold: k.threshold,
        strict: k.strict,
        low: k.low,
        high: k.high,
        op: k.op,
    };
    let text = NodeText { title: k.title.clone(), owner: k.owner.clone(), level: None, note: k.note.clone() };
    let ki = b.intern("key_results", Key::Text(&k.id))?;
    b.push_key_result(objective, k.kind, &fields, k.weight, k.current, &k.milestones, &k.points, text)?;
    for c in &k.check_ins {
        b.add_check_in(ki, c.date, c.value, c.confidence, c.done, c.note.as_deref())?;
    }
    Ok(ki)
}

/// Adds the edges gathered by [`add_objective`], in order.
pub(crate) fn add_edges(b: &mut Builder, edges: &[PendingEdge]) -> Result<()> {
    for (child, parent, weight) in edges {
        b.add_edge(*child, Key::Text(parent), *weight)?;
    }
    Ok(())
}

/// Parses and validates a plan document (see the module docs).
pub(crate) fn from_json(text: &str) -> Result<crate::Plan> {
    let mut state = State::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Document(&mut state).deserialize(&mut de).and_then(|()| de.end());
    // A validation error stopped the parse: it is the one to report.
    if let Some(e) = state.failure {
        return Err(e);
    }
    parsed.map_err(|e| Error::Malformed { message: located(text, &e) })?;
    let State { mut b, mut edges, waiting, policy, .. } = state;
    for o in &waiting {
        add_objective(&mut b, o, &mut edges)?;
    }
    add_edges(&mut b, &edges)?;
    Ok(crate::Plan { data: std::sync::Arc::new(b.finish(policy.unwrap_or_default())?) })
}

struct State {
    b: Builder,
    edges: Vec<PendingEdge>,
    /// Whether the document's `cycles` have been read (objectives may name them).
    cycles_read: bool,
    /// Objectives read before the cycles they name, in document order.
    waiting: Vec<ObjectiveSpec>,
    policy: Option<Policy>,
    /// The validation error that stopped the parse.
    failure: Option<Error>,
}

/// A parse error's message, led by the path of the value it is about
/// (`` at `objectives[1].key_results[0].target`: invalid type: … ``).
fn located(text: &str, e: &serde_json::Error) -> String {
    match path_at(text, e.line(), e.column()) {
        Some(path) => format!("at `{path}`: {e}"),
        None => e.to_string(),
    }
}

/// The path of the JSON value being read at `line` and `column` (1-based, in bytes, as
/// serde_json reports an error: the column is the last byte it read), or `None` at the top
/// level. Found by scanning the text up to there, keeping the key of each open object and the
/// index of each open array: a second typed parse with its path tracked (serde_path_to_error)
/// would have added a second copy of the document's parsing code, some 76 KB of WebAssembly.
fn path_at(text: &str, line: usize, column: usize) -> Option<String> {
    enum Open<'t> {
        Object { key: Option<&'t str>, expecting_key: bool },
        Array { index: Option<usize>, awaiting: bool },
    }
    let bytes = text.as_bytes();
    let line_start = if line <= 1 {
        0
    } else {
        let mut newlines = bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n');
        newlines.nth(line - 2).map_or(bytes.len(), |(i, _)| i + 1)
    };
    let end = (line_start + column).min(bytes.len());
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut i = 0;
    while i < end {
        let b = bytes[i];
        // A value (or key) starts here: an array counts it as its next element.
        if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' | b']' | b'}') {
            if let Some(Open::Array { index, awaiting: awaiting @ true }) = stack.last_mut() {
                *index = Some(index.map_or(0, |k| k + 1));
                *awaiting = false;
            }
        }
        match b {
            b'{' => stack.push(Open::Object { key: None, expecting_key: true }),
            b'[' => stack.push(Open::Array { index: None, awaiting: true }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Open::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Open::Object { key, expecting_key }) => (*key, *expecting_key) = (None, true),
                Some(Open::Array { awaiting, .. }) => *awaiting = true,
                None => {}
            },
            b'"' => {
                let from = i + 1;
                i = from;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Open::Object { key, expecting_key: true }) = stack.last_mut() {
                    *key = text.get(from..i.min(bytes.len()));
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for open in &stack {
        match open {
            Open::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Open::Array { index: Some(k), .. } => path.push_str(&format!("[{k}]")),
            _ => break,
        }
    }
    (!path.is_empty()).then_some(path)
}

impl State {
    fn new() -> State {
        State {
            b: Builder::with_capacity(0),
            edges: Vec::new(),
            cycles_read: false,
            waiting: Vec::new(),
            policy: None,
            failure: None,
        }
    }

    /// Keeps `result`'s error for the caller and stops the parse with a placeholder.
    fn keep<E: de::Error>(&mut self, result: Result<()>) -> Result<(), E> {
        result.map_err(|e| {
            self.failure = Some(e);
            E::custom("invalid plan")
        })
    }

    fn objective(&mut self, o: ObjectiveSpec) -> Result<()> {
        if self.waiting.is_empty() && (self.cycles_read || o.cycle.is_none()) {
            add_objective(&mut self.b, &o, &mut self.edges)
        } else {
            self.waiting.push(o);
            Ok(())
        }
    }
}

const FIELDS: &[&str] = &["cycles", "objectives", "policy", "confidence_scale"];

/// The top level: `{"cycles": [...], "objectives": [...], "policy": {...}, "confidence_scale":
/// [low, high]}`, each optional.
struct Document<'s>(&'s mut State);

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a plan document (an object with `cycles`, `objectives`, `policy` and `confidence_scale`)",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.0;
        let mut seen = [false; FIELDS.len()];
        while let Some(key) = map.next_key::<String>()? {
            let Some(field) = FIELDS.iter().position(|f| *f == key) else {
                return Err(de::Error::unknown_field(&key, FIELDS));
            };
            if std::mem::replace(&mut seen[field], true) {
                return Err(de::Error::duplicate_field(FIELDS[field]));
            }
            match field {
                0 => {
                    let cycles: Vec<Cycle> = map.next_value()?;
                    let added = cycles.iter().try_for_each(|c| state.b.add_cycle(c));
                    state.keep(added)?;
                    state.cycles_read = true;
                }
                1 => map.next_value_seed(Objectives(&mut *state))?,
                2 => state.policy = map.next_value()?,
                _ => {
                    let scale: [f64; 2] = map.next_value()?;
                    let set = state.b.set_confidence_scale(scale);
                    state.keep(set)?;
                }
            }
        }
        // Objectives that waited for cycles the document does not have fail in `from_json`,
        // naming the cycle.
        state.cycles_read = true;
        Ok(())
    }
}

/// The `objectives` array, each objective validated as it is read.
struct Objectives<'s>(&'s mut State);

impl<'de> DeserializeSeed<'de> for Objectives<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Objectives<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of objectives")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(o) = seq.next_element::<ObjectiveSpec>()? {
            let added = self.0.objective(o);
            self.0.keep(added)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match from_json(text) {
            Err(e) => e.to_string(),
            Ok(_) => String::from("no error"),
        }
    }

    #[test]
    fn parse_errors_name_the_path_of_their_value() {
        // Pretty-printed (the error on a later line), with escapes in strings before it.
        let text = "{\n  \"objectives\": [\n    {\"id\": \"a\\\"]b\", \"title\": \"x\\\\\"},\n    {\"id\": \"b\", \"key_results\": [\n      {\"id\": \"k\", \"kind\": \"linear\", \"start\": 0, \"target\": 1},\n      {\"id\": \"m\", \"kind\": \"linear\", \"start\": 0, \"target\": \"1\"}\n    ]}\n  ]\n}";
        let e = error_of(text);
        assert!(e.contains("at `objectives[1].key_results[1].target`: invalid type: string \"1\""), "{e}");
        // An object missing a field is named, not its last key; an array of the wrong length too.
        let e = error_of(r#"{"objectives": [{"title": "x"}]}"#);
        assert!(e.contains("at `objectives[0]`: missing field `id`"), "{e}");
        let e = error_of(r#"{"confidence_scale": [1], "objectives": []}"#);
        assert!(e.contains("at `confidence_scale`: invalid length 1"), "{e}");
        // At the top level there is no path.
        let e = error_of("[1]");
        assert!(e.starts_with("malformed plan document: invalid type: sequence"), "{e}");
        assert_eq!(path_at("", 1, 0), None);
        assert_eq!(path_at("{\"a\": [1, {\"b\": 2", 9, 99).as_deref(), Some("a[1].b"));
    }
}
