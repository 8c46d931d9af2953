//! Live updates: each process keeps one feed per thread that has readers subscribed. When
//! a thread changes (a write here, or another process's announcement through the
//! database), its feed reads the new events from the store once and hands the same batch
//! to every subscriber, so a thousand readers of one thread cost one query, not a thousand.
//!
//! A subscriber first asks the store for everything after the last event it saw, then
//! takes batches from the feed, skipping ids it has already sent: events are numbered in
//! the order they were committed within a thread (see the stores), so nothing is missed
//! and nothing is sent twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

use crate::state::with_avatar;
use crate::storage::{Store, StoreError, StoredEvent, ThreadRef};
use crate::tokens::ServerSecret;

/// Events read per query; a subscriber far behind reads in several steps.
pub const BATCH: i64 = 500;
/// Batches a slow subscriber may fall behind before it reads from the store instead.
const FEED_CAPACITY: usize = 64;

pub struct LiveHub {
    store: Arc<dyn Store>,
    /// Derives the avatars of the comments events carry.
    secret: ServerSecret,
    max_subscribers: usize,
    subscribers: AtomicUsize,
    feeds: Mutex<HashMap<ThreadRef, Arc<Feed>>>,
    /// Flipped once when the server shuts down: every stream ends so shutdown can finish.
    closing: watch::Sender<bool>,
}

struct Feed {
    batches: broadcast::Sender<Arc<Vec<StoredEvent>>>,
    /// The last event id handed out; held while reading, so one change is read once.
    last_sent: tokio::sync::Mutex<i64>,
}

/// A place among the subscribers; the count goes down when it is dropped.
pub struct Subscription {
    hub: Arc<LiveHub>,
    thread: ThreadRef,
    pub batches: broadcast::Receiver<Arc<Vec<StoredEvent>>>,
    pub closing: watch::Receiver<bool>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.subscribers.fetch_sub(1, Ordering::SeqCst);
        let mut feeds = self.hub.feeds.lock().unwrap_or_else(|p| p.into_inner());
        // This receiver is still counted while it is being dropped.
        if feeds
            .get(&self.thread)
            .is_some_and(|feed| feed.batches.receiver_count() <= 1)
        {
            feeds.remove(&self.thread);
        }
    }
}

/// Why a subscription was refused.
#[derive(Debug)]
pub enum SubscribeError {
    Full,
    Store(StoreError),
}

impl LiveHub {
    pub fn new(store: Arc<dyn Store>, max_subscribers: usize, secret: ServerSecret) -> Self {
        Self {
            store,
            secret,
            max_subscribers,
            subscribers: AtomicUsize::new(0),
            feeds: Mutex::default(),
            closing: watch::Sender::new(false),
        }
    }

    /// How many streams are open in this process.
    pub fn subscriber_count(&self) -> usize {
        self.subscribers.load(Ordering::SeqCst)
    }

    /// Joins the thread's feed, unless this process already serves as many subscribers as
    /// it may.
    pub async fn subscribe(
        self: &Arc<Self>,
        thread: &ThreadRef,
    ) -> Result<Subscription, SubscribeError> {
        if self.subscribers.fetch_add(1, Ordering::SeqCst) >= self.max_subscribers {
            self.subscribers.fetch_sub(1, Ordering::SeqCst);
            return Err(SubscribeError::Full);
        }
        // Joining happens under the map's lock, so a feed is never removed between being
        // found and being joined.
        let joined = {
            let feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
            feeds.get(thread).map(|feed| feed.batches.subscribe())
        };
        let batches = match joined {
            Some(batches) => batches,
            None => {
                let latest = match self.store.latest_event_id(thread).await {
                    Ok(latest) => latest,
                    Err(error) => {
                        self.subscribers.fetch_sub(1, Ordering::SeqCst);
                        return Err(SubscribeError::Store(error));
                    }
                };
                let mut feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
                feeds
                    .entry(thread.clone())
                    .or_insert_with(|| {
                        Arc::new(Feed {
                            batches: broadcast::Sender::new(FEED_CAPACITY),
                            last_sent: tokio::sync::Mutex::new(latest),
                        })
                    })
                    .batches
                    .subscribe()
            }
        };
        Ok(Subscription {
            hub: self.clone(),
            thread: thread.clone(),
            batches,
            closing: self.closing.subscribe(),
        })
    }

    fn feed(&self, thread: &ThreadRef) -> Option<Arc<Feed>> {
        let feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
        feeds.get(thread).cloned()
    }

    /// `thread` changed: if anyone here follows it, read what is new and pass it on.
    pub async fn thread_changed(&self, thread: &ThreadRef) {
        let Some(feed) = self.feed(thread) else {
            return;
        };
        let mut last_sent = feed.last_sent.lock().await;
        loop {
            match self.events_after(thread, *last_sent, BATCH).await {
                Ok(events) if events.is_empty() => return,
                Ok(events) => {
                    let full = events.len() as i64 == BATCH;
                    *last_sent = events.last().map_or(*last_sent, |event| event.id);
                    // No receiver left is fine: the feed is about to be removed.
                    let _ = feed.batches.send(Arc::new(events));
                    if !full {
                        return;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, thread = %thread.scoped(), "could not read a thread's new events");
                    return;
                }
            }
        }
    }

    /// The thread's events after event `after`, each comment as readers get it (its avatar
    /// derived): what feeds and catching-up readers send.
    pub async fn events_after(
        &self,
        thread: &ThreadRef,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let events = self.store.events_after(thread, after, limit).await?;
        Ok(events
            .into_iter()
            .map(|mut stored| {
                let comment = std::mem::take(&mut stored.event.comment);
                stored.event.comment = with_avatar(&self.secret, comment);
                stored
            })
            .collect())
    }

    /// Every process's announcement was lost for a while: read every followed thread.
    pub async fn all_changed(&self) {
        let threads: Vec<ThreadRef> = {
            let feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
            feeds.keys().cloned().collect()
        };
        for thread in threads {
            self.thread_changed(&thread).await;
        }
    }

    /// Ends every stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}
