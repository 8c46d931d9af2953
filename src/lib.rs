//! `colloquy`: the comment widget. Every thread is drawn inside its own shadow root with
//! its own stylesheet, whoever draws it: pages use the loader (`loader/embed.js`), which
//! calls [`mount()`] (one Yew app per mount point, all served by one wasm instance); Rust
//! developers put [`CommentThread`] in their own Yew app.

/// Talking to the Colloquy server with the browser's `fetch`.
pub mod api;
/// The server's clock, from its answers' `Date`.
pub mod clock;
/// The Yew components, one per file.
pub mod components;
/// What every component of a thread shares: catalog, API client, thread settings.
pub mod context;
/// The comment form's state and decisions: pure, tested without a browser.
pub mod form_state;
/// The allocator of the widget's wasm: power-of-two blocks, in place of dlmalloc.
pub mod heap;
/// The reader's own comments held for approval, remembered across reloads: pure, tested
/// without a browser.
pub mod held;
/// Reusable behaviour: drafts and held comments kept in localStorage, posting what the form
/// decided to send, following the thread's live events.
pub mod hooks;
/// JSON read and written by hand over the browser's parser (no serde in the widget).
pub mod json;
/// Dates in the reader's time zone and the thread's language.
pub mod local_time;
/// Turning core's safe markdown nodes into Yew nodes.
pub mod markdown_view;
/// Attaching an app to a page's element (the loader's entry points).
pub mod mount;
/// What the widget remembers of the reader: voter token, likes, own comments.
pub mod reader;
/// The shadow root and stylesheet every thread is drawn in.
mod shadow;
/// The thread's state: pure, tested without a browser.
pub mod state;
/// Numbers and ARIA flags as text, without `core::fmt`.
pub mod text;
/// Markup every view repeats, built in one place.
mod view;
/// The widget's words in the reader's language: English built in, others fetched.
pub mod words;

pub use colloquy_core::tree::Sort;
pub use components::comment_thread::{CommentThread, CommentThreadProps, Theme};
pub use mount::{instances, mount, unmount, update};

/// Every allocation of the widget's wasm goes through [`heap::Heap`] (see its module).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();
