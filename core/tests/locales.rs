//! Every catalog under `core/locales/` holds exactly what English holds: the same keys, the
//! same placeholders in each text, and, for each text that depends on a number, one form
//! for every plural category the language's CLDR rules use (and none they do not).

use std::collections::BTreeSet;

use colloquy_core::messages::{Messages, ENGLISH_JSON, LANGUAGES};
use intl_pluralrules::{PluralRuleType, PluralRules};
use serde_json::Value;
use unic_langid::LanguageIdentifier;

fn locale_file(tag: &str) -> Result<String, String> {
    let path = format!("{}/locales/{tag}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))
}

/// `{name}`s in a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// The plural categories a language's texts must have, and those they may have.
///
/// Required: every category CLDR gives a whole number (comments and seconds are whole),
/// and `other`, every text's fallback. Allowed besides: the categories CLDR gives decimals,
/// and two changes of CLDR 42 that the rules library here predates but browsers'
/// `Intl.PluralRules` follow: `many` for millions in French, Spanish, Italian, Catalan and
/// Portuguese, and Hebrew's `many`, which was folded into `other`.
fn categories(tag: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let id: LanguageIdentifier = tag.parse().expect("a language tag");
    let rules = PluralRules::create(id.clone(), PluralRuleType::CARDINAL)
        .or_else(|_| {
            let language: LanguageIdentifier = id.language.as_str().parse().unwrap();
            PluralRules::create(language, PluralRuleType::CARDINAL)
        })
        .unwrap_or_else(|e| panic!("no CLDR rules for {tag}: {e}"));
    let name = |category: intl_pluralrules::PluralCategory| format!("{category:?}").to_lowercase();
    let whole = (0..=200u64).chain([1_000, 10_000, 100_000, 1_000_000, 2_000_000, 10_000_000]);
    let mut required: BTreeSet<String> = whole
        .map(|n| name(rules.select(n).expect("a category")))
        .collect();
    required.insert("other".to_owned());
    let mut allowed = required.clone();
    for decimal in [
        "0.5", "1.5", "2.5", "5.5", "11.5", "0.1", "1.1", "2.1", "3.4", "1.0",
    ] {
        allowed.insert(name(rules.select(decimal).expect("a category")));
    }
    let language = id.language.as_str();
    if matches!(language, "fr" | "es" | "it" | "ca" | "pt") {
        allowed.insert("many".to_owned());
    }
    if language == "he" {
        required.remove("many");
    }
    (required, allowed)
}

fn is_plural(value: &Value) -> bool {
    value.as_object().is_some_and(|object| {
        object.contains_key("other")
            && object.values().all(Value::is_string)
            && object.keys().all(|key| {
                key.starts_with('=')
                    || matches!(
                        key.as_str(),
                        "zero" | "one" | "two" | "few" | "many" | "other"
                    )
            })
    })
}

/// Compares `other` with English at `path`, adding each problem to `problems`.
fn compare(tag: &str, path: &str, english: &Value, other: &Value, problems: &mut Vec<String>) {
    match (english, other) {
        (Value::String(source), Value::String(text)) => {
            if path.ends_with(".lang") || path.ends_with(".name") || path.ends_with(".dir") {
                return;
            }
            if placeholders(source) != placeholders(text) {
                problems.push(format!(
                    "{path}: placeholders {:?} instead of {:?}",
                    placeholders(text),
                    placeholders(source)
                ));
            }
            if text.trim().is_empty() {
                problems.push(format!("{path}: empty"));
            }
        }
        (source, Value::Object(forms)) if is_plural(source) => {
            let (required, allowed) = categories(tag);
            let given: BTreeSet<String> = forms
                .keys()
                .filter(|k| !k.starts_with('='))
                .cloned()
                .collect();
            for missing in required.difference(&given) {
                problems.push(format!("{path}: no form for the category {missing}"));
            }
            for extra in given.difference(&allowed) {
                problems.push(format!(
                    "{path}: a form for {extra}, a category {tag} does not use"
                ));
            }
            let needed = placeholders(source["other"].as_str().unwrap_or_default());
            for (key, text) in forms {
                let have = placeholders(text.as_str().unwrap_or_default());
                if key.starts_with('=') {
                    // An exact form may leave its number out ("No comments"), not the rest.
                    let numberless: BTreeSet<String> = needed
                        .iter()
                        .filter(|name| !matches!(name.as_str(), "count" | "seconds" | "max"))
                        .cloned()
                        .collect();
                    if !have.is_subset(&needed) || !numberless.is_subset(&have) {
                        problems.push(format!(
                            "{path}.{key}: placeholders {have:?} instead of {needed:?}"
                        ));
                    }
                } else if have != needed {
                    problems.push(format!(
                        "{path}.{key}: placeholders {have:?} instead of {needed:?}"
                    ));
                }
            }
        }
        (Value::Object(sections), Value::Object(theirs)) => {
            let keys: BTreeSet<&String> = sections.keys().collect();
            let their_keys: BTreeSet<&String> = theirs.keys().collect();
            for missing in keys.difference(&their_keys) {
                problems.push(format!("{path}.{missing}: missing"));
            }
            for extra in their_keys.difference(&keys) {
                problems.push(format!("{path}.{extra}: not a key of the catalog"));
            }
            for key in keys.intersection(&their_keys) {
                compare(
                    tag,
                    &format!("{path}.{key}"),
                    &sections[*key],
                    &theirs[*key],
                    problems,
                );
            }
        }
        _ => problems.push(format!("{path}: not the same kind of value as in English")),
    }
}

#[test]
fn every_locale_is_complete_and_holds_nothing_else() {
    let english: Value = serde_json::from_str(ENGLISH_JSON).unwrap();
    let mut problems = Vec::new();
    for tag in LANGUAGES {
        let text = match locale_file(tag) {
            Ok(text) => text,
            Err(error) => {
                problems.push(error);
                continue;
            }
        };
        let value: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(error) => {
                problems.push(format!("{tag}: not JSON: {error}"));
                continue;
            }
        };
        let mut found = Vec::new();
        compare(tag, tag, &english, &value, &mut found);
        if value["lang"] != Value::String((*tag).to_owned()) {
            found.push(format!("{tag}.lang: {} instead of {tag}", value["lang"]));
        }
        let rtl = matches!(*tag, "ar" | "he" | "fa");
        let dir = if rtl { "rtl" } else { "ltr" };
        if value["dir"] != Value::String(dir.to_owned()) {
            found.push(format!("{tag}.dir: {} instead of {dir}", value["dir"]));
        }
        if let Err(error) = serde_json::from_str::<Messages>(&text) {
            found.push(format!("{tag}: does not read as a catalog: {error}"));
        }
        problems.extend(found);
    }
    println!("{} catalogs checked", LANGUAGES.len());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_check_notices_what_is_wrong() {
    let english: Value = serde_json::from_str(ENGLISH_JSON).unwrap();
    let mut broken = english.clone();
    broken["widget"]["reply_heading"] = Value::String("Reply".into());
    broken["widget"]["comment_count"]["two"] = Value::String("{count} x".into());
    broken["api"]["extra"] = Value::String("x".into());
    broken["errors"].as_object_mut().unwrap().remove("required");
    let mut problems = Vec::new();
    compare("en", "en", &english, &broken, &mut problems);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    let mut arabic = Vec::new();
    compare("ar", "ar", &english, &english, &mut arabic);
    assert!(
        arabic
            .iter()
            .any(|p| p.contains("no form for the category few")),
        "{arabic:#?}"
    );
}

#[test]
fn the_language_list_is_the_files_there_are() {
    let folder = format!("{}/locales", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    files.sort();
    let mut listed: Vec<String> = LANGUAGES.iter().map(|l| (*l).to_owned()).collect();
    listed.sort();
    assert_eq!(files, listed);
    assert!(LANGUAGES.len() >= 36, "English and at least 35 others");
}
