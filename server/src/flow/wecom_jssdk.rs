//! Inside WeCom: the signatures of `wx.config` (corp jsapi ticket) and `wx.agentConfig` (the
//! app's agent_config ticket) for one page of this app.

use api::wire::{JsSdkAgent, JsSdkConfig, JsSdkCorp};
use rand::distr::{Alphanumeric, SampleString};

use super::{Ctx, Error, Result};
use crate::providers::wecom_suite::jssdk::signature;
use crate::storage::MemberRow;

pub async fn config(cx: &Ctx<'_>, member: &MemberRow, url: &str) -> Result<JsSdkConfig> {
    let suite = cx
        .providers
        .wecom_suite
        .clone()
        .ok_or_else(|| Error::NotFound("本地模式没有企业微信 JS-SDK".to_owned()))?;
    let corp_id = member
        .corp_id
        .clone()
        .ok_or_else(|| Error::Forbidden("工作人员账号不属于任何企业".to_owned()))?;
    // Signatures only for this app's own pages: a signature is what lets a page use the
    // corp's JS-SDK.
    let page = url::Url::parse(url).map_err(|_| Error::bad_field("url", "页面地址无效"))?;
    let own = cx
        .public_url
        .and_then(|p| url::Url::parse(p).ok())
        .is_some_and(|origin| origin.origin() == page.origin());
    if !own {
        return Err(Error::bad_field("url", "只能为本应用的页面签名"));
    }
    let page = url.split('#').next().unwrap_or(url);
    let tickets = suite.js_tickets(&corp_id).await?;
    let timestamp = cx.now();
    let corp_nonce = Alphanumeric.sample_string(&mut rand::rng(), 16);
    let agent_nonce = Alphanumeric.sample_string(&mut rand::rng(), 16);
    Ok(JsSdkConfig {
        corp: JsSdkCorp {
            app_id: corp_id.clone(),
            timestamp,
            signature: signature(&tickets.corp, &corp_nonce, timestamp, page),
            nonce_str: corp_nonce,
        },
        agent: JsSdkAgent {
            corpid: corp_id,
            agentid: tickets.agentid,
            timestamp,
            signature: signature(&tickets.agent, &agent_nonce, timestamp, page),
            nonce_str: agent_nonce,
        },
    })
}
