//! WeCom (企业微信): who a member is, who the corp's admins are, and app messages.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: String,
    pub name: String,
    pub is_admin: bool,
}

/// A WeCom app message (`message/send`, textcard-like: text plus an optional in-app link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMessage {
    pub text: String,
    /// A path of this app, e.g. `/`; WeCom opens it inside the app.
    pub link: Option<String>,
}

#[async_trait]
pub trait WeCom: Send + Sync {
    /// The member behind a user id (after OAuth `getuserinfo` in real mode), with their corp.
    async fn member(&self, user_id: &str) -> Result<Option<(Corp, Member)>, ProviderError>;

    /// The corp's admins who can act on the e-sign app (`agent/get_admin_list`).
    async fn admins(&self, corp_id: &str) -> Result<Vec<Member>, ProviderError>;

    /// Sends one app message to one member.
    async fn send(
        &self,
        corp_id: &str,
        to_user: &str,
        msg: &AppMessage,
    ) -> Result<(), ProviderError>;
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

fn demo_member(p: &demo::DemoPerson) -> Member {
    Member {
        user_id: p.id.to_owned(),
        name: p.name.to_owned(),
        is_admin: p.wecom_admin,
    }
}

#[async_trait]
impl WeCom for LocalWeCom {
    async fn member(&self, user_id: &str) -> Result<Option<(Corp, Member)>, ProviderError> {
        let Some(person) = demo::person_by_id(user_id) else {
            return Ok(None);
        };
        let Some(corp) = person.corp.and_then(demo::corp) else {
            return Ok(None);
        };
        let corp = Corp {
            id: corp.id.to_owned(),
            name: corp.name.to_owned(),
            auth_mode: corp.auth_mode,
        };
        Ok(Some((corp, demo_member(person))))
    }

    async fn admins(&self, corp_id: &str) -> Result<Vec<Member>, ProviderError> {
        // Like the real API, 成员授权 installs report no admin list.
        if demo::corp(corp_id).is_some_and(|c| c.auth_mode == AuthMode::Member) {
            return Ok(Vec::new());
        }
        Ok(demo::PEOPLE
            .iter()
            .filter(|p| p.corp == Some(corp_id) && p.wecom_admin)
            .map(demo_member)
            .collect())
    }

    async fn send(
        &self,
        _corp_id: &str,
        to_user: &str,
        msg: &AppMessage,
    ) -> Result<(), ProviderError> {
        self.db
            .push_outbox(
                Channel::Wecom,
                to_user,
                &msg.text,
                msg.link.as_deref(),
                self.clock.now(),
            )
            .await?;
        Ok(())
    }
}
