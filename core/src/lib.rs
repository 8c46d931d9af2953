//! `colloquy-core`: everything the widget and the server must agree on.
//!
//! It has no web-sys and no tokio, so the same code builds for wasm32 (the widget's instant
//! feedback) and natively (the server's final word).

/// A comment's content as readers get it: a small tree of safe nodes, never HTML.
pub mod content;
/// Which URLs may become links.
pub mod link_policy;
/// The markdown a comment may use, parsed into content trees: on the server only.
#[cfg(feature = "markdown")]
pub mod markdown;
/// Every word a reader sees, in one catalog per language.
pub mod messages;
/// The comment, the thread page and the request and response bodies of the API.
pub mod model;
/// The form rules a site owner sets and the server publishes at `GET /api/v1/config`.
pub mod rules;
/// Whole numbers and pieces of text read by hand, without std's parsers and searchers.
pub mod scan;
/// Which strings may name a thread.
pub mod thread_key;
/// Timestamps as RFC 3339 text, without a date crate.
pub mod time;
/// Turning the flat list the API returns into conversation order with depths.
pub mod tree;
/// Checking a new comment against the rules, with every field error at once.
pub mod validation;
