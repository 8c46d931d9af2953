//! `GET /threads/{key}/events`: a thread's live events as server-sent events. Each event
//! is named `comment`, carries its id (so the browser's `EventSource` resumes with
//! `Last-Event-ID` by itself) and a [`CommentEvent`]. `?after=<id>` (or `Last-Event-ID`)
//! first replays what came after that id; without either, only what happens from now on
//! is sent. Comment lines keep idle connections open through proxies.

use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use colloquy_core::model::{CommentEvent, ErrorBody};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;

use super::extract::{ResumeAfter, ThreadKey};
use super::ApiError;
use crate::live::{LiveHub, SubscribeError, Subscription, BATCH};
use crate::state::AppState;
use crate::storage::StoredEvent;
use crate::storage::ThreadRef;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new().route("/threads/{key}/events", get(thread_events))
}

/// How long the browser waits before reconnecting after the stream broke.
const RECONNECT_AFTER: Duration = Duration::from_secs(3);

#[utoipa::path(
    get,
    path = "/api/v1/threads/{key}/events",
    params(
        ("key" = String, Path, description = "The thread key, percent-encoded"),
        ("after" = Option<i64>, Query, description = "Replay the events after this id first (as the Last-Event-ID header does)"),
    ),
    responses(
        (status = 200, description = "A stream of events named `comment`, each with its id and a CommentEvent as data", body = CommentEvent, content_type = "text/event-stream"),
        (status = 400, description = "A bad thread key or `after`", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
        (status = 503, description = "This server has as many live readers as it may serve", body = ErrorBody),
    )
)]
pub(super) async fn thread_events(
    State(state): State<AppState>,
    ThreadKey(thread): ThreadKey,
    ResumeAfter(after): ResumeAfter,
) -> Result<impl IntoResponse, ApiError> {
    let subscription = state
        .live
        .subscribe(&thread)
        .await
        .map_err(|error| match error {
            SubscribeError::Full => {
                ApiError::Unavailable(words::current().api.too_many_readers.clone())
            }
            SubscribeError::Store(error) => error.into(),
        })?;
    let after = match after {
        Some(after) => after,
        None => state.store.latest_event_id(&thread).await?,
    };
    let (sender, receiver) = mpsc::channel(BATCH as usize);
    tokio::spawn(follow(
        state.live.clone(),
        thread,
        after,
        subscription,
        sender,
    ));
    let first = tokio_stream::once(Event::default().retry(RECONNECT_AFTER));
    let stream = first
        .chain(ReceiverStream::new(receiver))
        .map(Ok::<_, std::convert::Infallible>);
    let events = Sse::new(stream).keep_alive(KeepAlive::new().interval(state.heartbeat));
    // nginx buffers proxied answers unless told not to; a buffered stream would arrive in
    // lumps, or never.
    Ok(([("x-accel-buffering", "no")], events))
}

/// Sends the backlog after `after`, then every batch of the thread's feed, each event once,
/// until the reader leaves or the server shuts down.
async fn follow(
    hub: std::sync::Arc<LiveHub>,
    thread: ThreadRef,
    mut last: i64,
    mut subscription: Subscription,
    sender: mpsc::Sender<Event>,
) {
    if !catch_up(&hub, &thread, &mut last, &sender).await {
        return;
    }
    loop {
        tokio::select! {
            batch = subscription.batches.recv() => {
                let sent = match batch {
                    Ok(batch) => send_new(&batch, &mut last, &sender).await,
                    // Too slow for the feed: read what was missed from the store.
                    Err(RecvError::Lagged(_)) => catch_up(&hub, &thread, &mut last, &sender).await,
                    Err(RecvError::Closed) => false,
                };
                if !sent {
                    return;
                }
            }
            () = sender.closed() => return,
            _ = subscription.closing.changed() => return,
        }
    }
}

/// Everything after `last` from the store. False when the reader has gone (or the store
/// failed: the browser reconnects and resumes from the last id it saw).
async fn catch_up(
    hub: &LiveHub,
    thread: &ThreadRef,
    last: &mut i64,
    sender: &mpsc::Sender<Event>,
) -> bool {
    loop {
        let events = match hub.events_after(thread, *last, BATCH).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, thread = %thread.scoped(), "could not read events for a live reader");
                return false;
            }
        };
        let complete = (events.len() as i64) < BATCH;
        if !send_new(&events, last, sender).await {
            return false;
        }
        if complete {
            return true;
        }
    }
}

async fn send_new(events: &[StoredEvent], last: &mut i64, sender: &mpsc::Sender<Event>) -> bool {
    for stored in events {
        if stored.id <= *last {
            continue;
        }
        let event = Event::default()
            .id(stored.id.to_string())
            .event("comment")
            .json_data(&stored.event);
        let Ok(event) = event else { continue };
        if sender.send(event).await.is_err() {
            return false;
        }
        *last = stored.id;
    }
    true
}
