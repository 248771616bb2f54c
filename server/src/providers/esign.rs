//! The WeChat-side e-sign directory: which enterprises already opened 腾讯电子签 on WeChat
//! (scenario 2), by 统一社会信用代码.

use api::wire::WechatEnterprise;
use async_trait::async_trait;

use super::ProviderError;
use crate::demo::{self, WechatSide};

#[async_trait]
pub trait WechatEsignDirectory: Send + Sync {
    async fn opened_enterprise(
        &self,
        uscc: &str,
    ) -> Result<Option<WechatEnterprise>, ProviderError>;
}

/// Local mode: the demo corps marked as opened on the WeChat side (蓝海).
pub struct LocalWechatDirectory;

#[async_trait]
impl WechatEsignDirectory for LocalWechatDirectory {
    async fn opened_enterprise(
        &self,
        uscc: &str,
    ) -> Result<Option<WechatEnterprise>, ProviderError> {
        Ok(demo::CORPS
            .iter()
            .find(|c| c.uscc == uscc && matches!(c.wechat_side, WechatSide::Opened { .. }))
            .map(|c| WechatEnterprise {
                name: c.name.to_owned(),
            }))
    }
}
