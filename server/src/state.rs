use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use colloquy_core::rules::FormRules;
use ipnet::IpNet;

use crate::config::Config;
use crate::live::LiveHub;
use crate::storage::{self, Store, StoreError};
use crate::thread_cache::ThreadCache;
use crate::tokens::ServerSecret;

/// Everything a handler may use. Cloning is cheap: the parts are shared.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rules: FormRules,
    pub secret: ServerSecret,
    /// `--assets`, when given; see `http::assets`.
    pub assets: Option<PathBuf>,
    pub allowed_origins: Vec<String>,
    pub thread_cache: Arc<ThreadCache>,
    /// Comments one client may post in any sixty seconds (0: no limit).
    pub posts_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    pub live: Arc<LiveHub>,
    /// Between the keep-alive lines of an idle event stream.
    pub heartbeat: Duration,
}

impl AppState {
    /// Opens (or creates) the database named by `config`, loads the installation secret
    /// and starts hearing what other server processes on the same database change.
    pub async fn open(config: &Config) -> Result<Self, StoreError> {
        let store = storage::open(&config.database).await?;
        let secret = store.installation_secret().await?;
        let thread_cache = Arc::new(ThreadCache::default());
        let live = Arc::new(LiveHub::new(store.clone(), config.max_subscribers));
        let (cache, hub) = (thread_cache.clone(), live.clone());
        store
            .listen_for_changes(Arc::new(move |changed: Option<String>| {
                let hub = hub.clone();
                match changed {
                    Some(thread) => {
                        cache.invalidate(&thread);
                        tokio::spawn(async move { hub.thread_changed(&thread).await });
                    }
                    None => {
                        cache.clear();
                        tokio::spawn(async move { hub.all_changed().await });
                    }
                }
            }))
            .await?;
        Ok(Self {
            store,
            rules: config.form_rules(),
            secret,
            assets: config.assets.clone(),
            allowed_origins: config.allowed_origins.clone(),
            thread_cache,
            posts_per_minute: config.posts_per_minute,
            trusted_proxies: config.trusted_proxies.clone(),
            live,
            heartbeat: Duration::from_secs(config.heartbeat_secs),
        })
    }

    /// After a write to `thread`: this process drops its page at once (its next read sees
    /// the write), its live readers are sent the news, and the other processes on the
    /// database are told. A failed announcement is logged, not returned: the write itself
    /// is stored and answered.
    pub async fn thread_changed(&self, thread: &str) {
        self.thread_cache.invalidate(thread);
        let (hub, changed) = (self.live.clone(), thread.to_owned());
        tokio::spawn(async move { hub.thread_changed(&changed).await });
        if let Err(error) = self.store.announce_change(thread).await {
            tracing::warn!(%error, %thread, "could not announce a changed thread");
        }
    }
}
