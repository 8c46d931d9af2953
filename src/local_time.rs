//! Dates as a reader expects them: in their own time zone and in the thread's language
//! (`data-lang`), e.g. "25 Nov 2026, 18:07" for `en-GB` or "25.11.2026, 18:07" for `de`.
//! Formatting is the browser's `Intl.DateTimeFormat`, which knows every locale; the
//! widget carries no locale data of its own.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A formatted date and the language it is written in.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalTime {
    pub text: String,
    /// The locale the browser actually used (`de-DE` for `de-DE`, the browser's own for an
    /// empty or unusable tag); empty when the date could not be formatted.
    pub lang: String,
}

struct Formatter {
    /// The tag as the page gave it, which is what later look-ups compare with.
    requested: String,
    format: Function,
    resolved: String,
}

thread_local! {
    /// One formatter per tag: building an `Intl.DateTimeFormat` is the costly part of
    /// formatting a date, and a long thread formats thousands.
    static FORMATTERS: RefCell<Vec<Formatter>> = const { RefCell::new(Vec::new()) };
}

/// Unix milliseconds of `rfc3339` as the browser reads it (`Date.parse`); `None` when it
/// cannot. The browser's reading rather than core's `parse_rfc3339`: the widget carries
/// no date arithmetic of its own.
pub fn unix_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    ms.is_finite().then_some(ms)
}

/// `rfc3339` as the reader's local date and time, in `lang` when the browser knows it and
/// in the browser's default language when `lang` is empty or not a valid tag. A date the
/// browser cannot read is shown as it came.
pub fn local_time(rfc3339: &str, lang: &str) -> LocalTime {
    let as_given = || LocalTime {
        text: rfc3339.to_owned(),
        lang: String::new(),
    };
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return as_given();
    }
    FORMATTERS.with(|formatters| {
        let mut formatters = formatters.borrow_mut();
        let index = match formatters.iter().position(|f| f.requested == lang) {
            Some(index) => index,
            None => {
                let Some(formatter) = formatter_for(lang) else {
                    return as_given();
                };
                formatters.push(formatter);
                formatters.len() - 1
            }
        };
        let formatter = &formatters[index];
        formatter
            .format
            .call1(&JsValue::UNDEFINED, &date)
            .ok()
            .and_then(|text| text.as_string())
            .map(|text| LocalTime {
                text,
                lang: formatter.resolved.clone(),
            })
            .unwrap_or_else(as_given)
    })
}

/// `new Intl[name](lang, options)`, or with the browser's default language when `lang` is
/// empty or the constructor refuses it: `Intl` throws a RangeError for a malformed tag such
/// as `en_US` or `!!`, which `Reflect.construct` hands back as an `Err`. `None` when the
/// browser has no such `Intl` constructor.
fn intl(name: &str, lang: &str, options: &Object) -> Option<JsValue> {
    let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let constructor: Function = Reflect::get(&intl, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()?;
    let construct =
        |locales: JsValue| Reflect::construct(&constructor, &Array::of2(&locales, options)).ok();
    let tag = lang.trim();
    if tag.is_empty() {
        None
    } else {
        construct(Array::of1(&JsValue::from_str(tag)).into())
    }
    .or_else(|| construct(JsValue::UNDEFINED))
}

/// A date formatter for `lang` (see [`intl`]).
fn formatter_for(lang: &str) -> Option<Formatter> {
    let options = Object::new();
    Reflect::set(&options, &"dateStyle".into(), &"medium".into()).ok()?;
    Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    let instance = intl("DateTimeFormat", lang, &options)?;
    // `format` is a getter returning a function bound to its formatter.
    let format: Function = Reflect::get(&instance, &JsValue::from_str("format"))
        .ok()?
        .dyn_into()
        .ok()?;
    let resolved = Reflect::get(&instance, &JsValue::from_str("resolvedOptions"))
        .ok()
        .and_then(|method| method.dyn_into::<Function>().ok())
        .and_then(|method| method.call0(&instance).ok())
        .and_then(|options| Reflect::get(&options, &JsValue::from_str("locale")).ok())
        .and_then(|locale| locale.as_string())
        .unwrap_or_default();
    Some(Formatter {
        requested: lang.to_owned(),
        format,
        resolved,
    })
}

struct Relative {
    requested: String,
    instance: JsValue,
    format: Function,
}

thread_local! {
    /// One `Intl.RelativeTimeFormat` per tag, as for dates.
    static RELATIVE: RefCell<Vec<Relative>> = const { RefCell::new(Vec::new()) };
}

/// How long ago `then_ms` was at `now_ms` (both by the server's clock), as a reader says
/// it in `lang`: "now", "5 minutes ago", "yesterday", "last month"… through the browser's
/// `Intl.RelativeTimeFormat` (`numeric: "auto"`). `None` when the browser has no such
/// formatter; the caller then shows the date.
pub fn relative_time(then_ms: f64, now_ms: f64, lang: &str) -> Option<String> {
    let (value, unit) = relative_unit((now_ms - then_ms) / 1000.0);
    RELATIVE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let index = match cache.iter().position(|r| r.requested == lang) {
            Some(index) => index,
            None => {
                cache.push(relative_for(lang)?);
                cache.len() - 1
            }
        };
        let relative = &cache[index];
        relative
            .format
            .call2(
                &relative.instance,
                &JsValue::from_f64(value),
                &JsValue::from_str(unit),
            )
            .ok()?
            .as_string()
    })
}

/// The value (negative: in the past) and unit for an age of `seconds`: the largest unit
/// that makes at least one, rounded down, so "59 minutes ago" never reads "1 hour ago".
/// Under a minute is "now"; a comment from the future (a clock not yet corrected) too.
pub fn relative_unit(seconds: f64) -> (f64, &'static str) {
    const UNITS: [(f64, &str); 6] = [
        (365.0 * 86_400.0, "year"),
        (30.0 * 86_400.0, "month"),
        (7.0 * 86_400.0, "week"),
        (86_400.0, "day"),
        (3_600.0, "hour"),
        (60.0, "minute"),
    ];
    for (length, unit) in UNITS {
        if seconds >= length {
            return (-(seconds / length).floor(), unit);
        }
    }
    (0.0, "second")
}

fn relative_for(lang: &str) -> Option<Relative> {
    let options = Object::new();
    Reflect::set(&options, &"numeric".into(), &"auto".into()).ok()?;
    let instance = intl("RelativeTimeFormat", lang, &options)?;
    let format: Function = Reflect::get(&instance, &JsValue::from_str("format"))
        .ok()?
        .dyn_into()
        .ok()?;
    Some(Relative {
        requested: lang.to_owned(),
        instance,
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::relative_unit;

    #[test]
    fn ages_take_the_largest_whole_unit() {
        assert_eq!(relative_unit(-30.0), (0.0, "second"));
        assert_eq!(relative_unit(59.0), (0.0, "second"));
        assert_eq!(relative_unit(60.0), (-1.0, "minute"));
        assert_eq!(relative_unit(3_599.0), (-59.0, "minute"));
        assert_eq!(relative_unit(3_600.0), (-1.0, "hour"));
        assert_eq!(relative_unit(86_400.0 * 1.5), (-1.0, "day"));
        assert_eq!(relative_unit(86_400.0 * 8.0), (-1.0, "week"));
        assert_eq!(relative_unit(86_400.0 * 400.0), (-1.0, "year"));
    }
}
