//! Which URLs may become links (ARCHITECTURE.md, rule 2): `http`, `https`, `mailto` and relative
//! URLs; nothing else. The decision is made on the string the browser will actually parse,
//! after the clean-up the URL standard performs, so `java\tscript:`, ` javascript:` and
//! `JaVaScRiPt:` are all recognised for what they are.

/// The schemes a link may use.
const ALLOWED_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Returns the href to put in the DOM, or `None` when the URL must not become a link.
pub fn safe_href(raw: &str) -> Option<String> {
    let cleaned = browser_cleaned(raw);
    match scheme_of(&cleaned) {
        Some(scheme) if !ALLOWED_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) => None,
        _ => Some(cleaned),
    }
}

/// What the WHATWG URL parser does before it looks at a URL: drop leading and trailing C0
/// controls and spaces, and remove every tab and newline wherever they are.
fn browser_cleaned(raw: &str) -> String {
    // Every `char` up to a space is ASCII: trimmed as bytes (std's `trim_matches` brings
    // its pattern searcher into the widget).
    let start = raw.bytes().position(|b| b > b' ').unwrap_or(raw.len());
    let end = raw
        .bytes()
        .rposition(|b| b > b' ')
        .map_or(start, |last| last + 1);
    raw[start..end]
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The scheme, if the URL has one: an ASCII letter followed by letters, digits, `+`, `-` or
/// `.`, then `:`. Anything else before the first `:` makes the whole string a relative path.
fn scheme_of(url: &str) -> Option<&str> {
    let (candidate, _) = crate::scan::split_first(url, b':')?;
    let mut chars = candidate.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_urls_pass_unchanged() {
        for url in [
            "https://example.org/a?b=c#d",
            "http://example.org",
            "mailto:someone@example.org",
            "/relative/path",
            "relative",
            "#fragment",
            "?query",
            "//example.org/protocol-relative",
            "HTTPS://EXAMPLE.ORG",
        ] {
            assert_eq!(safe_href(url).as_deref(), Some(url), "{url}");
        }
    }

    #[test]
    fn dangerous_schemes_are_refused_in_every_disguise() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "java\rscript:alert(1)",
            "javascript\t:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "ftp://example.org",
        ] {
            assert_eq!(safe_href(url), None, "{url:?}");
        }
    }

    #[test]
    fn the_cleaned_form_is_what_reaches_the_dom() {
        assert_eq!(
            safe_href("  https://exa\tmple.org \n").as_deref(),
            Some("https://example.org")
        );
    }

    #[test]
    fn colons_after_a_path_do_not_make_a_scheme() {
        assert_eq!(safe_href("1javascript:x").as_deref(), Some("1javascript:x"));
        assert_eq!(
            safe_href("./javascript:x").as_deref(),
            Some("./javascript:x")
        );
    }
}
