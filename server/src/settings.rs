//! A site's run-time settings: what the flags set as defaults, and what the owner changed
//! in the console (kept in the database, per site).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::storage::StoredSettings;

/// Which comments wait for the owner's approval before readers see them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Moderation {
    /// Every comment is published at once.
    None,
    /// A commenter's comments wait until one of theirs (by normalised email) has been
    /// approved; a comment without an email always waits.
    #[default]
    FirstTime,
    /// Every comment waits.
    All,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::None => "none",
            Moderation::FirstTime => "first-time",
            Moderation::All => "all",
        }
    }
}

impl FromStr for Moderation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "none" => Ok(Moderation::None),
            "first-time" => Ok(Moderation::FirstTime),
            "all" => Ok(Moderation::All),
            other => Err(format!(
                "{other:?} is not a moderation mode: use none, first-time or all"
            )),
        }
    }
}

impl fmt::Display for Moderation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The settings in force for a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    pub moderation: Moderation,
    /// Comments one client may post in any sixty seconds (0: no limit).
    pub posts_per_minute: u32,
    /// How long after posting its author may edit a comment, in seconds.
    pub edit_window_secs: u64,
}

impl Settings {
    /// These defaults with what the owner stored in their place.
    pub fn with(self, stored: &StoredSettings) -> Settings {
        Settings {
            moderation: stored
                .moderation
                .as_deref()
                .and_then(|text| text.parse().ok())
                .unwrap_or(self.moderation),
            posts_per_minute: stored
                .posts_per_minute
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(self.posts_per_minute),
            edit_window_secs: stored
                .edit_window_secs
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(self.edit_window_secs),
        }
    }

    /// What to store so that these settings are in force.
    pub fn to_stored(self) -> StoredSettings {
        StoredSettings {
            moderation: Some(self.moderation.as_str().to_owned()),
            posts_per_minute: Some(i64::from(self.posts_per_minute)),
            edit_window_secs: i64::try_from(self.edit_window_secs).ok(),
        }
    }
}

/// A length of time as people write it on a command line: `900`, `900s`, `15m`, `2h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, ""), |at| text.split_at(at));
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 900s, 15m or 2h"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "m" | "min" => number * 60,
        "h" => number * 3600,
        "d" => number * 86_400,
        _ => return Err(format!("{text:?} is not a duration like 900s, 15m or 2h")),
    };
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_duration("900").unwrap().as_secs(), 900);
        assert_eq!(parse_duration("15m").unwrap().as_secs(), 900);
        assert_eq!(parse_duration("2h").unwrap().as_secs(), 7200);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 weeks").is_err());
    }

    #[test]
    fn stored_settings_win_over_the_flags() {
        let flags = Settings {
            moderation: Moderation::FirstTime,
            posts_per_minute: 5,
            edit_window_secs: 900,
        };
        assert_eq!(flags.with(&StoredSettings::default()), flags);
        let stored = StoredSettings {
            moderation: Some("all".into()),
            posts_per_minute: None,
            edit_window_secs: Some(60),
        };
        let both = flags.with(&stored);
        assert_eq!(both.moderation, Moderation::All);
        assert_eq!(both.posts_per_minute, 5);
        assert_eq!(both.edit_window_secs, 60);
        assert_eq!(flags.with(&both.to_stored()), both);
    }
}
