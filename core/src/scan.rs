//! Text taken apart and numbers written by hand, for the code the widget shares (the
//! widget then carries neither `core::fmt` nor std's parsers): whole numbers read by one
//! function for every use (an id in a page's address, a stream's event id, a `Retry-After`,
//! a plural form's `=0`, an avatar's hex seed, a timestamp's fields), where std's `parse` is
//! a copy of its own per integer type and radix; and text split at an ASCII separator by
//! bytes, where std's `split`, `find` and `trim_matches` with a `char` each bring its
//! pattern searcher (and `memchr`) into the wasm. An ASCII byte never occurs inside a
//! multi-byte UTF-8 sequence, so every split falls on a character boundary.

/// The number `text` writes in `radix` (2 to 36) with its digits alone: no sign, no
/// spaces, no `0x`. `None` for anything else, for no digits at all, and past `u64::MAX`.
pub fn parse_digits(text: &str, radix: u32) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.chars().try_fold(0u64, |number, c| {
        number
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(c.to_digit(radix)?))
    })
}

/// `text` split around its first `separator` (an ASCII byte), as `split_once` would.
pub fn split_first(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|byte| byte == separator)?;
    Some((&text[..at], &text[at + 1..]))
}

/// `text` split around its last `separator` (an ASCII byte), as `rsplit_once` would.
pub fn split_last(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = text.bytes().rposition(|byte| byte == separator)?;
    Some((&text[..at], &text[at + 1..]))
}

/// What comes before the first `separator`: all of `text` when there is none.
pub fn before(text: &str, separator: u8) -> &str {
    split_first(text, separator).map_or(text, |(head, _)| head)
}

/// The pieces between `separator`s, as `split(…).collect()` gives them (empty ones too).
pub fn pieces(mut text: &str, separator: u8) -> Vec<&str> {
    let mut pieces = Vec::new();
    while let Some((piece, rest)) = split_first(text, separator) {
        pieces.push(piece);
        text = rest;
    }
    pieces.push(text);
    pieces
}

/// `text` without the `byte`s (ASCII) it ends with, as `trim_end_matches` would.
pub fn trim_end_byte(text: &str, byte: u8) -> &str {
    let kept = text
        .bytes()
        .rposition(|b| b != byte)
        .map_or(0, |last| last + 1);
    &text[..kept]
}

/// `n` in decimal, as `n.to_string()` writes it.
pub fn decimal(n: i64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut text = String::with_capacity(digits.len() - at + 1);
    if n < 0 {
        text.push('-');
    }
    text.extend(digits[at..].iter().map(|&digit| char::from(digit)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_alone_make_a_number() {
        assert_eq!(parse_digits("0", 10), Some(0));
        assert_eq!(parse_digits("1234", 10), Some(1234));
        assert_eq!(parse_digits("007", 10), Some(7));
        assert_eq!(parse_digits("ff", 16), Some(255));
        assert_eq!(parse_digits("8F3a", 16), Some(0x8f3a));
        assert_eq!(parse_digits("18446744073709551615", 10), Some(u64::MAX));
    }

    #[test]
    fn anything_else_is_none() {
        for text in ["", "+1", "-1", " 1", "1 ", "1.5", "12a", "0x1f", "١٢"] {
            assert_eq!(parse_digits(text, 10), None, "{text:?}");
        }
        assert_eq!(parse_digits("fg", 16), None);
        assert_eq!(
            parse_digits("18446744073709551616", 10),
            None,
            "past u64::MAX"
        );
        assert_eq!(parse_digits("10000000000000000", 16), None, "past u64::MAX");
    }

    #[test]
    fn splits_agree_with_std() {
        for text in ["", "a", "-", "a-b", "-a-", "a--b-", "ä-ö-ü", "no separator"] {
            assert_eq!(split_first(text, b'-'), text.split_once('-'), "{text:?}");
            assert_eq!(split_last(text, b'-'), text.rsplit_once('-'), "{text:?}");
            assert_eq!(
                before(text, b'-'),
                text.split('-').next().unwrap(),
                "{text:?}"
            );
            assert_eq!(
                pieces(text, b'-'),
                text.split('-').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        for text in ["", "/", "///", "a/", "a//", "/a", "é/", "a/b"] {
            assert_eq!(
                trim_end_byte(text, b'/'),
                text.trim_end_matches('/'),
                "{text:?}"
            );
        }
    }

    #[test]
    fn decimals_are_written_as_rust_writes_them() {
        for n in [
            0,
            7,
            10,
            99,
            1_000,
            123_456_789,
            -1,
            -42,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
