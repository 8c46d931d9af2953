//! The widget's words in the reader's language. English is compiled in; any other catalog
//! is a file of its own (`/locales/<tag>.json` on the comment server) fetched when a thread
//! needs it and kept for the page's lifetime, so a reader downloads one language, not 36.
//! Which language: the page's `data-lang`, else its `<html lang>` (the loader passes
//! either), else the browser's languages, else English. Plurals and numbers follow the
//! browser's `Intl.PluralRules` and `Intl.NumberFormat` for that language.

use std::cell::RefCell;

use colloquy_core::messages::{best_language, Locale, Messages, PluralCategory};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::Api;
use crate::json::decode;

thread_local! {
    /// Every catalog read so far, by tag: read once, kept for the page's lifetime (each is
    /// a few kilobytes, and a page uses one or two).
    ///
    /// Lists, not maps: a page holds one or two entries, and the wasm no map's code.
    static CATALOGS: RefCell<Vec<(&'static str, &'static Messages)>> =
        const { RefCell::new(Vec::new()) };
    /// `Intl.PluralRules` and `Intl.NumberFormat`'s `format`, by tag.
    static INTL: RefCell<Vec<(String, Intl)>> =
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
    CATALOGS.with(|all| all.borrow_mut().push((tag, messages)));
    messages
}

/// The catalog for `tag`: at once when it is English or already here, else `None` until
/// its file has arrived (English if it cannot be had: a reader is better served by English
/// words than by none).
#[hook]
pub fn use_catalog(api: &Api, tag: &'static str) -> Option<&'static Messages> {
    let known = if tag == "en" {
        Some(english())
    } else {
        cached(tag)
    };
    // What arrived, for which tag: after a change of language the old words do not count.
    let arrived = use_state(|| None::<(&'static str, &'static Messages)>);
    {
        let arrived = arrived.clone();
        let url = api.locale_url(tag);
        use_effect_with((tag, known.is_some()), move |(tag, known)| {
            if !*known {
                let tag = *tag;
                spawn_local(async move {
                    let messages = match fetch_catalog(&url).await {
                        Some(messages) if messages.lang == tag => keep(tag, messages),
                        _ => {
                            web_sys::console::warn_1(
                                &format!("Colloquy: the {tag} words could not be loaded from {url}; English is shown").into(),
                            );
                            english()
                        }
                    };
                    arrived.set(Some((tag, messages)));
                });
            }
        });
    }
    known.or_else(|| {
        arrived
            .filter(|(asked, _)| *asked == tag)
            .map(|(_, words)| words)
    })
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
            let category = intl(lang)
                .and_then(|(rules, _)| {
                    let select: Function = Reflect::get(&rules, &"select".into())
                        .ok()?
                        .dyn_into()
                        .ok()?;
                    select
                        .call1(&rules, &JsValue::from_f64(n as f64))
                        .ok()?
                        .as_string()
                })
                .unwrap_or_else(|| if n == 1 { "one".into() } else { "other".into() });
            PluralCategory::parse(&category)
        },
        number: |lang, n| {
            intl(lang)
                .and_then(|(_, format)| {
                    format
                        .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
                        .ok()
                })
                .and_then(|text| text.as_string())
                .unwrap_or_else(|| n.to_string())
        },
    }
}

/// A language's `Intl.PluralRules` and bound `Intl.NumberFormat().format`, if it has them.
type Intl = Option<(Object, Function)>;

/// `Intl.PluralRules` and a bound `Intl.NumberFormat().format` for `lang`, made once.
fn intl(lang: &str) -> Intl {
    INTL.with(|all| {
        let mut all = all.borrow_mut();
        if let Some((_, known)) = all.iter().find(|(known, _)| known == lang) {
            return known.clone();
        }
        let locales = Array::of1(&JsValue::from_str(lang));
        let rules = js_sys::Intl::PluralRules::new(&locales, &Object::new());
        let numbers = js_sys::Intl::NumberFormat::new(&locales, &Object::new());
        let made = Some((rules.into(), numbers.format()));
        all.push((lang.to_owned(), made.clone()));
        made
    })
}
