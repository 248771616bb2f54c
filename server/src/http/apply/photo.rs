//! The photo uploads of 上传营业执照 and 授权书: one path for both. The cheap refusals
//! come first (body size, daily cap, the header's declared size); the decode and OCR then
//! wait their turn in the image pool; the file is kept only with its row.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;

use super::{china_day, MAX_PHOTO_BYTES};
use crate::http::error::{wait_text, Error};
use crate::http::AppState;
use crate::imaging::{self, Header, PoolError, Refusal};
use crate::providers::ocr::{BizLicense, LicenseOcr, OcrError};
use crate::storage::{new_id, DailyCap, NewUpload, Stored, UploadKind};

/// Photos (license and letter together) one application may upload per day in China. A
/// retake or two per photo is normal; thirty is far past it.
pub const MAX_PER_DAY: i64 = 30;

/// A photo that passed every check and decoded, not yet stored.
pub(super) struct Accepted {
    bytes: Bytes,
    header: Header,
}

/// Checks a photo upload and decodes it once (proving it whole), in the image pool.
pub(super) async fn accept(
    state: &AppState,
    application_id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Accepted, Error> {
    Ok(receive(state, application_id, body, None).await?.0)
}

/// As [`accept`], and recognizes the license in the same turn of the pool. Recognition
/// failing is an answer, not an error: the user then types the fields.
pub(super) async fn accept_license(
    state: &AppState,
    application_id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Accepted, Result<BizLicense, OcrError>), Error> {
    let ocr = Arc::clone(&state.providers.ocr);
    let (photo, recognition) = receive(state, application_id, body, Some(ocr)).await?;
    let recognition = recognition.unwrap_or_else(|| Err(OcrError::Worker("not run".to_owned())));
    Ok((photo, recognition))
}

async fn receive(
    state: &AppState,
    application_id: &str,
    body: Result<Bytes, BytesRejection>,
    ocr: Option<Arc<dyn LicenseOcr>>,
) -> Result<(Accepted, Option<Result<BizLicense, OcrError>>), Error> {
    let bytes = body_of(body)?;
    let (since, until_tomorrow) = china_day(state.clock.now());
    if state.db.uploads_since(application_id, since).await? >= MAX_PER_DAY {
        return Err(cap_reached(until_tomorrow));
    }
    let header = imaging::inspect(&bytes).map_err(|r| refused(r, &bytes))?;
    let job_bytes = bytes.clone();
    let (decoded, recognition) = state
        .images
        .run(async move {
            let pixels = job_bytes.clone();
            // The decoded image is dropped at once: this only proves the file whole.
            let decoded = tokio::task::spawn_blocking(move || {
                imaging::decode(&pixels, header.format).map(drop)
            })
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "photo decoder panicked");
                Err(Refusal::Undecodable)
            });
            let recognition = match (&decoded, ocr) {
                (Ok(()), Some(ocr)) => Some(ocr.recognize(job_bytes.to_vec()).await),
                _ => None,
            };
            (decoded, recognition)
        })
        .await
        .map_err(|e| match e {
            PoolError::Busy { retry_after_secs } => Error::Busy { retry_after_secs },
            PoolError::Failed(m) => Error::Io(m),
        })?;
    decoded.map_err(|r| refused(r, &bytes))?;
    Ok((Accepted { bytes, header }, recognition))
}

impl Accepted {
    /// Stores the photo with its row, as one of the application's uploads; returns its id.
    pub async fn store(
        &self,
        state: &AppState,
        application_id: &str,
        kind: UploadKind,
        recognized_json: Option<&str>,
    ) -> Result<String, Error> {
        let id = new_id();
        let file_name = format!("{id}.{}", self.header.format.extension());
        let now = state.clock.now();
        let (since, until_tomorrow) = china_day(now);
        let stored = state
            .db
            .store_upload(
                &NewUpload {
                    id: &id,
                    application_id,
                    kind,
                    file_name: &file_name,
                    bytes: self.bytes.len() as i64,
                    width: i64::from(self.header.width),
                    height: i64::from(self.header.height),
                    recognized_json,
                },
                &self.bytes,
                DailyCap {
                    since,
                    max: MAX_PER_DAY,
                },
                now,
            )
            .await?;
        match stored {
            Stored::Stored => Ok(id),
            Stored::CapReached => Err(cap_reached(until_tomorrow)),
            Stored::ApplicationClosed => {
                Err(Error::Conflict("本次企业认证已结束，照片未保存".to_owned()))
            }
        }
    }
}

fn too_big() -> Error {
    Error::too_large_field(
        "photo",
        format!(
            "照片不能超过{}MB，请重新拍摄或选择",
            MAX_PHOTO_BYTES / 1024 / 1024
        ),
    )
}

fn body_of(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Error> {
    let bytes = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => too_big(),
        _ => Error::bad_field("photo", "照片上传失败，请重试"),
    })?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(too_big());
    }
    if bytes.is_empty() {
        return Err(Error::bad_field("photo", "请拍摄或选择照片"));
    }
    Ok(bytes)
}

fn cap_reached(until_tomorrow: u64) -> Error {
    Error::RateLimited {
        message: format!(
            "今日上传照片次数已达上限，请{}后再试",
            wait_text(until_tomorrow)
        ),
        retry_after_secs: until_tomorrow,
    }
}

fn refused(r: Refusal, bytes: &[u8]) -> Error {
    let message = match r {
        Refusal::NotAnImage => return Error::bad_field("photo", "只支持JPG或PNG格式的图片"),
        Refusal::Undecodable => {
            return Error::bad_field("photo", "图片已损坏或无法识别，请重新拍摄")
        }
        Refusal::TooSmall { .. } => {
            return Error::bad_field("photo", "图片太小，无法看清证照内容，请重新拍摄")
        }
        Refusal::SideTooLong { .. } => {
            return Error::bad_field("photo", "图片尺寸过大，请重新拍摄")
        }
        Refusal::TooManyPixels { .. } => "图片像素过高，不能超过4000万像素，请重新拍摄或选择",
        Refusal::TooMuchMemory { .. } | Refusal::OverDecoderLimits => {
            "图片数据量过大，请重新拍摄或选择普通照片"
        }
    };
    // Worth seeing in the logs: a phone never sends these.
    tracing::warn!(refusal = %r, upload_bytes = bytes.len(), "photo refused by its size");
    Error::too_large_field("photo", message)
}
