//! The reference backend: serves the app and its JSON API, keeps the verification flow as a
//! persisted state machine, and reaches the outside world only through provider traits.

pub mod agreement;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod events;
pub mod flow;
pub mod http;
pub mod imaging;
pub mod import;
pub mod letter_pdf;
pub mod providers;
pub mod storage;

use std::sync::Arc;

use clock::{Clock, OffsetClock, SystemClock};
use config::Config;
use crypto::Vault;
use http::{AppState, Settings};
use providers::Providers;
use storage::Db;

/// Everything `main` needs to serve: storage opened and migrated, providers chosen.
pub async fn state_from_config(config: &Config) -> Result<AppState, String> {
    let real = config.real_settings().map_err(|e| e.to_string())?;
    let any_real = real.modes.any_real();
    let allowed_origins = allowed_origins(config, real.public_url.as_deref(), any_real)?;
    let db = Db::connect_with(&config.database_url(), config.database_pool)
        .await
        .map_err(|e| e.to_string())?;
    // Local mode's clock can be moved forward by /dev/clock (to see links and codes expire).
    let clock: Arc<dyn Clock> = if any_real {
        Arc::new(SystemClock)
    } else {
        Arc::new(OffsetClock::default())
    };
    let vault = vault(config, any_real)?;
    let providers = Providers::new(&real, db.clone(), &vault, clock.clone(), &config.ocr_dir)?;
    Ok(AppState {
        db,
        providers,
        clock,
        vault,
        images: imaging::ImagePool::for_this_machine(),
        settings: Arc::new(Settings {
            local_mode: !any_real,
            wecom_sdk: real.modes.wecom == config::ProviderMode::Real,
            cookie_secure: config.cookie_secure.unwrap_or(any_real),
            trusted_proxy: config.trusted_proxy,
            static_dir: config.static_dir.clone(),
            data_dir: config.data_dir.clone(),
            public_url: real
                .public_url
                .as_deref()
                .and_then(http::csrf::normalize_origin),
            allowed_origins,
            frame_ancestors: config.frame_ancestors.clone(),
            event_heartbeat: events::HEARTBEAT,
        }),
    })
}

/// The data key: `ESIGN_DATA_KEY`, or in local mode the key file of the data directory.
pub fn vault(config: &Config, any_real: bool) -> Result<Vault, String> {
    match (&config.data_key, any_real) {
        (Some(key), _) => Vault::from_base64(key),
        (None, false) => Vault::load_or_create(&config.data_dir.join("secret.key")),
        (None, true) => {
            return Err(
                "ESIGN_DATA_KEY (--data-key) is required when any provider is real".to_owned(),
            )
        }
    }
    .map_err(|e| e.to_string())
}

/// The public URL's origin and the trusted ones. Real mode needs the public URL: without it no
/// page could be told apart from another site's, and every change would be refused.
fn allowed_origins(
    config: &Config,
    public_url: Option<&str>,
    any_real: bool,
) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    match (public_url, any_real) {
        (None, true) => {
            return Err(
                "ESIGN_PUBLIC_URL (--public-url) is required when any provider is real".to_owned(),
            )
        }
        (None, false) => {}
        (Some(url), _) => origins.push(http::csrf::normalize_origin(url).ok_or_else(|| {
            format!("ESIGN_PUBLIC_URL `{url}` is not an http(s) URL like https://esign.example.com")
        })?),
    }
    for o in config
        .trusted_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
    {
        origins.push(http::csrf::normalize_origin(o).ok_or_else(|| {
            format!("ESIGN_TRUSTED_ORIGINS: `{o}` is not an origin like https://esign.example.com")
        })?);
    }
    Ok(origins)
}

/// Moves the photo files of an earlier version (under `<data dir>/uploads`) into the
/// database, where every server reads them.
pub async fn import_upload_files(db: &Db, data_dir: &std::path::Path) {
    match db.import_upload_files(&data_dir.join("uploads")).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(photos = n, "moved photo files into the database"),
        Err(e) => tracing::warn!(error = %e, "could not move photo files into the database"),
    }
}
