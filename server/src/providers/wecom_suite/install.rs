//! Installs: `create_auth`'s AuthCode → `service/get_permanent_code`, and `change_auth` →
//! `service/get_auth_info` (providers.md §1b).

use api::wire::AuthMode;
use serde::Deserialize;
use serde_json::json;

use super::SuiteWeCom;
use crate::providers::wecom::Corp;
use crate::providers::ProviderError;

/// What WeCom says about the app's install in a corp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub corp: Corp,
    /// The app's agentid inside the corp (message/send, admin list, wx.agentConfig).
    pub agentid: i64,
}

#[derive(Deserialize)]
struct CorpInfo {
    corpid: String,
    #[serde(default)]
    corp_name: String,
}

#[derive(Deserialize)]
struct Agent {
    agentid: i64,
    /// 0 管理员授权, 1 成员授权.
    #[serde(default)]
    auth_mode: i64,
}

#[derive(Deserialize)]
struct AuthInfo {
    #[serde(default)]
    agent: Vec<Agent>,
}

#[derive(Deserialize)]
struct Answer {
    auth_corp_info: CorpInfo,
    auth_info: AuthInfo,
    /// Only in get_permanent_code's answer.
    permanent_code: Option<String>,
}

impl Answer {
    fn install(self) -> Result<(Install, Option<String>), ProviderError> {
        let agent = self
            .auth_info
            .agent
            .into_iter()
            .next()
            .ok_or(ProviderError::Refused {
                provider: super::PROVIDER,
                message: "the install names no agent".to_owned(),
            })?;
        let corp = Corp {
            name: if self.auth_corp_info.corp_name.is_empty() {
                self.auth_corp_info.corpid.clone()
            } else {
                self.auth_corp_info.corp_name
            },
            id: self.auth_corp_info.corpid,
            auth_mode: if agent.auth_mode == 1 {
                AuthMode::Member
            } else {
                AuthMode::Admin
            },
        };
        Ok((
            Install {
                corp,
                agentid: agent.agentid,
            },
            self.permanent_code,
        ))
    }
}

impl SuiteWeCom {
    /// create_auth: exchanges the AuthCode (single-use, so not repeated on a timeout) for the
    /// install and its permanent code.
    pub async fn get_permanent_code(
        &self,
        auth_code: &str,
    ) -> Result<(Install, String), ProviderError> {
        let body = json!({"auth_code": auth_code});
        let a: Answer = self
            .post_as_suite("/cgi-bin/service/get_permanent_code", &body, false)
            .await
            .map_err(|f| f.provider("get_permanent_code"))?;
        let (install, code) = a.install()?;
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or(ProviderError::Refused {
                provider: super::PROVIDER,
                message: "get_permanent_code answered no permanent_code".to_owned(),
            })?;
        Ok((install, code))
    }

    /// change_auth: the install as it is now, asked with the stored permanent code.
    pub async fn get_auth_info(&self, corp_id: &str) -> Result<Install, ProviderError> {
        let install = self
            .db
            .install(corp_id)
            .await?
            .ok_or(ProviderError::Refused {
                provider: super::PROVIDER,
                message: "change_auth for a corp with no install here".to_owned(),
            })?;
        let code = self.permanent_code(&install)?;
        let body = json!({"auth_corpid": corp_id, "permanent_code": code});
        let a: Answer = self
            .post_as_suite("/cgi-bin/service/get_auth_info", &body, true)
            .await
            .map_err(|f| f.provider("get_auth_info"))?;
        Ok(a.install()?.0)
    }

    /// The corp and its install, stored: the permanent code sealed.
    pub async fn store_install(
        &self,
        install: &Install,
        permanent_code: &str,
    ) -> Result<(), ProviderError> {
        let sealed = self.vault.seal(permanent_code);
        self.db
            .save_install(
                &corp_row(&install.corp),
                install.agentid,
                &sealed,
                self.clock.now(),
            )
            .await?;
        Ok(())
    }

    /// change_auth's update. `false`: no install here to update.
    pub async fn update_install(&self, install: &Install) -> Result<bool, ProviderError> {
        Ok(self
            .db
            .update_install(&corp_row(&install.corp), install.agentid, self.clock.now())
            .await?)
    }

    /// cancel_auth (pushed at `pushed_at`): the corp's access ends, its members' sessions
    /// with it. `false`: nothing to cancel, or a push older than the install.
    pub async fn cancel_install(
        &self,
        corp_id: &str,
        pushed_at: i64,
    ) -> Result<bool, ProviderError> {
        Ok(self
            .db
            .cancel_install(corp_id, pushed_at, self.clock.now())
            .await?)
    }

    /// Whether members of the corp may sign in: installed here and not cancelled.
    pub async fn installed(&self, corp_id: &str) -> Result<bool, ProviderError> {
        Ok(self
            .db
            .install(corp_id)
            .await?
            .is_some_and(|i| i.cancelled_at.is_none()))
    }
}

fn corp_row(corp: &Corp) -> crate::storage::CorpRow {
    crate::storage::CorpRow {
        id: corp.id.clone(),
        name: corp.name.clone(),
        auth_mode: corp.auth_mode,
    }
}
