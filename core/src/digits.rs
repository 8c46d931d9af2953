//! Whole numbers read from text by one function for every use (an id in a page's address,
//! a stream's event id, a `Retry-After`, a plural form's `=0`, an avatar's hex seed): std's
//! `parse` is a copy of its own per integer type and radix, and the widget had five.

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
}
