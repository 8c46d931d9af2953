use serde::{Deserialize, Serialize};

/// The limits of one text field. Lengths count Unicode scalar values after trimming, so
/// "é" is one character whether the reader's keyboard sent one code point or the server
/// counts bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldRule {
    pub required: bool,
    pub max_len: usize,
}

/// Every rule the comment form follows. The server owns the values (the site owner sets
/// them) and publishes them; the widget only borrows them for instant feedback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormRules {
    pub name: FieldRule,
    pub email: FieldRule,
    pub website: FieldRule,
    pub body: FieldRule,
}

impl Default for FormRules {
    fn default() -> Self {
        Self {
            name: FieldRule {
                required: true,
                max_len: 80,
            },
            // 254 is the longest address that fits the SMTP path limit (RFC 5321).
            email: FieldRule {
                required: true,
                max_len: 254,
            },
            website: FieldRule {
                required: false,
                max_len: 2048,
            },
            body: FieldRule {
                required: true,
                max_len: 10_000,
            },
        }
    }
}
