//! Markup that every view repeats, built by one function in the wasm instead of by
//! `html!` at each place it appears. What this saves grows with what an element is given
//! at run time: a button (class, listener, state) is a few hundred bytes of code where
//! `html!` writes it, a call here a few dozen; an element with literal attributes costs
//! little either way (README, "Measuring").

use yew::prelude::*;

/// One of the widget's own buttons (`part="button"`, `type="button"`), with its class, its
/// label and what a click does.
pub fn button(class: &'static str, label: impl Into<Html>, onclick: Callback<MouseEvent>) -> Html {
    button_with(class, label.into(), onclick, false, None, None)
}

/// [`button`] with the state it may carry: `disabled`, and ARIA's `aria-pressed` (a
/// toggle) or `aria-expanded` (what it opens), each left out when `None`.
pub fn button_with(
    class: &'static str,
    label: Html,
    onclick: Callback<MouseEvent>,
    disabled: bool,
    pressed: Option<bool>,
    expanded: Option<bool>,
) -> Html {
    html! {
        <button part="button" type="button" Class={class} {onclick} {disabled}
            aria-pressed={pressed.map(crate::text::flag)}
            aria-expanded={expanded.map(crate::text::flag)}>{label}</button>
    }
}

/// A paragraph of the widget's own words (a status, a notice), with its class and, for a
/// live region, its `role`.
pub fn paragraph(class: &'static str, role: Option<&'static str>, text: impl Into<Html>) -> Html {
    paragraph_of(class, role, text.into())
}

fn paragraph_of(class: &'static str, role: Option<&'static str>, text: Html) -> Html {
    html! { <p Class={class} {role}>{text}</p> }
}

/// A `<span>` with its class around a few words (a badge).
pub fn span(class: &'static str, text: impl Into<Html>) -> Html {
    span_of(class, text.into())
}

fn span_of(class: &'static str, text: Html) -> Html {
    html! { <span Class={class}>{text}</span> }
}
