//! The one typed client of the JSON API, with one error type.
//!
//! A 401 anywhere also tells the app (an `auth-lost` window event) so that it can show the
//! "reopen from WeCom" page, whichever view made the call.

use api::wire::{self, paths, ErrorBody, NotifyAdminsResult, SessionInfo};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The window event sent when the server says the session is gone.
pub const AUTH_LOST_EVENT: &str = "esign-auth-lost";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No answer: offline, DNS, server down, or a proxy error page.
    #[error("网络连接失败，请检查网络后重试")]
    Network,
    /// The session is gone: reopen the app from WeCom.
    #[error("{0}")]
    Unauthorized(String),
    /// The server refused, with a message meant for the user.
    #[error("{}", .error.message)]
    Refused { status: u16, error: wire::ApiError },
    /// The server answered something this app does not understand (e.g. an older server).
    #[error("服务返回了无法识别的内容，请刷新后重试")]
    Decode,
}

impl ApiError {
    /// Seconds to wait, for a rate-limit refusal.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Refused { error, .. } => error.retry_after_secs,
            _ => None,
        }
    }

    /// The field a refusal is about, to show the message there.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Refused { error, .. } => error.field.as_deref(),
            _ => None,
        }
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = Request::get(path)
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    decode(response).await
}

pub async fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, ApiError> {
    let request = Request::post(path)
        .json(body)
        .map_err(|_| ApiError::Decode)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response.json::<T>().await.map_err(|_| ApiError::Decode);
    }
    // Errors from this server are JSON; anything else (a gateway's HTML page) is a network fault.
    let Ok(ErrorBody { error }) = response.json::<ErrorBody>().await else {
        return Err(if status >= 500 {
            ApiError::Network
        } else {
            ApiError::Decode
        });
    };
    if status == 401 {
        announce_auth_lost();
        return Err(ApiError::Unauthorized(error.message));
    }
    Err(ApiError::Refused { status, error })
}

fn announce_auth_lost() {
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new(AUTH_LOST_EVENT),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

pub async fn session() -> Result<SessionInfo, ApiError> {
    get(paths::SESSION).await
}

pub async fn notify_admins() -> Result<NotifyAdminsResult, ApiError> {
    post(paths::NOTIFY_ADMINS, &()).await
}
