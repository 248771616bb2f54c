//! The reference backend: serves the app and its JSON API, keeps the verification flow as a
//! persisted state machine, and reaches the outside world only through provider traits.

pub mod clock;
pub mod config;
pub mod demo;
pub mod http;
pub mod providers;
pub mod storage;

use std::sync::Arc;

use clock::{Clock, SystemClock};
use config::{Config, ProviderMode};
use http::{AppState, Settings};
use providers::Providers;
use storage::Db;

/// Everything `main` needs to serve: storage opened and migrated, providers chosen.
pub async fn state_from_config(config: &Config) -> Result<AppState, String> {
    let db = Db::connect(&config.database_url())
        .await
        .map_err(|e| e.to_string())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let providers = Providers::new(config.providers, db.clone(), clock.clone())?;
    Ok(AppState {
        db,
        providers,
        clock,
        settings: Arc::new(Settings {
            local_mode: config.providers == ProviderMode::Local,
            cookie_secure: config.cookie_secure,
            static_dir: config.static_dir.clone(),
        }),
    })
}
