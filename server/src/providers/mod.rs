//! The outside world, behind traits. Each trait has a local implementation that runs offline
//! and says plainly what it is; real clients for WeCom and Tencent Cloud come beside them.

pub mod esign;
pub mod face;
pub mod http;
pub mod imported;
pub mod ocr;
pub mod realname;
pub mod registry;
pub mod sms;
pub mod tencent;
pub mod wecom;
pub mod wecom_suite;

use std::path::Path;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::real::RealSettings;
use crate::config::ProviderMode;
use crate::crypto::Vault;
use crate::storage::Db;

/// What a provider's answer means for the user. The real clients map each documented error
/// code onto one of these; the flow turns them into 400 at a field, 429 or 503.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused one input of the user's (e.g. SMS
    /// `InvalidParameterValue.IncorrectPhoneNumber`): 400 at `field`. `message` is shown to
    /// the user, in Chinese; it never holds the input itself.
    #[error("{provider} refused {field}: {message}")]
    BadInput {
        provider: &'static str,
        field: &'static str,
        message: String,
    },
    /// The provider's own limit (e.g. SMS `LimitExceeded.*`): 429 with `Retry-After`.
    #[error("{provider} rate-limited for {retry_after_secs}s")]
    RateLimited {
        provider: &'static str,
        retry_after_secs: u64,
        message: String,
    },
    /// The deployment is wrong (a key refused, a template or signature not approved, a
    /// setting missing): logged for the operator; the user sees a plain 503.
    #[error("{provider} misconfigured: {detail}")]
    Misconfigured {
        provider: &'static str,
        detail: String,
    },
    /// The provider answered, and refused, for a reason that is none of the above.
    #[error("{provider} refused: {message}")]
    Refused {
        provider: &'static str,
        message: String,
    },
    /// The provider could not be reached, timed out, or failed on its side.
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
    /// Real WeCom's suite, for what the trait does not cover: install callbacks, OAuth's
    /// authorize URL, JS-SDK tickets. `None` with local WeCom.
    pub wecom_suite: Option<Arc<wecom_suite::SuiteWeCom>>,
}

impl Providers {
    /// Each provider local or real, as `real.modes` says. `ocr_dir` holds the local OCR
    /// models; without them recognition reports failure and the user types the license
    /// fields (the server still starts).
    pub fn new(
        real: &RealSettings,
        db: Db,
        vault: &Vault,
        clock: Arc<dyn Clock>,
        ocr_dir: &Path,
    ) -> Result<Self, String> {
        let m = real.modes;
        let mut wecom_suite = None;
        let wecom: Arc<dyn wecom::WeCom> = match (m.wecom, &real.wecom) {
            (ProviderMode::Local, _) => Arc::new(wecom::LocalWeCom::new(db.clone(), clock.clone())),
            (ProviderMode::Real, Some(settings)) => {
                let suite = Arc::new(wecom_suite::SuiteWeCom::new(
                    settings.clone(),
                    db.clone(),
                    vault.clone(),
                    clock.clone(),
                )?);
                wecom_suite = Some(suite.clone());
                suite
            }
            (ProviderMode::Real, None) => {
                return Err("real WeCom needs the ESIGN_WECOM_* settings".to_owned())
            }
        };
        // `config::real::load` fills these exactly when a Tencent Cloud provider is real.
        let tc = || {
            real.tencent_cloud
                .as_ref()
                .ok_or_else(|| "the Tencent Cloud settings (ESIGN_TC_*) are missing".to_owned())
        };
        let sms: Arc<dyn sms::SmsSender> = match m.sms {
            ProviderMode::Local => Arc::new(sms::OutboxSms::new(db.clone(), clock.clone())),
            ProviderMode::Real => {
                let settings = real.sms.as_ref().ok_or("the SMS settings are missing")?;
                Arc::new(tencent::sms::TencentSms::new(tc()?, settings)?)
            }
        };
        let ocr: Arc<dyn ocr::LicenseOcr> = match m.ocr {
            ProviderMode::Local => load_ocr(ocr_dir),
            ProviderMode::Real => Arc::new(tencent::ocr::TencentOcr::new(tc()?)?),
        };
        let face: Arc<dyn face::FaceVerifier> = match m.face {
            ProviderMode::Local => Arc::new(face::LocalFace::new(db.clone(), clock.clone())),
            ProviderMode::Real => {
                let settings = real
                    .face
                    .as_ref()
                    .ok_or("the FaceID settings are missing")?;
                Arc::new(tencent::faceid::TencentFace::new(tc()?, settings)?)
            }
        };
        let real_name: Arc<dyn realname::RealNameProvider> = match m.real_name {
            ProviderMode::Local => Arc::new(realname::LocalRealName),
            ProviderMode::Real => Arc::new(tencent::realname::TencentRealName::new(tc()?)?),
        };
        let registry: Arc<dyn registry::EnterpriseRegistry> = match m.registry {
            ProviderMode::Local => Arc::new(registry::LocalRegistry),
            ProviderMode::Real => Arc::new(imported::ImportedRegistry::new(db.clone())),
        };
        let wechat_esign: Arc<dyn esign::WechatEsignDirectory> = match m.directory {
            ProviderMode::Local => Arc::new(esign::LocalWechatDirectory),
            ProviderMode::Real => {
                Arc::new(imported::ImportedDirectory::new(db.clone(), vault.clone()))
            }
        };
        Ok(Self {
            wecom,
            real_name,
            sms,
            wechat_esign,
            ocr,
            face,
            registry,
            wecom_suite,
        })
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
