//! Business-license OCR through Tencent Cloud `BizLicenseOCR` 2018-11-19 (providers.md §2):
//! the photo as Base64 (scaled down first when it would pass the API's 7 MB), with the copy
//! and screen-photo warnings on. Tried once: the person waits for the answer (a second try
//! after a 10 s timeout would make it 20 s), each call is billed, and a failure only means
//! they type the fields.

use async_trait::async_trait;
use base64::Engine as _;
use serde_json::json;

use super::{TcClient, TcError};
use crate::config::real::TencentCloudSettings;
use crate::providers::http::HttpError;
use crate::providers::ocr::{BizLicense, LicenseOcr, OcrError};

const PROVIDER: &str = "ocr";

// The region is optional for BizLicenseOCR; it is sent (the configured one) so that an
// account bound to a region is served there.

/// The API's limit on `ImageBase64`.
pub const MAX_BASE64_BYTES: usize = 7 * 1024 * 1024;

#[derive(Debug)]
pub struct TencentOcr {
    client: TcClient,
}

impl TencentOcr {
    pub fn new(tc: &TencentCloudSettings) -> Result<Self, String> {
        Ok(Self {
            client: TcClient::new(tc, &tc.endpoint_ocr, "ocr", "2018-11-19", true, PROVIDER)?,
        })
    }
}

fn base64_len(bytes: usize) -> usize {
    bytes.div_ceil(3) * 4
}

/// The photo, as JPEG scaled down until its Base64 fits `limit`; unchanged when it fits.
pub fn fit(image: Vec<u8>, limit: usize) -> Result<Vec<u8>, OcrError> {
    if base64_len(image.len()) <= limit {
        return Ok(image);
    }
    let decoded = image::load_from_memory(&image).map_err(|e| OcrError::Image(e.to_string()))?;
    let (mut width, mut height) = (decoded.width(), decoded.height());
    let mut size = image.len();
    for _ in 0..6 {
        // Area, and so roughly bytes, goes with the square of the side; a margin for JPEG.
        let scale = ((limit as f64 * 3.0 / 4.0) / size as f64).sqrt() * 0.9;
        let scale = scale.min(0.9);
        width = ((f64::from(width) * scale) as u32).max(1);
        height = ((f64::from(height) * scale) as u32).max(1);
        let smaller = decoded
            .resize(width, height, image::imageops::FilterType::Triangle)
            .to_rgb8();
        let mut out = std::io::Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&smaller)
            .map_err(|e| OcrError::Image(e.to_string()))?;
        let out = out.into_inner();
        if base64_len(out.len()) <= limit {
            return Ok(out);
        }
        size = out.len();
    }
    Err(OcrError::Image(
        "could not be scaled under the OCR limit".to_owned(),
    ))
}

fn ocr_error(e: TcError) -> OcrError {
    let (code, message) = match e {
        TcError::Http(HttpError::Decode(m)) => return OcrError::Unavailable(m),
        TcError::Http(e) => return OcrError::Unavailable(e.to_string()),
        TcError::Api { code, message } => (code, message),
    };
    let detail = format!("{code}: {message}");
    match code.as_str() {
        "FailedOperation.ImageDecodeFailed"
        | "FailedOperation.EmptyImageError"
        | "FailedOperation.ImageSizeTooLarge"
        | "LimitExceeded.TooLargeFileError"
        | "FailedOperation.DownLoadError" => OcrError::Image(detail),
        "FailedOperation.ImageNoText"
        | "FailedOperation.NoBizLicense"
        | "FailedOperation.OcrFailed"
        | "FailedOperation.UnKnowError" => OcrError::NotALicense(detail),
        c if c.starts_with("InternalError") => OcrError::Unavailable(detail),
        c if c.starts_with("RequestLimitExceeded")
            || c.starts_with("LimitExceeded")
            || c.contains("PackageRunOut")
            || c.contains("SoldOut") =>
        {
            OcrError::Quota(detail)
        }
        _ => OcrError::Misconfigured(detail),
    }
}

#[async_trait]
impl LicenseOcr for TencentOcr {
    async fn recognize(&self, image: Vec<u8>) -> Result<BizLicense, OcrError> {
        let image = tokio::task::spawn_blocking(move || fit(image, MAX_BASE64_BYTES))
            .await
            .map_err(|e| OcrError::Worker(e.to_string()))??;
        let body = json!({
            "ImageBase64": base64::engine::general_purpose::STANDARD.encode(&image),
            "EnableCopyWarn": true,
        });
        let license: BizLicense = self
            .client
            .call("BizLicenseOCR", &body)
            .await
            .map_err(ocr_error)?;
        Ok(license)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_png(w: u32, h: u32) -> Vec<u8> {
        let mut seed = 7u32;
        let img = image::RgbImage::from_fn(w, h, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let b = seed.to_be_bytes();
            image::Rgb([b[0], b[1], b[2]])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn a_photo_over_the_limit_is_scaled_down_and_one_under_it_is_kept() {
        let big = noisy_png(400, 300);
        let limit = base64_len(big.len()) / 3;
        let small = fit(big.clone(), limit).unwrap();
        assert!(base64_len(small.len()) <= limit);
        let img = image::load_from_memory(&small).unwrap();
        assert!(img.width() < 400 && img.height() < 300);
        assert_eq!(fit(big.clone(), base64_len(big.len())).unwrap(), big);
    }

    #[test]
    fn warnings_and_errors_read_as_their_documented_meaning() {
        let license: BizLicense = serde_json::from_value(json!({
            "Name": "星河云图科技有限公司", "RecognizeWarnCode": [-9102, -9104],
            "RecognizeWarnMsg": ["WARN_COPY_CARD", "WARN_RESHOOT_CARD"], "Angle": 0.5,
            "NationalEmblem": true, "RequestId": "r"
        }))
        .unwrap();
        assert_eq!(license.warnings().len(), 2);
        let none: BizLicense =
            serde_json::from_value(json!({"RecognizeWarnCode": null, "RecognizeWarnMsg": null}))
                .unwrap();
        assert!(none.warnings().is_empty());
        let api = |code: &str| TcError::Api {
            code: code.to_owned(),
            message: String::new(),
        };
        assert!(matches!(
            ocr_error(api("AuthFailure.SignatureFailure")),
            OcrError::Misconfigured(_)
        ));
        assert!(matches!(
            ocr_error(api("ResourceUnavailable.InArrears")),
            OcrError::Misconfigured(_)
        ));
        assert!(matches!(
            ocr_error(api("RequestLimitExceeded")),
            OcrError::Quota(_)
        ));
        assert!(matches!(
            ocr_error(api("FailedOperation.NoBizLicense")),
            OcrError::NotALicense(_)
        ));
        assert!(matches!(
            ocr_error(TcError::Http(HttpError::Timeout)),
            OcrError::Unavailable(_)
        ));
    }
}
