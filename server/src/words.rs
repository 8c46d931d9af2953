//! The server speaks the reader's language. Every catalog of `core/locales/` is compiled in
//! (`build.rs`); each request is answered in the best of them for its `Accept-Language`
//! (the widget sends its own language there), English when none fits. The choice is made
//! once per request by [`in_the_readers_language`] and read anywhere with [`current`]:
//! extractors, handlers and error answers alike.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;
use colloquy_core::messages::{best_language, Locale, Messages, PluralCategory};
use intl_pluralrules::{PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// (tag, JSON) for every catalog, written by `build.rs`.
static LOCALE_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/locales.rs"));

tokio::task_local! {
    static CURRENT: &'static Messages;
}

fn catalogs() -> &'static HashMap<&'static str, Messages> {
    static CATALOGS: OnceLock<HashMap<&'static str, Messages>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        LOCALE_FILES
            .iter()
            .filter_map(|(tag, json)| match serde_json::from_str::<Messages>(json) {
                Ok(messages) => Some((*tag, messages.with_locale(cldr()))),
                Err(error) => {
                    // The catalogs' test keeps this from happening; English still serves.
                    tracing::error!(%tag, %error, "a catalog does not read");
                    None
                }
            })
            .collect()
    })
}

/// The catalog for a language tag, English when there is none for it.
pub fn catalog(tag: &str) -> &'static Messages {
    let all = catalogs();
    best_language(tag)
        .and_then(|tag| all.get(tag))
        .or_else(|| all.get("en"))
        .expect("the English catalog is compiled in")
}

/// The words of the request being answered (English outside one).
pub fn current() -> &'static Messages {
    CURRENT
        .try_with(|messages| *messages)
        .unwrap_or_else(|_| catalog("en"))
}

/// Answers the request in the best language its `Accept-Language` asks for.
pub async fn in_the_readers_language(request: Request, next: Next) -> Response {
    let messages = request
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map_or_else(|| catalog("en"), from_accept_language);
    CURRENT.scope(messages, next.run(request)).await
}

/// The first language of the header, by weight, that has a catalog.
fn from_accept_language(header: &str) -> &'static Messages {
    let mut wanted: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let tag = parts.next().filter(|tag| !tag.is_empty() && *tag != "*")?;
            let weight = parts
                .find_map(|p| p.strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            (weight > 0.0).then_some((weight, tag))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    wanted
        .iter()
        .find_map(|(_, tag)| best_language(tag))
        .map_or_else(|| catalog("en"), catalog)
}

/// CLDR's plural rules (through `intl_pluralrules`), one set per language and thread.
fn cldr() -> Locale {
    Locale {
        plural: |lang, n| {
            thread_local! {
                static RULES: RefCell<HashMap<String, Option<PluralRules>>> =
                    RefCell::new(HashMap::new());
            }
            RULES.with(|rules| {
                let mut rules = rules.borrow_mut();
                let rule = rules.entry(lang.to_owned()).or_insert_with(|| {
                    let id: LanguageIdentifier = lang.parse().ok()?;
                    PluralRules::create(id.clone(), PluralRuleType::CARDINAL)
                        .or_else(|_| {
                            let language: LanguageIdentifier =
                                id.language.as_str().parse().ok().ok_or("no language")?;
                            PluralRules::create(language, PluralRuleType::CARDINAL)
                        })
                        .ok()
                });
                let name = rule
                    .as_ref()
                    .and_then(|rule| rule.select(n).ok())
                    .map_or("other".to_owned(), |category| {
                        format!("{category:?}").to_lowercase()
                    });
                PluralCategory::parse(&name)
            })
        },
        number: |_, n| n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_language_is_chosen_by_weight_and_falls_back_to_english() {
        assert_eq!(from_accept_language("de-AT,de;q=0.9,en;q=0.5").lang, "de");
        assert_eq!(from_accept_language("tlh, fr;q=0.7").lang, "fr");
        assert_eq!(from_accept_language("en;q=0.2, ja").lang, "ja");
        assert_eq!(from_accept_language("tlh").lang, "en");
        assert_eq!(from_accept_language("fr;q=0").lang, "en");
    }

    #[test]
    fn every_language_counts_by_its_own_rules() {
        let arabic = catalog("ar");
        let forms: Vec<String> = [0, 1, 2, 3, 11, 100]
            .iter()
            .map(|n| arabic.api_too_many_requests(*n))
            .collect();
        let distinct: std::collections::HashSet<&String> = forms.iter().collect();
        assert!(
            distinct.len() >= 5,
            "Arabic has more than two forms: {forms:#?}"
        );
        assert!(catalogs().len() >= 36, "{} catalogs", catalogs().len());
    }
}
