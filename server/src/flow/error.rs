//! Why a use case did not happen. Each refusal carries the Chinese sentence the person reads
//! (and the field it is about); `http::error` turns them into status codes and the error body.

use super::guard::Refusal;
use super::link::LinkRefusal;
use super::FlowError;
use crate::providers::ProviderError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conflict about one input, e.g. a USCC that belongs to an enterprise opened elsewhere.
    #[error("conflict at {field}: {message}")]
    ConflictField { field: String, message: String },
    /// The action needs the caller's personal real-name verification first.
    #[error("real-name verification required")]
    RealNameRequired,
    #[error("payload too large")]
    PayloadTooLarge {
        message: String,
        field: Option<String>,
    },
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
    /// The server's own capacity is taken (every image worker busy and the queue full).
    #[error("busy; retry in {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    /// A one-time link that no longer works, with its own reason.
    #[error("link gone: {0}")]
    LinkGone(#[from] LinkRefusal),
    /// Files (uploads) and sealed values: a server fault.
    #[error("io: {0}")]
    Io(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Provider(ProviderError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A provider's refusal of the user's input or its rate limit reaches the user as such; the
/// rest (misconfigured, unavailable) stays a provider failure, a 503.
impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::BadInput { field, message, .. } => Self::bad_field(field, message),
            ProviderError::RateLimited {
                retry_after_secs,
                message,
                ..
            } => Self::RateLimited {
                message,
                retry_after_secs,
            },
            ProviderError::Storage(e) => Self::Storage(e),
            e => Self::Provider(e),
        }
    }
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

    /// A daily or rolling cap: `says` with `{wait}` replaced by how long.
    pub fn wait(says: &str, retry_after_secs: u64) -> Self {
        Self::RateLimited {
            message: says.replace("{wait}", &wait_text(retry_after_secs)),
            retry_after_secs,
        }
    }
}

impl From<FlowError> for Error {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::NotReachable(_) => Error::Conflict("请先完成前面的认证步骤".to_owned()),
            FlowError::NotSubmittable(_) => Error::Conflict("该步骤无需提交".to_owned()),
            FlowError::OtherScenario(_) => Error::Conflict(
                "您已选择关联微信账户，如需上传证照认证，请先返回上一步取消关联".to_owned(),
            ),
        }
    }
}

/// A final step that may not finish: the application moved on since the step started.
impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Self::Conflict(
            match r {
                Refusal::Closed => "该企业认证申请已结束，请返回首页查看",
                Refusal::OtherScenario => "认证方式已变更，本次操作已失效，请按页面提示重新操作",
                Refusal::SubjectChanged => "营业执照信息已变更，本次操作已失效，请重新发起",
                Refusal::Settled => "该操作已处理，请勿重复提交",
                Refusal::UsccTaken => "该企业已在其他企业微信中完成认证，无法重复认证",
            }
            .to_owned(),
        )
    }
}

/// `3分20秒` / `45秒`: how long to wait, the way Chinese apps say it.
pub fn wait_text(secs: u64) -> String {
    if secs >= 3600 {
        // Daily caps wait for hours: seconds would be noise.
        let minutes = secs.div_ceil(60);
        return match (minutes / 60, minutes % 60) {
            (h, 0) => format!("{h}小时"),
            (h, m) => format!("{h}小时{m}分钟"),
        };
    }
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}秒"),
        (m, 0) => format!("{m}分钟"),
        (m, s) => format!("{m}分{s}秒"),
    }
}

#[cfg(test)]
mod tests {
    use super::wait_text;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_text(45), "45秒");
        assert_eq!(wait_text(600), "10分钟");
        assert_eq!(wait_text(200), "3分20秒");
        // A daily cap, late at night or early in the morning.
        assert_eq!(wait_text(52_013), "14小时27分钟");
        assert_eq!(wait_text(3600), "1小时");
        assert_eq!(wait_text(3601), "1小时1分钟");
    }
}
