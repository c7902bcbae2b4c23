//! Editing a configuration as a TOML tree, key by key: what the console's
//! `configure` mode does. A key is the dotted path the error messages use
//! (`ports[1].ani`, `commands.sequence[0].digits`, `sip.listen`).
//!
//! Every edit is checked by parsing the whole edited document with
//! [`super::parse`], so the console's rules are the file's rules, with the same
//! messages.
//!
//! The edit is made on a plain tree (`toml::Table`) and then carried into the
//! operator's own document (`toml_edit`, see `config/document.rs`): what `save` writes
//! and `show config` prints is the file as it was written — its comments, key
//! order and layout — with only the edited keys changed.

use std::collections::BTreeMap;
use std::path::Path;

use toml::{Table, Value};

use super::{document, parse, Config, ConfigError};

/// One segment of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The key is not written `a.b[2].c`.
    #[error("`{0}` is not a key (write it like ports[1].ani or sip.listen)")]
    BadKey(String),
    /// The path crosses a value that is not a table or an array.
    #[error("`{0}` is not inside a table")]
    NotATable(String),
    /// An array index past the end (only the next free index adds an entry).
    #[error("`{key}`: index {index} is past the end (there are {len})")]
    PastTheEnd {
        /// The key.
        key: String,
        /// The index given.
        index: usize,
        /// Entries there are.
        len: usize,
    },
    /// Nothing is set at the key.
    #[error("`{0}` is not set")]
    NotSet(String),
    /// The edited configuration is invalid: the key and the validator's message.
    #[error("{}{message}", if key.is_empty() { String::new() } else { format!("{key}: ") })]
    Invalid {
        /// The key at fault.
        key: String,
        /// What is wrong.
        message: String,
    },
}

fn parse_key(key: &str) -> Result<Vec<Segment>, EditError> {
    let bad = || EditError::BadKey(key.to_string());
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(bad());
        }
        out.push(Segment::Key(name.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            let index = rest
                .get(1..close)
                .and_then(|d| d.parse::<usize>().ok())
                .ok_or_else(bad)?;
            out.push(Segment::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad());
            }
        }
    }
    Ok(out)
}

/// A configuration being edited: its values as a tree, and the document they
/// are written in (comments, order and layout of the text it came from).
#[derive(Debug, Clone)]
pub struct Editable {
    tree: Table,
    document: toml_edit::DocumentMut,
}

impl Editable {
    /// Parse `text` (already known valid, e.g. the running configuration).
    pub fn from_text(text: &str) -> Result<Editable, String> {
        let tree: Table = text.parse::<Table>().map_err(|e| e.message().to_string())?;
        let document = text
            .parse::<toml_edit::DocumentMut>()
            .map_err(|e| e.message().to_string())?;
        Ok(Editable { tree, document })
    }

    /// The document as TOML text, the form `save` writes and `show config`
    /// prints: the text it was read from, with the edits made since.
    pub fn to_text(&self) -> String {
        self.document.to_string()
    }

    /// Carry the tree's values into the document.
    fn write_document(&mut self) {
        document::sync(&mut self.document, &self.tree);
    }

    /// Validate the tree as the file loader does.
    pub fn validate(&self) -> Result<Config, EditError> {
        parse(Path::new("<console>"), &self.to_text()).map_err(|e: ConfigError| {
            let (key, message) = e.key_and_message();
            EditError::Invalid { key, message }
        })
    }

    /// The value at `key`, if written.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let path = parse_key(key).ok()?;
        let mut at: Option<&Value> = None;
        for segment in &path {
            at = match (at, segment) {
                (None, Segment::Key(k)) => self.tree.get(k),
                (Some(Value::Table(t)), Segment::Key(k)) => t.get(k),
                (Some(Value::Array(a)), Segment::Index(i)) => a.get(*i),
                _ => None,
            };
            at?;
        }
        at
    }

    /// Set `key` to what the operator typed and validate the result; on error
    /// nothing changes. The text is read as the type the key already has (so
    /// `set ports[1].ani 4155550199` stays a string), else as a TOML value,
    /// else as a plain string.
    pub fn set(&mut self, key: &str, input: &str) -> Result<(), EditError> {
        let path = parse_key(key)?;
        let input = input.trim();
        let mut tries: Vec<Value> = Vec::new();
        let existing = self.get(key).cloned();
        match &existing {
            Some(Value::String(_)) => tries.push(Value::String(unquote(input))),
            _ => {
                if let Some(v) = toml_value(input) {
                    tries.push(v);
                }
                tries.push(Value::String(unquote(input)));
            }
        }
        let mut last = None;
        for value in tries {
            let mut edited = self.clone();
            insert(&mut edited.tree, &path, key, value)?;
            edited.write_document();
            match edited.validate() {
                Ok(_) => {
                    *self = edited;
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| EditError::BadKey(key.to_string())))
    }

    /// Remove `key` (its default applies again; an array entry is removed and
    /// the later ones move up) and validate the result.
    pub fn unset(&mut self, key: &str) -> Result<(), EditError> {
        let path = parse_key(key)?;
        let mut edited = self.clone();
        if !remove(&mut edited.tree, &path) {
            return Err(EditError::NotSet(key.to_string()));
        }
        edited.write_document();
        edited.validate()?;
        *self = edited;
        Ok(())
    }

    /// Every written leaf as (key, value text), in key order. Arrays of plain
    /// values are leaves; arrays of tables are walked.
    pub fn leaves(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        walk_table(&self.tree, "", &mut out);
        out
    }
}

/// Keys whose value differs between `a` and `b` (written in either).
pub fn changed_keys(a: &Editable, b: &Editable) -> Vec<String> {
    let (la, lb) = (a.leaves(), b.leaves());
    let mut keys: Vec<String> = la
        .iter()
        .filter(|(k, v)| lb.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(lb.keys().filter(|k| !la.contains_key(*k)).cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn walk_table(t: &Table, prefix: &str, out: &mut BTreeMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        walk_value(v, key, out);
    }
}

fn walk_value(v: &Value, key: String, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Table(t) => walk_table(t, &key, out),
        Value::Array(a) if !a.is_empty() && a.iter().all(|e| e.is_table()) => {
            for (i, e) in a.iter().enumerate() {
                walk_value(e, format!("{key}[{i}]"), out);
            }
        }
        other => {
            out.insert(key, other.to_string());
        }
    }
}

fn unquote(input: &str) -> String {
    match toml_value(input) {
        Some(Value::String(s)) if input.starts_with('"') || input.starts_with('\'') => s,
        _ => input.to_string(),
    }
}

/// `input` read as one TOML value (`42`, `true`, `"x"`, `[0, 1]`, `{ a = 1 }`).
fn toml_value(input: &str) -> Option<Value> {
    let doc = format!("v = {input}");
    let mut t: Table = doc.parse().ok()?;
    t.remove("v")
}

fn insert(tree: &mut Table, path: &[Segment], key: &str, value: Value) -> Result<(), EditError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(EditError::BadKey(key.to_string()));
    };
    // Walk with an owned placeholder for the root so tables and arrays are uniform.
    let mut root = Value::Table(std::mem::take(tree));
    let result = (|| {
        let mut at = &mut root;
        for (i, segment) in parents.iter().enumerate() {
            let next_is_index = matches!(path.get(i + 1), Some(Segment::Index(_)));
            at = step(at, segment, next_is_index, key)?;
        }
        match (at, last) {
            (Value::Table(t), Segment::Key(k)) => {
                t.insert(k.clone(), value);
                Ok(())
            }
            (Value::Array(a), Segment::Index(i)) => {
                if *i < a.len() {
                    a[*i] = value;
                    Ok(())
                } else if *i == a.len() {
                    a.push(value);
                    Ok(())
                } else {
                    Err(EditError::PastTheEnd {
                        key: key.to_string(),
                        index: *i,
                        len: a.len(),
                    })
                }
            }
            _ => Err(EditError::NotATable(key.to_string())),
        }
    })();
    if let Value::Table(t) = root {
        *tree = t;
    }
    result
}

fn step<'v>(
    at: &'v mut Value,
    segment: &Segment,
    next_is_index: bool,
    key: &str,
) -> Result<&'v mut Value, EditError> {
    let fresh = || {
        if next_is_index {
            Value::Array(Vec::new())
        } else {
            Value::Table(Table::new())
        }
    };
    match (at, segment) {
        (Value::Table(t), Segment::Key(k)) => Ok(t.entry(k.clone()).or_insert_with(fresh)),
        (Value::Array(a), Segment::Index(i)) => {
            let len = a.len();
            if *i == len {
                a.push(fresh());
            }
            a.get_mut(*i).ok_or(EditError::PastTheEnd {
                key: key.to_string(),
                index: *i,
                len,
            })
        }
        _ => Err(EditError::NotATable(key.to_string())),
    }
}

fn remove(tree: &mut Table, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut root = Value::Table(std::mem::take(tree));
    let mut removed = false;
    {
        let mut at = Some(&mut root);
        for segment in parents {
            at = match (at, segment) {
                (Some(Value::Table(t)), Segment::Key(k)) => t.get_mut(k),
                (Some(Value::Array(a)), Segment::Index(i)) => a.get_mut(*i),
                _ => None,
            };
        }
        match (at, last) {
            (Some(Value::Table(t)), Segment::Key(k)) => removed = t.remove(k).is_some(),
            (Some(Value::Array(a)), Segment::Index(i)) if *i < a.len() => {
                a.remove(*i);
                removed = true;
            }
            _ => {}
        }
    }
    if let Value::Table(t) = root {
        *tree = t;
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../config/demo.toml");

    #[test]
    fn keys_parse_and_bad_ones_are_refused() {
        assert_eq!(
            parse_key("ports[1].ani").unwrap(),
            vec![
                Segment::Key("ports".into()),
                Segment::Index(1),
                Segment::Key("ani".into())
            ]
        );
        for bad in ["", "a..b", "a[x]", "a[1", "a[1]b", ".a", "a b"] {
            assert!(parse_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn set_keeps_the_type_and_validates() {
        let mut e = Editable::from_text(DEMO).unwrap();
        e.set("ports[1].ani", "4155550199").unwrap();
        assert_eq!(e.validate().unwrap().ports[1].ani, "4155550199");
        e.set("commands.interdigit_timeout_ms", "2500").unwrap();
        assert_eq!(e.validate().unwrap().commands.interdigit_timeout_ms, 2500);
        e.set("console.idle_timeout_s", "60").unwrap();
        assert_eq!(e.validate().unwrap().console.idle_timeout_s, 60);
        e.set("routes[0].ports", "[0, 1]").unwrap();
        assert_eq!(e.validate().unwrap().routes[0].ports, Some(vec![0, 1]));
        let before = e.to_text();
        let err = e.set("ports[1].ani", "41555x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ports[1].ani: ANI \"41555x\" must be digits, optionally after '+'"
        );
        assert_eq!(e.to_text(), before, "a refused edit changes nothing");
        assert!(e.set("nonsense.key", "1").is_err());
        assert!(matches!(
            e.set("ports[9].ani", "1"),
            Err(EditError::PastTheEnd { .. })
        ));
    }

    #[test]
    fn unset_and_changed_keys() {
        let a = Editable::from_text(DEMO).unwrap();
        let mut b = a.clone();
        b.set("sip.listen", "127.0.0.1:5070").unwrap();
        b.unset("media.telephone_event_payload_type").unwrap();
        assert_eq!(
            changed_keys(&a, &b),
            ["media.telephone_event_payload_type", "sip.listen"]
        );
        assert!(matches!(
            b.unset("media.nothing"),
            Err(EditError::NotSet(_))
        ));
        // The text round-trips.
        let again = Editable::from_text(&b.to_text()).unwrap();
        assert!(changed_keys(&b, &again).is_empty());
    }

    #[test]
    fn edits_keep_the_files_comments_order_and_layout() {
        let mut e = Editable::from_text(DEMO).unwrap();
        assert_eq!(e.to_text(), DEMO, "nothing edited: the text as written");
        e.set("ports[1].ani", "4155550199").unwrap();
        e.set("rtp.port_base", "30000").unwrap();
        e.set("simulation.subscribers[0].script[1].at_ms", "2500")
            .unwrap();
        e.set("console.idle_timeout_s", "60").unwrap();
        e.unset("media.telephone_event_payload_type").unwrap();
        let mut expected = DEMO.to_string();
        for (from, to) in [
            ("ani = \"4155550101\"", "ani = \"4155550199\""),
            (
                "port_base = 20000          # port n",
                "port_base = 30000          # port n",
            ),
            (
                "{ at_ms = 3000, dial = \"*76\" }",
                "{ at_ms = 2500, dial = \"*76\" }",
            ),
            (
                "device = \"stdio\"\n",
                "device = \"stdio\"\nidle_timeout_s = 60\n",
            ),
            ("telephone_event_payload_type = 101\n", ""),
        ] {
            assert!(expected.contains(from), "{from:?}");
            expected = expected.replacen(from, to, 1);
        }
        assert_eq!(e.to_text(), expected);
        let config = e.validate().unwrap();
        assert_eq!(config.ports[1].ani, "4155550199");
        assert_eq!(config.console.idle_timeout_s, 60);
    }

    #[test]
    fn new_tables_and_entries_follow_the_ones_before_them() {
        let text = "# head\n[sip]\nlisten = \"127.0.0.1:0\" # here\n\n[[ports]]\nport = 0\nkind = \"fxo\"\nani = \"1\"\n\n# tail\n[board]\nkind = \"simulated\"\n";
        let mut e = Editable::from_text(text).unwrap();
        e.set("ports[1].port", "1").unwrap_err(); // kind and ani missing
        let mut tree = e.tree.clone();
        let mut entry = Table::new();
        entry.insert("port".into(), Value::Integer(1));
        entry.insert("kind".into(), Value::String("fxo".into()));
        entry.insert("ani".into(), Value::String("2".into()));
        if let Some(Value::Array(ports)) = tree.get_mut("ports") {
            ports.push(Value::Table(entry));
        }
        tree.insert("api".into(), Value::Table(Table::new()));
        document::sync(&mut e.document, &tree);
        assert_eq!(
            e.to_text(),
            "# head\n[sip]\nlisten = \"127.0.0.1:0\" # here\n\n[[ports]]\nport = 0\nkind = \"fxo\"\nani = \"1\"\n\n\
             [[ports]]\nani = \"2\"\nkind = \"fxo\"\nport = 1\n\n# tail\n[board]\nkind = \"simulated\"\n\n[api]\n"
        );
    }
}
