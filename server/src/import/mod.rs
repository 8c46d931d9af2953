//! Bringing comments in from elsewhere, and taking them out again. Each source is read as a
//! stream of [`Record`]s (`wordpress.rs`, `disqus.rs`, `isso.rs`, `colloquy.rs`), so a large
//! file is imported in bounded memory; the engine (`engine.rs`) maps thread keys, keeps the
//! source's ids (a second import of the same file adds nothing), and writes everything in
//! one transaction, so a failure leaves nothing half-done.

pub mod colloquy;
pub mod disqus;
pub mod engine;
pub mod html;
pub mod isso;
pub mod samples;
pub mod wordpress;
mod xml;

/// What a source says, one record at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A page that has (or may have) comments: its key as the source names it (a URL path)
    /// and its title.
    Thread {
        key: String,
        title: Option<String>,
    },
    Comment(ImportedComment),
    /// A record the source holds that cannot come in, and why (counted in the summary).
    Skipped(&'static str),
}

/// One comment as the source has it, its body already turned into Colloquy markdown.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedComment {
    /// The thread key as the source gives it (a URL path such as `/2009/07/post/`); the
    /// engine applies the owner's mapping and normalises it.
    pub thread: String,
    /// The comment's id in the source: kept, so importing again adds nothing.
    pub source_id: String,
    /// The source id of the comment it answers, if any.
    pub parent_source_id: Option<String>,
    pub author: String,
    pub email: Option<String>,
    pub website: Option<String>,
    /// Colloquy markdown (never HTML).
    pub body: String,
    /// Unix milliseconds, UTC.
    pub created_at_ms: i64,
    pub status: SourceStatus,
}

/// How the source judged a comment. Only approved ones are imported unless asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceStatus {
    Approved,
    Pending,
    Spam,
    Deleted,
}

/// Input that cannot be read: which record, and why. The import stops and writes nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{record}: {reason}")]
pub struct InputError {
    /// Where: "comment 42", "line 1234", "thread 7"…
    pub record: String,
    pub reason: String,
}

impl InputError {
    pub fn new(record: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            record: record.into(),
            reason: reason.into(),
        }
    }
}
