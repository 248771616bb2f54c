//! The outside world, behind traits. Each trait has a local implementation that runs offline
//! and says plainly what it is; real clients for WeCom and Tencent Cloud come beside them.

pub mod esign;
pub mod face;
pub mod ocr;
pub mod realname;
pub mod registry;
pub mod sms;
pub mod wecom;

use std::path::Path;
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
    pub real_name: Arc<dyn realname::RealNameProvider>,
    pub sms: Arc<dyn sms::SmsSender>,
    pub wechat_esign: Arc<dyn esign::WechatEsignDirectory>,
    pub ocr: Arc<dyn ocr::LicenseOcr>,
    pub face: Arc<dyn face::FaceVerifier>,
    pub registry: Arc<dyn registry::EnterpriseRegistry>,
}

impl Providers {
    /// `ocr_dir` holds the OCR models; without them recognition reports failure and the user
    /// types the license fields (the server still starts).
    pub fn new(
        mode: ProviderMode,
        db: Db,
        clock: Arc<dyn Clock>,
        ocr_dir: &Path,
    ) -> Result<Self, String> {
        match mode {
            ProviderMode::Local => Ok(Self {
                wecom: Arc::new(wecom::LocalWeCom::new(db.clone(), clock.clone())),
                real_name: Arc::new(realname::LocalRealName),
                face: Arc::new(face::LocalFace::new(db.clone(), clock.clone())),
                sms: Arc::new(sms::OutboxSms::new(db, clock)),
                wechat_esign: Arc::new(esign::LocalWechatDirectory),
                ocr: load_ocr(ocr_dir),
                registry: Arc::new(registry::LocalRegistry),
            }),
            ProviderMode::Real => Err(
                "real providers (WeCom, Tencent Cloud) are not wired in this build yet; \
                 start with --providers local"
                    .to_owned(),
            ),
        }
    }
}

fn load_ocr(dir: &Path) -> Arc<dyn ocr::LicenseOcr> {
    match ocr::LocalOcr::load(dir) {
        Ok(engine) => {
            tracing::info!("license OCR: PaddleOCR models from {}", dir.display());
            Arc::new(engine)
        }
        Err(e) => {
            tracing::warn!("license OCR unavailable ({e}); users will type the license fields");
            Arc::new(OcrUnavailable {
                dir: dir.to_owned(),
                reason: e.to_string(),
            })
        }
    }
}

/// Stands in when the OCR engine could not be loaded: every recognition fails, saying why.
pub struct OcrUnavailable {
    dir: std::path::PathBuf,
    reason: String,
}

#[async_trait::async_trait]
impl ocr::LicenseOcr for OcrUnavailable {
    async fn recognize(&self, _image: Vec<u8>) -> Result<ocr::BizLicense, ocr::OcrError> {
        Err(ocr::OcrError::EngineLoad {
            path: self.dir.clone(),
            message: self.reason.clone(),
        })
    }
}
