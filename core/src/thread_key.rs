//! A thread key is chosen by the page (`data-thread`), by default its canonical path. It
//! travels in URLs and logs, so it is limited to the characters a URL path may carry
//! unescaped, plus `%` for paths that were already percent-encoded.

/// The longest key accepted, in bytes.
pub const MAX_THREAD_KEY_LEN: usize = 256;

/// The thread key of a page that names none: its path, with `index.html` (or `.htm`) and a
/// trailing slash removed, so `/post`, `/post/` and `/post/index.html` share one thread. The
/// root stays `/`. Query and fragment never reach here: the loader passes only the path.
pub fn normalize_path(path: &str) -> String {
    let path = path.trim();
    let path = path
        .strip_suffix("index.html")
        .or_else(|| path.strip_suffix("index.htm"))
        .filter(|rest| rest.ends_with('/'))
        .unwrap_or(path);
    let trimmed = crate::scan::trim_end_byte(path, b'/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        ["/", trimmed].concat()
    }
}

/// Why a key was refused; the catalog (`Messages::thread_key`) words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadKeyError {
    Empty,
    TooLong,
    InvalidCharacter,
}

pub fn check_thread_key(key: &str) -> Result<(), ThreadKeyError> {
    if key.is_empty() {
        return Err(ThreadKeyError::Empty);
    }
    if key.len() > MAX_THREAD_KEY_LEN {
        return Err(ThreadKeyError::TooLong);
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=%".contains(&b);
    if !key.bytes().all(allowed) {
        return Err(ThreadKeyError::InvalidCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_slugs_are_keys() {
        for key in ["/blog/hello-world/", "post-42", "/caf%C3%A9", "a:b@c"] {
            assert_eq!(check_thread_key(key), Ok(()), "{key}");
        }
    }

    #[test]
    fn one_page_one_thread() {
        for path in [
            "/post",
            "/post/",
            "/post/index.html",
            "/post/index.htm",
            "/post//",
        ] {
            assert_eq!(normalize_path(path), "/post", "{path}");
        }
        for path in ["/", "", "/index.html", "//"] {
            assert_eq!(normalize_path(path), "/", "{path:?}");
        }
        assert_eq!(normalize_path("/blog/my-index.html"), "/blog/my-index.html");
        assert_eq!(normalize_path("post"), "/post");
    }

    #[test]
    fn odd_keys_are_refused() {
        assert_eq!(check_thread_key(""), Err(ThreadKeyError::Empty));
        assert_eq!(
            check_thread_key(&"a".repeat(257)),
            Err(ThreadKeyError::TooLong)
        );
        for key in [
            "a b", "<script>", "a\"b", "a\\b", "a?b", "a#b", "café", "a\nb",
        ] {
            assert_eq!(
                check_thread_key(key),
                Err(ThreadKeyError::InvalidCharacter),
                "{key:?}"
            );
        }
    }
}
