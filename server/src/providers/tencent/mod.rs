//! Tencent Cloud API 3.0 clients: SMS, business-license OCR, FaceID and the real-name check
//! (providers.md §2–§5). One [`TcClient`] per service signs each call (TC3), sends it with the
//! shared HTTP client and reads the `{"Response": …}` envelope; the common error codes map
//! onto [`ProviderError`] here, each API's own codes in its module.

pub mod faceid;
pub mod ocr;
pub mod realname;
pub mod sms;
pub mod tc3;

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::http::{self, HttpError};
use super::ProviderError;
use crate::config::real::{Secret, TencentCloudSettings};

/// One Tencent Cloud API (service and version) at one endpoint.
#[derive(Clone)]
pub struct TcClient {
    /// Where calls go, e.g. `https://sms.tencentcloudapi.com/`.
    url: url::Url,
    /// The `Host` header, signed as sent (with its port when the URL has one).
    host: String,
    service: &'static str,
    version: &'static str,
    /// `X-TC-Region`, for the APIs that need one.
    region: Option<String>,
    secret_id: String,
    secret_key: Secret,
    /// Names the provider in errors and logs.
    provider: &'static str,
}

/// Never shows the key (nor the id, which identifies the account).
impl fmt::Debug for TcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcClient")
            .field("host", &self.host)
            .field("service", &self.service)
            .field("version", &self.version)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Why a call failed: the transport, or Tencent Cloud's own `Error`.
#[derive(Debug)]
pub enum TcError {
    Http(HttpError),
    Api { code: String, message: String },
}

impl fmt::Display for TcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcError::Http(e) => write!(f, "{e}"),
            TcError::Api { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

/// Requests per second (`RequestLimitExceeded`) pass in a moment; other limits take longer.
pub const FREQUENCY_RETRY_SECS: u64 = 5;
pub const LIMIT_RETRY_SECS: u64 = 60;

impl TcError {
    /// The meaning of the codes every API shares; an API's own codes are matched before this.
    pub fn into_provider(self, provider: &'static str) -> ProviderError {
        let (code, message) = match self {
            TcError::Http(e) => return e.unavailable(provider),
            TcError::Api { code, message } => (code, message),
        };
        let detail = format!("{code}: {message}");
        let misconfigured = code.starts_with("AuthFailure")
            || code.starts_with("UnauthorizedOperation")
            || code.starts_with("ResourceInsufficient")
            || code.starts_with("ResourcesSoldOut")
            || code.starts_with("ResourceUnavailable")
            || (code.starts_with("FailedOperation") && code.ends_with("Unapproved"))
            || code.contains("Arrears")
            || code.contains("InsufficientBalance")
            || code.contains("Unopen")
            || code.contains("UnOpen");
        if misconfigured {
            return ProviderError::Misconfigured { provider, detail };
        }
        if code == "RequestLimitExceeded" || code.starts_with("RequestLimitExceeded.") {
            return ProviderError::RateLimited {
                provider,
                retry_after_secs: FREQUENCY_RETRY_SECS,
                message: "请求过于频繁，请稍后再试".to_owned(),
            };
        }
        if code.starts_with("LimitExceeded") {
            return ProviderError::RateLimited {
                provider,
                retry_after_secs: LIMIT_RETRY_SECS,
                message: "请求过于频繁，请1分钟后再试".to_owned(),
            };
        }
        if code.starts_with("InternalError") || code == "ServiceUnavailable" {
            return ProviderError::Unavailable {
                provider,
                message: detail,
            };
        }
        ProviderError::Refused {
            provider,
            message: detail,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            TcError::Api { code, .. } => Some(code),
            TcError::Http(_) => None,
        }
    }
}

/// The envelope: `Response` holds either `Error` or the API's fields.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Value,
}

/// Seconds until midnight in China, when Tencent Cloud's daily limits start again.
pub fn until_tomorrow_in_china() -> u64 {
    crate::clock::china_day(TcClient::now()).1.max(60)
}

impl TcClient {
    /// FaceID's API (`DetectAuth`, `GetDetectInfoEnhanced`, `IdCardVerification`): no region.
    pub fn faceid(settings: &TencentCloudSettings, provider: &'static str) -> Result<Self, String> {
        Self::new(
            settings,
            &settings.endpoint_faceid,
            "faceid",
            "2018-03-01",
            false,
            provider,
        )
    }

    /// `endpoint` is one of `ESIGN_TC_ENDPOINT_*` (checked at start: an http(s) URL).
    pub fn new(
        settings: &TencentCloudSettings,
        endpoint: &str,
        service: &'static str,
        version: &'static str,
        with_region: bool,
        provider: &'static str,
    ) -> Result<Self, String> {
        let url = url::Url::parse(endpoint).map_err(|_| format!("{endpoint} is not a URL"))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(format!("{endpoint} has no host")),
        };
        Ok(Self {
            url,
            host,
            service,
            version,
            region: with_region.then(|| settings.region.clone()),
            secret_id: settings.secret_id.clone(),
            secret_key: settings.secret_key.clone(),
            provider,
        })
    }

    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// This machine's time: Tencent Cloud checks a signature's within five minutes of its own.
    fn now() -> i64 {
        crate::clock::Clock::now(&crate::clock::SystemClock)
    }

    /// One signed exchange; the signature's time is this machine's, as Tencent Cloud checks
    /// it within five minutes of its own.
    async fn exchange(&self, action: &str, body: &[u8]) -> Result<Value, HttpError> {
        let timestamp = Self::now();
        let request = tc3::Request {
            service: self.service,
            host: &self.host,
            action,
            timestamp,
            body,
            signed_headers: tc3::SignedHeaders::WithAction,
        };
        let authorization = tc3::authorization(&self.secret_id, self.secret_key.expose(), &request);
        let mut builder = http::client()
            .post(self.url.clone())
            .header("Authorization", authorization)
            .header("Content-Type", tc3::CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-TC-Action", action)
            .header("X-TC-Version", self.version)
            .header("X-TC-Timestamp", timestamp.to_string())
            .body(body.to_vec());
        if let Some(region) = &self.region {
            builder = builder.header("X-TC-Region", region);
        }
        let response = builder.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        // Tencent Cloud answers its errors with 200 and the envelope; a bare 5xx is its
        // gateway's.
        match serde_json::from_slice::<Envelope>(&bytes) {
            Ok(envelope) if status.is_success() || envelope.response.get("Error").is_some() => {
                Ok(envelope.response)
            }
            _ if !status.is_success() => Err(HttpError::Status(status.as_u16())),
            Err(e) => Err(HttpError::Decode(e.to_string())),
            Ok(_) => Err(HttpError::Decode("no Response".to_owned())),
        }
    }

    fn read<T: DeserializeOwned>(response: Value) -> Result<T, TcError> {
        if let Some(error) = response.get("Error") {
            let text = |k: &str| error[k].as_str().unwrap_or_default().to_owned();
            return Err(TcError::Api {
                code: text("Code"),
                message: text("Message"),
            });
        }
        serde_json::from_value(response)
            .map_err(|e| TcError::Http(HttpError::Decode(e.to_string())))
    }

    /// Calls `action` once: for sends (SMS, DetectAuth) and anything not safe to repeat.
    pub async fn call<T: DeserializeOwned>(
        &self,
        action: &str,
        body: &Value,
    ) -> Result<T, TcError> {
        let body = serde_json::to_vec(body).expect("a JSON value serializes");
        let response = self.exchange(action, &body).await.map_err(TcError::Http)?;
        Self::read(response)
    }

    /// Calls `action`, again after a timeout or a 5xx: for reads only (a result pulled twice
    /// is the same result).
    pub async fn call_repeatable<T: DeserializeOwned>(
        &self,
        action: &str,
        body: &Value,
    ) -> Result<T, TcError> {
        let body = serde_json::to_vec(body).expect("a JSON value serializes");
        let response = http::repeatable(|| self.exchange(action, &body))
            .await
            .map_err(TcError::Http)?;
        Self::read(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> TencentCloudSettings {
        TencentCloudSettings {
            secret_id: "AKIDsecretidvalue".to_owned(),
            secret_key: Secret::new("the-secret-key-value"),
            region: "ap-guangzhou".to_owned(),
            endpoint_sms: "http://127.0.0.1:18080".to_owned(),
            endpoint_ocr: "https://ocr.tencentcloudapi.com".to_owned(),
            endpoint_faceid: "https://faceid.tencentcloudapi.com".to_owned(),
        }
    }

    #[test]
    fn the_host_is_signed_as_sent_and_debug_shows_no_credential() {
        let s = settings();
        let c = TcClient::new(&s, &s.endpoint_sms, "sms", "2021-01-11", true, "sms").unwrap();
        assert_eq!(c.host, "127.0.0.1:18080");
        let shown = format!("{c:?}");
        assert!(!shown.contains("the-secret-key-value") && !shown.contains("AKIDsecretidvalue"));
        let c = TcClient::new(
            &s,
            &s.endpoint_faceid,
            "faceid",
            "2018-03-01",
            false,
            "face",
        )
        .unwrap();
        assert_eq!(
            (c.host.as_str(), c.region.as_deref()),
            ("faceid.tencentcloudapi.com", None)
        );
    }

    #[test]
    fn common_codes_map_to_what_they_mean_for_the_user() {
        let api = |code: &str| TcError::Api {
            code: code.to_owned(),
            message: "m".to_owned(),
        };
        for code in [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SignatureExpire",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
            "ResourceInsufficient",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "ResourceUnavailable.InArrears",
            "FailedOperation.InsufficientBalanceInSmsPackage",
        ] {
            let e = api(code).into_provider("sms");
            assert!(
                matches!(e, ProviderError::Misconfigured { .. }),
                "{code}: {e:?}"
            );
        }
        assert!(matches!(
            api("RequestLimitExceeded").into_provider("ocr"),
            ProviderError::RateLimited {
                retry_after_secs: FREQUENCY_RETRY_SECS,
                ..
            }
        ));
        assert!(matches!(
            api("LimitExceeded").into_provider("ocr"),
            ProviderError::RateLimited {
                retry_after_secs: LIMIT_RETRY_SECS,
                ..
            }
        ));
        assert!(matches!(
            api("InternalError").into_provider("face"),
            ProviderError::Unavailable { .. }
        ));
        assert!(matches!(
            TcError::Http(HttpError::Timeout).into_provider("face"),
            ProviderError::Unavailable { .. }
        ));
        assert!(matches!(
            api("InvalidParameter").into_provider("face"),
            ProviderError::Refused { .. }
        ));
    }
}
