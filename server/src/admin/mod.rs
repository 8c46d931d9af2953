//! The site owner's console. Owners are made on the command line (`commands.rs`), sign in
//! with a password (`auth.rs`), and act through one set of operations (`ops.rs`) that the
//! JSON API under `/api/v1/admin` (`api.rs`) and the admin pages at `/admin` (`pages.rs`)
//! share.
//!
//! The pages are HTML written by the server, in Rust, through the same escaping writer as
//! the feeds, and comments in them are drawn from core's markdown tree by the feeds'
//! renderer (`feed_html`): an owner's browser downloads no wasm and runs no script it
//! needs (a few lines add the j/k/a/d shortcuts), every action is a form that works
//! with the keyboard alone, and nothing a reader wrote can become markup there either.

pub mod api;
pub mod auth;
pub mod commands;
pub mod ops;
pub mod pages;
