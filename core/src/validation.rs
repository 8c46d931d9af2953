use serde::{Deserialize, Serialize};

use crate::messages::Messages;
use crate::model::NewComment;
use crate::rules::{FieldRule, FormRules};
use crate::scan::{pieces, split_last};

/// The form fields a reader fills in, plus the two the client fills in for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Field {
    Name,
    Email,
    Website,
    Body,
    ParentId,
    IdempotencyKey,
}

impl Field {
    /// The name used in the API and in the form's `name` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Website => "website",
            Field::Body => "body",
            Field::ParentId => "parent_id",
            Field::IdempotencyKey => "idempotency_key",
        }
    }

    /// The field of an API name ([`Field::as_str`]).
    pub fn parse(name: &str) -> Option<Field> {
        [
            Field::Name,
            Field::Email,
            Field::Website,
            Field::Body,
            Field::ParentId,
            Field::IdempotencyKey,
        ]
        .into_iter()
        .find(|field| field.as_str() == name)
    }
}

/// Stable codes: the widget chooses its words by code, so the server's English message is
/// only a fallback for other API clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    Required,
    TooLong,
    InvalidEmail,
    InvalidUrl,
    InvalidCharacters,
    UnknownParent,
    InvalidKey,
    /// A name that belongs to one of the site's owners.
    Reserved,
    /// A body whose markdown would draw too many nodes (decided by the server's parser).
    TooMuchFormatting,
}

impl ErrorCode {
    /// The code's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::TooLong => "too_long",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidUrl => "invalid_url",
            ErrorCode::InvalidCharacters => "invalid_characters",
            ErrorCode::UnknownParent => "unknown_parent",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::Reserved => "reserved",
            ErrorCode::TooMuchFormatting => "too_much_formatting",
        }
    }

    /// The code of an API name; `None` for one this build does not know.
    pub fn parse(name: &str) -> Option<ErrorCode> {
        [
            ErrorCode::Required,
            ErrorCode::TooLong,
            ErrorCode::InvalidEmail,
            ErrorCode::InvalidUrl,
            ErrorCode::InvalidCharacters,
            ErrorCode::UnknownParent,
            ErrorCode::InvalidKey,
            ErrorCode::Reserved,
            ErrorCode::TooMuchFormatting,
        ]
        .into_iter()
        .find(|code| code.as_str() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: Field,
    pub code: ErrorCode,
    pub message: String,
}

/// A comment that passed every rule, trimmed and ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidComment {
    pub parent_id: Option<i64>,
    pub name: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: String,
    pub idempotency_key: String,
}

/// Checks one field on its own, as the form does when the reader leaves it.
pub fn check_field(field: Field, value: &str, rules: &FormRules) -> Option<ErrorCode> {
    let value = value.trim();
    let rule = match field {
        Field::Name => rules.name,
        Field::Email => rules.email,
        Field::Website => rules.website,
        Field::Body => rules.body,
        Field::IdempotencyKey => return check_idempotency_key(value),
        Field::ParentId => return None,
    };
    if let Some(code) = check_presence_and_length(value, rule) {
        return Some(code);
    }
    if value.is_empty() {
        return None;
    }
    match field {
        Field::Name if value.chars().any(char::is_control) => Some(ErrorCode::InvalidCharacters),
        Field::Email if !is_plausible_email(value) => Some(ErrorCode::InvalidEmail),
        Field::Website if !is_web_url(value) => Some(ErrorCode::InvalidUrl),
        _ => None,
    }
}

/// Checks a whole submission and returns every field error at once, so the reader fixes
/// everything in one pass instead of meeting the errors one by one.
pub fn validate_new_comment(
    input: &NewComment,
    rules: &FormRules,
    messages: &Messages,
) -> Result<ValidComment, Vec<FieldError>> {
    let fields = [
        (Field::Name, input.name.as_str()),
        (Field::Email, input.email.as_str()),
        (Field::Website, input.website.as_str()),
        (Field::Body, input.body.as_str()),
        (Field::IdempotencyKey, input.idempotency_key.as_str()),
    ];
    let errors: Vec<FieldError> = fields
        .iter()
        .filter_map(|&(field, value)| {
            check_field(field, value, rules).map(|code| FieldError {
                field,
                code,
                message: messages.field_error(field, code, rules),
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let optional = |value: &str| {
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    Ok(ValidComment {
        parent_id: input.parent_id,
        name: input.name.trim().to_owned(),
        email: optional(&input.email),
        website: optional(&input.website),
        body: input.body.trim().to_owned(),
        idempotency_key: input.idempotency_key.trim().to_owned(),
    })
}

fn check_presence_and_length(value: &str, rule: FieldRule) -> Option<ErrorCode> {
    if value.is_empty() {
        return rule.required.then_some(ErrorCode::Required);
    }
    // Counting stops one past the limit, so a megabyte of text costs no more than the limit.
    (value.chars().take(rule.max_len + 1).count() > rule.max_len).then_some(ErrorCode::TooLong)
}

/// Keys are made by clients (the widget uses 32 hex digits); anything outside a short
/// token alphabet is refused so a key can never carry surprises into logs or storage.
fn check_idempotency_key(value: &str) -> Option<ErrorCode> {
    if value.is_empty() {
        return Some(ErrorCode::Required);
    }
    let well_formed = value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!well_formed).then_some(ErrorCode::InvalidKey)
}

/// A deliberately plain check: one `@`, a sensible local part, and a domain of at least two
/// dot-separated labels. Real deliverability is only known by sending mail; this catches
/// the typos a reader can fix.
pub fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = split_last(value, b'@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        // No two dots in a row (compared as bytes: a search for a text pattern is a
        // kilobyte of the widget's code, and nothing else there needs it).
        && !local.as_bytes().windows(2).any(|pair| pair == b"..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !is_email_special(c));
    let labels = pieces(domain, b'.');
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    // Any non-ASCII letter passes, so only ASCII is checked by kind: Unicode's
                    // letter and digit tables cost the widget 2 KB gzipped and decide nothing.
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    local_ok && domain_ok
}

/// The characters an address's local part may not hold unquoted. (Matched one by one:
/// `"…".contains(c)` looks for a non-ASCII `char` as a text, which brings a substring
/// search into the widget, and the same goes for the checks below.)
fn is_email_special(c: char) -> bool {
    matches!(
        c,
        '(' | ')' | '<' | '>' | '[' | ']' | '\\' | ',' | ';' | ':' | '"' | '@'
    )
}

/// Only `http` and `https` addresses with a host, and nothing a browser would silently
/// strip or reinterpret (spaces, control characters).
pub fn is_web_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &value[8..]
    } else if lower.starts_with("http://") {
        &value[7..]
    } else {
        return false;
    };
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    // `user@host` hides the real host behind a harmless-looking name; no author needs it.
    let host = split_last(authority, b':').map_or(authority, |(host, port)| {
        if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            host
        } else {
            authority
        }
    });
    !host.is_empty()
        && !authority.bytes().any(|b| b == b'@')
        && !host.starts_with('.')
        // As for an address's domain: non-ASCII passes, ASCII is checked by kind.
        && host.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '[' | ']' | ':') || !c.is_ascii()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{Messages, ENGLISH_JSON};

    fn english() -> Messages {
        serde_json::from_str(ENGLISH_JSON).unwrap()
    }

    fn valid_input() -> NewComment {
        NewComment {
            parent_id: None,
            name: "Ada".into(),
            email: "ada@example.org".into(),
            website: String::new(),
            body: "Hello".into(),
            idempotency_key: "k1".into(),
            ..NewComment::default()
        }
    }

    fn codes(input: &NewComment) -> Vec<(Field, ErrorCode)> {
        match validate_new_comment(input, &FormRules::default(), &english()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    #[test]
    fn a_complete_comment_passes_and_is_trimmed() {
        let mut input = valid_input();
        input.name = "  Ada  ".into();
        input.website = " https://ada.example ".into();
        let valid = validate_new_comment(&input, &FormRules::default(), &english()).unwrap();
        assert_eq!(valid.name, "Ada");
        assert_eq!(valid.website.as_deref(), Some("https://ada.example"));
        assert_eq!(valid.email.as_deref(), Some("ada@example.org"));
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let input = NewComment {
            idempotency_key: "k".into(),
            ..NewComment::default()
        };
        assert_eq!(
            codes(&input),
            vec![
                (Field::Name, ErrorCode::Required),
                (Field::Email, ErrorCode::Required),
                (Field::Body, ErrorCode::Required),
            ]
        );
    }

    #[test]
    fn whitespace_only_counts_as_empty() {
        let mut input = valid_input();
        input.name = " \t\n ".into();
        input.body = "\n\n   ".into();
        assert_eq!(
            codes(&input),
            vec![
                (Field::Name, ErrorCode::Required),
                (Field::Body, ErrorCode::Required)
            ]
        );
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let rules = FormRules::default();
        let mut input = valid_input();
        input.name = "é".repeat(80);
        assert!(codes(&input).is_empty());
        input.name = "é".repeat(81);
        assert_eq!(codes(&input), vec![(Field::Name, ErrorCode::TooLong)]);
        input = valid_input();
        input.body = "x".repeat(rules.body.max_len);
        assert!(codes(&input).is_empty());
        input.body.push('y');
        assert_eq!(codes(&input), vec![(Field::Body, ErrorCode::TooLong)]);
    }

    #[test]
    fn rules_from_the_site_owner_are_followed() {
        let mut rules = FormRules::default();
        rules.email.required = false;
        rules.name.max_len = 3;
        let mut input = valid_input();
        input.email.clear();
        input.name = "Adam".into();
        let errors = validate_new_comment(&input, &rules, &english()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, ErrorCode::TooLong);
        assert!(errors[0].message.contains('3'), "{}", errors[0].message);
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@mail.example.org", "x@bücher.de"] {
            assert!(is_plausible_email(good), "{good}");
        }
        for bad in [
            "plain",
            "@example.org",
            "a@",
            "a@localhost",
            "a b@example.org",
            "a@exa mple.org",
            ".a@example.org",
            "a..b@example.org",
            "a@-example.org",
            "a@example..org",
            "a@1.2",
            "a@b@c.org",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn websites_are_http_or_https_only() {
        for good in [
            "https://example.org",
            "HTTP://Example.org/path?q=1#x",
            "https://example.org:8443/",
            "https://[::1]/",
        ] {
            assert!(is_web_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org",
            "example.org",
            "https://",
            "https:///path",
            "https://exa mple.org",
            "https://good.example@evil.example",
            "data:text/html,hi",
            "https://example.org/\u{0}",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn names_cannot_hold_control_characters() {
        let mut input = valid_input();
        input.name = "Ada\nLovelace".into();
        assert_eq!(
            codes(&input),
            vec![(Field::Name, ErrorCode::InvalidCharacters)]
        );
    }

    #[test]
    fn idempotency_keys_are_short_tokens() {
        let mut input = valid_input();
        input.idempotency_key = "has space".into();
        assert_eq!(
            codes(&input),
            vec![(Field::IdempotencyKey, ErrorCode::InvalidKey)]
        );
        input.idempotency_key = "a".repeat(65);
        assert_eq!(
            codes(&input),
            vec![(Field::IdempotencyKey, ErrorCode::InvalidKey)]
        );
        input.idempotency_key.clear();
        assert_eq!(
            codes(&input),
            vec![(Field::IdempotencyKey, ErrorCode::Required)]
        );
    }

    #[test]
    fn codes_and_fields_serialize_in_snake_case() {
        let error = FieldError {
            field: Field::IdempotencyKey,
            code: ErrorCode::InvalidEmail,
            message: "m".into(),
        };
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(
            json,
            r#"{"field":"idempotency_key","code":"invalid_email","message":"m"}"#
        );
    }

    #[test]
    fn field_and_code_names_are_the_wire_names() {
        for field in [
            Field::Name,
            Field::Body,
            Field::ParentId,
            Field::IdempotencyKey,
        ] {
            let wire = serde_json::to_value(field).unwrap();
            assert_eq!(wire, field.as_str());
            assert_eq!(Field::parse(field.as_str()), Some(field));
        }
        for code in [
            ErrorCode::Required,
            ErrorCode::TooLong,
            ErrorCode::TooMuchFormatting,
        ] {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("newer_code"), None);
    }
}
