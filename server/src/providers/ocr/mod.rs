//! Business-license OCR (营业执照 / 事业单位法人证书 / 个体工商户营业执照).
//!
//! [`LicenseOcr`] answers with the shape of Tencent Cloud's `BizLicenseOCR` response
//! ([`BizLicense`]). [`LocalOcr`] is the offline engine: PaddleOCR PP-OCRv6 detection and
//! recognition models run by ONNX Runtime (library loaded at run time from the models dir,
//! installed by `scripts/ocr-models.sh`), a pipeline written here following RapidOCR
//! (resize → DB postprocess → perspective crops → batched CTC recognition), then the fields
//! are read from the layout ([`fields`]) and the USCC is repaired by its checksum.
//!
//! Pure parts, tested without a model: [`db`] (DB postprocess, unclip), [`ctc`] (CTC
//! decode), [`imageops`] (resize, normalisation, crops), [`fields`] (rows, columns, labels).

pub mod ctc;
pub mod db;
mod engine;
pub mod fields;
pub mod imageops;
mod t2s;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use engine::{EngineOptions, Recognition, Timings};

/// Recognizes a business license photo.
#[async_trait::async_trait]
pub trait LicenseOcr: Send + Sync {
    /// Recognizes an uploaded, already-validated JPEG/PNG. Never blocks the async runtime.
    async fn recognize(&self, image: Vec<u8>) -> Result<BizLicense, OcrError>;
}

/// Tencent Cloud BizLicenseOCR `Response`, PascalCase on the wire; all fields optional.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BizLicense {
    /// 统一社会信用代码 (repaired by its checksum when OCR confused O/0, I/1, Z/2, S/5, B/8).
    pub reg_num: Option<String>,
    /// 名称.
    pub name: Option<String>,
    /// 注册资本 (开办资金 on institution certificates).
    pub capital: Option<String>,
    /// 法定代表人 (负责人 / 经营者 / 执行事务合伙人).
    pub person: Option<String>,
    /// 住所 (经营场所 / 主要经营场所).
    pub address: Option<String>,
    /// 经营范围 (宗旨和业务范围).
    pub business: Option<String>,
    /// 类型 (主体类型).
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// 营业期限 (有效期).
    pub period: Option<String>,
    /// 组成形式 (individual businesses).
    pub composing_form: Option<String>,
    /// 成立日期 (注册日期 on individual-business licenses).
    pub set_date: Option<String>,
    /// -9102 黑白复印件, -9104 翻拍件, -20001 非营业执照 (some versions); see
    /// [`BizLicense::warnings`].
    #[serde(default, deserialize_with = "null_as_empty")]
    pub recognize_warn_code: Vec<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub recognize_warn_msg: Vec<String>,
    /// 1 = 副本, -1 = 正本.
    pub is_duplication: Option<i64>,
    /// 登记日期 (the date under 登记机关).
    pub registration_date: Option<String>,
    /// Rotation of the text in the image, degrees (positive = clockwise).
    pub angle: Option<f64>,
    /// 标题 (营业执照, 事业单位法人证书, …).
    pub title: Option<String>,
    /// 编号 (证照编号).
    pub serial_number: Option<String>,
    /// 登记机关 (usually only readable on the seal; often absent).
    pub registration_authority: Option<String>,
    pub request_id: Option<String>,
}

/// The service may send `null` for an empty list.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(<Option<Vec<T>> as serde::Deserialize>::deserialize(d)?.unwrap_or_default())
}

impl BizLicense {
    /// The recognition's warnings, as the person reads them beside the fields.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for code in &self.recognize_warn_code {
            let text = match code {
                -9102 => "检测到照片为复印件，请上传营业执照原件照片",
                -9104 => "检测到照片为翻拍件，请上传营业执照原件照片",
                -20001 => "照片疑似非营业执照，请上传营业执照原件照片",
                _ => continue,
            };
            if !out.iter().any(|t| t == text) {
                out.push(text.to_owned());
            }
        }
        out
    }
}

/// Why recognition failed.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// A model or the ONNX Runtime library is not installed.
    #[error("OCR engine not installed: {} is missing; run scripts/ocr-models.sh (called by scripts/setup.sh)", path.display())]
    EngineMissing { path: PathBuf },
    /// The engine files are there but could not be loaded (wrong file, incompatible library).
    #[error("OCR engine failed to load from {}: {message}; re-run scripts/ocr-models.sh", path.display())]
    EngineLoad { path: PathBuf, message: String },
    /// The upload is not a decodable JPEG/PNG.
    #[error("image could not be decoded: {0}")]
    Image(String),
    /// The image is too small (or too degenerate) to hold a license.
    #[error("image too small for a license: {width}x{height}")]
    ImageTooSmall { width: u32, height: u32 },
    /// ONNX Runtime failed while running a model.
    #[error("OCR inference failed: {0}")]
    Inference(String),
    /// The blocking worker panicked or was cancelled.
    #[error("OCR worker failed: {0}")]
    Worker(String),
    /// The OCR service could not be reached, timed out or failed on its side.
    #[error("OCR service unavailable: {0}")]
    Unavailable(String),
    /// The OCR service refused the deployment's key or account (a setting to fix).
    #[error("OCR service misconfigured: {0}")]
    Misconfigured(String),
    /// The OCR service's rate limit or paid quota is used up.
    #[error("OCR service quota reached: {0}")]
    Quota(String),
    /// The OCR service read no license in the image.
    #[error("OCR service found no license: {0}")]
    NotALicense(String),
}

impl OcrError {
    /// What the person is told beside the fields they now type themselves. Recognition
    /// failing never stops the step.
    pub fn user_message(&self) -> &'static str {
        match self {
            OcrError::Image(_) | OcrError::ImageTooSmall { .. } | OcrError::NotALicense(_) => {
                "未能从照片中识别出营业执照，请确认照片清晰完整，或手动填写以下信息"
            }
            OcrError::Unavailable(_) => "证照识别服务暂时无法连接，请手动填写以下信息",
            OcrError::Quota(_) => "证照识别服务繁忙，请稍后重新上传，或手动填写以下信息",
            OcrError::EngineMissing { .. }
            | OcrError::EngineLoad { .. }
            | OcrError::Inference(_)
            | OcrError::Worker(_)
            | OcrError::Misconfigured(_) => "证照识别服务暂不可用，请手动填写以下信息",
        }
    }
}

/// The offline engine. Cheap to clone: the sessions are shared.
///
/// Models and library are loaded once by [`LocalOcr::load`]; each [`LicenseOcr::recognize`]
/// runs on tokio's blocking pool. The ONNX Runtime sessions are behind mutexes
/// (`ort::Session::run` takes `&mut self` in 2.0.0-rc.15), detection and recognition
/// separately, so two requests can overlap one's detection with the other's recognition.
#[derive(Clone)]
pub struct LocalOcr {
    engine: Arc<engine::Engine>,
}

impl std::fmt::Debug for LocalOcr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalOcr")
            .field("dir", &self.engine.dir())
            .finish_non_exhaustive()
    }
}

impl LocalOcr {
    /// File names expected in the models dir.
    pub const DET_MODEL: &'static str = "PP-OCRv6_det_small.onnx";
    pub const REC_MODEL: &'static str = "PP-OCRv6_rec_small.onnx";
    pub const ORT_LIBRARY: &'static str = "libonnxruntime.so.1.32.0";

    /// Loads the ONNX Runtime library and both models from `dir` (default `models/ocr`),
    /// with default options.
    pub fn load(dir: &Path) -> Result<Self, OcrError> {
        Self::load_with(dir, EngineOptions::default())
    }

    /// As [`LocalOcr::load`], with explicit options (threads, detection size).
    pub fn load_with(dir: &Path, options: EngineOptions) -> Result<Self, OcrError> {
        Ok(Self {
            engine: Arc::new(engine::Engine::load(dir, options)?),
        })
    }

    /// Recognizes on the calling thread, returning the lines and timings as well. Blocking
    /// (seconds): from async code use [`LicenseOcr::recognize`].
    pub fn recognize_blocking(&self, image: &[u8]) -> Result<Recognition, OcrError> {
        self.engine.recognize(image)
    }
}

#[async_trait::async_trait]
impl LicenseOcr for LocalOcr {
    async fn recognize(&self, image: Vec<u8>) -> Result<BizLicense, OcrError> {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || engine.recognize(&image))
            .await
            .map_err(|e| OcrError::Worker(e.to_string()))?
            .map(|r| r.license)
    }
}

/// Milliseconds, for logs and benches.
pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
