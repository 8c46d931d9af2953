//! Numbers and names as attribute text without `core::fmt`: a thread draws a dozen of them
//! per comment, and `format!`'s machinery was the widget's largest single cost while
//! drawing (about 6 ms of a 1,000-comment thread's first view).

pub use colloquy_core::scan::decimal;

/// `name` when `on`, else nothing: a class that [`class_list`] leaves out when off.
pub fn when(on: bool, name: &'static str) -> &'static str {
    if on {
        name
    } else {
        ""
    }
}

/// `"true"` or `"false"`, as ARIA's states are written.
pub fn flag(on: bool) -> &'static str {
    if on {
        "true"
    } else {
        "false"
    }
}

/// A `class` attribute's value from its parts, the empty ones left out: what Yew's
/// `classes!` gives for these parts, without the ordered set (and its hashing) that
/// `Classes` brings into the wasm. The widget's class names never repeat within a list.
///
/// The views set such a value as `Class={…}`: `html!` turns any `class={…}` that is not a
/// literal into `Classes`, whatever its type, while other names pass as they are, and the
/// DOM lowercases the names of attributes set on HTML elements (`setAttribute`), so the
/// page sees `class`. (Literal classes, `class="…"`, cost nothing and stay as they are.)
pub fn class_list(parts: &[&str]) -> String {
    let mut list = String::new();
    for part in parts.iter().filter(|part| !part.is_empty()) {
        if !list.is_empty() {
            list.push(' ');
        }
        list.push_str(part);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_lists_leave_out_empty_parts() {
        assert_eq!(
            class_list(&["comment", "", "depth-2", ""]),
            "comment depth-2"
        );
        assert_eq!(class_list(&["", ""]), "");
        assert_eq!(class_list(&["one"]), "one");
    }

    #[test]
    fn flags_are_aria_words() {
        assert_eq!((flag(true), flag(false)), ("true", "false"));
    }
}
