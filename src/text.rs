//! Numbers and names as attribute text without `core::fmt`: a thread draws a dozen of them
//! per comment, and `format!`'s machinery was the widget's largest single cost while
//! drawing (about 6 ms of a 1,000-comment thread's first view).

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

/// `"true"` or `"false"`, as ARIA's states are written.
pub fn flag(on: bool) -> &'static str {
    if on {
        "true"
    } else {
        "false"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn flags_are_aria_words() {
        assert_eq!((flag(true), flag(false)), ("true", "false"));
    }
}
