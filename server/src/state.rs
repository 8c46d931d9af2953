use std::path::PathBuf;
use std::sync::Arc;

use colloquy_core::rules::FormRules;

use crate::config::Config;
use crate::rate_limit::RateLimiter;
use crate::storage::{sqlite::SqliteStore, Store, StoreError};
use crate::thread_cache::ThreadCache;
use crate::tokens::ServerSecret;

/// Everything a handler may use. Cloning is cheap: the parts are shared.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rules: FormRules,
    pub secret: ServerSecret,
    pub assets: PathBuf,
    pub allowed_origins: Vec<String>,
    pub thread_cache: Arc<ThreadCache>,
    pub post_limit: Arc<RateLimiter>,
}

impl AppState {
    /// Opens (or creates) the database named by `config` and loads the installation secret.
    pub async fn open(config: &Config) -> Result<Self, StoreError> {
        let store = SqliteStore::open(&config.database).await?;
        let secret = store.installation_secret().await?;
        Ok(Self {
            store: Arc::new(store),
            rules: config.form_rules(),
            secret,
            assets: config.assets.clone(),
            allowed_origins: config.allowed_origins.clone(),
            thread_cache: Arc::default(),
            post_limit: Arc::new(RateLimiter::new(config.posts_per_minute)),
        })
    }
}
