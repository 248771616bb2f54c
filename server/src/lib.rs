//! The reference backend: serves the app and its JSON API, keeps the verification flow as a
//! persisted state machine, and reaches the outside world only through provider traits.

pub mod agreement;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod flow;
pub mod http;
pub mod imaging;
pub mod letter_pdf;
pub mod providers;
pub mod storage;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clock::{Clock, OffsetClock, SystemClock};
use config::{Config, ProviderMode};
use crypto::Vault;
use http::{AppState, Settings};
use providers::Providers;
use storage::Db;

/// Everything `main` needs to serve: storage opened and migrated, providers chosen.
pub async fn state_from_config(config: &Config) -> Result<AppState, String> {
    let db = Db::connect(&config.database_url())
        .await
        .map_err(|e| e.to_string())?;
    // Local mode's clock can be moved forward by /dev/clock (to see links and codes expire).
    let clock: Arc<dyn Clock> = match config.providers {
        ProviderMode::Local => Arc::new(OffsetClock::default()),
        ProviderMode::Real => Arc::new(SystemClock),
    };
    let providers = Providers::new(config.providers, db.clone(), clock.clone(), &config.ocr_dir)?;
    let vault = match (&config.data_key, config.providers) {
        (Some(key), _) => Vault::from_base64(key),
        (None, ProviderMode::Local) => Vault::load_or_create(&config.data_dir.join("secret.key")),
        (None, ProviderMode::Real) => {
            return Err("--data-key (ESIGN_DATA_KEY) is required with real providers".to_owned())
        }
    }
    .map_err(|e| e.to_string())?;
    Ok(AppState {
        db,
        providers,
        clock,
        vault,
        images: imaging::ImagePool::for_this_machine(),
        settings: Arc::new(Settings {
            local_mode: config.providers == ProviderMode::Local,
            cookie_secure: config.cookie_secure,
            static_dir: config.static_dir.clone(),
            data_dir: config.data_dir.clone(),
        }),
    })
}

/// A temporary photo file this old belongs to no upload in flight.
pub const STALE_UPLOAD: Duration = Duration::from_secs(3600);

/// Clears orphan and stale photo files now and then every hour: a crash or a refused row can
/// leave either (see [`storage::Db::sweep_uploads`]).
pub fn spawn_upload_sweep(db: Db, uploads: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(STALE_UPLOAD);
        loop {
            every.tick().await;
            match db.sweep_uploads(&uploads, STALE_UPLOAD).await {
                Ok(swept) if swept != storage::Swept::default() => {
                    tracing::info!(?swept, "swept upload files");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "upload sweep failed"),
            }
        }
    })
}
