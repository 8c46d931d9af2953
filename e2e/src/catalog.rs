//! The widget's words as a journey expects to read them: the catalogs of `core/locales/`
//! (English the source, one file per language), read as plain JSON so that a journey
//! compares what the reader sees with what the catalog says, not with a copy of it.

use std::path::PathBuf;

use serde_json::Value;

/// The catalog of `tag` (`en`, `ar`, `pt-BR`).
pub fn catalog(tag: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("core")
        .join("locales")
        .join(format!("{tag}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the {tag} catalog {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the {tag} catalog {path:?}: {e}"))
}

/// The entry at `path` (`"widget.posted"`, `"errors.too_long"`) of `catalog`.
pub fn entry<'a>(catalog: &'a Value, path: &str) -> &'a Value {
    let found = path.split('.').fold(catalog, |value, key| &value[key]);
    assert!(!found.is_null(), "the catalog has no {path}");
    found
}

/// The sentence at `path`, which must be a plain sentence (not plural forms).
pub fn words(catalog: &Value, path: &str) -> String {
    entry(catalog, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path} is not a sentence"))
        .to_owned()
}

/// The form of the plural sentence at `path` that a count of `n` takes: the exact form
/// (`"=0"`) when the catalog has one, else the form of `category` (`"one"`, `"few"`…),
/// else `"other"`, as the catalogs are read by the widget and the server.
pub fn plural_form(catalog: &Value, path: &str, n: u64, category: &str) -> String {
    let forms = entry(catalog, path);
    [format!("={n}"), category.to_owned(), "other".to_owned()]
        .iter()
        .find_map(|key| forms[key.as_str()].as_str())
        .unwrap_or_else(|| panic!("{path} has no form for {n} ({category}) and no other"))
        .to_owned()
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}
