//! Real WeCom as a third-party app (a suite): the suite token from the pushed ticket, each
//! corp's token from its permanent code, OAuth sign-in, admins and app messages
//! (providers.md §1b, §1c), and the callback crypto and JS-SDK signatures (§1d).

mod client;
pub mod crypto;
mod install;
pub mod jssdk;

use std::sync::Arc;

use api::wire::AuthMode;
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use self::client::{Fail, Token, PROVIDER};
pub use self::crypto::{CryptoError, MsgCrypt};
pub use self::install::Install;
use super::wecom::{Admins, AppMessage, Delivery, SignIn, WeCom};
use super::ProviderError;
use crate::clock::Clock;
use crate::config::real::WeComSettings;
use crate::crypto::Vault;
use crate::storage::Db;

/// textcard limits (bytes): title 128, description 512; text content 2048.
const TITLE: &str = "腾讯电子签";
const DESCRIPTION_MAX: usize = 512;
const TEXT_MAX: usize = 2048;

pub struct SuiteWeCom {
    settings: WeComSettings,
    crypt: MsgCrypt,
    db: Db,
    vault: Vault,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SuiteWeCom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuiteWeCom")
            .field("suite_id", &self.settings.suite_id)
            .finish_non_exhaustive()
    }
}

impl SuiteWeCom {
    /// Fails only on an EncodingAESKey that is not 43 base64 characters.
    pub fn new(
        settings: WeComSettings,
        db: Db,
        vault: Vault,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let crypt = MsgCrypt::new(
            settings.callback_token.expose(),
            settings.callback_aes_key.expose(),
        )
        .map_err(|e| format!("ESIGN_WECOM_CALLBACK_AES_KEY: {e}"))?;
        Ok(Self {
            settings,
            crypt,
            db,
            vault,
            clock,
        })
    }

    pub fn suite_id(&self) -> &str {
        &self.settings.suite_id
    }

    pub fn crypt(&self) -> &MsgCrypt {
        &self.crypt
    }

    /// Who a callback may be addressed to: the suite, or (URL verification) the service
    /// provider's own corp.
    pub fn receive_ids(&self) -> Vec<&str> {
        let mut ids = vec![self.settings.suite_id.as_str()];
        ids.extend(self.settings.provider_corpid.as_deref());
        ids
    }

    /// The OAuth authorize URL for `state`, coming back to `redirect_uri`.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        let mut url = url::Url::parse(&format!(
            "{}/connect/oauth2/authorize",
            self.settings.oauth_base
        ))
        .expect("ESIGN_WECOM_OAUTH_BASE is an http(s) URL");
        url.query_pairs_mut()
            .append_pair("appid", &self.settings.suite_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", "snsapi_base")
            .append_pair("state", state);
        format!("{url}#wechat_redirect")
    }

    /// Keeps the newest suite_ticket (by the push's own TimeStamp).
    pub async fn save_ticket(&self, ticket: &str, pushed_at: i64) -> Result<(), ProviderError> {
        let sealed = self.vault.seal(ticket);
        self.db
            .save_suite_ticket(&self.settings.suite_id, &sealed, pushed_at)
            .await?;
        Ok(())
    }

    async fn suite_token(&self) -> Result<Token, Fail> {
        self.cached("suite", || async {
            let sealed = self.db.suite_ticket(&self.settings.suite_id).await?.ok_or(
                ProviderError::Unavailable {
                    provider: PROVIDER,
                    message: "no suite_ticket pushed yet (WeCom pushes one every 10 minutes)"
                        .to_owned(),
                },
            )?;
            let ticket = self
                .vault
                .open(&sealed)
                .map_err(|_| ProviderError::Unavailable {
                    provider: PROVIDER,
                    message: "the stored suite_ticket does not open".to_owned(),
                })?;
            #[derive(Deserialize)]
            struct Answer {
                suite_access_token: String,
                expires_in: i64,
            }
            let a: Answer = self
                .post(
                    "/cgi-bin/service/get_suite_token",
                    &[],
                    &json!({
                        "suite_id": self.settings.suite_id,
                        "suite_secret": self.settings.suite_secret.expose(),
                        "suite_ticket": ticket,
                    }),
                    true,
                )
                .await?;
            Ok((a.suite_access_token, a.expires_in))
        })
        .await
    }

    /// Runs `call` with the suite token, refetched once if WeCom refuses it.
    async fn with_suite_token<T, C, CF>(&self, call: C) -> Result<T, Fail>
    where
        C: Fn(String) -> CF,
        CF: std::future::Future<Output = Result<T, Fail>>,
    {
        self.with_token("suite", || self.suite_token(), call).await
    }

    /// The install of a corp whose access has not ended.
    async fn live_install(&self, corp_id: &str) -> Result<crate::storage::InstallRow, Fail> {
        match self.db.install(corp_id).await? {
            Some(i) if i.cancelled_at.is_none() => Ok(i),
            _ => Err(Fail::Provider(ProviderError::Refused {
                provider: PROVIDER,
                message: "the app is not installed in this corp (or its install was cancelled)"
                    .to_owned(),
            })),
        }
    }

    async fn corp_token(&self, corp_id: &str) -> Result<Token, Fail> {
        self.cached(&corp_token_name(corp_id), || async {
            let install = self.live_install(corp_id).await?;
            let code = self.permanent_code(&install)?;
            #[derive(Deserialize)]
            struct Answer {
                access_token: String,
                expires_in: i64,
            }
            let body = json!({"auth_corpid": corp_id, "permanent_code": code});
            let a: Answer = self
                .post_as_suite("/cgi-bin/service/get_corp_token", &body, true)
                .await?;
            Ok((a.access_token, a.expires_in))
        })
        .await
    }

    /// The install's permanent code, unsealed.
    fn permanent_code(
        &self,
        install: &crate::storage::InstallRow,
    ) -> Result<String, ProviderError> {
        self.vault
            .open(&install.permanent_code_sealed)
            .map_err(|_| ProviderError::Misconfigured {
                provider: PROVIDER,
                detail: "a permanent code does not open with this data key".to_owned(),
            })
    }

    /// Runs `call` with the corp's token, refetched once if WeCom refuses it.
    async fn with_corp_token<T, C, CF>(&self, corp_id: &str, call: C) -> Result<T, Fail>
    where
        C: Fn(String) -> CF,
        CF: std::future::Future<Output = Result<T, Fail>>,
    {
        self.with_token(&corp_token_name(corp_id), || self.corp_token(corp_id), call)
            .await
    }

    /// A JS-SDK ticket (`jsapi` for `wx.config`, `agent_config` for `wx.agentConfig`), cached
    /// like the tokens.
    async fn js_ticket(&self, corp_id: &str, kind: JsTicket) -> Result<String, ProviderError> {
        let (name, path, query): (_, _, &[(&str, &str)]) = match kind {
            JsTicket::Corp => (format!("jsapi:{corp_id}"), "/cgi-bin/get_jsapi_ticket", &[]),
            JsTicket::Agent => (
                format!("agent_config:{corp_id}"),
                "/cgi-bin/ticket/get",
                &[("type", "agent_config")],
            ),
        };
        let token = self
            .cached(&name, || async {
                #[derive(Deserialize)]
                struct Answer {
                    ticket: String,
                    expires_in: i64,
                }
                let a: Answer = self
                    .with_corp_token(corp_id, |t| async move {
                        let mut q = vec![("access_token", t.as_str())];
                        q.extend_from_slice(query);
                        self.get(path, &q, true).await
                    })
                    .await?;
                Ok((a.ticket, a.expires_in))
            })
            .await
            .map_err(|f| f.provider("jsapi ticket"))?;
        Ok(token.value)
    }

    /// What `wx.config` and `wx.agentConfig` need for a corp: both tickets and the agentid.
    pub async fn js_tickets(&self, corp_id: &str) -> Result<JsTickets, ProviderError> {
        let install = self
            .live_install(corp_id)
            .await
            .map_err(|f| f.provider("jssdk"))?;
        Ok(JsTickets {
            corp: self.js_ticket(corp_id, JsTicket::Corp).await?,
            agent: self.js_ticket(corp_id, JsTicket::Agent).await?,
            agentid: install.agentid,
        })
    }
}

/// The corp token's name in the shared cache.
fn corp_token_name(corp_id: &str) -> String {
    format!("corp:{corp_id}")
}

#[derive(Clone, Copy)]
enum JsTicket {
    Corp,
    Agent,
}

pub struct JsTickets {
    pub corp: String,
    pub agent: String,
    pub agentid: i64,
}

#[async_trait]
impl WeCom for SuiteWeCom {
    fn name_in_message(&self, member_id: &str, _known: &str) -> String {
        format!("$userName={}$", super::wecom::user_id_of(member_id))
    }

    async fn sign_in(&self, code: &str) -> Result<SignIn, ProviderError> {
        #[derive(Deserialize)]
        struct Answer {
            corpid: Option<String>,
            userid: Option<String>,
            open_userid: Option<String>,
        }
        // Not repeated on a timeout: the code is single-use, a second try could only fail.
        let answer = self
            .with_suite_token(|t| async move {
                self.get::<Answer>(
                    "/cgi-bin/service/auth/getuserinfo3rd",
                    &[("suite_access_token", &t), ("code", code)],
                    false,
                )
                .await
            })
            .await;
        match answer {
            Ok(Answer {
                corpid: Some(corp_id),
                userid: Some(user_id),
                open_userid,
            }) if !corp_id.is_empty() && !user_id.is_empty() => Ok(SignIn::Member {
                corp_id,
                user_id,
                open_userid,
            }),
            Ok(_) => Ok(SignIn::NotMember),
            Err(f) if f.errcode() == Some(40029) => Err(ProviderError::BadInput {
                provider: PROVIDER,
                field: "code",
                message: "登录凭证无效或已使用，请从企业微信工作台重新打开应用".to_owned(),
            }),
            Err(f) => Err(f.provider("getuserinfo3rd")),
        }
    }

    async fn admins(&self, corp_id: &str) -> Result<Admins, ProviderError> {
        // 成员授权 installs have no admin list to ask for.
        if self
            .db
            .corp(corp_id)
            .await?
            .is_some_and(|c| c.auth_mode == AuthMode::Member)
        {
            return Ok(Admins::NoList);
        }
        let install = self
            .live_install(corp_id)
            .await
            .map_err(|f| f.provider("get_admin_list"))?;
        #[derive(Deserialize)]
        struct Admin {
            userid: String,
            #[serde(default)]
            auth_type: i64,
        }
        #[derive(Deserialize)]
        struct Answer {
            admin: Option<Vec<Admin>>,
        }
        let body = json!({"agentid": install.agentid});
        let a: Answer = self
            .post_as_corp(corp_id, "/cgi-bin/agent/get_admin_list", &body, true)
            .await
            .map_err(|f| f.provider("get_admin_list"))?;
        Ok(match a.admin {
            None => Admins::NoList,
            // auth_type 1 = 管理权限; 0 = may only send messages.
            Some(list) => Admins::Listed(
                list.into_iter()
                    .filter(|a| a.auth_type == 1)
                    .map(|a| a.userid)
                    .collect(),
            ),
        })
    }

    async fn send(
        &self,
        corp_id: &str,
        to_user: &str,
        msg: &AppMessage,
    ) -> Result<Delivery, ProviderError> {
        let install = self
            .live_install(corp_id)
            .await
            .map_err(|f| f.provider("message/send"))?;
        let body = message_body(to_user, install.agentid, msg);
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            invaliduser: String,
        }
        // Never repeated on a timeout or a 5xx: it may have been delivered.
        let answer = self
            .post_as_corp::<Answer>(corp_id, "/cgi-bin/message/send", &body, false)
            .await;
        match answer {
            Ok(a) => Ok(Delivery {
                invalid_users: a
                    .invaliduser
                    .split('|')
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }),
            // Every recipient invalid.
            Err(f) if f.errcode() == Some(81013) => Ok(Delivery {
                invalid_users: vec![to_user.to_owned()],
            }),
            Err(f) => Err(f.provider("message/send")),
        }
    }
}

/// A textcard when there is a link, else text. `enable_id_trans` lets `$userName=ID$` show
/// the member's name, which the app itself never receives.
fn message_body(to_user: &str, agentid: i64, msg: &AppMessage) -> serde_json::Value {
    match &msg.link {
        Some(url) => json!({
            "touser": to_user,
            "msgtype": "textcard",
            "agentid": agentid,
            "textcard": {
                "title": TITLE,
                "description": truncate(&html_escape::encode_text(&msg.text), DESCRIPTION_MAX),
                "url": url,
                "btntxt": "详情",
            },
            "enable_id_trans": 1,
        }),
        None => json!({
            "touser": to_user,
            "msgtype": "text",
            "agentid": agentid,
            "text": {"content": truncate(&msg.text, TEXT_MAX)},
            "enable_id_trans": 1,
        }),
    }
}

/// At most `max` bytes, cut on a character boundary.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_a_link_is_a_textcard_else_text() {
        let card = message_body(
            "zhangsan",
            1000002,
            &AppMessage {
                text: "请<认证>".to_owned(),
                link: Some("https://esign.example.com/".to_owned()),
            },
        );
        assert_eq!(card["msgtype"], "textcard");
        assert_eq!(card["agentid"], 1000002);
        assert_eq!(card["enable_id_trans"], 1);
        assert_eq!(card["textcard"]["description"], "请&lt;认证&gt;");
        assert_eq!(card["textcard"]["url"], "https://esign.example.com/");
        let text = message_body(
            "zhangsan",
            7,
            &AppMessage {
                text: "长".repeat(1000),
                link: None,
            },
        );
        assert_eq!(text["msgtype"], "text");
        let content = text["text"]["content"].as_str().unwrap();
        assert!(content.len() <= TEXT_MAX && content.chars().all(|c| c == '长'));
    }
}
