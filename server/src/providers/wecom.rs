//! WeCom (企业微信): who signed in, who the corp's admins are, and app messages.

use std::sync::Arc;

use api::wire::AuthMode;
use async_trait::async_trait;

use super::ProviderError;
use crate::clock::Clock;
use crate::demo;
use crate::storage::{Channel, Db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corp {
    pub id: String,
    pub name: String,
    /// `auth_mode` of the app's install: 0 管理员授权, 1 成员授权.
    pub auth_mode: AuthMode,
}

/// Who signed in through OAuth (`service/auth/getuserinfo3rd`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A member of an installed corp. `user_id` is unique only inside `corp_id`.
    Member {
        corp_id: String,
        user_id: String,
        open_userid: Option<String>,
    },
    /// Someone outside any corp that installed the app (WeCom answered an `openid` only).
    NotMember,
}

/// The corp's admins as WeCom reports them (`agent/get_admin_list`, `auth_type` 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admins {
    /// The user ids of the admins with 管理权限.
    Listed(Vec<String>),
    /// 成员授权 installs answer no list: everyone is an ordinary member, and the page shows
    /// the switch-to-管理员授权 hint.
    NoList,
}

impl Admins {
    pub fn contains(&self, user_id: &str) -> bool {
        matches!(self, Admins::Listed(ids) if ids.iter().any(|id| id == user_id))
    }
}

/// What `message/send` reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Recipients WeCom did not accept (`invaliduser`).
    pub invalid_users: Vec<String>,
}

/// A WeCom app message (`message/send`, textcard-like: text plus an optional link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMessage {
    pub text: String,
    /// Where tapping the message goes: absolute on `ESIGN_PUBLIC_URL` in real mode, a path of
    /// this app locally.
    pub link: Option<String>,
}

/// A member's key in this server: (corp, userid), as `corp/userid` (a userid never holds a
/// `/`). Local mode's demo people keep their plain ids.
pub fn member_key(corp_id: &str, user_id: &str) -> String {
    format!("{corp_id}/{user_id}")
}

/// A real WeCom member's key (`corp/userid`), as opposed to a local demo person's id.
pub fn is_member_key(member_id: &str) -> bool {
    member_id.contains('/')
}

/// The WeCom userid inside its corp, from a member's key.
pub fn user_id_of(member_id: &str) -> &str {
    member_id.rsplit('/').next().unwrap_or(member_id)
}

#[async_trait]
pub trait WeCom: Send + Sync {
    /// OAuth's `code` → the member (or not). Single use: WeCom refuses a code twice.
    async fn sign_in(&self, code: &str) -> Result<SignIn, ProviderError>;

    /// The corp's admins who can act on the e-sign app.
    async fn admins(&self, corp_id: &str) -> Result<Admins, ProviderError>;

    /// How a message names a member. WeCom gives a third-party app no names, but with
    /// `enable_id_trans` it writes the name in for `$userName=USERID$`; locally the name is
    /// known.
    fn name_in_message(&self, member_id: &str, known: &str) -> String {
        let _ = member_id;
        known.to_owned()
    }

    /// Sends one app message to one member (by userid, inside the corp), with the app's
    /// agentid and the corp's token.
    async fn send(
        &self,
        corp_id: &str,
        to_user: &str,
        msg: &AppMessage,
    ) -> Result<Delivery, ProviderError>;
}

/// Local mode: the demo directory of local-mode.md, and messages written to the outbox.
pub struct LocalWeCom {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl LocalWeCom {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }
}

#[async_trait]
impl WeCom for LocalWeCom {
    /// Local mode signs in through `/dev/login`; there is no OAuth to answer.
    async fn sign_in(&self, _code: &str) -> Result<SignIn, ProviderError> {
        Err(ProviderError::Misconfigured {
            provider: "wecom",
            detail:
                "local WeCom has no OAuth: sign in at /dev/login, or set ESIGN_PROVIDER_WECOM=real"
                    .to_owned(),
        })
    }

    async fn admins(&self, corp_id: &str) -> Result<Admins, ProviderError> {
        // Like the real API, 成员授权 installs report no admin list.
        if demo::corp(corp_id).is_some_and(|c| c.auth_mode == AuthMode::Member) {
            return Ok(Admins::NoList);
        }
        Ok(Admins::Listed(
            demo::PEOPLE
                .iter()
                .filter(|p| p.corp == Some(corp_id) && p.wecom_admin)
                .map(|p| p.id.to_owned())
                .collect(),
        ))
    }

    async fn send(
        &self,
        _corp_id: &str,
        to_user: &str,
        msg: &AppMessage,
    ) -> Result<Delivery, ProviderError> {
        self.db
            .push_outbox(
                Channel::Wecom,
                to_user,
                &msg.text,
                msg.link.as_deref(),
                self.clock.now(),
            )
            .await?;
        Ok(Delivery::default())
    }
}
