//! `colloquy`: the comment widget. A Yew app per mount point, each inside its own shadow
//! root, all served by one wasm instance.
//!
//! Rust developers can use [`CommentThread`] directly in their own Yew app; pages use the
//! loader (`loader/embed.js`), which calls [`mount`].

/// Talking to the Colloquy server with the browser's `fetch`.
pub mod api;
/// The Yew components, one per file.
pub mod components;
/// What a reader typed, kept in localStorage until the server accepts it.
pub mod drafts;
/// The comment form's state: pure, tested without a browser.
pub mod form_state;
/// Turning core's safe markdown nodes into Yew nodes.
pub mod markdown_view;
/// Attaching an app to a host element through a shadow root.
pub mod mount;
/// The thread's state: pure, tested without a browser.
pub mod state;

pub use colloquy_core::tree::Sort;
pub use components::comment_thread::{CommentThread, CommentThreadProps, Theme};
pub use mount::{instances, mount, unmount, update};
