//! Inside WeCom: what the app passes to `wx.config` and `wx.agentConfig`.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `GET /api/wecom/jssdk?url=…`: both signatures for one page URL (without its `#` part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JsSdkConfig {
    /// For `wx.config`, signed with the corp's jsapi ticket.
    pub corp: JsSdkCorp,
    /// For `wx.agentConfig`, signed with the app's agent_config ticket.
    pub agent: JsSdkAgent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JsSdkCorp {
    /// The corp id.
    pub app_id: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub nonce_str: String,
    /// Lowercase hex SHA-1.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JsSdkAgent {
    pub corpid: String,
    /// The app's agentid inside the corp.
    pub agentid: i64,
    pub timestamp: i64,
    pub nonce_str: String,
    pub signature: String,
}
