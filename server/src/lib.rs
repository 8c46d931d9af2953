//! `colloquy-server`: the Colloquy API over a SQLite file, plus the widget's assets and the
//! demo page. `main.rs` only boots; everything a test needs is reachable from here.

/// The site owner's console: accounts, sessions, the admin pages and the admin API.
pub mod admin;
/// The subcommands: import, export, backup, threads.
pub mod cli;
/// The wall clock in Unix milliseconds, in one place.
pub mod clock;
/// Command-line flags and environment fallbacks.
pub mod config;
/// The demo thread that `cargo xtask demo` shows.
pub mod demo;
/// Safe XHTML for feeds, written element by element from the markdown tree.
pub mod feed_html;
/// The HTTP surface: one router per resource and the one error type they share.
pub mod http;
/// Reading other systems' comments (and our own export) in, and writing them out.
pub mod import;
/// Live updates: one feed per followed thread, fanned out to its readers.
pub mod live;
/// Email and webhooks, through the outbox.
pub mod notify;
/// Threads a page at a time: which conversations a page holds, and its cursors.
pub mod paging;
/// How often one client may post.
pub mod rate_limit;
/// A site's run-time settings and their defaults.
pub mod settings;
/// What the handlers share: the store, the rules and the secrets.
pub mod state;
/// Where comments live, behind a small interface so another database can be added.
pub mod storage;
/// Serialised thread pages, bounded by bytes, dropped on every write to their thread.
pub mod thread_cache;
/// Edit tokens: derived, returned once, stored only as hashes.
pub mod tokens;
/// The server's words in the reader's language.
pub mod words;

use std::future::Future;

use tokio::net::TcpListener;

pub use config::Config;
pub use state::AppState;

/// Serves `state` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::router(state.clone());
    serve_app(listener, app, &state, shutdown).await
}

/// [`serve`] for a router built by [`http::router`] from `state`, perhaps with layers of
/// the caller's (the tests add one that records every response).
pub async fn serve_app(
    listener: TcpListener,
    app: axum::Router,
    state: &AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Event streams never end by themselves; shutting down ends them, so the requests in
    // flight can finish.
    let live = state.live.clone();
    let (closing, closed) = tokio::sync::watch::channel(false);
    let sender = tokio::spawn(notify::sender::run(state.clone(), closed));
    let shutdown = async move {
        shutdown.await;
        live.close();
        closing.send_replace(true);
    };
    // The client's address is what the posting limit counts by.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    // The sender finishes what it is delivering; the rest waits in the outbox.
    sender.await.ok();
    served
}
