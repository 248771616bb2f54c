//! The photo uploads of 上传营业执照 and 授权书: one path for both. The cheap refusals
//! come first (body size, daily cap, the header's declared size); the decode and OCR then
//! wait their turn in the image pool; the file is kept only with its row.

use std::sync::Arc;

use axum::body::Bytes;

use super::error::wait_text;
use super::{Ctx, Error};
use crate::clock::china_day;
use crate::imaging::{self, Header, PoolError, Refusal};
use crate::providers::ocr::{BizLicense, LicenseOcr, OcrError};
use crate::storage::{new_id, DailyCap, NewUpload, Stored, UploadKind};

/// Phone photos arrive compressed (< 1 MB); the server still takes up to this much.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// Photos (license and letter together) one application may upload per day in China. A
/// retake or two per photo is normal; thirty is far past it.
pub const MAX_PER_DAY: i64 = 30;

/// A photo that passed every check and decoded, not yet stored.
pub struct Accepted {
    bytes: Bytes,
    header: Header,
}

/// Checks a photo upload and decodes it once (proving it whole), in the image pool.
pub async fn accept(cx: &Ctx<'_>, application_id: &str, bytes: Bytes) -> Result<Accepted, Error> {
    Ok(receive(cx, application_id, bytes, None).await?.0)
}

/// As [`accept`], and recognizes the license in the same turn of the pool. Recognition
/// failing is an answer, not an error: the user then types the fields.
pub async fn accept_license(
    cx: &Ctx<'_>,
    application_id: &str,
    bytes: Bytes,
) -> Result<(Accepted, Result<BizLicense, OcrError>), Error> {
    let ocr = Arc::clone(&cx.providers.ocr);
    let (photo, recognition) = receive(cx, application_id, bytes, Some(ocr)).await?;
    let recognition = recognition.unwrap_or_else(|| Err(OcrError::Worker("not run".to_owned())));
    Ok((photo, recognition))
}

/// The photo itself is checked by the caller: not empty, at most [`MAX_PHOTO_BYTES`].
async fn receive(
    cx: &Ctx<'_>,
    application_id: &str,
    bytes: Bytes,
    ocr: Option<Arc<dyn LicenseOcr>>,
) -> Result<(Accepted, Option<Result<BizLicense, OcrError>>), Error> {
    let (since, until_tomorrow) = china_day(cx.clock.now());
    if cx.db.uploads_since(application_id, since).await? >= MAX_PER_DAY {
        return Err(cap_reached(until_tomorrow));
    }
    let header = imaging::inspect(&bytes).map_err(|r| refused(r, &bytes))?;
    let job_bytes = bytes.clone();
    let (decoded, recognition) = cx
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
        cx: &Ctx<'_>,
        application_id: &str,
        kind: UploadKind,
        recognized_json: Option<&str>,
    ) -> Result<String, Error> {
        let id = new_id();
        let file_name = format!("{id}.{}", self.header.format.extension());
        let now = cx.clock.now();
        let (since, until_tomorrow) = china_day(now);
        let stored = cx
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
