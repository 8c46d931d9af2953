//! RFC 3339 timestamps from Unix milliseconds, so neither side needs a date crate (the
//! widget's bytes are precious; the server only ever formats).

use crate::scan::{parse_digits, split_first};

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds).
pub fn format_rfc3339(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let second_of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Unix milliseconds at the start (UTC) of a day written `YYYY-MM-DD`, as an HTML date
/// input gives it; `None` for anything else or a date that does not exist.
pub fn parse_date(text: &str) -> Option<i64> {
    let (year, rest) = split_first(text.trim(), b'-')?;
    let (month, day) = split_first(rest, b'-')?;
    let year = parse_digits(year, 10).and_then(|n| i64::try_from(n).ok())?;
    let month = parse_digits(month, 10).and_then(|n| u32::try_from(n).ok())?;
    let day = parse_digits(day, 10).and_then(|n| u32::try_from(n).ok())?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 31 February and its kind come back as another day: refused.
    (civil_from_days(days) == (year, month, day)).then_some(days * 86_400_000)
}

/// Unix milliseconds of a timestamp written as [`format_rfc3339`] writes it
/// (`YYYY-MM-DDTHH:MM:SSZ`, or with a fraction of a second); `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let (date, time) = split_first(text, b'T')?;
    let time = time.strip_suffix('Z')?;
    let (time, fraction) = split_first(time, b'.').unwrap_or((time, ""));
    let (hours, rest) = split_first(time, b':')?;
    let (minutes, seconds) = split_first(rest, b':')?;
    let field = |part: &str, max: u64| -> Option<i64> {
        let value = parse_digits(part, 10)?;
        (part.len() == 2 && value <= max).then_some(value as i64)
    };
    let (hours, minutes, seconds) = (field(hours, 23)?, field(minutes, 59)?, field(seconds, 60)?);
    // Milliseconds: the fraction's first three digits, padded with zeros ("5" is 500).
    let millis = match fraction.get(..fraction.len().min(3)) {
        Some("") => 0,
        Some(first) if fraction.bytes().all(|b| b.is_ascii_digit()) => {
            parse_digits(first, 10)? as i64 * [100, 10, 1][first.len() - 1]
        }
        _ => return None,
    };
    Some(parse_date(date)? + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis)
}

/// The inverse of [`civil_from_days`], by the same era arithmetic.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01, by the usual era
/// arithmetic: 400-year eras of 146,097 days, with years starting in March so that the
/// leap day falls at the end.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_read_back_as_written() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        let ms = parse_date("2026-11-26").unwrap();
        assert_eq!(format_rfc3339(ms), "2026-11-26T00:00:00Z");
        assert_eq!(
            format_rfc3339(parse_date("2024-02-29").unwrap()),
            "2024-02-29T00:00:00Z"
        );
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn timestamps_read_back_as_written() {
        for ms in [0, 951_782_400_000, 1_795_720_050_000, 4_107_542_400_000] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms));
        }
        assert_eq!(
            parse_rfc3339("2026-11-26T19:07:30.25Z"),
            Some(1_795_720_050_250)
        );
        assert_eq!(parse_rfc3339("2026-11-26T19:07:30"), None);
        assert_eq!(parse_rfc3339("2026-11-26T24:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-11-26 19:07:30Z"), None);
        assert_eq!(parse_rfc3339("soon"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_rfc3339(1_795_720_050_999), "2026-11-26T19:07:30Z");
        assert_eq!(format_rfc3339(-1_000), "1969-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(4_107_542_400_000), "2100-03-01T00:00:00Z");
    }
}
