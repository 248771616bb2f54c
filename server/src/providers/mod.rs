//! The outside world, behind traits. Each trait has a local implementation that runs offline
//! and says plainly what it is; real clients for WeCom and Tencent Cloud come beside them.

pub mod wecom;

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::ProviderMode;
use crate::storage::Db;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider answered, and refused (bad input, limits).
    #[error("{provider} refused: {message}")]
    Refused {
        provider: &'static str,
        message: String,
    },
    /// The provider could not be reached or failed.
    #[error("{provider} unavailable: {message}")]
    Unavailable {
        provider: &'static str,
        message: String,
    },
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
}

/// Every provider the server talks to.
#[derive(Clone)]
pub struct Providers {
    pub wecom: Arc<dyn wecom::WeCom>,
}

impl Providers {
    pub fn new(mode: ProviderMode, db: Db, clock: Arc<dyn Clock>) -> Result<Self, String> {
        match mode {
            ProviderMode::Local => Ok(Self {
                wecom: Arc::new(wecom::LocalWeCom::new(db, clock)),
            }),
            ProviderMode::Real => Err(
                "real providers (WeCom, Tencent Cloud) are not wired in this build yet; \
                 start with --providers local"
                    .to_owned(),
            ),
        }
    }
}
