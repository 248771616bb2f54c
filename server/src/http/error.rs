//! The one error type of the HTTP boundary. Client mistakes become 4xx with a Chinese message;
//! server faults become 5xx, are logged here, and never leak details.

use api::wire::{ApiError, ErrorBody, ErrorCode};
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::flow;
pub use crate::flow::error::wait_text;
use crate::providers::ProviderError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no session")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conflict about one input, e.g. a USCC that belongs to an enterprise opened elsewhere.
    #[error("conflict at {field}: {message}")]
    ConflictField { field: String, message: String },
    /// The action needs the caller's personal real-name verification first (409): the app
    /// sends them to 个人实名认证.
    #[error("real-name verification required")]
    RealNameRequired,
    #[error("payload too large")]
    PayloadTooLarge {
        message: String,
        field: Option<String>,
    },
    /// 415: a body of a type this endpoint does not take (an upload that is not an image).
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// Files on disk (uploads).
    #[error("io: {0}")]
    Io(String),
    #[error("bad request: {message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// The server's own capacity is taken (e.g. every image worker busy and the queue full):
    /// 503 with `Retry-After`.
    #[error("busy; retry in {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    /// A legal-rep link that no longer works: 410, with its own reason.
    #[error("link gone: {0}")]
    LinkGone(#[from] crate::flow::link::LinkRefusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Provider(ProviderError),
}

impl Error {
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// 413 about one input.
    pub fn too_large_field(field: &str, message: impl Into<String>) -> Self {
        Self::PayloadTooLarge {
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}

/// A use case's refusal, in the boundary's terms: one variant for one variant.
impl From<flow::Error> for Error {
    fn from(e: flow::Error) -> Self {
        use flow::Error as F;
        match e {
            F::Forbidden(m) => Self::Forbidden(m),
            F::NotFound(m) => Self::NotFound(m),
            F::Conflict(m) => Self::Conflict(m),
            F::ConflictField { field, message } => Self::ConflictField { field, message },
            F::RealNameRequired => Self::RealNameRequired,
            F::PayloadTooLarge { message, field } => Self::PayloadTooLarge { message, field },
            F::BadRequest { message, field } => Self::BadRequest { message, field },
            F::RateLimited {
                message,
                retry_after_secs,
            } => Self::RateLimited {
                message,
                retry_after_secs,
            },
            F::Busy { retry_after_secs } => Self::Busy { retry_after_secs },
            F::LinkGone(r) => Self::LinkGone(r),
            F::Io(m) => Self::Io(m),
            F::Storage(e) => Self::Storage(e),
            F::Provider(e) => Self::Provider(e),
        }
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        flow::Error::from(e).into()
    }
}

impl From<crate::flow::FlowError> for Error {
    fn from(e: crate::flow::FlowError) -> Self {
        flow::Error::from(e).into()
    }
}

impl From<crate::flow::guard::Refusal> for Error {
    fn from(r: crate::flow::guard::Refusal) -> Self {
        flow::Error::from(r).into()
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        let message = match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                "请求需要 JSON 格式（Content-Type: application/json）"
            }
            JsonRejection::JsonSyntaxError(_) => "请求内容不是有效的 JSON",
            JsonRejection::JsonDataError(_) => "请求内容缺少字段或字段类型不正确",
            _ => "请求内容无法读取",
        };
        Self::BadRequest {
            message: message.to_owned(),
            field: None,
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(_: QueryRejection) -> Self {
        Self::BadRequest {
            message: "请求参数缺少或格式不正确".to_owned(),
            field: None,
        }
    }
}

impl From<PathRejection> for Error {
    fn from(_: PathRejection) -> Self {
        Self::BadRequest {
            message: "链接地址不正确，请检查后重试".to_owned(),
            field: None,
        }
    }
}

impl From<FormRejection> for Error {
    fn from(rejection: FormRejection) -> Self {
        match rejection {
            FormRejection::InvalidFormContentType(_) => Self::UnsupportedMediaType(
                "请求需要表单格式（Content-Type: application/x-www-form-urlencoded）".to_owned(),
            ),
            FormRejection::FailedToDeserializeForm(_)
            | FormRejection::FailedToDeserializeFormBody(_) => Self::BadRequest {
                message: "表单内容缺少字段或字段类型不正确".to_owned(),
                field: None,
            },
            _ => Self::BadRequest {
                message: "请求内容无法读取".to_owned(),
                field: None,
            },
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code, message, field, retry) = match self {
            Error::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "登录已失效，请从企业微信工作台重新打开腾讯电子签".to_owned(),
                None,
                None,
            ),
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, m, None, None),
            Error::NotFound(m) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, m, None, None),
            Error::Conflict(m) => (StatusCode::CONFLICT, ErrorCode::Conflict, m, None, None),
            Error::ConflictField { field, message } => (
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                message,
                Some(field),
                None,
            ),
            Error::RealNameRequired => (
                StatusCode::CONFLICT,
                ErrorCode::RealNameRequired,
                "请先完成个人实名认证".to_owned(),
                None,
                None,
            ),
            Error::PayloadTooLarge { message, field } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                message,
                field,
                None,
            ),
            Error::UnsupportedMediaType(m) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                m,
                None,
                None,
            ),
            Error::Io(e) => {
                tracing::error!(error = %e, "file storage failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "服务暂时不可用，请稍后重试".to_owned(),
                    None,
                    None,
                )
            }
            Error::BadRequest { message, field } => (
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                message,
                field,
                None,
            ),
            Error::RateLimited {
                message,
                retry_after_secs,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                message,
                None,
                Some(retry_after_secs),
            ),
            Error::Busy { retry_after_secs } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Busy,
                format!(
                    "当前提交的照片较多，请{}后重试",
                    wait_text(retry_after_secs)
                ),
                None,
                Some(retry_after_secs),
            ),
            Error::LinkGone(r) => {
                use crate::flow::link::LinkRefusal as R;
                let code = match r {
                    R::Expired => ErrorCode::LinkExpired,
                    R::Used => ErrorCode::LinkUsed,
                    R::Cancelled => ErrorCode::LinkCancelled,
                    R::Superseded => ErrorCode::LinkSuperseded,
                };
                (StatusCode::GONE, code, r.to_string(), None, None)
            }
            Error::Storage(e) if e.is_unavailable() => {
                tracing::error!(error = %e, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Internal,
                    "服务暂时不可用，请稍后重试".to_owned(),
                    None,
                    Some(DATABASE_RETRY_SECS),
                )
            }
            Error::Storage(e) => {
                tracing::error!(error = %e, "storage failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "服务暂时不可用，请稍后重试".to_owned(),
                    None,
                    None,
                )
            }
            Error::Provider(e) => {
                match &e {
                    ProviderError::Misconfigured { .. } => {
                        tracing::error!(error = %e, "provider misconfigured: the operator must fix a setting")
                    }
                    _ => tracing::error!(error = %e, "provider failure"),
                }
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Internal,
                    "外部服务暂时不可用，请稍后重试".to_owned(),
                    None,
                    None,
                )
            }
        };
        let body = ErrorBody {
            error: ApiError {
                code,
                message,
                field,
                retry_after_secs: retry,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// What a client is told to wait while the database cannot be reached: the pool tries again
/// on the next request, so a few seconds is enough once it is back.
const DATABASE_RETRY_SECS: u64 = 5;
