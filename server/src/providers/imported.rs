//! Real mode's enterprise registry and WeChat-side directory: the tables the operator imports
//! (`server import-registry`, `server import-directory`). Nothing here calls anyone: there is
//! no public API for either (docs/deploy.md). A code or a person not imported is not found,
//! never a pass.

use async_trait::async_trait;

use super::esign::{EsignEnterprise, EsignPerson, WechatEsignDirectory};
use super::registry::{EnterpriseRegistry, RegisteredEnterprise};
use super::ProviderError;
use crate::crypto::Vault;
use crate::storage::{Db, SealedPerson};

pub struct ImportedRegistry {
    db: Db,
}

impl ImportedRegistry {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl EnterpriseRegistry for ImportedRegistry {
    async fn lookup(&self, uscc: &str) -> Result<Option<RegisteredEnterprise>, ProviderError> {
        Ok(self
            .db
            .registry_entry(uscc)
            .await?
            .map(|e| RegisteredEnterprise {
                uscc: e.uscc,
                name: e.name,
                legal_rep: e.legal_rep,
            }))
    }
}

pub struct ImportedDirectory {
    db: Db,
    vault: Vault,
}

impl ImportedDirectory {
    pub fn new(db: Db, vault: Vault) -> Self {
        Self { db, vault }
    }

    fn open(&self, p: SealedPerson) -> Result<EsignPerson, ProviderError> {
        let open = |sealed: &str| {
            self.vault
                .open(sealed)
                .map_err(|_| ProviderError::Misconfigured {
                    provider: "directory",
                    detail: "an imported directory row does not open with ESIGN_DATA_KEY \
                             (imported with another key?): import the file again"
                        .to_owned(),
                })
        };
        Ok(EsignPerson {
            id_number: open(&p.id_sealed)?,
            mobile: open(&p.mobile_sealed)?,
            name: p.name,
        })
    }
}

#[async_trait]
impl WechatEsignDirectory for ImportedDirectory {
    async fn by_uscc(&self, uscc: &str) -> Result<Option<EsignEnterprise>, ProviderError> {
        let Some(e) = self.db.directory_enterprise(uscc).await? else {
            return Ok(None);
        };
        Ok(Some(EsignEnterprise {
            uscc: e.uscc,
            name: e.name,
            super_admin: self.open(e.super_admin)?,
            employees: e
                .employees
                .into_iter()
                .map(|p| self.open(p))
                .collect::<Result<_, _>>()?,
        }))
    }

    async fn memberships(
        &self,
        name: &str,
        id_number: &str,
    ) -> Result<Vec<EsignEnterprise>, ProviderError> {
        // Indexed as imported: the validated (upper-case) number.
        let Ok(id) = api::validate::id_number(id_number) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for uscc in self
            .db
            .directory_memberships(&self.vault.blind_index(&id))
            .await?
        {
            let Some(e) = self.by_uscc(&uscc).await? else {
                continue;
            };
            let member = e.super_admin.is(name, &id) || e.employees.iter().any(|p| p.is(name, &id));
            if member {
                out.push(e);
            }
        }
        Ok(out)
    }
}
