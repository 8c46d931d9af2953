//! The widget's words in the reader's language. English is compiled in; any other catalog
//! is a file of its own (`/locales/<tag>.json` on the comment server) fetched when a thread
//! needs it and kept for the page's lifetime, so a reader downloads one language, not 36.
//! Which language: the page's `data-lang`, else its `<html lang>` (the loader passes
//! either), else the browser's languages, else English. Plurals and numbers follow the
//! browser's `Intl.PluralRules` and `Intl.NumberFormat` for that language.

use std::cell::RefCell;

use colloquy_core::messages::{best_language, Locale, Messages, PluralCategory};
use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::Api;
use crate::hooks::use_effect_when;
use crate::json::decode;

thread_local! {
    /// Every catalog read so far, by tag: read once, kept for the page's lifetime (each is
    /// a few kilobytes, and a page uses one or two).
    ///
    /// Lists, not maps: a page holds one or two entries, and the wasm no map's code.
    static CATALOGS: RefCell<Vec<(&'static str, &'static Messages)>> =
        const { RefCell::new(Vec::new()) };
    /// `Intl.PluralRules`, by tag.
    static PLURAL_RULES: RefCell<Vec<(String, js_sys::Intl::PluralRules)>> =
        const { RefCell::new(Vec::new()) };
    /// `Intl.NumberFormat`'s `format`, by tag (made only for a number it is needed for).
    static NUMBER_FORMATS: RefCell<Vec<(String, Function)>> =
        const { RefCell::new(Vec::new()) };
}

/// The catalog of the tag that names one, or English.
pub fn language(requested: &str) -> &'static str {
    if let Some(tag) = best_language(requested) {
        return tag;
    }
    let browser: Vec<String> = web_sys::window()
        .map(|window| window.navigator().languages())
        .map(|languages| languages.iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    browser
        .iter()
        .find_map(|tag| best_language(tag))
        .unwrap_or("en")
}

/// `core/locales/en.json` without the server's sections (see `build.rs`).
const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.json"));

/// English, compiled in.
pub fn english() -> &'static Messages {
    if let Some(known) = cached("en") {
        return known;
    }
    // The text is part of this build, and core's tests read it as a catalog.
    let messages: Messages = decode(ENGLISH).expect("the built-in English catalog");
    keep("en", messages)
}

fn cached(tag: &str) -> Option<&'static Messages> {
    CATALOGS.with(|all| {
        all.borrow()
            .iter()
            .find(|(known, _)| *known == tag)
            .map(|(_, messages)| *messages)
    })
}

fn keep(tag: &'static str, messages: Messages) -> &'static Messages {
    let messages: &'static Messages = Box::leak(Box::new(messages.with_locale(browser_locale())));
    remember(tag, messages)
}

fn remember(tag: &'static str, messages: &'static Messages) -> &'static Messages {
    CATALOGS.with(|all| all.borrow_mut().push((tag, messages)));
    messages
}

/// The catalog for `tag`: at once when it is English or already here, else `None` until
/// its file has arrived (English if it cannot be had: a reader is better served by English
/// words than by none). Either way it is kept for the page's lifetime under `tag`, so
/// another thread in that language asks for nothing, and the component is drawn again.
#[hook]
pub fn use_catalog(api: &Api, tag: &'static str) -> Option<&'static Messages> {
    let known = if tag == "en" {
        Some(english())
    } else {
        cached(tag)
    };
    let redraw = use_force_update();
    let url = api.locale_url(tag);
    use_effect_when((tag, known.is_some()), move |(tag, known)| {
        if !*known {
            let tag = *tag;
            spawn_local(async move {
                match fetch_catalog(&url).await {
                    Some(messages) if messages.lang == tag => keep(tag, messages),
                    _ => {
                        web_sys::console::warn_1(
                            &[
                                "Colloquy: the ",
                                tag,
                                " words could not be loaded from ",
                                &url,
                                "; English is shown",
                            ]
                            .concat()
                            .into(),
                        );
                        remember(tag, english())
                    }
                };
                redraw.force_update();
            });
        }
    });
    known
}

async fn fetch_catalog(url: &str) -> Option<Messages> {
    let window = web_sys::window()?;
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
    if !response.ok() {
        return None;
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    decode(&text)
}

/// The browser's rules for plurals and numbers in a language.
fn browser_locale() -> Locale {
    Locale {
        plural: |lang, n| {
            let category = String::from(plural_rules(lang).select(n as f64));
            PluralCategory::parse(&category)
        },
        number: |lang, n| {
            if n < 1000 && writes_latin_digits(lang) {
                return crate::text::decimal(n as i64);
            }
            number_format(lang)
                .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
                .ok()
                .and_then(|text| text.as_string())
                .unwrap_or_else(|| crate::text::decimal(n.min(i64::MAX as u64) as i64))
        },
    }
}

/// The catalogs' languages whose numbers the browser may write in digits of their own
/// (Persian ۴۲; Arabic ٤٢ in some browsers and regions).
pub const OWN_DIGITS: [&str; 2] = ["ar", "fa"];

/// Whether `lang` (a catalog's tag) writes numbers in Latin digits, so that a number below
/// 1,000, which no language groups, reads as its plain digits. Those are most of the
/// numbers a thread shows (counts, likes), and they are then written without the page's
/// first `Intl.NumberFormat`, whose making was the largest single cost before the first
/// comment on a slow phone (about 50 ms). The widget's browser tests check this list
/// against the browser's own formatting for every catalog.
pub fn writes_latin_digits(lang: &str) -> bool {
    let language = colloquy_core::scan::before(lang, b'-');
    !OWN_DIGITS.contains(&language)
}

/// `Intl.PluralRules` for `lang`, made once.
fn plural_rules(lang: &str) -> js_sys::Intl::PluralRules {
    made_once(&PLURAL_RULES, lang, |locales| {
        js_sys::Intl::PluralRules::new(locales, &Object::new())
    })
}

/// A bound `Intl.NumberFormat().format` for `lang`, made once.
fn number_format(lang: &str) -> Function {
    made_once(&NUMBER_FORMATS, lang, |locales| {
        js_sys::Intl::NumberFormat::new(locales, &Object::new()).format()
    })
}

type MadeOnce<T> = std::thread::LocalKey<RefCell<Vec<(String, T)>>>;

/// The value `cache` keeps for `lang`, made by `make` (given `[lang]` as the locales) the
/// first time it is asked for.
fn made_once<T: Clone>(
    cache: &'static MadeOnce<T>,
    lang: &str,
    make: impl FnOnce(&Array) -> T,
) -> T {
    cache.with(|all| {
        let mut all = all.borrow_mut();
        if let Some((_, known)) = all.iter().find(|(known, _)| known == lang) {
            return known.clone();
        }
        let made = make(&Array::of1(&JsValue::from_str(lang)));
        all.push((lang.to_owned(), made.clone()));
        made
    })
}
