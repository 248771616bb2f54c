//! WeCom's 指令回调 (`/wecom/callback`): URL verification, and the pushes that install the
//! app in a corp (suite_ticket, create_auth, change_auth, cancel_auth). Nothing is stored
//! unless the signature checks out and the body decrypts for this suite.

use std::sync::Arc;

use super::Ctx;
use crate::providers::wecom_suite::{CryptoError, SuiteWeCom};
use crate::providers::ProviderError;

/// The signed query of every callback.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    pub msg_signature: &'a str,
    pub timestamp: &'a str,
    pub nonce: &'a str,
}

/// Why a callback was not taken.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// Local WeCom: there is no suite to call back.
    #[error("no WeCom suite configured")]
    NoSuite,
    #[error("signature does not match")]
    Signature,
    #[error("body does not decrypt for this suite")]
    Undecryptable,
    #[error("malformed callback: {0}")]
    Malformed(&'static str),
    /// The push was genuine but acting on it failed (WeCom unreachable, the database down):
    /// WeCom pushes it again.
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

impl From<CryptoError> for CallbackError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Signature => Self::Signature,
            _ => Self::Undecryptable,
        }
    }
}

/// What a push said, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    SuiteTicket,
    CreateAuth {
        corp_id: String,
    },
    ChangeAuth {
        corp_id: String,
    },
    CancelAuth {
        corp_id: String,
    },
    /// An InfoType this app does not act on (contacts, licences…): acknowledged.
    Other(String),
}

fn suite(cx: &Ctx<'_>) -> Result<Arc<SuiteWeCom>, CallbackError> {
    cx.providers
        .wecom_suite
        .clone()
        .ok_or(CallbackError::NoSuite)
}

/// URL verification: the decrypted `echostr`, addressed to the suite or the provider corp.
pub fn verify_url(cx: &Ctx<'_>, q: &Signed<'_>, echostr: &str) -> Result<String, CallbackError> {
    let suite = suite(cx)?;
    Ok(suite.crypt().open(
        q.msg_signature,
        q.timestamp,
        q.nonce,
        echostr,
        &suite.receive_ids(),
    )?)
}

/// A push: verified, decrypted and acted on.
pub async fn receive(cx: &Ctx<'_>, q: &Signed<'_>, body: &str) -> Result<Push, CallbackError> {
    let suite = suite(cx)?;
    let encrypt = xml_field(body, "Encrypt").ok_or(CallbackError::Malformed("no Encrypt"))?;
    let plain = suite.crypt().open(
        q.msg_signature,
        q.timestamp,
        q.nonce,
        &encrypt,
        &[suite.suite_id()],
    )?;
    let field = |name| xml_field(&plain, name);
    let info_type = field("InfoType").ok_or(CallbackError::Malformed("no InfoType"))?;
    let corp = || field("AuthCorpId").ok_or(CallbackError::Malformed("no AuthCorpId"));
    // WeCom's own time of the push; the query's `timestamp` is signed too, but only the
    // inner one is inside the ciphertext.
    let pushed_at = field("TimeStamp")
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| cx.now());
    match info_type.as_str() {
        "suite_ticket" => {
            let ticket = field("SuiteTicket").ok_or(CallbackError::Malformed("no SuiteTicket"))?;
            suite.save_ticket(&ticket, pushed_at).await?;
            Ok(Push::SuiteTicket)
        }
        "create_auth" => {
            let code = field("AuthCode").ok_or(CallbackError::Malformed("no AuthCode"))?;
            let (install, permanent_code) = suite.get_permanent_code(&code).await?;
            suite.store_install(&install, &permanent_code).await?;
            tracing::info!(corp = %install.corp.id, agentid = install.agentid, "WeCom: installed");
            Ok(Push::CreateAuth {
                corp_id: install.corp.id,
            })
        }
        "change_auth" => {
            let corp_id = corp()?;
            let install = suite.get_auth_info(&corp_id).await?;
            if !suite.update_install(&install).await? {
                tracing::warn!(corp = %corp_id, "WeCom: change_auth for a corp not installed here");
            }
            Ok(Push::ChangeAuth { corp_id })
        }
        "cancel_auth" => {
            let corp_id = corp()?;
            if suite.cancel_install(&corp_id, pushed_at).await? {
                tracing::info!(corp = %corp_id, "WeCom: install cancelled");
            } else {
                tracing::warn!(corp = %corp_id, "WeCom: cancel_auth older than the install, or nothing to cancel");
            }
            Ok(Push::CancelAuth { corp_id })
        }
        other => Ok(Push::Other(other.to_owned())),
    }
}

/// The text of `<xml><name>…</name></xml>`'s child (CDATA or not).
fn xml_field(xml: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    let text: String = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name(name))?
        .children()
        .filter_map(|n| n.text())
        .collect();
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::xml_field;

    #[test]
    fn reads_cdata_and_plain_fields() {
        let xml =
            "<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt>\
                   <AgentID>1</AgentID></xml>";
        assert_eq!(xml_field(xml, "Encrypt").as_deref(), Some("abc="));
        assert_eq!(xml_field(xml, "AgentID").as_deref(), Some("1"));
        assert_eq!(xml_field(xml, "Missing"), None);
        assert_eq!(xml_field("not xml", "Encrypt"), None);
        // A DOCTYPE (entity expansion) is refused by the parser.
        assert_eq!(
            xml_field(
                "<!DOCTYPE x [<!ENTITY a \"b\">]><xml><Encrypt>&a;</Encrypt></xml>",
                "Encrypt"
            ),
            None
        );
    }
}
