//! The one HTTP client every real provider uses: rustls, a 3 s connect timeout and 10 s in
//! all. Retries are for calls that are safe to repeat only (token fetches, result reads): a
//! send (SMS, `message/send`, DetectAuth) that may have reached the provider is never sent
//! twice.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use super::ProviderError;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Waits before the second and the third try of a repeatable call.
const BACKOFF: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// The shared client (one connection pool for all providers).
pub fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .user_agent(concat!("esign-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's settings are valid")
    })
}

/// Why one HTTP exchange failed, before the provider's own body is read.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("timed out")]
    Timeout,
    #[error("HTTP {0}")]
    Status(u16),
    /// Connection refused or reset, TLS, DNS.
    #[error("transport: {0}")]
    Transport(String),
    #[error("unreadable answer: {0}")]
    Decode(String),
}

impl HttpError {
    /// Worth another try for a repeatable call: it may not have been the request's fault.
    pub fn is_transient(&self) -> bool {
        matches!(self, HttpError::Timeout | HttpError::Transport(_))
            || matches!(self, HttpError::Status(s) if *s >= 500)
    }

    pub fn unavailable(self, provider: &'static str) -> ProviderError {
        ProviderError::Unavailable {
            provider,
            message: self.to_string(),
        }
    }
}

/// Never carries the URL: its query may hold an access token.
impl From<reqwest::Error> for HttpError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            HttpError::Timeout
        } else if let Some(status) = e.status() {
            HttpError::Status(status.as_u16())
        } else if e.is_decode() {
            HttpError::Decode(e.without_url().to_string())
        } else {
            HttpError::Transport(e.without_url().to_string())
        }
    }
}

/// Sends and reads a JSON answer; a non-2xx status is an error.
pub async fn json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Result<T, HttpError> {
    let response = request.send().await?;
    let status = response.status();
    if !status.is_success() {
        return Err(HttpError::Status(status.as_u16()));
    }
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|e| HttpError::Decode(e.to_string()))
}

/// Runs a call that is safe to repeat, up to three times, while it fails transiently.
pub async fn repeatable<T, F, Fut>(mut call: F) -> Result<T, HttpError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, HttpError>>,
{
    let mut waits = BACKOFF.iter();
    loop {
        match call().await {
            Err(e) if e.is_transient() => match waits.next() {
                Some(wait) => tokio::time::sleep(*wait).await,
                None => return Err(e),
            },
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_repeatable_call_is_tried_three_times_on_5xx_and_timeouts_only() {
        let tries = AtomicU32::new(0);
        let r: Result<(), _> = repeatable(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(HttpError::Status(502))
        })
        .await;
        assert!(matches!(r, Err(HttpError::Status(502))));
        assert_eq!(tries.load(Ordering::SeqCst), 3);

        let tries = AtomicU32::new(0);
        let r: Result<(), _> = repeatable(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(HttpError::Status(400))
        })
        .await;
        assert!(matches!(r, Err(HttpError::Status(400))));
        assert_eq!(tries.load(Ordering::SeqCst), 1, "a 4xx is not retried");

        let tries = AtomicU32::new(0);
        let r = repeatable(|| async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 => Err(HttpError::Timeout),
                _ => Ok(7),
            }
        })
        .await;
        assert_eq!(r.unwrap(), 7);
    }
}
