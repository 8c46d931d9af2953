//! The widget in a real headless Chromium (wasm-bindgen-test), one module per subject. The
//! Colloquy server is replaced by a `fetch` stand-in (see `harness`), so each test can
//! decide exactly what the server answers, including failures that are hard to provoke
//! from a real one; the real server is exercised by the end-to-end journeys in `e2e/`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The `fetch` stand-in, fixtures, and ways to find, type, click and wait.
mod harness;

/// What assistive technology relies on: levels and names, focus, contrast, reflow.
mod accessibility;
/// The public `CommentThread` inside a Rust developer's own Yew app.
mod component;
/// Dates in the thread's language.
mod dates;
/// What a reader types is kept until the server accepts it.
mod drafts;
/// Checking, posting, failing and retrying.
mod form;
/// Live updates: new and edited comments arriving while the thread is on screen.
mod live;
/// What the site owner's moderation shows: held comments, closed threads, badges,
/// tombstones and deletions.
mod moderation;
/// The loader's entry points: `mount`, `update`, `unmount` and their options.
mod mount;
/// The "Email me replies" box: shown with an address, ticked from the keyboard, posted
/// with the page's title.
mod notify;
/// Right-to-left languages: direction, mirrored indentation, Arabic plurals.
mod right_to_left;
/// Where the server is: a base URL with a path, and one where no Colloquy server answers.
mod servers;
/// Showing a thread: count, nesting, replies, load failures.
mod thread;
