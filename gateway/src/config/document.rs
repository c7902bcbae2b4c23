//! The operator's configuration file as a document (`toml_edit`): comments,
//! blank lines, key order, quoting and layout as written. [`sync`] brings it
//! in step with a tree of values (the console's edited configuration) by
//! changing only what differs:
//!
//! - a value that changed is replaced in place, keeping the comment after it;
//! - a key that is gone is removed (with the comment lines above it);
//! - a new key is added at the end of its table, a new table or array entry
//!   after the ones before it, after a blank line (its keys in the tree's
//!   order, which is alphabetical);
//! - arrays of inline tables (`script = [{ .. }, ..]`) and inline tables are
//!   walked entry by entry, so one changed field keeps the rest's layout.

use toml::Value;
use toml_edit::{DocumentMut, Item, TableLike};

/// Make `document` hold the values of `tree`, changing only what differs.
pub(crate) fn sync(document: &mut DocumentMut, tree: &toml::Table) {
    sync_table(document.as_table_mut(), tree, false);
}

fn sync_table(table: &mut dyn TableLike, target: &toml::Table, inline: bool) {
    let gone: Vec<String> = table
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| !target.contains_key(k))
        .collect();
    for key in gone {
        table.remove(&key);
    }
    for (key, value) in target {
        match table.get_mut(key) {
            Some(item) => sync_item(item, value),
            None => {
                if let Some(item) = new_item(value, inline) {
                    table.insert(key, item);
                }
            }
        }
    }
}

fn sync_item(item: &mut Item, target: &Value) {
    match (item, target) {
        (Item::Table(table), Value::Table(t)) => sync_table(table, t, false),
        (Item::ArrayOfTables(array), Value::Array(entries))
            if entries.iter().all(Value::is_table) =>
        {
            while array.len() > entries.len() {
                array.remove(array.len() - 1);
            }
            for (i, entry) in entries.iter().enumerate() {
                let Some(t) = entry.as_table() else { continue };
                match array.get_mut(i) {
                    Some(table) => sync_table(table, t, false),
                    None => {
                        if let Some(Item::Table(table)) = new_item(entry, false) {
                            array.push(table);
                        }
                    }
                }
            }
        }
        (Item::Value(value), target) => sync_value(value, target),
        (item, target) => {
            if let Some(new) = new_item(target, false) {
                *item = new;
            }
        }
    }
}

fn sync_value(value: &mut toml_edit::Value, target: &Value) {
    if plain(value).as_ref() == Some(target) {
        return;
    }
    match (&mut *value, target) {
        (toml_edit::Value::InlineTable(table), Value::Table(t)) => {
            sync_table(table, t, true);
            return;
        }
        (toml_edit::Value::Array(array), Value::Array(entries)) if array.len() == entries.len() => {
            for (i, entry) in entries.iter().enumerate() {
                if let Some(v) = array.get_mut(i) {
                    sync_value(v, entry);
                }
            }
            return;
        }
        _ => {}
    }
    if let Some(Item::Value(mut new)) = new_item(target, true) {
        *new.decor_mut() = value.decor().clone();
        *value = new;
    }
}

/// A value as plain data, to compare with the tree's.
fn plain(value: &toml_edit::Value) -> Option<Value> {
    let mut bare = value.clone();
    bare.decor_mut().clear();
    let mut table: toml::Table = format!("v = {bare}").parse().ok()?;
    table.remove("v")
}

/// `value` written as TOML would write it, with no place in any document yet
/// (so new tables follow the table before them). `inline`: as a value inside
/// an inline table or array.
fn new_item(value: &Value, inline: bool) -> Option<Item> {
    let mut holder = toml::Table::new();
    holder.insert("v".into(), value.clone());
    let text = toml::to_string(&holder).ok()?;
    let mut doc: DocumentMut = text.parse().ok()?;
    let mut item = doc.as_table_mut().remove("v")?;
    if inline {
        item = Item::Value(item.into_value().ok()?);
    }
    unplace(&mut item);
    Some(item)
}

/// No place in a document, and a blank line before each table header.
fn unplace(item: &mut Item) {
    match item {
        Item::Table(table) => {
            table.set_position(None);
            table.decor_mut().set_prefix("\n");
            for (_, child) in table.iter_mut() {
                unplace(child);
            }
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter_mut() {
                table.set_position(None);
                table.decor_mut().set_prefix("\n");
                for (_, child) in table.iter_mut() {
                    unplace(child);
                }
            }
        }
        Item::None | Item::Value(_) => {}
    }
}
