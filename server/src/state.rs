use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use colloquy_core::model::Comment;
use colloquy_core::rules::FormRules;
use ipnet::IpNet;
use moka::future::Cache;

use crate::config::Config;
use crate::live::LiveHub;
use crate::notify::Notifier;
use crate::rate_limit::RateLimiter;
use crate::settings::Settings;
use crate::storage::{self, Store, StoreError, ThreadRef};
use crate::thread_cache::ThreadCache;
use crate::tokens::ServerSecret;

/// How long a site's settings and an origin's site are remembered between reads.
pub const SETTINGS_TTL: Duration = Duration::from_secs(5);

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
    /// Every site's settings until its owner changes them (the flags).
    pub defaults: Settings,
    /// Each site's settings in force, briefly: see [`AppState::settings`].
    settings: Cache<i64, Settings>,
    /// Which site each browser origin belongs to, briefly: see [`AppState::site_of_origin`].
    origins: Cache<String, Option<i64>>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    pub live: Arc<LiveHub>,
    /// Between the keep-alive lines of an idle event stream.
    pub heartbeat: Duration,
    /// Email and webhooks (see `notify`).
    pub notifier: Arc<Notifier>,
    /// Wakes this process's sender when a write has put something in the outbox.
    pub outbox_wakeup: Arc<tokio::sync::Notify>,
    /// Previews per client (`POST /api/v1/preview`), apart from the posting limit.
    pub preview_limit: Arc<RateLimiter>,
    /// Likes and unlikes per client, apart from the posting limit.
    pub like_limit: Arc<RateLimiter>,
}

/// Fills in the comment's avatar seed from its [`Comment::avatar_source`], which it
/// consumes.
pub fn with_avatar(secret: &ServerSecret, mut comment: Comment) -> Comment {
    let source = std::mem::take(&mut comment.avatar_source);
    if !source.is_empty() && !comment.deleted {
        comment.avatar = secret.avatar_seed(&source);
    }
    comment
}

impl AppState {
    /// Opens (or creates) the database named by `config`, loads the installation secret
    /// and starts hearing what other server processes on the same database change.
    pub async fn open(config: &Config) -> Result<Self, StoreError> {
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", config.listen));
        Self::open_at(config, public_url).await
    }

    /// [`AppState::open`], with the address readers reach the server at (for links in
    /// emails), when the flags do not say it (`--public-url`).
    pub async fn open_at(config: &Config, public_url: String) -> Result<Self, StoreError> {
        let public_url = config.public_url.clone().unwrap_or(public_url);
        let notifier = Notifier::from_config(config, public_url).map_err(StoreError::Refused)?;
        let store = storage::open(&config.database).await?;
        let secret = store.installation_secret().await?;
        let thread_cache = Arc::new(ThreadCache::default());
        let live = Arc::new(LiveHub::new(
            store.clone(),
            config.max_subscribers,
            secret.clone(),
        ));
        let (cache, hub) = (thread_cache.clone(), live.clone());
        store
            .listen_for_changes(Arc::new(move |changed: Option<String>| {
                let hub = hub.clone();
                match changed.as_deref().and_then(ThreadRef::from_scoped) {
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
            defaults: config.default_settings(),
            settings: Cache::builder().time_to_live(SETTINGS_TTL).build(),
            origins: Cache::builder()
                .time_to_live(SETTINGS_TTL)
                .max_capacity(10_000)
                .build(),
            trusted_proxies: config.trusted_proxies.clone(),
            live,
            heartbeat: Duration::from_secs(config.heartbeat_secs),
            notifier: Arc::new(notifier),
            outbox_wakeup: Arc::default(),
            preview_limit: Arc::default(),
            like_limit: Arc::default(),
        })
    }

    /// A comment as readers get it: its markdown parsed ([`Comment::for_readers`]) and its
    /// avatar seed derived from what the store read (see [`Comment::avatar`]).
    pub fn for_readers(&self, comment: Comment) -> Comment {
        with_avatar(&self.secret, comment.for_readers())
    }

    /// After a write to `thread`: this process drops its page at once (its next read sees
    /// the write), its live readers are sent the news, and the other processes on the
    /// database are told. A failed announcement is logged, not returned: the write itself
    /// is stored and answered.
    pub async fn thread_changed(&self, thread: &ThreadRef) {
        self.thread_cache.invalidate(thread);
        let (hub, changed) = (self.live.clone(), thread.clone());
        tokio::spawn(async move { hub.thread_changed(&changed).await });
        if let Err(error) = self.store.announce_change(thread).await {
            tracing::warn!(%error, thread = %thread.scoped(), "could not announce a changed thread");
        }
    }

    /// The settings in force for `site`: the flags, with what its owner stored in their
    /// place. Read from the database at most every few seconds per site
    /// ([`SETTINGS_TTL`]), which is how long a change made through another server process
    /// takes to reach this one; a change made here applies at once.
    pub async fn settings(&self, site: i64) -> Result<Settings, StoreError> {
        if let Some(settings) = self.settings.get(&site).await {
            return Ok(settings);
        }
        let settings = self.defaults.with(&self.store.settings(site).await?);
        self.settings.insert(site, settings).await;
        Ok(settings)
    }

    /// Forgets `site`'s settings after its owner changed them.
    pub async fn settings_changed(&self, site: i64) {
        self.settings.invalidate(&site).await;
    }

    /// The site whose pages come from `origin`, if one was added for it (`colloquy-server
    /// site add`); remembered for [`SETTINGS_TTL`], so a site added while the server runs
    /// is served within seconds.
    pub async fn site_of_origin(&self, origin: &str) -> Result<Option<i64>, StoreError> {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if let Some(site) = self.origins.get(&origin).await {
            return Ok(site);
        }
        let site = self.store.site_of_origin(&origin).await?;
        self.origins.insert(origin, site).await;
        Ok(site)
    }
}
