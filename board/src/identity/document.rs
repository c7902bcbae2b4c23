//! Reading a TOML table key by key, so that every error names its key. (Derived
//! `serde` deserialisation reports the missing field's parent, not the field, and
//! cannot say which array element broke a rule.)

use std::path::PathBuf;

use toml::{Table, Value};

use super::DescriptionError;

/// One TOML table and its dotted path from the document root.
#[derive(Debug)]
pub(super) struct Section<'a> {
    path: String,
    table: &'a Table,
}

impl<'a> Section<'a> {
    pub(super) fn root(table: &'a Table) -> Self {
        Self {
            path: String::new(),
            table,
        }
    }

    pub(super) fn key(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// Refuse keys outside `known`.
    pub(super) fn only(&self, known: &[&str]) -> Result<(), DescriptionError> {
        match self.table.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(DescriptionError::UnknownKey {
                key: self.key(unknown),
            }),
            None => Ok(()),
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.table.get(name)
    }

    fn required(&self, name: &str) -> Result<&'a Value, DescriptionError> {
        self.get(name).ok_or_else(|| DescriptionError::MissingKey {
            key: self.key(name),
        })
    }

    pub(super) fn string(&self, name: &str) -> Result<&'a str, DescriptionError> {
        as_str(self.required(name)?, &self.key(name))
    }

    pub(super) fn optional_string(&self, name: &str) -> Result<Option<&'a str>, DescriptionError> {
        self.get(name)
            .map(|v| as_str(v, &self.key(name)))
            .transpose()
    }

    pub(super) fn optional_path(&self, name: &str) -> Result<Option<PathBuf>, DescriptionError> {
        self.optional_string(name)?
            .map(|text| absolute_path(text, &self.key(name)))
            .transpose()
    }

    pub(super) fn path(&self, name: &str) -> Result<PathBuf, DescriptionError> {
        absolute_path(self.string(name)?, &self.key(name))
    }

    pub(super) fn integer(&self, name: &str) -> Result<i64, DescriptionError> {
        match self.required(name)? {
            Value::Integer(n) => Ok(*n),
            other => Err(wrong_type(&self.key(name), "an integer", other)),
        }
    }

    pub(super) fn optional_bool(&self, name: &str) -> Result<Option<bool>, DescriptionError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(&self.key(name), "true or false", other)),
        }
    }

    pub(super) fn optional_section(
        &self,
        name: &str,
    ) -> Result<Option<Section<'a>>, DescriptionError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Table(table)) => Ok(Some(Section {
                path: self.key(name),
                table,
            })),
            Some(other) => Err(wrong_type(&self.key(name), "a table", other)),
        }
    }

    pub(super) fn section(&self, name: &str) -> Result<Section<'a>, DescriptionError> {
        self.optional_section(name)?
            .ok_or_else(|| DescriptionError::MissingKey {
                key: self.key(name),
            })
    }

    /// An array, as `(key of element, element)` pairs (`ports.kinds[2]`).
    pub(super) fn optional_array(
        &self,
        name: &str,
    ) -> Result<Option<Vec<(String, &'a Value)>>, DescriptionError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{}[{i}]", self.key(name)), v))
                    .collect(),
            )),
            Some(other) => Err(wrong_type(&self.key(name), "an array", other)),
        }
    }

    /// An array of tables (`[[devices.gpio.hook_relay]]`).
    pub(super) fn optional_tables(&self, name: &str) -> Result<Vec<Section<'a>>, DescriptionError> {
        let Some(items) = self.optional_array(name)? else {
            return Ok(Vec::new());
        };
        items
            .into_iter()
            .map(|(path, value)| match value {
                Value::Table(table) => Ok(Section { path, table }),
                other => Err(wrong_type(&path, "a table", other)),
            })
            .collect()
    }

    pub(super) fn invalid(&self, name: &str, reason: impl Into<String>) -> DescriptionError {
        invalid(
            &self.key(name),
            self.get(name).map_or_else(String::new, Value::to_string),
            reason,
        )
    }
}

pub(super) fn as_str<'v>(value: &'v Value, key: &str) -> Result<&'v str, DescriptionError> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(key, "a string", other)),
    }
}

fn absolute_path(text: &str, key: &str) -> Result<PathBuf, DescriptionError> {
    let path = PathBuf::from(text);
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(invalid(
            key,
            format!("{text:?}"),
            "must be an absolute path",
        ))
    }
}

pub(super) fn wrong_type(key: &str, expected: &'static str, found: &Value) -> DescriptionError {
    DescriptionError::WrongType {
        key: key.to_owned(),
        expected,
        found: found.type_str(),
    }
}

pub(super) fn invalid(key: &str, value: String, reason: impl Into<String>) -> DescriptionError {
    DescriptionError::InvalidValue {
        key: key.to_owned(),
        value,
        reason: reason.into(),
    }
}
